# Kafka for tests: sw-kafka-mock on loopback, one per test (or per file).
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
# KAFKA_GROUP_OPTS: give these to group consumers (-G).  The mock holds a
# rebalance, even the rejoin after the last member left, for the members'
# session.timeout.ms minus 1 s; short sessions keep tests fast.
#
# The mock's stdin is a FIFO this shell keeps open, so it runs until
# kafka_stop; stdout and stderr go to files in $KAFKA_DIR.

KAFKA_GROUP_OPTS="-X session.timeout.ms=6000 -X heartbeat.interval.ms=500"

kafka_start() {
	local i
	KAFKA_DIR=$(mktemp -d "${BATS_TEST_TMPDIR:-${TMPDIR:-/tmp}}/kafka.XXXXXX")
	mkfifo "$KAFKA_DIR/ctl"
	exec {KAFKA_CTL_FD}<>"$KAFKA_DIR/ctl"
	sw-kafka-mock "$@" <"$KAFKA_DIR/ctl" >"$KAFKA_DIR/out" \
		2>"$KAFKA_DIR/err" 3>&- &
	KAFKA_MOCK_PID=$!
	for ((i = 0; i < 200; i++)); do
		if [ -s "$KAFKA_DIR/out" ]; then
			KAFKA_BROKERS=$(head -n 1 "$KAFKA_DIR/out")
			case $KAFKA_BROKERS in *:*)
				export KAFKA_BROKERS KAFKA_MOCK_PID KAFKA_DIR
				return 0 ;;
			esac
		fi
		if ! kill -0 "$KAFKA_MOCK_PID" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	echo "sw-kafka-mock did not start:" >&2
	cat "$KAFKA_DIR/err" >&2
	return 1
}

kafka_cmd() {
	local i reply n
	n=$(($(wc -l <"$KAFKA_DIR/out") + 1))
	echo "$*" >&"$KAFKA_CTL_FD"
	for ((i = 0; i < 200; i++)); do
		if [ "$(wc -l <"$KAFKA_DIR/out")" -ge "$n" ]; then
			reply=$(sed -n "${n}p" "$KAFKA_DIR/out")
			echo "$reply"
			[ "$reply" = ok ]
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

# lines_at_least FILE N: FILE has N lines or more.
lines_at_least() {
	[ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]
}

# by_offset: sorts envelopes by topic, partition and offset.
by_offset() {
	jq -c -s 'sort_by(.topic, .partition, .offset)[]'
}
