#!/usr/bin/env bats
# Reliability across tools: kills at random points, broker outages, full
# disks, SIGTERM mid-stream.  Every test checks what ended up where, never
# how long anything took; waits are bounded by timeout.

load test_helper
load helpers/kafka
load helpers/es

teardown() {
	es_stop || true
	kafka_stop || true
	if mountpoint -q "$BATS_TEST_TMPDIR/full" 2>/dev/null; then
		umount "$BATS_TEST_TMPDIR/full"
	fi
}

# A small file system that fills up: a 64 KiB tmpfs.
full_fs() {
	mkdir -p "$BATS_TEST_TMPDIR/full"
	mount -t tmpfs -o size=64k tmpfs "$BATS_TEST_TMPDIR/full"
	head -c 60000 /dev/zero >"$BATS_TEST_TMPDIR/full/filler" 2>/dev/null || true
}

ID='"\(.topic)-\(.partition)-\(.offset)"'

# One run of Kafka -> sw-enrich -> sw-sink-es, resuming from the checkpoint,
# in the background through FIFOs so that each process has a known pid
# (never pkill by name: other suites run the same tools on this machine).
# Sets CONSUME_PID ENRICH_PID SINK_PID.
pipeline_start() {
	local d=$BATS_TEST_TMPDIR
	rm -f "$d/p1" "$d/p2"
	mkfifo "$d/p1" "$d/p2"
	sw-consume -b "$KAFKA_BROKERS" -t web -o beginning -e \
		--resume "$d/ckpt" >"$d/p1" 2>>"$d/consume.err" 3>&- &
	CONSUME_PID=$!
	sw-enrich --processed-at <"$d/p1" >"$d/p2" 2>>"$d/enrich.err" 3>&- &
	ENRICH_PID=$!
	sw-sink-es --url "$ES_URL" --index web --id "$ID" \
		--batch-docs 37 --flush-interval 100ms \
		--checkpoint "$d/ckpt" <"$d/p2" 2>>"$d/sink.err" 3>&- &
	SINK_PID=$!
}

# Waits (at most 60 s) for the three, and prints their statuses.
pipeline_wait() {
	local p st out=
	for p in "$CONSUME_PID" "$ENRICH_PID" "$SINK_PID"; do
		timeout 60 tail --pid="$p" -f /dev/null || { kill -KILL "$p"; }
		st=0
		wait "$p" || st=$?
		out="$out $st"
	done
	echo "$out"
}

@test "SIGKILL of the sink or the consumer at random points: every record indexed exactly once" {
	kafka_start --topic web:4
	es_start --delay 0.01
	sw-gen web --count 3000 --seed 3 | sw-produce -b "$KAFKA_BROKERS" -t web -k .name
	echo '{"offsets":{}}' >"$BATS_TEST_TMPDIR/ckpt"
	local run victim st
	for run in 1 2 3 4 5 6 7 8; do
		pipeline_start
		if ((run % 2)); then victim=$SINK_PID; else victim=$CONSUME_PID; fi
		sleep "0.$((RANDOM % 9 + 1))"
		kill -KILL "$victim" 2>/dev/null || true
		st=$(pipeline_wait)
		echo "# run $run: SIGKILL $( ((run % 2)) && echo sw-sink-es || echo sw-consume); statuses (consume enrich sink):$st; checkpoint $(cat "$BATS_TEST_TMPDIR/ckpt")" >&3
		# The checkpoint is always a whole JSON document (atomic rewrite).
		jq -e .offsets "$BATS_TEST_TMPDIR/ckpt" >/dev/null
	done
	pipeline_start
	st=$(pipeline_wait)
	[ "$st" = " 0 0 0" ] || { echo "last run: $st"; cat "$BATS_TEST_TMPDIR"/*.err; return 1; }
	[ "$(es_count web)" -eq 3000 ]
	# Each offset of each partition is there once: the ids are exactly them.
	sw-consume -b "$KAFKA_BROKERS" -t web -o beginning -e \
		| jq -r '"\(.topic)-\(.partition)-\(.offset)"' | sort >"$BATS_TEST_TMPDIR/want"
	es_docs web | cut -f1 | sort >"$BATS_TEST_TMPDIR/got"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# The final checkpoint covers every partition to its end.
	jq -e '[.offsets.web[]] | add == 3000' "$BATS_TEST_TMPDIR/ckpt"
}

@test "a broker outage shorter than the timeouts loses nothing and doubles nothing" {
	kafka_start --topic t:2
	sw-gen web --count 400 --seed 1 --rate 400 \
		| sw-produce -b "$KAFKA_BROKERS" -t t -k .name &
	sleep 0.3
	kafka_cmd broker 1 down
	sleep 1
	kafka_cmd broker 1 up
	wait
	run timeout 60 sw-consume -b "$KAFKA_BROKERS" -t t -o beginning -e --value-only
	assert_status 0
	[ "${#lines[@]}" -eq 400 ]
	diff <(sw-gen web --count 400 --seed 1 | sort) <(printf '%s\n' "${lines[@]}" | sort)
}

@test "a broker down past the timeouts: sw-produce 75 or 69, sw-consume 69" {
	kafka_start --topic t:1
	kafka_cmd broker 1 down
	run timeout 60 sw-produce -b "$KAFKA_BROKERS" -t t --timeout 2s <<<'{"a":1}'
	[[ $status -eq 75 || $status -eq 69 ]]
	run timeout 60 sw-consume -b "$KAFKA_BROKERS" -t t -e --timeout 2s
	assert_status 69
}

@test "Elasticsearch refusing connections at start: 69, nothing reported as done" {
	port=$(free_port)
	run timeout 60 sw-sink-es --url "http://127.0.0.1:$port" --index x \
		--retries 2 --max-backoff 100ms --checkpoint "$BATS_TEST_TMPDIR/ckpt" \
		<<<'{"topic":"t","partition":0,"offset":0,"v":1}'
	assert_status 69
	[ ! -s "$BATS_TEST_TMPDIR/ckpt" ] || ! grep -q '"t"' "$BATS_TEST_TMPDIR/ckpt"
}

@test "a full disk for dead letters, state and output: 74 and a clear message" {
	full_fs
	run sw-enrich --dead-letter "$BATS_TEST_TMPDIR/full/dead" \
		<<<"$(head -c 100000 /dev/zero | tr '\0' x)"
	assert_status 74
	grep -q "dead-letter.*No space left on device" <<<"$output"

	run sw-window --time .time --tumble 10s --count --state "$BATS_TEST_TMPDIR/full/state" \
		< <(for i in $(seq 3000); do echo "{\"time\":$i,\"k\":\"$(head -c 40 /dev/zero | tr '\0' k)$i\"}"; done)
	assert_status 74

	sw-gen sensor --count 5000 >"$BATS_TEST_TMPDIR/in"
	run bash -c "sw-enrich --uuid <'$BATS_TEST_TMPDIR/in' >'$BATS_TEST_TMPDIR/full/out'"
	assert_status 74
	grep -q "No space left on device" <<<"$output"
}

@test "SIGTERM mid-stream: every tool drains and exits 0" {
	kafka_start --topic t:1
	es_start
	local t pid
	for t in "sw-enrich --uuid" "sw-window --time .time --tumble 10s --count" \
		"sw-sink-es --url $ES_URL --index s" \
		"sw-produce -b $KAFKA_BROKERS -t t"; do
		mkfifo "$BATS_TEST_TMPDIR/fifo"
		$t <"$BATS_TEST_TMPDIR/fifo" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
		pid=$!
		exec 5>"$BATS_TEST_TMPDIR/fifo"
		sw-gen sensor --count 50 >&5
		sleep 0.5
		kill -TERM "$pid"
		run wait "$pid"
		exec 5>&-
		rm -f "$BATS_TEST_TMPDIR/fifo"
		[ "$status" -eq 0 ] || { echo "$t: status $status"; cat "$BATS_TEST_TMPDIR/err"; return 1; }
	done
	[ "$(es_count s)" -eq 50 ]
	[ "$(sw-consume -b "$KAFKA_BROKERS" -t t -o beginning -e | wc -l)" -eq 50 ]
}
