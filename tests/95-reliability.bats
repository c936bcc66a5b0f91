#!/usr/bin/env bats
# Reliability across tools: kills at random points, broker outages, full
# disks, SIGTERM mid-stream.  Every test checks what ended up where, never
# how long anything took; waits are bounded by timeout.

load test_helper
load helpers/kafka
load helpers/es
load helpers/mqtt

teardown() {
	local p
	mqtt_stop || true
	es_stop || true
	kafka_stop || true
	# Whatever a failed test left running in the background (only this
	# shell's own jobs: no stray processes).
	for p in $(jobs -p); do kill -KILL "$p" 2>/dev/null || true; done
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

# Waits (at most 60 s each) for the three; their statuses go to PIPE_ST.
# (Not in a $(…) subshell: only this shell can wait for them.)
pipeline_wait() {
	local p st
	PIPE_ST=
	for p in "$CONSUME_PID" "$ENRICH_PID" "$SINK_PID"; do
		timeout 60 tail -s 0.1 --pid="$p" -f /dev/null || kill -KILL "$p"
		st=0
		wait "$p" 2>/dev/null || st=$?
		PIPE_ST="$PIPE_ST $st"
	done
}

# bulk_requests: how many _bulk requests the double has seen (its stats
# count them; read without jq: this runs every tenth of a second).
bulk_requests() {
	local r
	r=$(es_get /_double/stats)
	[[ $r =~ \"requests\":\ *([0-9]+) ]] || { echo "stats: $r" >&2; return 1; }
	echo "${BASH_REMATCH[1]}"
}

# until_requests N: waits until the double has seen N _bulk requests, or the
# sink is gone (at most 60 s).  Kills are placed by progress, not by time.
until_requests() {
	local i n
	for ((i = 0; i < 600; i++)); do
		n=$(bulk_requests) || return 1
		[ "$n" -ge "$1" ] && return 0
		kill -0 "$SINK_PID" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

@test "SIGKILL of the sink or the consumer at random points: every record indexed exactly once" {
	kafka_start --topic web:4
	es_start --delay 0.02
	sw-gen web --count 6000 --seed 3 | sw-produce -b "$KAFKA_BROKERS" -t web -k .name
	echo '{"offsets":{}}' >"$BATS_TEST_TMPDIR/ckpt"
	local run victim name at
	# Until the stream has been taken to its end (at most 10 runs): a run
	# after that has nothing to do but what the last run below does.
	for run in 1 2 3 4 5 6 7 8 9 10; do
		[ "$(jq '[.offsets.web[]?] | add // 0' "$BATS_TEST_TMPDIR/ckpt")" -lt 6000 ] || break
		at=$(($(bulk_requests) + RANDOM % 8 + 1))
		pipeline_start
		if ((run % 2)); then victim=$SINK_PID name=sw-sink-es; else victim=$CONSUME_PID name=sw-consume; fi
		until_requests "$at"
		kill -KILL "$victim" 2>/dev/null || true
		pipeline_wait
		echo "# run $run: SIGKILL $name after _bulk request $at; statuses (consume enrich sink):$PIPE_ST; docs $(es_count web); checkpoint $(cat "$BATS_TEST_TMPDIR/ckpt")" >&3
		# The checkpoint is always a whole JSON document (atomic rewrite),
		# and never claims more than was indexed.
		jq -e .offsets "$BATS_TEST_TMPDIR/ckpt" >/dev/null
		[ "$(jq '[.offsets.web[]?] | add // 0' "$BATS_TEST_TMPDIR/ckpt")" -le "$(es_count web)" ]
	done
	pipeline_start
	pipeline_wait
	[ "$PIPE_ST" = " 0 0 0" ] || { echo "last run: $PIPE_ST"; cat "$BATS_TEST_TMPDIR"/*.err; return 1; }
	[ "$(es_count web)" -eq 6000 ]
	# Each offset of each partition is there once: the ids are exactly them.
	sw-consume -b "$KAFKA_BROKERS" -t web -o beginning -e \
		| jq -r '"\(.topic)-\(.partition)-\(.offset)"' | sort >"$BATS_TEST_TMPDIR/want"
	es_docs web | cut -f1 | sort >"$BATS_TEST_TMPDIR/got"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# The final checkpoint covers every partition to its end.
	jq -e '[.offsets.web[]] | add == 6000' "$BATS_TEST_TMPDIR/ckpt"
}

# wait_pid PID [SECONDS]: waits for a background child of this shell, at
# most SECONDS (default 60; then it is killed), and sets ST to its status.
wait_pid() {
	timeout "${2:-60}" tail -s 0.1 --pid="$1" -f /dev/null || kill -KILL "$1" 2>/dev/null
	ST=0
	wait "$1" 2>/dev/null || ST=$?
}

@test "a broker outage shorter than the timeouts: sw-produce loses nothing and doubles nothing" {
	kafka_start --topic t:2
	sw-gen web --count 400 --seed 1 --rate 400 \
		| sw-produce -b "$KAFKA_BROKERS" -t t -k .name --timeout 30s \
			2>"$BATS_TEST_TMPDIR/err" &
	local pid=$!
	sleep 0.3
	kafka_cmd broker 1 down
	sleep 1
	kafka_cmd broker 1 up
	wait_pid "$pid"
	[ "$ST" -eq 0 ] || { echo "sw-produce: $ST"; cat "$BATS_TEST_TMPDIR/err"; return 1; }
	run timeout 60 sw-consume -b "$KAFKA_BROKERS" -t t -o beginning -e --value-only
	assert_status 0
	[ "${#lines[@]}" -eq 400 ]
	diff <(sw-gen web --count 400 --seed 1 | sort) <(printf '%s\n' "${lines[@]}" | sort)
}

@test "a broker outage shorter than the timeouts: sw-consume rides through it" {
	kafka_start --topic t:2
	sw-gen sensor --count 300 --seed 2 | sw-produce -b "$KAFKA_BROKERS" -t t
	kafka_cmd broker 1 down
	timeout 60 sw-consume -b "$KAFKA_BROKERS" -t t -o beginning -e --value-only \
		--timeout 30s >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	local pid=$!
	sleep 1.5
	kafka_cmd broker 1 up
	wait_pid "$pid"
	[ "$ST" -eq 0 ] || { echo "sw-consume: $ST"; cat "$BATS_TEST_TMPDIR/err"; return 1; }
	diff <(sw-gen sensor --count 300 --seed 2 | sort) <(sort "$BATS_TEST_TMPDIR/out")
}

@test "Kafka request errors (Produce and Fetch) are retried: nothing lost, nothing doubled" {
	kafka_start --topic t:1
	kafka_cmd error Produce NOT_LEADER_FOR_PARTITION REQUEST_TIMED_OUT NOT_ENOUGH_REPLICAS
	sw-gen web --count 200 --seed 5 | timeout 60 sw-produce -b "$KAFKA_BROKERS" -t t
	kafka_cmd error Fetch NOT_LEADER_FOR_PARTITION UNKNOWN_TOPIC_OR_PART
	run timeout 60 sw-consume -b "$KAFKA_BROKERS" -t t -o beginning -e --value-only
	assert_status 0
	diff <(sw-gen web --count 200 --seed 5 | sort) <(printf '%s\n' "${lines[@]}" | sort)
}

@test "a broker down past the timeouts: sw-produce 75 or 69, sw-consume 69" {
	kafka_start --topic t:1
	kafka_cmd broker 1 down
	run timeout 60 sw-produce -b "$KAFKA_BROKERS" -t t --timeout 2s <<<'{"a":1}'
	[[ $status -eq 75 || $status -eq 69 ]]
	[[ $output == *"sw-produce: "* ]]
	run timeout 60 sw-consume -b "$KAFKA_BROKERS" -t t -e --timeout 2s
	assert_status 69
	[[ $output == *"sw-consume: "* ]]
}

@test "Elasticsearch refusing connections at start: 69, nothing reported as done" {
	port=$(free_port)
	run timeout 60 sw-sink-es --url "http://127.0.0.1:$port" --index x \
		--retries 2 --max-backoff 100ms --checkpoint "$BATS_TEST_TMPDIR/ckpt" \
		<<<'{"topic":"t","partition":0,"offset":0,"v":1}'
	assert_status 69
	[[ $output == *"sw-sink-es: "* ]]
	[ ! -s "$BATS_TEST_TMPDIR/ckpt" ] || ! grep -q '"t"' "$BATS_TEST_TMPDIR/ckpt"
}

# 300 envelope records of topic t, partition 0.
envelopes() {
	sw-gen sensor --count 300 --seed 4 \
		| jq -c '{topic:"t",partition:0,offset:(input_line_number - 1),value:.}'
}

@test "Elasticsearch storms of 429 and 503, dropped and hung requests: every document once, checkpoint to the end" {
	es_start --fail-requests 1:429,2:503,3:429,4:503,5:503,6:429,8:503,9:429 \
		--drop-requests 11 --hang-requests 13
	envelopes >"$BATS_TEST_TMPDIR/in"
	run timeout 120 sw-sink-es --url "$ES_URL" --index s --id '"\(.offset)"' \
		--batch-docs 20 --retries 8 --max-backoff 200ms --timeout 2s \
		--checkpoint "$BATS_TEST_TMPDIR/ckpt" <"$BATS_TEST_TMPDIR/in"
	assert_status 0
	[ "$(es_count s)" -eq 300 ]
	jq -e '.offsets.t."0" == 300' "$BATS_TEST_TMPDIR/ckpt"
	# The faults really happened: requests were answered 429 and 503.
	es_requests | jq -s -e '[.[] | select(.fault != null)] | length >= 10'
}

@test "Elasticsearch failing past the retries: 75, the checkpoint stops before the failed batch" {
	# Every request after the first fails (requests may be in flight
	# together, so more than 1 + --retries of them).
	es_start --fail-requests 2:503,3:503,4:503,5:503,6:503,7:503,8:503,9:503,10:503,11:503,12:503
	envelopes >"$BATS_TEST_TMPDIR/in"
	run timeout 60 sw-sink-es --url "$ES_URL" --index s --id '"\(.offset)"' \
		--batch-docs 100 --retries 2 --max-backoff 100ms \
		--checkpoint "$BATS_TEST_TMPDIR/ckpt" <"$BATS_TEST_TMPDIR/in"
	assert_status 75
	[[ $output == *"sw-sink-es: "* ]]
	# Only the first batch of 100 was acknowledged: the checkpoint says no
	# more than that (at-least-once: a rerun resumes there).
	if [ -s "$BATS_TEST_TMPDIR/ckpt" ]; then
		jq -e '(.offsets.t."0" // 0) <= 100' "$BATS_TEST_TMPDIR/ckpt"
	fi
	[ "$(es_count s)" -ge "$(jq '.offsets.t."0" // 0' "$BATS_TEST_TMPDIR/ckpt" 2>/dev/null || echo 0)" ]
}

@test "a full disk for dead letters, state and output: 74 and a clear message" {
	full_fs
	run sw-enrich --dead-letter "$BATS_TEST_TMPDIR/full/dead" \
		<<<"$(head -c 100000 /dev/zero | tr '\0' x)"
	assert_status 74
	[[ $output == *"sw-enrich: "*"No space left on device"* ]]

	# one process writes the input (a loop of 6000 command substitutions
	# once hung in bash itself on a loaded machine)
	awk 'BEGIN { k = sprintf("%40s", ""); gsub(/ /, "k", k)
		for (i = 1; i <= 3000; i++) printf "{\"time\":%d,\"k\":\"%s%d\"}\n", i, k, i }' \
		>"$BATS_TEST_TMPDIR/window.ndjson"
	run sw-window --time .time --tumble 10s --count --state "$BATS_TEST_TMPDIR/full/state" \
		<"$BATS_TEST_TMPDIR/window.ndjson"
	assert_status 74
	[[ $output == *"sw-window: "* ]]

	sw-gen sensor --count 5000 >"$BATS_TEST_TMPDIR/in"
	run bash -c "sw-enrich --uuid <'$BATS_TEST_TMPDIR/in' >'$BATS_TEST_TMPDIR/full/out'"
	assert_status 74
	[[ $output == *"sw-enrich: "*"No space left on device"* ]]
}

@test "a full disk for sw-files' state: 74, and a rerun writes the records again (nothing claimed done)" {
	full_fs
	head -c 100000 /dev/zero >>"$BATS_TEST_TMPDIR/full/filler" 2>/dev/null || true
	mkdir "$BATS_TEST_TMPDIR/dir"
	sw-gen sensor --count 100 >"$BATS_TEST_TMPDIR/dir/a.ndjson"
	run sw-files "$BATS_TEST_TMPDIR/dir" --state "$BATS_TEST_TMPDIR/full/state"
	assert_status 74
	[[ ${lines[-1]} == "sw-files: --state: $BATS_TEST_TMPDIR/full/state: No space left on device" ]]
	[ ! -e "$BATS_TEST_TMPDIR/full/state" ]
	rm -f "$BATS_TEST_TMPDIR/full/filler"
	run sw-files "$BATS_TEST_TMPDIR/dir" --state "$BATS_TEST_TMPDIR/full/state"
	assert_status 0
	[ "${#lines[@]}" -eq 100 ]
	run sw-files "$BATS_TEST_TMPDIR/dir" --state "$BATS_TEST_TMPDIR/full/state"
	assert_status 0
	[ -z "$output" ]
}

@test "a full disk for the sink's checkpoint: 74, nothing reported as done" {
	es_start --accept-all
	full_fs
	envelopes >"$BATS_TEST_TMPDIR/in"
	# Fill it to the last byte: the checkpoint cannot be written.
	head -c 100000 /dev/zero >>"$BATS_TEST_TMPDIR/full/filler" 2>/dev/null || true
	run timeout 60 sw-sink-es --url "$ES_URL" --index s --id '"\(.offset)"' \
		--checkpoint "$BATS_TEST_TMPDIR/full/ckpt" <"$BATS_TEST_TMPDIR/in"
	assert_status 74
	[[ $output == *"sw-sink-es: "*"checkpoint"* || $output == *"sw-sink-es: "*"No space left"* ]]
	[ ! -s "$BATS_TEST_TMPDIR/full/ckpt" ]
}

# start_on_fifo COMMAND...: runs COMMAND reading a FIFO this shell keeps
# open on fd 5; sets PID.  Output in $BATS_TEST_TMPDIR/out and err.
start_on_fifo() {
	rm -f "$BATS_TEST_TMPDIR/fifo"
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	"$@" <"$BATS_TEST_TMPDIR/fifo" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	PID=$!
	exec 5>"$BATS_TEST_TMPDIR/fifo"
}

# pipe_unread PID: bytes written to PID's stdin pipe that it has not read.
pipe_unread() {
	python3 -c '
import fcntl, os, struct, sys, termios
fd = os.open("/proc/%s/fd/0" % sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
n = fcntl.ioctl(fd, termios.FIONREAD, struct.pack("i", 0))
print(struct.unpack("i", n)[0])' "$1"
}

# pipe_drained PID: PID has read everything written to its stdin pipe.
pipe_drained() {
	[ "$(pipe_unread "$1")" = 0 ]
}

# sigterm_now: once the tool has read everything written to it (so the
# result does not depend on timing), SIGTERM with stdin still open; it
# must exit 0.
sigterm_now() {
	wait_for 30 pipe_drained "$PID"
	kill -TERM "$PID"
	wait_pid "$PID" 60
	exec 5>&-
	[ "$ST" -eq 0 ] || { echo "status $ST"; cat "$BATS_TEST_TMPDIR/err"; return 1; }
}

@test "SIGTERM mid-stream: sw-enrich drains and exits 0" {
	start_on_fifo sw-enrich --uuid
	sw-gen sensor --count 50 >&5
	# -u is not set: the records are held in the output buffer until the
	# drain.
	sigterm_now
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 50 ]
}

@test "SIGTERM mid-stream: sw-window closes its windows and exits 0" {
	start_on_fifo sw-window --time .time --tumble 10s --count
	sw-gen sensor --count 50 >&5
	sigterm_now
	[ "$(jq -s 'map(.count) | add' "$BATS_TEST_TMPDIR/out")" -eq 50 ]
}

@test "SIGTERM mid-stream: sw-window --state keeps the open window for the next run, nothing lost" {
	start_on_fifo sw-window --time .time --tumble 10s --count --state "$BATS_TEST_TMPDIR/state"
	sw-gen sensor --count 50 >&5
	sigterm_now
	cp "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/out1"
	head -n 1 "$BATS_TEST_TMPDIR/state" | jq -e .sw_window_state >/dev/null
	# An hour later: the saved window closes; each of the 100 records is
	# counted once, in an emitted row or in the window the state keeps open.
	sw-gen sensor --count 50 --start 2017-08-02T01:00:00Z \
		| sw-window --time .time --tumble 10s --count --state "$BATS_TEST_TMPDIR/state" \
		>"$BATS_TEST_TMPDIR/out2"
	emitted=$(cat "$BATS_TEST_TMPDIR/out1" "$BATS_TEST_TMPDIR/out2" | jq -s 'map(.count) | add')
	held=$(tail -n +2 "$BATS_TEST_TMPDIR/state" | jq -s 'map(.aggs[0]) | add // 0')
	echo "emitted $emitted, held in the state $held"
	[ $((emitted + held)) -eq 100 ]
	[ "$held" -lt 50 ]
}

@test "SIGTERM mid-stream: sw-sink-es delivers what it holds and exits 0" {
	es_start
	start_on_fifo sw-sink-es --url "$ES_URL" --index s --batch-docs 1000 --flush-interval 1h
	sw-gen sensor --count 50 >&5
	sigterm_now
	[ "$(es_count s)" -eq 50 ]
}

@test "SIGTERM mid-stream: sw-produce delivers what it read and exits 0" {
	kafka_start --topic t:1
	start_on_fifo sw-produce -b "$KAFKA_BROKERS" -t t
	sw-gen sensor --count 50 >&5
	sigterm_now
	[ "$(timeout 60 sw-consume -b "$KAFKA_BROKERS" -t t -o beginning -e | wc -l)" -eq 50 ]
}

@test "SIGTERM mid-stream: sw-consume stops and exits 0 with what it wrote complete" {
	kafka_start --topic t:1
	sw-gen sensor --count 500 | sw-produce -b "$KAFKA_BROKERS" -t t
	# (no timeout(1) in front: the signal must go to sw-consume itself;
	# wait_pid bounds the wait)
	sw-consume -b "$KAFKA_BROKERS" -t t -o beginning >"$BATS_TEST_TMPDIR/out" \
		2>"$BATS_TEST_TMPDIR/err" &
	PID=$!
	wait_for 30 lines_at_least "$BATS_TEST_TMPDIR/out" 500
	kill -TERM "$PID"
	wait_pid "$PID"
	[ "$ST" -eq 0 ] || { echo "status $ST"; cat "$BATS_TEST_TMPDIR/err"; return 1; }
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 500 ]
	jq -e . "$BATS_TEST_TMPDIR/out" >/dev/null
}

@test "SIGTERM mid-stream: sw-gen ends on a whole line and exits 0" {
	sw-gen web --rate 2000 >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	PID=$!
	wait_for 30 lines_at_least "$BATS_TEST_TMPDIR/out" 100
	kill -TERM "$PID"
	wait_pid "$PID"
	[ "$ST" -eq 0 ] || { cat "$BATS_TEST_TMPDIR/err"; return 1; }
	# Every line whole, the last one too.
	[ "$(tail -c 1 "$BATS_TEST_TMPDIR/out" | od -An -c | tr -d ' ')" = '\n' ]
	jq -e . "$BATS_TEST_TMPDIR/out" >/dev/null
}

@test "SIGTERM mid-stream: sw-avro encode finishes a container that decodes to every record" {
	start_on_fifo sw-avro encode --schema "$FIXTURES/avro/all.avsc"
	cat "$FIXTURES/avro/all.ndjson" "$FIXTURES/avro/all.ndjson" >&5
	sigterm_now
	run sw-avro decode "$BATS_TEST_TMPDIR/out"
	assert_status 0
	[ "${#lines[@]}" -eq 8 ]
}

@test "SIGTERM mid-stream: sw-files --follow saves its state and exits 0" {
	mkdir "$BATS_TEST_TMPDIR/dir"
	sw-gen sensor --count 40 >"$BATS_TEST_TMPDIR/dir/a.ndjson"
	sw-files "$BATS_TEST_TMPDIR/dir" --follow --state "$BATS_TEST_TMPDIR/state" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	PID=$!
	wait_for 30 lines_at_least "$BATS_TEST_TMPDIR/out" 40
	kill -TERM "$PID"
	wait_pid "$PID"
	[ "$ST" -eq 0 ] || { cat "$BATS_TEST_TMPDIR/err"; return 1; }
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 40 ]
	# The state says all of it was written: a new run writes nothing.
	run timeout 60 sw-files "$BATS_TEST_TMPDIR/dir" --state "$BATS_TEST_TMPDIR/state"
	assert_status 0
	[ -z "$output" ]
}

@test "SIGTERM mid-stream: sw-mqtt pub delivers what it read, sw-mqtt sub exits 0" {
	mqtt_start
	sub_start "$BATS_TEST_TMPDIR/sub.out" "$BATS_TEST_TMPDIR/sub.err" \
		-b "127.0.0.1:$MQTT_PORT" -t rel --qos 1 --value-only
	start_on_fifo sw-mqtt pub -b "127.0.0.1:$MQTT_PORT" -t rel --qos 1
	sw-gen sensor --count 50 >&5
	sigterm_now
	wait_for 30 lines_at_least "$BATS_TEST_TMPDIR/sub.out" 50
	kill -TERM "$SUB_PID"
	wait_pid "$SUB_PID"
	[ "$ST" -eq 0 ] || { cat "$BATS_TEST_TMPDIR/sub.err"; return 1; }
	diff <(sw-gen sensor --count 50) "$BATS_TEST_TMPDIR/sub.out"
}

@test "limits: a line over --max-line and JSON nested too deep are bad input (65) with a clear reason" {
	run sw-enrich --max-line 1000 --uuid < <(printf '{"a":"%s"}\n' "$(head -c 2000 /dev/zero | tr '\0' x)")
	assert_status 65
	assert_output "sw-enrich: stdin:1: line longer than 1000 bytes (--max-line)"
	run sw-window --time .t --tumble 1s --count < <(python3 -c "print('[' * 600 + ']' * 600)")
	assert_status 65
	assert_output "sw-window: stdin:1: invalid JSON at byte 513: nested deeper than 512 levels"
	# Skipped, the next records still go through.
	run sw-enrich --on-error skip --max-line 1000 --uuid \
		< <(printf '{"a":"%s"}\n{"b":1}\n' "$(head -c 2000 /dev/zero | tr '\0' x)")
	assert_status 0
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} == *"line longer than 1000 bytes"* ]]
	jq -e '.b == 1' <<<"${lines[1]}"
}

@test "limits: an oversized checkpoint is refused before it is read" {
	truncate -s 65M "$BATS_TEST_TMPDIR/ckpt"
	run sw-sink-es --url http://127.0.0.1:9 --index x --checkpoint "$BATS_TEST_TMPDIR/ckpt" </dev/null
	assert_status 64
	[[ ${lines[0]} == "sw-sink-es: --checkpoint: $BATS_TEST_TMPDIR/ckpt: larger than 67108864 bytes" ]]
	# sw-consume --resume reads the same file with the same bound.
	run sw-consume -b 127.0.0.1:9 -t x -e --timeout 1s --resume "$BATS_TEST_TMPDIR/ckpt"
	assert_status 64
	[[ ${lines[0]} == "sw-consume: --resume: $BATS_TEST_TMPDIR/ckpt: larger than 67108864 bytes" ]]
}

@test "hostile envelopes: offsets and partitions out of range never corrupt the checkpoint" {
	es_start
	printf '%s\n' '{"topic":"t","partition":0,"offset":3}' \
		'{"topic":"t","partition":-1,"offset":5}' \
		'{"topic":"t","partition":99999999999,"offset":1}' \
		'{"topic":"t","partition":0,"offset":-7}' \
		'{"topic":"t","partition":1,"offset":9223372036854775807}' \
		'{"topic":"t","partition":2,"offset":1e3}' \
		| timeout 60 sw-sink-es --url "$ES_URL" --index e --checkpoint "$BATS_TEST_TMPDIR/ckpt"
	[ "$(es_count e)" -eq 6 ]
	jq -e -c '.offsets == {"t":{"0":4}}' "$BATS_TEST_TMPDIR/ckpt"
}
