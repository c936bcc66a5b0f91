#!/usr/bin/env bash
# Web tracking, the Spark job
#   spark.readStream.format("kafka")...load()
#     .withColumn("uuid", uuid()).withColumn("processed_at", current_timestamp())
#     .groupBy(window($"sendtime", "10 seconds"), $"action").count()
# as a pipeline: web actions go to Kafka; sw-consume reads them, sw-enrich
# adds a UUID, the processing time and the lag since the Kafka timestamp, and
# sw-window counts each action per 10-second window of event time: the funnel
# (login -> cart -> done) per window.
#
#   examples/01-web-funnel.sh [COUNT]      (SW_BROKERS=host:port to use a real Kafka)
#
# One partition keeps the events in time order.  With several, a consumer
# reads partitions interleaved, and a 10 s watermark would call records of a
# partition read later "late": spread a topic over pipelines by key instead
# (README, "Scale-out").
set -euo pipefail
. "$(dirname "$0")/lib.sh"
count=${1:-2000}

start_kafka --topic web:1

say "producing $count generated web actions to topic 'web' ($SW_BROKERS)"
sw-gen web --count "$count" --seed 42 | sw-produce -t web -k .name

say "the enriched stream (first 3 records)"
sw-consume -t web -e -c 3 | sw-enrich --flatten .value --uuid --processed-at \
	--lag --since .timestamp >&2

say "actions per 10-second window (the funnel)"
sw-consume -t web -e \
	| sw-enrich --flatten .value --uuid --processed-at --lag --since .timestamp \
	| sw-window --time .sendtime --tumble 10s --watermark 10s \
		--group-by .action --count --distinct users=.name
