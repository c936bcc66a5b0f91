#!/usr/bin/env bats
# sw-consume against sw-kafka-mock, with kcat as the independent peer.

load test_helper
load helpers/kafka

K=$FIXTURES/kafka

# One cluster for the file; each test has topics of its own (web-N:2,
# one-N:1, four-N:4 for test N) and groups of its own.
setup_file() {
	local n tests=() topics=()
	mapfile -t tests < <(grep '^@test' "$BATS_TEST_FILENAME")
	for ((n = 1; n <= ${#tests[@]}; n++)); do
		topics+=(--topic "web-$n:2" --topic "one-$n:1" --topic "four-$n:4")
	done
	kafka_file_start "${topics[@]}"
}

teardown_file() {
	kafka_file_stop
}

setup() {
	WEB=web-$BATS_TEST_NUMBER
	ONE=one-$BATS_TEST_NUMBER
	FOUR=four-$BATS_TEST_NUMBER
	B=$KAFKA_BROKERS
	TMP=$BATS_TEST_TMPDIR
}

teardown() {
	local p
	for p in ${BG_PIDS:-}; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null || true
	done
	kafka_stop
}

load_web() {
	sw-produce -b "$B" --envelope -t "$WEB" <"$K/envelopes.ndjson"
}

@test "sw-consume: envelope of every field, exactly (keys, headers, null key, tombstone)" {
	load_web
	run bash -c "sw-consume -b '$B' -t $WEB -e | jq -c -s 'sort_by(.partition, .offset)[]'"
	assert_status 0
	assert_output "$(sed "s/\"topic\":\"web\"/\"topic\":\"$WEB\"/" "$K/web.expected")"
}

@test "sw-consume: what kcat produced reads identically (keys, headers, timestamps)" {
	printf 'k1\t{"a":1}\nk2\t{"b":[true,null]}\n' |
		kcat -P -b "$B" -t $ONE -K '	' -H h1=v1 -H h2=v2
	kcat -C -b "$B" -t $ONE -e -q -J |
		jq -c '{topic, partition, offset, timestamp: .ts,
			timestamp_type: "create", key,
			headers: [.headers | _nwise(2) | {key: .[0], value: .[1]}],
			value: (.payload | fromjson)}' >"$TMP/want"
	run sw-consume -b "$B" -t $ONE -e
	assert_status 0
	assert_output <"$TMP/want"
}

@test "sw-consume: binary values and header values from kcat come back as base64" {
	printf 'k\001\377:\377\376\000\001\n' >"$TMP/bin"
	kcat -P -b "$B" -t $ONE -K: -H 'x=caf\xc3\xa9' <"$TMP/bin"
	printf 'bin\n' | kcat -P -b "$B" -t $ONE -H "$(printf 'raw=\377\376')"
	run sw-consume -b "$B" -t $ONE -e --value-format base64 --key-format base64
	assert_status 0
	[ "$(jq -r .value <<<"${lines[0]}")" = "$(printf '\377\376\000\001' | base64)" ]
	[ "$(jq -r .key <<<"${lines[0]}")" = "$(printf 'k\001\377' | base64)" ]
	[ "$(jq -c .headers <<<"${lines[1]}")" = '[{"key":"raw","value":"//4=","encoding":"base64"}]' ]
	[ "$(jq -r .value <<<"${lines[1]}")" = "$(printf 'bin' | base64)" ]
}

@test "sw-consume: a kcat tombstone is null, whatever the format" {
	printf 'gone:\n' | kcat -P -b "$B" -t $ONE -K: -Z
	run sw-consume -b "$B" -t $ONE -e --value-format string --value-only
	assert_status 0
	assert_output 'null'
}

@test "sw-consume: --value-format string and --value-only" {
	printf 'plain text\n{"a":1}\n' | kcat -P -b "$B" -t $ONE
	run sw-consume -b "$B" -t $ONE -e --value-format string --value-only
	assert_status 0
	assert_output <<'OUT'
"plain text"
"{\"a\":1}"
OUT
}

@test "sw-consume: invalid JSON value is bad input naming topic, partition, offset (65)" {
	printf '{"ok":1}\nnot json\n{"ok":2}\n' | kcat -P -b "$B" -t $ONE
	run sw-consume -b "$B" -t $ONE -e
	assert_status 65
	[ "${lines[0]}" = '{"ok":1}' ] || [ "$(jq -c .value <<<"${lines[0]}")" = '{"ok":1}' ]
	[[ $output == *"sw-consume: $ONE/0:1: value: "*"(topic $ONE, partition 0, offset 1); try --value-format string"* ]]
	# A group commits the records written before the bad one.
	run sw-consume -b "$B" $KAFKA_GROUP_OPTS -G bad $ONE --value-only
	assert_status 65
	run bash -c "sw-consume -b '$B' -G bad -L -t $ONE | jq .committed"
	assert_output 1
}

@test "sw-consume: --on-error skip with --dead-letter keeps going" {
	printf '{"ok":1}\nnot json\n{"ok":2}\n' | kcat -P -b "$B" -t $ONE
	run bash -c "sw-consume -b '$B' -t $ONE -e --value-only --dead-letter '$TMP/dl' 2>'$TMP/err'"
	assert_status 0
	grep -q "$ONE/0:1: value: invalid JSON" "$TMP/err"
	assert_output <<'OUT'
{"ok":1}
{"ok":2}
OUT
	[ "$(jq -r '.source, .line, .input' "$TMP/dl")" = "$(printf '%s/0\n1\nnot json' "$ONE")" ]
}

@test "sw-consume: -o beginning, end, N, -N" {
	seq 0 9 | kcat -P -b "$B" -t $ONE
	run sw-consume -b "$B" -t $ONE -e --value-only -o beginning
	assert_output "$(seq 0 9)"
	run sw-consume -b "$B" -t $ONE -e --value-only -o end
	assert_status 0
	assert_output ''
	run sw-consume -b "$B" -t $ONE -e --value-only -o 7
	assert_output "$(seq 7 9)"
	run sw-consume -b "$B" -t $ONE -e --value-only -o -2
	assert_output "$(seq 8 9)"
	run sw-consume -b "$B" -t $ONE -e --value-only -o -20
	assert_output "$(seq 0 9)"
}

@test "sw-consume: -o s@MS, @TIME and e@MS select by timestamp" {
	load_web
	run bash -c "sw-consume -b '$B' -t $WEB -e -o s@1639277669500 | jq -c -s 'sort_by(.partition, .offset)[] | [.partition, .offset]'"
	assert_output <<'OUT'
[0,2]
[1,1]
[1,2]
OUT
	run bash -c "sw-consume -b '$B' -t $WEB -e -o @2021-12-12T02:54:29.500Z | jq -c -s 'sort_by(.partition, .offset)[] | [.partition, .offset]'"
	assert_output <<'OUT'
[0,2]
[1,1]
[1,2]
OUT
	# e@ alone ends the run once every partition passed the time.
	run bash -c "sw-consume -b '$B' -t $WEB -o e@1639277669000 | jq -c -s 'sort_by(.partition, .offset)[] | [.partition, .offset]'"
	assert_output <<'OUT'
[0,0]
[1,0]
OUT
	# With -G, what lies at or after e@ is not committed.
	run bash -c "sw-consume -b '$B' $KAFKA_GROUP_OPTS -G upto $WEB -o e@1639277669000 | wc -l"
	assert_output 2
	run bash -c "sw-consume -b '$B' -G upto -L -t $WEB | jq -c '[.partition, .committed]'"
	assert_output <<'OUT'
[0,1]
[1,1]
OUT
}

@test "sw-consume: -p reads one partition; -e waits for every partition" {
	load_web
	run bash -c "sw-consume -b '$B' -t $WEB -p 1 -e | jq -c '[.partition, .offset]'"
	assert_output <<'OUT'
[1,0]
[1,1]
[1,2]
OUT
	seq 1 100 | sed 's/.*/{"n":&}/' | sw-produce -b "$B" -t $FOUR -k .n
	run bash -c "sw-consume -b '$B' -t $FOUR -e --value-only | jq -s 'map(.n) | sort == [range(1;101)]'"
	assert_output true
	run bash -c "sw-consume -b '$B' -t $FOUR -t $WEB -e | wc -l"
	assert_output 106
}

@test "sw-consume: -c N stops after N messages" {
	seq 1 50 | kcat -P -b "$B" -t $ONE
	run sw-consume -b "$B" -t $ONE -c 3 --value-only
	assert_status 0
	assert_output "$(seq 1 3)"
}

@test "sw-consume: -G commits exactly what was written; the next run continues" {
	seq 1 20 | sed 's/.*/{"n":&}/' | sw-produce -b "$B" -t $FOUR -k .n
	sw-consume -b "$B" $KAFKA_GROUP_OPTS -G g1 -t $FOUR -c 7 --value-only >"$TMP/a"
	[ "$(wc -l <"$TMP/a")" -eq 7 ]
	run bash -c "sw-consume -b '$B' $KAFKA_GROUP_OPTS -G g1 -L -t $FOUR | jq -s 'map(.committed // 0) | add'"
	assert_output 7
	sw-consume -b "$B" $KAFKA_GROUP_OPTS -G g1 $FOUR -e --value-only >"$TMP/b"
	run bash -c "cat '$TMP/a' '$TMP/b' | jq -s 'map(.n) | sort == [range(1;21)]'"
	assert_output true
	run bash -c "sw-consume -b '$B' $KAFKA_GROUP_OPTS -G g1 -L -t $FOUR | jq -c 'select(.committed != .high or .lag != 0)'"
	assert_output ''
}

@test "sw-consume: -L lists partitions with watermarks, and with -G committed and lag" {
	# A cluster of its own: -L without -t lists every topic there is.
	kafka_start --topic "$WEB:2" --topic "$ONE:1" --topic "$FOUR:4"
	B=$KAFKA_BROKERS
	load_web
	run sw-consume -b "$B" -L -t $WEB
	assert_status 0
	assert_output <<OUT
{"topic":"$WEB","partition":0,"leader":1,"low":0,"high":3}
{"topic":"$WEB","partition":1,"leader":1,"low":0,"high":3}
OUT
	sw-consume -b "$B" $KAFKA_GROUP_OPTS -G lg $WEB -c 2 >/dev/null
	run bash -c "sw-consume -b '$B' $KAFKA_GROUP_OPTS -L -G lg -t $WEB | jq -s -c '[(map(.committed // 0) | add), all(.lag == null or .lag + .committed == .high)]'"
	assert_status 0
	assert_output '[2,true]'
	run bash -c "sw-consume -b '$B' $KAFKA_GROUP_OPTS -L -G lg | jq -r .topic | sort -u"
	assert_output "$(printf '%s\n' "$FOUR" "$ONE" "$WEB")"
}

@test "sw-consume: two group members share the partitions, no record twice" {
	sw-consume -v -b "$B" $KAFKA_GROUP_OPTS -G share $FOUR >"$TMP/a" 2>"$TMP/a.err" 3>&- &
	BG_PIDS="$!"
	wait_for 30 grep -q 'assigned 4 partition' "$TMP/a.err"
	sw-consume -v -b "$B" $KAFKA_GROUP_OPTS -G share $FOUR >"$TMP/b" 2>"$TMP/b.err" 3>&- &
	BG_PIDS="$BG_PIDS $!"
	wait_for 60 grep -q 'assigned 2 partition' "$TMP/b.err"
	wait_for 30 grep -q 'assigned 2 partition' "$TMP/a.err"
	seq 1 40 | sed 's/.*/{"n":&}/' | sw-produce -b "$B" -t $FOUR -k .n
	wait_for 30 bash -c "[ \$(cat '$TMP/a' '$TMP/b' | wc -l) -ge 40 ]"
	[ -s "$TMP/a" ] && [ -s "$TMP/b" ]
	run bash -c "cat '$TMP/a' '$TMP/b' | jq -s 'map(.value.n) | sort == [range(1;41)]'"
	assert_output true
	run bash -c "jq -r .partition '$TMP/a' | sort -u; jq -r .partition '$TMP/b' | sort -u"
	assert_status 0
	[ "${#lines[@]}" -eq 4 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" -eq 4 ]
}

@test "sw-consume: SIGTERM flushes, commits and exits 0; a restart has no gap and no duplicate" {
	seq 1 30 | sed 's/.*/{"n":&}/' | sw-produce -b "$B" -t $ONE
	sw-consume -b "$B" $KAFKA_GROUP_OPTS -G term $ONE --value-only >"$TMP/a" 2>"$TMP/a.err" 3>&- &
	pid=$!
	wait_for 30 lines_at_least "$TMP/a" 30
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	assert_status 0
	seq 31 40 | sed 's/.*/{"n":&}/' | sw-produce -b "$B" -t $ONE
	sw-consume -b "$B" $KAFKA_GROUP_OPTS -G term $ONE -e --value-only >"$TMP/b"
	run bash -c "cat '$TMP/a' '$TMP/b' | jq -s 'map(.n) == [range(1;41)]'"
	assert_output true
}

@test "sw-consume: --resume starts partitions at the checkpoint, others per -o" {
	load_web
	echo "{\"offsets\":{\"$WEB\":{\"1\":2}}}" >"$TMP/ckpt"
	run bash -c "sw-consume -b '$B' -t $WEB -e --resume '$TMP/ckpt' | jq -c -s 'sort_by(.partition, .offset)[] | [.partition, .offset]'"
	assert_output <<'OUT'
[0,0]
[0,1]
[0,2]
[1,2]
OUT
	run bash -c "sw-consume -b '$B' -t $WEB -e -o end --resume '$TMP/ckpt' | jq -c '[.partition, .offset]'"
	assert_output '[1,2]'
	# No checkpoint yet (first run): everything per -o.
	run bash -c "sw-consume -b '$B' -t $WEB -e --resume '$TMP/none' | wc -l"
	assert_output 6
}

@test "sw-consume: data loss below the earliest retained offset exits 65 naming the range; warn continues" {
	echo '"first"' | sw-produce -b "$B" -t $ONE
	sw-consume -b "$B" $KAFKA_GROUP_OPTS -G lossy $ONE -c 1 >/dev/null
	# The mock keeps about 5 MB per partition: 8 MB push out the start.
	# (One awk: 80 command substitutions of 100 kB each cost seconds.)
	awk 'BEGIN {
		x = "xxxxxxxxxx"
		while (length(x) < 100000) x = x x
		x = substr(x, 1, 100000)
		for (i = 1; i <= 80; i++) printf "\"%d %s\"\n", i, x
	}' | sw-produce -b "$B" -t $ONE
	low=$(sw-consume -b "$B" -L -t $ONE | jq .low)
	[ "$low" -gt 1 ]
	echo "{\"offsets\":{\"$ONE\":{\"0\":0}}}" >"$TMP/ckpt"
	run sw-consume -b "$B" -t $ONE -e --resume "$TMP/ckpt" --value-only
	assert_status 65
	assert_output "sw-consume: data loss: $ONE[0] offsets 0-$((low - 1)) no longer retained (use --on-data-loss warn to continue from the earliest)"
	run bash -c "sw-consume -b '$B' -t $ONE -e --resume '$TMP/ckpt' --on-data-loss warn --value-only 2>'$TMP/err' | wc -l"
	assert_output $((81 - low))
	grep -q "data loss: $ONE\[0\] offsets 0-$((low - 1)) no longer retained; continuing" "$TMP/err"
	# A committed offset that retention overtook is data loss too.
	run sw-consume -b "$B" $KAFKA_GROUP_OPTS -G lossy $ONE -e --value-only
	assert_status 65
	assert_output "sw-consume: data loss: $ONE[0] offsets 1-$((low - 1)) no longer retained (use --on-data-loss warn to continue from the earliest)"
	# Offsets asked for with -o are not: they start at what is there.
	run bash -c "sw-consume -b '$B' -t $ONE -e -o 0 --value-only | wc -l"
	assert_output $((81 - low))
	run bash -c "sw-consume -b '$B' -t $ONE -e -o -200 --value-only | wc -l"
	assert_output $((81 - low))
}

@test "sw-consume: a resumed or -o offset past the end (a recreated topic) is data loss too, also with -G" {
	printf '"%s"\n' a b c | sw-produce -b "$B" -t $ONE
	want="data loss: $ONE[0] offset 500 is past the end (3): the partition was recreated or truncated"
	echo "{\"offsets\":{\"$ONE\":{\"0\":500}}}" >"$TMP/ckpt"
	run sw-consume -b "$B" -t $ONE -e --resume "$TMP/ckpt" --value-only
	assert_status 65
	assert_output "sw-consume: $want (use --on-data-loss warn to continue from the earliest)"
	run sw-consume -b "$B" -t $ONE -e -o 500 --value-only
	assert_status 65
	assert_output "sw-consume: $want (use --on-data-loss warn to continue from the earliest)"
	run -65 sw-consume -b "$B" $KAFKA_GROUP_OPTS -G recreated $ONE -e -o 500 --value-only
	assert_output "sw-consume: $want (use --on-data-loss warn to continue from the earliest)"
	# warn: everything the partition holds now, from the earliest.
	for how in "--resume $TMP/ckpt" "-o 500"; do
		run bash -c "sw-consume -b '$B' -t $ONE -e $how --on-data-loss warn --value-only 2>'$TMP/err'"
		assert_status 0
		assert_output '"a"
"b"
"c"'
		[ "$(cat "$TMP/err")" = "sw-consume: $want; continuing from the earliest" ]
	done
	# At the end exactly is no loss.
	echo "{\"offsets\":{\"$ONE\":{\"0\":3}}}" >"$TMP/ckpt"
	run -0 sw-consume -b "$B" -t $ONE -e --resume "$TMP/ckpt" --value-only
	assert_output ''
}

@test "sw-consume: | head -3 ends quietly" {
	seq 1 5000 | kcat -P -b "$B" -t $ONE
	run bash -c "sw-consume -b '$B' $KAFKA_GROUP_OPTS -t $ONE -G h --value-only 2>'$TMP/err' | head -3; echo \${PIPESTATUS[0]}"
	assert_output "$(seq 1 3; echo 0)"
	[ ! -s "$TMP/err" ]
}

@test "sw-consume: | head -1 ends quietly while the topic is idle, committing what it wrote" {
	echo '"only"' | sw-produce -b "$B" -t $ONE
	run timeout 60 bash -c "sw-consume -b '$B' $KAFKA_GROUP_OPTS -G idle $ONE --value-only 2>'$TMP/err' | head -1; echo \${PIPESTATUS[0]}"
	assert_output '"only"
0'
	[ ! -s "$TMP/err" ]
	run -0 bash -c "sw-consume -b '$B' -L -G idle -t $ONE | jq -c '[.committed, .lag]'"
	assert_output '[1,0]'
	# Simple mode too.
	run timeout 60 bash -c "sw-consume -b '$B' -t $ONE --value-only | head -1; echo \${PIPESTATUS[0]}"
	assert_output '"only"
0'
}

@test "sw-consume: unreachable broker exits 69 within --timeout" {
	port=$(free_port)
	run timeout 30 sw-consume -b "127.0.0.1:$port" -t $WEB --timeout 1s
	assert_status 69
	assert_output "sw-consume: cannot reach Kafka at 127.0.0.1:$port within 1000ms: Local: Broker transport failure"
	SW_BROKERS="127.0.0.1:$port" run timeout 30 sw-consume -L --timeout 500ms
	assert_status 69
}

@test "sw-consume: write error exits 74" {
	seq 1 10 | kcat -P -b "$B" -t $ONE
	run bash -c "sw-consume -b '$B' -t $ONE -e >/dev/full"
	assert_status 74
	[[ $output == "sw-consume: write error: No space left on device"* ]]
}

@test "sw-consume: usage errors exit 64" {
	for args in "--bogus" "-t $WEB -o nowhere" "-t $WEB -c 0" "-t $WEB --value-format avro" \
		"-t $WEB --value-format xml" "-t $WEB --on-data-loss maybe" "-G g -p 1 web" \
		"-t $WEB -o stored" "-t $WEB --schema s.avsc" "" "-t $WEB --timeout soon" \
		"-t $WEB -X no.such.property=1"; do
		run sw-consume -b "$B" $args
		[ "$status" -eq 64 ] || { echo "args: $args -> $status: $output"; return 1; }
		[[ ${lines[-1]} == "Try 'sw-consume --help'." ]]
	done
	run sw-consume -t $WEB --value-format avro
	[[ ${lines[0]} == "sw-consume: decoding messages needs --schema or --registry" ]]
}

@test "sw-consume: -F file and -X properties are applied" {
	seq 1 3 | kcat -P -b "$B" -t $ONE
	printf '# comment\n\nbootstrap.servers = %s\n' "$B" >"$TMP/props"
	run sw-consume -F "$TMP/props" -t $ONE -e --value-only
	assert_status 0
	assert_output "$(seq 1 3)"
	SW_BROKERS=$B run sw-consume -t $ONE -e --value-only -X fetch.wait.max.ms=10
	assert_output "$(seq 1 3)"
	run bash -c "sw-consume -X list | grep -c '^bootstrap.servers '"
	assert_output 1
	printf 'nonsense\n' >"$TMP/bad"
	run sw-consume -F "$TMP/bad" -t $ONE -e
	assert_status 64
	[[ ${lines[0]} == "sw-consume: $TMP/bad:1: expected name=value" ]]
}

@test "sw-consume: --version names librdkafka" {
	run sw-consume --version
	assert_status 0
	[[ ${lines[0]} == "sw-consume "* ]] && [[ ${lines[1]} == "librdkafka "* ]]
}
