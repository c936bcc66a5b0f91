#!/usr/bin/env bats
# sw-avro against an independent Avro implementation: avsc (JavaScript,
# not avro-c).  The schemas and values are in tests/fixtures/avro-peers:
# schemas.ndjson ({"name","schema","data"}) and pairs.ndjson, writer and
# reader schemas with data written with the writer ({"name","writer",
# "reader","data","compatible"}); values are in the specification's JSON
# encoding, which avsc reads (type.fromString).  The node scripts are in
# tests/helpers/peers/avro-*.js; avro-same.js compares sw's output with
# avsc's values and documents the normalisation.
#
# Limits of the peer, not of sw: avsc's long is a JavaScript number and
# refuses integers beyond 2^52, so the data stays within; avsc has no
# snappy, xz or zstandard codec without extra packages, so containers
# between the two use null and deflate; avsc's BlockDecoder noDecode calls
# _skip unbound for top-level arrays and maps, so avro-read.js decodes and
# encodes again instead.
#
# The node scripts run in one node process per test (avro-serve.js, the
# avsc helper below): a test starts node and avsc once, not once for each
# of its hundreds of calls.

load test_helper
load helpers/npm

PEERS=$TESTS_DIR/helpers/peers
AP=$FIXTURES/avro-peers

setup() {
	npm_peers avsc
	D=$BATS_TEST_TMPDIR
	avsc_start
}

teardown() {
	avsc_stop
}

# avsc_start: starts avro-serve.js, its requests and replies through FIFOs
# this shell (and the subshells of its pipelines) holds open.
avsc_start() {
	mkfifo "$D/avsc.req" "$D/avsc.rep"
	node "$PEERS/avro-serve.js" <"$D/avsc.req" >"$D/avsc.rep" \
		2>"$D/avsc.log" 3>&- &
	AVSC_PID=$!
	exec {AVSC_REQ}>"$D/avsc.req"
	exec {AVSC_REP}<"$D/avsc.rep"
}

avsc_stop() {
	[ -n "${AVSC_PID:-}" ] || return 0
	exec {AVSC_REQ}>&- {AVSC_REP}<&-
	wait "$AVSC_PID" || true
	AVSC_PID=
}

# avsc SCRIPT ARG...: tests/helpers/peers/SCRIPT.js with the ARGs, run by
# avro-serve.js as if alone: its standard input (avro-write and avro-read
# read one), output, error and exit status.  Calls come one at a time.
avsc() {
	local script=$1 args rc
	shift
	case $script in
	avro-write | avro-read) cat >"$D/avsc.in" ;;
	esac
	args=
	[ $# -eq 0 ] || printf -v args '\t%s' "$@"
	printf '%s\t%s%s\n' "$script" "$D/avsc" "$args" >&"$AVSC_REQ"
	if ! read -r rc <&"$AVSC_REP"; then
		echo "avro-serve.js ended:" >&2
		cat "$D/avsc.log" >&2
		return 1
	fi
	cat "$D/avsc.out"
	cat "$D/avsc.err" >&2
	return "$rc"
}

# each_schema FUNCTION: runs FUNCTION NAME for every schema of
# schemas.ndjson, with the schema in $D/s.avsc and its values, one per
# line, in $D/want; stops at the first that fails, naming it.  One jq
# takes the file apart (name, schema, number of values, values: a line
# each), the shell's builtins do the rest.
each_schema() {
	local name n=0
	jq -r '.name, (.schema | tojson), (.data | length), (.data[] | tojson)' \
		"$AP/schemas.ndjson" >"$D/schemas" || return 1
	while IFS= read -r name; do
		take_line >"$D/s.avsc"
		take_values >"$D/want"
		"$1" "$name" || {
			echo "schema '$name' failed" >&2
			return 1
		}
		n=$((n + 1))
	done <"$D/schemas"
	[ "$n" -ge 9 ]
}

# take_line: copies the next line of stdin to stdout.
take_line() {
	local l
	IFS= read -r l || return 1
	printf '%s\n' "$l"
}

# take_values: reads a count, then copies that many lines.
take_values() {
	local count i
	IFS= read -r count || return 1
	for ((i = 0; i < count; i++)); do
		take_line || return 1
	done
}

# same SCHEMA WANT FORM GOT...: avro-same.js, its differences on stderr.
same() {
	avsc avro-same "$@" >&2
}

# avsc_write SCHEMA DATA: avro-write.js, its files in $D/js.
avsc_write() {
	rm -rf "$D/js"
	mkdir "$D/js"
	avsc avro-write "$1" "$D/js" <"$2"
}

avsc_containers_decode() {
	local codec
	avsc_write "$D/s.avsc" "$D/want"
	for codec in null deflate; do
		sw-avro decode "$D/js/$codec.avro" >"$D/plain-$codec"
		sw-avro decode --json avro <"$D/js/$codec.avro" >"$D/avro-$codec"
		# The schema in the header is avsc's, logical types included.
		sw-avro schema "$D/js/$codec.avro" | jq -e --slurpfile s "$D/s.avsc" \
			'. as $h | $s[0] | [.. | .logicalType? // empty] == [$h | .. | .logicalType? // empty]' >/dev/null
	done
	same "$D/s.avsc" "$D/want" plain "$D/plain-null" avro "$D/avro-null" \
		plain "$D/plain-deflate" avro "$D/avro-deflate"
}

@test "containers avsc writes (null, deflate) decode in sw-avro to avsc's values" {
	each_schema avsc_containers_decode
}

avsc_messages_decode() {
	local fr got=()
	avsc_write "$D/s.avsc" "$D/want"
	for fr in raw single-object confluent; do
		sw-avro decode --schema "$D/s.avsc" --field .v --framing "$fr" \
			"$D/js/$fr" | jq -c .v >"$D/plain-$fr"
		sw-avro decode --schema "$D/s.avsc" --field .v --framing "$fr" \
			--json avro "$D/js/$fr" | jq -c .v >"$D/avro-$fr"
		got+=(plain "$D/plain-$fr" avro "$D/avro-$fr")
		[ "$fr" = raw ] && continue
		# auto tells single-object and confluent by their first bytes.
		sw-avro decode --schema "$D/s.avsc" --field .v "$D/js/$fr" |
			jq -c .v >"$D/auto"
		diff "$D/plain-$fr" "$D/auto"
	done
	same "$D/s.avsc" "$D/want" "${got[@]}"
}

@test "messages avsc writes (raw, single-object, confluent) decode with --field and --framing" {
	each_schema avsc_messages_decode
}

sw_containers_read() {
	local codec
	avsc_write "$D/s.avsc" "$D/want"
	sw-avro decode "$D/js/null.avro" >"$D/plain"
	for codec in null deflate; do
		# From the specification's JSON encoding: avsc reads the input.
		sw-avro encode --schema "$D/s.avsc" --json avro --codec "$codec" \
			"$D/want" | avsc avro-read - container >"$D/back"
		same "$D/s.avsc" "$D/want" avro "$D/back"
		# From sw's plain JSON (what sw-avro decode wrote for avsc's
		# file): avsc reads values whose plain form is that input.
		sw-avro encode --schema "$D/s.avsc" --codec "$codec" "$D/plain" |
			avsc avro-read - container >"$D/back"
		same "$D/s.avsc" "$D/back" plain "$D/plain"
	done
}

@test "containers sw-avro encode writes (null, deflate; --json avro and plain) decode in avsc to the input" {
	each_schema sw_containers_read
}

sw_messages_read() {
	local fr
	avsc_write "$D/s.avsc" "$D/want"
	sw-avro decode "$D/js/null.avro" >"$D/plain"
	for fr in raw single-object confluent; do
		jq -c '{v: .}' "$D/plain" |
			sw-avro encode --schema "$D/s.avsc" --field .v --framing "$fr" \
				--schema-id 7 >"$D/msgs"
		avsc avro-read "$D/s.avsc" "$fr" <"$D/msgs" >"$D/back"
		same "$D/s.avsc" "$D/back" plain "$D/plain"
		if [ "$fr" = confluent ]; then
			# The id, big-endian after the zero byte.
			[ "$(jq -r .v "$D/msgs" | head -1 | base64 -d | head -c 5 | od -An -tx1 | tr -d ' ')" = 0000000007 ]
		fi
	done
}

@test "messages sw-avro encode --field writes (raw, single-object, confluent) decode in avsc" {
	each_schema sw_messages_read
}

# each_pair FUNCTION: runs FUNCTION NAME COMPATIBLE for every pair of
# pairs.ndjson, with $D/w.avsc, $D/r.avsc and the writer's values in
# $D/data; taken apart as each_schema does.
each_pair() {
	local name compatible n=0
	jq -r '.name, .compatible, (.writer | tojson), (.reader | tojson),
		(.data | length), (.data[] | tojson)' "$AP/pairs.ndjson" >"$D/pairs" ||
		return 1
	while IFS= read -r name; do
		IFS= read -r compatible
		take_line >"$D/w.avsc"
		take_line >"$D/r.avsc"
		take_values >"$D/data"
		"$1" "$name" "$compatible" || {
			echo "pair '$name' failed" >&2
			return 1
		}
		n=$((n + 1))
	done <"$D/pairs"
	[ "$n" -ge 30 ]
}

resolve_pair() {
	[ "$2" = true ] || return 0
	avsc_write "$D/w.avsc" "$D/data"
	avsc avro-read - container "$D/r.avsc" <"$D/js/null.avro" >"$D/want"
	sw-avro decode --reader-schema "$D/r.avsc" "$D/js/deflate.avro" >"$D/plain"
	sw-avro decode --reader-schema "$D/r.avsc" --json avro "$D/js/null.avro" >"$D/avro"
	# The same through single-object messages.
	sw-avro decode --schema "$D/w.avsc" --reader-schema "$D/r.avsc" \
		--field .v "$D/js/single-object" | jq -c .v >"$D/msgs"
	same "$D/r.avsc" "$D/want" plain "$D/plain" avro "$D/avro" plain "$D/msgs"
}

@test "schema resolution: sw-avro decode --reader-schema gives what avsc's resolver gives" {
	[ "$(jq -s 'map(select(.compatible)) | length' "$AP/pairs.ndjson")" -ge 30 ]
	each_pair resolve_pair
}

compat_pair() {
	local js rc=0
	js=$(avsc avro-compat "$D/w.avsc" "$D/r.avsc" 2>/dev/null)
	sw-avro compat --writer "$D/w.avsc" --reader "$D/r.avsc" \
		>"$D/sw" 2>"$D/err" || rc=$?
	# avsc, sw and the fixture agree.
	[ "$js" = "{\"compatible\":$2}" ]
	[ "$(jq -c '{compatible}' "$D/sw")" = "$js" ]
	if [ "$2" = true ]; then
		[ "$rc" -eq 0 ]
	else
		[ "$rc" -eq 65 ] && [ -s "$D/err" ]
	fi
}

@test "sw-avro compat agrees with avsc on every pair, compatible or not" {
	[ "$(jq -s 'map(select(.compatible | not)) | length' "$AP/pairs.ndjson")" -ge 10 ]
	each_pair compat_pair
}

@test "fingerprints: canonical form and CRC-64-AVRO agree with avsc" {
	local s n=0 files=()
	{
		jq -c .schema "$AP/schemas.ndjson"
		jq -c '.writer, .reader' "$AP/pairs.ndjson"
	} >"$D/all"
	while IFS= read -r s; do
		n=$((n + 1))
		printf '%s\n' "$s" >"$D/s$n.avsc"
		files+=("$D/s$n.avsc")
	done <"$D/all"
	[ "$n" -ge 90 ]
	avsc avro-fingerprint "${files[@]}" >"$D/js"
	sw-avro fingerprint "${files[@]}" >"$D/sw"
	[ "$(wc -l <"$D/sw")" -eq "$n" ]
	diff <(jq -c '{canonical, crc64_avro}' "$D/js") \
		<(jq -c '{canonical, crc64_avro}' "$D/sw")
	# avsc's own md5 fingerprints are of the same canonical texts.
	jq -r .canonical "$D/sw" | python3 -c '
import hashlib, sys
for line in sys.stdin:
	print(hashlib.md5(line.rstrip("\n").encode()).hexdigest())' >"$D/md5"
	diff <(jq -r .md5 "$D/js") "$D/md5"
	# The specification's test vector, computed by avro-types.js.
	echo '"null"' >"$D/s.avsc"
	[ "$(avsc avro-fingerprint "$D/s.avsc" | jq -r .crc64_avro)" = 63dd24e7cc258f8a ]
}
