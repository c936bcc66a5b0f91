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
# The node scripts run in one node process per test (avro-serve.js): a
# test runs the sw side first, queueing avsc's part (tests/helpers/peers/
# batch.bash), then runs the queue in one node; the answers are kept in
# build/peer-cache, so that the other build's suite, asking the same of
# the same inputs, does not start node again.  What avsc writes from the
# fixtures (avsc_write_set) is written once and read by every test.
# Each schema's and pair's files in $D start with its number.

load test_helper
load helpers/npm
load helpers/peers/batch

PEERS=$TESTS_DIR/helpers/peers
AP=$FIXTURES/avro-peers

setup() {
	npm_peers avsc
	D=$BATS_TEST_TMPDIR
	avsc_write_set
	peer_batch_begin
}

# avsc_batch [--fresh]: runs the queued requests in avro-serve.js (or
# takes its earlier answers).
avsc_batch() {
	peer_batch_run "$@" "$PEERS"/avro-*.js "$NODE_PATH/avsc/package.json" -- \
		node "$PEERS/avro-serve.js"
}

# avsc_write_set: sets W to the directory where avsc has written, from the
# fixtures, every schema's values and every compatible pair's writer's
# values in every form the tests read (avro-write.js), once per change of
# the fixtures, the scripts or avsc, in build/peer-cache:
#   schemas          a schema's name a line, in the order of schemas.ndjson
#   sN.avsc, sN.want the Nth schema, its values one per line
#   sN/              avro-write.js's files for them: null.avro,
#                    deflate.avro, raw, single-object, confluent
#   pairs            "NAME COMPATIBLE" a line (a tab between)
#   pN.w.avsc, pN.r.avsc, pN.data, pN/   the same for the Nth pair
avsc_write_set() {
	local key tmp
	(cd "$ROOT" && sha256sum -- "$AP/schemas.ndjson" "$AP/pairs.ndjson" \
		"$PEERS"/avro-serve.js "$PEERS"/avro-write.js "$PEERS"/avro-types.js \
		"$NODE_PATH/avsc/package.json") | sha256sum >"$D/write.key" || return 1
	read -r key _ <"$D/write.key"
	W=$PEER_CACHE/avsc-write-$key
	[ -d "$W" ] && return 0
	mkdir -p "$PEER_CACHE" && tmp=$(mktemp -d "$W.XXXXXX") || return 1
	write_set_in "$tmp" || { rm -rf "$tmp"; return 1; }
	mv -T "$tmp" "$W" 2>/dev/null || rm -rf "$tmp"
	[ -d "$W" ]
}

# write_set_in DIR: avsc_write_set's files, in DIR.  One jq takes each
# fixture apart (name, schemas, number of values, values: a line each),
# the shell's builtins do the rest.
write_set_in() {
	local dir=$1 name compatible n=0 rc
	jq -r '.name, (.schema | tojson), (.data | length), (.data[] | tojson)' \
		"$AP/schemas.ndjson" >"$dir/schemas.split" || return 1
	while IFS= read -r name; do
		n=$((n + 1))
		printf '%s\n' "$name" >>"$dir/schemas"
		take_line >"$dir/s$n.avsc"
		take_values >"$dir/s$n.want"
		printf 'avro-write\t%s\t%s\t%s\t%s\n' "$dir/s$n.want" "$dir/s$n.out" \
			"$dir/s$n.avsc" "$dir/s$n"
	done <"$dir/schemas.split" >"$dir/requests"
	n=0
	jq -r '.name, .compatible, (.writer | tojson), (.reader | tojson),
		(.data | length), (.data[] | tojson)' "$AP/pairs.ndjson" \
		>"$dir/pairs.split" || return 1
	while IFS= read -r name; do
		n=$((n + 1))
		IFS= read -r compatible
		printf '%s\t%s\n' "$name" "$compatible" >>"$dir/pairs"
		take_line >"$dir/p$n.w.avsc"
		take_line >"$dir/p$n.r.avsc"
		take_values >"$dir/p$n.data"
		[ "$compatible" = true ] || continue
		printf 'avro-write\t%s\t%s\t%s\t%s\n' "$dir/p$n.data" "$dir/p$n.out" \
			"$dir/p$n.w.avsc" "$dir/p$n"
	done <"$dir/pairs.split" >>"$dir/requests"
	node "$PEERS/avro-serve.js" <"$dir/requests" >"$dir/statuses" || return 1
	while IFS= read -r rc; do
		[ "$rc" = 0 ] || { cat "$dir"/*.err >&2; return 1; }
	done <"$dir/statuses"
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

# each_schema FUNCTION: runs FUNCTION NAME for every schema of
# schemas.ndjson, with n its number and S its files in the write set
# ($S.avsc, $S.want, $S/...); stops at the first that fails, naming it.
each_schema() {
	local name
	n=0
	while IFS= read -r name; do
		n=$((n + 1))
		S=$W/s$n
		"$1" "$name" || {
			echo "schema '$name' failed" >&2
			return 1
		}
	done <"$W/schemas"
	[ "$n" -ge 9 ]
}

# each_pair FUNCTION: runs FUNCTION NAME COMPATIBLE for every pair of
# pairs.ndjson, with n its number and P its files in the write set
# ($P.w.avsc, $P.r.avsc, $P.data, $P/ when compatible).
each_pair() {
	local name compatible
	n=0
	while IFS=$'\t' read -r name compatible; do
		n=$((n + 1))
		P=$W/p$n
		"$1" "$name" "$compatible" || {
			echo "pair '$name' failed" >&2
			return 1
		}
	done <"$W/pairs"
	[ "$n" -ge 30 ]
}

# same_text A B: the files hold the same lines (the shell's builtins read
# them; diff shows how they differ).
same_text() {
	local a b
	mapfile -t a <"$1"
	mapfile -t b <"$2"
	local IFS=$'\n'
	[ "${#a[@]}" -eq "${#b[@]}" ] && [ "${a[*]}" = "${b[*]}" ] && return 0
	diff "$1" "$2" >&2
	return 1
}

avsc_containers_decode() {
	local codec
	for codec in null deflate; do
		sw-avro decode "$S/$codec.avro" >"$D/$n-plain-$codec"
		sw-avro decode --json avro <"$S/$codec.avro" >"$D/$n-avro-$codec"
		sw-avro schema "$S/$codec.avro" >"$D/$n-header-$codec"
	done
	peer_q "schema '$1'" "" "$n-same" avro-same "$S.avsc" "$S.want" \
		plain "$n-plain-null" avro "$n-avro-null" \
		plain "$n-plain-deflate" avro "$n-avro-deflate"
}

# logical_types_kept: the schema in the header of each container avsc
# wrote is avsc's, logical types included: one jq lists the logical types
# of every schema and header, the shell compares them.
logical_types_kept() {
	local i codec f lt files=() bad=0
	local -A types count
	for ((i = 1; i <= n; i++)); do
		files+=("$W/s$i.avsc" "$D/$i-header-null" "$D/$i-header-deflate")
	done
	jq -r '[input_filename, ([.. | .logicalType? // empty] | tojson)] | @tsv' \
		"${files[@]}" >"$D/logical-types" || return 1
	while IFS=$'\t' read -r f lt; do
		types[$f]=$lt
		count[$f]=$((${count[$f]:-0} + 1))
	done <"$D/logical-types"
	for ((i = 1; i <= n; i++)); do
		for codec in null deflate; do
			f=$D/$i-header-$codec
			if [ "${count[$f]:-0}" -ne 1 ] ||
				[ "${types[$f]}" != "${types[$W/s$i.avsc]}" ]; then
				echo "schema $i, $codec: header $(cat "$f")" >&2
				bad=1
			fi
		done
	done
	[ "$bad" -eq 0 ]
}

@test "containers avsc writes (null, deflate) decode in sw-avro to avsc's values" {
	each_schema avsc_containers_decode
	logical_types_kept
	avsc_batch
}

avsc_messages_decode() {
	local fr got=()
	for fr in raw single-object confluent; do
		sw-avro decode --schema "$S.avsc" --field .v --framing "$fr" \
			"$S/$fr" >"$D/$n-plain-$fr"
		sw-avro decode --schema "$S.avsc" --field .v --framing "$fr" \
			--json avro "$S/$fr" >"$D/$n-avro-$fr"
		got+=(plain:v "$n-plain-$fr" avro:v "$n-avro-$fr")
		[ "$fr" = raw ] && continue
		# auto tells single-object and confluent by their first bytes.
		sw-avro decode --schema "$S.avsc" --field .v "$S/$fr" >"$D/$n-auto"
		same_text "$D/$n-plain-$fr" "$D/$n-auto"
	done
	peer_q "schema '$1'" "" "$n-same" avro-same "$S.avsc" "$S.want" "${got[@]}"
}

@test "messages avsc writes (raw, single-object, confluent) decode with --field and --framing" {
	each_schema avsc_messages_decode
	avsc_batch
}

sw_containers_read() {
	local codec
	sw-avro decode "$S/null.avro" >"$D/$n-plain"
	for codec in null deflate; do
		# From the specification's JSON encoding: avsc reads the input.
		sw-avro encode --schema "$S.avsc" --json avro --codec "$codec" \
			"$S.want" >"$D/$n-json-$codec.avro"
		peer_q "schema '$1'" "$n-json-$codec.avro" "$n-back-json-$codec" \
			avro-read - container
		peer_q "schema '$1'" "" "$n-same-json-$codec" avro-same \
			"$S.avsc" "$S.want" avro "$n-back-json-$codec"
		# From sw's plain JSON (what sw-avro decode wrote for avsc's
		# file): avsc reads values whose plain form is that input.
		sw-avro encode --schema "$S.avsc" --codec "$codec" "$D/$n-plain" \
			>"$D/$n-plain-$codec.avro"
		peer_q "schema '$1'" "$n-plain-$codec.avro" "$n-back-plain-$codec" \
			avro-read - container
		peer_q "schema '$1'" "" "$n-same-plain-$codec" avro-same \
			"$S.avsc" "$n-back-plain-$codec" plain "$n-plain"
	done
}

@test "containers sw-avro encode writes (null, deflate; --json avro and plain) decode in avsc to the input" {
	each_schema sw_containers_read
	# sw's containers have a random sync marker: no answer to reuse.
	avsc_batch --fresh
}

sw_messages_read() {
	local fr values line
	sw-avro decode "$S/null.avro" >"$D/$n-plain"
	# Each value as {"v": value}, by the shell.
	mapfile -t values <"$D/$n-plain"
	: >"$D/$n-wrapped"
	[ ${#values[@]} -eq 0 ] || printf '{"v":%s}\n' "${values[@]}" >"$D/$n-wrapped"
	for fr in raw single-object confluent; do
		sw-avro encode --schema "$S.avsc" --field .v --framing "$fr" \
			--schema-id 7 <"$D/$n-wrapped" >"$D/$n-msgs-$fr"
		peer_q "schema '$1'" "$n-msgs-$fr" "$n-back-$fr" avro-read "$S.avsc" "$fr"
		peer_q "schema '$1'" "" "$n-same-$fr" avro-same \
			"$S.avsc" "$n-back-$fr" plain "$n-plain"
	done
	# The id, big-endian after the zero byte: 00 00 00 00 07 is base64
	# AAAAAA and then c, d, e or f (0111 and the next byte's first two
	# bits).
	IFS= read -r line <"$D/$n-msgs-confluent"
	[[ $line == '{"v":"AAAAAA'[c-f]* ]] || {
		echo "confluent message without id 7: $line" >&2
		return 1
	}
}

@test "messages sw-avro encode --field writes (raw, single-object, confluent) decode in avsc" {
	each_schema sw_messages_read
	avsc_batch
}

resolve_pair() {
	[ "$2" = true ] || return 0
	peer_q "pair '$1'" "$P/null.avro" "$n-want" avro-read - container "$P.r.avsc"
	sw-avro decode --reader-schema "$P.r.avsc" "$P/deflate.avro" >"$D/$n-plain"
	sw-avro decode --reader-schema "$P.r.avsc" --json avro "$P/null.avro" >"$D/$n-avro"
	# The same through single-object messages.
	sw-avro decode --schema "$P.w.avsc" --reader-schema "$P.r.avsc" \
		--field .v "$P/single-object" >"$D/$n-msgs"
	peer_q "pair '$1'" "" "$n-same" avro-same "$P.r.avsc" "$n-want" \
		plain "$n-plain" avro "$n-avro" plain:v "$n-msgs"
}

@test "schema resolution: sw-avro decode --reader-schema gives what avsc's resolver gives" {
	[ "$(jq -s 'map(select(.compatible)) | length' "$AP/pairs.ndjson")" -ge 30 ]
	each_pair resolve_pair
	avsc_batch
}

compat_pair() {
	local rc=0
	peer_q "pair '$1'" "" "$n-js" avro-compat "$P.w.avsc" "$P.r.avsc"
	sw-avro compat --writer "$P.w.avsc" --reader "$P.r.avsc" \
		>"$D/$n-sw" 2>"$D/$n-err" || rc=$?
	if [ "$2" = true ]; then
		[ "$rc" -eq 0 ]
	else
		[ "$rc" -eq 65 ] && [ -s "$D/$n-err" ]
	fi
}

# compat_agree: for every pair, avsc, sw and the fixture agree; one jq
# reads every answer of sw.
compat_agree() {
	local i name compatible js f c sw bad=0
	local -A got count
	for ((i = 1; i <= n; i++)); do
		f+=("$D/$i-sw")
	done
	jq -r '[input_filename, ({compatible} | tojson)] | @tsv' "${f[@]}" \
		>"$D/sw-answers" || return 1
	while IFS=$'\t' read -r f c; do
		got[$f]=$c
		count[$f]=$((${count[$f]:-0} + 1))
	done <"$D/sw-answers"
	i=0
	while IFS=$'\t' read -r name compatible; do
		i=$((i + 1))
		IFS= read -r js <"$D/$i-js" || js=
		sw=${got[$D/$i-sw]:-}
		if [ "$js" != "{\"compatible\":$compatible}" ] || [ "$sw" != "$js" ] ||
			[ "${count[$D/$i-sw]:-0}" -ne 1 ]; then
			echo "pair '$name': fixture $compatible, avsc $js, sw $sw" >&2
			bad=1
		fi
	done <"$W/pairs"
	[ "$i" -eq "$n" ] && [ "$bad" -eq 0 ]
}

@test "sw-avro compat agrees with avsc on every pair, compatible or not" {
	[ "$(jq -s 'map(select(.compatible | not)) | length' "$AP/pairs.ndjson")" -ge 10 ]
	each_pair compat_pair
	avsc_batch
	compat_agree
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
		files+=("s$n.avsc")
	done <"$D/all"
	[ "$n" -ge 90 ]
	# The specification's test vector, computed by avro-types.js.
	echo '"null"' >"$D/s.avsc"
	peer_q "all schemas" "" js avro-fingerprint "${files[@]}"
	peer_q '"null"' "" js-null avro-fingerprint s.avsc
	avsc_batch
	(cd "$D" && sw-avro fingerprint "${files[@]}") >"$D/sw"
	[ "$(wc -l <"$D/sw")" -eq "$n" ]
	diff <(jq -c '{canonical, crc64_avro}' "$D/js") \
		<(jq -c '{canonical, crc64_avro}' "$D/sw")
	# avsc's own md5 fingerprints are of the same canonical texts.
	jq -r .canonical "$D/sw" | python3 -c '
import hashlib, sys
for line in sys.stdin:
	print(hashlib.md5(line.rstrip("\n").encode()).hexdigest())' >"$D/md5"
	diff <(jq -r .md5 "$D/js") "$D/md5"
	[ "$(jq -r .crc64_avro "$D/js-null")" = 63dd24e7cc258f8a ]
}
