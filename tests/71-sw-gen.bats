#!/usr/bin/env bats
# sw-gen: deterministic synthetic events.

load test_helper

@test "sw-gen: the same seed gives the same bytes (fixtures), another seed others" {
	for k in web sensor tweets; do
		run sw-gen "$k" --seed 42 --count 20
		assert_status 0
		assert_output <"$FIXTURES/gen/$k-seed42.ndjson"
		run sw-gen "$k" --seed 43 --count 20
		assert_status 0
		[ "$output" != "$(cat "$FIXTURES/gen/$k-seed42.ndjson")" ]
	done
	# the default seed is fixed too
	[ "$(sw-gen web -c 500 | md5sum)" = "$(sw-gen web -c 500 --seed 1 | md5sum)" ]
}

@test "sw-gen: --count, and no output for --count 0" {
	for k in web sensor tweets; do
		[ "$(sw-gen "$k" --count 1234 | wc -l)" -eq 1234 ]
	done
	run sw-gen web --count 0
	assert_status 0
	assert_output ''
	# the first N events do not depend on the count
	[ "$(sw-gen tweets -c 100 | head -50)" = "$(sw-gen tweets -c 50)" ]
}

@test "sw-gen web: fields and types" {
	run sh -c 'sw-gen web --count 2000 | jq -c "select((.name|type) != \"string\" or (.action|IN(\"login\",\"cart\",\"done\")|not) or (.sendtime|type) != \"number\" or .sendtime != (.sendtime|floor) or (keys_unsorted != [\"name\",\"action\",\"sendtime\"]))"'
	assert_status 0
	assert_output ''
	# times never go back
	run sh -c 'sw-gen web --count 2000 | jq -s "[.[].sendtime] | . == sort"'
	assert_output true
}

@test "sw-gen web: the funnel: login before cart before done, with drop-off at each step" {
	sw-gen web --count 5000 --seed 7 >"$BATS_TEST_TMPDIR/web"
	run jq -sc '
		group_by(.name) | map([.[].action]) as $users
		| ($users | map(select(. != ["login"] and . != ["login","cart"] and . != ["login","cart","done"])) | length) as $bad
		| { bad: $bad,
		    login_only: ($users | map(select(. == ["login"])) | length > 100),
		    cart_not_paid: ($users | map(select(. == ["login","cart"])) | length > 100),
		    paid: ($users | map(select(. == ["login","cart","done"])) | length > 100) }' "$BATS_TEST_TMPDIR/web"
	# users still in the funnel at the end of the stream have an open prefix,
	# which is one of the three shapes too
	assert_output '{"bad":0,"login_only":true,"cart_not_paid":true,"paid":true}'
	# each user's actions come in time order
	run jq -s 'group_by(.name) | map(. == sort_by(.sendtime)) | all' "$BATS_TEST_TMPDIR/web"
	assert_output true
}

@test "sw-gen sensor: fields, types, several devices, 8-second readings" {
	run sh -c 'sw-gen sensor --count 4000 | jq -c "select((keys != [\"ambient\",\"bid\",\"humidity\",\"objecttemp\",\"rh\",\"time\"]) or ([.ambient,.humidity,.objecttemp,.rh,.time] | map(type) | unique) != [\"number\"] or (.bid | test(\"^B0:B4:48:BD:DA:0[1-4]$\") | not) or .ambient < 15 or .ambient > 40 or .rh < 0 or .rh > 100)"'
	assert_status 0
	assert_output ''
	run sh -c 'sw-gen sensor --count 4000 | jq -sc "group_by(.bid) | map({n: length, step: ([.[1].time - .[0].time]) })"'
	assert_output '[{"n":1000,"step":[8]},{"n":1000,"step":[8]},{"n":1000,"step":[8]},{"n":1000,"step":[8]}]'
}

@test "sw-gen tweets: Twitter's created_at, ids, hashtags, users" {
	run sh -c 'sw-gen tweets --count 2000 | jq -c "select((.created_at | strptime(\"%a %b %d %H:%M:%S +0000 %Y\") | mktime | type) != \"number\" or (.id|type) != \"number\" or (.text|type) != \"string\" or (.user.screen_name|type) != \"string\")"'
	assert_status 0
	assert_output ''
	# hashtags: many tweets have some, and a top-N has a head
	run sh -c 'sw-gen tweets --count 2000 | jq -sc "[.[].text | scan(\"#[^ ]+\")] | group_by(.) | map(length) | sort | reverse | {tags: (length >= 15), head: (.[0] > 3 * .[-1])}"'
	assert_output '{"tags":true,"head":true}'
	# sw-window reads created_at with the contract's Twitter format
	run sh -c "sw-gen tweets -c 1 | jq -r .created_at"
	assert_output 'Thu Apr 15 12:50:00 +0000 2021'
}

@test "sw-gen: --start sets the first event time, in each kind's unit" {
	run sw-gen web --count 1 --start 2021-12-12T12:16:50.123+09:00
	assert_output '{"name":"yuki_0","action":"login","sendtime":1639279010123}'
	run sh -c 'sw-gen sensor --count 1 --start "2017-08-01 18:30:00" | jq .time'
	assert_output 1501612200
	run sh -c 'sw-gen tweets --count 1 --start 1639277668 | jq -r .created_at'
	assert_output 'Sun Dec 12 02:54:28 +0000 2021'
	# the same events, only moved in time
	run bash -c 'diff <(sw-gen web -c 50 | jq -c "del(.sendtime)") <(sw-gen web -c 50 --start 2030-01-01T00:00:00Z | jq -c "del(.sendtime)")'
	assert_status 0
}

@test "sw-gen: --rate paces output without changing it" {
	run sw-gen sensor --rate 50 --count 5
	assert_status 0
	assert_output "$(sw-gen sensor --count 5)"
	run sw-gen web --rate 0.5 --count 1
	assert_status 0
	[ "${#lines[@]}" -eq 1 ]
}

@test "sw-gen: SIGTERM ends a paced stream with 0 and whole lines" {
	sw-gen web --rate 20 >"$BATS_TEST_TMPDIR/out" &
	pid=$!
	for i in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/out" ] && break; sleep 0.1; done
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	assert_status 0
	n=$(wc -l <"$BATS_TEST_TMPDIR/out")
	[ "$n" -ge 1 ]
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "$(sw-gen web -c "$n")" ]
}

@test "sw-gen: a reader that goes away ends it quietly with 0" {
	run bash -c 'sw-gen sensor 2>"$1" | head -3 >/dev/null; echo "${PIPESTATUS[0]}"' _ "$BATS_TEST_TMPDIR/err"
	assert_output 0
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
}

@test "sw-gen: --stats counts the events" {
	run --separate-stderr sw-gen web --count 10 --stats
	assert_status 0
	[ "$(jq -c '[.tool,.records_out]' <<<"$stderr")" = '["sw-gen",10]' ]
}

@test "sw-gen: usage errors exit 64" {
	for args in "" "bogus" "web sensor" "web --count -1" "web --count x" "web --rate 0" \
		"web --rate fast" "web --seed -1" "web --start yesterday" "web --no-such-flag"; do
		run sw-gen $args
		[ "$status" -eq 64 ] || { echo "'$args': status $status"; return 1; }
		[[ $output == *"Try 'sw-gen --help'."* ]]
	done
}

@test "sw-gen: a write error exits 74" {
	run sh -c 'sw-gen web --count 100000 >/dev/full'
	assert_status 74
	[[ $output == "sw-gen: write error: No space left on device" ]]
}
