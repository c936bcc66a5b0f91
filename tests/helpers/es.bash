# Helpers for tests that need the Elasticsearch test double
# (tests/helpers/es-double; it is a double, not Elasticsearch).
#
#   es_share                     (setup_file) starts one double process for
#                                the file, in --shared mode: es_start then
#                                asks it for a double of the test's own
#                                (own port, options and data) instead of
#                                starting a python process per test
#   es_unshare                   (teardown_file) stops it
#   es_start [double options…]   starts a double on a free loopback port;
#                                sets ES_URL (http:// or, with --tls-cert,
#                                https://), ES_PORT and ES_PID (empty for a
#                                double of the shared process)
#   es_stop                      stops it (call from teardown)
#   es_get PATH                  GET on the double, body on stdout
#   es_docs INDEX                "id<TAB>compact _source" lines, sorted by id
#   es_count INDEX               number of documents in INDEX
#   es_requests                  the double's request log, one JSON per line
#   es_faults JSON               replaces the double's faults at run time
#
# Plain-http requests to the double go through bash's /dev/tcp (es_http),
# not curl: a curl costs ~30 ms of CPU, and tests make hundreds.

ES_DOUBLE=$TESTS_DIR/helpers/es-double # (no subshell: loaded for every test)

es_share() {
	es_start --shared --lifetime 3600 || return
	ES_SHARED_PORT=$ES_PORT ES_SHARED_PID=$ES_PID
	ES_PID= ES_PORT= ES_URL=
	export ES_SHARED_PORT ES_SHARED_PID
}

es_unshare() {
	if [ -n "${ES_SHARED_PID:-}" ]; then
		kill "$ES_SHARED_PID" 2>/dev/null || true
		wait "$ES_SHARED_PID" 2>/dev/null || true
		ES_SHARED_PID= ES_SHARED_PORT=
	fi
}

es_start() {
	local scheme=http a args
	for a in "$@"; do [ "$a" = --tls-cert ] && scheme=https; done
	ES_PID= ES_SERVER=
	if [ -n "${ES_SHARED_PORT:-}" ]; then
		args=
		[ $# -eq 0 ] || printf -v args '%s\n' "$@"
		if ! es_http ES_PORT POST "$ES_SHARED_PORT" /_double/servers "$args"; then
			echo "es-double did not start: $ES_PORT" >&2
			return 1
		fi
		ES_SERVER=$ES_PORT
	else
		es_spawn "$@" || return
	fi
	ES_URL="$scheme://127.0.0.1:$ES_PORT"
	export ES_URL ES_PID ES_PORT ES_DIR ES_SERVER
}

# A double process of its own; its port comes through a FIFO, read as
# soon as it is written (no polling).
es_spawn() {
	local parent=$BASHPID
	ES_DIR=$(mktemp -d "${BATS_TEST_TMPDIR:-${BATS_FILE_TMPDIR:-/tmp}}/es.XXXXXX")
	mkfifo "$ES_DIR/port"
	"$ES_DOUBLE" --parent "$parent" "$@" >"$ES_DIR/port" 2>"$ES_DIR/stderr" 3>&- &
	ES_PID=$!
	ES_PORT=
	read -r -t 60 ES_PORT <"$ES_DIR/port"
	if ! [[ $ES_PORT =~ ^[0-9]+$ ]]; then
		cat "$ES_DIR/stderr" >&2
		echo "es-double did not start" >&2
		return 1
	fi
}

es_stop() {
	local reply
	if [ -n "${ES_SERVER:-}" ]; then
		es_http reply DELETE "$ES_SHARED_PORT" "/_double/servers/$ES_SERVER" ||
			echo "es_stop: port $ES_SERVER: $reply" >&2
		ES_SERVER=
	fi
	if [ -n "${ES_PID:-}" ]; then
		kill "$ES_PID" 2>/dev/null || true
		wait "$ES_PID" 2>/dev/null || true
		ES_PID=
	fi
}

# es_http VAR METHOD PORT PATH [BODY]: one HTTP/1.0 request to
# 127.0.0.1:PORT through bash's /dev/tcp (no process); the reply's body
# in VAR.  Fails (1) when the status is not 2xx, (7) without a reply.
# The double answers with a Content-Length and no NUL byte.
es_http() {
	local -n es_http_out=$1
	local LC_ALL=C es_http_fd es_http_line es_http_status es_http_len=0 es_http_body=${5-}
	es_http_out=
	if ! { exec {es_http_fd}<>"/dev/tcp/127.0.0.1/$3"; } 2>/dev/null; then
		echo "es_http: 127.0.0.1:$3: cannot connect" >&2
		return 7
	fi
	printf '%s %s HTTP/1.0\r\nContent-Length: %d\r\n\r\n%s' \
		"$2" "$4" "${#es_http_body}" "$es_http_body" >&"$es_http_fd"
	if ! IFS=' ' read -r -t 30 -u "$es_http_fd" es_http_line es_http_status es_http_line; then
		exec {es_http_fd}>&-
		echo "es_http: 127.0.0.1:$3$4: no reply" >&2
		return 7
	fi
	while IFS= read -r -t 30 -u "$es_http_fd" es_http_line && [ "$es_http_line" != $'\r' ]; do
		case ${es_http_line,,} in
		content-length:*) es_http_len=${es_http_line//[!0-9]/} ;;
		esac
	done
	# bash reads a socket a byte a call: cat a long body (the server
	# closes after it, HTTP/1.0).
	if [ "$es_http_len" -gt 1024 ]; then
		es_http_out=$(cat <&"$es_http_fd" && echo .)
		es_http_out=${es_http_out%.}
	elif [ "$es_http_len" -gt 0 ]; then
		IFS= read -r -t 30 -N "$es_http_len" -u "$es_http_fd" es_http_out
	fi
	exec {es_http_fd}>&-
	[[ $es_http_status == 2* ]]
}

# The double's control endpoints are never authenticated; plain http
# unless started with TLS (then -k: the test's own certificate).
es_curl() {
	curl -sS -k --max-time 10 "$@"
}

es_get() {
	local body rc=0
	case $ES_URL in
	http://*)
		es_http body GET "${ES_URL##*:}" "$1" || rc=$?
		printf '%s' "$body"
		[ "$rc" -ne 7 ] || return 7
		;;
	*) es_curl "$ES_URL$1" ;;
	esac
}

es_docs() {
	es_get "/_double/docs/$1"
}

es_count() {
	es_get "/_double/count/$1"
	echo
}

es_requests() {
	es_get '/_double/requests?format=ndjson'
}

es_faults() {
	es_curl -X POST -H 'Content-Type: application/json' --data-binary "$1" \
		"$ES_URL/_double/faults" >/dev/null
}

# For `run bash -c "…"` in tests.
export -f es_http es_curl es_get es_docs es_count es_requests es_faults
