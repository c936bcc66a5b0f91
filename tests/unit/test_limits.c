/* Limits on hostile or oversized input, across modules: each is refused
 * with a clear reason, before memory grows with what the input claims.
 * JSON nesting depth, NDJSON line length, Avro nesting, lengths and counts,
 * container block sizes, and the sizes of checkpoint and state files. */
#include <fcntl.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avro_decode.h"
#include "avro_ocf.h"
#include "bulk_ckpt.h"
#include "files_state.h"
#include "json.h"
#include "ndjson.h"
#include "unit.h"

/* Undefined behaviour stops the run, as in the bats suite. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

static void has(const char *err, const char *want, const char *what)
{
	int ok = strstr(err, want) != NULL;

	unit_ok(ok, "%s: reason says \"%s\"", what, want);
	if (!ok)
		printf("#   got: %s\n", err);
}

/* Avro's zig-zag varint. */
static void put_long(struct sbuf *b, int64_t v)
{
	uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);

	do {
		uint8_t c = z & 0x7f;
		z >>= 7;
		if (z)
			c |= 0x80;
		sbuf_put(b, &c, 1);
	} while (z);
}

static void json_depth(void)
{
	struct json_doc d;
	struct sbuf in = SBUF_INIT;
	char err[256];
	int i;

	json_doc_init(&d);
	for (i = 0; i < JSON_MAX_DEPTH_DEFAULT; i++)
		sbuf_put(&in, "[", 1);
	for (i = 0; i < JSON_MAX_DEPTH_DEFAULT; i++)
		sbuf_put(&in, "]", 1);
	unit_ok(json_parse(&d, in.p, in.len, err, sizeof err) == 0,
		"json: %d levels are accepted", JSON_MAX_DEPTH_DEFAULT);
	sbuf_reset(&in);
	for (i = 0; i <= JSON_MAX_DEPTH_DEFAULT; i++)
		sbuf_put(&in, "{\"a\":", 5);
	sbuf_put(&in, "1", 1);
	for (i = 0; i <= JSON_MAX_DEPTH_DEFAULT; i++)
		sbuf_put(&in, "}", 1);
	unit_ok(json_parse(&d, in.p, in.len, err, sizeof err) < 0,
		"json: %d levels are refused", JSON_MAX_DEPTH_DEFAULT + 1);
	has(err, "nested deeper than 512 levels", "json depth");
	d.max_depth = 3;
	unit_ok(json_parse(&d, "[[[1]]]", 7, err, sizeof err) == 0,
		"json: max_depth 3 takes 3 levels");
	unit_ok(json_parse(&d, "[[[[1]]]]", 9, err, sizeof err) < 0,
		"json: max_depth 3 refuses 4");
	has(err, "invalid JSON at byte 4: nested deeper than 3 levels",
	    "json max_depth 3");
	json_doc_free(&d);
	sbuf_free(&in);
}

static void ndjson_max_line(void)
{
	char path[] = "/tmp/test_limits.XXXXXX", err[256];
	char *files[1] = { path };
	static volatile sig_atomic_t stop;
	struct ndjson_opts o = { 1000, { NULL, NULL, NULL, &stop } };
	struct ndjson_in *r;
	const char *line;
	size_t len;
	FILE *f;
	int fd = mkstemp(path);

	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		unit_ok(0, "ndjson: temp file");
		return;
	}
	fputs("{\"a\":1}\n\"", f);
	for (int i = 0; i < 5000; i++)
		fputc('x', f);
	fputs("\"\n{\"b\":2}\n", f);
	fclose(f);
	r = ndjson_open(files, 1, &o);
	unit_ok(ndjson_next(r, &line, &len, err, sizeof err) == NDJSON_LINE &&
		len == 7, "ndjson: a short line passes");
	unit_ok(ndjson_next(r, &line, &len, err, sizeof err) == NDJSON_TOOLONG &&
		len == 1000 && line[0] == '"' && line[999] == 'x',
		"ndjson: a line over --max-line is refused, with its head");
	unit_ok(ndjson_lineno(r) == 2, "ndjson: the long line is line 2");
	unit_ok(ndjson_next(r, &line, &len, err, sizeof err) == NDJSON_LINE &&
		len == 7 && memcmp(line, "{\"b\":2}", 7) == 0,
		"ndjson: reading goes on with the next line");
	unit_ok(ndjson_lineno(r) == 3, "ndjson: which is line 3");
	unit_ok(ndjson_next(r, &line, &len, err, sizeof err) == NDJSON_EOF,
		"ndjson: then the end");
	ndjson_close(r);
	stop = 1;
	r = ndjson_open(files, 1, &o);
	unit_ok(ndjson_next(r, &line, &len, err, sizeof err) == NDJSON_INTR,
		"ndjson: a stop request is seen before a read");
	ndjson_close(r);
	unlink(path);
}

static const char list_schema[] =
	"{\"type\":\"record\",\"name\":\"L\",\"fields\":[{\"name\":\"v\","
	"\"type\":\"long\"},{\"name\":\"next\",\"type\":[\"null\",\"L\"]}]}";

static int64_t decode(const char *schema, const struct sbuf *datum,
		      char *err, size_t errlen)
{
	struct avro_schema *s = avro_schema_parse(schema, strlen(schema), err,
						  errlen);
	struct avro_reader *rd;
	struct sbuf out = SBUF_INIT;
	int64_t used;

	if (!s)
		return -2;
	rd = avro_reader_new(s->root, NULL, AVRO_JSON_PLAIN, err, errlen);
	used = avro_read(rd, datum->p, datum->len, &out, err, errlen);
	avro_reader_free(rd);
	avro_schema_free(s);
	sbuf_free(&out);
	return used;
}

static void avro_limits(void)
{
	struct sbuf b = SBUF_INIT;
	char err[512];
	int64_t used;
	int i;

	/* A linked list 200 deep decodes, one 300 deep is refused. */
	for (i = 0; i < 80; i++) {
		put_long(&b, i);
		put_long(&b, i < 79 ? 1 : 0);
	}
	err[0] = '\0';
	used = decode(list_schema, &b, err, sizeof err);
	if (used != (int64_t)b.len)
		printf("# used %lld of %zu: %s\n", (long long)used, b.len, err);
	unit_ok(used == (int64_t)b.len,
		"avro: a recursive list of 80 decodes (about three levels a node)");
	sbuf_reset(&b);
	for (i = 0; i < 300; i++) {
		put_long(&b, i);
		put_long(&b, i < 299 ? 1 : 0);
	}
	unit_ok(decode(list_schema, &b, err, sizeof err) == -1,
		"avro: 300 levels are refused");
	has(err, "nested more than 256 levels", "avro depth");

	/* A string that claims more bytes than there are. */
	sbuf_reset(&b);
	put_long(&b, (int64_t)1 << 40);
	sbuf_put(&b, "abc", 3);
	unit_ok(decode("\"string\"", &b, err, sizeof err) == -1,
		"avro: a string longer than the datum is refused");
	has(err, "exceeds the 3 bytes left", "avro string length");
	sbuf_reset(&b);
	put_long(&b, -5);
	unit_ok(decode("\"bytes\"", &b, err, sizeof err) == -1,
		"avro: a negative length is refused");

	/* Counts: a billion longs in 3 bytes, a trillion nulls (no bytes
	 * each: bounded separately), a negative block count whose size lies. */
	sbuf_reset(&b);
	put_long(&b, 1000000000);
	put_long(&b, 1);
	unit_ok(decode("{\"type\":\"array\",\"items\":\"long\"}", &b, err,
		       sizeof err) == -1,
		"avro: an array count beyond the bytes left is refused");
	sbuf_reset(&b);
	put_long(&b, (int64_t)1 << 40);
	put_long(&b, 0);
	unit_ok(decode("{\"type\":\"array\",\"items\":\"null\"}", &b, err,
		       sizeof err) == -1,
		"avro: 2^40 null items are refused");
	sbuf_reset(&b);
	put_long(&b, INT64_MIN);
	unit_ok(decode("{\"type\":\"map\",\"values\":\"int\"}", &b, err,
		       sizeof err) == -1,
		"avro: the most negative block count is refused");

	/* A decimal's scale can be larger than its bytes have digits: an
	 * empty or one-byte unscaled value with scale 20 (this once wrote
	 * past a buffer sized by the bytes alone). */
	{
		static const char dec[] =
			"{\"type\":\"bytes\",\"logicalType\":\"decimal\","
			"\"precision\":30,\"scale\":20}";
		struct avro_schema *s = avro_schema_parse(dec, strlen(dec), err,
							  sizeof err);
		struct avro_reader *rd = s ? avro_reader_new(s->root, NULL,
			AVRO_JSON_PLAIN, err, sizeof err) : NULL;
		struct sbuf out = SBUF_INIT;

		sbuf_reset(&b);
		put_long(&b, 0);
		used = rd ? avro_read(rd, b.p, b.len, &out, err, sizeof err) : -1;
		sbuf_putc(&out, '\0');
		UNIT_STREQ(used == 1 ? out.p : err, "\"0.00000000000000000000\"",
			   "avro: an empty decimal with scale 20");
		sbuf_reset(&out);
		sbuf_reset(&b);
		put_long(&b, 1);
		sbuf_put(&b, "\xff", 1);
		used = rd ? avro_read(rd, b.p, b.len, &out, err, sizeof err) : -1;
		sbuf_putc(&out, '\0');
		UNIT_STREQ(used == 2 ? out.p : err, "\"-0.00000000000000000001\"",
			   "avro: decimal -1 with scale 20");
		sbuf_free(&out);
		avro_reader_free(rd);
		avro_schema_free(s);
	}
	sbuf_free(&b);
}

static int ocf_from(const struct sbuf *b, char *err, size_t errlen)
{
	struct avro_ocf *f;
	const uint8_t *data;
	size_t len;
	uint64_t count;
	int fd = memfd_create("test_limits", 0), rc;

	if (fd < 0 || write(fd, b->p, b->len) != (ssize_t)b->len)
		return -100;
	lseek(fd, 0, SEEK_SET);
	rc = avro_ocf_open(&f, fd, err, errlen);
	if (rc == 0) {
		rc = avro_ocf_next(f, &data, &len, &count, err, errlen);
		avro_ocf_close(f);
	}
	close(fd);
	return rc;
}

static void ocf_limits(void)
{
	static const uint8_t sync[16] = "0123456789abcdef";
	struct sbuf b = SBUF_INIT;
	char err[512];

	/* A block that claims 2 GiB, and then has 3 bytes. */
	avro_ocf_header(&b, "\"long\"", 6, AVRO_CODEC_NULL, sync);
	put_long(&b, 1);
	put_long(&b, (int64_t)2 << 30);
	sbuf_put(&b, "abc", 3);
	unit_ok(ocf_from(&b, err, sizeof err) == AVRO_OCF_EDATA,
		"avro container: a 2 GiB block is refused");
	printf("# %s\n", err);
	/* One that claims 1 MiB and ends early. */
	sbuf_reset(&b);
	avro_ocf_header(&b, "\"long\"", 6, AVRO_CODEC_NULL, sync);
	put_long(&b, 1);
	put_long(&b, 1 << 20);
	sbuf_put(&b, "abc", 3);
	unit_ok(ocf_from(&b, err, sizeof err) == AVRO_OCF_EDATA,
		"avro container: a truncated block is refused");
	printf("# %s\n", err);
	/* A negative count. */
	sbuf_reset(&b);
	avro_ocf_header(&b, "\"long\"", 6, AVRO_CODEC_NULL, sync);
	put_long(&b, -1);
	put_long(&b, 1);
	sbuf_put(&b, "\x02", 1);
	sbuf_put(&b, sync, 16);
	unit_ok(ocf_from(&b, err, sizeof err) == AVRO_OCF_EDATA,
		"avro container: a negative count is refused");
	printf("# %s\n", err);
	sbuf_free(&b);
}

/* A sparse file of size bytes. */
static int sparse(char *path, off_t size)
{
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, size) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static void file_sizes(void)
{
	char p1[] = "/tmp/test_limits_ckpt.XXXXXX";
	char p2[] = "/tmp/test_limits_state.XXXXXX";
	char err[512] = "";
	struct bulk_ckpt *c = bulk_ckpt_new();
	struct files_table t;

	unit_ok(sparse(p1, (off_t)65 << 20) == 0, "a 65 MiB checkpoint file");
	unit_ok(bulk_ckpt_load(c, p1, err, sizeof err) < 0,
		"checkpoint: a file over 64 MiB is refused");
	has(err, p1, "checkpoint size");
	printf("# %s\n", err);
	bulk_ckpt_free(c);
	unlink(p1);

	memset(&t, 0, sizeof t);
	err[0] = '\0';
	unit_ok(sparse(p2, (off_t)257 << 20) == 0, "a 257 MiB state file");
	unit_ok(files_state_load(&t, p2, err, sizeof err) < 0,
		"files state: a file over 256 MiB is refused");
	has(err, p2, "state size");
	printf("# %s\n", err);
	files_table_free(&t);
	unlink(p2);
}

/* Doubles beyond int64 format without an undefined cast (sbuf once cast
 * before checking the range; UBSan stops the sanitized build there). */
static void huge_doubles(void)
{
	static const struct {
		double v;
		const char *want;
	} t[] = {
		{ 1e300, "1e+300" },
		{ -3.4028234663852886e38, "-3.4028234663852886e+38" },
		{ 9.3e18, "9.3e+18" },
		{ -42, "-42" },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct sbuf b = SBUF_INIT;

		sbuf_put_double(&b, t[i].v);
		sbuf_putc(&b, '\0');
		UNIT_STREQ(b.p, t[i].want, "sbuf_put_double(%g)", t[i].v);
		sbuf_free(&b);
	}
	for (int i = 0; i < 2; i++) {
		struct sbuf b = SBUF_INIT;
		float f = i ? -3.4028235e38f : 1e20f;

		sbuf_put_float(&b, f);
		sbuf_putc(&b, '\0');
		UNIT_STREQ(b.p, i ? "-3.4028235e+38" : "1e+20", "sbuf_put_float(%g)",
			   (double)f);
		sbuf_free(&b);
	}
}

int main(void)
{
	huge_doubles();
	json_depth();
	ndjson_max_line();
	avro_limits();
	ocf_limits();
	file_sizes();
	return unit_done();
}
