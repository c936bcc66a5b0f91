#!/usr/bin/env bats
# sw-avro: containers, framed messages, schema evolution, registries,
# cross-checked against python3-avro (and avro-c's avromod for snappy and
# avro-c's own "lzma").

load test_helper
load helpers/avro
load helpers/kafka

setup() {
	T=$BATS_TEST_TMPDIR
}

teardown() {
	stop_registry
	kafka_stop
}

# --- help, flags, usage ------------------------------------------------

@test "sw-avro: --help of the tool and of decode/encode lists the contract's flags" {
	run sw-avro --help
	assert_status 0
	for f in --schema --reader-schema --registry --field --framing --json \
		--schema-id --codec --writer --reader --subject --output \
		--on-error --dead-letter --max-line --stats; do
		grep -q -- "$f" <<<"$output" || { echo "missing $f"; return 1; }
	done
	run sw-avro decode --help
	assert_status 0
	grep -q -- "--reader-schema" <<<"$output"
	run sw-avro encode --help
	assert_status 0
	grep -q -- "--codec" <<<"$output"
}

@test "sw-avro: --version" {
	run sw-avro --version
	assert_status 0
	[[ ${lines[0]} == "sw-avro "* ]]
}

@test "sw-avro: usage errors exit 64" {
	run sw-avro
	assert_status 64
	run sw-avro frobnicate
	assert_status 64
	[[ $output == *"unknown subcommand 'frobnicate': expected decode, encode, schema, fingerprint, compat, register"* ]]
	run sw-avro decode --bogus
	assert_status 64
	run sw-avro decode --json xml
	assert_status 64
	run sw-avro encode --schema "$DATA/schema_ver1.avsc" --codec bzip2
	assert_status 64
	[[ $output == *"codec bzip2 is not supported"* ]]
	run sw-avro decode --framing carrier-pigeon
	assert_status 64
	run sw-avro encode --schema "$DATA/schema_ver1.avsc" --schema-id -3
	assert_status 64
	run sw-avro encode </dev/null
	assert_status 64
	[[ $output == *"encode needs --schema"* ]]
	run sw-avro encode --schema "$DATA/schema_ver1.avsc" --framing confluent </dev/null
	assert_status 64
	[[ $output == *"--schema-id"* ]]
	run sw-avro compat --writer "$DATA/schema_ver1.avsc"
	assert_status 64
	run sw-avro register --registry "$T/reg" "$DATA/schema_ver1.avsc"
	assert_status 64
}

@test "sw-avro: an invalid schema is a usage error naming the file and the problem" {
	run sw-avro fingerprint "$DATA/bad/schema_bad_default.avsc"
	assert_status 64
	[[ $output == *"schema_bad_default.avsc: field User.temp: invalid default \"1\""*"first branch, null"* ]]
	run sw-avro encode --schema "$DATA/bad/schema_ver2_broken.avsc" </dev/null
	assert_status 64
	[[ $output == *"--schema: $DATA/bad/schema_ver2_broken.avsc: invalid JSON"* ]]
	run sw-avro decode --reader-schema "$DATA/bad/schema_bad_default.avsc" </dev/null
	assert_status 64
	[[ $output == *"schema_bad_default.avsc"* ]]
	echo '{"type":"record","name":"R","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["A"],"default":"B"}}]}' >"$T/e.avsc"
	run sw-avro fingerprint "$T/e.avsc"
	assert_status 64
	[[ $output == *"default is not one of its symbols"* ]]
	echo '{"type":"record","name":"R","fields":[{"name":"a","type":"Nope"}]}' >"$T/u.avsc"
	run sw-avro fingerprint "$T/u.avsc"
	assert_status 64
	[[ $output == *'unknown type "Nope"'* ]]
	run sw-avro fingerprint "$T/missing.avsc"
	assert_status 64
	# in data, a writer's schema with a bad default is still read (its
	# defaults are never used): python3-avro writes such files
	/usr/bin/python3 - "$DATA/bad/schema_bad_default.avsc" "$T/bd.avro" <<'EOF'
import sys, avro.datafile, avro.io, avro.schema
s = avro.schema.parse(open(sys.argv[1]).read())
w = avro.datafile.DataFileWriter(open(sys.argv[2], "wb"), avro.io.DatumWriter(), s)
w.append({"name": "a", "temp": "x"})
w.close()
EOF
	run sw-avro decode "$T/bd.avro"
	assert_status 0
	assert_output '{"name":"a","temp":"x"}'
}

# --- cross-checks with python3-avro and avro-c -------------------------

@test "sw-avro: decodes python3-avro container files of every type (null, deflate)" {
	for c in null deflate; do
		"$AVRO_PY" write "$AVRO_FIX/all.avsc" $c "$T/py-$c.avro"
		run sw-avro decode "$T/py-$c.avro"
		assert_status 0
		assert_output <"$AVRO_FIX/all.ndjson"
	done
	# the expected file is python3-avro's own reading of its file
	run "$AVRO_PY" dump "$T/py-null.avro"
	assert_output <"$AVRO_FIX/all.ndjson"
}

@test "sw-avro: decodes avro-c's snappy and lzma containers (schema lost by avro-c, restored by --reader-schema)" {
	"$AVRO_PY" write "$AVRO_FIX/all.avsc" null "$T/py.avro"
	for c in snappy lzma deflate; do
		avromod --codec=$c "$T/py.avro" "$T/c-$c.avro"
		run sw-avro decode --reader-schema "$AVRO_FIX/all.avsc" "$T/c-$c.avro"
		assert_status 0
		assert_output <"$AVRO_FIX/all.ndjson"
	done
}

@test "sw-avro: python3-avro reads what sw-avro encodes (null, deflate; snappy via avromod)" {
	for c in null deflate; do
		sw-avro encode --schema "$AVRO_FIX/all.avsc" --codec $c -o "$T/sw-$c.avro" "$AVRO_FIX/all.ndjson"
		run "$AVRO_PY" dump "$T/sw-$c.avro"
		assert_status 0
		assert_output <"$AVRO_FIX/all.ndjson"
	done
	sw-avro encode --schema "$AVRO_FIX/all.avsc" --codec snappy -o "$T/sw-snappy.avro" "$AVRO_FIX/all.ndjson"
	avromod --codec=null "$T/sw-snappy.avro" "$T/sw-snappy-null.avro"
	run sw-avro decode --reader-schema "$AVRO_FIX/all.avsc" "$T/sw-snappy-null.avro"
	assert_output <"$AVRO_FIX/all.ndjson"
}

@test "sw-avro: every codec round-trips; the header keeps the schema as given and names xz" {
	for c in null deflate snappy xz lzma zstandard; do
		run bash -c "sw-avro encode --schema '$AVRO_FIX/all.avsc' --codec $c '$AVRO_FIX/all.ndjson' | sw-avro decode"
		assert_status 0
		assert_output <"$AVRO_FIX/all.ndjson"
	done
	sw-avro encode --schema "$AVRO_FIX/evo-reader.avsc" --codec lzma -o "$T/x.avro" </dev/null
	grep -qa 'xz' "$T/x.avro"
	! grep -qa 'lzma' "$T/x.avro"
	run sw-avro schema "$T/x.avro"
	assert_status 0
	[[ $output == *'"default":1639277810000'* ]]
	[[ $output == *'"aliases":["old_name"]'* ]]
	[[ $output == *'"logicalType":"timestamp-millis"'* ]]
}

@test "sw-avro: a datum larger than a block (avro-c's writer fails there)" {
	python3 -c 'import json; print(json.dumps({"name": "x" * 300000, "action": "é" * 70000, "sendtime": 1}))' >"$T/big"
	sw-avro encode --schema "$DATA/schema_ver1.avsc" --codec deflate -o "$T/big.avro" "$T/big" "$T/big"
	run bash -c "sw-avro decode '$T/big.avro' | cmp - <(cat '$T/big' '$T/big' | jq -c .)"
	assert_status 0
	run "$AVRO_PY" dump "$T/big.avro"
	[ "${#lines[@]}" -eq 2 ]
}

@test "sw-avro: framed datums from python3-avro decode with --field (raw, confluent, single-object, auto)" {
	sed 's/^/{"value":/; s/$/}/' "$AVRO_FIX/all.ndjson" >"$T/want"
	for f in raw confluent single-object; do
		"$AVRO_PY" frame "$AVRO_FIX/all.avsc" $f 7 >"$T/in-$f"
		run sw-avro decode --schema "$AVRO_FIX/all.avsc" --framing $f --field .value "$T/in-$f"
		assert_status 0
		assert_output <"$T/want"
	done
	for f in confluent single-object; do
		run sw-avro decode --schema "$AVRO_FIX/all.avsc" --field .value "$T/in-$f"
		assert_status 0
		assert_output <"$T/want"
	done
}

@test "sw-avro: python3-avro reads the framed datums sw-avro encodes" {
	for f in raw confluent single-object; do
		run bash -c "sw-avro encode --schema '$AVRO_FIX/all.avsc' --framing $f --schema-id 7 --field . '$AVRO_FIX/all.ndjson' | sed 's/^/{\"value\":/; s/$/}/' | '$AVRO_PY' unframe '$AVRO_FIX/all.avsc' $f"
		assert_status 0
		assert_output <"$AVRO_FIX/all.ndjson"
	done
	# the confluent header carries the id, big-endian
	run bash -c "echo '{\"v\":{\"name\":\"a\",\"action\":null,\"sendtime\":1}}' | sw-avro encode --schema '$DATA/schema_ver1.avsc' --framing confluent --schema-id 258 --field .v | jq -r .v | base64 -d | od -An -tx1 | head -1"
	[[ $output == " 00 00 00 01 02 02 61 02 00 02"* ]]
}

@test "sw-avro: streams of framed datums without --field, both ways" {
	for f in raw confluent single-object; do
		sw-avro encode --schema "$AVRO_FIX/all.avsc" --framing $f --schema-id 3 -o "$T/s-$f" "$AVRO_FIX/all.ndjson"
		run sw-avro decode --schema "$AVRO_FIX/all.avsc" --framing $f "$T/s-$f"
		assert_status 0
		assert_output <"$AVRO_FIX/all.ndjson"
	done
	# auto tells a single-object stream by its marker
	run sw-avro decode --schema "$AVRO_FIX/all.avsc" "$T/s-single-object"
	assert_output <"$AVRO_FIX/all.ndjson"
	head -c 100 "$T/s-raw" >"$T/cut"
	run sw-avro decode --schema "$AVRO_FIX/all.avsc" --framing raw "$T/cut"
	assert_status 65
	[[ $output == *"$T/cut:1: "* ]]
	echo '"null"' >"$T/null.avsc"
	run timeout 60 sw-avro decode --schema "$T/null.avsc" --framing raw "$T/cut"
	assert_status 65
	[[ $output == *"a stream of datums that take no bytes cannot be read"* ]]
}

@test "sw-avro: --json avro both ways" {
	"$AVRO_PY" write "$AVRO_FIX/all.avsc" null "$T/py.avro"
	run sw-avro decode --json avro "$T/py.avro"
	assert_status 0
	assert_output <"$AVRO_FIX/all-avro.ndjson"
	[[ ${lines[1]} == *'"u":{"string":"text"}'* ]]
	[[ ${lines[3]} == *'"u":{"sw.test.Inner":{"x":1,"tags":["z"]}}'* ]]
	run bash -c "sw-avro encode --json avro --schema '$AVRO_FIX/all.avsc' '$AVRO_FIX/all-avro.ndjson' | sw-avro decode"
	assert_status 0
	assert_output <"$AVRO_FIX/all.ndjson"
	echo '{"name":"a","action":"x","sendtime":null}' >"$T/plain"
	run sw-avro encode --json avro --schema "$DATA/schema_ver1.avsc" "$T/plain"
	assert_status 65
	[[ $output == *'.action: expected a union as {"type": value}'* ]]
}

@test "sw-avro: fingerprint gives the specification's values and python3-avro's canonical form" {
	echo '"null"' >"$T/null.avsc"
	echo '{"type":"fixed","name":"foo","size":15,"doc":"x"}' >"$T/fixed.avsc"
	echo '{"type":"record","name":"PigValue","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}' >"$T/pig.avsc"
	run sw-avro fingerprint "$T/null.avsc" "$T/fixed.avsc" "$T/pig.avsc"
	assert_status 0
	[[ ${lines[0]} == *'"canonical":"\"null\"","crc64_avro":"63dd24e7cc258f8a","crc64_avro_int":7195948357588979594}' ]]
	[[ ${lines[1]} == *'"crc64_avro_int":1756455273707447556}' ]]
	[[ ${lines[2]} == *'"crc64_avro_int":-1759257747318642341}' ]]
	for s in "$AVRO_FIX/all.avsc" "$AVRO_FIX/evo-reader.avsc" "$DATA/schema_ver1.avsc"; do
		want=$("$AVRO_PY" canonical "$s")
		run bash -c "sw-avro fingerprint '$s' | jq -c '{canonical, crc64_avro}'"
		assert_output "$want"
	done
}

# --- schema evolution --------------------------------------------------

@test "sw-avro: schema_ver1 data read with schema_ver2: temp takes its default null" {
	printf '%s\n' '{"name":"yuki","action":"login","sendtime":1639277668791}' \
		'{"name":"aki","action":null,"sendtime":null}' >"$T/v1.ndjson"
	sw-avro encode --schema "$DATA/schema_ver1.avsc" -o "$T/v1.avro" "$T/v1.ndjson"
	run sw-avro decode --reader-schema "$DATA/schema_ver2.avsc" "$T/v1.avro"
	assert_status 0
	assert_output <<'EOF'
{"name":"yuki","action":"login","sendtime":1639277668791,"temp":null}
{"name":"aki","action":null,"sendtime":null,"temp":null}
EOF
	run sw-avro compat --writer "$DATA/schema_ver1.avsc" --reader "$DATA/schema_ver2.avsc"
	assert_status 0
	assert_output '{"compatible":true}'
}

@test "sw-avro: resolution rules: defaults of every kind, removed fields, promotions, unions, enums, aliases, reordering" {
	sw-avro encode --schema "$AVRO_FIX/evo-writer.avsc" -o "$T/evo.avro" "$AVRO_FIX/evo-in.ndjson"
	run sw-avro decode --reader-schema "$AVRO_FIX/evo-reader.avsc" "$T/evo.avro"
	assert_status 0
	assert_output <"$AVRO_FIX/evo-expected.ndjson"
	# the same through framed messages
	run bash -c "sw-avro encode --schema '$AVRO_FIX/evo-writer.avsc' --framing single-object --field . '$AVRO_FIX/evo-in.ndjson' | sw-avro decode --schema '$AVRO_FIX/evo-writer.avsc' --reader-schema '$AVRO_FIX/evo-reader.avsc' --field ."
	assert_status 0
	assert_output <"$AVRO_FIX/evo-expected.ndjson"
}

@test "sw-avro: a datum that cannot be resolved is bad input naming the field; skip goes on" {
	cat "$AVRO_FIX/evo-in.ndjson" "$AVRO_FIX/evo-bad.ndjson" "$AVRO_FIX/evo-in.ndjson" |
		sw-avro encode --schema "$AVRO_FIX/evo-writer.avsc" -o "$T/evo.avro"
	run sw-avro decode --reader-schema "$AVRO_FIX/evo-reader.avsc" "$T/evo.avro"
	assert_status 65
	[[ $output == *"sw-avro: $T/evo.avro:4: block 1: .u2one: the writer's null cannot be read as long"* ]]
	[ "$(grep -c '^{' <<<"$output")" -eq 3 ]
	run sw-avro decode --reader-schema "$AVRO_FIX/evo-reader.avsc" --dead-letter "$T/dl" "$T/evo.avro"
	assert_status 0
	[ "$(grep -c '^{' <<<"$output")" -eq 6 ]
	run jq -r .error "$T/dl"
	assert_output "block 1: .u2one: the writer's null cannot be read as long"
}

@test "sw-avro: a number out of the float or double range is bad input naming the field, never null" {
	echo '{"type":"record","name":"R","fields":[{"name":"f","type":"float"},{"name":"d","type":"double"}]}' >"$T/n.avsc"
	run sw-avro encode --schema "$T/n.avsc" -o "$T/n.avro" <<<'{"f":1e39,"d":1}'
	assert_status 65
	assert_output 'sw-avro: stdin:1: .f: 1e39 is out of the range of float'
	run sw-avro encode --schema "$T/n.avsc" -o "$T/n.avro" <<<'{"f":1,"d":-1e400}'
	assert_status 65
	assert_output 'sw-avro: stdin:1: .d: -1e400 is out of the range of double'
	printf '%s\n' '{"f":1,"d":-1e400}' '{"f":3.4e38,"d":1.7e308}' |
		sw-avro encode --schema "$T/n.avsc" -o "$T/n.avro" --dead-letter "$T/dl"
	run sw-avro decode "$T/n.avro"
	assert_output '{"f":3.4e+38,"d":1.7e+308}'
	run jq -r .error "$T/dl"
	assert_output '.d: -1e400 is out of the range of double'
}

@test "sw-avro: enum symbols resolve by name; without an enum default an unknown symbol fails" {
	echo '{"type":"enum","name":"E","symbols":["A","B","C"]}' >"$T/w.avsc"
	echo '{"type":"enum","name":"E","symbols":["C","A"]}' >"$T/r.avsc"
	printf '"A"\n"C"\n"B"\n' | sw-avro encode --schema "$T/w.avsc" -o "$T/e.avro"
	run sw-avro decode --reader-schema "$T/r.avsc" "$T/e.avro"
	assert_status 65
	[[ $output == *'"A"'*'"C"'*"symbol B is not in the reader's enum E and it has no default"* ]]
	run sw-avro compat --writer "$T/w.avsc" --reader "$T/r.avsc"
	assert_status 65
	[[ $output == *"the writer's symbol B is not in the reader's enum E, which has no default"* ]]
}

@test "sw-avro: union to non-union and non-union to union" {
	echo '["null","int","string"]' >"$T/w.avsc"
	echo '"string"' >"$T/r1.avsc"
	echo '["null","double","bytes"]' >"$T/r2.avsc"
	printf '"x"\n7\nnull\n' | sw-avro encode --schema "$T/w.avsc" -o "$T/u.avro"
	run sw-avro decode --reader-schema "$T/r1.avsc" --on-error skip -q "$T/u.avro"
	assert_status 0
	assert_output '"x"'
	run sw-avro decode --reader-schema "$T/r2.avsc" --json avro "$T/u.avro"
	assert_status 0
	assert_output <<'EOF'
{"bytes":"x"}
{"double":7}
null
EOF
	echo '"int"' >"$T/i.avsc"
	printf '5\n' | sw-avro encode --schema "$T/i.avsc" -o "$T/i.avro"
	run sw-avro decode --json avro --reader-schema "$T/w.avsc" "$T/i.avro"
	assert_output '{"int":5}'
}

@test "sw-avro: compat lists every reason and exits 65" {
	cat >"$T/r.avsc" <<'EOF'
{"type":"record","name":"User","namespace":"example.avro","fields":[
 {"name":"name","type":"int"},
 {"name":"zip","type":"string"},
 {"name":"sendtime","type":["long","null"]}]}
EOF
	run sw-avro compat --writer "$DATA/schema_ver1.avsc" --reader "$T/r.avsc"
	assert_status 65
	[[ $output == *'{"compatible":false,"reasons":[".name: the writer'"'"'s string cannot be read as int",".zip: the reader'"'"'s field zip is not in the writer'"'"'s record example.avro.User and has no default"]}'* ]]
}

# --- plain JSON encoding -----------------------------------------------

@test "sw-avro: plain JSON picks the union branch that fits" {
	cat >"$T/s.avsc" <<'EOF'
{"type":"record","name":"R","fields":[{"name":"u","type":["null","double","long","string",
 {"type":"record","name":"P","fields":[{"name":"p","type":"int"}]},{"type":"map","values":"int"},
 {"type":"array","items":"boolean"},"boolean"]}]}
EOF
	printf '%s\n' '{"u":null}' '{"u":1.5}' '{"u":9007199254740993}' '{"u":"s"}' \
		'{"u":{"p":1}}' '{"u":{"q":2}}' '{"u":[true]}' '{"u":false}' >"$T/in"
	run bash -c "sw-avro encode --schema '$T/s.avsc' '$T/in' | sw-avro decode --json avro"
	assert_status 0
	assert_output <<'EOF'
{"u":null}
{"u":{"double":1.5}}
{"u":{"long":9007199254740993}}
{"u":{"string":"s"}}
{"u":{"P":{"p":1}}}
{"u":{"map":{"q":2}}}
{"u":{"array":[true]}}
{"u":{"boolean":false}}
EOF
}

@test "sw-avro: a record that does not fit is bad input naming the field and the type" {
	printf '%s\n' '{"name":"a","action":"x","sendtime":1}' '{"name":"b","action":"y","sendtime":"soon"}' \
		'{"name":3}' '{"action":"z"}' >"$T/in"
	run sw-avro encode --schema "$DATA/schema_ver1.avsc" -o "$T/o.avro" "$T/in"
	assert_status 65
	[[ $output == *"sw-avro: $T/in:2: .sendtime: expected long or null, got string \"soon\""* ]]
	# The container file is whole, with the records before the bad one.
	run sw-avro decode "$T/o.avro"
	assert_status 0
	assert_output '{"name":"a","action":"x","sendtime":1}'
	run sw-avro encode --schema "$DATA/schema_ver1.avsc" --on-error skip -o "$T/o.avro" "$T/in"
	assert_status 0
	[[ $output == *"$T/in:3: .name: expected string, got number 3"* ]]
	[[ $output == *"$T/in:4: .name: missing (expected string)"* ]]
	run sw-avro decode "$T/o.avro"
	assert_output '{"name":"a","action":"x","sendtime":1}'
	# a missing nullable field is null
	echo '{"name":"n"}' | sw-avro encode --schema "$DATA/schema_ver1.avsc" -o "$T/n.avro"
	run sw-avro decode "$T/n.avro"
	assert_output '{"name":"n","action":null,"sendtime":null}'
}

# --- registries --------------------------------------------------------

@test "sw-avro: register in a directory: ids, versions, identical schemas, incompatible refused" {
	run sw-avro register --registry "$T/reg" --subject users "$DATA/schema_ver1.avsc"
	assert_status 0
	assert_output 1
	run sw-avro register --registry "$T/reg" --subject users "$DATA/schema_ver1.avsc"
	assert_output 1
	run sw-avro register --registry "$T/reg" --subject users "$DATA/schema_ver2.avsc"
	assert_output 2
	[ -f "$T/reg/ids/1.avsc" ] && [ -f "$T/reg/ids/2.avsc" ]
	[ -f "$T/reg/subjects/users/1.avsc" ] && [ -f "$T/reg/subjects/users/2.avsc" ]
	[ ! -e "$T/reg/subjects/users/3.avsc" ]
	run sw-avro register --registry "$T/reg" --subject other "$DATA/schema_ver2.avsc"
	assert_output 2
	echo '{"type":"record","name":"User","namespace":"example.avro","fields":[{"name":"name","type":"long"}]}' >"$T/bad.avsc"
	run sw-avro register --registry "$T/reg" --subject users "$T/bad.avsc"
	assert_status 65
	[[ $output == *".name: the writer's string cannot be read as long"* ]]
	[ ! -e "$T/reg/subjects/users/3.avsc" ]
	run sw-avro register --registry "$T/reg" --subject ../x "$T/bad.avsc"
	assert_status 64
}

@test "sw-avro: decode and encode confluent messages with a registry directory" {
	sw-avro register --registry "$T/reg" --subject users "$DATA/schema_ver1.avsc"
	sw-avro register --registry "$T/reg" --subject users "$DATA/schema_ver2.avsc"
	echo '{"key":"k","value":{"name":"yuki","action":"login","sendtime":5}}' >"$T/in"
	# encode finds the id of --schema in the directory
	sw-avro encode --registry "$T/reg" --schema "$DATA/schema_ver1.avsc" --framing confluent --field .value "$T/in" >"$T/framed"
	run sw-avro decode --registry "$T/reg" --field .value "$T/framed"
	assert_status 0
	assert_output '{"key":"k","value":{"name":"yuki","action":"login","sendtime":5}}'
	run sw-avro decode --registry "$T/reg" --reader-schema "$DATA/schema_ver2.avsc" --field .value "$T/framed"
	assert_output '{"key":"k","value":{"name":"yuki","action":"login","sendtime":5,"temp":null}}'
	# single-object found by fingerprint in the directory
	sw-avro encode --registry "$T/reg" --schema-id 2 --framing single-object --field .value "$T/in" >"$T/so"
	run sw-avro decode --registry "$T/reg" --field .value "$T/so"
	assert_output '{"key":"k","value":{"name":"yuki","action":"login","sendtime":5,"temp":null}}'
	# an unknown id is bad input
	sw-avro encode --schema "$DATA/schema_ver1.avsc" --schema-id 99 --framing confluent --field .value "$T/in" >"$T/unknown"
	run sw-avro decode --registry "$T/reg" --field .value "$T/unknown"
	assert_status 65
	[[ $output == *"schema id 99 is not in the registry"* ]]
}

@test "sw-avro: a Confluent Schema Registry URL (test double)" {
	sw-avro register --registry "$T/reg" --subject users "$DATA/schema_ver1.avsc" >/dev/null
	start_registry --preload "$T/reg"
	echo '{"value":{"name":"yuki","action":null,"sendtime":7}}' |
		sw-avro encode --schema "$DATA/schema_ver1.avsc" --schema-id 1 --framing confluent --field .value >"$T/m"
	run sw-avro decode --registry "$REGISTRY_URL" --reader-schema "$DATA/schema_ver2.avsc" --field .value "$T/m" "$T/m"
	assert_status 0
	assert_output <<'EOF'
{"value":{"name":"yuki","action":null,"sendtime":7,"temp":null}}
{"value":{"name":"yuki","action":null,"sendtime":7,"temp":null}}
EOF
	# cached per run: one GET for two messages
	[ "$(grep -c 'GET /schemas/ids/1' "$T/registry.log")" -eq 1 ]
	run sw-avro register --registry "$REGISTRY_URL" --subject users "$DATA/schema_ver2.avsc"
	assert_status 0
	assert_output 2
	run sw-avro register --registry "$REGISTRY_URL" --subject incompatible-users "$DATA/schema_ver2.avsc"
	assert_status 65
	[[ $output == *"HTTP 409"* ]]
	echo '{"value":"AAAAACoCYQIA"}' >"$T/m42"
	run sw-avro decode --registry "$REGISTRY_URL" --field .value "$T/m42"
	assert_status 65
	[[ $output == *"schema id 42: HTTP 404: Schema not found"* ]]
}

@test "sw-avro: registry credentials from --registry-user and a file or \$SW_REGISTRY_PASSWORD, never in the URL" {
	sw-avro register --registry "$T/reg" --subject users "$DATA/schema_ver1.avsc" >/dev/null
	start_registry --preload "$T/reg" --basic reg:s3cret-reg
	echo s3cret-reg >"$T/pw"
	echo '{"value":{"name":"yuki","action":null,"sendtime":7}}' |
		sw-avro encode --schema "$DATA/schema_ver1.avsc" --schema-id 1 --framing confluent --field .value >"$T/m"
	want='{"value":{"name":"yuki","action":null,"sendtime":7}}'
	run -0 sw-avro decode --registry "$REGISTRY_URL" --registry-user reg --registry-password-file "$T/pw" --field .value "$T/m"
	assert_output "$want"
	SW_REGISTRY_PASSWORD=s3cret-reg run -0 sw-avro decode --registry "$REGISTRY_URL" --registry-user reg --field .value "$T/m"
	assert_output "$want"
	run -0 sw-avro register --registry "$REGISTRY_URL" --registry-user reg --registry-password-file "$T/pw" --subject users "$DATA/schema_ver2.avsc"
	assert_output 2
	# Without them the registry refuses.
	run sw-avro decode --registry "$REGISTRY_URL" --field .value "$T/m"
	[[ $output == *"schema id 1: HTTP 401: Unauthorized"* ]]
	# In the URL they are refused, and not shown.
	local url="http://reg:s3cret-reg@${REGISTRY_URL#http://}"
	run -64 sw-avro decode --registry "$url" --field .value "$T/m"
	[ "${lines[0]}" = "sw-avro: --registry: credentials in the URL are not accepted: use --registry-user with \$SW_REGISTRY_PASSWORD or --registry-password-file" ]
	run -64 sw-avro register --registry "$url" --subject users "$DATA/schema_ver2.avsc"
	[ "${lines[0]}" = "sw-avro: --registry: credentials in the URL are not accepted: use --registry-user with \$SW_REGISTRY_PASSWORD or --registry-password-file" ]
	! grep -q s3cret <<<"$output"
	# Usage errors.
	run -64 env -u SW_REGISTRY_PASSWORD sw-avro decode --registry "$REGISTRY_URL" --registry-user reg --field .value "$T/m"
	[ "${lines[0]}" = "sw-avro: --registry-user needs \$SW_REGISTRY_PASSWORD or --registry-password-file" ]
	run -64 sw-avro decode --registry "$REGISTRY_URL" --registry-password-file "$T/pw" --field .value "$T/m"
	[ "${lines[0]}" = "sw-avro: --registry-password-file needs --registry-user" ]
	run -64 sw-avro decode --registry "$REGISTRY_URL" --registry-user reg --registry-password-file "$T" --field .value "$T/m"
	[ "${lines[0]}" = "sw-avro: --registry-password-file: $T: Is a directory" ]
	run -64 sw-avro decode --registry "$T/reg" --registry-user reg --registry-password-file "$T/pw" --field .value "$T/m"
	[ "${lines[0]}" = "sw-avro: --registry-user is for a registry URL" ]
}

@test "sw-avro: an unreachable or failing registry exits 69" {
	port=$(free_port)
	echo '{"value":"AAAAAAECYQIA"}' >"$T/m"
	run timeout 60 sw-avro decode --registry "http://127.0.0.1:$port" --field .value "$T/m"
	assert_status 69
	[[ $output == *"127.0.0.1:$port"* ]]
	start_registry --fail-status 503
	run timeout 60 sw-avro decode --registry "$REGISTRY_URL" --field .value "$T/m"
	assert_status 69
	run timeout 60 sw-avro register --registry "http://127.0.0.1:$port" --subject s "$DATA/schema_ver1.avsc"
	assert_status 69
}

# --- messages ----------------------------------------------------------

@test "sw-avro: --field keeps the rest of the record, nulls stay null, bad messages are bad input" {
	printf '%s\n' '{"topic":"t","value":{"name":"a","action":"go","sendtime":1},"key":null}' \
		'{"topic":"t","value":null,"key":null}' '{"value":"oops"}' '{"value":{"name":1}}' >"$T/in"
	run sw-avro encode --schema "$DATA/schema_ver1.avsc" --framing raw --field .value "$T/in"
	assert_status 65
	[[ $output == *"$T/in:3: .value: expected record example.avro.User, got string \"oops\""* ]]
	run sw-avro encode --schema "$DATA/schema_ver1.avsc" --framing raw --field .value --on-error skip "$T/in"
	assert_status 0
	[[ $output == *'{"topic":"t","value":null,"key":null}'* ]]
	[[ $output == *"$T/in:4: .value.name: expected string, got number 1"* ]]
	head -2 "$T/in" | sw-avro encode --schema "$DATA/schema_ver1.avsc" --framing raw --field .value >"$T/raw"
	run sw-avro decode --schema "$DATA/schema_ver1.avsc" --framing raw --field .value "$T/raw"
	assert_status 0
	assert_output <<'EOF'
{"topic":"t","value":{"name":"a","action":"go","sendtime":1},"key":null}
{"topic":"t","value":null,"key":null}
EOF
	printf '%s\n' '{"value":null}' '{"value":"!!"}' '{"nothing":1}' '{"value":"Ag=="}' >"$T/bad"
	run sw-avro decode --schema "$DATA/schema_ver1.avsc" --framing raw --field .value --on-error skip "$T/bad"
	assert_status 0
	[ "$(grep -c '^{' <<<"$output")" -eq 1 ]
	[[ $output == *'{"value":null}'* ]]
	[[ $output == *"$T/bad:2: .value: expected a base64 string"* ]]
	[[ $output == *"$T/bad:3: .value: missing"* ]]
	[[ $output == *"$T/bad:4: .value: .name: string length 1 exceeds the 0 bytes left"* ]]
	run sw-avro decode --field .value </dev/null
	assert_status 64
}

@test "sw-avro: through Kafka (the mock): written with schema v1, read with v2, each framing" {
	kafka_start --topic raw --topic confluent --topic single-object
	sw-avro register --registry "$T/reg" --subject users "$DATA/schema_ver1.avsc" >/dev/null
	printf '%s\n' '{"name":"yuki","action":"login","sendtime":1639277668791}' \
		'{"name":"aki","action":null,"sendtime":null}' >"$T/in"
	for f in raw confluent single-object; do
		sw-avro encode --registry "$T/reg" --schema "$DATA/schema_ver1.avsc" --framing $f --field . "$T/in" |
			timeout 60 sw-produce -b "$KAFKA_BROKERS" -t $f --value-format base64
		run bash -c "timeout 60 sw-consume -b '$KAFKA_BROKERS' -t $f -o beginning -e --value-format base64 |
			sw-avro decode --registry '$T/reg' --schema '$DATA/schema_ver1.avsc' --reader-schema '$DATA/schema_ver2.avsc' --framing $f --field .value |
			jq -c .value"
		assert_status 0
		assert_output <<'EOF'
{"name":"yuki","action":"login","sendtime":1639277668791,"temp":null}
{"name":"aki","action":null,"sendtime":null,"temp":null}
EOF
	done
}

# --- hostile input -----------------------------------------------------

@test "sw-avro: truncated containers, bad sync markers and garbage are clear errors (65)" {
	sw-avro encode --schema "$AVRO_FIX/all.avsc" --codec deflate -o "$T/ok.avro" "$AVRO_FIX/all.ndjson"
	size=$(stat -c %s "$T/ok.avro")
	for cut in 3 20 200 $((size - 17)) $((size - 1)); do
		head -c $cut "$T/ok.avro" >"$T/cut.avro"
		run sw-avro decode "$T/cut.avro"
		assert_status 65
		[[ $output == *"$T/cut.avro: "* ]]
	done
	# flip the last byte: the sync marker after the block
	python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[-1]^=1; open(sys.argv[2],"wb").write(b)' "$T/ok.avro" "$T/sync.avro"
	run sw-avro decode "$T/sync.avro"
	assert_status 65
	[[ $output == *"block 1: bad sync marker"* ]]
	head -c 4096 /dev/urandom >"$T/junk"
	run sw-avro decode --framing container "$T/junk"
	assert_status 65
	[[ $output == *"not an Avro object container file"* ]]
	python3 -c 'import sys; sys.stdout.buffer.write(b"Obj\x01\x02\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01")' >"$T/hdr.avro"
	run sw-avro decode "$T/hdr.avro"
	assert_status 65
	[[ $output == *"invalid metadata key length"* ]]
}

@test "sw-avro: negative and huge lengths and counts never reach an allocation" {
	echo '{"type":"record","name":"R","fields":[{"name":"s","type":"string"},{"name":"a","type":{"type":"array","items":"null"}}]}' >"$T/s.avsc"
	# string length -1 (zig-zag 01), 2^62, array blocks cut short, a huge count
	for hex in 01 80808080808080808001 0001 00ffffffffffffffff7f 00feffffffffffffffff01; do
		echo "{\"v\":\"$(hex_b64 $hex)\"}"
	done >"$T/in"
	run sw-avro decode --schema "$T/s.avsc" --framing raw --field .v --on-error skip "$T/in"
	assert_status 0
	[[ $output == *"in:1: .v: .s: negative string length -1"* ]]
	[[ $output == *"in:2: .v: .s: string length"*"exceeds the 0 bytes left"* ]]
	[[ $output == *"in:3: .v: .a: truncated datum"* ]]
	[[ $output == *"in:4: .v: .a: truncated datum"* ]]
	[[ $output == *"in:5: .v: .a: block count 9223372036854775807 exceeds the data left"* ]]
	echo '{"type":"record","name":"L","fields":[{"name":"next","type":["null","L"]}]}' >"$T/l.avsc"
	python3 -c 'print("{\"v\":\"" + __import__("base64").b64encode(b"\x02" * 100000 + b"\x00").decode() + "\"}")' >"$T/deep"
	run sw-avro decode --schema "$T/l.avsc" --framing raw --field .v "$T/deep"
	assert_status 65
	[[ $output == *"nested more than 256 levels"* ]]
}

@test "sw-avro: a huge block size announced by a short file is an error, not an allocation" {
	python3 - "$T/big.avro" <<'EOF'
import sys
def zz(v):
    v = (v << 1) ^ (v >> 63)
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7f) | 0x80); v >>= 7
    out.append(v)
    return bytes(out)
def s(b): return zz(len(b)) + b
schema = b'"string"'
sync = b"0123456789abcdef"
hdr = b"Obj\x01" + zz(1) + s(b"avro.schema") + s(schema) + zz(0) + sync
open(sys.argv[1], "wb").write(hdr + zz(1) + zz(900000000) + b"\x02a")
EOF
	run sw-avro decode "$T/big.avro"
	assert_status 65
	[[ $output == *"block 1: truncated (900000000 bytes announced"* ]]
	# a block of 2^60 null datums in no bytes
	python3 -c 'import sys; sys.stdout.buffer.write(b"Obj\x01\x02\x16avro.schema\x0c\"null\"\x00" + b"S"*16 + b"\x80\x80\x80\x80\x80\x80\x80\x80\x20\x00" + b"S"*16)' >"$T/nulls.avro"
	run timeout 60 sw-avro decode "$T/nulls.avro"
	assert_status 65
	[[ $output == *"block 1: 1152921504606846976 datums in 0 bytes"* ]]
}

# --- I/O ---------------------------------------------------------------

@test "sw-avro: I/O errors exit 74" {
	run sw-avro decode "$T/does-not-exist.avro"
	assert_status 74
	[[ $output == *"does-not-exist.avro: No such file or directory"* ]]
	run sw-avro encode --schema "$DATA/schema_ver1.avsc" -o "$T/no/such/dir/x.avro" </dev/null
	assert_status 74
	sw-avro encode --schema "$AVRO_FIX/all.avsc" -o "$T/ok.avro" "$AVRO_FIX/all.ndjson"
	run bash -c "sw-avro decode '$T/ok.avro' >/dev/full"
	assert_status 74
	run bash -c "sw-avro encode --schema '$AVRO_FIX/all.avsc' '$AVRO_FIX/all.ndjson' >/dev/full"
	assert_status 74
}

@test "sw-avro: a reader that goes away ends decode quietly" {
	awk 'BEGIN{for(i=0;i<50000;i++) printf "{\"name\":\"n%d\",\"action\":null,\"sendtime\":%d}\n", i, i}' |
		sw-avro encode --schema "$DATA/schema_ver1.avsc" -o "$T/many.avro"
	run bash -c "sw-avro decode '$T/many.avro' | head -2"
	assert_status 0
	assert_output <<'EOF'
{"name":"n0","action":null,"sendtime":0}
{"name":"n1","action":null,"sendtime":1}
EOF
}

@test "sw-avro: -R, --max-line, -u, -q, -v on NDJSON input" {
	echo '{"name":"a","action":null,"sendtime":1}' |
		sw-avro encode --schema "$DATA/schema_ver1.avsc" --framing raw --field . | tr -d '"' >"$T/b64"
	echo 'not base64!' >>"$T/b64"
	# -R: each line is a string: the raw base64 of a datum
	run sw-avro decode -R --schema "$DATA/schema_ver1.avsc" --framing raw --field . -q --on-error skip "$T/b64"
	assert_status 0
	assert_output '{"name":"a","action":null,"sendtime":1}'
	run sw-avro decode -R -v -u --schema "$DATA/schema_ver1.avsc" --framing raw --field . --on-error skip "$T/b64"
	[[ $output == *"$T/b64:2: .: expected a base64 string"* ]]
	run sw-avro decode --raw-input --max-line 8 --schema "$DATA/schema_ver1.avsc" --framing raw --field . "$T/b64"
	assert_status 65
	[[ $output == *"line longer than 8 bytes"* ]]
}

@test "sw-avro: --stats counts datums" {
	sw-avro encode --schema "$AVRO_FIX/all.avsc" -o "$T/ok.avro" "$AVRO_FIX/all.ndjson"
	run bash -c "sw-avro decode --stats '$T/ok.avro' 2>&1 >/dev/null"
	assert_status 0
	[[ $output == *'"tool":"sw-avro","records_in":4,"records_out":4,"errors":0'* ]]
}

# --- round trips with avsc (issue 20: F4-F7) ---------------------------

# avsc_write FILE SCHEMA RECORDS_JS: an object container file written by
# avsc from raw values (no logical type hooks: dates are ints, decimals
# Buffers), as a JavaScript array expression.
avsc_write() {
	node -e '
		const avro = require("avsc");
		const enc = avro.createFileEncoder(process.argv[1], JSON.parse(process.argv[2]));
		for (const r of eval(process.argv[3])) enc.write(r);
		enc.end();
	' "$1" "$2" "$3"
}

# avsc_read FILE: the raw values of every datum, one JSON line each, with
# -0 written as "-0" so that the sign shows.
avsc_read() {
	node -e '
		const avro = require("avsc");
		avro.createFileDecoder(process.argv[1]).on("data", (r) => {
			console.log(JSON.stringify(r, (k, v) =>
				Object.is(v, -0) ? "-0" :
				(v && v.type === "Buffer") ? Buffer.from(v.data).toString("hex") : v));
		});
	' "$1"
}

@test "sw-avro: -0.0, dates and timestamps outside 0000-9999 survive avsc | decode | encode | avsc" {
	load helpers/npm
	npm_peers avsc
	local schema='{"type":"record","name":"R","fields":[
		{"name":"f","type":"float"},{"name":"d","type":"double"},
		{"name":"day","type":{"type":"int","logicalType":"date"}},
		{"name":"ms","type":{"type":"long","logicalType":"timestamp-millis"}},
		{"name":"us","type":{"type":"long","logicalType":"timestamp-micros"}}]}'
	echo "$schema" >"$T/s.avsc"
	avsc_write "$T/in.avro" "$schema" '[
		{f: -0, d: -0, day: -1000000, ms: 253402300800000, us: -1},
		{f: 0, d: 0, day: 2932897, ms: -86400000 * 719529, us: 4102444800000001},
		{f: -1.5, d: -0.25, day: -719528, ms: 0, us: 0}]'
	run sw-avro decode "$T/in.avro"
	assert_status 0
	[ "${lines[0]}" = '{"f":-0.0,"d":-0.0,"day":"-0768-02-04","ms":"+10000-01-01T00:00:00.000Z","us":"1969-12-31T23:59:59.999999Z"}' ]
	[ "${lines[1]}" = '{"f":0,"d":0,"day":"+10000-01-01","ms":"-0001-12-31T00:00:00.000Z","us":"2100-01-01T00:00:00.000001Z"}' ]
	[ "${lines[2]}" = '{"f":-1.5,"d":-0.25,"day":"0000-01-01","ms":"1970-01-01T00:00:00.000Z","us":"1970-01-01T00:00:00.000000Z"}' ]
	sw-avro decode "$T/in.avro" | sw-avro encode --schema "$T/s.avsc" -o "$T/back.avro"
	diff <(avsc_read "$T/in.avro") <(avsc_read "$T/back.avro")
	avsc_read "$T/back.avro" | head -1 | grep -q '"f":"-0","d":"-0"'
	# the expanded years read as times elsewhere too
	sw-avro decode "$T/in.avro" | sw-enrich --time .ms --time-out t --time-output epoch_ms \
		| jq -e -s '.[0].t == 253402300800000 and .[1].t == -62167305600000' >/dev/null
}

@test "sw-avro: NaN and the infinities are the strings Avro's JSON encoding uses, and survive avsc | decode | encode | avsc" {
	load helpers/npm
	npm_peers avsc
	local schema='{"type":"record","name":"R","fields":[
		{"name":"f","type":"float"},{"name":"d","type":"double"},
		{"name":"u","type":["null","double"]}]}'
	echo "$schema" >"$T/s.avsc"
	avsc_write "$T/in.avro" "$schema" '[
		{f: NaN, d: Infinity, u: -Infinity},
		{f: -Infinity, d: NaN, u: NaN},
		{f: Infinity, d: -Infinity, u: 2.5}]'
	run sw-avro decode "$T/in.avro"
	assert_status 0
	assert_output <<-'EOF'
	{"f":"NaN","d":"Infinity","u":"-Infinity"}
	{"f":"-Infinity","d":"NaN","u":"NaN"}
	{"f":"Infinity","d":"-Infinity","u":2.5}
	EOF
	run sw-avro decode --json avro "$T/in.avro"
	[ "${lines[1]}" = '{"f":"-Infinity","d":"NaN","u":{"double":"NaN"}}' ]
	sw-avro decode "$T/in.avro" | sw-avro encode --schema "$T/s.avsc" -o "$T/back.avro"
	sw-avro decode --json avro "$T/in.avro" |
		sw-avro encode --json avro --schema "$T/s.avsc" -o "$T/back2.avro"
	# what avsc reads back, NaN and infinities spelled out (JSON.stringify
	# would make them all null)
	read_special() {
		node -e '
			const avro = require("avsc");
			avro.createFileDecoder(process.argv[1]).on("data", (r) => {
				console.log(JSON.stringify(r, (k, v) =>
					typeof v === "number" && !isFinite(v) ? String(v) : v));
			});
		' "$1"
	}
	want=$(read_special "$T/in.avro")
	[[ $want == *'"f":"NaN","d":"Infinity","u":"-Infinity"'* ]]
	[ "$(read_special "$T/back.avro")" = "$want" ]
	[ "$(read_special "$T/back2.avro")" = "$want" ]
}

@test "sw-avro: a time of day outside one day is bad input, never a wrapped clock" {
	load helpers/npm
	npm_peers avsc
	local schema='{"type":"record","name":"R","fields":[
		{"name":"tm","type":{"type":"int","logicalType":"time-millis"}},
		{"name":"tu","type":{"type":"long","logicalType":"time-micros"}}]}'
	avsc_write "$T/in.avro" "$schema" '[{tm: 86399999, tu: 0}, {tm: -1, tu: 0},
		{tm: 0, tu: 86400000000}, {tm: 86400000, tu: 1}]'
	run sw-avro decode "$T/in.avro"
	assert_status 65
	[ "${lines[0]}" = '{"tm":"23:59:59.999","tu":"00:00:00.000000"}' ]
	[[ $output == *".tm: time-millis out of range (0 to 86399999): -1"* ]]
	run sw-avro decode --on-error skip "$T/in.avro"
	assert_status 0
	[[ $output == *".tu: time-micros out of range (0 to 86399999999): 86400000000"* ]]
	[[ $output == *".tm: time-millis out of range (0 to 86399999): 86400000"* ]]
	[ "$(grep -c '^{' <<<"$output")" -eq 1 ]
	# --json avro shows the raw values
	run sw-avro decode --json avro "$T/in.avro"
	assert_status 0
	[ "${lines[1]}" = '{"tm":-1,"tu":0}' ]
	# and encode refuses a leap second in a time of day
	echo '{"tm":"23:59:60","tu":"00:00:00"}' >"$T/leap.json"
	echo "$schema" >"$T/s.avsc"
	run sw-avro encode --schema "$T/s.avsc" -o "$T/x.avro" "$T/leap.json"
	assert_status 65
	# or a number outside one day in plain JSON (--json avro takes it)
	echo '{"tm":-1,"tu":0}' >"$T/neg.json"
	run sw-avro encode --schema "$T/s.avsc" -o "$T/x.avro" "$T/neg.json"
	assert_status 65
	[[ $output == *".tm: -1 is out of range (0 to 86399999) for its logical type"* ]]
	run sw-avro encode --json avro --schema "$T/s.avsc" -o "$T/x.avro" "$T/neg.json"
	assert_status 0
}

@test "sw-avro: a decimal with more digits than its precision is bad input both ways" {
	load helpers/npm
	npm_peers avsc
	local schema='{"type":"record","name":"R","fields":[
		{"name":"p","type":{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}}]}'
	echo "$schema" >"$T/s.avsc"
	# 9999 and 100000 unscaled: 99.99 fits decimal(4,2), 1000.00 does not
	avsc_write "$T/in.avro" "$schema" '[{p: Buffer.from([0x27, 0x0f])},
		{p: Buffer.from([0x01, 0x86, 0xa0])}, {p: Buffer.from([0xd8, 0xf1])}]'
	run sw-avro decode "$T/in.avro"
	assert_status 65
	[ "${lines[0]}" = '{"p":"99.99"}' ]
	[[ $output == *".p: decimal(4,2) with 6 digits, more than its precision"* ]]
	run sw-avro decode --on-error skip "$T/in.avro"
	assert_status 0
	[ "$(grep '^{' <<<"$output" | tr '\n' ' ')" = '{"p":"99.99"} {"p":"-99.99"} ' ]
	# what decode writes, encode takes back; what it refuses, encode refuses
	sw-avro decode --on-error skip "$T/in.avro" 2>/dev/null \
		| sw-avro encode --schema "$T/s.avsc" -o "$T/back.avro"
	[ "$(avsc_read "$T/back.avro" | tr '\n' ' ')" = '{"p":"270f"} {"p":"d8f1"} ' ]
	echo '{"p":"1000.00"}' >"$T/big.json"
	run sw-avro encode --schema "$T/s.avsc" -o "$T/x.avro" "$T/big.json"
	assert_status 65
	# the raw bytes stay readable with --json avro
	run sw-avro decode --json avro "$T/in.avro"
	assert_status 0
}
