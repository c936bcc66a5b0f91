#!/usr/bin/env bats
# Kafka against an independent client: kafkajs (pure JavaScript, not
# librdkafka) and sw-consume / sw-produce on the same sw-kafka-mock.
#
# The mock names controller id 0 while its brokers are numbered from 1, so
# kafkajs's admin.createTopics, idempotent producers and transactions fail
# on it (issue 20): topics come from --topic, and the kafkajs producer is
# a plain one.  Partitions are always explicit (the murmur2 partitioner is
# issue 20's too).

load test_helper
load helpers/kafka
load helpers/npm

PEERS=$TESTS_DIR/helpers/peers

setup() {
	npm_peers kafkajs
	kafka_start --topic t:2 --topic one:1 --topic big:1
	B=$KAFKA_BROKERS
	TMP=$BATS_TEST_TMPDIR
}

teardown() {
	kafka_stop
}

# The messages the kafkajs producer sends, in the form kafka-produce.js
# reads (bytes as base64): keys text and binary, null and empty values,
# JSON, bytes that are not UTF-8, headers text, binary, repeated and none.
messages() {
	local ff=$(printf '\377\376\000\201' | base64)
	cat <<-EOF
	{"topic":"t","partition":0,"key":"$(printf user-1 | base64)","value":"$(printf '{"a":1}' | base64)","headers":[{"key":"h","value":"$(printf v | base64)"}],"timestamp":1639277668791}
	{"topic":"t","partition":1,"key":"$ff","value":"$ff","headers":[{"key":"bin","value":"$ff"},{"key":"dup","value":"$(printf 1 | base64)"},{"key":"dup","value":"$(printf 2 | base64)"}],"timestamp":1639277668792}
	{"topic":"t","partition":0,"key":"$(printf gone | base64)","value":null,"headers":[],"timestamp":1639277668793}
	{"topic":"t","partition":1,"key":null,"value":"","headers":[{"key":"empty","value":""}],"timestamp":1639277668794}
	{"topic":"t","partition":0,"key":null,"value":"$(printf '"caf\303\251 \360\237\215\265"' | base64)","headers":[],"timestamp":1}
	{"topic":"one","partition":0,"key":"","value":"$(printf '[1,2,3]' | base64)","headers":[{"key":"\u00e9t\u00e9","value":"$(printf '\303\251' | base64)"}],"timestamp":1639277668795}
	EOF
}

# expected: the envelopes sw-consume must write for messages(), with key,
# value and header values as base64 and the offsets the explicit
# partitions give, in topic, partition and offset order.
expected() {
	messages | jq -c -s '
		group_by(.topic, .partition)
		| map(to_entries | map(.value + {offset: .key})) | flatten[]
		| {topic, partition, offset, timestamp, timestamp_type: "create",
		   key, headers, value}'
}

# as_base64: sw-consume's header values to base64 all, so that they
# compare with expected() (text headers are written as text).
as_base64() {
	jq -c '.headers |= map(if .encoding == "base64" then del(.encoding)
		else .value |= @base64 end)'
}

@test "kafkajs produces, sw-consume -e reads every envelope field (no compression, gzip)" {
	local z
	for z in none gzip; do
		kafka_stop
		kafka_start --topic t:2 --topic one:1
		B=$KAFKA_BROKERS
		messages | node "$PEERS/kafka-produce.js" "$z"
		sw-consume -b "$B" -t t -t one -e --key-format base64 \
			--value-format base64 >"$TMP/out"
		by_offset <"$TMP/out" | as_base64 >"$TMP/got"
		diff <(expected) "$TMP/got"
		[ "$(wc -l <"$TMP/got")" -eq 6 ]
	done
}

@test "kafkajs produces, sw-consume writes the envelope in its default formats" {
	messages | node "$PEERS/kafka-produce.js" none
	run sw-consume -b "$B" -t one -e
	assert_status 0
	assert_output '{"topic":"one","partition":0,"offset":0,"timestamp":1639277668795,"timestamp_type":"create","key":"","headers":[{"key":"été","value":"é"}],"value":[1,2,3]}'
	run sw-consume -b "$B" -t t -p 0 -e --value-format string
	assert_status 0
	assert_output <<-'EOF'
	{"topic":"t","partition":0,"offset":0,"timestamp":1639277668791,"timestamp_type":"create","key":"user-1","headers":[{"key":"h","value":"v"}],"value":"{\"a\":1}"}
	{"topic":"t","partition":0,"offset":1,"timestamp":1639277668793,"timestamp_type":"create","key":"gone","headers":[],"value":null}
	{"topic":"t","partition":0,"offset":2,"timestamp":1,"timestamp_type":"create","key":null,"headers":[],"value":"\"café 🍵\""}
	EOF
	# A binary header is base64 with "encoding", a binary key in the
	# string format is bad input.
	run sw-consume -b "$B" -t t -p 1 -e --key-format base64 --value-format base64
	assert_status 0
	[ "${lines[0]}" = '{"topic":"t","partition":1,"offset":0,"timestamp":1639277668792,"timestamp_type":"create","key":"//4AgQ==","headers":[{"key":"bin","value":"//4AgQ==","encoding":"base64"},{"key":"dup","value":"1"},{"key":"dup","value":"2"}],"value":"//4AgQ=="}' ]
	[ "${lines[1]}" = '{"topic":"t","partition":1,"offset":1,"timestamp":1639277668794,"timestamp_type":"create","key":null,"headers":[{"key":"empty","value":""}],"value":""}' ]
	run sw-consume -b "$B" -t t -p 1 -e --value-format base64
	assert_status 65
}

@test "kafkajs produces 1 MB values, sw-consume reads them byte for byte (no compression, gzip)" {
	local z
	head -c 1048576 /dev/urandom >"$TMP/v1"
	# gzip has something to squeeze: text that repeats.
	yes 'a line of text, again and again' | head -c 1048576 >"$TMP/v2"
	for z in none gzip; do
		kafka_stop
		kafka_start --topic big:1
		B=$KAFKA_BROKERS
		jq -n -c --rawfile a <(base64 -w0 "$TMP/v1") --rawfile b <(base64 -w0 "$TMP/v2") '
			{topic: "big", partition: 0, key: "azE=", value: $a},
			{topic: "big", partition: 0, key: "azI=", value: $b}' |
			node "$PEERS/kafka-produce.js" "$z"
		sw-consume -b "$B" -t big -e --value-format base64 >"$TMP/out"
		[ "$(wc -l <"$TMP/out")" -eq 2 ]
		jq -r 'select(.offset == 0) | .value' "$TMP/out" | base64 -d | cmp - "$TMP/v1"
		jq -r 'select(.offset == 1) | .value' "$TMP/out" | base64 -d | cmp - "$TMP/v2"
		[ "$(jq -r .key "$TMP/out" | paste -sd,)" = k1,k2 ]
	done
}

@test "sw-produce --envelope: kafkajs reads keys, headers, timestamps and partitions exactly" {
	cat >"$TMP/in" <<-'EOF'
	{"topic":"t","partition":1,"key":"user-1","headers":[{"key":"h","value":"v"},{"key":"h","value":"w"}],"timestamp":1639277668791,"value":{"name":"yuki","n":[1,2.5,"x"]}}
	{"topic":"t","partition":0,"key":null,"headers":[],"timestamp":1,"value":"text"}
	{"topic":"t","partition":1,"key":"é","headers":[{"key":"bin","value":"/wA=","encoding":"base64"}],"timestamp":1639277668792,"value":null}
	{"topic":"t","partition":0,"key":"k","headers":[],"timestamp":1639277668793,"value":{}}
	EOF
	run sw-produce -b "$B" --envelope "$TMP/in"
	assert_status 0
	node "$PEERS/kafka-consume.js" g t 4 >"$TMP/out"
	run by_offset <"$TMP/out"
	# kafkajs gives bytes; sw wrote keys as UTF-8 and values as compact JSON.
	assert_output <<-EOF
	{"topic":"t","partition":0,"offset":0,"timestamp":1,"key":null,"value":"$(printf '"text"' | base64)","headers":[]}
	{"topic":"t","partition":0,"offset":1,"timestamp":1639277668793,"key":"$(printf k | base64)","value":"$(printf '{}' | base64)","headers":[]}
	{"topic":"t","partition":1,"offset":0,"timestamp":1639277668791,"key":"$(printf user-1 | base64)","value":"$(printf '{"name":"yuki","n":[1,2.5,"x"]}' | base64)","headers":[{"key":"h","value":"$(printf v | base64)"},{"key":"h","value":"$(printf w | base64)"}]}
	{"topic":"t","partition":1,"offset":1,"timestamp":1639277668792,"key":"$(printf 'é' | base64)","value":null,"headers":[{"key":"bin","value":"/wA="}]}
	EOF
}

@test "sw-produce -k, -H, -p: kafkajs reads the same bytes" {
	printf '{"id":"a","v":1}\n{"id":"b","v":2}\n' >"$TMP/in"
	run sw-produce -b "$B" -t t -p 1 -k .id -H src=sw -H 'x=a b' "$TMP/in"
	assert_status 0
	node "$PEERS/kafka-consume.js" g t 2 >"$TMP/out"
	run jq -c -s 'sort_by(.offset)[] | {partition, offset,
		key: (.key | @base64d), value: (.value | @base64d),
		headers: (.headers | map(.value |= @base64d))}' "$TMP/out"
	assert_status 0
	assert_output <<-'EOF'
	{"partition":1,"offset":0,"key":"a","value":"{\"id\":\"a\",\"v\":1}","headers":[{"key":"src","value":"sw"},{"key":"x","value":"a b"}]}
	{"partition":1,"offset":1,"key":"b","value":"{\"id\":\"b\",\"v\":2}","headers":[{"key":"src","value":"sw"},{"key":"x","value":"a b"}]}
	EOF
}

@test "sw-produce --key-format base64 --value-format base64: kafkajs reads the bytes" {
	cat >"$TMP/in" <<-'EOF'
	{"partition":0,"key":"//4AgQ==","headers":[],"timestamp":1639277668791,"value":"gAD/"}
	{"partition":0,"key":"","headers":[],"timestamp":1639277668792,"value":""}
	EOF
	run sw-produce -b "$B" --envelope -t one --key-format base64 \
		--value-format base64 "$TMP/in"
	assert_status 0
	node "$PEERS/kafka-consume.js" g one 2 >"$TMP/out"
	run jq -c -s 'sort_by(.offset)[]' "$TMP/out"
	assert_output <<-'EOF'
	{"topic":"one","partition":0,"offset":0,"timestamp":1639277668791,"key":"//4AgQ==","value":"gAD/","headers":[]}
	{"topic":"one","partition":0,"offset":1,"timestamp":1639277668792,"key":"","value":"","headers":[]}
	EOF
}

# ten: ten envelopes, five per partition of t, for the group tests.
ten() {
	local i
	for i in 0 1 2 3 4 5 6 7 8 9; do
		echo "{\"partition\":$((i % 2)),\"key\":\"k$i\",\"value\":{\"i\":$i}}"
	done | sw-produce -b "$B" --envelope -t t
}

# offsets_of FILE: "partition:offset" per line, sorted, of envelopes in FILE.
offsets_of() {
	jq -r '"\(.partition):\(.offset)"' "$@" | sort
}

@test "offsets a kafkajs group commits are where sw-consume -G goes on" {
	ten
	node "$PEERS/kafka-consume.js" shared t 4 >"$TMP/js"
	[ "$(wc -l <"$TMP/js")" -eq 4 ]
	# What kafkajs committed, as sw-consume -L sees it: the offset after
	# the last message it read in each partition.
	sw-consume -b "$B" -L -t t -G shared >"$TMP/list"
	run jq -c -s 'map({partition, committed}) | sort_by(.partition)[]' "$TMP/list"
	assert_output < <(jq -c -s 'group_by(.partition) | map({partition: .[0].partition, committed: (map(.offset) | max + 1)})
		| (. + ([0, 1] - map(.partition) | map({partition: ., committed: null}))) | sort_by(.partition)[]' "$TMP/js")
	run sw-consume -b "$B" $KAFKA_GROUP_OPTS -G shared t -e
	assert_status 0
	printf '%s\n' "$output" >"$TMP/sw"
	[ "$(wc -l <"$TMP/sw")" -eq 6 ]
	# Together exactly the ten messages, none twice.
	diff <(seq 0 9 | awk '{print $1 % 2 ":" int($1 / 2)}' | sort) \
		<(offsets_of "$TMP/js" "$TMP/sw")
}

@test "offsets sw-consume -G commits are where a kafkajs group goes on" {
	ten
	run sw-consume -b "$B" $KAFKA_GROUP_OPTS -G shared t -c 4
	assert_status 0
	printf '%s\n' "$output" >"$TMP/sw"
	[ "$(wc -l <"$TMP/sw")" -eq 4 ]
	node "$PEERS/kafka-consume.js" shared t 6 >"$TMP/js"
	diff <(seq 0 9 | awk '{print $1 % 2 ":" int($1 / 2)}' | sort) \
		<(offsets_of "$TMP/js" "$TMP/sw")
	# The values kafkajs read are the ones sw-produce sent.
	run jq -r '.value | @base64d' "$TMP/js"
	[ "${#lines[@]}" -eq 6 ]
	for l in "${lines[@]}"; do [[ $l =~ ^\{\"i\":[0-9]\}$ ]]; done
}
