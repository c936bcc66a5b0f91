#!/usr/bin/env bats
# The example pipelines of examples/, run for real against the embedded
# Kafka, mosquitto and the Elasticsearch double; each result is checked
# against the same computation done independently with jq or Python.

load test_helper

# 10-second windows as RFC 3339 strings, from epoch seconds.
JQ_WINDOW='def rfc: todate | sub("Z$"; ".000Z");'

@test "example 1: the web funnel per 10-second window" {
	run --separate-stderr timeout 120 "$ROOT/examples/01-web-funnel.sh" 600
	assert_status 0
	want=$(sw-gen web --count 600 --seed 42 | jq -sc "$JQ_WINDOW"'
		group_by([(.sendtime / 10000 | floor), .action])[]
		| (.[0].sendtime / 10000 | floor) as $w
		| {window: {start: ($w * 10 | rfc), end: ($w * 10 + 10 | rfc)},
		   action: .[0].action, count: length,
		   users: (map(.name) | unique | length)}')
	[ -n "$want" ]
	assert_output "$want"
	# The enriched records shown on stderr carry what sw-enrich added.
	grep -q '"uuid":"' <<<"$stderr"
	grep -q '"lag_ms":' <<<"$stderr"
}

@test "example 2: SensorTag 2-minute averages in Asia/Tokyo, through Kafka" {
	run --separate-stderr timeout 120 "$ROOT/examples/02-sensortag.sh" 3000
	assert_status 0
	want=$(sw-gen sensor --count 3000 --seed 7 | jq -sc '
		def tokyo: . + 32400 | todate | sub("Z$"; ".000+09:00");
		group_by([(.time / 120 | floor), .bid])[]
		| (.[0].time / 120 | floor) as $w
		| {window: {start: ($w * 120 | tokyo), end: ($w * 120 + 120 | tokyo)},
		   bid: .[0].bid, avg_ambient: (map(.ambient) | add / length),
		   avg_rh: (map(.rh) | add / length), count: length}' | sort)
	got=$(jq -c . <<<"$output" | sort)
	[ -n "$want" ]
	[ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got") | head; return 1; }
}

@test "example 3: Avro written with schema v1, read with v2, through a container file" {
	run --separate-stderr timeout 120 "$ROOT/examples/03-avro-evolution.sh" 20
	assert_status 0
	want=$(sw-gen web --count 20 --seed 5 | jq -c '. + {temp: null}')
	assert_output "$want"
}

@test "example 4: top 10 hashtags over 3-hour windows sliding every 5 minutes" {
	run --separate-stderr timeout 120 "$ROOT/examples/04-top-hashtags.sh" "$DATA/tweets.ndjson"
	assert_status 0
	[ -n "$output" ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/top"
	python3 - "$DATA/tweets.ndjson" "$BATS_TEST_TMPDIR/top" <<'PY'
import collections, datetime, json, re, sys
size, slide = 3 * 3600, 300
counts = collections.defaultdict(collections.Counter)
for line in open(sys.argv[1]):
    t = json.loads(line)
    ts = int(datetime.datetime.strptime(t["created_at"], "%a %b %d %H:%M:%S %z %Y").timestamp())
    tags = set(re.findall(r"#[^\s#.,!?;:]+", t["text"]))
    last = ts - ts % slide
    for start in range(last, ts - size, -slide):
        for tag in tags:
            counts[start][tag] += 1
def rfc(s):
    return datetime.datetime.fromtimestamp(s, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
rows = collections.defaultdict(list)
for line in open(sys.argv[2]):
    r = json.loads(line)
    assert list(r) == ["window", "hashtag", "count"], r
    rows[(r["window"]["start"], r["window"]["end"])].append(r)
want_windows = {(rfc(s), rfc(s + size)) for s in counts if counts[s]}
assert set(rows) == want_windows, (len(rows), len(want_windows))
for start, c in counts.items():
    got = rows[(rfc(start), rfc(start + size))]
    for r in got:
        assert c[r["hashtag"]] == r["count"], (start, r, c[r["hashtag"]])
    want_top = sorted(c.values(), reverse=True)[:10]
    assert [r["count"] for r in got] == want_top, (start, got, want_top)
print("checked", len(rows), "windows")
PY
}

@test "example 5: MQTT machine reports enriched and indexed into the Elasticsearch double" {
	load helpers/mqtt
	load helpers/es
	mqtt_start
	es_start
	# Retained messages reach the subscriber whenever it connects.
	for m in m1 m2 m3; do
		sed "s/test-machine-plusone/machine-$m/" "$DATA/mqtt-machine.txt" \
			| mosquitto_pub -p "$MQTT_PORT" -t "machines/$m" -q 1 -r -s
	done
	run --separate-stderr timeout 60 "$ROOT/examples/05-mqtt-to-es.sh" \
		"127.0.0.1:$MQTT_PORT" "$ES_URL" 3
	assert_status 0
	[ "$(es_count machines-2017.02.10)" -eq 3 ]
	run es_docs machines-2017.02.10
	[ "${#lines[@]}" -eq 3 ]
	for m in m1 m2 m3; do
		grep -q "\"machine_name\":\"machine-$m\"" <<<"$output"
	done
	# Every document: the report's fields as JSON, plus what sw-enrich added.
	while IFS=$'\t' read -r id doc; do
		jq -e --arg id "$id" '$id == "\(.machine_name)/2017/02/10 16:42:23/1"
			and (.uuid | test("^[0-9a-f-]{36}$")) and .program_name == "plusone-test-sparkstreaming"
			and .started == "2017-02-10T16:42:23.000Z" and (.processed_at | type) == "string"' \
			<<<"$doc" >/dev/null
	done <<<"$output"
	# A replay (the retained reports read again) indexes nothing twice.
	run --separate-stderr timeout 60 "$ROOT/examples/05-mqtt-to-es.sh" \
		"127.0.0.1:$MQTT_PORT" "$ES_URL" 3
	assert_status 0
	[ "$(es_count machines-2017.02.10)" -eq 3 ]
}

teardown() {
	declare -F es_stop >/dev/null && es_stop || true
	declare -F mqtt_cleanup >/dev/null && mqtt_cleanup || true
}

@test "example 6: seed job 2, Avro v1 on Kafka read with v2 into Parquet and Avro directories, read back by DuckDB" {
	run --separate-stderr timeout 180 "$ROOT/examples/06-seed2-files.sh" 20 "$BATS_TEST_TMPDIR/lake"
	assert_status 0
	want=$(sw-gen web --count 20 --seed 5 | jq -sc 'map(. + {temp: null}) | sort_by(.sendtime, .name)[]')
	# DuckDB's table: a header, a rule and the 20 rows in sendtime order.
	[ "${lines[0]}" = "name    | action | sendtime      | temp" ]
	diff <(printf '%s\n' "${lines[@]:2:20}" | awk -F' *[|] *' '{ printf "{\"name\":\"%s\",\"action\":\"%s\",\"sendtime\":%s,\"temp\":null}\n", $1, $2, $3 }') \
		<(printf '%s\n' "$want")
	# The Avro directory, read back by sw-avro.
	diff <(printf '%s\n' "${lines[@]:22}") <(printf '%s\n' "$want")
	# Hive directories by action, and the second run of the Parquet query
	# added nothing: one commit only.
	[ "$(ls "$BATS_TEST_TMPDIR/lake/users.parquet" | grep -c '^action=')" -eq 3 ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/lake/users.parquet/_sw_log")" -eq 1 ]
}
