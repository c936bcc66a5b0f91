/* Unit tests for the bulk_ modules: request lines, response reading, retry
 * policy, backoff and checkpoint tracking. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "bulk_backoff.h"
#include "bulk_ckpt.h"
#include "bulk_req.h"
#include "bulk_resp.h"
#include "unit.h"

static struct jval jv(enum json_type t, const char *p)
{
	struct jval v = { t, p, strlen(p) };
	return v;
}

static void test_req(void)
{
	static const struct {
		const char *op;
		const char *id;      /* JSON text or NULL */
		const char *routing; /* JSON text or NULL */
		const char *want;
	} cases[] = {
		{ "index", NULL, NULL,
		  "{\"index\":{\"_index\":\"web\"}}\n{\"a\":1}\n" },
		{ "index", "\"k\\\"1\"", NULL,
		  "{\"index\":{\"_index\":\"web\",\"_id\":\"k\\\"1\"}}\n{\"a\":1}\n" },
		{ "create", "42", "\"u1\"",
		  "{\"create\":{\"_index\":\"web\",\"_id\":\"42\",\"routing\":\"u1\"}}\n{\"a\":1}\n" },
		{ "update", "\"x\"", NULL,
		  "{\"update\":{\"_index\":\"web\",\"_id\":\"x\"}}\n{\"doc\":{\"a\":1}}\n" },
		{ "upsert", "\"x\"", NULL,
		  "{\"update\":{\"_index\":\"web\",\"_id\":\"x\"}}\n{\"doc\":{\"a\":1},\"doc_as_upsert\":true}\n" },
		{ "delete", "\"x\"", "7",
		  "{\"delete\":{\"_index\":\"web\",\"_id\":\"x\",\"routing\":\"7\"}}\n" },
	};
	static const char rec[] = "{\"a\":1}";

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct sbuf b = SBUF_INIT;
		struct jval id, rt;
		enum bulk_op op;
		size_t off;

		unit_ok(bulk_op_parse(cases[i].op, &op) == 0, "op %s parses",
			cases[i].op);
		if (cases[i].id)
			id = jv(cases[i].id[0] == '"' ? JSON_STRING : JSON_NUMBER,
				cases[i].id);
		if (cases[i].routing)
			rt = jv(cases[i].routing[0] == '"' ? JSON_STRING : JSON_NUMBER,
				cases[i].routing);
		sbuf_puts(&b, "PREFIX");
		bulk_req_append(&b, op, "web", 3, cases[i].id ? &id : NULL,
				cases[i].routing ? &rt : NULL, rec, sizeof rec - 1,
				&off);
		UNIT_STREQ(b.p + 6, cases[i].want, "item for %s", cases[i].op);
		if (op == BULK_OP_DELETE)
			unit_ok(off == (size_t)-1, "delete has no source");
		else
			unit_ok(off < b.len && memcmp(b.p + off, rec, sizeof rec - 1) == 0,
				"record offset for %s", cases[i].op);
		sbuf_free(&b);
	}
	{
		enum bulk_op op;

		unit_ok(bulk_op_parse("remove", &op) < 0, "unknown op refused");
	}
}

static void test_keys(void)
{
	static const struct {
		enum json_type t;
		const char *text;
		int ok;
	} cases[] = {
		{ JSON_STRING, "\"a\"", 1 },   { JSON_NUMBER, "12", 1 },
		{ JSON_STRING, "\"\"", 0 },    { JSON_OBJECT, "{\"x\":1}", 0 },
		{ JSON_TRUE, "true", 0 },      { JSON_ARRAY, "[1]", 0 },
	};
	char err[128];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct jval v = jv(cases[i].t, cases[i].text);

		unit_ok((bulk_key_check(&v, err, sizeof err) == 0) == cases[i].ok,
			"key %s %s", cases[i].text,
			cases[i].ok ? "accepted" : "refused");
	}
}

static void test_index(void)
{
	static const struct {
		const char *tmpl;
		long long us;
		const char *want;
	} names[] = {
		{ "web-%Y.%m.%d", 1639277668791000LL, "web-2021.12.12" },
		{ "web", 0, "web" },
		{ "h-%H", -1, "h-23" }, /* 1969-12-31T23:59:59.999999Z */
	};
	static const struct {
		const char *name;
		int ok;
	} checks[] = {
		{ "web-2021", 1 }, { "Web", 0 },  { "_x", 0 },  { "-x", 0 },
		{ "a b", 0 },      { "a,b", 0 },  { ".", 0 },   { "..", 0 },
		{ "a:b", 0 },      { ".kibana", 1 }, { "", 0 },
	};
	char buf[256], err[300];

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		size_t n = bulk_index_name(names[i].tmpl, names[i].us, buf,
					   sizeof buf);

		unit_ok(n == strlen(names[i].want), "index length for %s",
			names[i].tmpl);
		UNIT_STREQ(buf, names[i].want, "index name for %s", names[i].tmpl);
	}
	for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
		unit_ok((bulk_index_check(checks[i].name, strlen(checks[i].name),
					  err, sizeof err) == 0) == checks[i].ok,
			"index name '%s' %s", checks[i].name,
			checks[i].ok ? "accepted" : "refused");
}

static void test_resp(void)
{
	static const char ok_quick[] =
		"{\"took\":3,\"errors\":false,\"items\":[{\"index\":{\"status\":201}}]}";
	static const char ok_late[] =
		"{\"items\":[{\"index\":{\"status\":201}}],\"errors\":false,\"took\":1}";
	static const char mixed[] =
		"{\"took\":3,\"errors\":true,\"items\":["
		"{\"index\":{\"_id\":\"a\",\"status\":201,\"result\":\"created\"}},"
		"{\"create\":{\"_id\":\"b\",\"status\":409,\"error\":{\"type\":\"version_conflict_engine_exception\",\"reason\":\"[b]: exists\"}}},"
		"{\"index\":{\"_id\":\"c\",\"status\":429,\"error\":{\"type\":\"es_rejected_execution_exception\",\"reason\":\"busy\"}}},"
		"{\"delete\":{\"_id\":\"d\",\"status\":404,\"result\":\"not_found\"}}]}";
	static const char short_ok[] =
		"{\"took\":1,\"errors\":false,\"items\":[{\"index\":{\"status\":201}}]}";
	static const char cut[] = "{\"took\":1,\"errors\":false,";
	static const char unconfirmed[] =
		"{\"took\":1,\"errors\":false,\"items\":["
		"{\"index\":{\"_id\":\"a\"}},"
		"{\"index\":{\"_id\":\"b\",\"status\":\"201\"}},"
		"{\"index\":{\"_id\":\"c\",\"status\":201.5}},"
		"{\"index\":{\"_id\":\"d\",\"status\":404}}]}";
	/* "errors":false deeper down must not pass for the top level. */
	static const char nested[] =
		"{\"took\":1,\"errors\":true,\"items\":[{\"index\":{\"status\":400,\"error\":{\"type\":\"t\",\"reason\":\"\\\"errors\\\":false,\"}}}]}";
	struct bulk_resp r;
	struct bulk_item it;
	char err[256];

	bulk_resp_init(&r);
	unit_ok(bulk_resp_parse(&r, ok_quick, sizeof ok_quick - 1, 1, err, sizeof err) == 0,
		"errors:false parses");
	bulk_resp_item(&r, 0, &it);
	unit_ok(it.status == 201 && !it.type, "errors:false: item 0 acknowledged");
	unit_ok(bulk_resp_parse(&r, ok_late, sizeof ok_late - 1, 1, err, sizeof err) == 0,
		"errors:false anywhere at the top level");
	/* "errors":false confirms nothing by itself. */
	unit_ok(bulk_resp_parse(&r, short_ok, sizeof short_ok - 1, 2, err, sizeof err) < 0,
		"errors:false with fewer items than sent refused: %s", err);
	unit_ok(bulk_resp_parse(&r, cut, sizeof cut - 1, 1, err, sizeof err) < 0,
		"a reply cut off after errors:false refused: %s", err);
	unit_ok(bulk_resp_parse(&r, unconfirmed, sizeof unconfirmed - 1, 4, err, sizeof err) == 0,
		"items without a usable status parse");
	for (uint32_t i = 0; i < 3; i++) {
		bulk_resp_item(&r, i, &it);
		unit_ok(it.status == 0 && it.type &&
			bulk_status_class(it.status, 1) == BULK_RETRY,
			"item %u without a numeric status is retried", i);
	}
	bulk_resp_item(&r, 3, &it);
	unit_ok(it.status == 404 && it.type && bulk_status_class(it.status, 1) == BULK_REJECT,
		"404 of an index without an error is not a success");
	unit_ok(bulk_resp_parse(&r, mixed, sizeof mixed - 1, 4, err, sizeof err) == 0,
		"mixed response parses");
	bulk_resp_item(&r, 0, &it);
	unit_ok(it.status == 201 && !it.type, "item 0 acknowledged");
	bulk_resp_item(&r, 1, &it);
	unit_ok(it.status == 409 && it.type &&
		strncmp(it.type, "\"version_conflict_engine_exception\"", it.type_len) == 0 &&
		strncmp(it.reason, "\"[b]: exists\"", it.reason_len) == 0,
		"item 1: 409 with type and reason");
	unit_ok(bulk_status_class(it.status, 1) == BULK_REJECT, "409 is rejected for good");
	bulk_resp_item(&r, 2, &it);
	unit_ok(it.status == 429 && bulk_status_class(it.status, 1) == BULK_RETRY,
		"item 2: 429 is retried");
	bulk_resp_item(&r, 3, &it);
	unit_ok(it.status == 404 && !it.type, "delete not_found is no error");
	bulk_resp_item(&r, 1, &it);
	unit_ok(it.status == 409, "items can be read out of order");
	unit_ok(bulk_resp_parse(&r, mixed, sizeof mixed - 1, 5, err, sizeof err) < 0,
		"item count mismatch refused: %s", err);
	unit_ok(bulk_resp_parse(&r, "<html>", 6, 1, err, sizeof err) < 0,
		"not JSON refused");
	unit_ok(bulk_resp_parse(&r, "{\"took\":1}", 10, 1, err, sizeof err) < 0,
		"not a bulk response refused");
	unit_ok(bulk_resp_parse(&r, nested, sizeof nested - 1, 1, err, sizeof err) == 0,
		"a nested \"errors\":false parses");
	bulk_resp_item(&r, 0, &it);
	unit_ok(it.status == 400 && it.type, "a nested \"errors\":false is not the top-level one");
	{
		static const char body[] =
			"{\"error\":{\"root_cause\":[],\"type\":\"security_exception\",\"reason\":\"no\"},\"status\":401}";
		struct json_doc d;

		json_doc_init(&d);
		unit_ok(bulk_error_body(&d, body, sizeof body - 1, &it) == 0 &&
			strncmp(it.type, "\"security_exception\"", it.type_len) == 0,
			"error body type");
		unit_ok(bulk_error_body(&d, "", 0, &it) < 0, "empty error body");
		json_doc_free(&d);
	}
	bulk_resp_free(&r);
}

static void test_class(void)
{
	static const struct {
		long status;
		int item;
		enum bulk_class want;
	} cases[] = {
		{ 200, 0, BULK_ACK },    { 201, 0, BULK_ACK },
		{ 413, 0, BULK_SPLIT },  { 429, 0, BULK_RETRY },
		{ 503, 0, BULK_RETRY },  { 500, 0, BULK_RETRY },
		{ 408, 0, BULK_RETRY },  { 401, 0, BULK_REJECT },
		{ 400, 0, BULK_REJECT }, { 400, 1, BULK_REJECT },
		{ 409, 1, BULK_REJECT }, { 429, 1, BULK_RETRY },
		{ 503, 1, BULK_RETRY },  { 404, 1, BULK_REJECT },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		unit_ok(bulk_status_class(cases[i].status, cases[i].item) == cases[i].want,
			"status %ld (%s)", cases[i].status,
			cases[i].item ? "item" : "request");
}

static void test_backoff(void)
{
	struct bulk_backoff b;
	int ok = 1;

	bulk_backoff_init(&b, 30000000, 12345);
	for (unsigned a = 1; a <= 12; a++) {
		int64_t d = 100000LL << (a - 1);

		if (d > 30000000)
			d = 30000000;
		for (int k = 0; k < 100; k++) {
			int64_t v = bulk_backoff_delay(&b, a);

			if (v < d / 2 || v > d)
				ok = 0;
		}
	}
	unit_ok(ok, "delays lie in [d/2, d], d doubling up to the cap");
	bulk_backoff_init(&b, 20000, 1);
	unit_ok(bulk_backoff_delay(&b, 1) <= 20000, "a cap below the base wins");
	{
		int64_t first = bulk_backoff_delay(&b, 5);
		int differ = 0;

		for (int k = 0; k < 20; k++)
			differ |= bulk_backoff_delay(&b, 5) != first;
		unit_ok(differ, "jitter varies the delay");
	}
}

static void test_ckpt(void)
{
	struct bulk_ckpt *c = bulk_ckpt_new();
	struct bulk_ckpt_ref r[6];
	struct sbuf b = SBUF_INIT;
	char path[] = "/tmp/test_bulk.XXXXXX", err[256];
	int fd;

	bulk_ckpt_add(c, "web", 3, 0, 40, &r[0]);
	bulk_ckpt_add(c, "web", 3, 0, 41, &r[1]);
	bulk_ckpt_add(c, "web", 3, 1, 7, &r[2]);
	bulk_ckpt_add(c, "web", 3, 0, 42, &r[3]);
	bulk_ckpt_format(c, &b);
	UNIT_STREQ(b.p, "{\"offsets\":{\"web\":{\"0\":40,\"1\":7}}}\n",
		   "nothing done: the first pending offsets");
	bulk_ckpt_done(c, &r[1]);
	bulk_ckpt_done(c, &r[3]);
	bulk_ckpt_done(c, &r[2]);
	sbuf_reset(&b);
	bulk_ckpt_format(c, &b);
	UNIT_STREQ(b.p, "{\"offsets\":{\"web\":{\"0\":40,\"1\":8}}}\n",
		   "a pending record holds its partition back");
	bulk_ckpt_done(c, &r[0]);
	sbuf_reset(&b);
	bulk_ckpt_format(c, &b);
	UNIT_STREQ(b.p, "{\"offsets\":{\"web\":{\"0\":43,\"1\":8}}}\n",
		   "all done: the offset after the highest");
	/* Replayed offsets (not increasing): the lowest pending counts. */
	bulk_ckpt_add(c, "web", 3, 0, 50, &r[4]);
	bulk_ckpt_add(c, "web", 3, 0, 45, &r[5]);
	bulk_ckpt_done(c, &r[4]);
	sbuf_reset(&b);
	bulk_ckpt_format(c, &b);
	UNIT_STREQ(b.p, "{\"offsets\":{\"web\":{\"0\":45,\"1\":8}}}\n",
		   "out of order: the lowest pending offset");
	bulk_ckpt_done(c, &r[5]);
	sbuf_reset(&b);
	bulk_ckpt_format(c, &b);
	UNIT_STREQ(b.p, "{\"offsets\":{\"web\":{\"0\":51,\"1\":8}}}\n",
		   "out of order, all done");
	fd = mkstemp(path);
	close(fd);
	unit_ok(bulk_ckpt_write(c, path, err, sizeof err) == 0, "write");
	bulk_ckpt_free(c);

	c = bulk_ckpt_new();
	unit_ok(bulk_ckpt_load(c, path, err, sizeof err) == 0, "load");
	bulk_ckpt_add(c, "logs", 4, 2, 9, &r[0]);
	bulk_ckpt_done(c, &r[0]);
	sbuf_reset(&b);
	bulk_ckpt_format(c, &b);
	UNIT_STREQ(b.p, "{\"offsets\":{\"web\":{\"0\":51,\"1\":8},\"logs\":{\"2\":10}}}\n",
		   "loaded partitions are kept");
	bulk_ckpt_free(c);
	unlink(path);

	c = bulk_ckpt_new();
	unit_ok(bulk_ckpt_load(c, path, err, sizeof err) == 0, "a missing file is no error");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	unit_ok(write(fd, "{\"offsets\":{\"t\":{\"x\":1}}}", 25) == 25, "bad file written");
	close(fd);
	unit_ok(bulk_ckpt_load(c, path, err, sizeof err) < 0, "bad file refused: %s", err);
	bulk_ckpt_free(c);
	unlink(path);
	sbuf_free(&b);
}

int main(void)
{
	test_req();
	test_keys();
	test_index();
	test_resp();
	test_class();
	test_backoff();
	test_ckpt();
	return unit_done();
}
