# Helpers for tests/70-sw-mqtt.bats: a real mosquitto on a free loopback
# port, configured by the test in a temp dir, and sw-mqtt sub in the
# background.  Everything started here is stopped by mqtt_cleanup.

# mqtt_start [CONFIG LINE...]: starts mosquitto on a new free port (or on
# $MQTT_PORT when MQTT_KEEP_PORT=1) with persistence in $MQTT_DIR; sets
# MQTT_PORT, MQTT_PID.  Extra lines go into the listener's configuration.
# Test files run in parallel, so another test may take the free port first:
# a broker that could not bind is started again on another port.
mqtt_start() {
	local try
	for try in 1 2 3 4 5; do
		mqtt_start_once "$@" && return 0
		[ "${MQTT_KEEP_PORT:-0}" = 1 ] && return 1
		grep -q 'Address already in use' "$MQTT_DIR/stderr" \
			"$MQTT_DIR/mosquitto.log" 2>/dev/null || return 1
	done
	return 1
}

mqtt_start_once() {
	MQTT_DIR=${MQTT_DIR:-$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/mqtt.XXXXXX")}
	if [ "${MQTT_KEEP_PORT:-0}" != 1 ] || [ -z "${MQTT_PORT:-}" ]; then
		MQTT_PORT=$(free_port)
	fi
	MQTT_EXTRA=("$@")
	{
		echo "user root"
		echo "persistence true"
		echo "persistence_location $MQTT_DIR/"
		echo "log_dest file $MQTT_DIR/mosquitto.log"
		echo "log_type all"
		echo "listener $MQTT_PORT 127.0.0.1"
		echo "allow_anonymous true"
		printf '%s\n' "$@"
	} >"$MQTT_DIR/mosquitto.conf"
	mosquitto -c "$MQTT_DIR/mosquitto.conf" >>"$MQTT_DIR/stderr" 2>&1 &
	MQTT_PID=$!
	local i
	for i in $(seq 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$MQTT_PORT") 2>/dev/null; then
			export MQTT_PORT MQTT_DIR MQTT_PID
			return 0
		fi
		kill -0 "$MQTT_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "mosquitto did not start:" >&2
	cat "$MQTT_DIR/stderr" "$MQTT_DIR/mosquitto.log" >&2 2>/dev/null
	return 1
}

# mqtt_stop: stops the broker (it saves its persistent state first).
mqtt_stop() {
	if [ -n "${MQTT_PID:-}" ]; then
		kill "$MQTT_PID" 2>/dev/null
		wait "$MQTT_PID" 2>/dev/null
		MQTT_PID=
	fi
}

# mqtt_restart: the same broker again, same port, same configuration.
mqtt_restart() {
	mqtt_stop
	MQTT_KEEP_PORT=1 mqtt_start "${MQTT_EXTRA[@]}"
}

# sub_start OUT ERR ARGS...: sw-mqtt sub -v ARGS in the background, writing
# to OUT and ERR; returns once it has subscribed.  Sets SUB_PID.
sub_start() {
	local out=$1 err=$2
	shift 2
	sw-mqtt sub -v "$@" >"$out" 2>"$err" &
	SUB_PID=$!
	wait_for_line "$err" subscribed || {
		cat "$err" >&2
		return 1
	}
}

# sub_wait: waits (at most 20s) for the background sub to exit; sets
# $status to its exit status.
sub_wait() {
	local i
	for i in $(seq 200); do
		kill -0 "$SUB_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$SUB_PID" 2>/dev/null; then
		kill -9 "$SUB_PID"
		echo "sw-mqtt sub did not exit" >&2
	fi
	status=0
	wait "$SUB_PID" || status=$?
	SUB_PID=
}

# peer_sub_start OUT ARGS...: mosquitto_sub ARGS (the independent peer)
# in the background, writing to OUT; returns once the broker has its
# subscription.  Sets SUB_PID, so sub_wait and mqtt_cleanup apply.
peer_sub_start() {
	local out=$1 n
	shift
	n=$(grep -c "Received SUBSCRIBE" "$MQTT_DIR/mosquitto.log" || true)
	mosquitto_sub -p "$MQTT_PORT" "$@" >"$out" 2>&1 &
	SUB_PID=$!
	wait_for_line "$MQTT_DIR/mosquitto.log" "Received SUBSCRIBE" $((n + 1))
}

# wait_for_line FILE PATTERN [N]: waits (at most 20s) until FILE has N
# (default 1) lines matching the extended regular expression PATTERN.
wait_for_line() {
	local file=$1 pattern=$2 n=${3:-1} i
	for i in $(seq 200); do
		[ "$(grep -Ec -- "$pattern" "$file" 2>/dev/null)" -ge "$n" ] && return 0
		sleep 0.1
	done
	echo "timed out waiting for $n lines matching '$pattern' in $file" >&2
	return 1
}

# wait_for_lines FILE N: waits (at most 20s) until FILE has N lines.
wait_for_lines() {
	wait_for_line "$1" '' "$2"
}

mqtt_cleanup() {
	if [ -n "${SUB_PID:-}" ]; then
		kill "$SUB_PID" 2>/dev/null
		wait "$SUB_PID" 2>/dev/null
		SUB_PID=
	fi
	mqtt_stop
}
