# Parquet files for tests: the independent readers (DuckDB and hyparquet,
# from npm) and, until sw-sink-files writes them, the writer's driver in
# the unit test program.
#
#   parquet_peers                    install the readers (once), set NODE_PATH
#   parquet_read READER FILE         rows as normalised NDJSON (duckdb,
#                                    hyparquet), or meta / schema: DuckDB's
#                                    parquet_metadata() / parquet_schema()
#   pq_write SCHEMA OUT [opts] <in   test_parquet --write of the build under
#                                    test (build/san when SW_BIN is build/san/bin)

load helpers/npm

parquet_peers() {
	npm_peers @duckdb/node-api hyparquet hyparquet-compressors
}

parquet_read() {
	node "$ROOT/tests/helpers/parquet-read.mjs" "$@"
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
