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

load test_helper
load helpers/npm

PEERS=$TESTS_DIR/helpers/peers
AP=$FIXTURES/avro-peers

setup() {
	npm_peers avsc
	D=$BATS_TEST_TMPDIR
}

# each_schema FUNCTION: runs FUNCTION NAME for every schema of
# schemas.ndjson, with the schema in $D/s.avsc and its values, one per
# line, in $D/want; stops at the first that fails, naming it.
each_schema() {
	local line name n=0
	while IFS= read -r line; do
		name=$(jq -r .name <<<"$line")
		jq -c .schema <<<"$line" >"$D/s.avsc"
		jq -c '.data[]' <<<"$line" >"$D/want"
		"$1" "$name" || {
			echo "schema '$name' failed" >&2
			return 1
		}
		n=$((n + 1))
	done <"$AP/schemas.ndjson"
	[ "$n" -ge 9 ]
}

# same SCHEMA WANT FORM GOT...: avro-same.js, its differences on stderr.
same() {
	node "$PEERS/avro-same.js" "$@" >&2
}

# avsc_write SCHEMA DATA: avro-write.js, its files in $D/js.
avsc_write() {
	rm -rf "$D/js"
	mkdir "$D/js"
	node "$PEERS/avro-write.js" "$1" "$D/js" <"$2"
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
			"$D/want" | node "$PEERS/avro-read.js" - container >"$D/back"
		same "$D/s.avsc" "$D/want" avro "$D/back"
		# From sw's plain JSON (what sw-avro decode wrote for avsc's
		# file): avsc reads values whose plain form is that input.
		sw-avro encode --schema "$D/s.avsc" --codec "$codec" "$D/plain" |
			node "$PEERS/avro-read.js" - container >"$D/back"
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
		node "$PEERS/avro-read.js" "$D/s.avsc" "$fr" <"$D/msgs" >"$D/back"
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
# $D/data.
each_pair() {
	local line name n=0
	while IFS= read -r line; do
		name=$(jq -r .name <<<"$line")
		jq -c .writer <<<"$line" >"$D/w.avsc"
		jq -c .reader <<<"$line" >"$D/r.avsc"
		jq -c '.data[]' <<<"$line" >"$D/data"
		"$1" "$name" "$(jq .compatible <<<"$line")" || {
			echo "pair '$name' failed" >&2
			return 1
		}
		n=$((n + 1))
	done <"$AP/pairs.ndjson"
	[ "$n" -ge 30 ]
}

resolve_pair() {
	[ "$2" = true ] || return 0
	avsc_write "$D/w.avsc" "$D/data"
	node "$PEERS/avro-read.js" - container "$D/r.avsc" <"$D/js/null.avro" >"$D/want"
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
	js=$(node "$PEERS/avro-compat.js" "$D/w.avsc" "$D/r.avsc" 2>/dev/null)
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
	node "$PEERS/avro-fingerprint.js" "${files[@]}" >"$D/js"
	sw-avro fingerprint "${files[@]}" >"$D/sw"
	[ "$(wc -l <"$D/sw")" -eq "$n" ]
	diff <(jq -c '{canonical, crc64_avro}' "$D/js") \
		<(jq -c '{canonical, crc64_avro}' "$D/sw")
	# avsc's own md5 fingerprints are of the same canonical texts.
	while IFS= read -r s; do
		jq -j .canonical <<<"$s" | md5sum | cut -d' ' -f1
	done <"$D/sw" >"$D/md5"
	diff <(jq -r .md5 "$D/js") "$D/md5"
	# The specification's test vector, computed by avro-types.js.
	echo '"null"' >"$D/s.avsc"
	[ "$(node "$PEERS/avro-fingerprint.js" "$D/s.avsc" | jq -r .crc64_avro)" = 63dd24e7cc258f8a ]
}
