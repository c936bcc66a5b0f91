#!/usr/bin/env bats
# Scale-out as README describes it: a consumer group spreads a six-partition
# topic over three pipelines; a keyed repartition step (sw-produce -k) makes
# each pipeline's sw-window own whole keys.  Together the three produce
# exactly the windows that one pipeline produces alone: no record lost or
# doubled.  (Aggregates here do not depend on record order: sums of floats
# would, in their last bits.)

load test_helper
load helpers/kafka

setup() {
	kafka_start --topic raw:6 --topic bykey:6
}

teardown() {
	# A failed test leaves its pipelines running; they hold bats's output
	# open.  Their clients all name this test's cluster.
	[ -z "${KAFKA_BROKERS:-}" ] || pkill -TERM -f -- "-b $KAFKA_BROKERS " || true
	kafka_stop || true
}

# Waits (at most 120 s) until GROUP has committed all N messages of TOPIC.
drained() {
	local group=$1 topic=$2 n=$3 i committed
	for ((i = 0; i < 600; i++)); do
		committed=$(sw-consume -b "$KAFKA_BROKERS" -L -G "$group" -t "$topic" 2>/dev/null \
			| jq -s 'map(.committed // 0) | add')
		[ "$committed" = "$n" ] && return 0
		sleep 0.2
	done
	echo "group $group committed $committed of $n messages of $topic" >&2
	return 1
}

window() {
	sw-window --time .time --tumble 1m --watermark 1000d --group-by .bid \
		--count --sum .time --min .rh --max .ambient
}

# Waits until each log FILE... says its member was last assigned 2 of the
# six partitions: the group is stable.
stable() {
	local i f ok
	for ((i = 0; i < 600; i++)); do
		ok=1
		for f in "$@"; do
			[ "$(grep -o 'assigned [0-9]* partition' "$f" | tail -1)" = "assigned 2 partition" ] || ok=0
		done
		[ $ok = 1 ] && return 0
		sleep 0.2
	done
	echo "the groups did not settle:" >&2
	tail -n 3 "$@" >&2
	return 1
}

@test "three pipelines on six partitions give exactly the windows of one" {
	sw-gen sensor --count 6000 --seed 9 >"$BATS_TEST_TMPDIR/in"
	local pids=() i d=$BATS_TEST_TMPDIR
	# A longer session than $KAFKA_GROUP_OPTS gives: a member that misses
	# heartbeats on a busy machine would make the group rebalance.
	local opts="-X session.timeout.ms=12000 -X heartbeat.interval.ms=500"
	# Every member joins before any data flows, so the groups rebalance
	# only then.  (A member joining or leaving mid-stream is a rebalance,
	# and librdkafka's mock refuses the commits a member makes in its
	# revoke callback, which a real broker accepts: records written since
	# the last commit would be read again by the partition's next owner.)
	for i in 1 2 3; do
		# Stage 2: each member windows the devices it owns.
		sw-consume -b "$KAFKA_BROKERS" -G stage2 $opts -v \
			--commit-interval 200ms -t bykey --value-only 2>"$d/s2.$i.log" \
			| window >"$d/out.$i" &
		pids+=($!)
		# Stage 1: repartition by device, so that a device's readings
		# all reach one stage-2 member.
		sw-consume -b "$KAFKA_BROKERS" -G stage1 $opts -v \
			--commit-interval 200ms -t raw --value-only 2>"$d/s1.$i.log" \
			| sw-produce -b "$KAFKA_BROKERS" -t bykey -k .bid &
		pids+=($!)
	done
	stable "$d"/s1.*.log "$d"/s2.*.log
	sw-produce -b "$KAFKA_BROKERS" -t raw -X sticky.partitioning.linger.ms=0 <"$d/in"
	drained stage1 raw 6000
	drained stage2 bykey 6000
	# The end of input writes the windows.
	pkill -TERM -P $$ -x sw-consume || true
	wait "${pids[@]}"

	sort "$BATS_TEST_TMPDIR"/out.* >"$BATS_TEST_TMPDIR/together"
	window <"$BATS_TEST_TMPDIR/in" | sort >"$BATS_TEST_TMPDIR/alone"
	[ -s "$BATS_TEST_TMPDIR/alone" ]
	if ! diff "$BATS_TEST_TMPDIR/alone" "$BATS_TEST_TMPDIR/together" >"$BATS_TEST_TMPDIR/diff"; then
		echo "$(grep -c '^>' "$BATS_TEST_TMPDIR/diff") rows too many or wrong, $(grep -c '^<' "$BATS_TEST_TMPDIR/diff") missing or wrong:"
		head -20 "$BATS_TEST_TMPDIR/diff"
		return 1
	fi
	# Every record counted once.
	total=$(jq -s 'map(.count) | add' "$BATS_TEST_TMPDIR/together")
	[ "$total" -eq 6000 ]
	# And each device's windows came from a single pipeline.
	for i in 1 2 3; do jq -r .bid "$BATS_TEST_TMPDIR/out.$i" | sort -u; done \
		| sort | uniq -d >"$BATS_TEST_TMPDIR/shared"
	[ ! -s "$BATS_TEST_TMPDIR/shared" ]
}
