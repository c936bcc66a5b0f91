#!/usr/bin/env bash
# Avro schema evolution: a producer writes Avro with schema v1; a consumer
# reads it with schema v2, whose new field 'temp' takes its default; the
# result goes to an Avro container file (deflate) that is read back.
# Messages carry the Confluent framing (magic byte, schema id) and the
# schemas live in a registry directory.
#
#   examples/03-avro-evolution.sh [COUNT]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
count=${1:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

start_kafka --topic users:1

say "registering schema v1 for subject users-value"
id=$(sw-avro register --registry "$work/registry" --subject users-value \
	"$DATA/schema_ver1.avsc")
echo "schema id $id" >&2

say "producing $count users as Avro (v1, Confluent framing: its id is in the registry)"
sw-gen web --count "$count" --seed 5 \
	| sw-produce -t users --value-format avro \
		--schema "$DATA/schema_ver1.avsc" --registry "$work/registry"

say "consuming with reader schema v2 into users.avro"
sw-consume -t users -e --value-format avro --registry "$work/registry" \
		--reader-schema "$DATA/schema_ver2.avsc" --value-only \
	| sw-avro encode --schema "$DATA/schema_ver2.avsc" --codec deflate \
		-o "$work/users.avro"

say "users.avro read back"
sw-avro decode "$work/users.avro"
