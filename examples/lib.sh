# Sourced by the examples: puts the tools first on PATH, and starts the
# embedded Kafka when no broker is given.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SW_BIN=${SW_BIN:-$ROOT/bin}
PATH="$SW_BIN:$PATH"
DATA=$ROOT/tests/fixtures/data

# Uses $SW_BROKERS when set; otherwise starts sw-kafka-mock with the given
# topics.  The mock runs until this script exits (its stdin is a pipe from
# this shell, and it stops when that closes).
start_kafka() {
	if [ -n "${SW_BROKERS:-}" ]; then
		return 0
	fi
	coproc KAFKA { exec sw-kafka-mock "$@" 2>/dev/null; }
	read -r SW_BROKERS <&"${KAFKA[0]}"
	export SW_BROKERS
}

# Prints a heading on stderr, so that stdout holds only the results.
say() {
	printf '\n== %s\n' "$*" >&2
}
