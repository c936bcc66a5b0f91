# Parquet files for tests: the independent readers (DuckDB and hyparquet,
# from npm) and, until sw-sink-files writes them, the writer's driver in
# the unit test program.
#
#   parquet_peers                    install the readers (once), set NODE_PATH,
#                                    start the test's reader process
#   parquet_read READER FILE         rows as normalised NDJSON (duckdb,
#                                    hyparquet), or meta / schema: DuckDB's
#                                    parquet_metadata() / parquet_schema()
#   pq_write SCHEMA OUT [opts] <in   test_parquet --write of the build under
#                                    test (build/san when SW_BIN is build/san/bin)

load helpers/npm

parquet_peers() {
	npm_peers @duckdb/node-api hyparquet hyparquet-compressors &&
		parquet_serve_start
}

# One reader process per test (parquet-read.mjs serve): node and DuckDB
# load once, not for each file read.  Its requests and replies go through
# FIFOs this shell holds open (subshells, `run` included, inherit them);
# it ends when the test's shell does, at the end of its requests.
parquet_serve_start() {
	local d=$BATS_TEST_TMPDIR/pq-serve
	[ -z "${PQ_SERVE_PID:-}" ] || return 0
	mkdir -p "$d"
	mkfifo "$d/req" "$d/rep"
	node "$ROOT/tests/helpers/parquet-read.mjs" serve <"$d/req" >"$d/rep" \
		2>"$d/log" 3>&- &
	PQ_SERVE_PID=$!
	# Not a job of the test: a teardown that kills its jobs leaves it be.
	disown "$PQ_SERVE_PID"
	exec {PQ_REQ}>"$d/req"
	exec {PQ_REP}<"$d/rep"
}

# parquet_read MODE FILE: through the test's reader process when
# parquet_peers started one, else a node of its own; the same output,
# errors and status either way.
parquet_read() {
	local d=$BATS_TEST_TMPDIR/pq-serve rc
	if [ -z "${PQ_SERVE_PID:-}" ]; then
		node "$ROOT/tests/helpers/parquet-read.mjs" "$@"
		return
	fi
	if [ $# -ne 2 ]; then
		echo "usage: parquet_read MODE FILE" >&2
		return 64
	fi
	printf '%s\t%s\t%s\n' "$1" "$2" "$d/r" >&"$PQ_REQ"
	if ! read -r rc <&"$PQ_REP"; then
		echo "parquet-read.mjs serve ended:" >&2
		cat "$d/log" >&2
		return 1
	fi
	cat "$d/r.out"
	cat "$d/r.err" >&2
	return "$rc"
}

pq_writer_bin() {
	case $SW_BIN in
	*/build/san/bin) echo "$ROOT/build/san/unit/test_parquet" ;;
	*) echo "$ROOT/build/rel/unit/test_parquet" ;;
	esac
}

pq_write() {
	"$(pq_writer_bin)" --write "$@"
}
