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

# kafkajs_join GROUP: a kafkajs consumer joins GROUP on topic t; prints
# what ended it: the error type of a crash, or JOINED.
kafkajs_join() {
	node -e '
		const { Kafka, logLevel } = require("kafkajs");
		const kafka = new Kafka({ brokers: process.argv[1].split(","), logLevel: logLevel.NOTHING });
		const c = kafka.consumer({ groupId: process.argv[2], sessionTimeout: 6000,
			heartbeatInterval: 500, retry: { retries: 1 } });
		c.on(c.events.CRASH, (e) => { console.log(e.payload.error.type || e.payload.error.name); process.exit(0); });
		c.on(c.events.GROUP_JOIN, async () => { console.log("JOINED"); await c.disconnect(); process.exit(0); });
		(async () => {
			await c.connect();
			await c.subscribe({ topic: "t" });
			await c.run({ eachMessage: async () => {} });
		})().catch((e) => { console.log(e.type || e.name); process.exit(0); });
	' "$KAFKA_BROKERS" "$1"
}

@test "sw-kafka-mock: a member whose assignor differs from its group's is refused, and the cluster lives" {
	load helpers/npm
	npm_peers kafkajs
	local T=$BATS_TEST_TMPDIR p1 p2
	kafka_start --topic t:2
	# shellcheck disable=SC2086
	sw-consume -b "$KAFKA_BROKERS" -G g $KAFKA_GROUP_OPTS \
		-X partition.assignment.strategy=range t >"$T/c1" 2>"$T/e1" &
	p1=$!
	echo 1 | sw-produce -b "$KAFKA_BROKERS" -t t
	wait_for 30 lines_at_least "$T/c1" 1
	# librdkafka's mock (2.0.2) aborted here: roundrobin first, beside range
	# shellcheck disable=SC2086
	sw-consume -b "$KAFKA_BROKERS" -G g $KAFKA_GROUP_OPTS \
		-X partition.assignment.strategy=roundrobin t >"$T/c2" 2>"$T/e2" &
	p2=$!
	wait_for 30 grep -q 'JoinGroup refused (INCONSISTENT_GROUP_PROTOCOL): group g: a member asks for assignment protocol roundrobin first, the group.s members use range' "$KAFKA_DIR/err"
	# kafkajs's RoundRobinAssigner is refused the same way, as Kafka would
	run timeout 60 bash -c "$(declare -f kafkajs_join); kafkajs_join g"
	assert_output INCONSISTENT_GROUP_PROTOCOL
	kill -0 "$KAFKA_MOCK_PID"
	echo 2 | sw-produce -b "$KAFKA_BROKERS" -t t
	wait_for 30 lines_at_least "$T/c1" 2
	[ ! -s "$T/c2" ]
	# another group, another assignor: served
	run timeout 60 bash -c "$(declare -f kafkajs_join); kafkajs_join other"
	assert_output JOINED
	kill -TERM "$p1" "$p2"
	wait "$p1" "$p2" || true
	! grep -q 'died' "$KAFKA_DIR/err"
}

@test "sw-kafka-mock: a member whose SyncGroup comes after its leader's gets its assignment, and the group stays" {
	local T=$BATS_TEST_TMPDIR c
	kafka_start --topic t:2
	# The leader, sw-consume, joins first (debug=cgrp says when); the
	# member joins in the same generation and syncs only once the leader
	# has its assignment.  librdkafka's mock (2.0.2) answered it
	# INVALID_REQUEST, and the member's rejoin made the group rebalance.
	sw-consume -b "$KAFKA_BROKERS" -G g -X session.timeout.ms=10000 \
		-X heartbeat.interval.ms=500 -X debug=cgrp -v t >/dev/null 2>"$T/log" &
	c=$!
	wait_for 30 grep -q 'Joining group "g"' "$T/log"
	python3 "$BATS_TEST_DIRNAME/helpers/kafka-late-member.py" \
		"$KAFKA_BROKERS" g t "$T/go" >"$T/late" 2>&1 &
	wait_for 30 grep -q 'assigned 1 partition' "$T/log"
	touch "$T/go"
	wait_for 30 lines_at_least "$T/late" 2
	kill -TERM "$c"
	wait "$c" || true
	cat "$T/late"
	[[ $(sed -n 1p "$T/late") =~ ^sync\ 0\ t:[01]$ ]]
	[ "$(sed -n 2p "$T/late")" = "heartbeat 0" ]
	! grep -q 'died' "$KAFKA_DIR/err"
}

@test "sw-kafka-mock: a cluster that dies starts again on the same ports, with its topics" {
	local child
	kafka_start --topic t:3
	kafka_cmd topic made:5
	echo 1 | sw-produce -b "$KAFKA_BROKERS" -t t
	child=$(pgrep -P "$KAFKA_MOCK_PID")
	[ -n "$child" ]
	# what librdkafka's mock does on an assertion
	kill -ABRT "$child"
	wait_for 20 grep -q 'the mock cluster died (Aborted).*started it again on the same ports, empty (restart 1)' "$KAFKA_DIR/err"
	kill -0 "$KAFKA_MOCK_PID"
	[ "$(pgrep -P "$KAFKA_MOCK_PID")" != "$child" ]
	# same address, same topics, no messages
	run sw-consume -b "$KAFKA_BROKERS" -L -t made
	assert_status 0
	[ "${#lines[@]}" -eq 5 ]
	run sw-consume -b "$KAFKA_BROKERS" -L -t t
	[ "$(jq -s -c 'map(.high) | add' <<<"$output")" = 0 ]
	echo 2 | sw-produce -b "$KAFKA_BROKERS" -t t
	run sw-consume -b "$KAFKA_BROKERS" -t t -e --value-only
	assert_output 2
	# commands still answered, the bootstrap line is not printed again
	kafka_cmd topic later:2
	[ "$(grep -c '^127' "$KAFKA_DIR/out")" -eq 1 ]
}

@test "sw-kafka-mock: kafkajs can use metadata, idempotent and transactional producers, groups; not admin requests" {
	load helpers/npm
	npm_peers kafkajs
	kafka_start --topic t:2
	run timeout 120 node -e '
		const { Kafka, logLevel } = require("kafkajs");
		const kafka = new Kafka({ brokers: process.argv[1].split(","), logLevel: logLevel.NOTHING,
			retry: { retries: 1 } });
		const res = [];
		async function check(name, f) {
			try { await f(); res.push(name + " ok"); }
			catch (e) { res.push(name + " " + (e.type || e.name) + ": " + e.message); }
		}
		(async () => {
			const admin = kafka.admin();
			await admin.connect();
			await check("describeCluster", async () => {
				const d = await admin.describeCluster();
				if (d.brokers[0].nodeId !== 1 || d.controller !== 1) throw new Error(JSON.stringify(d));
			});
			await check("fetchTopicMetadata", async () => {
				const m = await admin.fetchTopicMetadata({ topics: ["t"] });
				if (m.topics[0].partitions.length !== 2) throw new Error("partitions");
			});
			await check("fetchTopicOffsets", () => admin.fetchTopicOffsets("t"));
			await check("createTopics", () => admin.createTopics({ topics: [{ topic: "x" }] }));
			await admin.disconnect();
			const p = kafka.producer();
			await p.connect();
			await check("send", () => p.send({ topic: "t", messages: [{ key: "k", value: "\"plain\"" }] }));
			await p.disconnect();
			const ip = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
			await check("idempotent", async () => { await ip.connect();
				await ip.send({ topic: "t", messages: [{ value: "\"idem\"" }] }); });
			await ip.disconnect().catch(() => {});
			const tp = kafka.producer({ transactionalId: "tx", idempotent: true, maxInFlightRequests: 1 });
			await check("transaction", async () => { await tp.connect();
				const tx = await tp.transaction(); await tx.send({ topic: "t", messages: [{ value: "\"tx\"" }] });
				await tx.commit(); });
			await tp.disconnect().catch(() => {});
			console.log(res.join("\n"));
		})().catch((e) => { console.error(e); process.exit(1); });
	' "$KAFKA_BROKERS"
	assert_status 0
	assert_output <<'OUT'
describeCluster ok
fetchTopicMetadata ok
fetchTopicOffsets ok
createTopics KafkaJSServerDoesNotSupportApiKey: The Kafka server does not support the requested API version
send ok
idempotent ok
transaction ok
OUT
	run sw-consume -b "$KAFKA_BROKERS" -t t -e --value-only
	[ "$(sort <<<"$output" | tr '\n' ' ')" = '"idem" "plain" "tx" ' ]
	# kcat sees the controller too
	kcat -b "$KAFKA_BROKERS" -L | grep -q 'broker 1 at .* (controller)'
	# a kafkajs consumer group is served
	run timeout 60 bash -c "$(declare -f kafkajs_join); kafkajs_join kg"
	assert_output JOINED
}
