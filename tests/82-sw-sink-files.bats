#!/usr/bin/env bats
# sw-sink-files: part files, formats and codecs (read back by zcat,
# zstdcat, python3-avro, sw-avro, DuckDB and hyparquet), rolling, Hive
# partitions, the commit log and checkpoint, the clean-up after a crash,
# bad input and every exit status.

load test_helper
load helpers/avro
load helpers/parquet

setup() {
	T=$BATS_TEST_TMPDIR
	sw-gen web --count 10 --seed 1 >"$T/web.ndjson"
	cat >"$T/web.avsc" <<'EOF'
{"type":"record","name":"Web","fields":[
 {"name":"name","type":"string"},{"name":"action","type":"string"},
 {"name":"sendtime","type":"long"}]}
EOF
}

teardown() {
	local p
	for p in $(jobs -p); do kill -KILL "$p" 2>/dev/null || true; done
	if mountpoint -q "$BATS_TEST_TMPDIR/ro" 2>/dev/null; then
		umount "$BATS_TEST_TMPDIR/ro"
	fi
}

# The committed part files of DIR, in commit order.
parts() {
	jq -r '.files[]' "$1/_sw_log" | sed "s|^|$1/|"
}

# --- usage -------------------------------------------------------------

@test "usage errors: 64 with the reason" {
	local cases=(
		""
		"$T/o --format csv"
		"$T/o --codec brotli"
		"$T/o --codec snappy"
		"$T/o --format avro --codec gzip --schema $T/web.avsc"
		"$T/o --format avro"
		"$T/o --format parquet"
		"$T/o --schema $T/web.avsc"
		"$T/o --format avro --schema $T/web.avsc --infer 10"
		"$T/o --format avro --infer 0"
		"$T/o --partition-time .t"
		"$T/o --partition-format %Y"
		"$T/o --partition-time .t --partition-format ../%Y"
		"$T/o --partition-by .a.["
		"$T/o --max-age soon"
		"$T/o --max-bytes 0"
		"$T/o --max-bytes lots"
		"$T/o --max-records 0"
		"$T/o --max-open-files 0"
		"$T/o --row-group-size 10"
		"$T/o --tz Mars/Olympus"
		"$T/o --prefix .hidden"
		"$T/o --prefix a/b"
		"$T/o --format avro --schema $T/missing.avsc"
	)
	local c
	for c in "${cases[@]}"; do
		run sw-sink-files $c </dev/null
		[ "$status" -eq 64 ] || { echo "$c: status $status: $output"; return 1; }
		[[ $output == "sw-sink-files: "*"Try 'sw-sink-files --help'."* ]] || { echo "$c: $output"; return 1; }
	done
	run sw-sink-files "$T/o" --format avro --schema "$T/web.avsc" --infer 5
	[[ $output == *"--schema and --infer exclude each other"* ]]
	run sw-sink-files "$T/o" --codec snappy
	[[ $output == *"codec snappy is not one of ndjson's (none, gzip, zstd)"* ]]
}

# --- formats and codecs ------------------------------------------------

@test "ndjson: none, gzip, zstd read back whole; the log names the files" {
	sw-sink-files "$T/n" <"$T/web.ndjson"
	diff "$T/web.ndjson" "$(parts "$T/n")"
	[[ $(parts "$T/n") =~ /part-000001-[0-9a-f-]{36}\.ndjson$ ]]
	sw-sink-files "$T/g" --codec gzip <"$T/web.ndjson"
	[[ $(parts "$T/g") == *.ndjson.gz ]]
	diff "$T/web.ndjson" <(zcat "$(parts "$T/g")")
	sw-sink-files "$T/z" --codec zstd <"$T/web.ndjson"
	[[ $(parts "$T/z") == *.ndjson.zst ]]
	diff "$T/web.ndjson" <(zstdcat "$(parts "$T/z")")
	jq -e '.commit == 1 and .records == 10 and .offsets == {}' "$T/z/_sw_log"
}

@test "ndjson: big input across many compressed chunks" {
	sw-gen sensor --count 20000 --seed 2 >"$T/s.ndjson"
	sw-sink-files "$T/g" --codec gzip "$T/s.ndjson"
	diff "$T/s.ndjson" <(zcat "$T"/g/part-*)
	sw-sink-files "$T/z" --codec zstd "$T/s.ndjson"
	diff "$T/s.ndjson" <(zstdcat "$T"/z/part-*)
}

@test "avro: python3-avro reads the null and deflate parts, sw-avro every codec" {
	local c
	for c in null deflate; do
		sw-sink-files "$T/a-$c" --format avro --schema "$T/web.avsc" --codec $c <"$T/web.ndjson"
		run "$AVRO_PY" dump "$(parts "$T/a-$c")"
		assert_status 0
		assert_output <"$T/web.ndjson"
	done
	for c in none snappy zstd deflate; do
		sw-sink-files "$T/b-$c" --format avro --schema "$T/web.avsc" --codec $c <"$T/web.ndjson"
		[[ $(parts "$T/b-$c") == *.avro ]]
		run sw-avro decode "$(parts "$T/b-$c")"
		assert_status 0
		assert_output <"$T/web.ndjson"
	done
}

@test "avro: blocks of many records, and the schema as given in the header" {
	sw-gen web --count 5000 --seed 3 >"$T/w.ndjson"
	sw-sink-files "$T/a" --format avro --schema "$T/web.avsc" --codec deflate "$T/w.ndjson"
	run "$AVRO_PY" dump "$(parts "$T/a")"
	assert_output <"$T/w.ndjson"
}

@test "--infer: the schema from the first N records into _schema.avsc, kept for later runs" {
	printf '%s\n' '{"a":1,"b":"x","c":{"d":[1,2]},"e":null}' '{"a":2.5,"b":"y","c":{"d":[]},"f":true}' >"$T/in"
	sw-sink-files "$T/a" --format avro --infer 2 <"$T/in"
	run jq -c . "$T/a/_schema.avsc"
	assert_output '{"type":"record","name":"topLevelRecord","fields":[{"name":"a","type":["null","double"],"default":null},{"name":"b","type":["null","string"],"default":null},{"name":"c","type":["null",{"type":"record","name":"topLevelRecord_c","fields":[{"name":"d","type":["null",{"type":"array","items":"long"}],"default":null}]}],"default":null},{"name":"e","type":["null","string"],"default":null},{"name":"f","type":["null","boolean"],"default":null}]}'
	run "$AVRO_PY" dump "$(parts "$T/a")"
	assert_output <<'EOF'
{"a":1.0,"b":"x","c":{"d":[1,2]},"e":null,"f":null}
{"a":2.5,"b":"y","c":{"d":[]},"e":null,"f":true}
EOF
	# A second run keeps the schema: a record it does not fit is bad input.
	run sw-sink-files "$T/a" --format avro --infer <<<'{"a":"text"}'
	assert_status 65
	[[ $output == *"stdin:1: .a: expected"* ]]
	# Default N (1000) with fewer records: inferred at the end.
	sw-sink-files "$T/b" --format avro --infer <"$T/web.ndjson"
	run sw-avro decode "$(parts "$T/b")"
	assert_output <"$T/web.ndjson"
	# --infer N as a separate word, and a key that is not an Avro name.
	run sw-sink-files "$T/c" --format avro --infer 1 <<<'{"odd key":1}'
	assert_status 65
	[[ $output == *'--infer: field "odd key" is not an Avro name'* ]]
}

@test "a record that does not fit the schema is bad input naming the field" {
	printf '%s\n' '{"name":"a","action":"x","sendtime":1}' '{"name":"b","action":"x","sendtime":"soon"}' '{"name":"c","action":"x","sendtime":3}' >"$T/in"
	run sw-sink-files "$T/a" --format avro --schema "$T/web.avsc" "$T/in"
	assert_status 65
	[[ $output == "sw-sink-files: $T/in:2: .sendtime: expected long, got string \"soon\"" ]]
	# What came before is committed.
	[ "$(sw-avro decode "$(parts "$T/a")" | jq -r .name)" = a ]
	run sw-sink-files "$T/b" --format avro --schema "$T/web.avsc" --on-error skip "$T/in"
	assert_status 0
	[[ $output == *"$T/in:2: .sendtime"* ]]
	[ "$(sw-avro decode "$(parts "$T/b")" | jq -r .name | paste -sd,)" = a,c ]
	run sw-sink-files "$T/c" --format avro --schema "$T/web.avsc" --dead-letter "$T/dl" "$T/in"
	assert_status 0
	jq -e '.line == 2 and (.error | contains(".sendtime")) and (.input | contains("soon"))' "$T/dl"
}

@test "bad JSON: 65 after committing the earlier records; skip goes on" {
	printf '%s\n' '{"a":1}' 'nope' '{"a":3}' >"$T/in"
	run sw-sink-files "$T/a" "$T/in"
	assert_status 65
	[[ $output == "sw-sink-files: $T/in:2: "* ]]
	[ "$(cat "$(parts "$T/a")")" = '{"a":1}' ]
	run sw-sink-files "$T/b" --on-error skip -q "$T/in"
	assert_status 0
	[ "$(cat "$(parts "$T/b")" | wc -l)" -eq 2 ]
	# Records held for --infer when the bad one comes are earlier ones too.
	run sw-sink-files "$T/c" --format avro --infer 10 "$T/in"
	assert_status 65
	[ "$(sw-avro decode "$(parts "$T/c")")" = '{"a":1}' ]
}

# --- rolling -------------------------------------------------------------

@test "--max-records and --max-bytes roll files; --prefix names them" {
	sw-sink-files "$T/r" --max-records 3 --prefix web <"$T/web.ndjson"
	[ "$(parts "$T/r" | wc -l)" -eq 4 ]
	[ "$(wc -l <"$T/r/_sw_log")" -eq 4 ]
	parts "$T/r" | while read -r f; do [[ $f == "$T/r/web-00000"[1-4]-*.ndjson ]]; done
	diff "$T/web.ndjson" <(parts "$T/r" | xargs cat)
	sw-sink-files "$T/b" --max-bytes 200 <"$T/web.ndjson"
	[ "$(parts "$T/b" | wc -l)" -ge 3 ]
	diff "$T/web.ndjson" <(parts "$T/b" | xargs cat)
}

@test "--max-age commits while the input is quiet; nothing partial is visible before" {
	mkfifo "$T/fifo"
	sw-sink-files "$T/a" --max-age 300ms <"$T/fifo" 2>"$T/err" &
	local pid=$! i
	exec {w}>"$T/fifo"
	echo '{"n":1}' >&"$w"
	# Until the commit, no part file is visible (the in-progress one is
	# hidden).
	[ -z "$(find "$T/a" -name 'part-*' 2>/dev/null)" ]
	for ((i = 0; i < 300; i++)); do
		[ -s "$T/a/_sw_log" ] && break
		sleep 0.1
	done
	[ "$(cat "$(parts "$T/a")")" = '{"n":1}' ]
	echo '{"n":2}' >&"$w"
	exec {w}>&-
	wait "$pid"
	[ "$(wc -l <"$T/a/_sw_log")" -eq 2 ]
}

# --- partitions ----------------------------------------------------------

@test "--partition-by: Hive directories, escaped values, NAME=, the default partition" {
	printf '%s\n' '{"a":"x/y","b":1}' '{"a":"p q","b":2}' '{"b":3}' '{"a":"","b":4}' '{"a":"x/y","b":5}' '{"a":"50%=","b":true}' >"$T/in"
	sw-sink-files "$T/p" --partition-by .a --partition-by B=.b "$T/in"
	(cd "$T/p" && find . -name 'part-*' | sed 's|^\./||; s|/part-.*||' | sort) >"$T/dirs"
	diff - "$T/dirs" <<'EOF'
a=50%25%3D/B=true
a=__HIVE_DEFAULT_PARTITION__/B=3
a=__HIVE_DEFAULT_PARTITION__/B=4
a=p q/B=2
a=x%2Fy/B=1
a=x%2Fy/B=5
EOF
	# One commit for all of them.
	[ "$(wc -l <"$T/p/_sw_log")" -eq 1 ]
	run sw-sink-files "$T/q" --partition-by .a <<<'{"a":{"o":1}}'
	assert_status 65
	[[ $output == *".a: expected a scalar, got object"* ]]
}

@test "--partition-time with --partition-format and --tz; a missing time is bad input" {
	printf '%s\n' '{"t":"2021-12-12T23:30:00Z"}' '{"t":1639351800000}' '{"t":"2021-12-13T01:00:00Z"}' >"$T/in"
	sw-sink-files "$T/u" --partition-time .t --partition-format 'dt=%Y-%m-%d/hour=%H' "$T/in"
	(cd "$T/u" && find . -name 'part-*' | sed 's|^\./||; s|/part-.*||' | sort) >"$T/dirs"
	printf '%s\n' 'dt=2021-12-12/hour=23' 'dt=2021-12-13/hour=01' | diff - "$T/dirs"
	sw-sink-files "$T/k" --partition-time .t --partition-format 'dt=%Y-%m-%d/hour=%H' --tz Asia/Tokyo "$T/in"
	(cd "$T/k" && find . -name 'part-*' | sed 's|^\./||; s|/part-.*||' | sort) >"$T/dirs"
	printf '%s\n' 'dt=2021-12-13/hour=08' 'dt=2021-12-13/hour=10' | diff - "$T/dirs"
	run sw-sink-files "$T/m" --partition-time .t --partition-format '%Y' <<<'{"x":1}'
	assert_status 65
	[[ $output == *"stdin:1: .t: missing"* ]]
}

@test "--max-open-files: past it the open files are committed early" {
	for i in 1 2 3 4 5 6; do echo "{\"k\":$i}"; done >"$T/in"
	run sw-sink-files "$T/o" --partition-by .k --max-open-files 2 -v "$T/in"
	assert_status 0
	[[ $output == *"--max-open-files 2 reached: committing early"* ]]
	[ "$(wc -l <"$T/o/_sw_log")" -eq 3 ]
	[ "$(parts "$T/o" | wc -l)" -eq 6 ]
}

# --- the commit log, the checkpoint, crashes -------------------------------

@test "--checkpoint: sw-sink-es's format; records the log covers are skipped and counted" {
	for i in 0 1 2 3; do echo "{\"topic\":\"t\",\"partition\":$((i % 2)),\"offset\":$i}"; done >"$T/in"
	run sw-sink-files "$T/c" --checkpoint "$T/ck" --stats "$T/in"
	assert_status 0
	[ "$(cat "$T/ck")" = '{"offsets":{"t":{"0":3,"1":4}}}' ]
	jq -e '.offsets == {"t":{"0":3,"1":4}}' "$T/c/_sw_log"
	[[ ${lines[-1]} == '{"tool":"sw-sink-files","records_in":4,"records_out":4,'*'"commits":1,"committed_files":1,"committed_records":4,"duplicates":0,"removed_uncommitted":0,"open_files":0,"pending_records":0,"partitions":['*']}' ]]
	# The same records again (a checkpoint that lagged): all skipped.
	echo '{"offsets":{}}' >"$T/ck"
	run sw-sink-files "$T/c" --checkpoint "$T/ck" --stats "$T/in"
	assert_status 0
	[[ ${lines[-1]} == *'"duplicates":4,'* ]]
	[ "$(cat "$T/c"/part-* | wc -l)" -eq 4 ]
	# The checkpoint was brought in line with the log at start.
	[ "$(cat "$T/ck")" = '{"offsets":{"t":{"0":3,"1":4}}}' ]
	# Partitions a checkpoint names that the log does not are kept.
	echo '{"offsets":{"u":{"5":9}}}' >"$T/ck2"
	sw-sink-files "$T/c" --checkpoint "$T/ck2" </dev/null
	jq -e '.offsets == {"u":{"5":9},"t":{"0":3,"1":4}}' "$T/ck2"
	echo 'not json' >"$T/bad"
	run sw-sink-files "$T/c" --checkpoint "$T/bad" </dev/null
	assert_status 64
}

@test "after a crash: in-progress and uncommitted part files go, a torn log line is cut, other files stay" {
	sw-sink-files "$T/d" --partition-by .action <"$T/web.ndjson"
	local keep
	keep=$(parts "$T/d" | sort)
	mkdir -p "$T/d/action=login"
	touch "$T/d/action=login/.part-000009-0123abcd-0123-4123-8123-0123456789ab.ndjson.inprogress" \
		"$T/d/action=login/part-000009-0123abcd-0123-4123-8123-0123456789ab.ndjson" \
		"$T/d/part-000010-0123abcd-0123-4123-8123-0123456789ab.avro" \
		"$T/d/notes.txt" "$T/d/action=login/mine.ndjson"
	printf '{"commit":2,"part":' >>"$T/d/_sw_log"
	run sw-sink-files "$T/d" -v --stats </dev/null
	assert_status 0
	[[ $output == *"_sw_log: cut off a torn last line of 19 bytes"* ]]
	[[ $output == *"removed 2 uncommitted part files"* ]]
	[[ $output == *'"removed_uncommitted":2,'* ]]
	[ "$(find "$T/d" -name 'part-*' | sort)" = "$keep" ]
	[ -z "$(find "$T/d" -name '.*inprogress')" ]
	[ -e "$T/d/notes.txt" ] && [ -e "$T/d/action=login/mine.ndjson" ]
	jq -e . "$T/d/_sw_log" >/dev/null
	# A line that is not a commit in the middle is an error, not data loss.
	printf 'garbage\n{"commit":9}\n' >>"$T/d/_sw_log"
	run sw-sink-files "$T/d" </dev/null
	assert_status 74
	[[ $output == *"_sw_log: line 2 is not a commit"* ]]
}

@test "a second writer on the same DIR: 1" {
	mkfifo "$T/fifo"
	sw-sink-files "$T/a" <"$T/fifo" &
	local pid=$! i
	exec {w}>"$T/fifo"
	for ((i = 0; i < 100; i++)); do [ -e "$T/a/_sw_log" ] && break; sleep 0.1; done
	run sw-sink-files "$T/a" </dev/null
	assert_status 1
	[[ $output == *"another sw-sink-files is writing here"* ]]
	exec {w}>&-
	wait "$pid"
}

# --- I/O errors ------------------------------------------------------------

@test "an unwritable DIR: 74 at start with a clear message" {
	touch "$T/file"
	run sw-sink-files "$T/file/sub" <"$T/web.ndjson"
	assert_status 74
	[[ $output == "sw-sink-files: $T/file/sub: Not a directory" ]]
	mkdir "$T/ro"
	mount -t tmpfs -o size=64k,ro tmpfs "$T/ro"
	run sw-sink-files "$T/ro" <"$T/web.ndjson"
	assert_status 74
	[[ $output == "sw-sink-files: $T/ro: not writable: Read-only file system" ]]
}

@test "an unreadable input file: 74, what came before is committed" {
	run sw-sink-files "$T/a" "$T/web.ndjson" "$T/missing.ndjson"
	assert_status 74
	[[ $output == *"$T/missing.ndjson"* ]]
	diff "$T/web.ndjson" "$(parts "$T/a")"
	[ -z "$(find "$T/a" -name '.*inprogress')" ]
}

@test "--version names zlib and zstd" {
	run sw-sink-files --version
	assert_status 0
	[[ ${lines[0]} =~ ^sw-sink-files\ [0-9.]+$ ]]
	[[ $output == *"zlib "* && $output == *"zstd "* ]]
}

# --- parquet ---------------------------------------------------------------

# Both independent readers give want (a file) for the Parquet file f.
both_read() { # f want
	local r
	for r in duckdb hyparquet; do
		run parquet_read $r "$1"
		assert_status 0
		diff <(printf '%s' "$output" | sed '$a\') "$2" || {
			echo "reader $r differs"
			return 1
		}
	done
}

@test "parquet: snappy (default), gzip, zstd and none, read back exactly by DuckDB and hyparquet" {
	parquet_peers
	local c want
	for c in default snappy gzip zstd none; do
		if [ $c = default ]; then
			sw-sink-files "$T/p-$c" --format parquet --schema "$T/web.avsc" <"$T/web.ndjson"
		else
			sw-sink-files "$T/p-$c" --format parquet --schema "$T/web.avsc" --codec $c <"$T/web.ndjson"
		fi
		[[ $(parts "$T/p-$c") == *.parquet ]]
		both_read "$(parts "$T/p-$c")" "$T/web.ndjson"
		run parquet_read meta "$(parts "$T/p-$c")"
		want=${c^^}
		[ $c = default ] && want=SNAPPY
		[ $c = none ] && want=UNCOMPRESSED
		[ "$(grep -c "\"compression\":\"$want\"" <<<"$output")" -eq 3 ]
	done
}

@test "parquet: every mapped type, nested, repeated and nullable, through sw-sink-files" {
	parquet_peers
	sw-sink-files "$T/all" --format parquet --schema "$FIXTURES/parquet/all.avsc" \
		<"$FIXTURES/parquet/all.ndjson"
	both_read "$(parts "$T/all")" "$FIXTURES/parquet/all.ndjson"
}

@test "parquet: --row-group-size, --max-records and --infer" {
	parquet_peers
	sw-sink-files "$T/rg" --format parquet --schema "$T/web.avsc" --row-group-size 3 <"$T/web.ndjson"
	run parquet_read meta "$(parts "$T/rg")"
	[ "$(grep -c '"path_in_schema":"name"' <<<"$output")" -eq 4 ]
	[ "$(grep -c '"row_group_num_rows":3' <<<"$output")" -eq 9 ]
	both_read "$(parts "$T/rg")" "$T/web.ndjson"
	sw-sink-files "$T/mr" --format parquet --schema "$T/web.avsc" --max-records 4 <"$T/web.ndjson"
	[ "$(parts "$T/mr" | wc -l)" -eq 3 ]
	for f in $(parts "$T/mr"); do parquet_read duckdb "$f"; done >"$T/got"
	diff "$T/web.ndjson" "$T/got"
	sw-sink-files "$T/inf" --format parquet --infer 5 <"$T/web.ndjson"
	jq -e '.fields | map(.name) == ["name","action","sendtime"]' "$T/inf/_schema.avsc"
	both_read "$(parts "$T/inf")" "$T/web.ndjson"
}

@test "parquet: a partitioned directory is one table to DuckDB (hive_partitioning)" {
	parquet_peers
	sw-sink-files "$T/h" --format parquet --schema "$T/web.avsc" --partition-by .action <"$T/web.ndjson"
	run node "$ROOT/examples/duckdb-sql.mjs" --json \
		"SELECT action, count(*) AS n FROM read_parquet('$T/h/**/*.parquet', hive_partitioning=true) GROUP BY action ORDER BY action"
	assert_status 0
	assert_output < <(jq -s -c 'group_by(.action)[] | {action: .[0].action, n: length}' "$T/web.ndjson")
}

@test "parquet: a record that does not fit is bad input naming the field; a schema Parquet cannot hold is refused" {
	printf '%s\n' '{"name":"a","action":"x","sendtime":1}' '{"name":"b","action":7,"sendtime":2}' >"$T/in"
	run sw-sink-files "$T/a" --format parquet --schema "$T/web.avsc" "$T/in"
	assert_status 65
	[[ $output == "sw-sink-files: $T/in:2: .action: expected string"* ]]
	parquet_peers
	[ "$(parquet_read duckdb "$(parts "$T/a")")" = '{"name":"a","action":"x","sendtime":1}' ]
	echo '"string"' >"$T/s.avsc"
	run sw-sink-files "$T/b" --format parquet --schema "$T/s.avsc" </dev/null
	assert_status 64
	[[ $output == "sw-sink-files: --schema: "* ]]
}
