/* Unit tests for common/sinkf_part, sinkf_log, sinkf_enc and avro_infer
 * (sw-sink-files). */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "avro_infer.h"
#include "json.h"
#include "sbuf.h"
#include "sinkf_enc.h"
#include "sinkf_log.h"
#include "sinkf_part.h"
#include "unit.h"

static char tmpdir[] = "/tmp/test_sinkf.XXXXXX";

static void test_hive_escape(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "plain", "plain" },
		{ "", "__HIVE_DEFAULT_PARTITION__" },
		{ "a/b", "a%2Fb" },
		{ "50%=x", "50%25%3Dx" },
		{ "a:b#c?d*e'f\"g", "a%3Ab%23c%3Fd%2Ae%27f%22g" },
		{ "x\\y{z[1]^", "x%5Cy%7Bz%5B1%5D%5E" },
		{ "tab\there\x7f", "tab%09here%7F" },
		{ "sp ace,é", "sp ace,é" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct sbuf b = SBUF_INIT;

		sinkf_hive_escape(&b, cases[i].in, strlen(cases[i].in));
		sbuf_putc(&b, '|');
		unit_ok(b.len == strlen(cases[i].want) + 1 &&
				memcmp(b.p, cases[i].want, b.len - 1) == 0,
			"hive escape, case %zu: %s", i, b.p);
		sbuf_free(&b);
	}
}

static void test_part_key(void)
{
	struct timefmt tf = TIMEFMT_INIT;
	struct sinkf_part *p = sinkf_part_new();
	struct json_doc d;
	struct sbuf k = SBUF_INIT;
	char err[256];
	const char *rec = "{\"a\":{\"b\":\"x y\"},\"n\":3,\"t\":\"2021-12-12T12:16:50Z\"}";

	json_doc_init(&d);
	unit_ok(sinkf_part_add_field(p, "B=.a.b", err, sizeof err) == 0, "NAME=PATH");
	unit_ok(sinkf_part_add_time(p, ".t", &tf, err, sizeof err) == 0, "time");
	unit_ok(sinkf_part_ready(p, err, sizeof err) < 0 &&
		strstr(err, "needs --partition-format"), "time needs a format");
	sinkf_part_set_format(p, "dt=%Y-%m-%d/hour=%H");
	unit_ok(sinkf_part_add_field(p, ".n", err, sizeof err) == 0, "PATH");
	unit_ok(sinkf_part_ready(p, err, sizeof err) == 0, "ready");
	json_parse(&d, rec, strlen(rec), err, sizeof err);
	unit_ok(sinkf_part_key(p, &d, &k, err, sizeof err) == 0, "key");
	UNIT_STREQ(k.p, "B=x y/dt=2021-12-12/hour=12/n=3", "key in the order given");
	json_parse(&d, "{\"n\":1}", 7, err, sizeof err);
	sbuf_reset(&k);
	unit_ok(sinkf_part_key(p, &d, &k, err, sizeof err) < 0 &&
		strcmp(err, ".t: missing") == 0, "missing time: %s", err);
	sinkf_part_free(p);
	json_doc_free(&d);
	sbuf_free(&k);
}

static void infer(const char *const *lines, size_t n, const char *want,
		  const char *what)
{
	struct avro_infer *a = avro_infer_new();
	struct json_doc d;
	struct sbuf out = SBUF_INIT;
	char err[256];

	json_doc_init(&d);
	for (size_t i = 0; i < n; i++) {
		json_parse(&d, lines[i], strlen(lines[i]), err, sizeof err);
		avro_infer_add(a, &d, err, sizeof err);
	}
	if (avro_infer_schema(a, &out, err, sizeof err) < 0)
		UNIT_STREQ(err, want, "%s", what);
	else
		UNIT_STREQ(out.p, want, "%s", what);
	avro_infer_free(a);
	json_doc_free(&d);
	sbuf_free(&out);
}

static void test_infer(void)
{
	const char *widen[] = { "{\"a\":1,\"s\":\"x\"}", "{\"a\":1.5,\"s\":null}" };
	const char *mixed[] = { "{\"m\":1}", "{\"m\":\"one\"}", "{\"m\":[true]}" };
	const char *nested[] = { "{\"r\":{\"x\":[{\"y\":1},{\"y\":null}]}}" };
	const char *bad[] = { "{\"a-b\":1}" };

	infer(widen, 2, "{\"type\":\"record\",\"name\":\"topLevelRecord\",\"fields\":[{\"name\":\"a\",\"type\":[\"null\",\"double\"],\"default\":null},{\"name\":\"s\",\"type\":[\"null\",\"string\"],\"default\":null}]}",
	      "long widens to double; null keeps the kind");
	infer(mixed, 3, "{\"type\":\"record\",\"name\":\"topLevelRecord\",\"fields\":[{\"name\":\"m\",\"type\":[\"null\",\"long\",\"string\",{\"type\":\"array\",\"items\":\"boolean\"}],\"default\":null}]}",
	      "several kinds: a union");
	infer(nested, 1, "{\"type\":\"record\",\"name\":\"topLevelRecord\",\"fields\":[{\"name\":\"r\",\"type\":[\"null\",{\"type\":\"record\",\"name\":\"topLevelRecord_r\",\"fields\":[{\"name\":\"x\",\"type\":[\"null\",{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":\"topLevelRecord_r_x_item\",\"fields\":[{\"name\":\"y\",\"type\":[\"null\",\"long\"],\"default\":null}]}}],\"default\":null}]}],\"default\":null}]}",
	      "nested records named by path");
	infer(bad, 1, "field \"a-b\" is not an Avro name ([A-Za-z_][A-Za-z0-9_]*)",
	      "a key that is not a name");
	infer(NULL, 0, "no records to infer a schema from", "nothing sampled");
}

static void test_log(void)
{
	struct sinkf_log l;
	struct sinkf_offsets o = { 0 };
	char err[256], path[256];
	char *files[] = { "a=1/part-000001-x.ndjson", "part-000002-y.ndjson" };
	int fd;

	unit_ok(sinkf_log_open(&l, tmpdir, err, sizeof err) == 0, "log opens");
	sinkf_offsets_at(&o, "web", 3, 1)->next = 43;
	sinkf_offsets_at(&o, "web", 3, 0)->next = 7;
	sinkf_offsets_at(&o, "t\"q", 3, 2)->next = 1;
	unit_ok(sinkf_log_commit(&l, files, 2, 2, 10, &o, err, sizeof err) == 0,
		"commit");
	sinkf_log_close(&l);
	snprintf(path, sizeof path, "%s/_sw_log", tmpdir);
	fd = open(path, O_WRONLY | O_APPEND);
	unit_ok(write(fd, "{\"commit\":2,", 12) == 12, "torn line");
	close(fd);
	unit_ok(sinkf_log_open(&l, tmpdir, err, sizeof err) == 0, "log reopens");
	unit_ok(l.truncated == 12 && l.commits == 1 && l.last_part == 2,
		"torn line cut off");
	unit_ok(sinkf_log_has(&l, "a=1/part-000001-x.ndjson") &&
		sinkf_log_has(&l, "part-000002-y.ndjson") &&
		!sinkf_log_has(&l, "part-000003-z.ndjson"), "names");
	struct sbuf b = SBUF_INIT;
	sinkf_offsets_format(&l.offsets, &b);
	UNIT_STREQ(b.p, "{\"web\":{\"1\":43,\"0\":7},\"t\\\"q\":{\"2\":1}}",
		   "offsets back");
	sbuf_free(&b);
	sinkf_log_close(&l);
	sinkf_offsets_free(&o);
	unlink(path);
}

static void test_codecs(void)
{
	enum sinkf_codec c;
	char err[256];

	unit_ok(sinkf_codec_parse("null", SINKF_AVRO, &c, err, sizeof err) == 0 &&
		c == SINKF_CODEC_NONE, "null is none");
	unit_ok(sinkf_codec_parse("deflate", SINKF_NDJSON, &c, err, sizeof err) < 0,
		"ndjson has no deflate");
	UNIT_STREQ(err, "codec deflate is not one of ndjson's (none, gzip, zstd)",
		   "the message lists the format's codecs");
	UNIT_STREQ(sinkf_ext(SINKF_NDJSON, SINKF_CODEC_ZSTD), "ndjson.zst", "ext");
	unit_ok(sinkf_codec_default(SINKF_PARQUET) == SINKF_CODEC_SNAPPY,
		"parquet defaults to snappy");
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	test_hive_escape();
	test_part_key();
	test_infer();
	test_log();
	test_codecs();
	rmdir(tmpdir);
	return unit_done();
}
