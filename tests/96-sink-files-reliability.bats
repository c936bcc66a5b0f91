#!/usr/bin/env bats
# sw-sink-files across kill -9: Kafka mock -> sw-consume --resume ->
# sw-sink-files --checkpoint, killed at random points, then counted.  Every
# produced offset must be in the directory exactly once, and the checkpoint
# must never claim more than the directory holds.  Kills are placed by
# progress (commits in the log), never by timing assertions.

load test_helper
load helpers/kafka

setup() {
	# nap SECONDS: sleep without a process (a read that times out on a
	# FIFO that this shell holds open for writing too: no EOF, no data).
	mkfifo "$BATS_TEST_TMPDIR/nap"
	exec {NAP_FD}<>"$BATS_TEST_TMPDIR/nap"
}

nap() {
	read -r -t "$1" -u "$NAP_FD" _ || true
}

teardown() {
	local p
	kafka_stop || true
	for p in $(jobs -p); do kill -KILL "$p" 2>/dev/null || true; done
	if mountpoint -q "$BATS_TEST_TMPDIR/full" 2>/dev/null; then
		umount "$BATS_TEST_TMPDIR/full"
	fi
}

# One run of sw-consume --resume | sw-sink-files --checkpoint in the
# background through FIFOs, so that each has a known pid (never pkill by
# name: other suites run the same tools).  Between them, a throttle of
# 10 records per 6 ms spreads a pass over seconds, so that kills placed by
# progress land all along the stream.  Extra arguments go to the sink.
pipeline_start() {
	local d=$BATS_TEST_TMPDIR
	rm -f "$d/p1" "$d/p2"
	mkfifo "$d/p1" "$d/p2"
	sw-consume -b "$KAFKA_BROKERS" -t web -o beginning -e \
		--resume "$d/ckpt" >"$d/p1" 2>>"$d/consume.err" 3>&- &
	CONSUME_PID=$!
	perl -ne '$| = 1; print; select(undef, undef, undef, 0.006) if $. % 10 == 0' \
		<"$d/p1" >"$d/p2" 3>&- &
	THROTTLE_PID=$!
	sw-sink-files "$d/out" --checkpoint "$d/ckpt" "$@" \
		<"$d/p2" 2>>"$d/sink.err" 3>&- &
	SINK_PID=$!
}

# Waits for the three (SIGKILLed if not all gone within 60 s); the
# statuses of sw-consume and the sink in PIPE_ST.  Polled with builtins
# (bash reaps its children as they end), not a timeout and a tail each.
pipeline_wait() {
	local i p st pids=("$CONSUME_PID" "$THROTTLE_PID" "$SINK_PID")
	PIPE_ST=
	for ((i = 0; i < 3000; i++)); do
		kill -0 "${pids[@]}" 2>/dev/null || break
		nap 0.02
	done
	# Only if they outlived the wait: a pid that has ended may be reused.
	((i < 3000)) || kill -KILL "${pids[@]}" 2>/dev/null || true
	for p in "${pids[@]}"; do
		st=0
		wait "$p" 2>/dev/null || st=$?
		[ "$p" = "$THROTTLE_PID" ] || PIPE_ST="$PIPE_ST $st"
	done
}

# commits: the lines of the commit log (as wc -l counts them) in COMMITS,
# without a process: until_commits polls it.
commits() {
	local -a l
	COMMITS=0
	[ -f "$BATS_TEST_TMPDIR/out/_sw_log" ] || return 0
	mapfile l <"$BATS_TEST_TMPDIR/out/_sw_log"
	COMMITS=${#l[@]}
	if ((COMMITS)) && [[ ${l[COMMITS - 1]} != *$'\n' ]]; then
		COMMITS=$((COMMITS - 1))
	fi
}

# until_commits N: until the log has N lines or the sink is gone (60 s).
# Looked at every 0.1 s, with builtins only.
until_commits() {
	local i
	for ((i = 0; i < 600; i++)); do
		commits
		[ "$COMMITS" -ge "$1" ] && return 0
		kill -0 "$SINK_PID" 2>/dev/null || return 0
		nap 0.1
	done
	return 1
}

# The records of the committed files (those the log names), as NDJSON;
# READ is the command that prints part files as NDJSON, given any number
# of them (one process for them all: this runs after every kill, over
# hundreds of files).
committed_records() {
	jq -r '.files[]' "$BATS_TEST_TMPDIR/out/_sw_log" |
		(cd "$BATS_TEST_TMPDIR/out" && xargs -r -d '\n' $READ)
}

# The same, one "topic partition offset" line each.
committed_ids() {
	committed_records | jq -r '"\(.topic) \(.partition) \(.offset)"'
}

# The checkpoint never claims more than the directory holds: per
# partition, its offset is at most the number of distinct offsets below it
# that are committed (offsets of the mock start at 0 and have no gaps).
# The offsets the checkpoint claims in all go in CLAIMED.  One jq for the
# checkpoint and one awk for the count, not a jq, an awk and a wc for
# each partition.
check_claims() {
	local claims
	claims=$(jq -r '(.offsets // error("checkpoint without offsets")) as $o
		| "claimed \([$o.web // {} | .[]] | add // 0)",
		  ($o.web // {} | to_entries[] | "\(.key) \(.value)")' "$BATS_TEST_TMPDIR/ckpt") || return
	CLAIMED=${claims%%$'\n'*}
	CLAIMED=${CLAIMED#claimed }
	committed_ids | awk -v claims="$claims" '
		BEGIN {
			n = split(claims, l, "\n")
			for (i = 2; i <= n; i++) { split(l[i], f, " "); off[f[1]] = f[2] + 0 }
		}
		$1 == "web" && ($2 in off) && $3 + 0 < off[$2] && !seen[$2 " " $3]++ { have[$2]++ }
		END {
			bad = 0
			for (p in off)
				if (have[p] + 0 != off[p]) {
					printf "partition %s: checkpoint %d, committed below it %d\n", p, off[p], have[p]
					bad = 1
				}
			exit bad
		}'
}

# The whole kill loop; arguments go to the sink.  Prints the figures.
kill_loop() {
	local run victim name at ck kills=0
	kafka_start --topic web:4
	sw-gen web --count 6000 --seed 3 | sw-produce -b "$KAFKA_BROKERS" -t web -k .name
	echo '{"offsets":{}}' >"$BATS_TEST_TMPDIR/ckpt"
	CLAIMED=0
	# Until the stream has been taken to its end (at most 40 runs).
	for ((run = 1; run <= 40; run++)); do
		[ "$CLAIMED" -lt 6000 ] || break
		commits
		at=$((COMMITS + RANDOM % 6 + 1))
		pipeline_start "$@"
		if ((run % 5)); then victim=$SINK_PID name=sw-sink-files; else victim=$CONSUME_PID name=sw-consume; fi
		until_commits "$at"
		# A random moment within the next commits.
		nap "0.0$((RANDOM % 10))"
		kill -KILL "$victim" 2>/dev/null && kills=$((kills + 1))
		pipeline_wait
		commits
		read -r ck <"$BATS_TEST_TMPDIR/ckpt" || true
		echo "# run $run: SIGKILL $name after commit $at; statuses:$PIPE_ST; commits $COMMITS; checkpoint $ck" >&3
		# Sets CLAIMED, for the loop's test.
		check_claims
	done
	pipeline_start "$@"
	pipeline_wait
	[ "$PIPE_ST" = " 0 0" ] || { echo "last run: $PIPE_ST"; cat "$BATS_TEST_TMPDIR"/*.err; return 1; }
	# Every offset exactly once.
	sw-consume -b "$KAFKA_BROKERS" -t web -o beginning -e \
		| jq -r '"\(.topic) \(.partition) \(.offset)"' | sort >"$BATS_TEST_TMPDIR/want"
	committed_ids | sort >"$BATS_TEST_TMPDIR/got"
	local dups
	dups=$(uniq -d "$BATS_TEST_TMPDIR/got" | wc -l)
	echo "# $kills kills, $(wc -l <"$BATS_TEST_TMPDIR/want") records produced, $(wc -l <"$BATS_TEST_TMPDIR/got") in DIR, $dups duplicates, $(grep -c 'removed' "$BATS_TEST_TMPDIR/sink.err" || true) starts that removed uncommitted files" >&3
	[ "$dups" -eq 0 ]
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	jq -e '[.offsets.web[]] | add == 6000' "$BATS_TEST_TMPDIR/ckpt"
	# What is on disk is exactly what the log names: no partial, no
	# in-progress, no uncommitted file is left for a reader.
	(cd "$BATS_TEST_TMPDIR/out" && find . -type f -name '*part-*' | sed 's|^\./||' | sort) >"$BATS_TEST_TMPDIR/disk"
	jq -r '.files[]' "$BATS_TEST_TMPDIR/out/_sw_log" | sort >"$BATS_TEST_TMPDIR/logged"
	diff "$BATS_TEST_TMPDIR/logged" "$BATS_TEST_TMPDIR/disk"
}

@test "SIGKILL at random points, NDJSON with partitions: every offset in DIR exactly once" {
	READ=cat
	kill_loop --max-records 25 --partition-by action=.value.action --max-open-files 3 -v
}

@test "SIGKILL at random points, Avro (deflate): every offset in DIR exactly once" {
	cat >"$BATS_TEST_TMPDIR/env.avsc" <<'EOF'
{"type":"record","name":"Env","fields":[
 {"name":"topic","type":"string"},{"name":"partition","type":"int"},
 {"name":"offset","type":"long"},
 {"name":"value","type":{"type":"record","name":"Web","fields":[
  {"name":"name","type":"string"},{"name":"action","type":"string"},
  {"name":"sendtime","type":"long"}]}}]}
EOF
	READ="sw-avro decode"
	kill_loop --format avro --codec deflate --schema "$BATS_TEST_TMPDIR/env.avsc" --max-records 30 -v
}

@test "a full disk: 74, and nothing claimed in the log or the checkpoint that is not on disk" {
	mkdir -p "$BATS_TEST_TMPDIR/full"
	mount -t tmpfs -o size=256k tmpfs "$BATS_TEST_TMPDIR/full"
	local d=$BATS_TEST_TMPDIR/full/out
	awk 'BEGIN { for (i = 0; i < 3000; i++) printf "{\"topic\":\"t\",\"partition\":0,\"offset\":%d,\"pad\":\"%0200d\"}\n", i, i }' \
		>"$BATS_TEST_TMPDIR/in"
	run sw-sink-files "$d" --checkpoint "$BATS_TEST_TMPDIR/full/ckpt" --max-records 100 <"$BATS_TEST_TMPDIR/in"
	assert_status 74
	[[ $output == *"sw-sink-files: "*"No space left on device"* ]]
	# Every committed file is whole and the offsets claimed are in them.
	local n=0 f
	for f in $(jq -r '.files[]' "$d/_sw_log"); do
		n=$((n + $(jq -s length "$d/$f")))
	done
	[ "$n" -gt 0 ]
	[ "$(tail -n 1 "$d/_sw_log" | jq '.offsets.t."0"')" -eq "$n" ]
	if [ -s "$BATS_TEST_TMPDIR/full/ckpt" ]; then
		[ "$(jq '.offsets.t."0"' "$BATS_TEST_TMPDIR/full/ckpt")" -le "$n" ]
	fi
	# No in-progress file is left to take the space.
	[ -z "$(find "$d" -name '.*inprogress')" ]
	# With room again, a rerun resumes and ends with every record once.
	umount "$BATS_TEST_TMPDIR/full"
	mount -t tmpfs -o size=8m tmpfs "$BATS_TEST_TMPDIR/full"
	run sw-sink-files "$BATS_TEST_TMPDIR/full/out" --checkpoint "$BATS_TEST_TMPDIR/full/ckpt" <"$BATS_TEST_TMPDIR/in"
	assert_status 0
	[ "$(cat "$BATS_TEST_TMPDIR"/full/out/part-* | wc -l)" -eq 3000 ]
}

@test "SIGTERM mid-stream: 0, and what was read is committed" {
	local d=$BATS_TEST_TMPDIR
	mkfifo "$d/in"
	sw-sink-files "$d/out" --checkpoint "$d/ckpt" <"$d/in" 2>"$d/err" &
	local pid=$!
	exec {w}>"$d/in"
	for i in 0 1 2; do echo "{\"topic\":\"t\",\"partition\":0,\"offset\":$i}" >&"$w"; done
	# Nothing is committed while the input is open and the files young.
	for ((i = 0; i < 50; i++)); do [ "$(jq -s length "$d/ckpt" 2>/dev/null)" = 1 ] && break; sleep 0.1; done
	kill -TERM "$pid"
	timeout 60 tail --pid="$pid" -f /dev/null
	wait "$pid" && st=0 || st=$?
	exec {w}>&-
	[ "$st" -eq 0 ] || { cat "$d/err"; return 1; }
	[ "$(cat "$d"/out/part-* | wc -l)" -eq 3 ]
	jq -e '.offsets.t."0" == 3' "$d/ckpt"
}
