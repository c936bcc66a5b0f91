#!/usr/bin/env bats
# sw-kafka-mock: the mock cluster every Kafka test uses.

load test_helper
load helpers/kafka

teardown() {
	kafka_stop
}

@test "sw-kafka-mock: prints the bootstrap address first and creates the topics" {
	kafka_start --topic web:3 --topic solo
	[[ $KAFKA_BROKERS =~ ^127\.0\.0\.1:[0-9]+$ ]]
	run kcat -b "$KAFKA_BROKERS" -L -t web
	assert_status 0
	[[ $output == *'topic "web" with 3 partitions:'* ]]
	run kcat -b "$KAFKA_BROKERS" -L -t solo
	[[ $output == *'topic "solo" with 1 partitions:'* ]]
}

@test "sw-kafka-mock: --brokers N gives N brokers" {
	kafka_start --brokers 3 --topic t:6
	[[ $KAFKA_BROKERS =~ ^127\.0\.0\.1:[0-9]+(,127\.0\.0\.1:[0-9]+){2}$ ]]
	run kcat -b "$KAFKA_BROKERS" -L -t t
	[[ $output == *" 3 brokers:"* ]]
}

@test "sw-kafka-mock: messages go through, and groups work across processes" {
	kafka_start --topic web:2
	seq 1 10 | kcat -P -b "$KAFKA_BROKERS" -t web
	run bash -c "kcat -C -b '$KAFKA_BROKERS' -t web -e -q | sort -n"
	assert_output "$(seq 1 10)"
}

@test "sw-kafka-mock: commands on stdin answer ok or error" {
	kafka_start --brokers 2 --topic web:2
	run kafka_cmd "topic made:5"
	assert_output ok
	run kcat -b "$KAFKA_BROKERS" -L -t made
	[[ $output == *'topic "made" with 5 partitions:'* ]]
	run kafka_cmd "broker 2 rtt 10"
	assert_output ok
	run kafka_cmd "leader web 0 2"
	assert_output ok
	run kafka_cmd "error Produce NOT_LEADER_FOR_PARTITION 6"
	assert_output ok
	run kafka_cmd "topic-error web UNKNOWN_TOPIC_OR_PART"
	assert_output ok
	run kafka_cmd "broker 9 sideways"
	assert_output "error: broker: unknown command or bad arguments"
	run kafka_cmd "error NoSuchApi 1"
	assert_output "error: NoSuchApi: unknown API"
	run kafka_cmd "error Fetch NO_SUCH_ERROR"
	assert_output "error: NO_SUCH_ERROR: unknown error"
}

@test "sw-kafka-mock: a broker taken down refuses clients until it is up again" {
	kafka_start --topic web:1
	kafka_cmd "broker 1 down"
	run timeout 20 kcat -b "$KAFKA_BROKERS" -L -m 2
	[ "$status" -ne 0 ]
	kafka_cmd "broker 1 up"
	run timeout 20 kcat -b "$KAFKA_BROKERS" -L -m 5
	assert_status 0
}

@test "sw-kafka-mock: ends when stdin closes, and on SIGTERM, with status 0" {
	run timeout 20 bash -c 'sleep 1 | sw-kafka-mock --topic x:1'
	assert_status 0
	[[ ${lines[0]} =~ ^127\.0\.0\.1:[0-9]+$ ]]
	sw-kafka-mock </dev/null >"$BATS_TEST_TMPDIR/out" 3>&- &
	pid=$!
	wait_for 20 test -s "$BATS_TEST_TMPDIR/out"
	kill -0 "$pid"
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	assert_status 0
}

@test "sw-kafka-mock: usage errors exit 64; --help states the 5 MB limit" {
	for args in "--bogus" "--brokers 0" "--brokers x" "--topic :3" "--topic t:0" "extra"; do
		run sw-kafka-mock $args </dev/null
		[ "$status" -eq 64 ] || { echo "args: $args -> $status: $output"; return 1; }
		[[ ${lines[-1]} == "Try 'sw-kafka-mock --help'." ]]
	done
	run sw-kafka-mock --help
	assert_status 0
	[[ $output == *"about the newest 5 MB"* ]]
	run sw-kafka-mock --version
	[[ ${lines[0]} == "sw-kafka-mock "* ]] && [[ ${lines[1]} == "librdkafka "* ]]
}

@test "sw-kafka-mock: --help, man page and completions name every flag" {
	run sw-kafka-mock --help
	for f in $(grep -oE -- '^ +(-[a-zA-Z], )?--[a-z][a-z-]+' <<<"$output" | grep -oE -- '--[a-z-]+'); do
		grep -qF -- "${f//-/\\-}" "$ROOT/man/sw-kafka-mock.1" || { echo "man lacks $f"; return 1; }
		grep -q -- "$f" "$ROOT/completions/bash/sw-kafka-mock" || { echo "bash lacks $f"; return 1; }
		grep -q -- "$f" "$ROOT/completions/zsh/_sw-kafka-mock" || { echo "zsh lacks $f"; return 1; }
	done
}
