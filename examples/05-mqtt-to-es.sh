#!/usr/bin/env bash
# Machine reports from MQTT, enriched and bulk-indexed into Elasticsearch.
# The reports arrive as Python-dict text with single quotes (see
# tests/fixtures/data/mqtt-machine.txt), so sw-enrich turns them into JSON
# first.
#
#   examples/05-mqtt-to-es.sh BROKER ES_URL [COUNT]
#   e.g. examples/05-mqtt-to-es.sh localhost:1883 http://localhost:9200 100
# Reads COUNT messages from machines/# and indexes them into
# machines-YYYY.MM.DD (by the report's start_time).  The _id is the report's
# own key (machine, start time, order of processing), not the UUID, which is
# new on every run: so a replay of the same reports (retained messages, a
# persistent session read again) overwrites its documents and indexes
# nothing twice.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
broker=$1 url=$2 count=${3:-100}

sw-mqtt sub -b "$broker" -t 'machines/#' --qos 1 -c "$count" --value-format string \
	| sw-enrich --jq '.value |= (gsub("'"'"'"; "\"") | fromjson)' \
		--flatten .value --uuid --processed-at \
		--jq '.doc_id = "\(.machine_name)/\(.start_time)/\(.order_of_processing)"' \
		--time .start_time --time-format '%Y/%m/%d %H:%M:%S' --time-out started \
	| sw-sink-es --url "$url" --index 'machines-%Y.%m.%d' --time .started \
		--id .doc_id --stats
