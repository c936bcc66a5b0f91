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


static void hex(const void *p, size_t n, char *out, size_t cap)
{
	const unsigned char *b = p;
	size_t k = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && k + 4 < cap; i++)
		k += (size_t)snprintf(out + k, cap - k, i ? " %02x" : "%02x",
				      b[i]);
}

static void test_zigzag(void)
{
	static const struct {
		int64_t v;
		uint64_t z;
		const char *varint;
	} t[] = {
		{ 0, 0, "00" },
		{ -1, 1, "01" },
		{ 1, 2, "02" },
		{ -2, 3, "03" },
		{ 63, 126, "7e" },
		{ -64, 127, "7f" },
		{ 64, 128, "80 01" },
		{ 150, 300, "ac 02" },
		{ INT32_MAX, 4294967294u, "fe ff ff ff 0f" },
		{ INT64_MIN, UINT64_MAX, "ff ff ff ff ff ff ff ff ff 01" },
	};
	char got[128];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sbuf b = SBUF_INIT;
		unit_ok(tc_zigzag(t[i].v) == t[i].z, "zigzag %lld",
			(long long)t[i].v);
		sbuf_put_varint(&b, tc_zigzag(t[i].v));
		hex(b.p, b.len, got, sizeof(got));
		UNIT_STREQ(got, t[i].varint, "varint of zigzag %lld",
			   (long long)t[i].v);
		sbuf_free(&b);
	}
}

static void test_compact(void)
{
	struct sbuf b = SBUF_INIT;
	struct tc_writer t;
	char got[512];

	tc_init(&t, &b);
	tc_struct_begin(&t, 0);
	tc_i32(&t, 1, 1);          /* delta 1, i32 */
	tc_i64(&t, 2, -1);         /* delta 1, i64 */
	tc_binary(&t, 20, "ab", 2); /* delta 18: long form */
	tc_bool(&t, 21, 1);        /* the value is in the type */
	tc_bool(&t, 22, 0);
	tc_list(&t, 23, TC_I32, 2);
	tc_put_i64(&t, 3);
	tc_put_i64(&t, -3);
	tc_struct_begin(&t, 24);   /* nested: ids count afresh */
	tc_i32(&t, 1, 0);
	tc_struct_end(&t);
	tc_i32(&t, 25, 7);         /* back in the outer struct: delta 1 */
	tc_list(&t, 26, TC_BINARY, 15); /* long list header */
	for (int k = 0; k < 15; k++)
		tc_put_binary(&t, "", 0);
	tc_empty(&t, 27);
	tc_struct_end(&t);
	hex(b.p, b.len, got, sizeof(got));
	UNIT_STREQ(got,
		   "15 02 16 01 08 28 02 61 62 11 12 19 25 06 05 1c 15 00 00 "
		   "15 0e 19 f8 0f 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
		   "00 1c 00 00",
		   "compact protocol: deltas, long ids, booleans, lists, "
		   "nested structs");
	sbuf_free(&b);
}

/* A reader of the hybrid encoding, to check round trips. */
static int rle_decode(const uint8_t *p, size_t n, int bw, uint32_t *out,
		      size_t want)
{
	size_t i = 0, got = 0;

	while (got < want) {
		uint64_t h = 0;
		int sh = 0;
		do {
			if (i >= n)
				return -1;
			h |= (uint64_t)(p[i] & 0x7f) << sh;
			sh += 7;
		} while (p[i++] & 0x80);
		if (h & 1) {
			size_t cnt = (size_t)(h >> 1) * 8;
			uint64_t acc = 0;
			int bits = 0;
			for (size_t k = 0; k < cnt; k++) {
				while (bits < bw) {
					if (i >= n)
						return -1;
					acc |= (uint64_t)p[i++] << bits;
					bits += 8;
				}
				if (got < want)
					out[got++] = (uint32_t)(acc &
						((1ull << bw) - 1));
				acc >>= bw;
				bits -= bw;
			}
		} else {
			uint32_t v = 0;
			for (int k = 0; k < (bw + 7) / 8; k++)
				v |= (uint32_t)p[i++] << (8 * k);
			for (size_t k = 0; k < (h >> 1) && got < want; k++)
				out[got++] = v;
		}
	}
	return i == n ? 0 : -1;
}

static void test_rle(void)
{
	static const struct {
		const char *what;
		uint32_t v[24];
		size_t n;
		int bw;
		const char *want;
	} t[] = {
		{ "a run", { 0 }, 10, 1, "14 00" },
		{ "a run of a 2-byte value",
		  { 300, 300, 300, 300, 300, 300, 300, 300 }, 8, 9,
		  "10 2c 01" },
		{ "one bit-packed group", { 1, 0, 1, 0, 1, 0, 1, 0 }, 8, 1,
		  "03 55" },
		{ "a short tail, padded", { 1, 2, 3 }, 3, 2, "03 39 00" },
		{ "Encodings.md's example", { 0, 1, 2, 3, 4, 5, 6, 7 }, 8, 3,
		  "03 88 c6 fa" },
		{ "bit-packed, then a run",
		  { 1, 2, 1, 2, 1, 2, 1, 2, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4 },
		  18, 3, "03 51 14 45 14 04" },
		{ "a run, then bit-packed",
		  { 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 0 }, 11, 2, "12 02 03 01 00" },
		{ "dictionary indices of width 17",
		  { 70000 }, 1, 17, "03 70 11 01 00 00 00 00 00 00 00 00 00 "
		  "00 00 00 00 00" },
	};
	char got[256];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sbuf b = SBUF_INIT;
		uint8_t v8[24];
		uint32_t back[24];
		pq_rle_u32(&b, t[i].v, t[i].n, t[i].bw);
		hex(b.p, b.len, got, sizeof(got));
		UNIT_STREQ(got, t[i].want, "rle hybrid: %s", t[i].what);
		unit_ok(rle_decode((const uint8_t *)b.p, b.len, t[i].bw, back,
				   t[i].n) == 0 &&
			memcmp(back, t[i].v, t[i].n * 4) == 0,
			"rle hybrid: %s reads back", t[i].what);
		if (t[i].bw <= 8) {
			struct sbuf b8 = SBUF_INIT;
			for (size_t k = 0; k < t[i].n; k++)
				v8[k] = (uint8_t)t[i].v[k];
			pq_rle_u8(&b8, v8, t[i].n, t[i].bw);
			unit_ok(b8.len == b.len &&
				memcmp(b8.p, b.p, b.len) == 0,
				"rle hybrid: %s, bytes as levels", t[i].what);
			sbuf_free(&b8);
		}
		sbuf_free(&b);
	}
}

static void test_rle_random(void)
{
	uint32_t v[5000], back[5000];
	uint64_t seed = 42;
	int bad = 0;

	for (int round = 0; round < 50; round++) {
		struct sbuf b = SBUF_INIT;
		int bw = 1 + round % 20;
		size_t n = 1 + (size_t)(round * 97) % 5000;
		for (size_t k = 0; k < n; k++) {
			seed = seed * 6364136223846793005u + 1442695040888963407u;
			/* long runs and noise */
			v[k] = (seed >> 60) < 10 && k ? v[k - 1] :
				(uint32_t)(seed >> 33) & ((1u << bw) - 1);
		}
		pq_rle_u32(&b, v, n, bw);
		if (rle_decode((const uint8_t *)b.p, b.len, bw, back, n) < 0 ||
		    memcmp(back, v, n * 4) != 0)
			bad++;
		sbuf_free(&b);
	}
	unit_ok(bad == 0, "rle hybrid: 50 random inputs read back (%d bad)",
		bad);
}

static void test_bits(void)
{
	static const uint8_t v[] = { 1, 0, 0, 1, 1, 0, 0, 0, 1 };
	struct sbuf b = SBUF_INIT;
	char got[64];

	unit_ok(pq_bit_width(0) == 0 && pq_bit_width(1) == 1 &&
		pq_bit_width(2) == 2 && pq_bit_width(255) == 8 &&
		pq_bit_width(256) == 9, "bit widths");
	pq_plain_bool(&b, v, 9);
	hex(b.p, b.len, got, sizeof(got));
	UNIT_STREQ(got, "19 01", "PLAIN booleans: one bit each, LSB first");
	sbuf_free(&b);
}

static void put_ba(struct sbuf *b, const char *s)
{
	uint32_t n = (uint32_t)strlen(s);

	sbuf_put(b, &n, 4);
	sbuf_put(b, s, n);
}

static void test_dict(void)
{
	struct sbuf p = SBUF_INIT, out = SBUF_INIT;
	struct pq_dict d;
	uint32_t idx[6];
	char got[128];

	memset(&d, 0, sizeof(d));
	put_ba(&p, "a");
	put_ba(&p, "bc");
	put_ba(&p, "a");
	put_ba(&p, "");
	put_ba(&p, "bc");
	put_ba(&p, "a");
	unit_ok(pq_dict_build(&d, p.p, p.len, 6, idx, 1024) == 0 &&
		d.n == 3 && d.bytes == 15 && idx[0] == 0 && idx[1] == 1 &&
		idx[2] == 0 && idx[3] == 2 && idx[4] == 1 && idx[5] == 0,
		"dictionary: entries in order of first use");
	pq_dict_plain(&d, p.p, &out);
	hex(out.p, out.len, got, sizeof(got));
	UNIT_STREQ(got, "01 00 00 00 61 02 00 00 00 62 63 00 00 00 00",
		   "dictionary page: PLAIN entries");
	unit_ok(pq_dict_build(&d, p.p, p.len, 6, idx, 14) == -1,
		"dictionary: past its limit it gives up (PLAIN fallback)");
	unit_ok(pq_dict_build(&d, p.p, p.len, 6, idx, 15) == 0 && d.n == 3,
		"dictionary: exactly at its limit it is kept");
	sbuf_reset(&p);
	for (int k = 0; k < 5000; k++) {
		char s[16];
		snprintf(s, sizeof(s), "v%d", k % 3000);
		put_ba(&p, s);
	}
	{
		uint32_t *big = malloc(5000 * sizeof(*big));
		int ok = pq_dict_build(&d, p.p, p.len, 5000, big, 1 << 20) ==
				 0 && d.n == 3000;
		for (int k = 0; k < 5000 && ok; k++)
			ok = big[k] == (uint32_t)(k % 3000);
		unit_ok(ok, "dictionary: 3000 entries through table growth");
		free(big);
	}
	pq_dict_free(&d);
	sbuf_free(&p);
	sbuf_free(&out);
}

/* Writes the records (NDJSON lines) into a file in memory; returns the
 * number of records refused, or -1 when the writer could not be made. */
static int write_mem(const char *schema, const char *records,
		     const struct pq_opts *o, struct sbuf *file, char *err,
		     size_t errlen)
{
	struct avro_schema *s = avro_schema_parse(schema, strlen(schema), err,
						  errlen);
	struct pq_writer *w;
	struct json_doc d;
	int bad = 0;

	if (!s)
		return -1;
	w = pq_writer_new(s->root, o, err, errlen);
	if (!w) {
		avro_schema_free(s);
		return -1;
	}
	json_doc_init(&d);
	pq_begin(w, put_sbuf, file, err, errlen);
	for (const char *l = records; *l;) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);
		char e2[512];
		if (json_parse(&d, l, n, e2, sizeof(e2)) < 0 ||
		    pq_add(w, &d, 0, e2, sizeof(e2)) < 0) {
			if (!bad++)
				snprintf(err, errlen, "%s", e2);
		} else if (pq_row_group_full(w)) {
			pq_flush(w, put_sbuf, file, e2, sizeof(e2));
		}
		l += n + (e != NULL);
	}
	pq_finish(w, put_sbuf, file, err, errlen);
	json_doc_free(&d);
	pq_writer_free(w);
	avro_schema_free(s);
	return bad;
}

static int contains(const struct sbuf *b, const char *hexbytes)
{
	uint8_t want[256];
	size_t n = 0;
	unsigned x;

	for (const char *p = hexbytes; p[0] && p[1] && n < sizeof(want);) {
		if (sscanf(p, "%2x", &x) != 1)
			return 0;
		want[n++] = (uint8_t)x;
		p += p[2] == ' ' ? 3 : 2;
	}
	for (size_t i = 0; i + n <= b->len; i++)
		if (memcmp(b->p + i, want, n) == 0)
			return 1;
	return 0;
}

static void test_refusals(void)
{
	static const struct {
		const char *schema;
		const char *err;
	} t[] = {
		{ "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\","
		  "\"type\":\"int\"},{\"name\":\"u\",\"type\":[\"null\",\"int\","
		  "\"string\"]}]}",
		  ".u: null, int or string: a union of several types other "
		  "than null has no Parquet equivalent (parquet-avro writes a "
		  "group of optional member0, member1, ...; sw writes only "
		  "[\"null\", T])" },
		{ "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"r\","
		  "\"type\":{\"type\":\"array\",\"items\":{\"type\":\"map\","
		  "\"values\":[\"long\",\"double\"]}}}]}",
		  ".r[]{}: long or double: a union of several types other "
		  "than null has no Parquet equivalent (parquet-avro writes a "
		  "group of optional member0, member1, ...; sw writes only "
		  "[\"null\", T])" },
		{ "{\"type\":\"record\",\"name\":\"L\",\"fields\":[{\"name\":\"next\","
		  "\"type\":[\"null\",\"L\"]}]}",
		  ".next: record L is recursive, which Parquet cannot hold" },
		{ "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"n\","
		  "\"type\":\"null\"}]}",
		  ".n: type null has no Parquet column (parquet-avro refuses it "
		  "too)" },
		{ "{\"type\":\"record\",\"name\":\"R\",\"fields\":[]}",
		  ".: record R has no fields, and Parquet has no empty groups" },
		{ "\"long\"", "a Parquet schema needs a record at the top, not long" },
	};
	struct pq_opts o = { PQ_CODEC_NONE, 0 };
	char err[512];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct avro_schema *s = avro_schema_parse(
			t[i].schema, strlen(t[i].schema), err, sizeof(err));
		struct pq_writer *w = NULL;
		if (s)
			w = pq_writer_new(s->root, &o, err, sizeof(err));
		unit_ok(s && !w, "refused schema %zu", i);
		if (s && !w)
			UNIT_STREQ(err, t[i].err, "refusal %zu names the field", i);
		pq_writer_free(w);
		avro_schema_free(s);
	}
}

#define NESTED                                                               \
	"{\"type\":\"record\",\"name\":\"R\",\"fields\":["                   \
	"{\"name\":\"id\",\"type\":\"int\"},"                                \
	"{\"name\":\"s\",\"type\":[\"null\",\"string\"]},"                   \
	"{\"name\":\"arr\",\"type\":{\"type\":\"array\",\"items\":{"         \
	"\"type\":\"record\",\"name\":\"I\",\"fields\":[{\"name\":\"x\","    \
	"\"type\":\"double\"}]}}},"                                          \
	"{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":\"long\"}},"  \
	"{\"name\":\"t\",\"type\":{\"type\":\"long\",\"logicalType\":"       \
	"\"timestamp-millis\"}}]}"

static void test_bad_records(void)
{
	static const struct {
		const char *rec;
		const char *err;
	} t[] = {
		{ "{\"id\":\"x\",\"arr\":[],\"m\":{},\"t\":0}",
		  ".id: expected int, got string \"x\"" },
		{ "{\"id\":2147483648,\"arr\":[],\"m\":{},\"t\":0}",
		  ".id: expected int, got 2147483648 (out of range)" },
		{ "{\"id\":1,\"s\":5,\"arr\":[],\"m\":{},\"t\":0}",
		  ".s: expected string, got number 5" },
		{ "{\"id\":1,\"arr\":[{\"x\":1},{\"x\":\"no\"}],\"m\":{},\"t\":0}",
		  ".arr[1].x: expected double, got string \"no\"" },
		{ "{\"id\":1,\"arr\":[{\"x\":1}],\"m\":{\"a\":1,\"b\":1.5},\"t\":0}",
		  ".m.b: expected long, got number 1.5" },
		{ "{\"id\":1,\"arr\":[],\"m\":{},\"t\":\"yesterday\"}",
		  ".t: expected long (timestamp), got string \"yesterday\"" },
		{ "{\"id\":1,\"arr\":[],\"m\":{}}",
		  ".t: missing (expected long)" },
		{ "{\"id\":1,\"arr\":null,\"m\":{},\"t\":0}",
		  ".arr: expected array, got null" },
		{ "[1]", "expected record R, got array" },
	};
	const char *good1 = "{\"id\":1,\"s\":\"a\",\"arr\":[{\"x\":0.5}],"
			    "\"m\":{\"k\":3},\"t\":5}\n";
	const char *good2 = "{\"id\":2,\"arr\":[],\"m\":{},\"t\":\"1970-01-01T"
			    "00:00:01Z\"}\n";
	struct pq_opts o = { PQ_CODEC_NONE, 0 };
	struct sbuf want = SBUF_INIT;
	char err[512];

	unit_ok(write_mem(NESTED, "{\"id\":1,\"s\":\"a\",\"arr\":[{\"x\":0.5}],"
			  "\"m\":{\"k\":3},\"t\":5}\n{\"id\":2,\"arr\":[],"
			  "\"m\":{},\"t\":\"1970-01-01T00:00:01Z\"}\n", &o,
			  &want, err, sizeof(err)) == 0,
		"two good records");
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sbuf in = SBUF_INIT, got = SBUF_INIT;
		sbuf_puts(&in, good1);
		sbuf_puts(&in, t[i].rec);
		sbuf_putc(&in, '\n');
		sbuf_puts(&in, good2);
		unit_ok(write_mem(NESTED, in.p, &o, &got, err, sizeof(err)) ==
				1, "bad record %zu refused", i);
		UNIT_STREQ(err, t[i].err, "bad record %zu: the message", i);
		unit_ok(got.len == want.len &&
			memcmp(got.p, want.p, want.len) == 0,
			"bad record %zu: the file is as if it never came", i);
		sbuf_free(&in);
		sbuf_free(&got);
	}
	sbuf_free(&want);
}

static void test_stats(void)
{
	static const struct {
		const char *what, *type, *records, *stats;
	} t[] = {
		/* Statistics: null_count 1, max_value, min_value, stop */
		{ "int", "[\"null\",\"int\"]", "5\n-3\nnull\n9\n",
		  "36 02 28 04 09 00 00 00 18 04 fd ff ff ff 00" },
		{ "long", "\"long\"", "-1\n1\n",
		  "36 00 28 08 01 00 00 00 00 00 00 00 18 08 ff ff ff ff ff "
		  "ff ff ff 00" },
		{ "double, NaN left out", "\"double\"",
		  "\"NaN\"\n1.5\n-2\n",
		  "36 00 28 08 00 00 00 00 00 00 f8 3f 18 08 00 00 00 00 00 "
		  "00 00 c0 00" },
		{ "double, zeros", "\"double\"", "0\n0\n",
		  "36 00 28 08 00 00 00 00 00 00 00 00 18 08 00 00 00 00 00 "
		  "00 00 80 00" },
		{ "boolean", "\"boolean\"", "true\ntrue\n",
		  "36 00 28 01 01 18 01 01 00" },
		/* unsigned byte order: "é" (c3 a9) is above "a", "Z" below */
		{ "string", "[\"null\",\"string\"]",
		  "\"a\"\nnull\nnull\n\"\\u00e9\"\n\"Z\"\n",
		  "36 04 28 02 c3 a9 18 01 5a 00" },
		{ "string, from a dictionary", "\"string\"",
		  "\"b\"\n\"\\u00e9\"\n\"Z\"\n\"b\"\n\"\\u00e9\"\n\"Z\"\n"
		  "\"b\"\n\"Z\"\n",
		  "36 00 28 02 c3 a9 18 01 5a 00" },
		{ "decimal, from a dictionary", "{\"type\":\"bytes\","
		  "\"logicalType\":\"decimal\",\"precision\":4,\"scale\":0}",
		  "2\n-1\n2\n-1\n2\n-1\n2\n-1\n",
		  "36 00 28 01 02 18 01 ff 00" },
		/* decimals are signed: -1 (ff) below 2 (02) */
		{ "decimal", "{\"type\":\"bytes\",\"logicalType\":\"decimal\","
		  "\"precision\":4,\"scale\":0}", "2\n-1\n",
		  "36 00 28 01 02 18 01 ff 00" },
	};
	struct pq_opts o = { PQ_CODEC_NONE, 0 };
	char err[512];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sbuf schema = SBUF_INIT, recs = SBUF_INIT;
		struct sbuf file = SBUF_INIT;
		sbuf_printf(&schema, "{\"type\":\"record\",\"name\":\"R\","
			    "\"fields\":[{\"name\":\"v\",\"type\":%s}]}",
			    t[i].type);
		for (const char *l = t[i].records; *l;) {
			const char *e = strchr(l, '\n');
			sbuf_printf(&recs, "{\"v\":%.*s}\n", (int)(e - l), l);
			l = e + 1;
		}
		unit_ok(write_mem(schema.p, recs.p, &o, &file, err,
				  sizeof(err)) == 0,
			"statistics %s: written", t[i].what);
		unit_ok(contains(&file, t[i].stats), "statistics %s: %s",
			t[i].what, t[i].stats);
		/* encodings [PLAIN, RLE_DICTIONARY] or, for these required
		 * columns, [PLAIN] */
		unit_ok(contains(&file, "19 25 00 10") ==
				(strstr(t[i].what, "dictionary") != NULL),
			"statistics %s: the chunk's encodings", t[i].what);
		sbuf_free(&schema);
		sbuf_free(&recs);
		sbuf_free(&file);
	}
}

static void test_layout(void)
{
	struct pq_opts o = { PQ_CODEC_SNAPPY, 2 };
	struct avro_schema *s;
	struct pq_writer *w;
	struct json_doc d;
	struct sbuf f = SBUF_INIT;
	char err[512];
	uint32_t flen;
	int ok = 1;

	s = avro_schema_parse(NESTED, strlen(NESTED), err, sizeof(err));
	w = pq_writer_new(s->root, &o, err, sizeof(err));
	pq_set_meta(w, "k", "v");
	json_doc_init(&d);
	for (int file = 0; file < 2; file++) {
		sbuf_reset(&f);
		ok &= pq_begin(w, put_sbuf, &f, err, sizeof(err)) == 0;
		for (int k = 0; k < 5; k++) {
			const char *r = "{\"id\":1,\"arr\":[],\"m\":{},\"t\":0}";
			ok &= json_parse(&d, r, strlen(r), err, sizeof(err)) == 0;
			ok &= pq_add(w, &d, 0, err, sizeof(err)) == 0;
			if (pq_row_group_full(w))
				ok &= pq_flush(w, put_sbuf, &f, err,
					       sizeof(err)) == 0;
		}
		unit_ok(pq_rows(w) == 5, "file %d: pq_rows counts the file's "
			"rows", file);
		unit_ok(pq_bytes(w) > f.len, "file %d: pq_bytes counts the "
			"buffered row", file);
		ok &= pq_finish(w, put_sbuf, &f, err, sizeof(err)) == 0;
		memcpy(&flen, f.p + f.len - 8, 4);
		unit_ok(ok && f.len > 12 && memcmp(f.p, "PAR1", 4) == 0 &&
			memcmp(f.p + f.len - 4, "PAR1", 4) == 0 &&
			flen < f.len - 12 && pq_bytes(w) == f.len,
			"file %d: PAR1, row groups, footer length, PAR1", file);
		/* num_rows 5, then a list of 3 row groups */
		unit_ok(contains(&f, "16 0a 19 3c"), "file %d: 5 rows in 3 row "
			"groups of 2", file);
		unit_ok(contains(&f, "19 1c 18 01 6b 18 01 76 00"),
			"file %d: key_value_metadata", file);
	}
	json_doc_free(&d);
	pq_writer_free(w);
	avro_schema_free(s);
	sbuf_free(&f);
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
		fprintf(stderr, "test_parquet: %s\n", err);
		return 66;
	}
	w = pq_writer_new(s->root, &o, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "test_parquet: %s\n", err);
		avro_schema_free(s);
		return 65;
	}
	pq_set_meta(w, "parquet.avro.schema", s->json);
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
	test_zigzag();
	test_compact();
	test_rle();
	test_rle_random();
	test_bits();
	test_dict();
	test_refusals();
	test_bad_records();
	test_stats();
	test_layout();
	return unit_done();
}
