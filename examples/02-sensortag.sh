#!/usr/bin/env bash
# SensorTag: 2-minute averages of ambient temperature and relative humidity
# per device, with times shown in Asia/Tokyo, written back to Kafka.  The
# Spark job it replaces:
#   df.withWatermark("time", "1 minute")
#     .groupBy(window($"time", "2 minutes"), $"bid")
#     .agg(avg("ambient"), avg("rh")).writeStream.format("kafka")...
#
#   examples/02-sensortag.sh [COUNT]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
count=${1:-5000}

start_kafka --topic sensors:1 --topic sensor-averages:1

say "producing $count SensorTag readings, keyed by device"
sw-gen sensor --count "$count" --seed 7 | sw-produce -t sensors -k .bid

say "2-minute averages per device, written to 'sensor-averages'"
sw-consume -t sensors -e --value-only \
	| sw-window --time .time --tumble 2m --watermark 1m --group-by .bid \
		--avg .ambient --avg .rh --count --tz Asia/Tokyo \
	| sw-produce -t sensor-averages -k .bid

say "read back from 'sensor-averages'"
sw-consume -t sensor-averages -e --value-only
