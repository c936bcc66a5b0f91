/*
 * test_kafka: the kafka_ modules without a broker: offset specs, where
 * partitions start and go on, format names, bytes to JSON per format,
 * checkpoint files, -F property files and the mock's JoinGroup guard.
 * The envelope readers are test_kafka_rec.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "json.h"
#include "kafka_conf.h"
#include "kafka_envelope.h"
#include "kafka_mockguard.h"
#include "kafka_offset.h"
#include "sbuf.h"
#include "unit.h"

struct offcase {
	const char *in;
	const char *want; /* "KIND V", "END MS" or "ERR" */
};

static const struct offcase offcases[] = {
	{ "beginning", "beginning 0" },
	{ "earliest", "beginning 0" },
	{ "end", "end 0" },
	{ "latest", "end 0" },
	{ "stored", "stored 0" },
	{ "0", "abs 0" },
	{ "42", "abs 42" },
	{ "-5", "tail 5" },
	{ "-0", "abs 0" },
	{ "s@1639277668791", "time 1639277668791" },
	{ "e@1639277668791", "endms 1639277668791" },
	{ "@2021-12-12T02:54:28.791Z", "time 1639277668791" },
	{ "@1639277668", "time 1639277668000" },
	{ "@2021-12-12 11:54:28.5", "time 1639310068500" },
	{ "s@", "ERR" },
	{ "e@x", "ERR" },
	{ "@yesterday", "ERR" },
	{ "4x", "ERR" },
	{ "", "ERR" },
	{ "begin", "ERR" },
};

static void test_offspec(void)
{
	static const char *kinds[] = { "beginning", "end", "stored",
				       "abs", "tail", "time" };
	char got[64], err[256];
	size_t i;

	for (i = 0; i < sizeof(offcases) / sizeof(offcases[0]); i++) {
		struct kafka_offspec o = { KAFKA_OFF_BEGINNING, 0 };
		int64_t end = -1;

		if (kafka_offspec_parse(offcases[i].in, &o, &end, err,
					sizeof(err)) < 0)
			snprintf(got, sizeof(got), "ERR");
		else if (end >= 0)
			snprintf(got, sizeof(got), "endms %lld", (long long)end);
		else
			snprintf(got, sizeof(got), "%s %lld", kinds[o.kind],
				 (long long)o.v);
		UNIT_STREQ(got, offcases[i].want, "offset spec '%s'",
			   offcases[i].in);
	}
}

static void test_formats(void)
{
	static const struct {
		const char *name;
		int ok;
	} cases[] = { { "json", 1 }, { "string", 1 }, { "base64", 1 },
		      { "avro", 1 }, { "xml", 0 }, { "", 0 } };
	enum valfmt f;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		unit_ok((valfmt_parse(cases[i].name, "avro", &f, err, sizeof(err)) ==
			 0) == cases[i].ok,
			"format '%s' %s", cases[i].name,
			cases[i].ok ? "accepted" : "refused");
	valfmt_parse("xml", "avro", &f, err, sizeof(err));
	UNIT_STREQ(err, "xml: expected json|string|base64|avro",
		   "an unknown format names the known ones");
}

struct b2j {
	enum valfmt f;
	const char *in;
	size_t n;
	const char *want; /* or "ERR" */
};

static const struct b2j b2jcases[] = {
	{ VALFMT_JSON, "{ \"a\" : [1, 2] }", 16, "{\"a\":[1,2]}" },
	{ VALFMT_JSON, "nope", 4, "ERR" },
	{ VALFMT_JSON, "", 0, "ERR" },
	{ VALFMT_STRING, "caf\xc3\xa9 \"q\"", 9, "\"caf\xc3\xa9 \\\"q\\\"\"" },
	{ VALFMT_STRING, "\xff\xfe", 2, "ERR" },
	{ VALFMT_STRING, "", 0, "\"\"" },
	{ VALFMT_BASE64, "\xff\x00\x01", 3, "\"/wAB\"" },
	{ VALFMT_BASE64, NULL, 0, "null" },
	{ VALFMT_JSON, NULL, 0, "null" },
	{ VALFMT_CODEC, "\x02", 1, "ERR" }, /* needs a context */
};

static void test_bytes_to_json(void)
{
	struct json_doc d;
	struct sbuf b = SBUF_INIT;
	char err[256];
	size_t i;

	json_doc_init(&d);
	for (i = 0; i < sizeof(b2jcases) / sizeof(b2jcases[0]); i++) {
		const struct b2j *c = &b2jcases[i];

		sbuf_reset(&b);
		if (valfmt_to_json(&b, c->f, NULL, c->in, c->n, &d, err,
					sizeof(err)) < 0)
			UNIT_STREQ("ERR", c->want, "bytes to JSON case %zu", i);
		else
			UNIT_STREQ(b.p, c->want, "bytes to JSON case %zu", i);
	}
	sbuf_free(&b);
	json_doc_free(&d);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

static void test_resume(void)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{ "{\"offsets\":{\"web\":{\"0\":43,\"1\":17},\"x y\":{\"2\":0}}}",
		  "web/0@43 web/1@17 x y/2@0" },
		{ "{\"offsets\":{}}", "" },
		{ "{\"offsets\":{\"web\":{\"a\":1}}}", "ERR" },
		{ "{\"offsets\":{\"web\":{\"0\":-1}}}", "ERR" },
		{ "{\"offsets\":[]}", "ERR" },
		{ "{\"web\":{\"0\":1}}", "ERR" },
		{ "not json", "ERR" },
	};
	char path[] = "/tmp/test_kafka.XXXXXX", err[256];
	struct sbuf got = SBUF_INIT;
	rd_kafka_topic_partition_list_t *l;
	size_t i;
	int fd = mkstemp(path), k;

	close(fd);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_file(path, cases[i].text);
		sbuf_reset(&got);
		if (kafka_resume_load(path, &l, err, sizeof(err)) < 0) {
			sbuf_puts(&got, "ERR");
		} else {
			for (k = 0; l && k < l->cnt; k++)
				sbuf_printf(&got, "%s%s/%d@%lld", k ? " " : "",
					    l->elems[k].topic,
					    (int)l->elems[k].partition,
					    (long long)l->elems[k].offset);
			if (l)
				rd_kafka_topic_partition_list_destroy(l);
		}
		UNIT_STREQ(got.p ? got.p : "", cases[i].want, "checkpoint %zu",
			   i);
	}
	unlink(path);
	l = (void *)1;
	unit_ok(kafka_resume_load(path, &l, err, sizeof(err)) == 0 && !l,
		"a missing checkpoint means nothing to resume");
	sbuf_free(&got);
}

static void test_conf_file(void)
{
	char path[] = "/tmp/test_kafka.XXXXXX", err[512], val[256];
	struct kafka_opts o = { 0 };
	rd_kafka_conf_t *conf;
	size_t n = sizeof(val);
	int fd = mkstemp(path);

	close(fd);
	write_file(path, "# comment\n\n  client.id = from-file \nlinger.ms=7\n");
	kafka_opts_add_file(&o, path);
	kafka_opts_add_prop(&o, "linger.ms=9");
	o.brokers = "h1:1,h2:2";
	unit_ok(kafka_conf_new(&conf, &o, NULL, err, sizeof(err)) == 0,
		"conf from file, -X and -b");
	rd_kafka_conf_get(conf, "client.id", val, &n);
	UNIT_STREQ(val, "from-file", "file value trimmed");
	n = sizeof(val);
	rd_kafka_conf_get(conf, "linger.ms", val, &n);
	UNIT_STREQ(val, "9", "-X wins over -F");
	n = sizeof(val);
	rd_kafka_conf_get(conf, "bootstrap.servers", val, &n);
	UNIT_STREQ(val, "h1:1,h2:2", "-b wins");
	rd_kafka_conf_destroy(conf);
	write_file(path, "linger.ms\n");
	unit_ok(kafka_conf_new(&conf, &o, NULL, err, sizeof(err)) < 0 &&
			strstr(err, ":1: expected name=value"),
		"a line without = is refused with its number");
	kafka_opts_free(&o);
	kafka_opts_add_prop(&o, "no.such.thing=1");
	unit_ok(kafka_conf_new(&conf, &o, NULL, err, sizeof(err)) < 0 &&
			!strncmp(err, "-X no.such.thing=1: ", 20),
		"an unknown property names the -X");
	kafka_opts_free(&o);
	unlink(path);
}

static void put16(struct sbuf *b, int v)
{
	sbuf_putc(b, (char)(v >> 8));
	sbuf_putc(b, (char)v);
}

static void put32(struct sbuf *b, int32_t v)
{
	put16(b, (int)(v >> 16));
	put16(b, v & 0xffff);
}

static void putstr(struct sbuf *b, const char *s)
{
	if (!s) {
		put16(b, -1);
		return;
	}
	put16(b, (int)strlen(s));
	sbuf_puts(b, s);
}

/* A JoinGroup request of version ver, framed, with protocols (NULL-ended). */
static void join(struct sbuf *b, int ver, const char *group,
		 const char *const *protos)
{
	struct sbuf r = SBUF_INIT;
	int n = 0;

	put16(&r, 11);
	put16(&r, ver);
	put32(&r, 7);
	putstr(&r, "client");
	putstr(&r, group);
	put32(&r, 6000);
	if (ver >= 1)
		put32(&r, 300000);
	putstr(&r, "");
	if (ver >= 5)
		putstr(&r, NULL);
	putstr(&r, "consumer");
	while (protos[n])
		n++;
	put32(&r, n);
	for (int i = 0; i < n; i++) {
		putstr(&r, protos[i]);
		put32(&r, 3);
		sbuf_put(&r, "abc", 3);
	}
	put32(b, (int32_t)r.len);
	sbuf_put(b, r.p, r.len);
	sbuf_free(&r);
}

static void leave(struct sbuf *b, const char *group)
{
	struct sbuf r = SBUF_INIT;

	put16(&r, 13);
	put16(&r, 1);
	put32(&r, 8);
	putstr(&r, "client");
	putstr(&r, group);
	putstr(&r, "member-1");
	put32(b, (int32_t)r.len);
	sbuf_put(b, r.p, r.len);
	sbuf_free(&r);
}

/* Feeds b to conn in pieces of step bytes (0: at once); returns the
 * refusals. */
static int feed(struct mockguard *g, int conn, const struct sbuf *b,
		size_t step)
{
	int n = 0;

	for (size_t i = 0; i < b->len; i += step ? step : b->len) {
		size_t k = step && b->len - i > step ? step : b->len - i;

		n += mockguard_feed(g, conn, b->p + i, k);
	}
	return n;
}

static void test_mockguard(void)
{
	static const char *const range[] = { "range", "roundrobin", NULL };
	static const char *const rr[] = { "roundrobin", "range", NULL };
	static const char *const kjs[] = { "RoundRobinAssigner", NULL };
	struct mockguard *g = mockguard_new();
	struct sbuf b = SBUF_INIT, big = SBUF_INIT;

	for (size_t step = 0; step <= 7; step += 7) {
		mockguard_open(g, 5);
		mockguard_open(g, 6);
		sbuf_reset(&b);
		join(&b, 5, "g", range);
		unit_ok(feed(g, 5, &b, step) == 0, "the first member is let in (step %zu)",
			step);
		/* a produce request in between, in pieces too */
		sbuf_reset(&big);
		put32(&big, 5000);
		put16(&big, 0);
		for (int i = 0; i < 4998; i++)
			sbuf_putc(&big, 'x');
		unit_ok(feed(g, 5, &big, step ? 1000 : 0) == 0, "other requests pass");
		sbuf_reset(&b);
		join(&b, 2, "g", rr);
		unit_ok(feed(g, 6, &b, step) == 1, "another first protocol is refused (step %zu)",
			step);
		unit_ok(strstr(mockguard_why(g),
			       "group g: a member asks for assignment protocol roundrobin first, the group's members use range") != NULL,
			"why: %s", mockguard_why(g));
		sbuf_reset(&b);
		join(&b, 0, "g", range);
		unit_ok(feed(g, 6, &b, step) == 0, "the same first protocol joins (v0)");
		sbuf_reset(&b);
		join(&b, 5, "other", kjs);
		unit_ok(feed(g, 7, &b, step) == 0, "another group is another matter");
		/* the member that rejoins is compared with the others only */
		sbuf_reset(&b);
		join(&b, 5, "g", range);
		unit_ok(feed(g, 5, &b, step) == 0, "a rejoin is let in");
		sbuf_reset(&b);
		leave(&b, "g");
		feed(g, 5, &b, step);
		mockguard_close(g, 6);
		sbuf_reset(&b);
		join(&b, 5, "g", kjs);
		unit_ok(feed(g, 8, &b, step) == 0,
			"after the members left or closed, any protocol starts the group");
		mockguard_close(g, 7);
		mockguard_close(g, 8);
	}
	/* two requests in one read */
	sbuf_reset(&b);
	join(&b, 5, "h", range);
	join(&b, 5, "h", rr);
	unit_ok(feed(g, 9, &b, 0) == 0, "one connection rejoining with another protocol");
	sbuf_reset(&b);
	join(&b, 5, "h", range);
	unit_ok(feed(g, 10, &b, 0) == 1, "is compared by its last JoinGroup");
	mockguard_free(g);
	sbuf_free(&b);
	sbuf_free(&big);
}

/* A SyncGroup request (version ver, correlation id corr), framed: a
 * leader's when members is not NULL (NULL-ended; each assigned the bytes
 * "A-" and its name). */
static void sync_req(struct sbuf *b, int ver, int32_t corr, const char *group,
		     int32_t gen, const char *member, const char *const *members)
{
	struct sbuf r = SBUF_INIT;
	int n = 0;

	put16(&r, 14);
	put16(&r, ver);
	put32(&r, corr);
	putstr(&r, "client");
	putstr(&r, group);
	put32(&r, gen);
	putstr(&r, member);
	if (ver >= 3)
		putstr(&r, NULL);
	while (members && members[n])
		n++;
	put32(&r, n);
	for (int i = 0; i < n; i++) {
		putstr(&r, members[i]);
		put32(&r, (int32_t)strlen(members[i]) + 2);
		sbuf_puts(&r, "A-");
		sbuf_puts(&r, members[i]);
	}
	put32(b, (int32_t)r.len);
	sbuf_put(b, r.p, r.len);
	sbuf_free(&r);
}

/* The mock's SyncGroup response (version >= 1) with error err, no
 * assignment. */
static void sync_resp(struct sbuf *b, int32_t corr, int err)
{
	put32(b, 14);
	put32(b, corr);
	put32(b, 0);
	put16(b, err);
	put32(b, -1);
}

/* The mock's answer to request corr on conn, with error err, less its last
 * cut bytes: whether the guard replaces it (into out). */
static int replaced(struct mockguard *g, int conn, int32_t corr, int err,
		    size_t cut, struct sbuf *out)
{
	struct sbuf b = SBUF_INIT;
	int r;

	sync_resp(&b, corr, err);
	r = mockguard_replace(g, conn, (unsigned char *)b.p, b.len - cut, out);
	sbuf_free(&b);
	return r;
}

/* A follower's SyncGroup (version 1) on conn, then the mock's answer with
 * error err: whether the guard replaces it (into out). */
static int follower(struct mockguard *g, int conn, int32_t corr, int32_t gen,
		    const char *member, int err, struct sbuf *out)
{
	struct sbuf b = SBUF_INIT;

	sync_req(&b, 1, corr, "g", gen, member, NULL);
	feed(g, conn, &b, 4);
	sbuf_free(&b);
	return replaced(g, conn, corr, err, 0, out);
}

static void test_mockguard_sync(void)
{
	static const char *const members[] = { "m1", "m2", "m3", NULL };
	struct mockguard *g = mockguard_new();
	struct sbuf b = SBUF_INIT, out = SBUF_INIT, want = SBUF_INIT;

	/* m3 syncs before its leader: the mock answers it itself */
	sbuf_reset(&b);
	sync_req(&b, 3, 4, "g", 7, "m3", NULL);
	feed(g, 7, &b, 5);
	sbuf_reset(&b);
	sync_req(&b, 3, 1, "g", 7, "m1", members);
	feed(g, 5, &b, 3);
	unit_ok(!replaced(g, 7, 4, 0, 0, &out),
		"a SyncGroup before the leader's is the mock's to answer");
	/* m2 syncs after it (in pieces, version 1) */
	sbuf_reset(&b);
	sync_req(&b, 1, 9, "g", 7, "m2", NULL);
	feed(g, 6, &b, 4);
	unit_ok(!replaced(g, 6, 8, 42, 0, &out), "another request's response passes");
	unit_ok(!replaced(g, 6, 9, 42, 1, &out), "part of a response passes");
	unit_ok(replaced(g, 6, 9, 42, 0, &out),
		"INVALID_REQUEST to a late member is replaced");
	put32(&want, 4 + 4 + 2 + 4 + 4);
	put32(&want, 9);
	put32(&want, 0);
	put16(&want, 0);
	put32(&want, 4);
	sbuf_puts(&want, "A-m2");
	unit_ok(out.len == want.len && memcmp(out.p, want.p, out.len) == 0,
		"by no error and the member's assignment from the leader's");
	unit_ok(!replaced(g, 6, 9, 42, 0, &out), "once");
	/* another generation, another error: left alone */
	unit_ok(!follower(g, 6, 10, 6, "m2", 42, &out),
		"a SyncGroup of an older generation is not answered");
	unit_ok(!follower(g, 6, 11, 7, "m2", 27, &out),
		"nor one the mock refuses for another reason");
	unit_ok(!follower(g, 6, 12, 7, "m9", 42, &out),
		"nor a member the leader did not assign");
	/* a new generation's leader replaces what was kept */
	sbuf_reset(&b);
	sync_req(&b, 1, 2, "g", 8, "m1", members);
	feed(g, 5, &b, 0);
	unit_ok(follower(g, 7, 13, 8, "m3", 42, &out) && out.len == 22 &&
			memcmp(out.p + 18, "A-m3", 4) == 0,
		"the next generation's late member too");
	/* a late member noted and never answered is freed with its
	 * connection, or with the guard (sanitizers check) */
	sbuf_reset(&b);
	sync_req(&b, 1, 14, "g", 8, "m2", NULL);
	feed(g, 6, &b, 0);
	feed(g, 8, &b, 0);
	mockguard_close(g, 6);
	mockguard_free(g);
	sbuf_free(&b);
	sbuf_free(&out);
	sbuf_free(&want);
}

/* A Metadata request (version ver, correlation id corr), framed. */
static void metadata_req(struct sbuf *b, int ver, int32_t corr)
{
	struct sbuf r = SBUF_INIT;

	put16(&r, 3);
	put16(&r, ver);
	put32(&r, corr);
	putstr(&r, "client");
	put32(&r, -1); /* all topics */
	put32(b, (int32_t)r.len);
	sbuf_put(b, r.p, r.len);
	sbuf_free(&r);
}

/* The mock's Metadata response of version ver: brokers 1..n, controller
 * 0, no topics; *at: where the controller id is in b. */
static void metadata_resp(struct sbuf *b, int ver, int32_t corr, int n,
			  size_t *at)
{
	struct sbuf r = SBUF_INIT;

	put32(&r, corr);
	if (ver >= 3)
		put32(&r, 0);
	put32(&r, n);
	for (int i = 1; i <= n; i++) {
		put32(&r, i);
		putstr(&r, "127.0.0.1");
		put32(&r, 9000 + i);
		putstr(&r, i == 2 ? "rack-b" : NULL);
	}
	if (ver >= 2)
		putstr(&r, "mockCluster");
	*at = b->len + 4 + r.len;
	put32(&r, 0);
	put32(&r, 0); /* topics */
	put32(b, (int32_t)r.len);
	sbuf_put(b, r.p, r.len);
	sbuf_free(&r);
}

static int32_t be32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (int32_t)((uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 |
			 (uint32_t)u[2] << 8 | u[3]);
}

static void test_controller(void)
{
	struct mockguard *g = mockguard_new();
	struct sbuf req = SBUF_INIT, out = SBUF_INIT;
	size_t at, at2;

	for (int ver = 1; ver <= 8; ver++) {
		for (size_t step = 1; step <= 64; step *= 4) {
			sbuf_reset(&req);
			sbuf_reset(&out);
			metadata_req(&req, ver, 100 + ver);
			mockguard_feed(g, 3, req.p, req.len);
			/* another response first, then the Metadata one */
			put32(&out, 8);
			put32(&out, 99);
			put32(&out, 0);
			metadata_resp(&out, ver, 100 + ver, 3, &at);
			/* sent in pieces; each first looked at in full, as a
			 * partial send leaves the rest for the next call */
			for (size_t i = 0; i < out.len;) {
				size_t k = out.len - i < step ? out.len - i : step;

				mockguard_out(g, 3, (unsigned char *)out.p + i,
					      out.len - i);
				mockguard_sent(g, 3, (unsigned char *)out.p + i, k);
				i += k;
			}
			unit_ok(be32(out.p + at) == 1 && be32(out.p + 8) == 0,
				"v%d, pieces of %zu: controller %d", ver, step,
				(int)be32(out.p + at));
		}
	}
	/* a response to no Metadata request is left alone */
	sbuf_reset(&out);
	metadata_resp(&out, 4, 555, 2, &at);
	mockguard_out(g, 3, (unsigned char *)out.p, out.len);
	mockguard_sent(g, 3, (unsigned char *)out.p, out.len);
	unit_ok(be32(out.p + at) == 0, "an unasked response is not rewritten");
	/* version 0 has no controller; two answers in one send */
	sbuf_reset(&req);
	metadata_req(&req, 0, 1);
	metadata_req(&req, 5, 2);
	metadata_req(&req, 2, 3);
	mockguard_feed(g, 4, req.p, req.len);
	sbuf_reset(&out);
	put32(&out, 8);
	put32(&out, 1);
	put32(&out, 0);
	metadata_resp(&out, 5, 2, 1, &at);
	metadata_resp(&out, 2, 3, 2, &at2);
	mockguard_out(g, 4, (unsigned char *)out.p, out.len);
	mockguard_sent(g, 4, (unsigned char *)out.p, out.len);
	unit_ok(be32(out.p + at) == 1 && be32(out.p + at2) == 1,
		"both responses of one send rewritten");
	mockguard_free(g);
	sbuf_free(&req);
	sbuf_free(&out);
}

static void test_offspec_offset(void)
{
	static const struct {
		struct kafka_offspec s;
		int64_t want;
	} cases[] = {
		{ { KAFKA_OFF_BEGINNING, 0 }, RD_KAFKA_OFFSET_BEGINNING },
		{ { KAFKA_OFF_STORED, 0 }, RD_KAFKA_OFFSET_BEGINNING },
		{ { KAFKA_OFF_END, 0 }, RD_KAFKA_OFFSET_END },
		{ { KAFKA_OFF_ABS, 42 }, 42 },
		{ { KAFKA_OFF_TAIL, 3 }, RD_KAFKA_OFFSET_TAIL(3) },
		{ { KAFKA_OFF_TIME, 1639277668791 }, 1639277668791 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		unit_ok(kafka_offspec_offset(&cases[i].s) == cases[i].want,
			"offset of spec kind %d", (int)cases[i].s.kind);
}

/* Partitions 0..3 of "web": 0 resumed at 5 (and committed at 3, which
 * the checkpoint overrides), 1 committed at 7, 2 from the spec's time
 * that no broker resolved, 3 from the spec at the end. */
static void test_start_resolve(void)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(4),
		*resume = rd_kafka_topic_partition_list_new(2),
		*committed, *spec, *check = rd_kafka_topic_partition_list_new(4);
	struct kafka_start st[4];
	static const int64_t want[] = { 5, 7, RD_KAFKA_OFFSET_BEGINNING,
					RD_KAFKA_OFFSET_END };

	for (int32_t p = 0; p < 4; p++)
		rd_kafka_topic_partition_list_add(l, "web", p);
	rd_kafka_topic_partition_list_add(resume, "web", 0)->offset = 5;
	rd_kafka_topic_partition_list_add(resume, "other", 1)->offset = 9;
	committed = rd_kafka_topic_partition_list_copy(l);
	committed->elems[0].offset = 3;
	committed->elems[1].offset = 7;
	committed->elems[2].offset = RD_KAFKA_OFFSET_INVALID;
	committed->elems[3].offset = RD_KAFKA_OFFSET_INVALID;
	spec = rd_kafka_topic_partition_list_copy(l);
	for (int i = 0; i < 4; i++)
		spec->elems[i].offset = RD_KAFKA_OFFSET_END;
	spec->elems[2].offset = RD_KAFKA_OFFSET_BEGINNING;
	spec->elems[2].opaque = (void *)1;
	kafka_start_resolve(l, resume, committed, spec, st, check);
	for (int i = 0; i < 4; i++)
		unit_ok(st[i].offset == want[i] && l->elems[i].offset == want[i],
			"partition %d starts at %lld", i, (long long)want[i]);
	unit_ok(st[0].from_stored && st[1].from_stored && !st[2].from_stored &&
		!st[3].from_stored, "resumed and committed starts are stored ones");
	unit_ok(!st[0].scan && !st[1].scan && st[2].scan && !st[3].scan,
		"an unresolved time scans");
	unit_ok(check->cnt == 2 && check->elems[0].partition == 0 &&
		check->elems[0].offset == 5 && check->elems[1].partition == 1 &&
		check->elems[1].offset == 7, "stored starts are checked for loss");
	/* Without a group or a checkpoint: the spec alone. */
	rd_kafka_topic_partition_list_destroy(check);
	check = rd_kafka_topic_partition_list_new(4);
	kafka_start_resolve(l, NULL, NULL, spec, st, check);
	unit_ok(check->cnt == 0 && st[0].offset == RD_KAFKA_OFFSET_END &&
		!st[0].from_stored, "no resume, no group: the spec");
	/* Loss moved partition 1 to 10: the start follows. */
	rd_kafka_topic_partition_list_add(check, "web", 1)->offset = 10;
	rd_kafka_topic_partition_list_add(check, "gone", 0)->offset = 1;
	kafka_offsets_copy(l, check);
	unit_ok(l->elems[1].offset == 10 && l->elems[0].offset == RD_KAFKA_OFFSET_END &&
		l->cnt == 4, "offsets copied to the partitions named");
	rd_kafka_topic_partition_list_destroy(l);
	rd_kafka_topic_partition_list_destroy(resume);
	rd_kafka_topic_partition_list_destroy(committed);
	rd_kafka_topic_partition_list_destroy(spec);
	rd_kafka_topic_partition_list_destroy(check);
}

static void test_out_of_range(void)
{
	static const struct {
		int64_t off, lo, hi;
		int read, loss;
		int64_t to;
	} cases[] = {
		/* below the earliest: loss only for an offset read before */
		{ 3, 10, 50, 1, 1, 10 },
		{ 3, 10, 50, 0, 0, 10 },
		/* past the end: loss whatever it came from */
		{ 60, 10, 50, 0, 1, 10 },
		{ 60, 10, 50, 1, 1, 10 },
		/* at the end (an explicit offset): go on from there */
		{ 50, 10, 50, 0, 0, 50 },
		{ 50, 10, 50, 1, 0, 50 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t to = -1;
		int loss = kafka_out_of_range(cases[i].off, cases[i].lo,
					      cases[i].hi, cases[i].read, &to);

		unit_ok(loss == cases[i].loss && to == cases[i].to,
			"offset %lld out of %lld-%lld (read %d): loss %d, to %lld",
			(long long)cases[i].off, (long long)cases[i].lo,
			(long long)cases[i].hi, cases[i].read, cases[i].loss,
			(long long)cases[i].to);
	}
}

int main(void)
{
	test_offspec();
	test_offspec_offset();
	test_start_resolve();
	test_out_of_range();
	test_formats();
	test_bytes_to_json();
	test_resume();
	test_conf_file();
	test_mockguard();
	test_mockguard_sync();
	test_controller();
	return unit_done();
}
