#!/usr/bin/env bats
# sw-files: a directory of files as a stream source (sw-files(1)).

load test_helper
load helpers/files

setup() { files_setup; }
teardown() { files_teardown; }

# Copies tests/fixtures/files/tree into $D with modification times that put
# the files in the order b, d (same time: by name), e, c, a.
tree() {
	cp "$FIXTURES"/files/tree/* "$D"/
	touch -d '2021-01-01 00:00:05' "$D/a.ndjson"
	touch -d '2021-01-01 00:00:01' "$D/b.ndjson" "$D/d.ndjson.gz"
	touch -d '2021-01-01 00:00:02' "$D/e.ndjson.zst"
	touch -d '2021-01-01 00:00:03' "$D/c.json"
}

ids() { jq -c .id; }

# --- order, selection -------------------------------------------------------

@test "files come out by modification time, then name; .gz and .zst are decompressed" {
	tree
	run sw-files "$D"
	assert_status 0
	assert_output <"$FIXTURES/files/tree.expected"
}

@test "--latest-first reverses the order" {
	tree
	run bash -c 'sw-files --latest-first "$1" | jq -c .id' _ "$D"
	assert_status 0
	assert_output "$(printf '%s\n' 1 2 5 8 9 6 7 3 4)"
}

@test "--pattern selects by name; dot files are never read" {
	tree
	put .hidden.ndjson 2021-01-01 '{"id":99}'
	run bash -c 'sw-files --pattern "*.ndjson*" "$1" | jq -c .id' _ "$D"
	assert_status 0
	assert_output "$(printf '%s\n' 3 4 6 7 8 9 1 2)"
}

@test "--max-files N reads the N oldest per run; --state gives the rest to later runs" {
	tree
	run sw-files --max-files 2 --state "$ST" "$D"
	assert_status 0
	assert_output "$(printf '%s\n' '{"id":3,"w":"b"}' '{"id":4,"w":"b"}' '{"id":6,"w":"d"}' '{"id":7,"w":"d"}')"
	run bash -c 'sw-files --max-files 2 --state "$2" "$1" | jq -c .id' _ "$D" "$ST"
	assert_output "$(printf '%s\n' 8 9 5)"
	run bash -c 'sw-files --max-files 2 --state "$2" "$1" | jq -c .id' _ "$D" "$ST"
	assert_output "$(printf '%s\n' 1 2)"
	run sw-files --max-files 2 --state "$ST" "$D"
	assert_status 0
	assert_output ""
}

@test "--state: a second run is refused (1) while the first follows; the lock file is not input" {
	tree
	start_lock_holder "$ST.lock" sw-files --follow --state "$ST" "$D"
	run sw-files --state "$ST" "$D"
	stop_lock_holder
	assert_status 1
	[ "$output" = "sw-files: --state: $ST: in use by another run (pid $LOCK_PID) (lock $ST.lock)" ]
	# The state (and its lock) in the watched directory are not read.
	run bash -c 'sw-files --state "$1/st" "$1" | jq -c .id' _ "$D"
	assert_status 0
	run bash -c 'sw-files --state "$1/st" "$1"' _ "$D"
	assert_status 0
	assert_output ""
	[ "$(stat -c %a "$D/st")" = 600 ]
}

@test "--latest-first --max-files 1 takes the newest file" {
	tree
	run bash -c 'sw-files --latest-first --max-files 1 "$1" | jq -c .id' _ "$D"
	assert_output "$(printf '%s\n' 1 2)"
}

@test "--max-age skips files modified longer ago" {
	put old.ndjson '3 days ago' '{"id":"old"}'
	put new.ndjson '1 hour ago' '{"id":"new"}'
	run bash -c 'sw-files --max-age 2d "$1" | jq -c .id' _ "$D"
	assert_output '"new"'
	run bash -c 'sw-files --max-age "4 days" "$1" | jq -c .id' _ "$D"
	assert_output "$(printf '%s\n' '"old"' '"new"')"
}

@test "directories, FIFOs and the state file itself are not input" {
	put a.ndjson 2021-01-01 '{"id":1}'
	mkdir "$D/sub"
	mkfifo "$D/fifo"
	run timeout 10 sw-files --state "$D/state.json" "$D"
	assert_status 0
	assert_output '{"id":1}'
	[ -f "$D/state.json" ]
	run timeout 10 sw-files --state "$D/state.json" "$D"
	assert_status 0
	assert_output ""
}

@test "a line of carriage returns (\\r\\r\\n) is blank, as in sw-enrich; one ending \\r\\r\\n is read" {
	printf '{"a":1}\r\r\n\r\r\n \r\t\r\n{"a":2}\n' >"$D/x.ndjson"
	run sw-files --source-field src "$D"
	assert_status 0
	assert_output "$(printf '{"a":1,"src":{"file":"%s","line":1}}\n{"a":2,"src":{"file":"%s","line":4}}' "$D/x.ndjson" "$D/x.ndjson")"
}

# --- --source-field -----------------------------------------------------------

@test "--source-field adds file and line (physical lines, blank ones counted)" {
	tree
	run sw-files --source-field src "$D"
	assert_status 0
	assert_output "$(sed "s|@D@|$D|g" "$FIXTURES/files/source-field.expected")"
}

@test "--source-field replaces a member of that name and handles {}" {
	put a.ndjson 2021-01-01 '{"src":1,"x":[1,{"y":2}]}' '{}' '{"x":1,"src":{"a":1}}'
	run sw-files --source-field src "$D"
	assert_status 0
	assert_output "$(cat <<EOF
{"x":[1,{"y":2}],"src":{"file":"$D/a.ndjson","line":1}}
{"src":{"file":"$D/a.ndjson","line":2}}
{"x":1,"src":{"file":"$D/a.ndjson","line":3}}
EOF
)"
}

@test "-R --source-field wraps each line as value" {
	put log.txt 2021-01-01 'plain text' 'with "quotes"'
	run sw-files -R --source-field src "$D"
	assert_status 0
	assert_output "$(cat <<EOF
{"value":"plain text","src":{"file":"$D/log.txt","line":1}}
{"value":"with \\"quotes\\"","src":{"file":"$D/log.txt","line":2}}
EOF
)"
	run sw-files -R --source-field value "$D"
	assert_status 64
}

@test "--source-field on a record that is not an object is bad input" {
	put a.ndjson 2021-01-01 '{"a":1}' '[1]'
	run sw-files --source-field src "$D"
	assert_status 65
	[[ $output == *"sw-files: $D/a.ndjson:2: not an object"* ]]
}

# --- compressed files ---------------------------------------------------------

@test "concatenated gzip members and zstd frames are read through" {
	{ printf '{"id":1}\n' | gzip; printf '{"id":2}\n{"id":3}\n' | gzip; } >"$D/a.gz"
	# Two zstd frames (made with zstd(1), which the tests do not need).
	cp "$FIXTURES/files/two-frames.zst" "$D/b.zst"
	touch -d 2021-01-01 "$D/a.gz"
	touch -d 2021-01-02 "$D/b.zst"
	run bash -c 'sw-files "$1" | jq -c .id' _ "$D"
	assert_status 0
	assert_output "$(printf '%s\n' 1 2 3 4 5)"
}

@test "a compressed file's last line needs no newline, even with --state" {
	printf '{"id":1}\n{"id":2}' | gzip >"$D/a.gz"
	run sw-files --state "$ST" "$D"
	assert_status 0
	assert_output "$(printf '%s\n' '{"id":1}' '{"id":2}')"
}

# --- unreadable files ---------------------------------------------------------

@test "unreadable files: clear errors, the other files still come out, exit 74" {
	put a.ndjson 2021-01-01 '{"id":1}'
	put z.ndjson 2021-01-03 '{"id":2}'
	echo 'not gzip at all' >"$D/b.gz"
	printf '{"id":3}\n' | gzip | head -c 20 >"$D/c.gz"
	printf 'garbage' >"$D/d.zst"
	ln -s "$D/nowhere" "$D/e.ndjson"
	touch -d 2021-01-02 "$D/b.gz" "$D/c.gz" "$D/d.zst"
	run sw-files "$D"
	assert_status 74
	[[ $output == *"sw-files: $D/b.gz: gzip: incorrect header check"* ]]
	[[ $output == *"sw-files: $D/c.gz: gzip: unexpected end of file"* ]]
	[[ $output == *"sw-files: $D/d.zst: zstd: "* ]]
	[[ $output == *"sw-files: $D/e.ndjson: No such file or directory"* ]]
	# c.gz lost only its trailer: its line comes out before the error.
	run bash -c 'sw-files "$1" 2>/dev/null' _ "$D"
	assert_output "$(printf '%s\n' '{"id":1}' '{"id":3}' '{"id":2}')"
}

@test "an unreadable file is reported again by the next run with --state" {
	put a.ndjson 2021-01-01 '{"id":1}'
	echo 'not gzip' >"$D/b.gz"
	run sw-files --state "$ST" "$D"
	assert_status 74
	run sw-files --state "$ST" "$D"
	assert_status 74
	assert_output "sw-files: $D/b.gz: gzip: incorrect header check"
}

# --- bad lines and the error policy -------------------------------------------

@test "a bad line under --on-error fail: earlier records out, file:line named, exit 65" {
	put a.ndjson 2021-01-01 '{"id":1}'
	put b.ndjson 2021-01-02 '{"id":2}' '{"id":' '{"id":3}'
	run bash -c 'sw-files --state "$2" "$1" 2>"$3"' _ "$D" "$ST" "$ERR"
	assert_status 65
	assert_output "$(printf '%s\n' '{"id":1}' '{"id":2}')"
	grep -q "^sw-files: $D/b.ndjson:2: " "$ERR"
	# The state remembers what was written: after the fix, the rest.
	printf '{"id":2}\n{"id":"fixed"}\n{"id":3}\n' >"$D/b.ndjson"
	run sw-files --state "$ST" "$D"
	assert_status 0
	assert_output "$(printf '%s\n' '{"id":"fixed"}' '{"id":3}')"
}

@test "a bad line under --on-error skip: a warning naming file and line, the rest goes on" {
	put b.ndjson 2021-01-02 '{"id":2}' '{"id":' '{"id":3}'
	run bash -c 'sw-files --on-error skip "$1" 2>"$2"' _ "$D" "$ERR"
	assert_status 0
	assert_output "$(printf '%s\n' '{"id":2}' '{"id":3}')"
	grep -q "^sw-files: $D/b.ndjson:2: " "$ERR"
}

@test "a bad line with --dead-letter: kept there with file and line" {
	put b.ndjson 2021-01-02 '{"id":2}' '{"id":' '{"id":3}'
	run bash -c 'sw-files --dead-letter "$2" "$1" 2>/dev/null' _ "$D" "$BATS_TEST_TMPDIR/dl"
	assert_status 0
	assert_output "$(printf '%s\n' '{"id":2}' '{"id":3}')"
	run jq -c '[.source, .line, .input]' "$BATS_TEST_TMPDIR/dl"
	assert_output "[\"$D/b.ndjson\",2,\"{\\\"id\\\":\"]"
}

@test "invalid UTF-8 and over-long lines are bad input" {
	printf '{"id":1}\n{"id":"\xff"}\n{"id":"%s"}\n{"id":2}\n' "$(head -c 100 /dev/zero | tr '\0' x)" >"$D/a.ndjson"
	run bash -c 'sw-files --on-error skip --max-line 50 "$1" 2>"$2"' _ "$D" "$ERR"
	assert_status 0
	assert_output "$(printf '%s\n' '{"id":1}' '{"id":2}')"
	grep -q "a.ndjson:2: .*invalid UTF-8" "$ERR"
	grep -q "a.ndjson:3: line longer than 50 bytes" "$ERR"
	run sw-files --max-line 50 "$D"
	assert_status 65
	run bash -c 'sw-files -R --on-error skip "$1" 2>"$2"' _ "$D" "$ERR"
	assert_status 0
	[ "${#lines[@]}" -eq 3 ]
	grep -q "a.ndjson:2: invalid UTF-8" "$ERR"
}

@test "an over-long line: the dead letter keeps its head, truncated; --state passes it once" {
	{ echo '{"id":1}'; head -c 3000000 /dev/zero | tr '\0' x; printf '\n{"id":2}\n'; } >"$D/a.ndjson"
	run sw-files --max-line 1k --dead-letter "$BATS_TEST_TMPDIR/dl" -q "$D"
	assert_status 0
	assert_output "$(printf '%s\n' '{"id":1}' '{"id":2}')"
	run jq -c '[.line, .truncated, (.input | length), (.input | test("^x+$"))]' "$BATS_TEST_TMPDIR/dl"
	assert_output '[2,true,1024,true]'
	# With --state the file may still grow: reported at its end, once.
	run sw-files --max-line 1k --dead-letter "$BATS_TEST_TMPDIR/dl2" --state "$ST" -q "$D"
	assert_output "$(printf '%s\n' '{"id":1}' '{"id":2}')"
	echo '{"id":3}' >>"$D/a.ndjson"
	run sw-files --max-line 1k --dead-letter "$BATS_TEST_TMPDIR/dl2" --state "$ST" -q "$D"
	assert_output '{"id":3}'
	run jq -c '[.line, .truncated, (.input | length)]' "$BATS_TEST_TMPDIR/dl2"
	assert_output '[2,true,1024]'
	run sw-files --max-line 1k "$D"
	assert_status 65
	[ "${lines[1]}" = "sw-files: $D/a.ndjson:2: line longer than 1024 bytes (--max-line)" ]
}

@test "a symbolic link out of DIR is not read (74) without --follow-symlinks; /proc never" {
	mkdir "$BATS_TEST_TMPDIR/out"
	echo '{"id":1}' >"$D/a.ndjson"
	echo '{"id":2}' >"$BATS_TEST_TMPDIR/out/b.ndjson"
	ln -s ../out/b.ndjson "$D/b.ndjson"
	ln -s /proc/self/environ "$D/env"
	ln -s a.ndjson "$D/c.ndjson"
	run --separate-stderr sw-files "$D"
	assert_status 74
	assert_output '{"id":1}'
	[[ $stderr == *"sw-files: $D/b.ndjson: a symbolic link out of the directory, not read (--follow-symlinks reads it)"* ]]
	[[ $stderr == *"sw-files: $D/env: a symbolic link out of the directory, not read (--follow-symlinks reads it)"* ]]
	run bash -c 'sw-files --follow-symlinks --pattern "*.ndjson" "$1" | sort' _ "$D"
	assert_status 0
	assert_output "$(printf '%s\n' '{"id":1}' '{"id":2}')"
	run --separate-stderr sw-files --follow-symlinks --pattern env "$D"
	assert_status 74
	assert_output ''
	[ "$stderr" = "sw-files: $D/env: on /proc or /sys: never read" ]
}

@test "control characters of a file name are escaped in diagnostics" {
	printf '{"a":\n' >"$D/$(printf 'x\033[31mred\tb.ndjson')"
	run sw-files "$D"
	assert_status 65
	[ "$output" = "sw-files: $D/x\\x1b[31mred	b.ndjson:1: invalid JSON: unexpected end of input" ]
}

# --- state: cron-style runs ---------------------------------------------------

@test "cron-style runs with --state: every record exactly once" {
	put a.ndjson '2021-01-01 00:00:01' '{"n":1}' '{"n":2}'
	run sw-files --state "$ST" "$D"
	assert_status 0
	echo "$output" >"$OUT"
	# New file; a line appended; a line written half.
	put b.ndjson '2021-01-01 00:00:02' '{"n":3}'
	echo '{"n":4}' >>"$D/a.ndjson"
	printf '{"n":5}\n{"n":' >>"$D/b.ndjson"
	run sw-files --state "$ST" "$D"
	assert_status 0
	echo "$output" >>"$OUT"
	# Nothing new.
	run sw-files --state "$ST" "$D"
	assert_output ""
	# The half line is finished; one more file.
	echo '6}' >>"$D/b.ndjson"
	put c.ndjson '2030-01-01' '{"n":7}'
	run sw-files --state "$ST" "$D"
	echo "$output" >>"$OUT"
	run jq -c .n "$OUT"
	assert_output "$(printf '%s\n' 1 2 4 3 5 6 7)"
}

@test "a renamed file is the same file; a replaced or truncated one is read again" {
	put a.ndjson 2021-01-01 '{"n":1}' '{"n":2}'
	put b.ndjson 2021-01-02 '{"n":3}'
	sw-files --state "$ST" "$D" >/dev/null
	mv "$D/a.ndjson" "$D/renamed.ndjson"
	put b.ndjson 2021-01-02 '{"n":4}' '{"n":5}'
	run bash -c 'sw-files --state "$2" "$1" 2>"$3"' _ "$D" "$ST" "$ERR"
	assert_status 0
	assert_output "$(printf '%s\n' '{"n":4}' '{"n":5}')"
	grep -q "b.ndjson: replaced" "$ERR"
	: >"$D/renamed.ndjson"
	echo '{"n":6}' >>"$D/renamed.ndjson"
	run bash -c 'sw-files --state "$2" "$1" 2>"$3"' _ "$D" "$ST" "$ERR"
	assert_output '{"n":6}'
	grep -q "renamed.ndjson: truncated" "$ERR"
}

@test "without --state, an unterminated last line is a record; with --state it waits" {
	printf '{"n":1}\n{"n":2}' >"$D/a.ndjson"
	run sw-files "$D"
	assert_output "$(printf '%s\n' '{"n":1}' '{"n":2}')"
	run sw-files --state "$ST" "$D"
	assert_output '{"n":1}'
	echo >>"$D/a.ndjson"
	run sw-files --state "$ST" "$D"
	assert_output '{"n":2}'
}

@test "a state file that is not one: exit 1" {
	put a.ndjson 2021-01-01 '{"n":1}'
	echo '{"files":3}' >"$ST"
	run sw-files --state "$ST" "$D"
	assert_status 1
	[[ $output == "sw-files: --state: $ST: not a state file"* ]]
}

# --- --after ------------------------------------------------------------------

@test "--after delete removes files once their records are out" {
	tree
	run sw-files --after delete "$D"
	assert_status 0
	[ "${#lines[@]}" -eq 9 ]
	run ls -A "$D"
	assert_output ""
}

@test "--after archive:DIR moves files there, never over an earlier one" {
	put a.ndjson 2021-01-01 '{"n":1}'
	run sw-files --after "archive:$BATS_TEST_TMPDIR/arch" "$D"
	assert_status 0
	assert_output '{"n":1}'
	put a.ndjson 2021-01-01 '{"n":2}'
	run sw-files --after "archive:$BATS_TEST_TMPDIR/arch" "$D"
	assert_output '{"n":2}'
	[ ! -e "$D/a.ndjson" ]
	run cat "$BATS_TEST_TMPDIR/arch/a.ndjson" "$BATS_TEST_TMPDIR/arch/a.ndjson.1"
	assert_output "$(printf '%s\n' '{"n":1}' '{"n":2}')"
}

@test "--after: nothing is deleted when the output cannot be written" {
	tree
	run bash -c 'sw-files --after delete "$1" >/dev/full' _ "$D"
	assert_status 74
	[[ $output == *"write error"* ]]
	[ "$(ls "$D" | wc -l)" -eq 5 ]
}

@test "--after with --state: a file whose last line waits is kept" {
	printf '{"n":1}\n{"n":2}' >"$D/a.ndjson"
	put b.ndjson 2021-01-01 '{"n":3}'
	run sw-files --state "$ST" --after delete "$D"
	assert_output "$(printf '%s\n' '{"n":3}' '{"n":1}')"
	[ -e "$D/a.ndjson" ] && [ ! -e "$D/b.ndjson" ]
	echo >>"$D/a.ndjson"
	run sw-files --state "$ST" --after delete "$D"
	assert_output '{"n":2}'
	[ ! -e "$D/a.ndjson" ]
}

# --- --follow -----------------------------------------------------------------

@test "--follow: new files and appended lines; a half line waits for its end" {
	put a.ndjson 2021-01-01 '{"n":1}'
	start_follow --state "$ST" "$D"
	wait_lines "$OUT" 1
	echo '{"n":2}' >>"$D/a.ndjson"
	wait_lines "$OUT" 2
	printf '{"n":3}\n' >"$D/b.ndjson"
	wait_lines "$OUT" 3
	printf '{"n":' >>"$D/b.ndjson"
	printf '{"n":5}\n' >"$D/c.ndjson"
	wait_lines "$OUT" 4
	printf '4}\n' >>"$D/b.ndjson"
	wait_lines "$OUT" 5
	stop_follow
	assert_status 0
	run jq -c .n "$OUT"
	assert_output "$(printf '%s\n' 1 2 3 5 4)"
}

@test "--follow survives rotation: rename away, new file; lines written to the old one still come" {
	put app.log 2021-01-01 '{"n":1}'
	start_follow --pattern '*.log' "$D"
	wait_lines "$OUT" 1
	mv "$D/app.log" "$D/app.log.1"
	echo '{"n":2}' >>"$D/app.log.1"
	echo '{"n":3}' >"$D/app.log"
	wait_lines "$OUT" 3
	echo '{"n":4}' >>"$D/app.log"
	wait_lines "$OUT" 4
	stop_follow
	assert_status 0
	run jq -c .n "$OUT"
	assert_output "$(printf '%s\n' 1 2 3 4)"
}

@test "--follow: a file renamed within DIR goes on where it was" {
	put app.log 2021-01-01 '{"n":1}'
	start_follow "$D"
	wait_lines "$OUT" 1
	mv "$D/app.log" "$D/app.log.1"
	echo '{"n":2}' >>"$D/app.log.1"
	wait_lines "$OUT" 2
	echo '{"n":3}' >"$D/app.log"
	wait_lines "$OUT" 3
	stop_follow
	run jq -c .n "$OUT"
	assert_output "$(printf '%s\n' 1 2 3)"
}

@test "--follow survives truncation" {
	put app.log 2021-01-01 '{"n":1}' '{"n":2}'
	start_follow "$D"
	wait_lines "$OUT" 2
	: >"$D/app.log"
	echo '{"n":3}' >>"$D/app.log"
	wait_lines "$OUT" 3
	echo '{"n":4}' >>"$D/app.log"
	wait_lines "$OUT" 4
	stop_follow
	assert_status 0
	run jq -c .n "$OUT"
	assert_output "$(printf '%s\n' 1 2 3 4)"
	grep -q "app.log: truncated" "$ERR"
}

@test "--follow: SIGTERM saves the state; a restart goes on without repeats" {
	put a.ndjson 2021-01-01 '{"n":1}'
	start_follow --state "$ST" "$D"
	wait_lines "$OUT" 1
	printf '{"n":2}\n{"n":' >>"$D/a.ndjson"
	wait_lines "$OUT" 2
	stop_follow
	assert_status 0
	mv "$OUT" "$BATS_TEST_TMPDIR/first"
	printf '3}\n' >>"$D/a.ndjson"
	echo '{"n":4}' >"$D/b.ndjson"
	start_follow --state "$ST" "$D"
	wait_lines "$OUT" 2
	stop_follow
	assert_status 0
	run jq -c .n "$BATS_TEST_TMPDIR/first" "$OUT"
	assert_output "$(printf '%s\n' 1 2 3 4)"
}

@test "--follow saves the state while it runs" {
	start_follow --state "$ST" "$D"
	echo '{"n":1}' >"$D/a.ndjson"
	wait_lines "$OUT" 1
	for ((i = 0; i < 400; i++)); do
		[ -f "$ST" ] && grep -q '"name":"a.ndjson".*"offset":8,' "$ST" && break
		sleep 0.05
	done
	grep -q '"name":"a.ndjson".*"offset":8,' "$ST"
	stop_follow
	assert_status 0
}

@test "--follow --after delete: each file goes once its records are out" {
	start_follow --after delete "$D"
	echo '{"n":1}' >"$D/a.ndjson"
	wait_lines "$OUT" 1
	echo '{"n":2}' >"$D/b.ndjson"
	wait_lines "$OUT" 2
	stop_follow
	assert_status 0
	run ls -A "$D"
	assert_output ""
}

# --- usage and exit codes -----------------------------------------------------

@test "usage errors exit 64" {
	run sw-files
	assert_status 64
	[[ $output == *"missing the directory"* ]]
	for args in "$D $D" "--after move $D" "--after archive: $D" "--max-files 0 $D" \
		"--max-files x $D" "--max-age soon $D" "--source-field= $D" "--on-error maybe $D" \
		"--after archive:$D $D"; do
		run sw-files $args
		[ "$status" -eq 64 ] || { echo "$args: status $status: $output"; return 1; }
		[[ $output == *"Try 'sw-files --help'"* ]] || { echo "$args: $output"; return 1; }
	done
}

@test "a directory that is not there: exit 74" {
	run sw-files "$D/none"
	assert_status 74
	assert_output "sw-files: $D/none: No such file or directory"
}

@test "--stats counts files and records" {
	tree
	echo 'not gzip' >"$D/x.gz"
	run bash -c 'sw-files --stats "$1" 2>&1 >/dev/null | tail -1 | jq -c "[.records_in,.records_out,.files,.files_failed]"' _ "$D"
	assert_output '[9,9,6,1]'
}

@test "--version names zlib and libzstd" {
	run sw-files --version
	assert_status 0
	[[ ${lines[0]} =~ ^sw-files\ [0-9.]+$ ]]
	[[ $output == *"zlib "* ]] && [[ $output == *"libzstd "* ]]
}

@test "a reader that goes away ends it quietly; output that fails does not move the state" {
	sw-gen web --count 200000 >"$D/big.ndjson"
	run bash -c 'sw-files "$1" | head -1; echo "status ${PIPESTATUS[0]}"' _ "$D"
	assert_output "$(printf '%s\n' '{"name":"yuki_0","action":"login","sendtime":1639278000000}' 'status 0')"
	rm "$D/big.ndjson"
	tree
	run bash -c 'sw-files --state "$2" "$1" >/dev/full' _ "$D" "$ST"
	assert_status 74
	[ ! -e "$ST" ]
	run bash -c 'sw-files --state "$2" "$1" | wc -l' _ "$D" "$ST"
	assert_output 9
}

@test "--follow | head: a reader that goes away is noticed while nothing new comes; the state keeps what was read" {
	put a.ndjson '2021-01-01' '{"id":1}' '{"id":2}'
	run timeout 30 bash -c 'sw-files --follow --state "$2" "$1" | head -1; echo "status ${PIPESTATUS[0]}"' _ "$D" "$ST"
	assert_output '{"id":1}
status 0'
	# Both lines were written into the pipe before head went away.
	put b.ndjson '2021-01-02' '{"id":3}'
	run -0 sw-files --state "$ST" "$D"
	assert_output '{"id":3}'
}

@test "SIGTERM in the middle of a file: exit 0, state saved, the next run gives the rest" {
	sw-gen web --count 100000 >"$D/big.ndjson"
	mkfifo "$BATS_TEST_TMPDIR/pipe"
	sw-files --state "$ST" "$D" >"$BATS_TEST_TMPDIR/pipe" &
	FOLLOW_PID=$!
	exec 7<"$BATS_TEST_TMPDIR/pipe"
	# The pipe holds far less than the file: sw-files is mid-file now.
	IFS= read -r first <&7
	kill -TERM "$FOLLOW_PID"
	{ echo "$first"; cat <&7; } >"$OUT"
	exec 7<&-
	status=0
	wait "$FOLLOW_PID" || status=$?
	FOLLOW_PID=
	assert_status 0
	[ "$(wc -l <"$OUT")" -lt 100000 ]
	sw-files --state "$ST" "$D" >>"$OUT"
	cmp "$OUT" "$D/big.ndjson"
}

@test "--after archive that fails: exit 74, the file stays, and the next run tries again" {
	put a.ndjson 2021-01-01 '{"n":1}'
	mkdir "$BATS_TEST_TMPDIR/arch"
	touch "$BATS_TEST_TMPDIR/arch/a.ndjson"
	# Every name it may take is taken.
	mkdir $(seq -f "$BATS_TEST_TMPDIR/arch/a.ndjson.%g" 1 999)
	run sw-files --state "$ST" --after "archive:$BATS_TEST_TMPDIR/arch" "$D"
	assert_status 74
	[[ $output == *"sw-files: $D/a.ndjson: archive: too many files named a.ndjson"* ]]
	[ -e "$D/a.ndjson" ]
	rm -r "$BATS_TEST_TMPDIR/arch/a.ndjson.1"
	run sw-files --state "$ST" --after "archive:$BATS_TEST_TMPDIR/arch" "$D"
	assert_status 0
	assert_output ""
	[ ! -e "$D/a.ndjson" ] && [ -e "$BATS_TEST_TMPDIR/arch/a.ndjson.1" ]
}

@test "--follow --after delete: a file a writer holds open stays until it is closed" {
	start_follow --after delete "$D"
	exec 8>"$D/a.ndjson"
	echo '{"n":1}' >&8
	wait_lines "$OUT" 1
	# Output is flushed after --after was decided for what was read.
	[ -e "$D/a.ndjson" ]
	echo '{"n":2}' >&8
	wait_lines "$OUT" 2
	[ -e "$D/a.ndjson" ]
	exec 8>&-
	for ((i = 0; i < 400; i++)); do [ -e "$D/a.ndjson" ] || break; sleep 0.05; done
	[ ! -e "$D/a.ndjson" ]
	stop_follow
	assert_status 0
	run jq -c .n "$OUT"
	assert_output "$(printf '%s\n' 1 2)"
}

@test "--after delete: a file a writer holds open is kept for a later run" {
	exec 8>"$D/a.ndjson"
	echo '{"n":1}' >&8
	run sw-files --state "$ST" --after delete "$D"
	assert_status 0
	assert_output '{"n":1}'
	[ -e "$D/a.ndjson" ]
	exec 8>&-
	run sw-files --state "$ST" --after delete "$D"
	assert_status 0
	assert_output ''
	[ ! -e "$D/a.ndjson" ]
}

@test "-q hides warnings; -v names each file read; -u and --progress change nothing on a pipe" {
	put a.ndjson 2021-01-01 '{"n":1}' '{"n":'
	run bash -c 'sw-files --on-error skip "$1" 2>&1 >/dev/null' _ "$D"
	assert_output "sw-files: $D/a.ndjson:2: invalid JSON: unexpected end of input"
	run bash -c 'sw-files -q --on-error skip "$1" 2>&1 >/dev/null' _ "$D"
	assert_status 0
	assert_output ""
	put a.ndjson 2021-01-01 '{"n":1}' '{"n":2}'
	run bash -c 'sw-files -v --state "$2" "$1" 2>&1 >/dev/null' _ "$D" "$ST"
	assert_output "sw-files: $D/a.ndjson: reading from line 1"
	echo '{"n":3}' >>"$D/a.ndjson"
	run bash -c 'sw-files -v --state "$2" "$1" 2>&1 >/dev/null' _ "$D" "$ST"
	assert_output "sw-files: $D/a.ndjson: reading from line 3"
	run sw-files -u --progress "$D"
	assert_status 0
	assert_output "$(printf '%s\n' '{"n":1}' '{"n":2}' '{"n":3}')"
}
