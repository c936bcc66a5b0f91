#!/usr/bin/env bats
# sw-sink-es against the Elasticsearch test double (tests/helpers/es-double).

load test_helper
load helpers/es

FX="$FIXTURES/es"

# One double process for the file; each test gets a double of its own
# from it (own port, options and data: see es_share).
setup_file() {
	es_share
}

teardown_file() {
	es_unshare
}

setup() {
	T=$BATS_TEST_TMPDIR
	# Fast retries: the behaviour is the same, the waits are not.
	FAST=(--max-backoff 20ms --timeout 2s)
}

teardown() {
	es_stop
	[ -z "${SINK_PID:-}" ] || kill -9 "$SINK_PID" 2>/dev/null || true
}

# n records {"id":"kN","n":N} for N in 1..n (or FIRST..n)
recs() { # n [FIRST]
	local i
	for ((i = ${2:-1}; i <= $1; i++)); do
		printf '{"id":"k%d","n":%d}\n' "$i" "$i"
	done
}

# {"id":"big","pad":"xxx…"}, 400 x
big() {
	local pad
	printf -v pad '%400s' ''
	printf '{"id":"big","pad":"%s"}\n' "${pad// /x}"
}

sink() {
	sw-sink-es --url "$ES_URL" "$@"
}

# sleeping PID: the process is in state S (interruptible sleep).
sleeping() {
	local k v
	while read -r k v; do
		[ "$k" = State: ] && [[ $v == S* ]] && return 0
	done <"/proc/$1/status"
	return 1
}

# --- usage and flags ------------------------------------------------------

@test "sink-es: --help has the exit status table" {
	run sw-sink-es --help
	assert_status 0
	grep -q '^  69 ' <<<"$output"
	grep -q '^  75 ' <<<"$output"
}

@test "sink-es: --version names libcurl" {
	run sw-sink-es --version
	assert_status 0
	[ "${lines[0]}" = "sw-sink-es 0.1.0" ]
	grep -q '^libcurl ' <<<"$output"
}

@test "sink-es: usage errors exit 64 with one clear line" {
	local -a bad=(
		"--index web|--url is required"
		"--url http://127.0.0.1:9|--index is required"
		"--url ftp://x --index web|--url: 'ftp://x': expected http://HOST[:PORT] or https://…"
		"--url http://u:pw@127.0.0.1:9 --index web|--url: credentials in the URL are not accepted: use --user with \$SW_ES_PASSWORD or --password-file"
		"--url http://127.0.0.1:9 --index Web|--index: index name must be lowercase: Web"
		"--url http://127.0.0.1:9 --index web --op remove|--op: 'remove': expected index, create, update, upsert or delete"
		"--url http://127.0.0.1:9 --index web --op delete|--op delete needs --id"
		"--url http://127.0.0.1:9 --index web --op update|--op update needs --id"
		"--url http://127.0.0.1:9 --index web --batch-docs 0|--batch-docs: '0': expected a number from 1 to 1000000"
		"--url http://127.0.0.1:9 --index web --workers x|--workers: 'x': expected a number from 1 to 64"
		"--url http://127.0.0.1:9 --index web --batch-bytes 5XB|--batch-bytes: '5XB': expected a size from 1 to 1GiB"
		"--url http://127.0.0.1:9 --index web --user elastic:pw|--user: give a name only; the password goes in \$SW_ES_PASSWORD or --password-file"
		"--url http://127.0.0.1:9 --index web --user elastic|--user needs \$SW_ES_PASSWORD or --password-file"
		"--url http://127.0.0.1:9 --index web --time .t|--time is only used for strftime fields in --index"
		"--url http://127.0.0.1:9 --index web --id .a[|--id: "
		"--url http://127.0.0.1:9 --index web --bogus|sw-sink-es: unknown option '--bogus'"
	)
	local c args want
	for c in "${bad[@]}"; do
		args=${c%%|*} want=${c#*|}
		# shellcheck disable=SC2086
		SW_ES_PASSWORD= run sw-sink-es $args </dev/null
		[ "$status" -eq 64 ] || { echo "$args: status $status: $output"; return 1; }
		grep -qF -- "$want" <<<"$output" || { echo "$args: $output"; return 1; }
		grep -qF "Try 'sw-sink-es --help'." <<<"$output" || { echo "$args: $output"; return 1; }
	done
	run sw-sink-es --url http://127.0.0.1:9 --index web --flush-interval soon </dev/null
	assert_status 64
	run sw-sink-es --url http://127.0.0.1:9 --index web --drain-timeout -1s </dev/null
	assert_status 64
	run sw-sink-es --url http://127.0.0.1:9 --index web --max-backoff 0 </dev/null
	assert_status 64
	run sw-sink-es --url http://127.0.0.1:9 --index web --retries -1 </dev/null
	assert_status 64
	run sw-sink-es --url http://127.0.0.1:9 --index web --cacert "$T/none.pem" </dev/null
	assert_status 64
	run sw-sink-es --url http://127.0.0.1:9 --index web --api-key-file "$T/none" </dev/null
	assert_status 64
}

# --- documents ------------------------------------------------------------

@test "sink-es: indexes every record as sent, with --id, in one x-ndjson request" {
	es_start
	run sink --index web --id .name "$DATA/web-actions.ndjson"
	assert_status 0
	run es_docs web
	assert_output <"$FX/web-actions.docs"
	# The body, byte for byte: an action line and the record, each ending
	# in a newline.
	bytes=$(jq -c '{index: {_index: "web", _id: .name}}, .' "$DATA/web-actions.ndjson" | wc -c)
	run jq -c 'del(.client_port)' <<<"$(es_requests)"
	assert_output '{"n":1,"path":"/_bulk","query":{},"content_type":"application/x-ndjson","content_encoding":null,"auth":null,"bytes":'"$bytes"',"items":40,"status":200,"fault":null}'
}

@test "sink-es: without --id Elasticsearch assigns ids" {
	es_start
	run sink --index web "$DATA/web-actions.ndjson"
	assert_status 0
	run es_count web
	assert_output 40
	run jq -c '[.indices.web[]._source] | sort_by(.name) | .[0]' <<<"$(es_get '/_double/dump')"
	assert_output '{"name":"yuki_0","action":"login","sendtime":1639277669172}'
}

@test "sink-es: --index strftime fields from --time, in UTC" {
	es_start
	run sink --index 'sensor-%Y.%m.%d-%H.%M' --time .time "$DATA/sensortag.ndjson"
	assert_status 0
	run jq -r '.[] | "\(.index) \(.["docs.count"])"' <<<"$(es_get '/_cat/indices?format=json')"
	assert_output <"$FX/sensortag.indices"
}

@test "sink-es: --time-format and --time-unit read the event time" {
	es_start
	printf '%s\n' '{"t":"12/12/2021 10:00"}' '{"t":"01/01/2022 00:00"}' |
		sink --index 'ev-%Y.%m' --time .t --time-format '%d/%m/%Y %H:%M'
	printf '%s\n' '{"t":1639277668000}' | sink --index 'ms-%Y.%m.%d' --time .t --time-unit ms
	run jq -r '.[].index' <<<"$(es_get '/_cat/indices?format=json')"
	assert_output "ev-2021.12
ev-2022.01
ms-2021.12.12"
}

@test "sink-es: --index without --time takes the processing time" {
	es_start
	run sink --index 'p-%Y' <<<'{"a":1}'
	assert_status 0
	run es_count "p-$(date -u +%Y)"
	assert_output 1
}

@test "sink-es: a record without a readable --time is bad input" {
	es_start
	run sink --index 'x-%Y' --time .t < <(printf '%s\n' '{"t":1639277668}' '{"t":"yesterday"}')
	assert_status 65
	assert_output 'sw-sink-es: stdin:2: --time .t: not a timestamp: "yesterday"'
	run es_count x-2021
	assert_output 1
}

@test "sink-es: --op create: an existing id is a 409 that goes to --dead-letter" {
	es_start
	recs 2 | sink --index c --id .id --op create
	run sink --index c --id .id --op create --dead-letter "$T/dl" --stats \
		< <(for i in 1 2 3; do printf '{"id":"k%d","n":%d}\n' "$i" $((i + 10)); done)
	assert_status 0
	grep -q '"indexed":1,"retried":0,"dead_lettered":2,"requests":1' <<<"$output"
	run es_docs c
	assert_output "k1	{\"id\":\"k1\",\"n\":1}
k2	{\"id\":\"k2\",\"n\":2}
k3	{\"id\":\"k3\",\"n\":13}"
	run cat "$T/dl"
	assert_output <"$FX/create-conflict.dl"
}

@test "sink-es: --op update merges into existing documents; a missing one is rejected" {
	es_start
	recs 2 | sink --index u --id .id
	run sink --index u --id .id --op update --dead-letter "$T/dl" < <(printf '%s\n' '{"id":"k1","x":true}' '{"id":"k9","x":true}')
	assert_status 0
	run es_docs u
	assert_output "k1	{\"id\":\"k1\",\"n\":1,\"x\":true}
k2	{\"id\":\"k2\",\"n\":2}"
	run jq -c '[.type,.status,.line]' "$T/dl"
	assert_output '["document_missing_exception",404,2]'
}

@test "sink-es: --op upsert creates missing documents and updates others" {
	es_start
	recs 1 | sink --index u --id .id
	run sink --index u --id .id --op upsert < <(printf '%s\n' '{"id":"k1","x":1}' '{"id":"k9","x":2}')
	assert_status 0
	run es_docs u
	assert_output "k1	{\"id\":\"k1\",\"n\":1,\"x\":1}
k9	{\"id\":\"k9\",\"x\":2}"
	run jq -c .items <<<"$(es_requests)"
	assert_output "1
2"
}

@test "sink-es: --op delete removes documents; an absent one is not an error" {
	es_start
	recs 3 | sink --index d --id .id
	run sink --index d --id .id --op delete --stats --tee < <(printf '%s\n' '{"id":"k2"}' '{"id":"k7"}')
	assert_status 0
	[ "${lines[0]}" = '{"id":"k2"}' ]
	[ "${lines[1]}" = '{"id":"k7"}' ]
	grep -q '"indexed":2,"retried":0,"dead_lettered":0' <<<"$output"
	run es_docs d
	assert_output "k1	{\"id\":\"k1\",\"n\":1}
k3	{\"id\":\"k3\",\"n\":3}"
}

@test "sink-es: --id must be a string or a number; numbers become strings" {
	es_start
	run sink --index i --id .id --on-error skip < <(printf '%s\n' '{"id":7}' '{"id":{"x":1}}' '{"n":1}')
	assert_status 0
	assert_output "sw-sink-es: stdin:2: --id .id: not a string or a number: {\"x\":1}
sw-sink-es: stdin:3: --id .id: missing"
	run es_docs i
	assert_output '7	{"id":7}'
}

@test "sink-es: --routing is sent with each document" {
	es_start
	run sink --index r --id .id --routing .u \
		< <(for i in 1 2 3; do printf '{"id":"k%d","n":%d,"u":"user-%d"}\n' "$i" "$i" $((i % 2)); done)
	assert_status 0
	run jq -c '.indices.r | to_entries[] | [.key, .value._routing]' <<<"$(es_get '/_double/dump')"
	assert_output '["k1","user-1"]
["k2","user-0"]
["k3","user-1"]'
	run jq -c '[._id, ._routing, .found]' <<<"$(es_get '/r/_doc/k2')"
	assert_output '["k2","user-0",true]'
}

@test "sink-es: --pipeline runs an ingest pipeline; an unknown one rejects the items" {
	es_start
	es_curl -X PUT -H 'Content-Type: application/json' \
		-d '{"processors":[{"set":{"field":"via","value":"p1"}}]}' \
		"$ES_URL/_ingest/pipeline/p1" >/dev/null
	run sink --index p --id .id --pipeline p1 < <(recs 2)
	assert_status 0
	run es_docs p
	assert_output 'k1	{"id":"k1","n":1,"via":"p1"}
k2	{"id":"k2","n":2,"via":"p1"}'
	run sink --index q --id .id --pipeline 'no such' < <(recs 1)
	assert_status 75
	assert_output "sw-sink-es: stdin:1: rejected by Elasticsearch (400): illegal_argument_exception: pipeline with id [no such] does not exist
sw-sink-es: 1 record rejected by Elasticsearch and not delivered (no --dead-letter)"
	run jq -c .query <<<"$(es_requests)"
	assert_output '{"pipeline":"p1"}
{"pipeline":"no such"}'
}

# --- batching -------------------------------------------------------------

@test "sink-es: --batch-docs caps the documents per request" {
	es_start
	run sink --index b --id .id --batch-docs 2 --workers 1 --stats < <(recs 7)
	assert_status 0
	grep -q '"indexed":7,"retried":0,"dead_lettered":0,"requests":4' <<<"$output"
	run jq .items <<<"$(es_requests)"
	assert_output "2
2
2
1"
}

@test "sink-es: --batch-bytes caps request size; a bigger document goes alone" {
	es_start
	run sink --index b --id .id --batch-bytes 150 --workers 1 < <(recs 4; big; recs 6 5)
	assert_status 0
	run jq -c '[.items, .bytes]' <<<"$(es_requests)"
	assert_output '[2,108]
[2,108]
[1,459]
[2,108]'
	run es_count b
	assert_output 7
}

@test "sink-es: --flush-interval sends held records while input is idle" {
	es_start
	mkfifo "$T/in"
	sw-sink-es --url "$ES_URL" --index f --id .id --flush-interval 100ms <"$T/in" &
	SINK_PID=$!
	exec 4>"$T/in"
	echo '{"id":"first"}' >&4
	# The input stays open: only the flush interval can send it.
	for ((i = 0; i < 100; i++)); do
		[ "$(es_count f)" = 1 ] && break
		sleep 0.1
	done
	run es_count f
	assert_output 1
	echo '{"id":"second"}' >&4
	exec 4>&-
	wait "$SINK_PID"
	SINK_PID=
	run es_count f
	assert_output 2
}

@test "sink-es: --workers sets the requests in flight" {
	es_start --delay 0.3
	recs 6 | sink --index w --id .id --batch-docs 1 --workers 3
	run jq .max_inflight <<<"$(es_get '/_double/stats')"
	assert_output 3
	es_stop
	es_start --delay 0.1
	recs 3 | sink --index w --id .id --batch-docs 1 --workers 1
	run jq .max_inflight <<<"$(es_get '/_double/stats')"
	assert_output 1
}

@test "sink-es: requests reuse kept-alive connections" {
	es_start
	recs 5 | sink --index k --id .id --batch-docs 1 --workers 1
	run jq -c -s 'map(.client_port) | [length, (unique | length)]' <<<"$(es_requests)"
	assert_output '[5,1]'
}

@test "sink-es: --gzip compresses requests" {
	es_start
	run sink --index web --id .name --gzip "$DATA/web-actions.ndjson"
	assert_status 0
	run es_docs web
	assert_output <"$FX/web-actions.docs"
	run jq -c '[.content_encoding, .bytes < 2000]' <<<"$(es_requests)"
	assert_output '["gzip",true]'
}

# --- faults ---------------------------------------------------------------

@test "sink-es: HTTP 429 and 503 retry the whole request" {
	es_start --fail-requests 1:429,2:503
	run sink --index r --id .id --max-backoff 20ms --stats -v < <(recs 3)
	assert_status 0
	grep -q '"indexed":3,"retried":6,"dead_lettered":0,"requests":3' <<<"$output"
	# -v tells each retry.
	[[ ${lines[0]} == "sw-sink-es: $ES_URL: HTTP 429; 3 records again in "*"ms (retry 1 of 8)" ]]
	[[ ${lines[1]} == "sw-sink-es: $ES_URL: HTTP 503; 3 records again in "*"ms (retry 2 of 8)" ]]
	run jq -c '[.n, .items, .status]' <<<"$(es_requests)"
	assert_output '[1,0,429]
[2,0,503]
[3,3,200]'
	run es_count r
	assert_output 3
}

@test "sink-es: --retries bounds the attempts, then exit 75" {
	es_start --fail-requests 1:503,2:503,3:503
	run sink --index r --id .id --max-backoff 20ms --retries 2 < <(recs 3)
	assert_status 75
	assert_output "sw-sink-es: $ES_URL: 3 records not delivered after 3 attempts: HTTP 503"
	run es_count r
	assert_output 0
}

@test "sink-es: a dropped connection is retried" {
	es_start --drop-requests 1
	run sink --index web --id .name "${FAST[@]}" "$DATA/web-actions.ndjson"
	assert_status 0
	run es_docs web
	assert_output <"$FX/web-actions.docs"
	run jq -c '[.n, .fault, .status]' <<<"$(es_requests)"
	assert_output '[1,"drop",null]
[2,null,200]'
}

@test "sink-es: a server that stops answering mid-request times out and is retried" {
	es_start --hang-requests 1
	run sink --index web --id .name --max-backoff 20ms --timeout 500ms "$DATA/web-actions.ndjson"
	assert_status 0
	run es_docs web
	assert_output <"$FX/web-actions.docs"
	run jq -c '[.n, .fault, .status]' <<<"$(es_requests)"
	assert_output '[1,"hang",null]
[2,null,200]'
}

@test "sink-es: item-level 429 retries only the failed items" {
	es_start --item-429 k2:2,k4:1
	run sink --index i --id .id --max-backoff 20ms --stats < <(recs 5)
	assert_status 0
	grep -q '"indexed":5,"retried":3,"dead_lettered":0,"requests":3' <<<"$output"
	run jq -c .items <<<"$(es_requests)"
	assert_output '5
2
1'
	run es_docs i
	assert_output <"$FX/recs5.docs"
}

@test "sink-es: items still refused after --retries are not delivered: exit 75, never dead-lettered" {
	es_start --item-429 k2
	run sink --index i --id .id --max-backoff 20ms --retries 1 --dead-letter "$T/dl" < <(recs 3)
	assert_status 75
	assert_output "sw-sink-es: $ES_URL: 1 record not delivered after 2 attempts: item status 429: es_rejected_execution_exception"
	run es_docs i
	assert_output 'k1	{"id":"k1","n":1}
k3	{"id":"k3","n":3}'
	[ ! -s "$T/dl" ]
}

@test "sink-es: a 200 reply that does not confirm every document is retried, whatever \"errors\" says" {
	local kind
	for kind in short no-status string-status cut; do
		es_start --bad-replies 1:$kind
		run sink --index u --id .id --max-backoff 20ms --stats < <(recs 3)
		assert_status 0
		grep -q '"indexed":3,"retried":3,"dead_lettered":0,"requests":2' <<<"$output" ||
			{ echo "$kind: $output"; return 1; }
		run jq -c '[.n, .fault]' <<<"$(es_requests)"
		assert_output "[1,\"$kind\"]
[2,null]"
		es_stop
	done
}

@test "sink-es: documents never confirmed are not delivered: exit 75" {
	local kind want
	for kind in short no-status string-status cut; do
		case $kind in
		short) want="bulk response has 2 items for 3 sent" ;;
		cut) want="invalid JSON: unexpected end of input" ;;
		*) want="an item without a numeric status" ;;
		esac
		es_start --bad-replies 1:$kind,2:$kind,3:$kind
		run sink --index u --id .id --max-backoff 20ms --retries 2 --stats < <(recs 3)
		assert_status 75
		[[ ${lines[0]} == "sw-sink-es: $ES_URL: 3 records not delivered after 3 attempts: "$want ]] ||
			{ echo "$kind: $output"; return 1; }
		grep -q '"indexed":0,"retried":6,"dead_lettered":0,"requests":3,"failed":3' <<<"$output"
		es_stop
	done
}

@test "sink-es: a reply larger than the cap is not read into memory: retried, then exit 75" {
	# The cap is 16 MiB and 4 KiB a document; the double pads its reply
	# to 17 MiB, valid JSON all the same.
	es_start --bad-replies 1:huge
	run sink --index h --id .id --batch-docs 2 --max-backoff 20ms --stats -v < <(recs 2)
	assert_status 0
	[[ ${lines[0]} == "sw-sink-es: $ES_URL: reply larger than 16785408 bytes; 2 records again in "*"ms (retry 1 of 8)" ]]
	grep -q '"indexed":2,"retried":2,"dead_lettered":0,"requests":2' <<<"$output"
	es_stop
	es_start --bad-replies 1:huge,2:huge
	run sink --index h --id .id --batch-docs 2 --max-backoff 20ms --retries 1 < <(recs 2)
	assert_status 75
	assert_output "sw-sink-es: $ES_URL: 2 records not delivered after 2 attempts: reply larger than 16785408 bytes"
}

@test "sink-es: mapping conflicts go to --dead-letter with type and reason" {
	es_start
	run sink --index m --id .id --dead-letter "$T/dl" <"$FX/mapping.ndjson"
	assert_status 0
	run es_docs m
	assert_output <"$FX/mapping.docs"
	run cat "$T/dl"
	assert_output <"$FX/mapping.dl"
}

@test "sink-es: mapping conflicts without --dead-letter: exit 75, the rest indexed" {
	es_start
	run sink --index m --id .id <"$FX/mapping.ndjson"
	assert_status 75
	assert_output <"$FX/mapping.err"
	run es_docs m
	assert_output <"$FX/mapping.docs"
}

@test "sink-es: 413 splits the batch; a single document too big is dead-lettered" {
	es_start --max-body 300
	run sink --index s --id .id --workers 1 --dead-letter "$T/dl" --stats < <(recs 3; big; recs 5 4)
	assert_status 0
	grep -q '"indexed":5,"retried":0,"dead_lettered":1' <<<"$output"
	run es_docs s
	assert_output <"$FX/recs5.docs"
	run jq -c '[.type, .status, .line]' "$T/dl"
	assert_output '["request_entity_too_large",413,4]'
	run jq -c '[.items, .status]' <<<"$(es_requests)"
	# 6 documents: 413; halves of 3: the small ones pass, the other 413;
	# then the big one alone: 413 (dead-lettered) and the last two pass.
	assert_output '[0,413]
[3,200]
[0,413]
[0,413]
[2,200]'
}

@test "sink-es: an unreachable server is retried within --retries, then exit 69" {
	port=$(free_port)
	run sw-sink-es --url "http://127.0.0.1:$port" --index u --retries 2 --max-backoff 10ms <<<'{"a":1}'
	assert_status 69
	# libcurl's reason names how long the attempt took: not part of the check.
	[[ $output =~ ^sw-sink-es:\ http://127\.0\.0\.1:$port:\ 1\ record\ not\ delivered\ after\ 3\ attempts:\ Failed\ to\ connect\ to\ 127\.0\.0\.1\ port\ $port\ after\ [0-9]+\ ms:\ Couldn\'t\ connect\ to\ server$ ]] ||
		{ echo "got: $output"; return 1; }
}

@test "sink-es: a server that comes up during the retries gets everything" {
	port=$(free_port)
	recs 3 >"$T/in"
	# Retries for about a minute: the double may be slow to start on a
	# loaded machine (50 retries, 10 s, were not always enough).
	sw-sink-es --url "http://127.0.0.1:$port" --index late --id .id --max-backoff 200ms \
		--retries 300 "$T/in" 2>"$T/err" &
	SINK_PID=$!
	es_start --port "$port"
	wait "$SINK_PID"
	SINK_PID=
	run es_docs late
	assert_output 'k1	{"id":"k1","n":1}
k2	{"id":"k2","n":2}
k3	{"id":"k3","n":3}'
}

@test "sink-es: a request refused as a whole (401) stops with 75" {
	es_start --basic elastic:pw
	run sink --index a < <(recs 3)
	assert_status 75
	assert_output "sw-sink-es: $ES_URL: HTTP 401: security_exception: missing authentication credentials for REST request [/_bulk]"
}

# --- auth and TLS -----------------------------------------------------------

@test "sink-es: basic auth from \$SW_ES_PASSWORD or --password-file; never shown" {
	es_start --basic elastic:Sup3rSecret
	echo Sup3rSecret >"$T/pw"
	SW_ES_PASSWORD=Sup3rSecret run sink --index a --user elastic <<<'{"a":1}'
	assert_status 0
	SW_ES_PASSWORD= run sink --index a --user elastic --password-file "$T/pw" -v <<<'{"a":2}'
	assert_status 0
	SW_ES_PASSWORD=wrongWrong run sink --index a --user elastic -v <<<'{"a":3}'
	assert_status 75
	assert_output "sw-sink-es: $ES_URL: HTTP 401: security_exception: unable to authenticate user [elastic] for REST request [/_bulk]"
	[[ $output != *wrongWrong* ]]
	run es_count a
	assert_output 2
	run jq -r .auth <<<"$(es_requests)"
	assert_output 'basic:elastic
basic:elastic
basic:elastic'
}

@test "sink-es: a sink that holds a password leaves no core dump to find it in" {
	local fd how ix
	es_start --basic elastic:hunter2-core
	echo hunter2-core >"$T/pw"
	for how in "--password-file $T/pw" env; do
		ix=core-${how%% *}
		ix=${ix//-/}
		rm -rf "$T/dump" && mkdir "$T/dump" && mkfifo "$T/dump/in"
		(cd "$T/dump" && ulimit -c unlimited &&
			SW_ES_PASSWORD=hunter2-core exec sw-sink-es --url "$ES_URL" --index "$ix" \
				--user elastic ${how#env} --flush-interval 10ms <in 2>/dev/null) &
		SINK_PID=$!
		exec {fd}>"$T/dump/in"
		echo '{"a":1}' >&$fd
		# Authenticated and delivered: the password is in hand.
		for ((i = 0; i < 100; i++)); do
			[ "$(es_count "$ix")" -ge 1 ] && break
			sleep 0.1
		done
		[ "$(es_count "$ix")" -ge 1 ]
		kill -SEGV "$SINK_PID"
		wait "$SINK_PID" || true
		SINK_PID=
		exec {fd}>&-
		run ls "$T/dump"
		assert_output in
	done
}

@test "sink-es: --api-key-file sends Authorization: ApiKey" {
	es_start --api-key VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==
	echo VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw== >"$T/key"
	run sink --index k --api-key-file "$T/key" <<<'{"a":1}'
	assert_status 0
	echo wrong >"$T/bad"
	run sink --index k --api-key-file "$T/bad" <<<'{"a":1}'
	assert_status 75
	[[ $output != *wrong* ]] || [[ $output == *"unable to authenticate"* ]]
	run es_count k
	assert_output 1
}

# An EC key: as good a test of TLS as RSA, and no prime search.
tls_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -days 1 -subj /CN=localhost \
		-addext subjectAltName=IP:127.0.0.1,DNS:localhost \
		-keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
}

@test "sink-es: TLS with --cacert, refused without it, --insecure skips the check" {
	tls_cert
	es_start --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
	[[ $ES_URL == https://* ]]
	run sink --index t --id .name --cacert "$T/cert.pem" "$DATA/web-actions.ndjson"
	assert_status 0
	run sink --index t2 --id .name "$DATA/web-actions.ndjson"
	assert_status 69
	[[ $output == *"40 records not delivered after 1 attempt: SSL certificate problem: self-signed certificate"* ]]
	run sink --index t3 --id .name --insecure "$DATA/web-actions.ndjson"
	assert_status 0
	run jq -r '.[] | "\(.index) \(.["docs.count"])"' <<<"$(es_get '/_cat/indices?format=json')"
	assert_output 't 12
t3 12'
}

@test "sink-es: TLS and basic auth together" {
	tls_cert
	es_start --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" --basic elastic:pw
	SW_ES_PASSWORD=pw run sink --index web --id .name --user elastic --cacert "$T/cert.pem" --gzip "$DATA/web-actions.ndjson"
	assert_status 0
	run es_docs web
	assert_output <"$FX/web-actions.docs"
}

# --- output, signals, bad input ----------------------------------------------

@test "sink-es: --tee writes acknowledged records only" {
	es_start
	run bash -c "sw-sink-es --url $ES_URL --index m --id .id --tee --dead-letter $T/dl $FX/mapping.ndjson | sort"
	assert_status 0
	assert_output "$(jq -c 'select(.id != "m3" and .id != "m5")' "$FX/mapping.ndjson" | sort)"
}

@test "sink-es: --tee into /dev/full is exit 74" {
	es_start
	run bash -c "sw-sink-es --url $ES_URL --index web --tee $DATA/web-actions.ndjson >/dev/full"
	assert_status 74
}

@test "sink-es: an unreadable input file is exit 74 after the rest is delivered" {
	es_start
	run sink --index web --id .name "$DATA/web-actions.ndjson" "$T/missing.ndjson"
	assert_status 74
	[[ $output == *"$T/missing.ndjson"* ]]
	run es_docs web
	assert_output <"$FX/web-actions.docs"
}

@test "sink-es: --on-error fail: exit 65 after delivering the records before" {
	es_start
	run sink --index e --id .id -q < <(printf '%s\n' '{"id":"a"}' '{"id":' '{"id":"c"}')
	assert_status 65
	[[ ${lines[0]} == "sw-sink-es: stdin:2: "* ]]
	run es_docs e
	assert_output 'a	{"id":"a"}'
}

@test "sink-es: --on-error skip and --dead-letter for bad lines; --max-line" {
	es_start
	run sink --index e --id .id --dead-letter "$T/dl" --max-line 40 < <(printf '%s\n' '{"id":"a"}' '[1]' '{"id":"c","pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}' '{"id":"d"}')
	assert_status 0
	assert_output "sw-sink-es: stdin:2: not an object: Elasticsearch documents are objects
sw-sink-es: stdin:3: line longer than 40 bytes (--max-line)"
	run jq -c '[.line, .error, .truncated, .input]' "$T/dl"
	assert_output '[2,"not an object: Elasticsearch documents are objects",null,"[1]"]
[3,"line longer than 40 bytes (--max-line)",true,"{\"id\":\"c\",\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxx"]'
	run es_docs e
	assert_output 'a	{"id":"a"}
d	{"id":"d"}'
	run sink --index e --id .id --on-error skip -q < <(printf '%s\n' '{"id":"x"}' 'oops')
	assert_status 0
	assert_output ''
}

@test "sink-es: an endless line is bad input (65) once it passes --max-line" {
	es_start
	run timeout -s KILL 60 sw-sink-es --url "$ES_URL" --index e --max-line 1M /dev/zero
	assert_status 65
	assert_output 'sw-sink-es: /dev/zero:1: line longer than 1048576 bytes (--max-line)'
}

@test "sink-es: -R takes lines as strings, which are not documents" {
	es_start
	run sink --index e -R < <(printf 'plain text\n')
	assert_status 65
	assert_output 'sw-sink-es: stdin:1: not an object: Elasticsearch documents are objects'
}

@test "sink-es: SIGTERM delivers what is held, then exit 0" {
	es_start
	mkfifo "$T/in"
	sw-sink-es --url "$ES_URL" --index sig --id .id --flush-interval 1h -u --stats <"$T/in" 2>"$T/err" &
	SINK_PID=$!
	exec 4>"$T/in"
	# A reader of our own that never reads: it sees whether the pipe
	# holds data.
	exec 5<"$T/in"
	recs 5 >&4
	# Until the sink has taken everything from the pipe and sleeps in poll.
	for ((i = 0; i < 100; i++)); do
		! read -r -t 0 -u 5 && sleeping "$SINK_PID" && break
		sleep 0.1
	done
	exec 5<&-
	run es_count sig
	assert_output 0
	kill -TERM "$SINK_PID"
	status=0
	wait "$SINK_PID" || status=$?
	SINK_PID=
	exec 4>&-
	assert_status 0
	run es_docs sig
	assert_output <"$FX/recs5.docs"
	grep -q '"indexed":5' "$T/err"
}

@test "sink-es: --drain-timeout bounds the drain; what is still held makes exit 75" {
	es_start --hang-requests 1
	mkfifo "$T/in"
	sw-sink-es --url "$ES_URL" --index sig --id .id --flush-interval 10ms --timeout 60s \
		--drain-timeout 300ms <"$T/in" 2>"$T/err" &
	SINK_PID=$!
	exec 4>"$T/in"
	recs 2 >&4
	for ((i = 0; i < 100; i++)); do
		[[ $(es_get /_double/stats) == *'"requests":1,'* ]] && break
		sleep 0.1
	done
	kill -TERM "$SINK_PID"
	status=0
	wait "$SINK_PID" || status=$?
	SINK_PID=
	exec 4>&-
	assert_status 75
	run cat "$T/err"
	assert_output 'sw-sink-es: 2 records not delivered: --drain-timeout ran out'
}

@test "sink-es: --progress prints nothing when stderr is not a terminal" {
	es_start
	run sink --index web --progress "$DATA/web-actions.ndjson"
	assert_status 0
	assert_output ''
}

# --- checkpoint ---------------------------------------------------------------

@test "sink-es: --checkpoint stops before a rejected record, passes a dead-lettered one" {
	es_start
	run sink --index ck --id .value.id --checkpoint "$T/ck" "$FX/envelope.ndjson"
	assert_status 75
	run cat "$T/ck"
	assert_output '{"offsets":{"web":{"0":2,"1":13},"logs":{"0":8}}}'
	es_stop
	es_start
	run sink --index ck --id .value.id --checkpoint "$T/ck2" --dead-letter "$T/dl" "$FX/envelope.ndjson"
	assert_status 0
	run cat "$T/ck2"
	assert_output '{"offsets":{"web":{"0":4,"1":13},"logs":{"0":8}}}'
}

@test "sink-es: --checkpoint keeps partitions of an earlier run that are not seen again" {
	es_start
	echo '{"offsets":{"old":{"3":99},"web":{"0":1}}}' >"$T/ck"
	run sink --index ck --checkpoint "$T/ck" < <(jq -c 'select(.topic == "web" and .partition == 1)' "$FX/envelope.ndjson")
	assert_status 0
	run cat "$T/ck"
	assert_output '{"offsets":{"old":{"3":99},"web":{"0":1,"1":13}}}'
	echo 'not json' >"$T/bad"
	run sink --index ck --checkpoint "$T/bad" <<<'{}'
	assert_status 64
}

@test "sink-es: a second run on the same --checkpoint is refused (1); the file is private" {
	es_start
	umask 022
	start_lock_holder "$T/ck.lock" sw-sink-es --url "$ES_URL" --index ck --checkpoint "$T/ck"
	run sink --index ck --checkpoint "$T/ck" "$FX/envelope.ndjson"
	stop_lock_holder
	assert_status 1
	[ "$output" = "sw-sink-es: --checkpoint: $T/ck: in use by another run (pid $LOCK_PID) (lock $T/ck.lock)" ]
	run sink --index ck --id .value.id --checkpoint "$T/ck" --dead-letter "$T/dl" "$FX/envelope.ndjson"
	assert_status 0
	[ "$(stat -c %a "$T/ck")" = 600 ]
}

@test "sink-es: killed at random points and resumed from --checkpoint, every record indexed once" {
	es_start --delay 0.02
	# 3 partitions, 300 records each, as sw-consume writes them.
	jq -nc 'range(0;900) | {topic:"t", partition:(. % 3), offset:(. / 3 | floor),
		timestamp:1639277668791, key:null, headers:[],
		value:{id:"t-\(. % 3)-\(. / 3 | floor)", n:.}}' >"$T/log"
	# Replays the log from the checkpoint's offsets, as sw-consume --resume does.
	replay() {
		if [ -s "$T/ck" ]; then
			jq -c --slurpfile ck "$T/ck" \
				'select(.offset >= ($ck[0].offsets[.topic][.partition | tostring] // 0))' "$T/log"
		else
			cat "$T/log"
		fi
	}
	for run_no in 1 2 3 4 5; do
		replay | sw-sink-es --url "$ES_URL" --index once --id .value.id --batch-docs 10 \
			--checkpoint "$T/ck" 2>/dev/null &
		SINK_PID=$!
		sleep "0.$((RANDOM % 4 + 1))"
		kill -9 "$SINK_PID" 2>/dev/null || true
		wait "$SINK_PID" 2>/dev/null || true
		SINK_PID=
	done
	replay | sw-sink-es --url "$ES_URL" --index once --id .value.id --batch-docs 10 --checkpoint "$T/ck"
	run cat "$T/ck"
	assert_output '{"offsets":{"t":{"0":300,"1":300,"2":300}}}'
	run es_count once
	assert_output 900
	run jq '[.indices.once[]._source.value.id] | unique | length' <<<"$(es_get '/_double/dump')"
	assert_output 900
	# Resumed runs sent again only what was not acknowledged.
	run jq -s 'map(.items) | add' <<<"$(es_requests)"
	[ "$output" -ge 900 ]
}
