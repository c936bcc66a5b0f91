# Helpers for tests/80-sw-files.bats: a watched directory per test, files
# with given modification times, and a following sw-files in the
# background that teardown always stops.

# put NAME TIME LINE...: writes the lines (each with '\n') to $D/NAME and
# sets its modification time (anything touch -d reads).
put() {
	local name=$1 time=$2
	shift 2
	printf '%s\n' "$@" >"$D/$name"
	touch -d "$time" "$D/$name"
}

# wait_lines FILE N: waits (at most 20 s) until FILE has at least N lines.
wait_lines() {
	local i
	for ((i = 0; i < 400; i++)); do
		[ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.05
	done
	echo "timed out waiting for $2 lines in $1; it has:" >&2
	cat "$1" >&2
	return 1
}

# wait_file FILE: waits (at most 20 s) until FILE exists.
wait_file() {
	local i
	for ((i = 0; i < 400; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	echo "timed out waiting for $1" >&2
	return 1
}

# start_follow ARGS...: sw-files --follow in the background, stdout in
# $OUT, stderr in $ERR.  It sets its inotify watch before its first scan,
# so nothing written after this returns can be missed.
start_follow() {
	sw-files --follow "$@" >"$OUT" 2>"$ERR" &
	FOLLOW_PID=$!
}

# stop_follow: SIGTERM, then waits (at most 20 s) for the exit; its status
# is in $status.
stop_follow() {
	local i
	kill -TERM "$FOLLOW_PID"
	for ((i = 0; i < 400; i++)); do
		kill -0 "$FOLLOW_PID" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$FOLLOW_PID" 2>/dev/null; then
		kill -KILL "$FOLLOW_PID"
		echo "sw-files did not stop on SIGTERM" >&2
	fi
	status=0
	wait "$FOLLOW_PID" || status=$?
	FOLLOW_PID=
}

files_setup() {
	D="$BATS_TEST_TMPDIR/in"
	OUT="$BATS_TEST_TMPDIR/out"
	ERR="$BATS_TEST_TMPDIR/err"
	ST="$BATS_TEST_TMPDIR/state"
	mkdir -p "$D"
	FOLLOW_PID=
}

files_teardown() {
	if [ -n "${FOLLOW_PID:-}" ]; then
		kill -KILL "$FOLLOW_PID" 2>/dev/null || true
		wait "$FOLLOW_PID" 2>/dev/null || true
	fi
}
