#!/usr/bin/env bats
# The Elasticsearch test double itself (tests/helpers/es-double), held to
# the documented behaviour of Elasticsearch's REST API that sw-sink-es and
# its tests rely on.  Driven with curl, so the sink plays no part here.

load test_helper
load helpers/es

# One double process for the file; each test gets a double of its own
# from it (own port, options and data: see es_share in helpers/es.bash).
setup_file() {
	es_share
}

teardown_file() {
	es_unshare
}

setup() {
	T=$BATS_TEST_TMPDIR
}

teardown() {
	es_stop
}

# POSTs stdin to PATH (default /_bulk) as x-ndjson; prints the body, then
# the HTTP status on a line of its own.
bulk() {
	es_curl -H 'Content-Type: application/x-ndjson' --data-binary @- \
		-w '\n%{http_code}' "$ES_URL${1:-/_bulk}"
}

@test "es-double: prints its port, answers GET /, stops on SIGTERM" {
	# A process of its own, not one of the shared process's doubles.
	ES_SHARED_PORT= es_start
	[ -n "$ES_PID" ]
	[[ $ES_PORT =~ ^[0-9]+$ ]]
	run jq -c '[.tagline, .version.number]' <<<"$(es_get '/')"
	assert_output '["You Know, for Search","8.11.0"]'
	kill -TERM "$ES_PID"
	wait "$ES_PID" || true
	! kill -0 "$ES_PID" 2>/dev/null
	ES_PID=
}

@test "es-double: exits when the process that started it exits" {
	# The parent leaves once the double is ready.
	bash -c "'$ES_DOUBLE' >'$T/port' 2>/dev/null 3>&- & echo \$! >'$T/pid'
		while [ ! -s '$T/port' ]; do sleep 0.05; done"
	pid=$(cat "$T/pid")
	for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	run kill -0 "$pid"
	kill "$pid" 2>/dev/null || true
	[ "$status" -ne 0 ]
}

@test "es-double: _bulk results in request order with status, result and errors" {
	es_start
	run bulk <<'EOF'
{"index":{"_index":"web","_id":"1"}}
{"a":1}
{"create":{"_index":"web","_id":"1"}}
{"a":2}
{"index":{"_index":"web","_id":"1"}}
{"a":3}
{"update":{"_index":"web","_id":"1"}}
{"doc":{"b":true}}
{"update":{"_index":"web","_id":"9"}}
{"doc":{"b":true}}
{"delete":{"_index":"web","_id":"7"}}
{"create":{"_index":"web","_id":"2"}}
{"a":4}
{"delete":{"_index":"web","_id":"2"}}
EOF
	assert_status 0
	[ "${lines[1]}" = 200 ]
	run jq -c '[.errors, (.took | type)], (.items[] | to_entries[0] | [.key, .value._id, .value.status, .value.result, .value._version, .value.error.type])' <<<"${lines[0]}"
	assert_output '[true,"number"]
["index","1",201,"created",1,null]
["create","1",409,null,null,"version_conflict_engine_exception"]
["index","1",200,"updated",2,null]
["update","1",200,"updated",3,null]
["update","9",404,null,null,"document_missing_exception"]
["delete","7",404,"not_found",1,null]
["create","2",201,"created",1,null]
["delete","2",200,"deleted",2,null]'
	run jq -c '[._version, .found, ._source]' <<<"$(es_get '/web/_doc/1')"
	assert_output '[3,true,{"a":3,"b":true}]'
}

@test "es-double: errors is false when every item succeeded; ids are made up when absent" {
	es_start
	run bulk /web/_bulk <<'EOF'
{"index":{}}
{"a":1}
{"index":{"_index":"other"}}
{"a":2}
EOF
	[ "${lines[1]}" = 200 ]
	run jq -c '[.errors, (.items[].index | [._index, (._id | length), .status])]' <<<"${lines[0]}"
	assert_output '[false,["web",20,201],["other",20,201]]'
}

@test "es-double: a conflict reason names the id and the current version" {
	es_start
	printf '%s\n' '{"create":{"_index":"c","_id":"x"}}' '{}' '{"create":{"_index":"c","_id":"x"}}' '{}' | bulk >"$T/out"
	run jq -r '.items[1].create.error.reason' <(head -1 "$T/out")
	assert_output '[x]: version conflict, document already exists (current version [1])'
}

@test "es-double: the body must end with a newline" {
	es_start
	run es_curl -H 'Content-Type: application/x-ndjson' --data-binary @- -w '\n%{http_code}' "$ES_URL/_bulk" \
		< <(printf '{"index":{"_index":"a"}}\n{"a":1}')
	[ "${lines[1]}" = 400 ]
	run jq -r '.error.reason' <<<"${lines[0]}"
	assert_output 'The bulk request must be terminated by a newline [\n]'
}

@test "es-double: other content types are refused with 406" {
	es_start
	run es_curl -H 'Content-Type: text/plain' --data-binary @- -w '\n%{http_code}' "$ES_URL/_bulk" \
		< <(printf '{"index":{"_index":"a"}}\n{}\n')
	[ "${lines[1]}" = 406 ]
	assert_output '{"error":"Content-Type header [text/plain] is not supported","status":406}
406'
}

@test "es-double: malformed actions and a missing index fail the whole request" {
	es_start
	run bulk <<<'{"index":{"_id":"1"}}
{}'
	[ "${lines[1]}" = 400 ]
	run jq -c '[.error.type, .error.reason, .status]' <<<"${lines[0]}"
	assert_output '["action_request_validation_exception","Validation Failed: 1: index is missing;",400]'
	run bulk <<<'{"frobnicate":{"_index":"a"}}
{}'
	[ "${lines[1]}" = 400 ]
	run bulk <<<'not json'
	[ "${lines[1]}" = 400 ]
}

@test "es-double: GET _doc, _count, _cat/indices, and 404s" {
	es_start
	printf '%s\n' '{"index":{"_index":"w","_id":"a","routing":"r1"}}' '{"x":1}' '{"index":{"_index":"w","_id":"b"}}' '{"x":2}' | bulk >/dev/null
	run jq -c . <<<"$(es_get '/w/_doc/a')"
	assert_output '{"_index":"w","_id":"a","_version":1,"_seq_no":0,"_primary_term":1,"found":true,"_routing":"r1","_source":{"x":1}}'
	run es_curl -w ' %{http_code}' "$ES_URL/w/_doc/zz"
	assert_output '{"_index":"w","_id":"zz","found":false} 404'
	run es_curl -w ' %{http_code}' "$ES_URL/nope/_doc/a"
	[[ $output == *'"type":"index_not_found_exception"'*' 404' ]]
	run jq .count <<<"$(es_get '/w/_count')"
	assert_output 2
	run jq .count <<<"$(es_get '/_count')"
	assert_output 2
	run jq -c '.[] | [.index, .["docs.count"]]' <<<"$(es_get '/_cat/indices?format=json')"
	assert_output '["w","2"]'
}

@test "es-double: dynamic mapping: the first type of a field wins" {
	es_start
	run bulk <<'EOF'
{"index":{"_index":"m","_id":"1"}}
{"n":1,"s":"x","o":{"k":"v"},"b":true}
{"index":{"_index":"m","_id":"2"}}
{"n":"2","s":3,"o":{"k":4},"b":"false"}
{"index":{"_index":"m","_id":"3"}}
{"n":"two"}
{"index":{"_index":"m","_id":"4"}}
{"o":"flat"}
{"index":{"_index":"m","_id":"5"}}
{"s":{"deep":1}}
{"index":{"_index":"m","_id":"6"}}
{"b":"maybe"}
{"index":{"_index":"other","_id":"7"}}
{"n":"two"}
EOF
	resp=${lines[0]}
	run jq -c '.items[].index | [._id, .status, .error.type]' <<<"$resp"
	assert_output '["1",201,null]
["2",201,null]
["3",400,"mapper_parsing_exception"]
["4",400,"mapper_parsing_exception"]
["5",400,"mapper_parsing_exception"]
["6",400,"mapper_parsing_exception"]
["7",201,null]'
	run jq -r '.items[2,3].index.error.reason' <<<"$resp"
	assert_output "failed to parse field [n] of type [long] in document with id '3'. Preview of field's value: 'two'
object mapping for [o] tried to parse field [o] as object, but found a concrete value"
}

@test "es-double: gzip request bodies" {
	es_start
	printf '%s\n' '{"index":{"_index":"g","_id":"1"}}' '{"z":1}' | gzip >"$T/body.gz"
	run es_curl -H 'Content-Type: application/x-ndjson' -H 'Content-Encoding: gzip' \
		--data-binary @"$T/body.gz" -o /dev/null -w '%{http_code}' "$ES_URL/_bulk"
	assert_output 200
	run es_count g
	assert_output 1
	run es_curl -H 'Content-Type: application/x-ndjson' -H 'Content-Encoding: gzip' \
		--data-binary 'not gzip' -o /dev/null -w '%{http_code}' "$ES_URL/_bulk"
	assert_output 400
}

@test "es-double: update with doc_as_upsert and upsert; an unchanged doc is a noop" {
	es_start
	run bulk <<'EOF'
{"update":{"_index":"u","_id":"1"}}
{"doc":{"a":1},"doc_as_upsert":true}
{"update":{"_index":"u","_id":"2"}}
{"doc":{"a":1},"upsert":{"a":0}}
{"update":{"_index":"u","_id":"1"}}
{"doc":{"a":1}}
{"update":{"_index":"u","_id":"1"}}
{"doc":{"o":{"x":1}}}
{"update":{"_index":"u","_id":"1"}}
{"doc":{"o":{"y":2}}}
EOF
	run jq -c '.items[].update | [._id, .status, .result]' <<<"${lines[0]}"
	assert_output '["1",201,"created"]
["2",201,"created"]
["1",200,"noop"]
["1",200,"updated"]
["1",200,"updated"]'
	run es_docs u
	assert_output '1	{"a":1,"o":{"x":1,"y":2}}
2	{"a":0}'
}

@test "es-double: ingest pipelines of set processors; an unknown one fails the items" {
	es_start
	es_curl -X PUT -H 'Content-Type: application/json' \
		-d '{"processors":[{"set":{"field":"tag","value":"t"}}]}' "$ES_URL/_ingest/pipeline/p" >/dev/null
	printf '%s\n' '{"index":{"_index":"p","_id":"1"}}' '{"a":1}' | bulk '/_bulk?pipeline=p' >/dev/null
	run es_docs p
	assert_output '1	{"a":1,"tag":"t"}'
	printf '%s\n' '{"index":{"_index":"p","_id":"2"}}' '{}' >"$T/body"
	run jq -c '.items[0].index | [.status, .error.reason]' \
		<<<"$(es_curl -H 'Content-Type: application/x-ndjson' --data-binary @"$T/body" "$ES_URL/_bulk?pipeline=q")"
	assert_output '[400,"pipeline with id [q] does not exist"]'
}

@test "es-double: basic and API-key auth; 401 with WWW-Authenticate otherwise" {
	es_start --basic elastic:pw --api-key S2V5
	run es_curl -u elastic:pw -o /dev/null -w '%{http_code}' "$ES_URL/"
	assert_output 200
	run es_curl -H 'Authorization: ApiKey S2V5' -o /dev/null -w '%{http_code}' "$ES_URL/"
	assert_output 200
	run es_curl -u elastic:nope -w ' %{http_code}' "$ES_URL/"
	[[ $output == *'unable to authenticate user [elastic]'*' 401' ]]
	run es_curl -D - -o /dev/null "$ES_URL/"
	[[ $output == *"HTTP/1.1 401"* ]]
	[[ $output == *'WWW-Authenticate: Basic realm="security"'* ]]
	run jq -r .error.type <<<"$(es_curl "$ES_URL/")"
	assert_output security_exception
	# The request log never holds a secret.
	printf '%s\n' '{"index":{"_index":"a"}}' '{}' | es_curl -u elastic:pw -H 'Content-Type: application/x-ndjson' --data-binary @- "$ES_URL/_bulk" >/dev/null
	run jq -r .auth <<<"$(es_requests)"
	assert_output 'basic:elastic'
}

@test "es-double: TLS with a certificate the test makes" {
	# An EC key: as good a test of TLS as RSA, and no prime search.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -days 1 -subj /CN=localhost \
		-addext subjectAltName=IP:127.0.0.1 \
		-keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
	es_start --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
	[[ $ES_URL == https://127.0.0.1:* ]]
	run curl -sS --cacert "$T/cert.pem" -o /dev/null -w '%{http_code}' "$ES_URL/"
	assert_output 200
	run curl -sS -o /dev/null "$ES_URL/"
	[ "$status" -eq 60 ]
}

@test "es-double: faults: HTTP status, dropped and hanging requests, by number" {
	es_start --fail-requests 1:429,2:503 --drop-requests 3 --hang-requests 4
	printf '%s\n' '{"index":{"_index":"f"}}' '{}' >"$T/body"
	run es_curl -H 'Content-Type: application/x-ndjson' --data-binary @"$T/body" -w '\n%{http_code}' "$ES_URL/_bulk"
	[ "${lines[1]}" = 429 ]
	[ "$(jq -r .error.type <<<"${lines[0]}")" = es_rejected_execution_exception ]
	run es_curl -H 'Content-Type: application/x-ndjson' --data-binary @"$T/body" -o /dev/null -w '%{http_code}' "$ES_URL/_bulk"
	assert_output 503
	run curl -sS -H 'Content-Type: application/x-ndjson' --data-binary @"$T/body" "$ES_URL/_bulk"
	[ "$status" -eq 52 ] # empty reply
	run curl -sS --max-time 1 -H 'Content-Type: application/x-ndjson' --data-binary @"$T/body" "$ES_URL/_bulk"
	[ "$status" -eq 28 ] # timed out
	run es_curl -H 'Content-Type: application/x-ndjson' --data-binary @"$T/body" -o /dev/null -w '%{http_code}' "$ES_URL/_bulk"
	assert_output 200
	run jq -c '[.n, .fault, .status]' <<<"$(es_requests)"
	assert_output '[1,"status",429]
[2,"status",503]
[3,"drop",null]
[4,"hang",null]
[5,null,200]'
	run es_count f
	assert_output 1
}

@test "es-double: faults: item-level 429 a number of times, 413 above a size, set at run time" {
	es_start --item-429 b:1 --max-body 200
	printf '%s\n' '{"index":{"_index":"i","_id":"a"}}' '{}' '{"index":{"_index":"i","_id":"b"}}' '{}' >"$T/body"
	run bash -c "bulk() { es_curl -H 'Content-Type: application/x-ndjson' --data-binary @$T/body $ES_URL/_bulk; }; bulk | jq -c '[.errors, [.items[].index.status]]'; bulk | jq -c '[.errors, [.items[].index.status]]'"
	assert_output '[true,[201,429]]
[false,[200,201]]'
	run es_curl -H 'Content-Type: application/x-ndjson' --data-binary "$(printf '%0300d\n' 0)" -o /dev/null -w '%{http_code}' "$ES_URL/_bulk"
	assert_output 413
	es_faults '{"item_429":"a","fail_requests":"5:503"}'
	run jq -c '[.items[].index.status]' \
		<<<"$(es_curl -H 'Content-Type: application/x-ndjson' --data-binary @"$T/body" "$ES_URL/_bulk")"
	assert_output '[429,200]'
	run es_curl -H 'Content-Type: application/x-ndjson' --data-binary @"$T/body" -o /dev/null -w '%{http_code}' "$ES_URL/_bulk"
	assert_output 503
}

@test "es-double: faults: bad replies that confirm less than they claim" {
	es_start --bad-replies 1:short,2:no-status,3:string-status,4:cut,5:huge
	printf '%s\n' '{"index":{"_index":"b","_id":"a"}}' '{}' '{"index":{"_index":"b","_id":"b"}}' '{}' >"$T/body"
	run bash -c "bulk() { es_curl -H 'Content-Type: application/x-ndjson' --data-binary @$T/body $ES_URL/_bulk; }
		bulk | jq -c '[.errors, [.items[].index.status]]'
		bulk | jq -c '[.errors, [.items[].index.status]]'
		bulk | jq -c '[.errors, [.items[].index.status]]'
		bulk; echo
		bulk >$T/huge"
	assert_status 0
	assert_output "[false,[201]]
[false,[null,null]]
[false,[\"200\",\"200\"]]
{\"took\":1,\"errors\":false,"
	[ "$(wc -c <"$T/huge")" -gt $((17 << 20)) ]
	run jq -c '[.errors, [.items[].index.status]]' "$T/huge"
	assert_output '[false,[200,200]]'
	run jq -c '[.n, .fault, .status]' <<<"$(es_requests)"
	assert_output '[1,"short",200]
[2,"no-status",200]
[3,"string-status",200]
[4,"cut",200]
[5,"huge",200]'
	run es_count b
	assert_output 2
}

@test "es-double: --accept-all answers every item and stores nothing" {
	es_start --accept-all
	run bulk <<'EOF'
{"index":{"_index":"a","_id":"1"}}
{"x":1}
{"create":{"_index":"a"}}
{"x":2}
{"delete":{"_index":"a","_id":"1"}}
EOF
	run jq -c '[.errors, (.items[] | to_entries[0] | [.key, .value.status])]' <<<"${lines[0]}"
	assert_output '[false,["index",201],["create",201],["delete",201]]'
	run jq .accepted <<<"$(es_get '/_double/stats')"
	assert_output 3
	run es_count a
	assert_output 0
}
