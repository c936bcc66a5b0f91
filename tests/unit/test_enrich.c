/*
 * test_enrich: sw-enrich's pipeline at the library level, with a fixed
 * processing time, so every output is exact.  Covers the record edits that
 * the bats tests reach only indirectly: escaped keys, paths into values set
 * by earlier operations (the record re-parses itself), nested --flatten.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enrich_ops.h"
#include "enrich_uuid.h"
#include "unit.h"

struct ecase {
	const char *ops[6]; /* "name argument", applied in order */
	const char *in;
	const char *want;   /* outputs, '\n' after each; or "ERR: reason" */
};

static const struct ecase cases[] = {
	{ { "set a=1" }, "{}", "{\"a\":1}\n" },
	{ { "set a=1" }, "{\"b\":2}", "{\"b\":2,\"a\":1}\n" },
	{ { "set a=1" }, "{\"a\":0,\"b\":2}", "{\"a\":1,\"b\":2}\n" },
	{ { "set a=1" }, "{\"\\u0061\":0}", "{\"\\u0061\":1}\n" },
	{ { "set q\"k=1", "set q\"k=2" }, "{}", "{\"q\\\"k\":2}\n" },
	{ { "set x=[1, 2]" }, "{ \"y\" : null }", "{\"y\":null,\"x\":[1,2]}\n" },
	{ { "flatten .a.b[1]" }, "{\"a\":{\"b\":[0,{\"x\":1}]}}",
	  "{\"a\":{\"b\":[0]},\"x\":1}\n" },
	{ { "flatten .a.b[-1]" }, "{\"a\":{\"b\":[0,{\"x\":1}]}}",
	  "{\"a\":{\"b\":[0]},\"x\":1}\n" },
	{ { "flatten .a" }, "{\"b\":1}", "{\"b\":1}\n" },
	{ { "flatten .a" }, "{\"a\":null}", "{\"a\":null}\n" },
	{ { "flatten .a" }, "{\"a\":{}}", "{}\n" },
	{ { "flatten .a" }, "{\"a\":[1]}",
	  "ERR: --flatten .a: not an object (array)" },
	{ { "set a={\"x\":1,\"y\":2}", "flatten .a" }, "{\"x\":0}",
	  "{\"x\":1,\"y\":2}\n" },
	{ { "flatten .value", "time .ts" }, "{\"value\":{\"ts\":0}}",
	  "{\"ts\":\"1970-01-01T00:00:00.000Z\"}\n" },
	{ { "stage s" }, "{}",
	  "{\"_trace\":[{\"stage\":\"s\",\"at\":\"1970-01-01T00:00:01.000Z\"}]}\n" },
	{ { "set _trace=[1]", "stage s", "stage t" }, "{}",
	  "{\"_trace\":[1,{\"stage\":\"s\",\"at\":\"1970-01-01T00:00:01.000Z\"},"
	  "{\"stage\":\"t\",\"at\":\"1970-01-01T00:00:01.000Z\"}]}\n" },
	{ { "set _trace={}", "stage s" }, "{}", "ERR: _trace: not an array" },
	{ { "set n={\"t\":0}", "time .n.t" }, "{}",
	  "{\"n\":{\"t\":0},\"t\":\"1970-01-01T00:00:00.000Z\"}\n" },
	{ { "set t=5", "time .t * 1", "time-out o" }, "{}",
	  "{\"t\":5,\"o\":\"1970-01-01T00:00:05.000Z\"}\n" },
	{ { "set t=0.5", "lag", "since .t" }, "{}", "{\"t\":0.5,\"lag_ms\":500}\n" },
	{ { "lag=l", "since .t" }, "{\"t\":2}", "{\"t\":2,\"l\":-1000}\n" },
	{ { "lag", "since .t" }, "{\"t\":1.0005}", "{\"t\":1.0005,\"lag_ms\":-1}\n" },
	{ { "time .t" }, "{\"t\":\"soon\"}", "ERR: .t: not a timestamp: \"soon\"" },
	{ { "time .t" }, "{}", "ERR: .t: missing" },
	{ { "time .a[0]", "time-out t" }, "{\"a\":[\"2021-12-12T12:16:50+09:00\"]}",
	  "{\"a\":[\"2021-12-12T12:16:50+09:00\"],\"t\":\"2021-12-12T03:16:50.000Z\"}\n" },
	{ { "jq .[]", "set s=1" }, "[{\"a\":1},{\"a\":2}]",
	  "{\"a\":1,\"s\":1}\n{\"a\":2,\"s\":1}\n" },
	{ { "jq .[]", "set s=1" }, "[{\"a\":1},2]",
	  "ERR: --set: record is not an object (number)" },
	{ { "jq empty" }, "{}", "" },
	{ { "jq .[]", "jq .[]" }, "[[1,2],[3]]", "1\n2\n3\n" },
	{ { "where .a", "set k=1" }, "{\"a\":false}", "" },
	{ { "where .a", "set k=1" }, "{\"a\":0}", "{\"a\":0,\"k\":1}\n" },
	{ { "where .a == 1" }, "{\"a\":1,\"big\":12345678901234567890}",
	  "{\"a\":1,\"big\":12345678901234567890}\n" },
	{ { "where error(\"x\")" }, "{}", "ERR: --where: jq: error: x" },
	{ { "set a=1" }, "\"text\"", "ERR: --set: record is not an object (string)" },
	{ { "jq {l: .}", "processed-at" }, "\"text\"",
	  "{\"l\":\"text\",\"processed_at\":\"1970-01-01T00:00:01.000Z\"}\n" },
	{ { "processed-at=p", "time-output epoch_ms" }, "{}", "{\"p\":1000}\n" },
	{ { "set a=1", "jq del(.a)", "set b=2" }, "{\"a\":0}", "{\"b\":2}\n" },
};

static int add(struct enrich *e, const char *spec, char *err, size_t errlen)
{
	char name[32];
	const char *arg = strchr(spec, ' ');
	const char *field = NULL;
	size_t n;

	if (!arg)
		arg = spec + strlen(spec);
	n = (size_t)(arg - spec);
	if (*arg)
		arg++;
	snprintf(name, sizeof(name), "%.*s", (int)n, spec);
	if (strchr(name, '=')) {
		field = strchr(spec, '=') + 1;
		*strchr(name, '=') = '\0';
	}
	if (!strcmp(name, "set")) return enrich_add_set(e, arg, err, errlen);
	if (!strcmp(name, "flatten")) return enrich_add_flatten(e, arg, err, errlen);
	if (!strcmp(name, "time")) return enrich_add_time(e, arg, err, errlen);
	if (!strcmp(name, "time-out")) return enrich_set_time_out(e, arg, err, errlen);
	if (!strcmp(name, "time-output")) return enrich_set_time_output(e, arg, err, errlen);
	if (!strcmp(name, "stage")) return enrich_add_stage(e, arg, err, errlen);
	if (!strcmp(name, "lag")) return enrich_add_lag(e, field, err, errlen);
	if (!strcmp(name, "since")) return enrich_set_since(e, arg, err, errlen);
	if (!strcmp(name, "jq")) return enrich_add_jq(e, arg, err, errlen);
	if (!strcmp(name, "where")) return enrich_add_where(e, arg, err, errlen);
	if (!strcmp(name, "processed-at"))
		return enrich_add_processed_at(e, field, err, errlen);
	snprintf(err, errlen, "test: unknown operation %s", name);
	return -1;
}

static void collect(void *ctx, struct enrich_rec *r)
{
	struct sbuf *b = ctx;

	enrich_rec_write(r, b);
	sbuf_putc(b, '\n');
}

static void check(const struct ecase *c)
{
	struct enrich *e = enrich_new();
	struct json_doc d;
	struct sbuf got = SBUF_INIT;
	char err[512] = "";
	size_t i;

	json_doc_init(&d);
	for (i = 0; i < 6 && c->ops[i]; i++) {
		if (add(e, c->ops[i], err, sizeof(err)) < 0)
			break;
	}
	if ((i < 6 && c->ops[i]) || enrich_ready(e, err, sizeof(err)) < 0 ||
	    json_parse(&d, c->in, strlen(c->in), err, sizeof(err)) < 0) {
		unit_ok(0, "%s: set-up: %s", c->ops[0], err);
		goto out;
	}
	/* twice: a record must not see the last one's state */
	for (int round = 0; round < 2; round++) {
		sbuf_reset(&got);
		if (enrich_run(e, &d, 1000000, collect, &got, err, sizeof(err)) < 0) {
			sbuf_reset(&got);
			sbuf_printf(&got, "ERR: %s", err);
		}
	}
	UNIT_STREQ(got.p ? got.p : "", c->want, "%s%s%s on %s", c->ops[0],
		   c->ops[1] ? " | " : "", c->ops[1] ? c->ops[1] : "", c->in);
out:
	sbuf_free(&got);
	json_doc_free(&d);
	enrich_free(e);
}

static void check_usage(void)
{
	static const char *const bad[][3] = {
		{ "lag", NULL },
		{ "since .t", NULL },
		{ "time-out x", NULL },
		{ "time .a | .b", NULL },
		{ "flatten .", NULL },
		{ "flatten .[0]", NULL },
		{ "lag", "since .a", "since .b" },
		{ "set =1", NULL },
		{ "set a", NULL },
		{ "jq .[", NULL },
		{ "time-output iso", NULL },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct enrich *e = enrich_new();
		char err[512] = "";
		int rc = 0;

		for (int j = 0; j < 3 && bad[i][j] && rc == 0; j++)
			rc = add(e, bad[i][j], err, sizeof(err));
		if (rc == 0)
			rc = enrich_ready(e, err, sizeof(err));
		unit_ok(rc < 0 && err[0], "refused: %s%s%s (%s)", bad[i][0],
			bad[i][1] ? " | " : "", bad[i][1] ? bad[i][1] : "", err);
		enrich_free(e);
	}
}

static void check_uuids(void)
{
	struct uuidgen *g = malloc(sizeof(*g));
	unsigned char u[16], prev[16] = { 0 };
	char text[37], err[128];
	int bad = 0;

	uuidgen_init(g);
	for (int i = 0; i < 20000; i++) {
		uuidgen_v4(g, u, err, sizeof(err));
		bad += (u[6] >> 4) != 4 || (u[8] & 0xc0) != 0x80 ||
		       memcmp(u, prev, 16) == 0;
		memcpy(prev, u, 16);
	}
	unit_ok(bad == 0, "v4: version and variant bits, 20000 times");
	bad = 0;
	for (int i = 0; i < 20000; i++) {
		uuidgen_v1(g, u, err, sizeof(err));
		bad += (u[6] >> 4) != 1 || (u[8] & 0xc0) != 0x80 ||
		       !(u[10] & 1) || memcmp(u, prev, 16) == 0;
		memcpy(prev, u, 16);
	}
	unit_ok(bad == 0, "v1: version, variant and multicast bits, 20000 times");
	memset(u, 0, 16);
	u[0] = 0x01;
	u[15] = 0xef;
	uuid_format(u, text);
	text[36] = '\0';
	UNIT_STREQ(text, "01000000-0000-0000-0000-0000000000ef", "uuid_format");
	free(g);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		check(&cases[i]);
	check_usage();
	check_uuids();
	return unit_done();
}
