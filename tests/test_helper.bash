# Shared by every bats file: puts the tools under test first on PATH and
# gives the fixtures' location.  Tool-specific helpers (starting the Kafka
# mock, mosquitto, the Elasticsearch double) live in tests/helpers/.

bats_require_minimum_version 1.5.0

# bats sources this file again for every test, and a fork of its shell
# costs a test ~7 ms of CPU: nothing here runs a subshell.
sw_abspath() { # sets REPLY to $1 made absolute, without "." and ".."
	local p out=() IFS=/
	[[ $1 == /* ]] || set -- "$PWD/$1"
	set -f
	for p in $1; do
		case $p in
		'' | .) ;;
		..) [ ${#out[@]} -eq 0 ] || unset 'out[-1]' ;;
		*) out+=("$p") ;;
		esac
	done
	set +f
	printf -v REPLY '/%s' "${out[@]}"
}
sw_abspath "${BASH_SOURCE[0]%/*}"
TESTS_DIR=$REPLY
ROOT=${TESTS_DIR%/*}
SW_BIN="${SW_BIN:-$ROOT/bin}"
case $SW_BIN in /*) ;; *) SW_BIN="$ROOT/$SW_BIN" ;; esac
PATH="$SW_BIN:$PATH"
FIXTURES="$TESTS_DIR/fixtures"
DATA="$FIXTURES/data"
export PATH SW_BIN ROOT FIXTURES DATA

# Sanitizer builds must fail loudly, never just print.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:exitcode=86:abort_on_error=0}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$TESTS_DIR/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=87}"

# python3 is Debian's, where the packages the tests use live
# (python3-avro, python3-prometheus-client), as the helpers' #! lines say:
# a version manager's shim earlier on PATH may lack them, and costs half a
# CPU-second a call.
if [ -x /usr/bin/python3 ]; then
	python3() { /usr/bin/python3 "$@"; }
	export -f python3
fi

# A TCP port on loopback that nothing listens on now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Fails the test with the output shown when $status is not the expected one.
assert_status() {
	if [ "$status" -ne "$1" ]; then
		echo "expected status $1, got $status; output:" >&2
		printf '%s\n' "$output" >&2
		return 1
	fi
}

# Compares $output with the expected text given as the argument or on stdin.
assert_output() {
	local want
	if [ $# -gt 0 ]; then want=$1; else want=$(cat); fi
	if [ "$output" != "$want" ]; then
		diff <(printf '%s\n' "$want") <(printf '%s\n' "$output") >&2
		return 1
	fi
}

# Starts "$@" (a tool run with --state or --checkpoint) in the background
# on an open, idle standard input and waits until it holds lock file $1
# (the file names its pid), so that a second run can be tried while it
# runs.  stop_lock_holder ends it.
start_lock_holder() {
	local lock=$1 in
	shift
	in=$(mktemp -u "$BATS_TEST_TMPDIR/holder.XXXXXX")
	mkfifo "$in"
	"$@" <"$in" >/dev/null 2>&1 &
	LOCK_PID=$!
	exec {LOCK_FD}>"$in"
	for _ in $(seq 400); do
		[ "$(cat "$lock" 2>/dev/null)" = "$LOCK_PID" ] && return 0
		sleep 0.05
	done
	echo "no lock in $lock" >&2
	stop_lock_holder
	return 1
}

stop_lock_holder() {
	exec {LOCK_FD}>&-
	kill -TERM "$LOCK_PID" 2>/dev/null || true
	wait "$LOCK_PID" || true
}
