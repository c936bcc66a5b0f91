#!/usr/bin/env bats
# sw-produce and sw-consume with --value-format avro against sw-kafka-mock:
# the Kafka flow of the Avro example (written with schema v1, read with v2),
# cross-checked against sw-avro --field on base64 values.

load test_helper
load helpers/kafka
load helpers/avro

KA=$FIXTURES/kavro
V1=$DATA/schema_ver1.avsc
V2=$DATA/schema_ver2.avsc

# One cluster for the file; each test has topics of its own (users-N:1,
# copy-N:1, two-N:2, copy2-N:2 for test N).
setup_file() {
	local n tests=() topics=()
	mapfile -t tests < <(grep '^@test' "$BATS_TEST_FILENAME")
	for ((n = 1; n <= ${#tests[@]}; n++)); do
		topics+=(--topic "users-$n:1" --topic "copy-$n:1" --topic "two-$n:2"
			--topic "copy2-$n:2")
	done
	kafka_file_start "${topics[@]}"
}

teardown_file() {
	kafka_file_stop
}

setup() {
	USERS=users-$BATS_TEST_NUMBER
	COPY=copy-$BATS_TEST_NUMBER
	TWO=two-$BATS_TEST_NUMBER
	COPY2=copy2-$BATS_TEST_NUMBER
	B=$KAFKA_BROKERS
	T=$BATS_TEST_TMPDIR
}

teardown() {
	stop_registry
	kafka_stop
}

# Values of topic $1 as base64 strings, one per line.
values_b64() {
	sw-consume -b "$B" -t "$1" -e --value-format base64 --value-only | jq -r .
}

@test "kafka avro: raw framing, written with v1, read with v2 (temp takes its default)" {
	run sw-produce -b "$B" -t $USERS --value-format avro --schema "$V1" --framing raw "$KA/users.ndjson"
	assert_status 0
	assert_output ''
	run timeout 60 sw-consume -b "$B" -t $USERS -e --value-format avro --schema "$V1" \
		--reader-schema "$V2" --framing raw --value-only
	assert_status 0
	assert_output <"$KA/users-v2.expected"
	# the envelope carries the decoded value
	run timeout 60 sw-consume -b "$B" -t $USERS -e -c 1 --value-format avro --schema "$V1" --framing raw
	assert_status 0
	[ "$(jq -c '[.topic, .partition, .offset, .value]' <<<"$output")" = \
		"[\"$USERS\",0,0,"'{"name":"yuki_0","action":"login","sendtime":1639277669172}]' ]
	# a bare datum, nothing before it: "yuki_0" is length 6 (zigzag 0c)
	[ "$(values_b64 $USERS | head -1 | base64 -d | head -c 1 | od -An -tx1 | tr -d ' ')" = 0c ]
}

@test "kafka avro: round trip with one schema gives back every record" {
	sw-produce -b "$B" -t $USERS --value-format avro --schema "$V1" "$KA/users.ndjson"
	run timeout 60 sw-consume -b "$B" -t $USERS -e --value-format avro --schema "$V1" --framing raw --value-only
	assert_status 0
	[ "$(printf '%s\n' "$output" | jq -c . | md5sum)" = "$(jq -c . "$KA/users.ndjson" | md5sum)" ]
	[ "${#lines[@]}" -eq 6 ]
}

@test "kafka avro: confluent framing with a registry directory made by sw-avro register" {
	id=$(sw-avro register --registry "$T/reg" --subject users-value "$V1")
	[ "$id" = 1 ]
	# the schema is in the directory: its id is known, so confluent by default
	run sw-produce -b "$B" -t $USERS --value-format avro --schema "$V1" --registry "$T/reg" "$KA/users.ndjson"
	assert_status 0
	[ "$(values_b64 $USERS | head -1 | base64 -d | head -c 5 | od -An -tx1 | tr -d ' ')" = 0000000001 ]
	run timeout 60 sw-consume -b "$B" -t $USERS -e --value-format avro --registry "$T/reg" \
		--reader-schema "$V2" --value-only
	assert_status 0
	assert_output <"$KA/users-v2.expected"
	# the id alone, without the registry, with the writer schema
	run timeout 60 sw-consume -b "$B" -t $USERS -e --value-format avro --schema "$V1" --framing confluent --value-only
	assert_status 0
	[ "${#lines[@]}" -eq 6 ]
	[ "${lines[4]}" = '{"name":"","action":null,"sendtime":null}' ]
}

@test "kafka avro: --schema-id without a registry, single-object framing" {
	run sw-produce -b "$B" -t $USERS --value-format avro --schema "$V1" --schema-id 7 "$KA/users.ndjson"
	assert_status 0
	[ "$(values_b64 $USERS | head -1 | base64 -d | head -c 5 | od -An -tx1 | tr -d ' ')" = 0000000007 ]
	run sw-produce -b "$B" -t $COPY --value-format avro --schema "$V1" --framing single-object "$KA/users.ndjson"
	assert_status 0
	[ "$(values_b64 $COPY | head -1 | base64 -d | head -c 2 | od -An -tx1 | tr -d ' ')" = c301 ]
	run timeout 60 sw-consume -b "$B" -t $COPY -e --value-format avro --schema "$V1" --reader-schema "$V2" --value-only
	assert_status 0
	assert_output <"$KA/users-v2.expected"
}

@test "kafka avro: what sw-produce sends, sw-avro decode --field .value reads" {
	sw-avro register --registry "$T/reg" --subject users-value "$V1" >/dev/null
	sw-produce -b "$B" -t $USERS --value-format avro --schema "$V1" --registry "$T/reg" "$KA/users.ndjson"
	run bash -c "sw-consume -b '$B' -t $USERS -e --value-format base64 |
		sw-avro decode --registry '$T/reg' --reader-schema '$V2' --field .value | jq -c .value"
	assert_status 0
	assert_output <"$KA/users-v2.expected"
}

@test "kafka avro: what sw-avro encode --field frames, sw-consume --value-format avro reads" {
	sw-avro register --registry "$T/reg" --subject users-value "$V1" >/dev/null
	sw-avro encode --registry "$T/reg" --schema "$V1" --framing confluent --field . "$KA/users.ndjson" |
		sw-produce -b "$B" -t $USERS --value-format base64
	run timeout 60 sw-consume -b "$B" -t $USERS -e --value-format avro --registry "$T/reg" \
		--reader-schema "$V2" --value-only
	assert_status 0
	assert_output <"$KA/users-v2.expected"
	# and the bytes are the same as sw-produce's own
	sw-produce -b "$B" -t $COPY --value-format avro --schema "$V1" --registry "$T/reg" "$KA/users.ndjson"
	[ "$(values_b64 $USERS | md5sum)" = "$(values_b64 $COPY | md5sum)" ]
}

@test "kafka avro: a Confluent Schema Registry URL (test double)" {
	sw-avro register --registry "$T/reg" --subject users-value "$V1" >/dev/null
	start_registry --preload "$T/reg"
	sw-produce -b "$B" -t $USERS --value-format avro --schema "$V1" --schema-id 1 "$KA/users.ndjson"
	run timeout 60 sw-consume -b "$B" -t $USERS -e --value-format avro --registry "$REGISTRY_URL" \
		--reader-schema "$V2" --value-only
	assert_status 0
	assert_output <"$KA/users-v2.expected"
	# schemas are cached for the run: one GET for six messages
	[ "$(grep -c 'GET /schemas/ids/1' "$T/registry.log")" -eq 1 ]
}

@test "kafka avro: registry credentials from --registry-user with a file or \$SW_REGISTRY_PASSWORD, never in the URL" {
	sw-avro register --registry "$T/reg" --subject users-value "$V1" >/dev/null
	start_registry --preload "$T/reg" --basic reg:s3cret-reg
	echo s3cret-reg >"$T/pw"
	sw-produce -b "$B" -t $USERS --value-format avro --schema "$V1" --schema-id 1 "$KA/users.ndjson"
	run -0 timeout 60 sw-consume -b "$B" -t $USERS -e --value-format avro --registry "$REGISTRY_URL" \
		--registry-user reg --registry-password-file "$T/pw" --reader-schema "$V2" --value-only
	assert_output <"$KA/users-v2.expected"
	SW_REGISTRY_PASSWORD=s3cret-reg run -0 timeout 60 sw-consume -b "$B" -t $USERS -e --value-format avro \
		--registry "$REGISTRY_URL" --registry-user reg --reader-schema "$V2" --value-only
	assert_output <"$KA/users-v2.expected"
	local url="http://reg:s3cret-reg@${REGISTRY_URL#http://}" tool
	for tool in "sw-consume -e" "sw-produce --schema $V1"; do
		run -64 $tool -b "$B" -t $USERS --value-format avro --registry "$url" </dev/null
		[ "${lines[0]}" = "${tool%% *}: --registry: credentials in the URL are not accepted: use --registry-user with \$SW_REGISTRY_PASSWORD or --registry-password-file" ]
		! grep -q s3cret <<<"$output"
		run -64 $tool -b "$B" -t $USERS --registry-user reg </dev/null
		[[ ${lines[0]} == "${tool%% *}: --schema, "*" need --value-format avro" ]]
	done
}

@test "kafka avro: --envelope copies a topic, keys, headers and tombstones included" {
	sw-avro register --registry "$T/reg" --subject users-value "$V1" >/dev/null
	cat >"$T/env" <<'EOF'
{"partition":0,"key":"k1","headers":[{"key":"h","value":"v"}],"value":{"name":"a","action":"login","sendtime":1}}
{"partition":0,"key":"k2","value":null}
{"partition":1,"key":null,"value":{"name":"b","action":null,"sendtime":null}}
EOF
	run sw-produce -b "$B" -t $TWO --envelope --value-format avro --schema "$V1" --registry "$T/reg" "$T/env"
	assert_status 0
	run bash -c "sw-consume -b '$B' -t $TWO -e --value-format avro --registry '$T/reg' |
		jq -c '[.partition, .key, .headers, .value]' | sort"
	assert_status 0
	assert_output <<'EOF'
[0,"k1",[{"key":"h","value":"v"}],{"name":"a","action":"login","sendtime":1}]
[0,"k2",[],null]
[1,null,[],{"name":"b","action":null,"sendtime":null}]
EOF
	sw-consume -b "$B" -t $TWO -e --value-format avro --registry "$T/reg" |
		sw-produce -b "$B" --envelope -t $COPY2 --value-format avro --schema "$V1" --registry "$T/reg"
	run bash -c "sw-consume -b '$B' -t $COPY2 -e --value-format avro --registry '$T/reg' --reader-schema '$V2' |
		jq -c '[.key, .value]' | sort"
	assert_status 0
	assert_output <<'EOF'
["k1",{"name":"a","action":"login","sendtime":1,"temp":null}]
["k2",null]
[null,{"name":"b","action":null,"sendtime":null,"temp":null}]
EOF
}

@test "kafka avro: --report shows the decoded value with partition and offset" {
	run sw-produce -b "$B" -t $USERS --value-format avro --schema "$V1" --schema-id 3 --report "$KA/users.ndjson"
	assert_status 0
	[ "${#lines[@]}" -eq 6 ]
	[ "$(jq -c '[.topic, .partition, .offset, .value]' <<<"${lines[0]}")" = \
		"[\"$USERS\",0,0,"'{"name":"yuki_0","action":"login","sendtime":1639277669172}]' ]
}

@test "kafka avro: --json avro both ways" {
	echo '{"name":"a","action":{"string":"x"},"sendtime":null}' >"$T/in"
	run sw-produce -b "$B" -t $USERS --value-format avro --schema "$V1" --json avro "$T/in"
	assert_status 0
	run timeout 60 sw-consume -b "$B" -t $USERS -e --value-format avro --schema "$V1" --reader-schema "$V2" \
		--json avro --value-only
	assert_status 0
	assert_output '{"name":"a","action":{"string":"x"},"sendtime":null,"temp":null}'
	run timeout 60 sw-consume -b "$B" -t $USERS -e --value-format avro --schema "$V1" --value-only
	assert_output '{"name":"a","action":"x","sendtime":null}'
}

@test "kafka avro: a record that does not fit the schema is bad input (65) naming the field" {
	printf '%s\n' '{"name":"ok","action":null,"sendtime":1}' '{"name":5,"action":null,"sendtime":1}' \
		'{"name":"after","action":null,"sendtime":2}' >"$T/in"
	run sw-produce -b "$B" -t $USERS --value-format avro --schema "$V1" "$T/in"
	assert_status 65
	[[ $output == "sw-produce: $T/in:2: "*"name"*"string"* ]]
	# the record before it was delivered, nothing after
	run timeout 60 sw-consume -b "$B" -t $USERS -e --value-format avro --schema "$V1" --value-only
	assert_output '{"name":"ok","action":null,"sendtime":1}'
	# --on-error skip sends the others
	run sw-produce -b "$B" -t $COPY --value-format avro --schema "$V1" --on-error skip "$T/in"
	assert_status 0
	run timeout 60 sw-consume -b "$B" -t $COPY -e --value-format avro --schema "$V1" --value-only
	[ "${#lines[@]}" -eq 2 ]
	# an envelope's value names the value
	echo '{"value":{"name":"x","sendtime":"no"}}' >"$T/env"
	run sw-produce -b "$B" -t $COPY --envelope --value-format avro --schema "$V1" "$T/env"
	assert_status 65
	[[ $output == "sw-produce: $T/env:1: value: "* ]]
}

@test "kafka avro: a value that is not Avro is bad input (65) naming topic, partition and offset" {
	printf '%s\n' '{"name":"a","action":null,"sendtime":1}' >"$T/good"
	sw-produce -b "$B" -t $USERS --value-format avro --schema "$V1" "$T/good"
	echo '{"a":1}' | sw-produce -b "$B" -t $USERS
	sw-produce -b "$B" -t $USERS --value-format avro --schema "$V1" "$T/good"
	run timeout 60 sw-consume -b "$B" -t $USERS -e --value-format avro --schema "$V1" --framing raw --value-only
	assert_status 65
	[ "${lines[0]}" = '{"name":"a","action":null,"sendtime":1}' ]
	[[ ${lines[1]} == "sw-consume: $USERS/0:1: value: "*"(topic $USERS, partition 0, offset 1)" ]]
	[ "${#lines[@]}" -eq 2 ]
	run timeout 60 sw-consume -b "$B" -t $USERS -e --value-format avro --schema "$V1" --framing raw \
		--value-only --on-error skip
	assert_status 0
	[ "$(grep -c '^{"name":"a"' <<<"$output")" -eq 2 ]
	[[ $output == *"offset 1)"* ]]
	# a confluent message whose id is in no registry
	printf '\0\0\0\0\011\002a\002\000' | kcat -P -b "$B" -t $COPY
	sw-avro register --registry "$T/reg" --subject s "$V1" >/dev/null
	run timeout 60 sw-consume -b "$B" -t $COPY -e --value-format avro --registry "$T/reg"
	assert_status 65
	[[ $output == *"schema id 9"*"(topic $COPY, partition 0, offset 0)"* ]]
}

@test "kafka avro: an unreachable or failing registry exits 69" {
	sw-produce -b "$B" -t $USERS --value-format avro --schema "$V1" --schema-id 1 "$KA/users.ndjson"
	port=$(free_port)
	run timeout 60 sw-consume -b "$B" -t $USERS -e --value-format avro --registry "http://127.0.0.1:$port"
	assert_status 69
	[[ $output == *"127.0.0.1:$port"*"(topic $USERS, partition 0, offset 0)"* ]]
	start_registry --fail-status 503
	run timeout 60 sw-consume -b "$B" -t $USERS -e --value-format avro --registry "$REGISTRY_URL" --on-error skip
	assert_status 69
}

@test "kafka avro: bad schemas and options are usage errors (64)" {
	for tool in "sw-produce -t $USERS" "sw-consume -t $USERS"; do
		run $tool -b "$B" --value-format avro --schema "$DATA/bad/schema_bad_default.avsc" </dev/null
		assert_status 64
		[[ ${lines[0]} == *"--schema: $DATA/bad/schema_bad_default.avsc: "* ]]
		run $tool -b "$B" --value-format avro --schema "$T/missing.avsc" </dev/null
		assert_status 64
		run $tool -b "$B" --value-format avro </dev/null
		assert_status 64
		run $tool -b "$B" --schema "$V1" </dev/null
		assert_status 64
		[[ ${lines[0]} == *"need --value-format avro"* ]]
		run $tool -b "$B" --key-format avro </dev/null
		assert_status 64
		run $tool -b "$B" --value-format avro --schema "$V1" --framing container </dev/null
		assert_status 64
		run $tool -b "$B" --value-format avro --schema "$V1" --json xml </dev/null
		assert_status 64
	done
	run sw-consume -b "$B" -t $USERS --value-format avro --reader-schema "$DATA/bad/schema_ver2_broken.avsc" --schema "$V1"
	assert_status 64
	[[ ${lines[0]} == *"--reader-schema: "* ]]
	# confluent needs an id
	run sw-produce -b "$B" -t $USERS --value-format avro --schema "$V1" --framing confluent </dev/null
	assert_status 64
	run sw-produce -b "$B" -t $USERS --value-format avro --schema "$V1" --schema-id -1 </dev/null
	assert_status 64
}
