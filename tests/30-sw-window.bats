#!/usr/bin/env bats
# sw-window: event-time windows, watermarks and output modes.  Expected
# outputs in tests/fixtures/window/ were worked out by hand from Spark's
# definitions (the reasoning is in the comments); the two larger ones
# (sensortag, tweets) were computed by an independent Python script.

load test_helper
load helpers/window

# The basic stream, seconds after 2021-12-12T03:17:00Z: a@1 a@4 b@12 a@7
# a@25 b@9.

@test "tumbling counts per group; records behind the watermark are late" {
	# wm 0: a@7 arrives after b@12 moved the watermark to 12, so
	# [0,10) is closed; b@9 likewise after a@25.
	run sw-window --time .time --tumble 10s --group-by .k --stats \
		"$WIN/late.ndjson"
	assert_status 0
	diff "$WIN/tumble.out" <(printf '%s\n' "$output" | grep -v '"tool"')
	stats_field late <<<"$output" | grep -qx 2
}

@test "late by event time but accepted while its window is open" {
	# --watermark 5s: after b@12 the watermark is 7 < 10, so a@7 counts.
	run sw-window --time .time --tumble 10s --watermark 5s --group-by .k \
		--stats "$WIN/late.ndjson"
	assert_status 0
	diff "$WIN/tumble-wm5.out" <(printf '%s\n' "$output" | grep -v '"tool"')
	stats_field late <<<"$output" | grep -qx 1
}

@test "sliding windows: a record late for one window counts in the next" {
	# a@7 is refused by [0,10) (closed at wm 12) and taken by [5,15).
	run sw-window --time .time --size 10s --slide 5s --group-by .k \
		"$WIN/late.ndjson"
	assert_status 0
	assert_output <"$WIN/sliding.out"
}

@test "sliding windows whose size is not a multiple of the slide" {
	# size 7 slide 3: t=1 is in [-3,4) and [0,7) only; t=12 in three.
	run sw-window --time .time --size 7s --slide 3s "$WIN/late.ndjson"
	assert_status 0
	assert_output <"$WIN/sliding-7-3.out"
}

@test "--size alone is tumbling" {
	run sw-window --time .time --size 10s --group-by .k "$WIN/late.ndjson"
	assert_status 0
	assert_output <"$WIN/tumble.out"
}

@test "--offset shifts window starts" {
	run sw-window --time .time --tumble 10s --offset 2s "$WIN/late.ndjson"
	assert_status 0
	assert_output <"$WIN/offset.out"
	run sw-window --time .time --tumble 10s --offset=-8s "$WIN/late.ndjson"
	assert_status 0
	assert_output <"$WIN/offset.out"
}

@test "--mode append, update and complete on the same input" {
	run sw-window --time .time --tumble 10s --mode append "$WIN/late.ndjson"
	assert_status 0
	assert_output <"$WIN/mode-append.out"
	# update: the changed row after each record; the end of input frees
	# the open windows without writing them again (Spark's update mode).
	run sw-window --time .time --tumble 10s --mode update "$WIN/late.ndjson"
	assert_status 0
	assert_output <"$WIN/mode-update.out"
	# complete: nothing is late; the whole table at the end.
	run sw-window --time .time --tumble 10s --mode complete --stats \
		"$WIN/late.ndjson"
	assert_status 0
	diff "$WIN/mode-complete.out" <(printf '%s\n' "$output" | grep -v '"tool"')
	stats_field late <<<"$output" | grep -qx 0
}

@test "--emit-every N: steps every N records" {
	# Steps after records 2, 4 and 6: a@7 comes before the watermark
	# reaches 12, so [0,10) takes it.
	run sw-window --time .time --tumble 10s --mode update --emit-every 2 \
		"$WIN/late.ndjson"
	assert_status 0
	assert_output <"$WIN/mode-update-every2.out"
	run sw-window --time .time --tumble 10s --mode complete --emit-every 3 \
		"$WIN/late.ndjson"
	assert_status 0
	assert_output <"$WIN/mode-complete-every3.out"
}

@test "--emit-every DUR: no step while input keeps coming from a file" {
	# A file never pauses, and an hour does not pass: the watermark stays
	# where it started, nothing is late, every window is written at the end.
	run sw-window --time .time --tumble 10s --group-by .k --emit-every 1h \
		"$WIN/late.ndjson"
	assert_status 0
	assert_output <"$WIN/flush.out"
}

@test "--emit-every DUR: a step whenever the input pauses" {
	# update mode writes a@1's row during the pause, before a@4 arrives;
	# then a@4's at the end of input, and nothing more.
	run bash -c "{ head -1 '$WIN/late.ndjson'; sleep 1; sed -n 2p '$WIN/late.ndjson'; } |
		timeout 20 sw-window --time .time --tumble 10s --mode update --emit-every 1h --time-output epoch_ms"
	assert_status 0
	assert_output <<-EOF
	{"window":{"start":1639279020000,"end":1639279030000},"count":1}
	{"window":{"start":1639279020000,"end":1639279030000},"count":2}
	EOF
}

@test "end of input writes every open window" {
	run sw-window --time .time --tumble 10s --watermark 1h --group-by .k \
		"$WIN/late.ndjson"
	assert_status 0
	assert_output <"$WIN/flush.out"
}

@test "end of input in update mode frees the open windows without writing them" {
	# Every window stays open to the end (watermark 1h): each row is
	# written when a record changes it, and the end adds nothing, as in
	# Spark's update mode.
	run sw-window --time .time --time-unit s --tumble 10s --watermark 1h \
		--mode update --group-by .k --sum .v --time-output epoch_ms <<-'EOF'
	{"time":1,"k":"a","v":1}
	{"time":12,"k":"b","v":2}
	{"time":3,"k":"a","v":4}
	EOF
	assert_status 0
	assert_output <<-'EOF'
	{"window":{"start":0,"end":10000},"k":"a","sum_v":1}
	{"window":{"start":10000,"end":20000},"k":"b","sum_v":2}
	{"window":{"start":0,"end":10000},"k":"a","sum_v":5}
	EOF
	# With --emit-every, the last step writes what the records since the
	# previous step changed, once, and the end frees the rest.
	run sw-window --time .time --time-unit s --tumble 10s --watermark 1h \
		--mode update --emit-every 2 --count --time-output epoch_ms <<-'EOF'
	{"time":1}
	{"time":2}
	{"time":13}
	EOF
	assert_status 0
	assert_output <<-'EOF'
	{"window":{"start":0,"end":10000},"count":2}
	{"window":{"start":10000,"end":20000},"count":1}
	EOF
	# Sessions too.
	run sw-window --time .time --time-unit s --session 5s --watermark 1h \
		--mode update --count --time-output epoch_ms <<-'EOF'
	{"time":1}
	{"time":3}
	EOF
	assert_status 0
	assert_output <<-'EOF'
	{"window":{"start":1000,"end":6000},"count":1}
	{"window":{"start":1000,"end":8000},"count":2}
	EOF
}

@test "group-by with averages of two fields, one sometimes missing" {
	run sw-window --time .time --tumble 10s --group-by .dev --count \
		--avg .temp --avg .hum --sum .temp "$WIN/avg.ndjson"
	assert_status 0
	assert_output <"$WIN/avg.out"
}

@test "every aggregate, with NAME= and the default names" {
	run sw-window --time .time --tumble 10s --count=n --sum total=.temp \
		--min .temp --max .hum --first .temp --last .hum --distinct .dev \
		"$WIN/avg.ndjson"
	assert_status 0
	assert_output <"$WIN/aggs.out"
}

@test "an aggregate option takes a comma-separated list: one aggregate per item" {
	in='{"time":0,"ambient":1,"rh":2,"a,b":3}'
	run bash -c 'sw-window --time .time --tumble 10s --time-output epoch_ms --avg .ambient,.rh --sum "x=.\"a,b\",.rh" --max "{a:.rh,b:.ambient}|.a" <<<"$1"' _ "$in"
	assert_status 0
	assert_output '{"window":{"start":0,"end":10000},"avg_ambient":1,"avg_rh":2,"x":3,"sum_rh":2,"max_{a:.rh,b:.ambient}|.a":2}'
	run sw-window --time .time --tumble 10s --min .a, </dev/null
	assert_status 64
}

@test "min, max, first, last keep JSON values; strings in jq's order" {
	run sw-window --time .t --time-unit s --tumble 10s --min .v --max .v \
		--first .v --last .v --distinct .v <<-'EOF'
	{"t":1,"v":"b"}
	{"t":2,"v":{"x":[1,2]}}
	{"t":3,"v":10}
	{"t":4,"v":"a"}
	{"t":5,"v":null}
	{"t":6,"v":"b"}
	EOF
	assert_status 0
	assert_output '{"window":{"start":"1970-01-01T00:00:00.000Z","end":"1970-01-01T00:00:10.000Z"},"min_v":10,"max_v":{"x":[1,2]},"first_v":"b","last_v":"b","distinct_v":4}'
}

@test "group values missing are null; a group path may be a jq program" {
	run sw-window --time .t --time-unit s --tumble 10s --group-by .k \
		--group-by 'up=.k|ascii_upcase? // "none"' <<-'EOF'
	{"t":1,"k":"x"}
	{"t":2}
	{"t":3,"k":"x"}
	EOF
	assert_status 0
	assert_output <<-'EOF'
	{"window":{"start":"1970-01-01T00:00:00.000Z","end":"1970-01-01T00:00:10.000Z"},"k":null,"up":"none","count":1}
	{"window":{"start":"1970-01-01T00:00:00.000Z","end":"1970-01-01T00:00:10.000Z"},"k":"x","up":"X","count":2}
	EOF
}

@test "duplicate keys: the last is the value, in groups, times and aggregates, as in jq" {
	in='{"time":0,"k":"a","n":1,"time":10,"k":"b","n":5}'
	run bash -c 'sw-window --time .time --tumble 10s --group-by .k --sum .n --time-output epoch_ms <<<"$1"' _ "$in"
	assert_status 0
	assert_output '{"window":{"start":10000,"end":20000},"k":"b","sum_n":5}'
}

@test "a number out of the double range is bad input naming the field, never a null sum" {
	run sw-window --time .t --tumble 1s --sum .v <<<'{"t":0,"v":1e400}'
	assert_status 65
	assert_output 'sw-window: stdin:1: .v: number out of the range of a double: 1e400'
	run sw-window --time .t --tumble 1s --time-output epoch_ms --avg .v -q --on-error skip <<<'{"t":0,"v":-2E+999}
{"t":0,"v":1.5e308}'
	assert_status 0
	assert_output '{"window":{"start":0,"end":1000},"avg_v":1.5e+308}'
}

@test "session windows merge per group" {
	# gap 5s, watermark 10s: a@5 joins [1,6) and [9,14) into [1,14);
	# b@20 moves the watermark to 10 and closes b's [2,7).
	run sw-window --time .time --session 5s --watermark 10s --group-by .k \
		--count --first .n --last .n "$WIN/session.ndjson"
	assert_status 0
	assert_output <"$WIN/session.out"
}

@test "--late-file receives late records, --stats counts them" {
	run sw-window --time .time --tumble 10s --group-by .k \
		--late-file "$BATS_TEST_TMPDIR/late" --stats "$WIN/late.ndjson"
	assert_status 0
	diff "$WIN/tumble.late" "$BATS_TEST_TMPDIR/late"
	stats_field late <<<"$output" | grep -qx 2
}

# Runs sw-window with --state over $1 in one go and split after line $2,
# the rest of the arguments being the windows; both outputs and both state
# files must be the same.
state_split() {
	local t=$BATS_TEST_TMPDIR in=$1 at=$2
	shift 2
	rm -f "$t/one" "$t/two"
	sw-window "$@" --state "$t/one" "$in" >"$t/one.out"
	head -"$at" "$in" | sw-window "$@" --state "$t/two" >"$t/two.out"
	tail -n +"$((at + 1))" "$in" | sw-window "$@" --state "$t/two" >>"$t/two.out"
	diff "$t/one.out" "$t/two.out"
	diff "$t/one" "$t/two"
	[ -s "$t/one.out" ]
}

@test "--state: two runs give what one run over both inputs gives" {
	state_split "$WIN/session.ndjson" 3 --time .time --size 10s --slide 5s --group-by .k
	state_split "$WIN/session.ndjson" 3 --time .time --session 5s --watermark 10s \
		--group-by .k --first .n
	state_split "$WIN/session.ndjson" 4 --time .time --tumble 10s --mode update \
		--watermark 20s --sum .n
	state_split "$DATA/sensortag.ndjson" 30 --time .time --size 1m --slide 20s \
		--watermark 30s --group-by .bid --avg .ambient --max .rh --distinct .humidity
}

@test "--state: open windows are kept, not written, and come back" {
	local t=$BATS_TEST_TMPDIR
	run sw-window --time .time --tumble 10s --group-by .k \
		--state "$t/st" "$WIN/late.ndjson"
	assert_status 0
	diff <(head -2 "$WIN/tumble.out") <(printf '%s\n' "$output")
	# Nothing new: the open window stays in the state file.
	run sw-window --time .time --tumble 10s --group-by .k \
		--state "$t/st" </dev/null
	assert_status 0
	assert_output ''
	grep -q '"rows":1}' "$t/st"
	# A later record closes it.
	run sw-window --time .time --tumble 10s --group-by .k \
		--state "$t/st" <<<'{"time":"2021-12-12T03:18:00Z","k":"c"}'
	assert_status 0
	diff <(tail -1 "$WIN/tumble.out") <(printf '%s\n' "$output")
}

@test "--state: a corrupt state file is an error, never a reset" {
	local t=$BATS_TEST_TMPDIR
	echo 'not json' >"$t/bad"
	run sw-window --time .time --tumble 10s --state "$t/bad" </dev/null
	assert_status 65
	[[ $output == "sw-window: --state: $t/bad: line 1: "* ]]
	grep -qx 'not json' "$t/bad"
	# Truncated: the header promises more rows than there are.
	sw-window --time .time --tumble 10s --watermark 1h --state "$t/st" \
		"$WIN/late.ndjson"
	head -2 "$t/st" >"$t/trunc"
	run sw-window --time .time --tumble 10s --watermark 1h --state "$t/trunc" </dev/null
	assert_status 65
	[[ $output == *"truncated (1 of 3 rows)"* ]]
}

@test "--state: a file written for other windows or aggregates is refused" {
	local t=$BATS_TEST_TMPDIR
	sw-window --time .time --tumble 10s --watermark 1h --state "$t/st" \
		"$WIN/late.ndjson"
	run sw-window --time .time --tumble 5s --watermark 1h --state "$t/st" </dev/null
	assert_status 64
	[[ $output == *"written for other windows or aggregates"* ]]
	run sw-window --time .time --tumble 10s --watermark 1h --sum .n \
		--state "$t/st" </dev/null
	assert_status 64
}

@test "--state: a second run on the same state file is refused (1) while the first runs" {
	local t=$BATS_TEST_TMPDIR
	start_lock_holder "$t/st.lock" sw-window --time .time --tumble 10s --state "$t/st"
	run sw-window --time .time --tumble 10s --state "$t/st" "$WIN/late.ndjson"
	stop_lock_holder
	assert_status 1
	[ "$output" = "sw-window: --state: $t/st: in use by another run (pid $LOCK_PID) (lock $t/st.lock)" ]
	# Once the first has ended, the next run goes ahead.
	run sw-window --time .time --tumble 10s --state "$t/st" "$WIN/late.ndjson"
	assert_status 0
}

@test "--state: written private (0600), an existing file keeps its mode, no temporary left" {
	local t=$BATS_TEST_TMPDIR
	umask 022
	sw-window --time .time --tumble 10s --state "$t/st" "$WIN/late.ndjson" >/dev/null
	[ "$(stat -c %a "$t/st")" = 600 ]
	chmod 640 "$t/st"
	sw-window --time .time --tumble 10s --state "$t/st" </dev/null >/dev/null
	[ "$(stat -c %a "$t/st")" = 640 ]
	[ "$(ls -A "$t")" = "$(printf 'st\nst.lock')" ]
}

@test "--state: cannot read or write the file is an I/O error" {
	mkdir "$BATS_TEST_TMPDIR/d"
	run sw-window --time .time --tumble 10s --state "$BATS_TEST_TMPDIR/d" </dev/null
	assert_status 74
	run sw-window --time .time --tumble 10s --state /nonexistent/dir/st </dev/null
	assert_status 74
	[[ $output == "sw-window: --state: /nonexistent/dir/st: "* ]]
}

@test "SIGTERM ends the stream: open windows written, or saved with --state" {
	local t=$BATS_TEST_TMPDIR st fd
	for st in "" "--state $t/st"; do
		rm -f "$t/in" "$t/out"
		mkfifo "$t/in"
		sw-window --time .time --tumble 10s --mode update $st \
			--time-output epoch_ms <"$t/in" >"$t/out" &
		local pid=$!
		exec {fd}>"$t/in"
		head -2 "$WIN/late.ndjson" >&"$fd"
		wait_lines "$t/out" 2
		kill -TERM "$pid"
		local rc=0
		wait "$pid" || rc=$?
		exec {fd}>&-
		[ "$rc" -eq 0 ]
		if [ -z "$st" ]; then
			# Update mode: freed as at the end of input, not written
			# again.
			[ "$(wc -l <"$t/out")" -eq 2 ]
			[ "$(tail -1 "$t/out")" = '{"window":{"start":1639279020000,"end":1639279030000},"count":2}' ]
		else
			[ "$(wc -l <"$t/out")" -eq 2 ]
			grep -q '"rows":1}' "$t/st"
		fi
	done
}

@test "sensortag averaged per device over 2-minute windows" {
	run sw-window --time .time --tumble 2m --group-by .bid --count \
		--avg .ambient --avg .rh "$DATA/sensortag.ndjson"
	assert_status 0
	assert_output <"$WIN/sensortag-2m.out"
}

@test "top hashtags of the tweets over sliding windows" {
	run bash -c "sw-enrich --jq '.created_at as \$c | .text | scan(\"#[^ #]+\") | {created_at: \$c, tag: .}' '$DATA/tweets.ndjson' |
		sw-window --time .created_at --time-format '%a %b %d %H:%M:%S %z %Y' \
			--size 30m --slide '10 minutes' --group-by .tag --count --top 3 --by count"
	assert_status 0
	assert_output <"$WIN/tweets-top3.out"
}

@test "--top in update mode ranks every group of a changed window" {
	run sw-window --time .t --time-unit s --tumble 10s --mode update \
		--group-by .k --sum .v --top 1 --by sum_v --time-output epoch_ms <<-'EOF'
	{"t":1,"k":"a","v":5}
	{"t":2,"k":"b","v":3}
	{"t":3,"k":"b","v":3}
	EOF
	assert_status 0
	assert_output <<-'EOF'
	{"window":{"start":0,"end":10000},"k":"a","sum_v":5}
	{"window":{"start":0,"end":10000},"k":"a","sum_v":5}
	{"window":{"start":0,"end":10000},"k":"b","sum_v":6}
	EOF
}

@test "--processing-time windows by arrival: counts add up to the input" {
	run sw-window --processing-time --tumble 1h --time-output epoch_ms \
		"$DATA/sensortag.ndjson"
	assert_status 0
	[ "$(jq -s 'map(.count) | add' <<<"$output")" = 60 ]
	# -R takes lines as strings: plain text works with processing time.
	run bash -c "printf 'a\nb\nc\n' | sw-window -R --processing-time --tumble 1d | jq -s 'map(.count) | add'"
	assert_status 0
	assert_output 3
}

@test "time forms: --time-unit, --tz, --time-output" {
	# Kafka's epoch milliseconds, read as such and shown in Tokyo time.
	run sw-window --time .timestamp --time-unit ms --tumble 1m --tz Asia/Tokyo <<<'{"timestamp":1639277668791}'
	assert_status 0
	assert_output '{"window":{"start":"2021-12-12T11:54:00.000+09:00","end":"2021-12-12T11:55:00.000+09:00"},"count":1}'
	# The same number read as seconds is in the year 53916, written with
	# ISO 8601's expanded year; a thousand times more is beyond any date.
	run sw-window --time .timestamp --time-unit s --tumble 1m <<<'{"timestamp":1639277668791}'
	assert_status 0
	assert_output '{"window":{"start":"+53916-08-23T03:59:00.000Z","end":"+53916-08-23T04:00:00.000Z"},"count":1}'
	run sw-window --time .timestamp --time-unit s --tumble 1m <<<'{"timestamp":1639277668791000}'
	assert_status 65
	[[ ${lines[0]} == *"out of range"* ]]
	# Spark's zone-less form is read in --tz.
	run sw-window --time .t --tumble 1h --tz Asia/Tokyo --time-output epoch_ms <<<'{"t":"2021-12-12 12:16:50"}'
	assert_status 0
	assert_output '{"window":{"start":1639278000000,"end":1639281600000},"count":1}'
}

@test "bad input: a record without a readable time" {
	run sw-window --time .time --tumble 10s <<-'EOF'
	{"time":"2021-12-12T03:17:01Z"}
	{"time":"yesterday"}
	EOF
	assert_status 65
	[ "${lines[0]}" = 'sw-window: stdin:2: .time: not a timestamp: "yesterday"' ]
	run sw-window --time .time --tumble 10s <<<'{"x":1}'
	assert_status 65
	[ "${lines[0]}" = 'sw-window: stdin:1: .time: missing' ]
	run sw-window --time .time --tumble 10s --sum .v <<<'{"time":1,"v":"3"}'
	assert_status 65
	[ "${lines[0]}" = 'sw-window: stdin:1: .v: not a number: "3"' ]
	run sw-window --time .time --tumble 10s <<<'{"time":1'
	assert_status 65
	[[ $output == "sw-window: stdin:1: invalid JSON"* ]]
	run sw-window --time .time --tumble 10s --max-line 10 <<<'{"time":1639279021}'
	assert_status 65
	[[ $output == *"longer than 10 bytes"* ]]
}

@test "bad input: --on-error skip and --dead-letter go on" {
	local t=$BATS_TEST_TMPDIR
	run sw-window --time .t --time-unit s --tumble 10s --on-error skip --stats <<-'EOF'
	{"t":1}
	{"t":"nope"}
	{"t":2}
	EOF
	assert_status 0
	grep -q '"count":2}$' <<<"$output"
	grep -q '^sw-window: stdin:2: .t: not a timestamp' <<<"$output"
	stats_field errors <<<"$output" | grep -qx 1
	run sw-window -q --time .t --time-unit s --tumble 10s --dead-letter "$t/dl" <<-'EOF'
	{"t":1}
	{"t":"nope"}
	EOF
	assert_status 0
	[[ ${#lines[@]} -eq 1 && ${lines[0]} == *'"count":1}' ]]
	[ "$(jq -r .line "$t/dl")" = 2 ]
}

@test "usage errors exit 64" {
	local bad
	for bad in "--tumble 10s" \
		"--time .t" \
		"--time .t --tumble 10s --session 5s" \
		"--time .t --size 5s --slide 10s" \
		"--time .t --slide 10s" \
		"--time .t --tumble 10s --offset 10s" \
		"--time .t --session 5s --offset 1s" \
		"--time .t --tumble nonsense" \
		"--time .t --tumble 0s" \
		"--time .t --processing-time --tumble 1s" \
		"--time .t --tumble 10s --mode sometimes" \
		"--time .t --tumble 10s --emit-every 0" \
		"--time .t --tumble 10s --top 3" \
		"--time .t --tumble 10s --top 3 --by nothing" \
		"--time .t --tumble 10s --top 0 --by count" \
		"--time .t --tumble 10s --sum .a --sum .b.a" \
		"--time .t --tumble 10s --group-by window=.w" \
		"--time .t --tumble 10s --time-unit hours" \
		"--time .t --tumble 10s --time-output iso" \
		"--time .t --tumble 10s --tz Mars/Olympus" \
		"--time .t --tumble 10s --no-such-flag"; do
		run sw-window $bad </dev/null
		if [ "$status" -ne 64 ]; then
			echo "sw-window $bad: status $status: $output" >&2
			return 1
		fi
		[[ ${lines[-1]} == "Try 'sw-window --help'." ]]
	done
}

@test "I/O errors exit 74" {
	run sw-window --time .time --tumble 10s "$WIN/late.ndjson" /nonexistent
	assert_status 74
	[[ $output == *"/nonexistent"* ]]
	run bash -c "sw-window --time .time --tumble 10s '$WIN/late.ndjson' >/dev/full"
	assert_status 74
	run sw-window --time .time --tumble 10s --late-file /nonexistent/late </dev/null
	assert_status 74
}

@test "a reader that goes away ends the tool quietly" {
	run bash -c "set -o pipefail; sw-window --processing-time --size 2s --slide 1ms -u '$DATA/sensortag.ndjson' | head -1 >/dev/null"
	assert_status 0
	assert_output ''
}

@test "-u, -v, --progress leave the output alone; --version" {
	run sw-window -u -v --progress --time .time --tumble 10s --group-by .k "$WIN/late.ndjson"
	assert_status 0
	assert_output <"$WIN/tumble.out"
	run sw-window --version
	assert_status 0
	[[ ${lines[0]} == "sw-window "* ]]
}

@test "--max-rows: one open row more than allowed stops with 65, after what was written" {
	# Window [0,10) closes when the record at 20 arrives (watermark 0); the
	# groups b and c in [20,30) make 3 open rows with a.
	run --separate-stderr sw-window --time .t --tumble 10s --group-by .k --count --max-rows 2 <<'EOF'
{"t":1,"k":"a"}
{"t":20,"k":"a"}
{"t":21,"k":"b"}
{"t":22,"k":"c"}
{"t":23,"k":"d"}
EOF
	assert_status 65
	assert_output '{"window":{"start":"1970-01-01T00:00:00.000Z","end":"1970-01-01T00:00:10.000Z"},"k":"a","count":1}'
	[ "$stderr" = "sw-window: stdin:4: more than 2 open window-and-group rows (--max-rows); a smaller --watermark or fewer groups hold fewer" ]
	# With no limit the same input is fine.
	run sw-window --time .t --tumble 10s --group-by .k --count --max-rows 0 <<'EOF'
{"t":1,"k":"a"}
{"t":20,"k":"a"}
{"t":21,"k":"b"}
{"t":22,"k":"c"}
EOF
	assert_status 0
	[ "${#lines[@]}" -eq 4 ]
	run sw-window --time .t --tumble 10s --count --max-rows many </dev/null
	assert_status 64
}


@test "window bounds outside 0000-9999 are ISO 8601 expanded years that read back" {
	printf '%s\n' '{"t":"0000-01-01T00:00:00Z"}' '{"t":"9999-12-31T23:59:59Z"}' \
		>"$BATS_TEST_TMPDIR/edge.ndjson"
	run sw-window --time .t --tumble 7d --count "$BATS_TEST_TMPDIR/edge.ndjson"
	assert_status 0
	[ "${lines[0]}" = '{"window":{"start":"-0001-12-30T00:00:00.000Z","end":"0000-01-06T00:00:00.000Z"},"count":1}' ]
	[ "${lines[1]}" = '{"window":{"start":"9999-12-30T00:00:00.000Z","end":"+10000-01-06T00:00:00.000Z"},"count":1}' ]
	# the bounds are times sw-window itself reads again
	run sw-window --time .window.end --tumble 7d --count <<<"$output"
	assert_status 0
	[ "${lines[1]}" = '{"window":{"start":"+10000-01-06T00:00:00.000Z","end":"+10000-01-13T00:00:00.000Z"},"count":1}' ]
}

@test "a leap second is a time only at 23:59:60 UTC on a month's last day" {
	printf '%s\n' '{"t":"2016-12-31T23:59:60Z"}' '{"t":"2016-12-31T23:58:60Z"}' \
		>"$BATS_TEST_TMPDIR/leap.ndjson"
	run sw-window --time .t --tumble 1s --count <<<'{"t":"2016-12-31T23:59:60Z"}'
	assert_status 0
	[ "$output" = '{"window":{"start":"2017-01-01T00:00:00.000Z","end":"2017-01-01T00:00:01.000Z"},"count":1}' ]
	run sw-window --time .t --tumble 1s --count "$BATS_TEST_TMPDIR/leap.ndjson"
	assert_status 65
	[[ $output == *':2: .t: not a leap second (only 23:59:60 UTC on a month'"'"'s last day): "2016-12-31T23:58:60Z"'* ]]
}

@test "--max-rows: a size/slide ratio that puts a record in more windows is a usage error" {
	run sw-window --time .t --size 100s --slide 1s --max-rows 10 <<<'{"t":1}'
	assert_status 64
	[ "${lines[0]}" = "sw-window: --size/--slide: a record falls into 100 windows, more than --max-rows 10" ]
	run sw-window --time .t --size 1d --slide 1ms </dev/null
	assert_status 64
	[ "${lines[0]}" = "sw-window: --size/--slide: a record falls into 86400000 windows, more than --max-rows 10000000" ]
	run sw-window --time .t --size 10s --slide 3s --max-rows 4 <<<'{"t":0}'
	assert_status 0
	[ "${#lines[@]}" -eq 4 ]
}

