#!/usr/bin/env bats
# sw-enrich: every operation, the bad-input policy, exit codes, streaming.

load test_helper

FX="$FIXTURES/enrich"
UUID_RE='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
TWITTER='%a %b %d %H:%M:%S %z %Y'

setup() {
	T=$BATS_TEST_TMPDIR
}

# Runs a command with stdout and stderr kept apart (buffered stdout and
# unbuffered stderr interleave unpredictably in $output).
split() {
	"$@" >"$T/stdout" 2>"$T/stderr" && status=0 || status=$?
}

# Under --on-error fail: exit 65, stdout exactly $2, the error first on
# stderr exactly $1.
assert_fails_with() {
	assert_status 65
	[ "$(head -n 1 "$T/stderr")" = "$1" ] || { cat "$T/stderr"; return 1; }
	[ "$(cat "$T/stdout")" = "${2:-}" ] || { cat "$T/stdout"; return 1; }
}

teardown() {
	if [ -n "${PID:-}" ]; then
		kill -9 "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	fi
}

# --- operations ---------------------------------------------------------

@test "no operation: records pass through, compacted" {
	run sw-enrich "$FX/set.ndjson"
	assert_status 0
	assert_output <<'EOF'
{"a":1,"env":"dev","z":[1,2]}
{}
{"\u0065nv":"escaped key"}
EOF
}

@test "--set: JSON when it parses, else a string; existing fields keep their place" {
	run sw-enrich --set env=prod --set n=5 --set 'o={"k": [true, null]}' \
		--set 's=not json {' --set empty= --set 'quoted="5"' "$FX/set.ndjson"
	assert_status 0
	assert_output < "$FX/set.expected"
}

@test "--set: a value with '=' keeps it; the last --set of a field wins" {
	run sw-enrich --set 'eq=a=b' --set x=1 --set x=2 <<<'{}'
	assert_status 0
	assert_output '{"eq":"a=b","x":2}'
}

@test "--uuid: a version 4 UUID in uuid, or in the field given" {
	run sw-enrich --uuid --uuid=id <<<'{"a":1}'
	assert_status 0
	u=$(jq -r .uuid <<<"$output")
	id=$(jq -r .id <<<"$output")
	[[ $u =~ $UUID_RE ]]
	[[ $id =~ $UUID_RE ]]
	[ "${u:14:1}" = 4 ] && [ "${id:14:1}" = 4 ]
	[ "$u" != "$id" ]
	[ "$(jq -c 'keys_unsorted' <<<"$output")" = '["a","uuid","id"]' ]
}

@test "--uuid overwrites an existing field in place" {
	run sw-enrich --uuid <<<'{"uuid":"old","b":2}'
	assert_status 0
	[ "$(jq -c 'keys_unsorted' <<<"$output")" = '["uuid","b"]' ]
	[ "$(jq -r .uuid <<<"$output")" != old ]
}

@test "--uuid-time: a version 1 UUID; with --uuid, those become version 1" {
	run sw-enrich --uuid-time <<<'{}'
	assert_status 0
	u=$(jq -r .uuid <<<"$output")
	[[ $u =~ $UUID_RE ]] && [ "${u:14:1}" = 1 ]
	run sw-enrich --uuid=id --uuid-time <<<'{}'
	assert_status 0
	[ "$(jq -c 'keys' <<<"$output")" = '["id"]' ]
	u=$(jq -r .id <<<"$output")
	[ "${u:14:1}" = 1 ]
	run sw-enrich --uuid-time=t1 --uuid=t4 <<<'{}'
	u=$(jq -r .t1 <<<"$output") v=$(jq -r .t4 <<<"$output")
	[ "${u:14:1}" = 1 ] && [ "${v:14:1}" = 4 ]
}

# Version nibble and RFC 4122 variant bits (10xx) on every UUID, no repeat.
check_uuids() {
	local file=$1 version=$2
	[ "$(wc -l <"$file")" -eq 100000 ]
	[ "$(sort -u "$file" | wc -l)" -eq 100000 ]
	[ "$(grep -cE "^[0-9a-f]{8}-[0-9a-f]{4}-${version}[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\$" "$file")" -eq 100000 ]
}

@test "100k version 4 UUIDs: unique, version and variant bits set" {
	yes '{}' | head -n 100000 | sw-enrich --uuid | cut -d'"' -f4 >"$T/u4"
	check_uuids "$T/u4" 4
}

@test "100k version 1 UUIDs: unique, version and variant bits set" {
	yes '{}' | head -n 100000 | sw-enrich --uuid-time | cut -d'"' -f4 >"$T/u1"
	check_uuids "$T/u1" 1
	# one node and clock sequence per process, multicast bit set
	[ "$(cut -c20- "$T/u1" | sort -u | wc -l)" -eq 1 ]
	node=$(head -1 "$T/u1" | cut -c25-26)
	[ $((0x$node & 1)) -eq 1 ]
}

@test "--processed-at: RFC 3339 in UTC with milliseconds, between start and end" {
	before=$(date +%s%3N)
	run sw-enrich --processed-at --processed-at=ms --time-output epoch_ms <<<'{}'
	after=$(date +%s%3N)
	assert_status 0
	ms=$(jq .ms <<<"$output")
	[ "$ms" -ge "$before" ] && [ "$ms" -le "$after" ]
	run sw-enrich --processed-at <<<'{}'
	[[ $(jq -r .processed_at <<<"$output") =~ ^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{3}Z$ ]]
}

@test "--processed-at: one time per record for every operation" {
	run sw-enrich --processed-at --stage a --processed-at=again <<<'{}'
	assert_status 0
	[ "$(jq '.processed_at == .again and .processed_at == ._trace[0].at' <<<"$output")" = true ]
}

@test "--tz: local time with its offset" {
	run sw-enrich --processed-at --tz Asia/Tokyo <<<'{}'
	assert_status 0
	[[ $(jq -r .processed_at <<<"$output") =~ ^[0-9-]{10}T[0-9:]{8}\.[0-9]{3}\+09:00$ ]]
}

@test "--hostname: this host's name" {
	run sw-enrich --hostname --hostname=h <<<'{}'
	assert_status 0
	assert_output "{\"hostname\":\"$(hostname)\",\"h\":\"$(hostname)\"}"
}

@test "--stage: appends to _trace, created when missing" {
	run sw-enrich --stage ingest --stage enrich --time-output epoch_ms \
		<<<'{"a":1}'
	assert_status 0
	[ "$(jq -c '[._trace[].stage]' <<<"$output")" = '["ingest","enrich"]' ]
	[ "$(jq '._trace[0].at | type' <<<"$output")" = '"number"' ]
	run sw-enrich --stage two <<<'{"_trace":[{"stage":"one","at":"x"}],"b":2}'
	assert_status 0
	[ "$(jq -c '[._trace[].stage]' <<<"$output")" = '["one","two"]' ]
	[ "$(jq -c 'keys_unsorted' <<<"$output")" = '["_trace","b"]' ]
	run sw-enrich --stage first <<<'{"_trace":[]}'
	[ "$(jq -c '[._trace[].stage]' <<<"$output")" = '["first"]' ]
}

@test "--stage: a _trace that is not an array is bad input" {
	split sw-enrich --stage x <<<'{"_trace":"oops"}'
	assert_fails_with 'sw-enrich: stdin:1: _trace: not an array'
}

@test "--lag --since: milliseconds from the event time to processing time" {
	run sw-enrich --lag --since .t --processed-at --time-output epoch_ms \
		<<<'{"t":"2021-12-12T12:16:50.123Z"}'
	assert_status 0
	[ "$(jq '.processed_at - 1639311410123 == .lag_ms' <<<"$output")" = true ]
	run sw-enrich --since .t --lag=delay --processed-at --time-output epoch_ms \
		<<<'{"t":1639311410}'
	[ "$(jq '.processed_at - 1639311410000 == .delay' <<<"$output")" = true ]
}

@test "--lag needs --since, --since needs --lag" {
	run sw-enrich --lag </dev/null
	assert_status 64
	[[ $output == *"--lag needs --since PATH"* ]]
	run sw-enrich --since .t </dev/null
	assert_status 64
}

@test "--time: every input form, written as RFC 3339 in UTC" {
	run sw-enrich --time .t --time-out ts "$FX/times.ndjson"
	assert_status 0
	assert_output < "$FX/times-utc.expected"
}

@test "--time with --tz: zone-less input read in the zone, output with offset" {
	run sw-enrich --tz Asia/Tokyo --time .t --time-out ts "$FX/times.ndjson"
	assert_status 0
	assert_output < "$FX/times-tokyo.expected"
}

@test "--time without --time-out normalises in place; --time-output epoch_ms" {
	run sw-enrich --time .t --time-output epoch_ms "$FX/times.ndjson"
	assert_status 0
	assert_output < "$FX/times-epoch.expected"
}

@test "--time-format: Twitter's created_at" {
	run sw-enrich --time .created_at --time-format "$TWITTER" --time-out at \
		"$DATA/tweets.ndjson"
	assert_status 0
	[ "${#lines[@]}" -eq 40 ]
	[ "$(head -1 <<<"$output" | jq -r .at)" = 2021-04-15T12:50:00.000Z ]
	[ "$(tail -1 <<<"$output" | jq -r '[.created_at, .at] | join(" ")')" = \
	  "$(tail -1 "$DATA/tweets.ndjson" | jq -r '.created_at + " " + (.created_at | strptime("%a %b %d %H:%M:%S %z %Y") | mktime | todate | sub("Z$"; ".000Z"))')" ]
}

@test "--time-unit: numbers in the unit given" {
	run sw-enrich --time .t --time-unit ms --time-out ts <<<'{"t":1639277668}'
	assert_status 0
	assert_output '{"t":1639277668,"ts":"1970-01-19T23:21:17.668Z"}'
	run sw-enrich --time .t --time-unit ns --time-out ts <<<'{"t":1639277668791123456}'
	assert_output '{"t":1639277668791123456,"ts":"2021-12-12T02:54:28.791Z"}'
}

@test "--time-unit, --time-output: an unknown value is a usage error naming every value --help lists" {
	run sw-enrich --time .t --time-unit sec <<<'{}'
	assert_status 64
	[ "${lines[0]}" = "sw-enrich: --time-unit: 'sec': expected auto, s, ms, us or ns" ]
	run sw-enrich --time .t --time-output iso <<<'{}'
	assert_status 64
	[ "${lines[0]}" = "sw-enrich: --time-output: 'iso': expected rfc3339 or epoch_ms" ]
	run sw-enrich --help
	[[ $output == *"--time-unit auto|s|ms|us|ns "* ]]
	[[ $output == *"--time-output rfc3339|epoch_ms "* ]]
}

@test "--time: nested paths and paths into new fields" {
	run sw-enrich --time '.a.b[1]' --time-out ts <<<'{"a":{"b":[0,1639277668]}}'
	assert_status 0
	assert_output '{"a":{"b":[0,1639277668]},"ts":"2021-12-12T02:54:28.000Z"}'
	run sw-enrich --set 'n={"t":0}' --time .n.t --time-out ts <<<'{}'
	assert_output '{"n":{"t":0},"ts":"1970-01-01T00:00:00.000Z"}'
	run sw-enrich --time '.t | tonumber' --time-out ts <<<'{"t":"0"}'
	assert_output '{"t":"0","ts":"1970-01-01T00:00:00.000Z"}'
}

@test "--time: an unreadable or missing time is bad input" {
	split sw-enrich --time .time <<<'{"time":"yesterday"}'
	assert_fails_with 'sw-enrich: stdin:1: .time: not a timestamp: "yesterday"'
	split sw-enrich --time .time <<<'{"time":1}
{"other":1}'
	assert_fails_with 'sw-enrich: stdin:2: .time: missing' '{"time":"1970-01-01T00:00:01.000Z"}'
}

@test "--flatten .value: the envelope's value merged into the top level" {
	run sw-enrich --flatten .value "$FX/envelope.ndjson"
	assert_status 0
	assert_output < "$FX/flatten-value.expected"
}

@test "--flatten: nested paths and a value that is not an object" {
	run sw-enrich --flatten .a.b <<<'{"a":{"b":{"x":1},"c":2},"d":3}'
	assert_status 0
	assert_output '{"a":{"c":2},"d":3,"x":1}'
	split sw-enrich --flatten .value <<<'{"value":"text"}'
	assert_fails_with 'sw-enrich: stdin:1: --flatten .value: not an object (string)'
	run sw-enrich --flatten 'map(.)' </dev/null
	assert_status 64
}

@test "--jq: one record per hashtag of the tweets" {
	run sw-enrich --jq '.created_at as $c | .text | scan("#[^ ]+") | {created_at: $c, hashtag: .}' \
		"$DATA/tweets.ndjson"
	assert_status 0
	assert_output < "$FX/hashtags.expected"
}

@test "--jq: zero or many outputs, later operations apply to each" {
	run sw-enrich --jq '.[]' --set s=1 --stats <<<'[{"a":1},{"a":2},{"a":3}]
[]'
	assert_status 0
	[ "${lines[0]}" = '{"a":1,"s":1}' ]
	[ "${lines[1]}" = '{"a":2,"s":1}' ]
	[ "${lines[2]}" = '{"a":3,"s":1}' ]
	[[ ${lines[3]} == '{"tool":"sw-enrich","records_in":2,"records_out":3,"errors":0,'* ]]
}

@test "operations apply in command-line order" {
	run sw-enrich --set a=1 --jq '.a += 1' <<<'{}'
	assert_output '{"a":2}'
	run sw-enrich --jq '.a += 1' --set a=1 <<<'{"a":5}'
	assert_output '{"a":1}'
}

@test "--jq: a runtime error is bad input; nothing of that record is written" {
	split sw-enrich --jq '.[] | if . == 2 then error("two") else {v: .} end' <<<'[1]
[1,2]
[3]'
	assert_fails_with 'sw-enrich: stdin:2: --jq: jq: error: two' '{"v":1}'
	split sw-enrich --on-error skip -q --jq '.[] | if . == 2 then error("two") else {v: .} end' <<<'[1]
[1,2]
[3]'
	assert_status 0
	[ "$(cat "$T/stdout")" = '{"v":1}
{"v":3}' ]
}

@test "--where: keeps records for which the program is true" {
	run sw-enrich --where '.action == "login"' --stats "$DATA/web-actions.ndjson"
	assert_status 0
	want=$(jq -c 'select(.action == "login")' "$DATA/web-actions.ndjson")
	[ "$(grep -v '"tool"' <<<"$output")" = "$want" ]
	n=$(wc -l <"$DATA/web-actions.ndjson")
	kept=$(grep -vc '"tool"' <<<"$output")
	[[ $output == *"\"filtered\":$((n - kept))"* ]]
}

@test "--where leaves the record's text alone (big integers intact)" {
	run sw-enrich --where '.id > 0' <<<'{"id":1382700000000000001}'
	assert_status 0
	assert_output '{"id":1382700000000000001}'
}

@test "a record that is not an object is bad input for an operation that needs one" {
	split sw-enrich --uuid <<<'[1,2]'
	assert_fails_with 'sw-enrich: stdin:1: --uuid: record is not an object (array)'
}

# --- input ---------------------------------------------------------------

@test "duplicate keys: the last is the value, for reading, --set and --flatten, as in jq" {
	in='{"k":1,"t":{"x":1},"k":2,"t":{"x":2}}'
	# Reading: --where (jq) and plain paths agree on the last .k.
	run bash -c 'sw-enrich --where ".k == 2" --time .k --time-out e --time-output epoch_ms <<<"$1" | jq -c .e' _ "$in"
	assert_status 0
	assert_output 2000
	# Writing: what jq reads afterwards is the value set.
	run bash -c 'sw-enrich --set k=3 <<<"$1" | jq -c .k' _ "$in"
	assert_output 3
	run bash -c 'sw-enrich --time .k --time-output epoch_ms <<<"$1" | jq -c .k' _ "$in"
	assert_output 2000
	run bash -c 'sw-enrich --flatten .t <<<"$1"' _ "$in"
	assert_output '{"k":1,"k":2,"x":2}'
}

@test "-R: lines as strings, made objects by --jq" {
	run sw-enrich -R --jq '{line: .}' --set n=1 <<<'plain "text"
second'
	assert_status 0
	assert_output <<'EOF'
{"line":"plain \"text\"","n":1}
{"line":"second","n":1}
EOF
	split sw-enrich --raw-input --uuid <<<'text'
	assert_fails_with 'sw-enrich: stdin:1: --uuid: record is not an object (string)'
}

@test "--max-line: a longer line is bad input" {
	printf '{"a":1}\n{"a":"%s"}\n{"b":2}\n' "$(head -c 100 /dev/zero | tr '\0' x)" >"$T/in"
	run sw-enrich --max-line 50 "$T/in"
	assert_status 65
	[ "${lines[0]}" = '{"a":1}' ]
	[ "${lines[1]}" = 'sw-enrich: '"$T"'/in:2: line longer than 50 bytes (--max-line)' ]
	run sw-enrich --max-line 50 --on-error skip -q "$T/in"
	assert_status 0
	assert_output $'{"a":1}\n{"b":2}'
	run sw-enrich --max-line 1k "$T/in"
	assert_status 0
	# The dead letter keeps the line's head, and says it is one.
	run sw-enrich --max-line 50 --dead-letter "$T/dl" -q "$T/in"
	assert_status 0
	run cat "$T/dl"
	assert_output "{\"error\":\"line longer than 50 bytes (--max-line)\",\"source\":\"$T/in\",\"line\":2,\"input\":\"{\\\"a\\\":\\\"$(printf 'x%.0s' $(seq 44))\",\"truncated\":true}"
	# A head cut inside a character ends before it (the input stays text).
	printf '{"a":"%s"}\n' "$(printf 'é%.0s' $(seq 40))" >"$T/utf8"
	run sw-enrich --max-line 10 --dead-letter "$T/dl2" "$T/utf8"
	run jq -c '[.input, .truncated]' "$T/dl2"
	assert_output '["{\"a\":\"éé",true]'
}

@test "--max-line: an endless line is bad input (65) once it passes the limit" {
	run timeout -s KILL 60 sw-enrich --max-line 1M /dev/zero
	assert_status 65
	assert_output 'sw-enrich: /dev/zero:1: line longer than 1048576 bytes (--max-line)'
}

@test "--max-line: passing over an endless line under skip, SIGTERM still stops the tool" {
	sw-enrich --max-line 1k --dead-letter "$T/dl" -q /dev/zero &
	PID=$!
	for _ in $(seq 200); do
		[ -s "$T/dl" ] && break
		sleep 0.05
	done
	kill -TERM "$PID"
	timeout 60 tail --pid="$PID" -f /dev/null || { kill -9 "$PID"; false; }
	wait "$PID" && status=0 || status=$?
	PID=
	assert_status 0
	run jq -c '[.line, .truncated, (.input | length)]' "$T/dl"
	assert_output '[1,true,1024]'
}

@test "CRLF line ends and blank lines" {
	printf '{"a":1}\r\n\r\n\n{"a":2}\r\n   \n' >"$T/in"
	run sw-enrich --set b=true "$T/in"
	assert_status 0
	assert_output $'{"a":1,"b":true}\n{"a":2,"b":true}'
}

@test "a line of carriage returns (\\r\\r\\n) is blank, as in sw-files; one ending \\r\\r\\n is read" {
	printf '{"a":1}\r\r\n\r\r\n \r\t\r\n{"a":2}\n' >"$T/in"
	run sw-enrich --set b=true "$T/in"
	assert_status 0
	assert_output $'{"a":1,"b":true}\n{"a":2,"b":true}'
}

@test "several files and -" {
	run sw-enrich --set f=1 "$FX/set.ndjson" - "$FX/set.ndjson" <<<'{"stdin":true}'
	assert_status 0
	[ "${#lines[@]}" -eq 7 ]
	[ "${lines[3]}" = '{"stdin":true,"f":1}' ]
}

# --- bad input policy ----------------------------------------------------

@test "mixed.ndjson under --on-error fail: earlier output, one error, 65" {
	split sw-enrich --set seen=1 "$DATA/bad/mixed.ndjson"
	assert_fails_with "sw-enrich: $DATA/bad/mixed.ndjson:2: invalid JSON: unexpected end of input" \
		'{"name":"ok","action":"login","sendtime":1,"seen":1}'
}

@test "mixed.ndjson under --on-error skip: good records, a warning each" {
	split sw-enrich --on-error skip --set seen=1 "$DATA/bad/mixed.ndjson"
	assert_status 0
	src="$DATA/bad/mixed.ndjson"
	[ "$(cat "$T/stdout")" = '{"name":"ok","action":"login","sendtime":1,"seen":1}
{"name":"ok2","action":"cart","sendtime":2,"seen":1}' ]
	run cat "$T/stderr"
	assert_output <<EOF
sw-enrich: $src:2: invalid JSON: unexpected end of input
sw-enrich: $src:4: --set: record is not an object (array)
sw-enrich: $src:5: --set: record is not an object (string)
sw-enrich: $src:6: invalid JSON at byte 30: invalid UTF-8
EOF
}

@test "mixed.ndjson with --dead-letter: exact dead-letter lines" {
	sw-enrich --dead-letter "$T/dl" --set seen=1 -q <"$DATA/bad/mixed.ndjson" >"$T/out"
	[ "$(cat "$T/out")" = '{"name":"ok","action":"login","sendtime":1,"seen":1}
{"name":"ok2","action":"cart","sendtime":2,"seen":1}' ]
	run cat "$T/dl"
	[ "${lines[0]}" = '{"error":"invalid JSON: unexpected end of input","source":"stdin","line":2,"input":"{\"name\":\"broken\", \"action\": "}' ]
	[ "${lines[1]}" = '{"error":"--set: record is not an object (array)","source":"stdin","line":4,"input":"[1,2,3]"}' ]
	[ "${lines[2]}" = '{"error":"--set: record is not an object (string)","source":"stdin","line":5,"input":"\"just a string\""}' ]
	[[ ${lines[3]} == '{"error":"invalid JSON at byte 30: invalid UTF-8","source":"stdin","line":6,"input":null,"input_base64":"'* ]]
	[ "${#lines[@]}" -eq 4 ]
}

@test "invalid UTF-8 is bad input, never replaced" {
	printf '{"a":"\xff"}\n' >"$T/in"
	run sw-enrich "$T/in"
	assert_status 65
	[[ $output == *"$T/in:1: invalid JSON"*"invalid UTF-8"* ]]
	printf 'ok\n\xc3\x28\n' >"$T/raw"
	run sw-enrich -R "$T/raw"
	assert_status 65
	[ "${lines[0]}" = '"ok"' ]
	[ "${lines[1]}" = "sw-enrich: $T/raw:2: invalid UTF-8 at byte 1" ]
}

# --- usage and exit codes ------------------------------------------------

@test "exit 64: unknown flag, bad values" {
	run sw-enrich --no-such-flag
	assert_status 64
	[[ $output == *"Try 'sw-enrich --help'."* ]]
	local bad
	for bad in "--time-unit x" "--time-output iso" "--tz Mars/Base" \
		"--set noequals" "--set =v" "--jq .[" "--where )" "--max-line 0" \
		"--on-error maybe" "--time-out x" "--time (.a" "--uuid="; do
		run sw-enrich $bad </dev/null
		[ "$status" -eq 64 ] || { echo "$bad: status $status: $output"; return 1; }
		[[ ${lines[0]} == sw-enrich:* ]] || { echo "$bad: $output"; return 1; }
	done
	run sw-enrich --tz Mars/Base
	[ "${lines[0]}" = 'sw-enrich: --tz: unknown time zone: "Mars/Base"' ]
	run sw-enrich --time
	assert_status 64
}

@test "exit 74: output to a full disk" {
	[ -w /dev/full ]
	run bash -c 'sw-enrich --uuid <"$1" >/dev/full' _ "$DATA/sensortag.ndjson"
	assert_status 74
	[[ $output == *"sw-enrich: write error: No space left on device"* ]]
}

@test "exit 74: an input that cannot be read" {
	run sw-enrich "$T/no-such-file"
	assert_status 74
	[[ $output == "sw-enrich: $T/no-such-file"* ]]
}

@test "exit 0, quietly, when the reader goes away" {
	run bash -c 'yes "{}" | head -n 200000 | sw-enrich --uuid 2>"$1" | head -n 1
		echo "sw-enrich: ${PIPESTATUS[2]}"' _ "$T/err"
	assert_status 0
	[[ ${lines[0]} =~ ^\{\"uuid\":\" ]]
	[ "${lines[1]}" = "sw-enrich: 0" ]
	[ "${#lines[@]}" -eq 2 ]
	[ ! -s "$T/err" ]
}

@test "--stats, --quiet, --verbose, --progress" {
	run sw-enrich --stats --on-error skip --quiet --verbose --progress \
		--set x=1 "$DATA/bad/mixed.ndjson"
	assert_status 0
	[ "${#lines[@]}" -eq 3 ]
	[[ ${lines[2]} =~ ^\{\"tool\":\"sw-enrich\",\"records_in\":6,\"records_out\":2,\"errors\":4,\"seconds\":[0-9.]+,\"filtered\":0\}$ ]]
}

@test "--version names the tool and libjq" {
	run sw-enrich --version
	assert_status 0
	[[ ${lines[0]} =~ ^sw-enrich\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	[[ ${lines[1]} == libjq* ]]
}

# --- streaming -----------------------------------------------------------

# One line in, one line out, with the input still open.
roundtrip() {
	coproc ENRICH { exec sw-enrich "$@" --set seen=1; }
	PID=$ENRICH_PID
	echo '{"n":1}' >&"${ENRICH[1]}"
	read -r -t 10 line <&"${ENRICH[0]}"
	[ "$line" = '{"n":1,"seen":1}' ]
	echo '{"n":2}' >&"${ENRICH[1]}"
	read -r -t 10 line <&"${ENRICH[0]}"
	[ "$line" = '{"n":2,"seen":1}' ]
	exec {ENRICH[1]}>&-
	wait "$PID"
	PID=
}

@test "output is not held back while waiting for input" {
	roundtrip
}

@test "-u/--unbuffered: flushed after every record" {
	roundtrip -u
	roundtrip --unbuffered
}

@test "SIGTERM mid-stream: exit 0 with everything read so far written" {
	mkfifo "$T/in"
	sw-enrich --set seen=1 <"$T/in" >"$T/out" &
	PID=$!
	exec 7>"$T/in"
	printf '{"n":%d}\n' 1 2 3 >&7
	for _ in $(seq 100); do
		[ "$(wc -l <"$T/out")" -eq 3 ] && break
		sleep 0.1
	done
	kill -TERM "$PID"
	wait "$PID" && status=0 || status=$?
	PID=
	exec 7>&-
	[ "$status" -eq 0 ]
	[ "$(cat "$T/out")" = '{"n":1,"seen":1}
{"n":2,"seen":1}
{"n":3,"seen":1}' ]
}

@test "--time: years outside 0000-9999 in ISO 8601 expanded form, both ways; leap seconds only at 23:59:60 UTC" {
	printf '%s\n' '{"t":"+10000-01-01T00:00:00Z"}' '{"t":"-0768-02-04T12:00:00+01:00"}' \
		'{"t":"2015-06-30T23:59:60.5Z"}' '{"t":"2015-07-01T08:59:60+09:00"}' \
		>"$BATS_TEST_TMPDIR/years.ndjson"
	run sw-enrich --time .t --time-out ts "$BATS_TEST_TMPDIR/years.ndjson"
	assert_status 0
	[ "${lines[0]}" = '{"t":"+10000-01-01T00:00:00Z","ts":"+10000-01-01T00:00:00.000Z"}' ]
	[ "${lines[1]}" = '{"t":"-0768-02-04T12:00:00+01:00","ts":"-0768-02-04T11:00:00.000Z"}' ]
	[ "${lines[2]}" = '{"t":"2015-06-30T23:59:60.5Z","ts":"2015-07-01T00:00:00.500Z"}' ]
	[ "${lines[3]}" = '{"t":"2015-07-01T08:59:60+09:00","ts":"2015-07-01T00:00:00.000Z"}' ]
	# what it writes, it reads
	sw-enrich --time .ts --time-output epoch_ms <<<"${lines[1]}" | jq -e '.ts == -86399960400000' >/dev/null
	for bad in '"-768-02-04"' '"10000-01-01T00:00:00Z"' '"2015-06-30T23:58:60Z"' '"2015-06-29T23:59:60Z"'; do
		run sw-enrich --time .t --time-out ts <<<"{\"t\":$bad}"
		assert_status 65
	done
}
