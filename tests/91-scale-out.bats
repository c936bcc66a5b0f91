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
	kafka_stop || true
}

window() {
	sw-window --time .time --tumble 1m --watermark 1000d --group-by .bid \
		--count --sum .time --min .rh --max .ambient
}

@test "three pipelines on six partitions give exactly the windows of one" {
	sw-gen sensor --count 6000 --seed 9 >"$BATS_TEST_TMPDIR/in"
	sw-produce -b "$KAFKA_BROKERS" -t raw -X sticky.partitioning.linger.ms=0 \
		<"$BATS_TEST_TMPDIR/in"

	# Stage 1: three members of one group repartition by device.  (Wait
	# for these pipelines only: the mock is a background job too.)
	local pids=() i
	for i in 1 2 3; do
		timeout 120 sw-consume -b "$KAFKA_BROKERS" -G stage1 -t raw -e --value-only \
			| sw-produce -b "$KAFKA_BROKERS" -t bykey -k .bid &
		pids+=($!)
	done
	wait "${pids[@]}"
	# Stage 2: three members of another group window what they own.
	pids=()
	for i in 1 2 3; do
		timeout 120 sw-consume -b "$KAFKA_BROKERS" -G stage2 -t bykey -e --value-only \
			| window >"$BATS_TEST_TMPDIR/out.$i" &
		pids+=($!)
	done
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
