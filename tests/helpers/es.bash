# Helpers for tests that need the Elasticsearch test double
# (tests/helpers/es-double; it is a double, not Elasticsearch).
#
#   es_start [double options…]   starts it on a free loopback port; sets
#                                ES_URL (http:// or, with --tls-cert,
#                                https://) and ES_PID
#   es_stop                      stops it (call from teardown)
#   es_get PATH                  GET on the double, body on stdout
#   es_docs INDEX                "id<TAB>compact _source" lines, sorted by id
#   es_count INDEX               number of documents in INDEX
#   es_requests                  the double's request log, one JSON per line
#   es_faults JSON               replaces the double's faults at run time

ES_DOUBLE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/es-double"

es_start() {
	local scheme=http a i parent=$BASHPID
	for a in "$@"; do [ "$a" = --tls-cert ] && scheme=https; done
	ES_DIR=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/es.XXXXXX")
	"$ES_DOUBLE" --parent "$parent" "$@" >"$ES_DIR/port" 2>"$ES_DIR/stderr" 3>&- &
	ES_PID=$!
	for i in $(seq 1 100); do
		[ -s "$ES_DIR/port" ] && break
		kill -0 "$ES_PID" 2>/dev/null || break
		sleep 0.1
	done
	if ! [ -s "$ES_DIR/port" ]; then
		cat "$ES_DIR/stderr" >&2
		echo "es-double did not start" >&2
		return 1
	fi
	ES_PORT=$(head -1 "$ES_DIR/port")
	ES_URL="$scheme://127.0.0.1:$ES_PORT"
	export ES_URL ES_PID ES_PORT ES_DIR
}

es_stop() {
	if [ -n "${ES_PID:-}" ]; then
		kill "$ES_PID" 2>/dev/null || true
		wait "$ES_PID" 2>/dev/null || true
		ES_PID=
	fi
}

# The double's control endpoints are never authenticated; plain http
# unless started with TLS (then -k: the test's own certificate).
es_curl() {
	curl -sS -k --max-time 10 "$@"
}

es_get() {
	es_curl "$ES_URL$1"
}

es_docs() {
	es_get /_double/dump | jq -r --arg i "$1" \
		'.indices[$i] // {} | to_entries | sort_by(.key)[] | "\(.key)\t\(.value._source | tojson)"'
}

es_count() {
	es_get "/_double/dump" | jq --arg i "$1" '.indices[$i] // {} | length'
}

es_requests() {
	es_get /_double/requests | jq -c '.[]'
}

es_faults() {
	es_curl -X POST -H 'Content-Type: application/json' --data-binary "$1" \
		"$ES_URL/_double/faults" >/dev/null
}

# For `run bash -c "…"` in tests.
export -f es_curl es_get es_docs es_count es_requests es_faults
