# Kafka for tests: sw-kafka-mock on loopback, one per test or one per file.
#
#   kafka_start [--brokers N] [--topic NAME[:PARTITIONS]]...
#       starts the mock cluster; sets KAFKA_BROKERS (bootstrap address) and
#       exports it, plus KAFKA_MOCK_PID.  Fails when the cluster does not
#       come up within 20 s.
#   kafka_cmd COMMAND...
#       sends one control command ("broker 1 down", "topic t:4", see
#       sw-kafka-mock --help) and prints the reply; fails unless it is "ok".
#   kafka_stop
#       stops the cluster (SIGTERM) and fails when it did not exit cleanly
#       (a sanitizer report, for instance).
#
# One cluster per file: a mock costs a sizeable part of a short test's CPU
# time (librdkafka starts a client and its threads for it), so a file whose
# tests keep apart (topics and groups of their own, no cluster-wide fault)
# calls kafka_file_start ARGS in setup_file and kafka_file_stop in
# teardown_file.  A test may still start a cluster of its own with
# kafka_start; kafka_stop (in teardown) stops that one and leaves the
# file's alone.  Control commands to a cluster its tests share may answer
# each other's (the replies carry no name): only a test with a cluster of
# its own sends them.
#
# KAFKA_GROUP_OPTS: give these to group consumers (-G).  The mock holds a
# rebalance, even the rejoin after the last member left, for the members'
# session.timeout.ms minus 1 s, so short sessions keep tests fast; but it
# holds a new group's first join for 3 s and counts that against the
# session too: a session of 3 s or less never gets a member through it.
# 4 s leaves a second between the two.

KAFKA_GROUP_OPTS="-X session.timeout.ms=4000 -X heartbeat.interval.ms=500"

kafka_start() {
	local i
	KAFKA_DIR=$(mktemp -d "${BATS_TEST_TMPDIR:-${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}}/kafka.XXXXXX")
	mkfifo "$KAFKA_DIR/ctl"
	exec {KAFKA_CTL_FD}<>"$KAFKA_DIR/ctl"
	sw-kafka-mock "$@" <"$KAFKA_DIR/ctl" >"$KAFKA_DIR/out" \
		2>"$KAFKA_DIR/err" 3>&- &
	KAFKA_MOCK_PID=$!
	for ((i = 0; i < 200; i++)); do
		kafka_replies
		KAFKA_BROKERS=${KAFKA_REPLIES[0]:-}
		case $KAFKA_BROKERS in *:*)
			export KAFKA_BROKERS KAFKA_MOCK_PID KAFKA_DIR
			return 0 ;;
		esac
		if ! kill -0 "$KAFKA_MOCK_PID" 2>/dev/null; then
			break
		fi
		sleep 0.05
	done
	echo "sw-kafka-mock did not start:" >&2
	cat "$KAFKA_DIR/err" >&2
	return 1
}

# The whole lines of the mock's stdout so far (the bootstrap address, then
# the replies) go to KAFKA_REPLIES, read without a process.
kafka_replies() {
	local n
	KAFKA_REPLIES=()
	[ -f "$KAFKA_DIR/out" ] || return 0
	mapfile KAFKA_REPLIES <"$KAFKA_DIR/out"
	n=${#KAFKA_REPLIES[@]}
	[[ $n -eq 0 || ${KAFKA_REPLIES[n - 1]} == *$'\n' ]] ||
		unset 'KAFKA_REPLIES[n - 1]'
	KAFKA_REPLIES=("${KAFKA_REPLIES[@]%$'\n'}")
}

kafka_cmd() {
	local i n
	kafka_replies
	n=${#KAFKA_REPLIES[@]}
	echo "$*" >"$KAFKA_DIR/ctl"
	for ((i = 0; i < 400; i++)); do
		kafka_replies
		if [ "${#KAFKA_REPLIES[@]}" -gt "$n" ]; then
			echo "${KAFKA_REPLIES[n]}"
			[ "${KAFKA_REPLIES[n]}" = ok ]
			return
		fi
		sleep 0.05
	done
	echo "sw-kafka-mock: no reply to: $*" >&2
	return 1
}

kafka_stop() {
	local rc=0
	[ -n "${KAFKA_MOCK_PID:-}" ] || return 0
	[ "$KAFKA_MOCK_PID" != "${KAFKA_FILE_MOCK_PID:-}" ] || return 0
	kill -TERM "$KAFKA_MOCK_PID" 2>/dev/null
	wait "$KAFKA_MOCK_PID" || rc=$?
	exec {KAFKA_CTL_FD}>&-
	if [ "$rc" -ne 0 ]; then
		echo "sw-kafka-mock exited with status $rc:" >&2
		cat "$KAFKA_DIR/err" >&2
	fi
	rm -rf "$KAFKA_DIR"
	unset KAFKA_MOCK_PID KAFKA_BROKERS KAFKA_DIR
	return "$rc"
}

# kafka_file_start ARGS...: kafka_start ARGS for every test of the file (in
# setup_file).
kafka_file_start() {
	kafka_start "$@" || return
	KAFKA_FILE_MOCK_PID=$KAFKA_MOCK_PID
	export KAFKA_FILE_MOCK_PID
}

# kafka_file_stop: kafka_stop for the file's cluster (in teardown_file).
kafka_file_stop() {
	unset KAFKA_FILE_MOCK_PID
	kafka_stop
}

# wait_for SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds;
# fails after SECONDS.
wait_for() {
	local limit=$(($1 * 10)) i
	shift
	for ((i = 0; i < limit; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	echo "timed out waiting for: $*" >&2
	return 1
}

# lines_at_least FILE N: FILE has N lines or more (read without a
# process: this runs every tenth of a second).
lines_at_least() {
	local lines n
	[ -f "$1" ] || return
	mapfile lines <"$1"
	n=${#lines[@]}
	[[ $n -eq 0 || ${lines[n - 1]} == *$'\n' ]] || ((n--))
	[ "$n" -ge "$2" ]
}

# by_offset: sorts envelopes by topic, partition and offset.
by_offset() {
	jq -c -s 'sort_by(.topic, .partition, .offset)[]'
}
