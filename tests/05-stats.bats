#!/usr/bin/env bats
# Progress reports (sw(7), PROGRESS REPORTS): --stats-every, --stats-file,
# --stats-format json|prometheus, and --progress, which shows the same
# figures.  Timing is asserted on the order of lines and on counters,
# never on wall time.

load test_helper

setup() {
	T=$BATS_TEST_TMPDIR
}

teardown() {
	local p
	for p in ${BG_PIDS:-}; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	if declare -F kafka_stop >/dev/null; then kafka_stop || true; fi
	if declare -F es_stop >/dev/null; then es_stop; fi
	if declare -F mqtt_cleanup >/dev/null; then mqtt_cleanup; fi
}

# A python3 with Debian's prometheus_client (python3-prometheus-client).
prom_python() {
	local py
	for py in python3 /usr/bin/python3; do
		if "$py" -c 'import prometheus_client' 2>/dev/null; then
			echo "$py"
			return 0
		fi
	done
	echo "no python3 with prometheus_client" >&2
	return 1
}

# prom_parse FILE: "name type labels value" per sample, by the real parser.
prom_parse() {
	local py
	py=$(prom_python) || return 1
	"$py" - "$1" <<'EOF'
import sys
from prometheus_client.parser import text_string_to_metric_families
with open(sys.argv[1]) as f:
    for fam in text_string_to_metric_families(f.read()):
        for s in fam.samples:
            labels = ",".join("%s=%s" % kv for kv in sorted(s.labels.items()))
            print(s.name, fam.type, labels or "-", repr(s.value))
EOF
}

# lines_at_least FILE N
lines_at_least() {
	[ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]
}

wait_until() {
	local limit=$(($1 * 10)) i
	shift
	for ((i = 0; i < limit; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	echo "timed out waiting for: $*" >&2
	return 1
}

# --- the line and its timing ------------------------------------------------

@test "stats-every: reports come out while the input pauses, before the next record" {
	# stdout and stderr share one pipe: the order of the lines is the
	# order they were written in.
	run bash -c '{ echo "{\"a\":1}"; sleep 3; echo "{\"b\":2}"; } |
		sw-enrich --stats-every 500ms 2>&1'
	assert_status 0
	# Reports with one record in while the input pauses (none before it,
	# unless the machine is slow enough for one to come first), then b,
	# then the report of the exit (after a periodic one, when a tick comes
	# between b and the end of input).
	printf '%s\n' "${lines[@]}" | jq -se '
		[foreach .[] as $l ({seen: 0};
			if $l.tool == "sw-enrich" then .rep = $l else .seen += 1 | .rep = null end;
			select(.rep) | {seen, in: .rep.records_in, out: .rep.records_out})] as $r
		| map(select(.tool != "sw-enrich")) == [{a: 1}, {b: 2}]
		and ($r | all(.in == .seen and .out == .seen))
		and ($r | map(select(.seen == 1)) | length >= 3)
		and ($r | map(select(.seen == 2)) | length | . >= 1 and . <= 2)
		and ($r | .[-1].seen == 2)'
}

@test "stats-every: the records a report counts are written before it" {
	# A report due in the middle of a busy stream: stdout is flushed
	# first, so a report never counts records the reader has not seen.
	awk 'BEGIN { for (i = 0; i < 300000; i++) printf "{\"n\":%d}\n", i }' >"$T/in"
	sw-enrich --stats-every 10ms "$T/in" >"$T/all" 2>&1
	awk '/"tool":"sw-enrich"/ { if (match($0, /"records_out":[0-9]+/)) {
			n = substr($0, RSTART + 14, RLENGTH - 14) + 0
			if (n > seen) { print "report counts " n ", " seen " written"; bad = 1 }
			if (seen < 300000) mid++ }
		next }
		{ seen++ }
		END { if (!mid) print "no report in the middle of the stream"
		      exit bad || !mid }' "$T/all"
}

@test "stats-every: the fields, rates over the interval, one line at exit" {
	seq 1 1000 | jq -c '{n: .}' >"$T/in"
	run sw-enrich --stats-every 1h --where '.n > 400' "$T/in"
	assert_status 0
	[ "${#lines[@]}" -eq 601 ]
	last=${lines[600]}
	jq -e '.tool == "sw-enrich" and .records_in == 1000 and .records_out == 600
		and .errors == 0 and .filtered == 400 and (.seconds | type) == "number"
		and (.records_in_per_s > 0) and (.records_out_per_s > 0)
		and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$"))' <<<"$last"
	# --stats keeps its line, the same counters without the rates.
	run sw-enrich --stats "$T/in"
	jq -e '.records_in == 1000 and .filtered == 0 and (has("records_in_per_s") | not)' <<<"${lines[1000]}"
}

@test "stats-every: --stats-file appends, stderr stays quiet" {
	echo '{"a":1}' >"$T/in"
	sw-enrich --stats-every 1h --stats-file "$T/stats" "$T/in" >/dev/null 2>"$T/err"
	sw-enrich --stats-every 1h --stats-file "$T/stats" "$T/in" "$T/in" >/dev/null 2>>"$T/err"
	[ ! -s "$T/err" ]
	run jq -c '[.tool, .records_in]' "$T/stats"
	assert_output <<'EOF'
["sw-enrich",1]
["sw-enrich",2]
EOF
}

@test "stats-every: bad values are usage errors (64)" {
	run sw-enrich --stats-every 0 </dev/null
	assert_status 64
	[[ $output == *"--stats-every"* ]]
	run sw-enrich --stats-every soon </dev/null
	assert_status 64
	run sw-enrich --stats-every 1s --stats-format xml </dev/null
	assert_status 64
	[[ $output == *"expected json or prometheus"* ]]
	run sw-enrich --stats-every 1s --stats-format prometheus </dev/null
	assert_status 64
	[[ $output == *"needs --stats-file"* ]]
	run sw-window --time .t --tumble 1s --stats-file "$T/s" </dev/null
	assert_status 64
	[[ $output == *"need --stats-every"* ]]
	[ ! -e "$T/s" ]
}

@test "stats-every: an unwritable --stats-file is an I/O error (74) naming it" {
	run sw-enrich --stats-every 1s --stats-file "$T/no/such/dir/stats" </dev/null
	assert_status 74
	[[ $output == "sw-enrich: --stats-file: $T/no/such/dir/stats: No such file or directory" ]]
	run sw-enrich --stats-every 1s --stats-format prometheus \
		--stats-file "$T/no/such/dir/sw.prom" </dev/null
	assert_status 74
	[[ $output == *"--stats-file: "*"no/such/dir"* ]]
}

# --- Prometheus ---------------------------------------------------------------

@test "stats-format prometheus: text format the real parser reads, replaced atomically" {
	seq 1 10 | jq -c '{n: .}' >"$T/in"
	mkdir "$T/prom"
	run sw-enrich --stats-every 1h --stats-format prometheus \
		--stats-file "$T/prom/sw.prom" --where '.n > 3' "$T/in"
	assert_status 0
	[ "${#lines[@]}" -eq 7 ]
	# Only the file: no temporary file left beside it.
	[ "$(ls -A "$T/prom")" = sw.prom ]
	grep -qx '# HELP sw_enrich_records_in_total Records read' "$T/prom/sw.prom"
	grep -qx '# TYPE sw_enrich_records_in_total counter' "$T/prom/sw.prom"
	run prom_parse "$T/prom/sw.prom"
	assert_status 0
	grep -qx 'sw_enrich_records_in_total counter - 10.0' <<<"$output"
	grep -qx 'sw_enrich_records_out_total counter - 7.0' <<<"$output"
	grep -qx 'sw_enrich_errors_total counter - 0.0' <<<"$output"
	grep -qx 'sw_enrich_filtered_total counter - 3.0' <<<"$output"
	grep -q '^sw_enrich_records_in_per_s gauge - ' <<<"$output"
	grep -q '^sw_enrich_seconds gauge - ' <<<"$output"
	grep -q '^sw_enrich_time_seconds gauge - ' <<<"$output"
}

@test "stats-format prometheus: the file is there from the start and follows the run" {
	mkfifo "$T/fifo"
	sw-enrich --stats-every 200ms --stats-format prometheus \
		--stats-file "$T/sw.prom" <"$T/fifo" >"$T/out" &
	BG_PIDS=$!
	exec {w}>"$T/fifo"
	wait_until 20 test -s "$T/sw.prom"
	prom_parse "$T/sw.prom" | grep -qx 'sw_enrich_records_in_total counter - 0.0'
	echo '{"a":1}' >&$w
	wait_until 20 grep -qx 'sw_enrich_records_in_total 1' "$T/sw.prom"
	exec {w}>&-
	wait "$BG_PIDS"
	BG_PIDS=
}

# --- --progress -------------------------------------------------------------

@test "progress: a redrawn line on a terminal, the same figures" {
	command -v script >/dev/null
	run script -qec "bash -c '{ echo \"{\\\"a\\\":1}\"; sleep 2.5; } | sw-enrich --progress --where false >/dev/null'" /dev/null
	assert_status 0
	# Each redraw returns to the start of the line and clears it.
	[[ $output == *$'\r\e[Ksw-enrich: 1 in ('*'/s), 0 out ('*'/s), 0 errors, filtered 1'* ]]
}

@test "progress: nothing when stderr is not a terminal" {
	run bash -c '{ echo "{\"a\":1}"; sleep 1.5; } | sw-enrich --progress 2>"$0/err" >/dev/null' "$T"
	assert_status 0
	[ ! -s "$T/err" ]
}

# --- each tool's own figures ----------------------------------------------

@test "sw-window: watermark, open windows and rows, late rows" {
	printf '%s\n' '{"t":10,"k":"a"}' '{"t":25,"k":"b"}' '{"t":1,"k":"a"}' >"$T/in"
	run sw-window --time .t --tumble 10s --group-by .k --count \
		--stats-every 1h --stats-file "$T/stats" "$T/in"
	assert_status 0
	run jq -c '[.records_in, .late, .open_windows, .open_rows, .watermark]' "$T/stats"
	# At the exit every window has been written.
	assert_output '[3,1,0,0,null]'
	mkfifo "$T/fifo"
	sw-window --time .t --tumble 10s --group-by .k --count --stats-every 200ms \
		--stats-file "$T/stats2" <"$T/fifo" >"$T/out" &
	BG_PIDS=$!
	exec {w}>"$T/fifo"
	printf '%s\n' '{"t":10,"k":"a"}' '{"t":25,"k":"b"}' '{"t":1,"k":"a"}' >&$w
	wait_until 20 grep -q '"records_in":3' "$T/stats2"
	line=$(grep '"records_in":3' "$T/stats2" | head -1)
	jq -e '.late == 1 and .open_windows == 1 and .open_rows == 1
		and .watermark == "1970-01-01T00:00:25.000Z"' <<<"$line"
	exec {w}>&-
	wait "$BG_PIDS"
	BG_PIDS=
}

@test "sw-files --follow: reports while the directory is idle, files_pending" {
	mkdir "$T/d"
	echo '{"a":1}' >"$T/d/1.ndjson"
	sw-files --follow "$T/d" --stats-every 200ms --stats-file "$T/stats" >"$T/out" 2>"$T/err" &
	BG_PIDS=$!
	wait_until 20 lines_at_least "$T/stats" 3
	kill -TERM "$BG_PIDS"
	wait "$BG_PIDS"
	BG_PIDS=
	tail -1 "$T/stats" | jq -e '.records_out == 1 and .files == 1 and .files_pending == 0'
}

@test "sw-gen: reports at their time between paced events" {
	run bash -c 'sw-gen web --count 3 --rate 2 --stats-every 200ms 2>&1 >/dev/null'
	assert_status 0
	[ "${#lines[@]}" -ge 4 ]
	jq -e '.tool == "sw-gen" and .records_out == 3' <<<"${lines[-1]}"
}

@test "sw-consume: lag per partition and in total, reports on a quiet topic" {
	load helpers/kafka
	kafka_start --topic lag:2
	printf '%s\n' '{"a":1}' '{"a":2}' | sw-produce -b "$KAFKA_BROKERS" -t lag -p 0
	echo '{"a":3}' | sw-produce -b "$KAFKA_BROKERS" -t lag -p 1
	run sw-consume -b "$KAFKA_BROKERS" -t lag -e --stats-every 1h --stats-file "$T/stats"
	assert_status 0
	[ "${#lines[@]}" -eq 3 ]
	run jq -c '[.records_out, .total_lag, (.partitions | map([.topic, .partition, .offset, .high_watermark, .lag]))]' "$T/stats"
	assert_output '[3,0,[["lag",0,2,2,0],["lag",1,1,1,0]]]'
	# --stats at exit has the same rows.
	sw-consume -b "$KAFKA_BROKERS" -t lag -e --stats >/dev/null 2>"$T/err"
	run jq -c '[.records_out, .total_lag, (.partitions | map([.topic, .partition, .offset, .high_watermark, .lag]))]' "$T/err"
	assert_output '[3,0,[["lag",0,2,2,0],["lag",1,1,1,0]]]'
	# Quiet: the reports go on while nothing comes.
	sw-consume -b "$KAFKA_BROKERS" -t lag --stats-every 200ms --stats-format prometheus \
		--stats-file "$T/c.prom" >"$T/out" 2>"$T/err" &
	BG_PIDS=$!
	wait_until 30 grep -q '^sw_consume_records_out_total 3' "$T/c.prom"
	echo '{"a":4}' | sw-produce -b "$KAFKA_BROKERS" -t lag -p 1
	wait_until 30 grep -q '^sw_consume_high_watermark{topic="lag",partition="1"} 2' "$T/c.prom"
	run prom_parse "$T/c.prom"
	grep -qx 'sw_consume_lag gauge partition=0,topic=lag 0.0' <<<"$output"
	grep -qx 'sw_consume_offset gauge partition=1,topic=lag 2.0' <<<"$output"
	grep -qx 'sw_consume_total_lag gauge - 0.0' <<<"$output"
	grep -qx 'sw_consume_data_loss_partitions_total counter - 0.0' <<<"$output"
}

@test "sw-produce: acknowledged, failed, in flight" {
	load helpers/kafka
	kafka_start --topic p
	seq 1 5 | jq -c '{n: .}' >"$T/in"
	run sw-produce -b "$KAFKA_BROKERS" -t p --stats-every 1h --stats-file "$T/stats" "$T/in"
	assert_status 0
	jq -e '.records_in == 5 and .produced == 5 and .acked == 5 and .failed == 0
		and .in_flight == 0' "$T/stats"
}

@test "sw-sink-es: indexed documents and the checkpoint's offsets, while waiting" {
	load helpers/es
	es_start
	mkfifo "$T/fifo"
	sw-sink-es --url "$ES_URL" --index ck --checkpoint "$T/ck" --stats-every 200ms \
		--stats-format prometheus --stats-file "$T/es.prom" <"$T/fifo" >"$T/out" 2>"$T/err" &
	BG_PIDS=$!
	exec {w}>"$T/fifo"
	head -3 "$FIXTURES/es/envelope.ndjson" >&$w
	# The input stays open: the reports come while the sink waits.
	wait_until 30 grep -q '^sw_sink_es_indexed_total 3' "$T/es.prom"
	run prom_parse "$T/es.prom"
	grep -qx 'sw_sink_es_checkpoint_offset gauge partition=0,topic=web 2.0' <<<"$output"
	grep -qx 'sw_sink_es_checkpoint_offset gauge partition=1,topic=web 11.0' <<<"$output"
	grep -qx 'sw_sink_es_in_flight gauge - 0.0' <<<"$output"
	exec {w}>&-
	wait "$BG_PIDS"
	BG_PIDS=
	# --stats at exit has the checkpoint's offsets too.
	head -3 "$FIXTURES/es/envelope.ndjson" |
		sw-sink-es --url "$ES_URL" --index ck2 --checkpoint "$T/ck2" --stats 2>"$T/err"
	run jq -c '[.indexed, (.partitions | map([.topic, .partition, .checkpoint_offset]))]' "$T/err"
	assert_output '[3,[["web",0,2],["web",1,11]]]'
}

@test "sw-mqtt sub: reconnects, reports while the topic is quiet" {
	load helpers/mqtt
	mqtt_start
	sw-mqtt sub -b "127.0.0.1:$MQTT_PORT" -t quiet --stats-every 200ms --stats-file "$T/stats" \
		>"$T/out" 2>"$T/err" &
	BG_PIDS=$!
	wait_until 30 lines_at_least "$T/stats" 3
	kill -TERM "$BG_PIDS"
	wait "$BG_PIDS"
	BG_PIDS=
	tail -1 "$T/stats" | jq -e '.tool == "sw-mqtt" and .records_out == 0 and .reconnects == 0'
}

@test "sw-mqtt pub: messages in flight (unacked) and reconnects" {
	load helpers/mqtt
	mqtt_start
	printf '%s\n' '{"a":1}' '{"a":2}' >"$T/in"
	run sw-mqtt pub -b "127.0.0.1:$MQTT_PORT" -t x --qos 1 --stats-every 1h --stats-file "$T/stats" "$T/in"
	assert_status 0
	jq -e '.records_out == 2 and .unacked == 0 and .reconnects == 0' "$T/stats"
}

@test "sw-kafka-mock: commands as records, brokers" {
	mkfifo "$T/ctl"
	sw-kafka-mock --brokers 2 --stats-every 1h --stats-file "$T/stats" <"$T/ctl" >"$T/out" 2>"$T/err" &
	BG_PIDS=$!
	exec {w}>"$T/ctl"
	echo 'topic a:1' >&$w
	echo 'no-such-command' >&$w
	wait_until 30 lines_at_least "$T/out" 3
	exec {w}>&-
	wait "$BG_PIDS"
	BG_PIDS=
	jq -e '.records_in == 2 and .records_out == 1 and .errors == 1 and .brokers == 2' "$T/stats"
}

@test "every tool takes --stats-every, --stats-file and --stats-format" {
	local t bad=""
	for t in "sw-avro decode" "sw-avro encode" sw-consume sw-enrich sw-files sw-gen \
		sw-kafka-mock "sw-mqtt sub" "sw-mqtt pub" sw-produce sw-sink-es sw-sink-files sw-window; do
		# $t unquoted: a command and its subcommand.
		run $t --stats-every 0
		[ "$status" -eq 64 ] || bad="$bad $t"
		[[ $output == *"--stats-every: '0'"* ]] || bad="$bad $t(message)"
	done
	[ -z "$bad" ] || { echo "bad:$bad"; return 1; }
}

# --- sw-avro ------------------------------------------------------------------

@test "sw-avro: --stats-every, --stats-file and --stats-format on every command" {
	sw-avro encode --schema "$FIXTURES/avro/all.avsc" "$FIXTURES/avro/all.ndjson" >"$T/a.avro"
	run sw-avro decode --stats-every 1h --stats-file "$T/stats" "$T/a.avro"
	assert_status 0
	[ "${#lines[@]}" -eq 4 ]
	jq -e '.tool == "sw-avro" and .records_in == 4 and .records_out == 4' "$T/stats"
	run sw-avro encode --schema "$FIXTURES/avro/all.avsc" --stats-every 1h \
		--stats-format prometheus --stats-file "$T/a.prom" "$FIXTURES/avro/all.ndjson"
	assert_status 0
	grep -qx 'sw_avro_records_in_total 4' "$T/a.prom"
	run sw-avro schema --stats-every 1h --stats-file "$T/s2" "$T/a.avro"
	assert_status 0
	jq -e '.records_out == 1' "$T/s2"
}

@test "sw-avro decode: reports while a container on a pipe pauses, records first" {
	sw-avro encode --schema "$FIXTURES/avro/all.avsc" "$FIXTURES/avro/all.ndjson" >"$T/a.avro"
	head -c 20 "$T/a.avro" >"$T/head"
	tail -c +21 "$T/a.avro" >"$T/tail"
	# A pause inside the header, then one after the last block: the
	# reports come during both, and the records before the second.
	run bash -c '{ cat "$0/head"; sleep 2; cat "$0/tail"; sleep 2; } |
		sw-avro decode --stats-every 200ms 2>&1' "$T"
	assert_status 0
	# Each report counts the records written before it, no more (stdout
	# is flushed first); reports with nothing read yet during the first
	# pause, with every record during the second.
	printf '%s\n' "${lines[@]}" | jq -se '
		[foreach .[] as $l ({seen: 0};
			if ($l | type) == "object" and $l.tool == "sw-avro"
			then .rep = $l else .seen += 1 | .rep = null end;
			select(.rep) | {seen, in: .rep.records_in, out: .rep.records_out})] as $r
		| ($r | map(select(.seen == 0)) | length >= 3 and all(.in == 0))
		and ($r | map(select(.seen == 4)) | length >= 4 and all(.in == 4 and .out == 4))
		and ($r | all(.out == .seen))
		and ($r | .[-1].seen == 4)'
	[ "$(printf '%s\n' "${lines[@]}" | grep -vc '"tool":"sw-avro"')" -eq 4 ]
}

@test "sw-avro decode: framed datums and schema - report while stdin pauses" {
	sw-avro encode --schema "$FIXTURES/avro/all.avsc" --framing single-object \
		"$FIXTURES/avro/all.ndjson" >"$T/so"
	run bash -c '{ cat "$0/so"; sleep 2; } |
		sw-avro decode --schema "$FIXTURES/avro/all.avsc" --framing single-object \
		--stats-every 200ms --stats-file "$0/stats" >/dev/null' "$T"
	assert_status 0
	[ "$(jq -s 'map(select(.records_in == 0)) | length' "$T/stats")" -ge 3 ]
	sw-avro encode --schema "$FIXTURES/avro/all.avsc" "$FIXTURES/avro/all.ndjson" >"$T/a.avro"
	run bash -c '{ sleep 2; cat "$0/a.avro"; } |
		sw-avro schema --stats-every 200ms --stats-file "$0/stats2" -' "$T"
	assert_status 0
	[ "$(jq -s 'map(select(.records_out == 0)) | length' "$T/stats2")" -ge 3 ]
}

@test "sw-avro decode: a stop while stdin is quiet ends the wait" {
	mkfifo "$T/fifo"
	sw-avro decode --stats-every 100ms --stats-file "$T/stats" <"$T/fifo" >"$T/out" 2>"$T/err" &
	BG_PIDS=$!
	exec {w}>"$T/fifo"
	wait_until 20 lines_at_least "$T/stats" 2
	kill -TERM "$BG_PIDS"
	# The input stays open: only the stop can end the run.
	rc=0
	wait "$BG_PIDS" || rc=$?
	BG_PIDS=
	exec {w}>&-
	[ "$rc" -eq 0 ]
	[ ! -s "$T/err" ]
}

# --- waits at the start and on a full queue -----------------------------------

# reports_at_least FILE N JQ: N reports or more in FILE for which JQ holds.
reports_at_least() {
	[ -f "$1" ] && [ "$(jq -s "map(select($3)) | length" "$1")" -ge "$2" ]
}

@test "sw-consume, sw-produce: reports while the cluster does not answer" {
	port=$(free_port)
	run sw-consume -b "127.0.0.1:$port" -t x --timeout 2s --stats-every 200ms --stats-file "$T/c"
	assert_status 69
	# The exit's report and others before it, while waiting.
	reports_at_least "$T/c" 4 '.records_in == 0'
	run sw-produce -b "127.0.0.1:$port" -t x --timeout 2s --stats-every 200ms \
		--stats-file "$T/p" </dev/null
	assert_status 69
	reports_at_least "$T/p" 4 '.records_in == 0'
}

@test "sw-consume: a stop while waiting for the cluster ends the wait (0)" {
	sw-consume -b "127.0.0.1:$(free_port)" -t x --timeout 30s --stats-every 100ms \
		--stats-file "$T/c" >"$T/out" 2>"$T/err" &
	BG_PIDS=$!
	wait_until 20 lines_at_least "$T/c" 2
	kill -TERM "$BG_PIDS"
	rc=0
	wait "$BG_PIDS" || rc=$?
	BG_PIDS=
	[ "$rc" -eq 0 ]
	[ ! -s "$T/err" ]
}

@test "sw-mqtt: reports while the first connection is tried" {
	port=$(free_port)
	run sw-mqtt sub -b "127.0.0.1:$port" -t x --timeout 2s --stats-every 200ms --stats-file "$T/s"
	assert_status 69
	reports_at_least "$T/s" 4 '.records_in == 0'
	run sw-mqtt pub -b "127.0.0.1:$port" -t x --timeout 2s --stats-every 200ms \
		--stats-file "$T/p" </dev/null
	assert_status 69
	reports_at_least "$T/p" 4 '.records_in == 0'
}

@test "sw-produce: reports while librdkafka's queue is full; a stop ends that wait" {
	load helpers/kafka
	kafka_start --brokers 1 --topic q
	mkfifo "$T/fifo"
	sw-produce -b "$KAFKA_BROKERS" -t q -X queue.buffering.max.messages=5 --timeout 60s \
		--stats-every 200ms --stats-file "$T/stats" <"$T/fifo" >"$T/out" 2>"$T/err" &
	BG_PIDS=$!
	exec {w}>"$T/fifo"
	echo '{"n":0}' >&$w
	wait_until 30 reports_at_least "$T/stats" 1 '.acked == 1'
	kafka_cmd broker 1 down
	seq 1 50 | jq -c '{n: .}' >&$w
	# Five messages fill the queue and wait for the broker: the reports
	# go on meanwhile.
	# (A tool that neither reports nor stops there would wait for the
	# delivery timeout of every batch: it is killed.)
	wait_until 30 reports_at_least "$T/stats" 3 '.records_in == 51 and .in_flight > 0' ||
		{ kill -KILL "$BG_PIDS"; false; }
	kill -TERM "$BG_PIDS"
	# The messages not handed over are given up at once...
	wait_until 30 reports_at_least "$T/stats" 1 '.failed == 45' ||
		{ kill -KILL "$BG_PIDS"; false; }
	# ...and those handed over are still delivered.
	kafka_cmd broker 1 up
	rc=0
	wait "$BG_PIDS" || rc=$?
	BG_PIDS=
	exec {w}>&-
	[ "$rc" -eq 75 ]
	grep -q '45 of 51 messages not delivered (first error: stdin:7: Local: Queue full)' "$T/err"
	tail -1 "$T/stats" | jq -e '.acked == 6 and .failed == 45 and .in_flight == 0'
}
