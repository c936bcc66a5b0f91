#!/usr/bin/env bats
# README.md's session blocks (the lines after a "$ " prompt) run as written,
# from a directory laid out as the repository root, and print what README
# shows.  tests/helpers/readme-session says exactly how they are run and
# compared, and the two things it changes (local service addresses).

load test_helper
load helpers/es
load helpers/mqtt

setup() {
	W=$BATS_TEST_TMPDIR/root
	mkdir -p "$W"
	ln -s "$ROOT/tests" "$W/tests"
	ln -s "$ROOT/examples" "$W/examples"
	ln -s "$SW_BIN" "$W/bin"
}

teardown() {
	es_stop
	mqtt_cleanup
}

@test "every command of README's tour runs as written and prints what README shows" {
	es_start
	mqtt_start
	run "$TESTS_DIR/helpers/readme-session" "$ROOT/README.md" "$W"
	printf '%s\n' "$output"
	assert_status 0
}

# The checker itself, on a README of its own: each way a command can differ
# from what README shows is reported.
@test "the README check reports output, exit status and hangs that differ from README" {
	ES_URL=http://127.0.0.1:1 MQTT_PORT=1
	export ES_URL MQTT_PORT
	cat >"$BATS_TEST_TMPDIR/ok.md" <<-'MD'
	Text.

	    $ printf 'a\nb\nc\n'
	    a
	    …
	    $ echo '{"uuid":"0f6d2c6e-6f7a-4d5e-9a55-3e1f4c2b9a10","x":1}' \
	        | cat
	    {"uuid":"00000000-0000-4000-8000-000000000000","x":1}
	    $ sh -c 'echo "one two"; exit 3'
	    one … (exit 3)

	    template, not run:
	        $ false
	MD
	run "$TESTS_DIR/helpers/readme-session" "$BATS_TEST_TMPDIR/ok.md" "$W"
	assert_status 0
	[[ $output == *'3 commands, 0 not as README shows'* ]]

	printf '    $ echo right\n    wrong\n' >"$BATS_TEST_TMPDIR/out.md"
	run "$TESTS_DIR/helpers/readme-session" "$BATS_TEST_TMPDIR/out.md" "$W"
	assert_status 1
	[[ $output == *'out.md:1: echo right'* ]]

	printf '    $ echo a; false\n    a\n' >"$BATS_TEST_TMPDIR/rc.md"
	run "$TESTS_DIR/helpers/readme-session" "$BATS_TEST_TMPDIR/rc.md" "$W"
	assert_status 1
	[[ $output == *'exit 1 (README: 0)'* ]]

	printf '    $ printf "a\\nb\\n"\n    a\n' >"$BATS_TEST_TMPDIR/more.md"
	run "$TESTS_DIR/helpers/readme-session" "$BATS_TEST_TMPDIR/more.md" "$W"
	assert_status 1

	printf '    $ sleep 30\n' >"$BATS_TEST_TMPDIR/hang.md"
	READMESESSION_TIMEOUT=2 run "$TESTS_DIR/helpers/readme-session" "$BATS_TEST_TMPDIR/hang.md" "$W"
	assert_status 1
	[[ $output == *'hang.md:1: the command there did not end'* ]]
}
