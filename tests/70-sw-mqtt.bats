#!/usr/bin/env bats
# sw-mqtt against a real mosquitto started on a free loopback port, with
# mosquitto_pub and mosquitto_sub as independent peers.

load test_helper
load helpers/mqtt

setup() {
	T=$BATS_TEST_TMPDIR
}

teardown() {
	mqtt_cleanup
	if [ -n "${FAKE_PID:-}" ]; then
		kill "$FAKE_PID" 2>/dev/null
		wait "$FAKE_PID" 2>/dev/null || true
	fi
}

B() { echo "127.0.0.1:$MQTT_PORT"; }

@test "sw-mqtt: --help of each subcommand lists its flags, the top level lists all" {
	run sw-mqtt sub --help
	assert_status 0
	[[ $output == *--idle-exit* && $output == *--value-only* && $output != *--topic-from* ]]
	run sw-mqtt pub --help
	assert_status 0
	[[ $output == *--topic-from* && $output == *--retain* && $output == *--max-line* && $output != *--idle-exit* ]]
	run sw-mqtt --help
	assert_status 0
	for f in --brokers --topic --count --qos --idle-exit --topic-from --retain --field \
		--client-id --user --password-file --cafile --cert --key --session --timeout \
		--drain-timeout --value-format --value-only --raw-input --max-line --on-error; do
		[[ $output == *"$f"* ]] || { echo "missing $f"; return 1; }
	done
	run sw-mqtt --version
	assert_status 0
	[[ ${lines[0]} == "sw-mqtt "* && ${lines[1]} == "libmosquitto 2."* ]]
}

@test "sw-mqtt: usage errors exit 64" {
	run sw-mqtt
	assert_status 64
	run sw-mqtt frobnicate
	assert_status 64
	[[ $output == *"unknown subcommand 'frobnicate'"* ]]
	run sw-mqtt sub --no-such-flag -t x
	assert_status 64
	run sw-mqtt sub
	assert_status 64
	[[ $output == *"at least one -t"* ]]
	run sw-mqtt sub -t x --qos 3
	assert_status 64
	run sw-mqtt sub -t 'a/#/b'
	assert_status 64
	run sw-mqtt sub -t x --retain
	assert_status 64
	[[ $output == *"--retain is for 'sw-mqtt pub'"* ]]
	run sw-mqtt pub -t 'a/+' </dev/null
	assert_status 64
	run sw-mqtt pub -t a --topic-from .t </dev/null
	assert_status 64
	run sw-mqtt pub -t a --idle-exit 1s </dev/null
	assert_status 64
	run sw-mqtt sub -t a --value-format xml
	assert_status 64
	run sw-mqtt sub -t a --cert c.pem
	assert_status 64
	run sw-mqtt sub -t a --session s --client-id other
	assert_status 64
	run sw-mqtt sub -t a -b 'host:99999'
	assert_status 64
}

@test "sw-mqtt: a --password-file that is a directory, missing or empty is a usage error, not an empty password" {
	mkdir "$T/dir"
	: >"$T/empty"
	run -64 sw-mqtt sub -t x --user u --password-file "$T/dir"
	[ "${lines[0]}" = "sw-mqtt: --password-file: $T/dir: Is a directory" ]
	run -64 sw-mqtt sub -t x --user u --password-file "$T/none"
	[ "${lines[0]}" = "sw-mqtt: --password-file: $T/none: No such file or directory" ]
	run -64 sw-mqtt pub -t x --user u --password-file "$T/empty" </dev/null
	[ "${lines[0]}" = "sw-mqtt: --password-file: $T/empty: empty" ]
}

@test "sw-mqtt: unreachable broker exits 69 within --timeout" {
	port=$(free_port)
	run timeout 20 sw-mqtt sub -b "127.0.0.1:$port" -t x --timeout 1s
	assert_status 69
	[[ $output == "sw-mqtt: 127.0.0.1:$port: cannot connect within 1s: Connection refused" ]]
	run timeout 20 sw-mqtt pub -b "127.0.0.1:$port" -t x --timeout 500ms <<<'{}'
	assert_status 69
}

@test "sw-mqtt sub: each QoS, + and # wildcards, the envelope" {
	mqtt_start
	sub_start "$T/out" "$T/err" -b "$(B)" -t 'sensors/+/temp' -t 'logs/#' --qos 2 -c 3
	mosquitto_pub -p "$MQTT_PORT" -t sensors/a/temp -q 0 -m '{"t": 21.5}'
	mosquitto_pub -p "$MQTT_PORT" -t sensors/a/hum -q 1 -m '{"h": 40}'
	mosquitto_pub -p "$MQTT_PORT" -t other/x -q 1 -m '1'
	mosquitto_pub -p "$MQTT_PORT" -t sensors/b/temp -q 1 -m '[1, 2, 3]'
	mosquitto_pub -p "$MQTT_PORT" -t logs/app/x/y -q 2 -m '"text"'
	sub_wait
	assert_status 0
	run jq -c 'del(.timestamp)' "$T/out"
	assert_output <"$FIXTURES/mqtt/wildcards.expected"
	# timestamp: the receive time in epoch milliseconds
	now=$(date +%s%3N)
	run jq -e --argjson now "$now" 'select((.timestamp | type) != "number" or .timestamp > $now or .timestamp < $now - 60000)' "$T/out"
	assert_status 4
}

@test "sw-mqtt sub: retained messages arrive with retain true" {
	mqtt_start
	mosquitto_pub -p "$MQTT_PORT" -t state/door -r -q 1 -m '{"open":false}'
	run timeout 20 sw-mqtt sub -b "$(B)" -t 'state/#' -c 1 --value-only
	assert_status 0
	assert_output '{"open":false}'
	run timeout 20 sw-mqtt sub -b "$(B)" -t 'state/#' -c 1
	assert_status 0
	[ "$(jq -c '[.topic,.retain]' <<<"$output")" = '["state/door",true]' ]
}

@test "sw-mqtt sub: --value-format string and base64, --value-only" {
	mqtt_start
	sub_start "$T/out" "$T/err" -b "$(B)" -t t --value-format string -c 2 --value-only
	mosquitto_pub -p "$MQTT_PORT" -t t -m 'plain "text"'
	mosquitto_pub -p "$MQTT_PORT" -t t -m '{"a":1}'
	sub_wait
	assert_status 0
	run cat "$T/out"
	assert_output '"plain \"text\""
"{\"a\":1}"'
	sub_start "$T/out" "$T/err" -b "$(B)" -t t --value-format base64 -c 1
	printf '\001\377' | mosquitto_pub -p "$MQTT_PORT" -t t -s
	sub_wait
	assert_status 0
	[ "$(jq -r .value "$T/out")" = "Af8=" ]
}

@test "sw-mqtt sub: a value that is not JSON is bad input (65), or skipped to --dead-letter" {
	mqtt_start
	sub_start "$T/out" "$T/err" -b "$(B)" -t 'm/#'
	mosquitto_pub -p "$MQTT_PORT" -t m/ok -m '{"n":1}'
	mosquitto_pub -p "$MQTT_PORT" -t m/bad -m "{'n': 2}"
	sub_wait
	assert_status 65
	run cat "$T/out"
	assert_output '{"topic":"m/ok","qos":0,"retain":false,"timestamp":'"$(jq .timestamp "$T/out")"',"value":{"n":1}}'
	run grep -v -e connected -e subscribed "$T/err"
	[[ ${lines[0]} == "sw-mqtt: topic m/bad:2: value is not JSON ("*"); try --value-format string" ]]

	sub_start "$T/out" "$T/err" -b "$(B)" -t 'm/#' -c 2 --dead-letter "$T/dl"
	mosquitto_pub -p "$MQTT_PORT" -t m/bad -m "{'n': 2}"
	mosquitto_pub -p "$MQTT_PORT" -t m/ok -m '{"n":3}'
	sub_wait
	assert_status 0
	[ "$(jq -c .value "$T/out")" = '{"n":3}' ]
	[ "$(jq -c '[.source,.line,.input]' "$T/dl")" = '["topic m/bad",1,"{'"'"'n'"'"': 2}"]' ]
}

@test "sw-mqtt sub: --idle-exit ends a quiet subscription with 0" {
	mqtt_start
	sub_start "$T/out" "$T/err" -b "$(B)" -t q --idle-exit 1s
	mosquitto_pub -p "$MQTT_PORT" -t q -m 1
	sub_wait
	assert_status 0
	[ "$(jq -c .value "$T/out")" = 1 ]
}

@test "sw-mqtt sub: records are flushed while waiting; SIGTERM exits 0" {
	mqtt_start
	sub_start "$T/out" "$T/err" -b "$(B)" -t live --value-only
	mosquitto_pub -p "$MQTT_PORT" -t live -m '{"n":1}'
	wait_for_lines "$T/out" 1
	mosquitto_pub -p "$MQTT_PORT" -t live -m '{"n":2}'
	wait_for_lines "$T/out" 2
	kill -TERM "$SUB_PID"
	sub_wait
	assert_status 0
	run cat "$T/out"
	assert_output '{"n":1}
{"n":2}'
}

@test "sw-mqtt sub: output to /dev/full exits 74" {
	mqtt_start
	sw-mqtt sub -v -b "$(B)" -t full -c 1 >/dev/full 2>"$T/err" &
	SUB_PID=$!
	wait_for_line "$T/err" subscribed
	mosquitto_pub -p "$MQTT_PORT" -t full -m 1
	sub_wait
	assert_status 74
}

@test "sw-mqtt sub: a reader that goes away ends it quietly with 0" {
	mqtt_start
	{ sw-mqtt sub -v -b "$(B)" -t gone 2>"$T/err"; echo $? >"$T/status"; } | head -1 >"$T/out" &
	wait_for_line "$T/err" subscribed
	# it notices at the first write after head is gone: keep publishing
	for i in $(seq 100); do
		mosquitto_pub -p "$MQTT_PORT" -t gone -m "$i"
		[ -s "$T/status" ] && break
		sleep 0.1
	done
	[ "$(cat "$T/status")" = 0 ]
	[ "$(jq .value "$T/out")" = 1 ]
	run grep -v -e connected -e subscribed "$T/err"
	assert_output ''
}

@test "sw-mqtt sub: a reader that goes away is noticed while the broker is idle" {
	mqtt_start
	mosquitto_pub -p "$MQTT_PORT" -t idle -m 1 -r
	# The one retained message, then nothing: no later write shows
	# sw-mqtt that head has gone.
	timeout 30 bash -c "{ sw-mqtt sub -b $(B) -t idle 2>'$T/err'; echo \$? >'$T/status'; } | head -1 >'$T/out'"
	[ "$(cat "$T/status")" = 0 ]
	[ "$(jq -c '[.value, .retain]' "$T/out")" = '[1,true]' ]
	[ ! -s "$T/err" ]
}

@test "sw-mqtt sub: a persistent --session gets what was published while it was away" {
	mqtt_start
	sub_start "$T/out" "$T/err" -b "$(B)" -t 'jobs/#' --session worker-1 -c 1 --value-only
	mosquitto_pub -p "$MQTT_PORT" -t jobs/a -q 1 -m '{"job":0}'
	sub_wait
	assert_status 0
	# sw-mqtt is gone: these wait in its session on the broker
	for i in 1 2 3; do mosquitto_pub -p "$MQTT_PORT" -t "jobs/$i" -q 1 -m "{\"job\":$i}"; done
	mosquitto_pub -p "$MQTT_PORT" -t jobs/9 -q 2 -m '{"job":4}'
	run timeout 20 sw-mqtt sub -b "$(B)" -t 'jobs/#' --session worker-1 --qos 2 -c 4 --value-only
	assert_status 0
	assert_output '{"job":1}
{"job":2}
{"job":3}
{"job":4}'
	# a different session does not see them
	run timeout 20 sw-mqtt sub -b "$(B)" -t 'jobs/#' --session worker-2 --idle-exit 500ms
	assert_status 0
	assert_output ''
}

@test "sw-mqtt sub: a broker restart loses no QoS 1 message" {
	mqtt_start
	sub_start "$T/out" "$T/err" -b "$(B)" -t 'r/#' --session restart --value-only
	for i in 1 2 3; do mosquitto_pub -p "$MQTT_PORT" -t r/x -q 1 -m "$i"; done
	wait_for_lines "$T/out" 3
	mqtt_restart
	# published before sw-mqtt is back: kept for its session by the broker
	for i in 4 5 6; do mosquitto_pub -p "$MQTT_PORT" -t r/x -q 1 -m "$i"; done
	wait_for_line "$T/out" '^6$'
	kill -TERM "$SUB_PID"
	sub_wait
	assert_status 0
	# at least once: every message is there (QoS 1 allows a duplicate)
	run sort -nu "$T/out"
	assert_output "$(seq 6)"
	grep -q "connection lost" "$T/err"
}

@test "sw-mqtt sub: without a session it subscribes again after a broker restart" {
	mqtt_start
	sub_start "$T/out" "$T/err" -b "$(B)" -t 'r/#' --qos 1 --value-only -c 2
	mosquitto_pub -p "$MQTT_PORT" -t r/x -q 1 -m 1
	wait_for_lines "$T/out" 1
	mqtt_restart
	wait_for_line "$T/err" subscribed 2
	mosquitto_pub -p "$MQTT_PORT" -t r/x -q 1 -m 2
	sub_wait
	assert_status 0
	run cat "$T/out"
	assert_output "$(seq 2)"
}

@test "sw-mqtt pub: records to mosquitto_sub at each QoS, --topic-from, --field, --retain" {
	mqtt_start
	peer_sub_start "$T/got" -t 'p/#' -v -q 2 -C 12
	printf '{"t":"p/a","v":1}\n{"t":"p/b","v":"raw \\"bytes\\""}\n{"t":"p/c","v":[1, 2]}\n' >"$T/in"
	for q in 0 1 2; do
		run timeout 20 sw-mqtt pub -b "$(B)" -t "p/q$q" --qos "$q" "$T/in"
		assert_status 0
	done
	run timeout 20 sw-mqtt pub -b "$(B)" --topic-from .t --field .v --qos 1 "$T/in"
	assert_status 0
	sub_wait
	assert_status 0
	run env LC_ALL=C sort "$T/got"
	assert_output <"$FIXTURES/mqtt/pub.expected"
	run timeout 20 sw-mqtt pub -b "$(B)" -t p/kept --retain --qos 1 <<<'{"kept":true}'
	assert_status 0
	run timeout 10 mosquitto_sub -p "$MQTT_PORT" -t p/kept -C 1 -v
	assert_output 'p/kept {"kept":true}'
}

@test "sw-mqtt pub: --topic-from a jq program; -R --field . sends plain lines" {
	mqtt_start
	peer_sub_start "$T/got" -t '#' -v -C 6
	run sh -c "sw-gen sensor -c 4 | sw-mqtt pub -b $(B) --topic-from '\"sensors/\" + .bid' --field .rh --qos 1"
	assert_status 0
	printf 'plain line 1\nplain "line" 2\n' | timeout 20 sw-mqtt pub -b "$(B)" -t logs -R --field . --qos 1
	sub_wait
	run cat "$T/got"
	assert_output 'sensors/B0:B4:48:BD:DA:01 75.516887211
sensors/B0:B4:48:BD:DA:02 75.752961059
sensors/B0:B4:48:BD:DA:03 71.387165450
sensors/B0:B4:48:BD:DA:04 79.017162683
logs plain line 1
logs plain "line" 2'
}

@test "sw-mqtt pub: a broker restart loses no QoS 1 message" {
	# the peer may be back after the burst: let the broker queue it all
	mqtt_start "max_queued_messages 5000"
	peer_sub_start "$T/got" -t 'r/#' -q 1 -c -i peer-restart
	{
		seq 1000
		for i in $(seq 200); do [ -e "$T/restarted" ] && break; sleep 0.1; done
		seq 1001 2000
	} | timeout 60 sw-mqtt pub -b "$(B)" -t r/x --qos 1 --stats 2>"$T/err" &
	pub=$!
	wait_for_line "$MQTT_DIR/mosquitto.log" "Received PUBLISH .* 'r/x'" 1000
	mqtt_restart
	touch "$T/restarted"
	status=0
	wait "$pub" || status=$?
	assert_status 0
	grep -q '"unacked":0' "$T/err"
	grep -q "connection lost" "$T/err"
	# the peer counts redeliveries too: wait for every distinct message
	for i in $(seq 200); do
		[ "$(sort -nu "$T/got" | wc -l)" -ge 2000 ] && break
		sleep 0.1
	done
	run sort -nu "$T/got"
	assert_output "$(seq 2000)"
}

@test "sw-mqtt pub: bad input exits 65 after sending the records before it" {
	mqtt_start
	peer_sub_start "$T/got" -t b -q 1 -C 1
	run timeout 20 sw-mqtt pub -b "$(B)" -t b --qos 1 <<<'{"ok":1}
{"ok":'
	assert_status 65
	[[ ${lines[0]} == "sw-mqtt: stdin:2: "* ]]
	sub_wait
	[ "$(cat "$T/got")" = '{"ok":1}' ]
	run timeout 20 sw-mqtt pub -b "$(B)" --topic-from .t <<<'{"no":"topic"}'
	assert_status 65
	[[ ${lines[0]} == "sw-mqtt: stdin:1: --topic-from .t: missing" ]]
	run timeout 20 sw-mqtt pub -b "$(B)" --topic-from .t <<<'{"t":"a/#"}'
	assert_status 65
	[[ ${lines[0]} == *"wildcards are for subscriptions"* ]]
	run timeout 20 sw-mqtt pub -b "$(B)" --topic-from .t --on-error skip <<<'{"t":7}
{"t":"ok"}'
	assert_status 0
}

@test "sw-mqtt pub: QoS 1 messages never acknowledged exit 75 with a count" {
	coproc FAKE { exec python3 "$FIXTURES/mqtt/fake-broker.py"; }
	FAKE_PID=$FAKE_PID
	read -r port <&"${FAKE[0]}"
	run timeout 20 sw-mqtt pub -b "127.0.0.1:$port" -t x --qos 1 --drain-timeout 1s <<<'{"a":1}
{"a":2}'
	assert_status 75
	[[ $output == *"2 of 2 messages not acknowledged by the broker" ]]
}

# TLS with a CA, server and client certificates, and a password file, all
# made here.
make_pki() {
	local d=$1
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=sw test CA" \
		-keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
	for who in server client; do
		openssl req -new -newkey rsa:2048 -nodes -subj "/CN=localhost" \
			-keyout "$d/$who.key" -out "$d/$who.csr" 2>/dev/null
		printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$d/ext"
		openssl x509 -req -in "$d/$who.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
			-CAcreateserial -days 2 -extfile "$d/ext" -out "$d/$who.pem" 2>/dev/null
	done
	touch "$d/passwd"
	chmod 600 "$d/passwd"
	mosquitto_passwd -b "$d/passwd" alice 's3cret pass' 2>/dev/null
	printf 's3cret pass\n' >"$d/alice.pw"
}

@test "sw-mqtt: TLS with client certificates and a password" {
	make_pki "$T"
	MQTT_DIR=$T mqtt_start "cafile $T/ca.pem" "certfile $T/server.pem" "keyfile $T/server.key" \
		"require_certificate true" "password_file $T/passwd" "allow_anonymous false"
	tls=(--cafile "$T/ca.pem" --cert "$T/client.pem" --key "$T/client.key")
	sub_start "$T/out" "$T/err" -b "$(B)" "${tls[@]}" --user alice --password-file "$T/alice.pw" -t s -c 1 --qos 1
	SW_MQTT_PASSWORD='s3cret pass' run timeout 20 sw-mqtt pub -b "$(B)" "${tls[@]}" --user alice -t s --qos 1 <<<'{"secure":true}'
	assert_status 0
	sub_wait
	assert_status 0
	[ "$(jq -c .value "$T/out")" = '{"secure":true}' ]
	# a wrong password is refused: exit 1 with the broker's reason
	SW_MQTT_PASSWORD=wrong run timeout 20 sw-mqtt pub -b "$(B)" "${tls[@]}" --user alice -t s <<<'{}'
	assert_status 1
	[[ $output == *"connection refused: Connection Refused: not authorised" ]]
	# without the CA the server is not trusted: exit 69 at the first
	# handshake, not at --timeout (one hour here: timeout(1) would end it
	# with 124 first)
	run timeout 60 sw-mqtt sub -b "$(B)" --cafile /etc/ssl/certs/ca-certificates.crt \
		--cert "$T/client.pem" --key "$T/client.key" --user alice --password-file "$T/alice.pw" -t s --timeout 1h
	assert_status 69
	[[ $output == *": cannot connect: TLS: "*"certificate verify failed"* ]]
	# plain MQTT to the TLS port does not get through either
	run timeout 20 sw-mqtt sub -b "$(B)" -t s --timeout 1s
	assert_status 69
	run sw-mqtt sub -b "$(B)" --cafile "$T/nonexistent.pem" -t s
	assert_status 64
}

@test "sw-mqtt: machine reports in Python-dict text become JSON in the pipeline" {
	mqtt_start
	sub_start "$T/out" "$T/err" -b "$(B)" -t machines/report --value-format string -c 1
	mosquitto_pub -p "$MQTT_PORT" -t machines/report -f "$DATA/mqtt-machine.txt"
	sub_wait
	assert_status 0
	# as in the man page: sw-enrich turns the quotes round and parses
	run sw-enrich --jq '.value |= (gsub("'"'"'"; "\"") | fromjson) | .value' "$T/out"
	assert_status 0
	assert_output <"$FIXTURES/mqtt/machine.expected"
}

@test "sw-mqtt: without --client-id, sw-mqtt-sub-/sw-mqtt-pub- and 8 random hex digits, taken by a broker that refuses empty ids" {
	mqtt_start "allow_zero_length_clientid false"
	sub_start "$T/out" "$T/err" -b "$(B)" -t ids -c 2
	run timeout 20 sw-mqtt pub -b "$(B)" -t ids --qos 1 <<<'1'
	assert_status 0
	run timeout 20 sw-mqtt pub -b "$(B)" -t ids --qos 1 <<<'2'
	assert_status 0
	sub_wait
	assert_status 0
	[ "$(jq -c .value "$T/out" | tr '\n' ' ')" = '1 2 ' ]
	grep -oE 'New client connected from [^ ]+ as [^ ]+' "$MQTT_DIR/mosquitto.log" \
		| awk '{print $NF}' >"$T/ids"
	grep -qxE 'sw-mqtt-sub-[0-9a-f]{8}' "$T/ids"
	[ "$(grep -cxE 'sw-mqtt-pub-[0-9a-f]{8}' "$T/ids")" -eq 2 ]
	# two runs, two ids
	[ "$(grep -E 'sw-mqtt-pub-' "$T/ids" | sort -u | wc -l)" -eq 2 ]
	# --client-id still names it
	run timeout 20 sw-mqtt pub -b "$(B)" -t ids --client-id mine <<<'3'
	assert_status 0
	grep -q 'New client connected from .* as mine ' "$MQTT_DIR/mosquitto.log"
}
