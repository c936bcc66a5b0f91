#!/usr/bin/env bash
# Seed job 2 end to end: users are produced to Kafka as Avro with schema
# v1 (Confluent framing, a registry directory); two streaming queries read
# them with schema v2 (the new field 'temp' takes its default) and write
# them as files, as Spark's writeStream.format("parquet") and
# format("avro") with a checkpoint location do:
#   - a Parquet directory, partitioned by action (Hive style),
#   - an Avro directory (deflate),
# each exactly once through its own checkpoint.  The Parquet directory is
# then read back as one table with DuckDB (from npm, installed on first
# use into build/npm), and the Avro directory with sw-avro.
#
#   examples/06-seed2-files.sh [COUNT [OUTDIR]]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/helpers/npm.bash"
count=${1:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=${2:-$work/lake}

start_kafka --topic users:2

say "registering schema v1 for subject users-value"
sw-avro register --registry "$work/registry" --subject users-value \
	"$DATA/schema_ver1.avsc" >/dev/null

say "producing $count users as Avro (v1, Confluent framing)"
sw-gen web --count "$count" --seed 5 \
	| sw-produce -t users -k .name --value-format avro \
		--schema "$DATA/schema_ver1.avsc" --registry "$work/registry"

# One streaming query: Kafka -> (v1 read as v2) -> files, resumable.  The
# envelope stays beside the value's fields (--flatten), so the sink knows
# each record's offset; the schema keeps only v2's columns.
query() { # DIR CHECKPOINT SINK-OPTIONS...
	local dir=$1 ckpt=$2
	shift 2
	sw-consume -t users -e --value-format avro --registry "$work/registry" \
			--reader-schema "$DATA/schema_ver2.avsc" --resume "$ckpt" \
		| sw-enrich --flatten .value \
		| sw-sink-files "$dir" --schema "$DATA/schema_ver2.avsc" \
			--checkpoint "$ckpt" "$@"
}

say "query 1: Parquet (snappy) partitioned by action into $out/users.parquet"
query "$out/users.parquet" "$work/parquet.ckpt" --format parquet --partition-by .action
say "query 2: Avro (deflate) into $out/users.avro"
query "$out/users.avro" "$work/avro.ckpt" --format avro --codec deflate
say "run again: nothing new, nothing written twice"
query "$out/users.parquet" "$work/parquet.ckpt" --format parquet --partition-by .action

say "files"
(cd "$out" && find . -type f | sort) >&2

say "the Parquet directory as one table, read by DuckDB"
npm_peers @duckdb/node-api
node "$ROOT/examples/duckdb-sql.mjs" \
	"SELECT name, action, sendtime, temp
	   FROM read_parquet('$out/users.parquet/**/*.parquet', hive_partitioning = true)
	  ORDER BY sendtime, name"

say "the Avro directory read back by sw-avro"
sw-avro decode "$out"/users.avro/part-*.avro | jq -sc 'sort_by(.sendtime, .name)[]'
