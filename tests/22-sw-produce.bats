#!/usr/bin/env bats
# sw-produce against sw-kafka-mock, with kcat as the independent peer.

load test_helper
load helpers/kafka

K=$FIXTURES/kafka

# One cluster for the file; each test has topics of its own (web-N:2,
# one-N:1, copy-N:2 for test N; keys:7 and keys2:7 for the murmur2 test).
# A test that injects a fault affecting the whole cluster starts a cluster
# of its own.
setup_file() {
	local n tests=() topics=(--topic keys:7 --topic keys2:7)
	mapfile -t tests < <(grep '^@test' "$BATS_TEST_FILENAME")
	for ((n = 1; n <= ${#tests[@]}; n++)); do
		topics+=(--topic "web-$n:2" --topic "one-$n:1" --topic "copy-$n:2")
	done
	kafka_file_start "${topics[@]}"
}

teardown_file() {
	kafka_file_stop
}

setup() {
	WEB=web-$BATS_TEST_NUMBER
	ONE=one-$BATS_TEST_NUMBER
	COPY=copy-$BATS_TEST_NUMBER
	B=$KAFKA_BROKERS
	TMP=$BATS_TEST_TMPDIR
}

# own_cluster: a cluster for this test alone, with its topic one.
own_cluster() {
	kafka_start --topic "$ONE:1"
	B=$KAFKA_BROKERS
}

teardown() {
	kafka_stop
}

@test "sw-produce: each line one message, compact JSON, read identically by kcat" {
	printf '{ "a" : 1 ,"b":[1, 2]}\n\n"text"\r\n42\n' >"$TMP/in"
	run sw-produce -b "$B" -t $ONE "$TMP/in"
	assert_status 0
	assert_output ''
	run kcat -C -b "$B" -t $ONE -e -q -f '%s\n'
	assert_output <<'OUT'
{"a":1,"b":[1,2]}
"text"
42
OUT
}

@test "sw-produce: -k PATH, -H and -p as kcat sees them" {
	head -4 "$DATA/web-actions.ndjson" >"$TMP/in"
	run sw-produce -b "$B" -t $WEB -k .name -H src=test -H 'x=a b' -p 1 "$TMP/in"
	assert_status 0
	run kcat -C -b "$B" -t $WEB -p 1 -e -q -f '%k|%h|%s\n'
	[ "${#lines[@]}" -eq 4 ]
	[ "${lines[0]}" = "yuki_0|src=test,x=a b|$(head -1 "$TMP/in")" ]
	run kcat -C -b "$B" -t $WEB -p 0 -e -q
	assert_output ''
}

@test "sw-produce: a key from a jq program and a number key" {
	echo '{"id":7,"u":{"n":"ab"}}' | sw-produce -b "$B" -t $ONE -k '.u.n + "-x"'
	echo '{"id":7,"u":{"n":"ab"}}' | sw-produce -b "$B" -t $ONE -k .id
	echo '{"id":7}' | sw-produce -b "$B" -t $ONE -k .missing
	run kcat -C -b "$B" -t $ONE -e -q -f '%k|%K\n'
	assert_output <<'OUT'
ab-x|4
7|1
|-1
OUT
}

@test "sw-produce: --envelope round trip: sw-consume | sw-produce --envelope -t $COPY" {
	sw-produce -b "$B" --envelope -t $WEB <"$K/envelopes.ndjson"
	run bash -c "sw-consume -b '$B' -t $WEB -e | sw-produce -b '$B' --envelope -t $COPY"
	assert_status 0
	run bash -c "sw-consume -b '$B' -t $COPY -e | jq -c -s 'sort_by(.partition, .offset)[] | .topic = \"web\"'"
	assert_output <"$K/web.expected"
}

@test "sw-produce: --envelope without -t uses each record's topic" {
	printf '%s\n' "{\"topic\":\"$ONE\",\"value\":1}" "{\"topic\":\"$WEB\",\"partition\":1,\"value\":2}" |
		sw-produce -b "$B" --envelope
	run kcat -C -b "$B" -t $ONE -e -q
	assert_output 1
	run kcat -C -b "$B" -t $WEB -p 1 -e -q
	assert_output 2
}

@test "sw-produce: batched and single messages keep their order; a refused one is named by its line" {
	# Messages without headers go out in batches, those with headers one
	# by one; partition 3 does not exist on topic one.
	for i in $(seq 1 600); do
		if [ $((i % 97)) = 0 ]; then
			echo "{\"headers\":[{\"key\":\"h\",\"value\":\"$i\"}],\"value\":$i}"
		elif [ "$i" = 450 ]; then
			echo "{\"partition\":3,\"value\":$i}"
		else
			echo "{\"value\":$i}"
		fi
	done >"$TMP/in"
	# --timeout: the refused message fails when it runs out (plus the
	# drain's grace), not after the default 30 s.
	run sw-produce -b "$B" -t $ONE --envelope --timeout 5s "$TMP/in"
	assert_status 75
	assert_output <<OUT
sw-produce: message not delivered: $TMP/in:450: Local: Unknown partition
sw-produce: 1 of 600 messages not delivered (first error: $TMP/in:450: Local: Unknown partition)
OUT
	run kcat -C -b "$B" -t $ONE -e -q
	assert_output "$(seq 1 600 | grep -vx 450)"
	run kcat -C -b "$B" -t $ONE -e -q -f '%h %s\n' -o 96 -c 1
	assert_output 'h=97 97'
}

@test "sw-produce: a quiet input does not hold back what was read before" {
	# What kcat finds on the topic while the input is quiet becomes
	# input too: "1" twice when the first message was not held back.
	run bash -c "{ echo 1; sleep 2; kcat -C -b '$B' -t $ONE -e -q; echo 2; } |
		sw-produce -b '$B' -t $ONE"
	assert_status 0
	run kcat -C -b "$B" -t $ONE -e -q
	assert_output "$(printf '1\n1\n2')"
}

@test "sw-produce: --value-format string and base64 send the bytes" {
	printf '"line one"\n"caf\\u00e9"\n' | sw-produce -b "$B" -t $ONE --value-format string
	printf '"%s"\n' "$(printf '\377\000\001' | base64)" | sw-produce -b "$B" -t $ONE --value-format base64
	run bash -c "kcat -C -b '$B' -t $ONE -e -q -c 2"
	assert_output "$(printf 'line one\ncafé')"
	run bash -c "kcat -C -b '$B' -t $ONE -o 2 -e -q -f '%s' | od -An -tx1 | tr -d ' '"
	assert_output 'ff0001'
	run sw-produce -b "$B" -t $ONE -R --value-format string <<<'raw log line'
	assert_status 0
	run kcat -C -b "$B" -t $ONE -o 3 -e -q
	assert_output 'raw log line'
}

@test "sw-produce: every -z codec is readable by kcat" {
	for z in none gzip snappy lz4 zstd; do
		echo "{\"codec\":\"$z\"}" | sw-produce -b "$B" -t $ONE -z "$z" || return 1
	done
	run kcat -C -b "$B" -t $ONE -e -q
	assert_output <<'OUT'
{"codec":"none"}
{"codec":"gzip"}
{"codec":"snappy"}
{"codec":"lz4"}
{"codec":"zstd"}
OUT
}

@test "sw-produce: --report writes each acknowledged message's envelope" {
	printf '{"n":1}\n{"n":2}\n{"n":3}\n' | sw-produce -b "$B" -t $ONE >/dev/null
	run bash -c "printf '{\"n\":4}\n{\"n\":5}\n' | sw-produce -b '$B' -t $WEB -p 1 -k .n --report -H h=v | jq -c '[.topic, .partition, .offset, .key, .headers, .value]'"
	assert_status 0
	assert_output <<OUT
["$WEB",1,0,"4",[{"key":"h","value":"v"}],{"n":4}]
["$WEB",1,1,"5",[{"key":"h","value":"v"}],{"n":5}]
OUT
}

@test "sw-produce: --stats counts produced and acknowledged messages" {
	run bash -c "seq 1 25 | sw-produce -b '$B' -t $WEB --stats 2>&1 >/dev/null | jq -c '[.records_in, .produced, .acked, .failed]'"
	assert_output '[25,25,25,0]'
}

@test "sw-produce: a message that is not acknowledged exits 75 with a count" {
	run bash -c "seq 1 3 | sw-produce -b '$B' -t $ONE -p 5 --timeout 3s"
	assert_status 75
	[[ ${lines[-1]} == "sw-produce: 3 of 3 messages not delivered (first error: "* ]]
}

@test "sw-produce: messages the broker rejects exit 75 with a count" {
	own_cluster
	kafka_cmd "error Produce INVALID_RECORD INVALID_RECORD INVALID_RECORD"
	run bash -c "seq 1 3 | sw-produce -b '$B' -t $ONE --timeout 5s"
	assert_status 75
	assert_output <<'OUT'
sw-produce: message not delivered: Broker: Broker failed to validate record
sw-produce: message not delivered: Broker: Broker failed to validate record
sw-produce: message not delivered: Broker: Broker failed to validate record
sw-produce: 3 of 3 messages not delivered (first error: Broker: Broker failed to validate record)
OUT
	run kcat -C -b "$B" -t $ONE -e -q
	assert_output ''
}

@test "sw-produce: idempotent by default (needs a producer id), unless -X says otherwise" {
	own_cluster
	kafka_cmd "error InitProducerId CLUSTER_AUTHORIZATION_FAILED"
	run bash -c "echo 1 | sw-produce -b '$B' -t $ONE --timeout 5s"
	assert_status 75
	[[ $output == *"sw-produce: fatal: Failed to acquire idempotence PID"* ]]
	[[ ${lines[-1]} == "sw-produce: 1 of 1 messages not delivered"* ]]
	kafka_cmd "error InitProducerId CLUSTER_AUTHORIZATION_FAILED"
	run bash -c "echo 2 | sw-produce -b '$B' -t $ONE --timeout 5s -X enable.idempotence=false"
	assert_status 0
	run kcat -C -b "$B" -t $ONE -e -q
	assert_output 2
}

@test "sw-produce: a broker that is down exits 69 within --timeout" {
	own_cluster
	kafka_cmd "broker 1 down"
	run timeout 60 bash -c "echo 1 | sw-produce -b '$B' -t $ONE --timeout 2s"
	assert_status 69
	[[ $output == "sw-produce: cannot reach Kafka at $B within 2000ms: "* ]]
	kafka_cmd "broker 1 up"
}

@test "sw-produce: unreachable broker exits 69 within --timeout" {
	port=$(free_port)
	run timeout 30 bash -c "echo 1 | sw-produce -b 127.0.0.1:$port -t $ONE --timeout 1s"
	assert_status 69
	assert_output "sw-produce: cannot reach Kafka at 127.0.0.1:$port within 1000ms: Local: Broker transport failure"
}

@test "sw-produce: bad input exits 65 after delivering the records before it" {
	printf '{"n":1}\n{"n":2}\nnope\n{"n":3}\n' >"$TMP/in"
	run sw-produce -b "$B" -t $ONE "$TMP/in"
	assert_status 65
	[[ $output == "sw-produce: $TMP/in:3: invalid JSON"* ]]
	run kcat -C -b "$B" -t $ONE -e -q
	assert_output "$(printf '{"n":1}\n{"n":2}')"
	# The run ends on its normal path: the delivery reports of the
	# records before it come out too.
	run --separate-stderr sw-produce -b "$B" -t $COPY -p 0 --report "$TMP/in"
	assert_status 65
	[ "$(jq -c .value <<<"$output")" = "$(printf '{"n":1}\n{"n":2}')" ]
	run sw-produce -b "$B" -t $ONE --on-error skip "$TMP/in"
	assert_status 0
	run bash -c "echo '{\"value\":1}' | sw-produce -b '$B' --envelope"
	assert_status 65
	[[ $output == *"no topic: the envelope has none and -t is not given"* ]]
	run bash -c "echo '{\"partition\":\"x\",\"value\":1}' | sw-produce -b '$B' --envelope -t $ONE"
	assert_status 65
	[[ $output == *"partition: expected a non-negative integer"* ]]
}

@test "sw-produce: --report to a full disk exits 74; unreadable input exits 74" {
	run bash -c "echo 1 | sw-produce -b '$B' -t $ONE --report >/dev/full"
	assert_status 74
	run sw-produce -b "$B" -t $ONE "$TMP/does-not-exist"
	assert_status 74
}

@test "sw-produce: usage errors exit 64" {
	for args in "--bogus" "" "-t $ONE -z brotli" "-t $ONE -p x" "-t $ONE --value-format avro" \
		"-t $ONE -H novalue" "-t $ONE -k .[" "-t $ONE --timeout 0s" "-t $ONE -X nope=1"; do
		run sw-produce -b "$B" $args </dev/null
		[ "$status" -eq 64 ] || { echo "args: $args -> $status: $output"; return 1; }
		[[ ${lines[-1]} == "Try 'sw-produce --help'." ]]
	done
}

@test "sw-produce: --version names librdkafka" {
	run sw-produce --version
	[[ ${lines[1]} == "librdkafka "* ]]
}

@test "sw-produce: a record over message.max.bytes (1048588, Kafka's broker default) is bad input, 65" {
	python3 -c 'import json; print(json.dumps("x" * 1048000)); print(json.dumps("y" * 1048550)); print(json.dumps("z" * 1048551)); print(1)' >"$TMP/in"
	run sw-produce -b "$B" -t $ONE "$TMP/in"
	assert_status 65
	assert_output "sw-produce: $TMP/in:3: message of 1048553 bytes (key and value) is over the local limit of 1048588 (message.max.bytes, with 36 bytes of framing); raise it with -X message.max.bytes=N, within the broker's own limit"
	# what came before it is delivered
	[ "$(kcat -C -b "$B" -t $ONE -e -q -f '%S\n' | tr '\n' ' ')" = '1048002 1048552 ' ]
	# the section 1 policy: skip and dead-letter it, go on
	run sw-produce -b "$B" -t $ONE --dead-letter "$TMP/dl" "$TMP/in"
	assert_status 0
	jq -e -s 'length == 1 and .[0].line == 3 and (.[0].error | test("message.max.bytes"))' "$TMP/dl" >/dev/null
	# a header can make a message too big too (messages with headers go
	# out one by one)
	run sw-produce -b "$B" -t $ONE -H h=1234567890 "$TMP/in"
	assert_status 65
	[[ $output == *"$TMP/in:2: message of 1048552 bytes"* ]]
	# -X raises the limit
	run sw-produce -b "$B" -t $ONE -X message.max.bytes=1100000 "$TMP/in"
	assert_status 0
}

@test "sw-produce: -k partitions as Java and kafkajs do (murmur2), agreeing with a kafkajs producer" {
	load helpers/npm
	npm_peers kafkajs
	for i in $(seq 1 40); do echo "{\"k\":\"user-$i\",\"i\":$i}"; done >"$TMP/in"
	echo '{"k":"","i":0}' >>"$TMP/in"
	echo '{"k":"ключ-ü","i":-1}' >>"$TMP/in"
	run sw-produce -b "$B" -t keys -k .k "$TMP/in"
	assert_status 0
	# the same keys through kafkajs's default partitioner
	node -e '
		const { Kafka, logLevel } = require("kafkajs");
		const lines = require("fs").readFileSync(process.argv[2], "utf8").trim().split("\n");
		const kafka = new Kafka({ brokers: process.argv[1].split(","), logLevel: logLevel.NOTHING });
		(async () => {
			const p = kafka.producer();
			await p.connect();
			await p.send({ topic: "keys2", messages: lines.map((l) => ({ key: JSON.parse(l).k, value: l })) });
			await p.disconnect();
		})().catch((e) => { console.error(e); process.exit(1); });
	' "$B" "$TMP/in"
	kcat -C -b "$B" -t keys -e -q -f '%k %p\n' | sort >"$TMP/sw"
	kcat -C -b "$B" -t keys2 -e -q -f '%k %p\n' | sort >"$TMP/kjs"
	[ "$(wc -l <"$TMP/sw")" -eq 42 ]
	diff "$TMP/sw" "$TMP/kjs"
	# the keys spread: a partitioner that sent all to one would agree too
	[ "$(cut -d' ' -f2 "$TMP/sw" | sort -u | wc -l)" -ge 5 ]
	# librdkafka's old default (CRC32) stays available
	run sw-produce -b "$B" -t keys -k .k -X partitioner=consistent_random -p 0 "$TMP/in"
	assert_status 0
}
