#!/usr/bin/env bats
# sw's Parquet writer (common/parquet.c) through test_parquet --write, read
# back by two independent readers, DuckDB and hyparquet, which must both
# return exactly the records written.

load test_helper
load helpers/parquet

PQ=$FIXTURES/parquet

setup() {
	T=$BATS_TEST_TMPDIR
	[ -x "$(pq_writer_bin)" ] || {
		echo "$(pq_writer_bin) is missing: make unit (SANITIZE=1 for build/san)"
		return 1
	}
	parquet_peers
}

# Both readers give want (a file) for the Parquet file f.
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

@test "parquet: every mapped type, nested and nullable, reads back exactly" {
	run pq_write "$PQ/all.avsc" "$T/all.parquet" <"$PQ/all.ndjson"
	assert_status 0
	both_read "$T/all.parquet" "$PQ/all.ndjson"
}

@test "parquet: the schema carries the parquet-avro mapping's types and annotations" {
	pq_write "$PQ/all.avsc" "$T/all.parquet" <"$PQ/all.ndjson"
	run parquet_read schema "$T/all.parquet"
	assert_status 0
	assert_output <"$PQ/all.schema"
}

@test "parquet: the footer keeps the Avro schema as parquet-avro does" {
	pq_write "$PQ/forms.avsc" "$T/f.parquet" <"$PQ/forms.ndjson"
	run parquet_read kv "$T/f.parquet"
	assert_status 0
	python3 -c 'import json,sys
kv = json.loads(sys.argv[1]); s = json.load(open(sys.argv[2]))
assert kv["key"] == "parquet.avro.schema", kv
assert json.loads(kv["value"]) == s' "$output" "$PQ/forms.avsc"
}

@test "parquet: codecs none, snappy, gzip and zstd" {
	local c i
	for i in $(seq 50); do cat "$PQ/all.ndjson"; done >"$T/in.ndjson"
	for c in none snappy gzip zstd; do
		run pq_write "$PQ/all.avsc" "$T/$c.parquet" --codec $c <"$T/in.ndjson"
		assert_status 0
		both_read "$T/$c.parquet" "$T/in.ndjson"
		run parquet_read meta "$T/$c.parquet"
		local want=${c^^}
		[ "$c" = none ] && want=UNCOMPRESSED
		grep -c "\"compression\":\"$want\"" <<<"$output" | grep -qx 34
	done
	# the codecs do compress
	for c in snappy gzip zstd; do
		[ "$(stat -c %s "$T/$c.parquet")" -lt "$(stat -c %s "$T/none.parquet")" ]
	done
}

@test "parquet: several row groups and small pages, cut at row boundaries" {
	run pq_write "$PQ/all.avsc" "$T/rg.parquet" --row-group-size 3 \
		--page-bytes 8 --codec gzip <"$PQ/all.ndjson"
	assert_status 0
	both_read "$T/rg.parquet" "$PQ/all.ndjson"
	run parquet_read meta "$T/rg.parquet"
	grep -q '"row_group_id":1,"path_in_schema":"b","num_values":1,' <<<"$output"
	grep -c '"row_group_num_rows":3' <<<"$output" | grep -qx 34
	grep -c '"row_group_num_rows":1' <<<"$output" | grep -qx 34
	# one row per row group
	run pq_write "$PQ/all.avsc" "$T/rg1.parquet" --row-group-size 1 <"$PQ/all.ndjson"
	both_read "$T/rg1.parquet" "$PQ/all.ndjson"
}

@test "parquet: 20000 sensor records in row groups of 4096, pages of 1 KiB" {
	sw-gen sensor --count 20000 --seed 7 >"$T/in.ndjson"
	run pq_write "$PQ/sensortag.avsc" "$T/s.parquet" --row-group-size 4096 \
		--page-bytes 1024 <"$T/in.ndjson"
	assert_status 0
	python3 -c 'import json,sys
for l in sys.stdin: print(json.dumps(json.loads(l), separators=(",", ":")))' \
		<"$T/in.ndjson" >"$T/want.ndjson"
	both_read "$T/s.parquet" "$T/want.ndjson"
	run parquet_read meta "$T/s.parquet"
	[ "$(grep -c '"path_in_schema":"bid"' <<<"$output")" -eq 5 ]
}

@test "parquet: strings are dictionary-encoded, and PLAIN past the dictionary limit" {
	python3 -c 'import json
for i in range(3000):
    print(json.dumps({"few": "v%d" % (i % 7), "many": "distinct-%06d" % i,
                      "opt": None if i % 3 else "o%d" % (i % 2)}, separators=(",", ":")))' >"$T/in.ndjson"
	cat >"$T/s.avsc" <<-'A'
	{"type":"record","name":"D","fields":[{"name":"few","type":"string"},
	 {"name":"many","type":"string"},{"name":"opt","type":["null","string"]}]}
	A
	run pq_write "$T/s.avsc" "$T/d.parquet" --dict-bytes 4096 <"$T/in.ndjson"
	assert_status 0
	both_read "$T/d.parquet" "$T/in.ndjson"
	run parquet_read meta "$T/d.parquet"
	assert_output <<-'M'
	{"row_group_id":0,"path_in_schema":"few","num_values":3000,"compression":"SNAPPY","encodings":"PLAIN, RLE_DICTIONARY","stats_min_value":"v0","stats_max_value":"v6","stats_null_count":0,"row_group_num_rows":3000}
	{"row_group_id":0,"path_in_schema":"many","num_values":3000,"compression":"SNAPPY","encodings":"PLAIN","stats_min_value":"distinct-000000","stats_max_value":"distinct-002999","stats_null_count":0,"row_group_num_rows":3000}
	{"row_group_id":0,"path_in_schema":"opt","num_values":3000,"compression":"SNAPPY","encodings":"PLAIN, RLE, RLE_DICTIONARY","stats_min_value":"o0","stats_max_value":"o1","stats_null_count":2000,"row_group_num_rows":3000}
	M
	# no dictionaries at all
	run pq_write "$T/s.avsc" "$T/p.parquet" --dict-bytes 0 <"$T/in.ndjson"
	both_read "$T/p.parquet" "$T/in.ndjson"
	run parquet_read meta "$T/p.parquet"
	! grep -q DICTIONARY <<<"$output"
}

@test "parquet: statistics are min, max and null count in each type's order" {
	cat >"$T/s.avsc" <<-'A'
	{"type":"record","name":"S","fields":[
	 {"name":"i","type":["null","int"]},
	 {"name":"s","type":["null","string"]},
	 {"name":"d","type":"double"},
	 {"name":"t","type":{"type":"long","logicalType":"timestamp-micros"}},
	 {"name":"dec","type":{"type":"bytes","logicalType":"decimal","precision":5,"scale":2}},
	 {"name":"a","type":{"type":"array","items":"long"}}]}
	A
	cat >"$T/in.ndjson" <<-'R'
	{"i":5,"s":"a","d":"NaN","t":"2024-01-01T00:00:00.000001Z","dec":"-1.50","a":[3,1]}
	{"i":null,"s":"\u00e9","d":-0.5,"t":"1999-12-31T23:59:59.000000Z","dec":"2.00","a":[]}
	{"i":-7,"s":"Z","d":2.25,"t":"2024-01-01T00:00:00.000000Z","dec":"-0.01","a":[-9]}
	{"i":null,"s":null,"d":0,"t":"2000-01-01T00:00:00.000000Z","dec":"0.00","a":[]}
	R
	run pq_write "$T/s.avsc" "$T/s.parquet" --codec none <"$T/in.ndjson"
	assert_status 0
	run parquet_read meta "$T/s.parquet"
	assert_output <<-'M'
	{"row_group_id":0,"path_in_schema":"i","num_values":4,"compression":"UNCOMPRESSED","encodings":"PLAIN, RLE","stats_min_value":"-7","stats_max_value":"5","stats_null_count":2,"row_group_num_rows":4}
	{"row_group_id":0,"path_in_schema":"s","num_values":4,"compression":"UNCOMPRESSED","encodings":"PLAIN, RLE","stats_min_value":"Z","stats_max_value":"é","stats_null_count":1,"row_group_num_rows":4}
	{"row_group_id":0,"path_in_schema":"d","num_values":4,"compression":"UNCOMPRESSED","encodings":"PLAIN","stats_min_value":"-0.5","stats_max_value":"2.25","stats_null_count":0,"row_group_num_rows":4}
	{"row_group_id":0,"path_in_schema":"t","num_values":4,"compression":"UNCOMPRESSED","encodings":"PLAIN","stats_min_value":"1999-12-31 23:59:59+00","stats_max_value":"2024-01-01 00:00:00.000001+00","stats_null_count":0,"row_group_num_rows":4}
	{"row_group_id":0,"path_in_schema":"dec","num_values":4,"compression":"UNCOMPRESSED","encodings":"PLAIN","stats_min_value":"-1.50","stats_max_value":"2.00","stats_null_count":0,"row_group_num_rows":4}
	{"row_group_id":0,"path_in_schema":"a, list, element","num_values":5,"compression":"UNCOMPRESSED","encodings":"PLAIN, RLE","stats_min_value":"-9","stats_max_value":"3","stats_null_count":2,"row_group_num_rows":4}
	M
}

@test "parquet: epoch numbers, decimal numbers, escapes, base64 uuids, defaults and missing nullable fields" {
	run pq_write "$PQ/forms.avsc" "$T/f.parquet" <"$PQ/forms.ndjson"
	assert_status 0
	both_read "$T/f.parquet" "$PQ/forms.expected"
}

@test "parquet: a record that does not fit is refused, naming the field, and leaves no trace" {
	{
		sed -n 1p "$PQ/all.ndjson"
		sed -n 2p "$PQ/all.ndjson" | sed 's/"narr":\[\]/"narr":[1,"x"]/'
		sed -n 3p "$PQ/all.ndjson" | sed 's/"dec":"1.00"/"dec":"1.001"/'
		sed -n 4p "$PQ/all.ndjson" | sed 's/"mm":{"k":null}/"mm":{"k":[1.5]}/'
		sed -n 2p "$PQ/all.ndjson" | sed 's/,"os":null//; s/"b":false,//'
		sed -n 3,4p "$PQ/all.ndjson"
	} >"$T/in.ndjson"
	run pq_write "$PQ/all.avsc" "$T/bad.parquet" <"$T/in.ndjson"
	assert_status 65
	assert_output <<-'E'
	line 2: .narr[1]: expected long, got string "x"
	line 3: .dec: more than 2 decimal places
	line 4: .mm.k[0]: expected int, got number 1.5
	line 5: .b: missing (expected boolean)
	E
	sed -n '1p;3,4p' "$PQ/all.ndjson" >"$T/want.ndjson"
	both_read "$T/bad.parquet" "$T/want.ndjson"
}

@test "parquet: a schema Parquet cannot hold is refused, naming the field" {
	cat >"$T/u.avsc" <<-'A'
	{"type":"record","name":"R","fields":[{"name":"ok","type":"int"},
	 {"name":"inner","type":{"type":"record","name":"I","fields":[
	  {"name":"v","type":["null","long","string"]}]}}]}
	A
	run pq_write "$T/u.avsc" "$T/u.parquet" </dev/null
	assert_status 65
	assert_output 'test_parquet: .inner.v: null, long or string: a union of several types other than null has no Parquet equivalent (parquet-avro writes a group of optional member0, member1, ...; sw writes only ["null", T])'
}

@test "parquet: a file with no records is a valid empty table" {
	run pq_write "$PQ/all.avsc" "$T/e.parquet" </dev/null
	assert_status 0
	both_read "$T/e.parquet" /dev/null
	run parquet_read schema "$T/e.parquet"
	assert_output <"$PQ/all.schema"
}
