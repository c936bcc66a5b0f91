#!/usr/bin/env bats
# sw-mqtt against independent MQTT implementations: the aedes broker
# (JavaScript, not mosquitto) and the MQTT.js client, on loopback ports.
# sw-mqtt pub and sub must work against aedes as against mosquitto, and
# MQTT.js and sw-mqtt must agree, both ways, on topics, payloads, QoS and
# retain flags.  The node scripts are in tests/helpers/peers/.
#
# aedes keeps sessions and retained messages in memory: a restart of aedes
# loses them (mosquitto's persistence keeps them; 70-sw-mqtt.bats tests
# that), so the restart tests here are about reconnecting.

load test_helper
load helpers/mqtt
load helpers/npm

PEERS=$TESTS_DIR/helpers/peers

setup() {
	npm_peers aedes mqtt
	T=$BATS_TEST_TMPDIR
}

teardown() {
	mqtt_cleanup
	aedes_stop
}

# aedes_start: aedes on a free port (the same port again when AEDES_PORT
# is set); sets AEDES_PORT and AEDES_PID.  Test files run in parallel, so
# another test may take the free port first: then it tries another.
aedes_start() {
	local try i
	for try in 1 2 3 4 5; do
		AEDES_PORT=${AEDES_PORT:-$(free_port)}
		: >"$T/aedes.out"
		: >"$T/aedes.err"
		node "$PEERS/aedes-broker.js" "$AEDES_PORT" >"$T/aedes.out" 2>"$T/aedes.err" &
		AEDES_PID=$!
		for i in $(seq 200); do
			grep -q listening "$T/aedes.out" && return 0
			kill -0 "$AEDES_PID" 2>/dev/null || break
			sleep 0.1
		done
		aedes_stop
		grep -q EADDRINUSE "$T/aedes.err" && [ -z "${AEDES_KEEP_PORT:-}" ] || break
		AEDES_PORT=
	done
	echo "aedes did not start:" >&2
	cat "$T/aedes.err" >&2
	return 1
}

aedes_stop() {
	if [ -n "${AEDES_PID:-}" ]; then
		kill "$AEDES_PID" 2>/dev/null
		wait "$AEDES_PID" 2>/dev/null || true
		AEDES_PID=
	fi
}

A() { echo "127.0.0.1:$AEDES_PORT"; }

@test "aedes: sw-mqtt pub to sw-mqtt sub at each QoS, through + and # wildcards" {
	aedes_start
	sub_start "$T/out" "$T/err" -b "$(A)" -t 'sensors/+/temp' -t 'logs/#' --qos 2 -c 6
	for q in 0 1 2; do
		run timeout 20 sw-mqtt pub -b "$(A)" --topic-from .t --qos "$q" <<-EOF
		{"t":"sensors/a/temp","q":$q}
		{"t":"sensors/a/hum","q":$q}
		{"t":"logs/app/x/y","q":$q}
		{"t":"other","q":$q}
		EOF
		assert_status 0
	done
	sub_wait
	assert_status 0
	# Delivered at the lower of the publish and the subscription QoS.
	run jq -c 'del(.timestamp)' "$T/out"
	assert_output <<-'EOF'
	{"topic":"sensors/a/temp","qos":0,"retain":false,"value":{"t":"sensors/a/temp","q":0}}
	{"topic":"logs/app/x/y","qos":0,"retain":false,"value":{"t":"logs/app/x/y","q":0}}
	{"topic":"sensors/a/temp","qos":1,"retain":false,"value":{"t":"sensors/a/temp","q":1}}
	{"topic":"logs/app/x/y","qos":1,"retain":false,"value":{"t":"logs/app/x/y","q":1}}
	{"topic":"sensors/a/temp","qos":2,"retain":false,"value":{"t":"sensors/a/temp","q":2}}
	{"topic":"logs/app/x/y","qos":2,"retain":false,"value":{"t":"logs/app/x/y","q":2}}
	EOF
	# A QoS 0 subscription gets everything at QoS 0.
	sub_start "$T/out" "$T/err" -b "$(A)" -t 'q/#' -c 2
	printf '{"n":1}\n{"n":2}\n' | timeout 20 sw-mqtt pub -b "$(A)" -t q/x --qos 2
	sub_wait
	assert_status 0
	[ "$(jq -c '[.qos, .value.n]' "$T/out" | paste -sd,)" = '[0,1],[0,2]' ]
}

@test "aedes: retained messages, --field and --value-format base64" {
	aedes_start
	run timeout 20 sw-mqtt pub -b "$(A)" -t state/door --retain --qos 1 <<<'{"open":false}'
	assert_status 0
	run timeout 20 sw-mqtt pub -b "$(A)" -t state/bin --retain --qos 1 --field .b <<<'{"b":"raw \u00e9"}'
	assert_status 0
	# A QoS 2 subscription: aedes 1.2.0 sends a retained message at the QoS
	# it was published with whatever the subscription's (subscribe.js,
	# sendRetained), where MQTT 3.1.1 [MQTT-3.8.4-6] wants the lower of the
	# two; a QoS 0 subscription would get these at QoS 1 from aedes (and at
	# 0 from mosquitto).  That is aedes's bug, not sw's: sw-mqtt reports
	# the QoS it received.
	run timeout 20 sw-mqtt sub -b "$(A)" -t 'state/#' --qos 2 -c 2 --value-format base64
	assert_status 0
	run jq -c -s 'sort_by(.topic)[] | [.topic, .qos, .retain, (.value | @base64d)]' <<<"$output"
	assert_output <<-'EOF'
	["state/bin",1,true,"raw é"]
	["state/door",1,true,"{\"open\":false}"]
	EOF
	# An empty retained message clears it (MQTT 3.1.1, 3.3.1.3).
	printf '""\n' | timeout 20 sw-mqtt pub -b "$(A)" -t state/door --retain --qos 1 --field .
	run timeout 20 sw-mqtt sub -b "$(A)" -t 'state/#' --idle-exit 1s --value-only --value-format string
	assert_status 0
	assert_output '"raw é"'
}

@test "aedes: a persistent --session gets what was published while it was away" {
	aedes_start
	sub_start "$T/out" "$T/err" -b "$(A)" -t 'jobs/#' --session worker-1 -c 1 --value-only
	echo '{"job":0}' | timeout 20 sw-mqtt pub -b "$(A)" -t jobs/a --qos 1
	sub_wait
	assert_status 0
	# sw-mqtt sub is gone: these wait in its session on the broker.
	for i in 1 2 3; do
		echo "{\"job\":$i}" | timeout 20 sw-mqtt pub -b "$(A)" -t "jobs/$i" --qos 1
	done
	echo '{"job":4}' | timeout 20 sw-mqtt pub -b "$(A)" -t jobs/9 --qos 2
	run timeout 20 sw-mqtt sub -b "$(A)" -t 'jobs/#' --session worker-1 --qos 2 -c 4 --value-only
	assert_status 0
	assert_output <<-'EOF'
	{"job":1}
	{"job":2}
	{"job":3}
	{"job":4}
	EOF
	run timeout 20 sw-mqtt sub -b "$(A)" -t 'jobs/#' --session worker-2 --idle-exit 500ms
	assert_status 0
	assert_output ''
}

@test "aedes: sw-mqtt sub and pub reconnect after the broker restarts" {
	aedes_start
	sub_start "$T/out" "$T/err" -b "$(A)" -t 'r/#' --qos 1 --value-only -c 2
	echo 1 | timeout 20 sw-mqtt pub -b "$(A)" -t r/x --qos 1
	wait_for_lines "$T/out" 1
	# pub keeps its connection across the restart: its second record
	# comes once aedes is back.
	{
		for i in $(seq 200); do [ -e "$T/restarted" ] && break; sleep 0.1; done
		echo 2
	} | timeout 60 sw-mqtt pub -v -b "$(A)" -t r/y --qos 1 --stats 2>"$T/pub.err" &
	local pub
	pub=$!
	wait_for_line "$T/pub.err" connected
	aedes_stop
	AEDES_KEEP_PORT=1 aedes_start
	wait_for_line "$T/err" subscribed 2
	touch "$T/restarted"
	status=0
	wait "$pub" || status=$?
	assert_status 0
	grep -q '"unacked":0' "$T/pub.err"
	grep -q "connection lost" "$T/pub.err"
	sub_wait
	assert_status 0
	run cat "$T/out"
	assert_output "$(seq 2)"
	grep -q "connection lost" "$T/err"
}

# payloads: the messages MQTT.js publishes, in mqtt-pub.js's form; JSON
# payloads, so that sw-mqtt sub reads them in its default format, except
# the one with bytes that are not UTF-8.
payloads() {
	local q
	for q in 0 1 2; do
		echo "{\"topic\":\"js/q$q\",\"payload\":\"$(printf '{"q":%s,"s":"é"}' "$q" | base64)\",\"qos\":$q,\"retain\":false}"
	done
	echo "{\"topic\":\"js/deep/a/b/c\",\"payload\":\"$(printf '[1,2.5,null]' | base64)\",\"qos\":1,\"retain\":false}"
	echo "{\"topic\":\"js/bin\",\"payload\":\"$(printf '\377\000\201' | base64)\",\"qos\":2,\"retain\":false}"
	echo "{\"topic\":\"js/empty\",\"payload\":\"\",\"qos\":1,\"retain\":false}"
}

@test "mosquitto: MQTT.js publishes, sw-mqtt sub sees topics, payloads, QoS and retain" {
	mqtt_start
	sub_start "$T/out" "$T/err" -b "127.0.0.1:$MQTT_PORT" -t 'js/#' --qos 2 -c 6 --value-format base64
	payloads | node "$PEERS/mqtt-pub.js" "$MQTT_PORT"
	sub_wait
	assert_status 0
	# An empty payload (how MQTT clears a retained message) is null in
	# sw-mqtt's envelope, whatever the format (man/sw-mqtt.1).
	# Sorted: MQTT orders messages of one QoS only (MQTT 3.1.1, 4.6).
	run jq -c -s 'sort_by(.topic)[] | {topic, payload: (.value // ""), qos, retain}' "$T/out"
	assert_output "$(payloads | jq -c -s 'sort_by(.topic)[]')"
	[ "$(jq -c 'select(.topic == "js/empty") | .value' "$T/out")" = null ]
	# Retained: what MQTT.js left on the broker comes with retain true,
	# at the lower of the two QoS.
	echo "{\"topic\":\"js/kept\",\"payload\":\"$(printf '{"k":1}' | base64)\",\"qos\":2,\"retain\":true}" |
		node "$PEERS/mqtt-pub.js" "$MQTT_PORT"
	run timeout 20 sw-mqtt sub -b "127.0.0.1:$MQTT_PORT" -t js/kept --qos 1 -c 1
	assert_status 0
	[ "$(jq -c 'del(.timestamp)' <<<"$output")" = '{"topic":"js/kept","qos":1,"retain":true,"value":{"k":1}}' ]
	# The default JSON format reads the JSON payloads as MQTT.js sent them.
	sub_start "$T/out" "$T/err" -b "127.0.0.1:$MQTT_PORT" -t js/q0 -t js/q1 -t js/q2 --qos 2 -c 3 --value-only
	payloads | head -3 | node "$PEERS/mqtt-pub.js" "$MQTT_PORT"
	sub_wait
	assert_status 0
	run sort "$T/out"
	assert_output <<-'EOF'
	{"q":0,"s":"é"}
	{"q":1,"s":"é"}
	{"q":2,"s":"é"}
	EOF
}

@test "mosquitto: sw-mqtt pub publishes, MQTT.js sees topics, payloads, QoS and retain" {
	mqtt_start
	node "$PEERS/mqtt-sub.js" "$MQTT_PORT" 'sw/#' 2 7 >"$T/js" 2>"$T/js.err" &
	SUB_PID=$!
	wait_for_line "$T/js.err" subscribed
	for q in 0 1 2; do
		printf '{"q":%s,"s":"é"}\n' "$q" | timeout 20 sw-mqtt pub -b "127.0.0.1:$MQTT_PORT" -t "sw/q$q" --qos "$q"
	done
	printf '{"t":"sw/a/b","v":"raw \\"text\\""}\n{"t":"sw/c","v":""}\n' |
		timeout 20 sw-mqtt pub -b "127.0.0.1:$MQTT_PORT" --topic-from .t --field .v --qos 1
	printf '{"a":[1,2]}\n{"b":{}}\n' | timeout 20 sw-mqtt pub -b "127.0.0.1:$MQTT_PORT" -t sw/two --qos 2
	sub_wait
	assert_status 0
	# MQTT orders the messages of one publisher and one QoS only (MQTT
	# 3.1.1, 4.6): the QoS 2 message of one run may reach MQTT.js after the
	# QoS 1 messages of the next.  So all in any order, and sw/two's two
	# in theirs.
	run bash -c "jq -c '[.topic, (.payload | @base64d), .qos, .retain]' '$T/js' | LC_ALL=C sort"
	assert_output "$(LC_ALL=C sort <<-'EOF'
	["sw/q0","{\"q\":0,\"s\":\"é\"}",0,false]
	["sw/q1","{\"q\":1,\"s\":\"é\"}",1,false]
	["sw/q2","{\"q\":2,\"s\":\"é\"}",2,false]
	["sw/a/b","raw \"text\"",1,false]
	["sw/c","",1,false]
	["sw/two","{\"a\":[1,2]}",2,false]
	["sw/two","{\"b\":{}}",2,false]
	EOF
	)"
	run jq -c 'select(.topic == "sw/two") | .payload | @base64d' "$T/js"
	assert_output $'"{\\"a\\":[1,2]}"\n"{\\"b\\":{}}"'
	# --retain: a subscriber that comes later gets it with retain true.
	run timeout 20 sw-mqtt pub -b "127.0.0.1:$MQTT_PORT" -t sw/kept --retain --qos 1 <<<'{"kept":true}'
	assert_status 0
	# (Its "subscribed" may come after the retained message: stderr apart.)
	timeout 30 node "$PEERS/mqtt-sub.js" "$MQTT_PORT" sw/kept 2 1 >"$T/kept" 2>"$T/kept.err"
	[ "$(jq -c '[.topic, (.payload | @base64d), .qos, .retain]' "$T/kept")" = '["sw/kept","{\"kept\":true}",1,true]' ]
}
