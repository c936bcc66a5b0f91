# Helpers for tests/60-sw-avro.bats: fixtures, the python3-avro
# cross-checker and the Schema Registry test double.

AVRO_FIX="$FIXTURES/avro"
AVRO_PY="$TESTS_DIR/helpers/avro-py"
REGISTRY_DOUBLE="$TESTS_DIR/helpers/registry-double"

# Starts the registry double with the given arguments; sets REGISTRY_URL
# and REGISTRY_PID.  stop_registry (in teardown) ends it.
start_registry() {
	local portfile="$BATS_TEST_TMPDIR/registry.port" i
	"$REGISTRY_DOUBLE" --lifetime 120 "$@" >"$portfile" \
		2>"$BATS_TEST_TMPDIR/registry.log" 3>&- &
	REGISTRY_PID=$!
	for i in $(seq 100); do
		[ -s "$portfile" ] && break
		sleep 0.1
	done
	[ -s "$portfile" ] || { echo "registry double did not start" >&2; return 1; }
	REGISTRY_URL="http://127.0.0.1:$(head -1 "$portfile")"
}

stop_registry() {
	if [ -n "${REGISTRY_PID:-}" ]; then
		kill "$REGISTRY_PID" 2>/dev/null || true
		wait "$REGISTRY_PID" 2>/dev/null || true
		REGISTRY_PID=
	fi
}

# Base64 of the bytes of a hex string.
hex_b64() {
	printf '%s' "$1" | python3 -c "import sys,binascii; sys.stdout.buffer.write(binascii.unhexlify(sys.stdin.read().strip()))" | base64 -w0
}
