/* Unit tests for the bulk_ modules: request lines, response reading, retry
 * policy, backoff, checkpoint tracking, and batches with their outcomes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "bulk_backoff.h"
#include "bulk_batch.h"
#include "bulk_ckpt.h"
#include "exitcode.h"
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

/* A batch of index documents {"n":i} from line i. */
static struct bulk_doc doc_n(enum bulk_op op, char *text, size_t cap,
			     unsigned i, const struct jval *id)
{
	struct bulk_doc d = { .op = op, .index = "web", .index_len = 3,
			      .id = id, .source = "in", .line = i };

	d.text_len = (size_t)snprintf(text, cap, "{\"n\":%u}", i);
	d.text = text;
	return d;
}

static int rec_is(const struct bulk_batch *b, uint32_t i, const char *want)
{
	const struct bulk_batch_item *it = &b->items[i];

	return it->rec_len == strlen(want) &&
	       memcmp(bulk_batch_rec(b, it), want, it->rec_len) == 0;
}

static void test_batch_add(void)
{
	struct bulk_batch *b = bulk_batch_new(0), *next;
	struct bulk_batch_item *it;
	struct bulk_doc d;
	char text[64];
	size_t one;

	d = doc_n(BULK_OP_INDEX, text, sizeof text, 1, NULL);
	it = bulk_batch_add(b, &d, 1000, &next);
	unit_ok(!next && b->n == 1 && it == &b->items[0] && it->off == 0 &&
		it->len == b->body.len && it->line == 1 && it->ck.part == -1,
		"the first document opens the batch");
	unit_ok(rec_is(b, 0, "{\"n\":1}"), "its record is found in the body");
	one = b->body.len;
	/* A body over the limit with a document that alone fits: the
	 * document goes into the next batch, the first stays as it was. */
	d = doc_n(BULK_OP_INDEX, text, sizeof text, 2, NULL);
	it = bulk_batch_add(b, &d, one + 1, &next);
	unit_ok(next && b->n == 1 && b->body.len == one &&
		b->body.p[one] == '\0', "a document over --batch-bytes opens the next batch");
	unit_ok(next && next->n == 1 && it == &next->items[0] &&
		it->off == 0 && rec_is(next, 0, "{\"n\":2}") && it->line == 2,
		"and is whole in it");
	unit_ok(bulk_batch_full(b, 1000, one) && !bulk_batch_full(b, 1000, one + 1) &&
		bulk_batch_full(b, 1, 1u << 20), "full by bytes or by count");
	/* A document larger than the limit on its own still goes. */
	bulk_batch_free(b);
	d = doc_n(BULK_OP_INDEX, text, sizeof text, 3, NULL);
	it = bulk_batch_add(next, &d, 1, &b);
	unit_ok(b && b->n == 1 && next->n == 1 && rec_is(b, 0, "{\"n\":3}") &&
		it == &b->items[0],
		"a batch holds at least one document, however large");
	bulk_batch_free(b);
	bulk_batch_free(next);

	/* delete sends no source line: records are kept aside. */
	{
		struct jval id = { JSON_STRING, "\"x\"", 3 };

		b = bulk_batch_new(1);
		d = doc_n(BULK_OP_DELETE, text, sizeof text, 5, &id);
		bulk_batch_add(b, &d, 1000, &next);
		UNIT_STREQ(b->body.p, "{\"delete\":{\"_index\":\"web\",\"_id\":\"x\"}}\n",
			   "delete: only the action line is sent");
		unit_ok(!next && rec_is(b, 0, "{\"n\":5}"), "delete: the record is kept");
		bulk_batch_free(b);
	}
}

static void test_batch_copy(void)
{
	struct bulk_batch *b = bulk_batch_new(0), *h[2], *next;
	struct bulk_doc d;
	char text[64];

	for (unsigned i = 0; i < 5; i++) {
		d = doc_n(BULK_OP_INDEX, text, sizeof text, i, NULL);
		bulk_batch_add(b, &d, 1u << 20, &next);
	}
	b->attempts = 2;
	unit_ok(bulk_batch_halves(b, h) == 0, "five documents have halves");
	unit_ok(h[0]->n == 2 && h[1]->n == 3 && h[0]->attempts == 2 &&
		h[1]->attempts == 2, "halves of 2 and 3 keep the attempts");
	unit_ok(rec_is(h[0], 0, "{\"n\":0}") && rec_is(h[0], 1, "{\"n\":1}") &&
		rec_is(h[1], 0, "{\"n\":2}") && rec_is(h[1], 2, "{\"n\":4}"),
		"halves keep the order and the records");
	unit_ok(h[0]->body.len + h[1]->body.len == b->body.len &&
		memcmp(h[1]->body.p, b->body.p + b->items[2].off,
		       h[1]->body.len) == 0, "halves split the body");
	bulk_batch_free(h[0]);
	bulk_batch_free(h[1]);
	bulk_batch_free(b);
	b = bulk_batch_new(0);
	d = doc_n(BULK_OP_INDEX, text, sizeof text, 9, NULL);
	bulk_batch_add(b, &d, 1u << 20, &next);
	unit_ok(bulk_batch_halves(b, h) < 0, "one document has no halves");
	bulk_batch_free(b);
}

static void test_batch_retry(void)
{
	struct bulk_batch *b = bulk_batch_new(0);

	unit_ok(bulk_batch_retry(b, 1, 2) && b->attempts == 1 && b->unreachable,
		"retry 1 of 2, the server not reached");
	unit_ok(bulk_batch_retry(b, 0, 2) && b->attempts == 2 && !b->unreachable,
		"retry 2 of 2");
	unit_ok(!bulk_batch_retry(b, 0, 2) && b->attempts == 3,
		"a third failure with --retries 2 gives up");
	b->attempts = 0;
	unit_ok(!bulk_batch_retry(b, 0, 0), "--retries 0: the first failure gives up");
	bulk_batch_free(b);
}

static void test_queue(void)
{
	struct bulk_queue q = { 0 };
	struct bulk_batch *b[3];

	for (int i = 0; i < 3; i++)
		b[i] = bulk_batch_new(0);
	unit_ok(!bulk_queue_take(&q, 0) && !bulk_queue_pop(&q) &&
		bulk_queue_next_due(&q) == INT64_MAX, "an empty queue");
	bulk_queue_push(&q, b[0], 500);
	bulk_queue_push(&q, b[1], 0);
	bulk_queue_push(&q, b[2], 100);
	unit_ok(q.n == 3 && bulk_queue_next_due(&q) == 0, "due now: the second");
	unit_ok(bulk_queue_take(&q, 50) == b[1] && q.n == 2,
		"take passes over a batch waiting for its backoff");
	unit_ok(!bulk_queue_take(&q, 99) && bulk_queue_next_due(&q) == 100,
		"nothing due before 100");
	unit_ok(bulk_queue_take(&q, 1000) == b[0], "then in order");
	unit_ok(bulk_queue_pop(&q) == b[2] && q.n == 0 && !q.head && !q.tail,
		"pop empties it");
	bulk_queue_push(&q, b[1], 0);
	unit_ok(q.head == b[1] && q.tail == b[1] && !b[1]->next,
		"a push after it was emptied");
	bulk_queue_pop(&q);
	for (int i = 0; i < 3; i++)
		bulk_batch_free(b[i]);
}

static void test_outcome(void)
{
	static const struct {
		int failed, too_big, permanent;
		long status;
		enum bulk_outcome want;
	} cases[] = {
		{ 0, 0, 0, 200, BULK_OUT_ITEMS },
		{ 0, 0, 0, 201, BULK_OUT_ITEMS },
		{ 0, 0, 0, 429, BULK_OUT_RETRY },
		{ 0, 0, 0, 503, BULK_OUT_RETRY },
		{ 0, 0, 0, 408, BULK_OUT_RETRY },
		{ 0, 0, 0, 413, BULK_OUT_SPLIT },
		{ 0, 0, 0, 400, BULK_OUT_REFUSED },
		{ 0, 0, 0, 401, BULK_OUT_REFUSED },
		{ 0, 0, 0, 404, BULK_OUT_REFUSED },
		{ 1, 0, 0, 0, BULK_OUT_UNREACHABLE },
		{ 1, 0, 1, 0, BULK_OUT_GIVE_UP },
		{ 1, 1, 0, 0, BULK_OUT_RETRY },
		{ 1, 1, 1, 0, BULK_OUT_RETRY },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		unit_ok(bulk_request_outcome(cases[i].failed, cases[i].too_big,
					     cases[i].permanent,
					     cases[i].status) == cases[i].want,
			"request outcome: failed %d too_big %d permanent %d status %ld",
			cases[i].failed, cases[i].too_big, cases[i].permanent,
			cases[i].status);
	unit_ok(bulk_exit_code(0, 0, 0) == SW_EXIT_OK &&
		bulk_exit_code(0, 1, 0) == SW_EXIT_TEMPFAIL &&
		bulk_exit_code(0, 0, 1) == SW_EXIT_TEMPFAIL &&
		bulk_exit_code(1, 1, 1) == SW_EXIT_UNAVAILABLE,
		"exit codes: 0, 75 for failed or rejected, 69 for unreachable");
}

static void test_judge(void)
{
	static const char reply[] =
		"{\"took\":3,\"errors\":true,\"items\":["
		"{\"index\":{\"status\":201}},"
		"{\"index\":{\"status\":429,\"error\":{\"type\":\"es_rejected_execution_exception\",\"reason\":\"busy\"}}},"
		"{\"index\":{\"status\":400,\"error\":{\"type\":\"mapper_parsing_exception\",\"reason\":\"bad \\\"n\\\"\"}}},"
		"{\"index\":{\"status\":503,\"error\":{\"type\":\"unavailable\"}}},"
		"{\"index\":{}}]}";
	static const enum bulk_class want[] = { BULK_ACK, BULK_RETRY, BULK_REJECT,
						BULK_RETRY, BULK_RETRY };
	struct bulk_batch *b = bulk_batch_new(0), *rb = NULL, *next;
	struct sbuf why = SBUF_INIT, msg = SBUF_INIT, dl = SBUF_INIT;
	struct bulk_resp r;
	struct bulk_item it;
	struct bulk_doc d;
	char text[64], err[256];
	int ok = 1;

	for (unsigned i = 0; i < 5; i++) {
		d = doc_n(BULK_OP_INDEX, text, sizeof text, i, NULL);
		bulk_batch_add(b, &d, 1u << 20, &next);
	}
	b->attempts = 1;
	bulk_resp_init(&r);
	unit_ok(bulk_resp_parse(&r, reply, sizeof reply - 1, b->n, err,
				sizeof err) == 0, "reply of five parses");
	for (uint32_t i = 0; i < b->n; i++) {
		enum bulk_class c = bulk_batch_judge(b, i, &r, &it, &rb, &why);

		ok &= c == want[i];
		if (c == BULK_REJECT) {
			bulk_reject_text(&msg, it.type, it.type_len, it.reason,
					 it.reason_len);
			bulk_dead_letter(&dl, b, &b->items[i], it.status, msg.p,
					 msg.len, it.type, it.type_len, it.reason,
					 it.reason_len);
		}
	}
	unit_ok(ok, "acknowledged, retried (429, 503, no status), rejected (400)");
	unit_ok(rb && rb->n == 3 && rb->attempts == 1 &&
		rec_is(rb, 0, "{\"n\":1}") && rec_is(rb, 1, "{\"n\":3}") &&
		rec_is(rb, 2, "{\"n\":4}"), "the retry batch holds the three, in order");
	UNIT_STREQ(why.p, "item status 429: es_rejected_execution_exception",
		   "the reason of a retry is the first item's");
	UNIT_STREQ(msg.p, "mapper_parsing_exception: bad \"n\"",
		   "the message of a rejected document");
	UNIT_STREQ(dl.p, "{\"error\":\"mapper_parsing_exception: bad \\\"n\\\"\","
			 "\"type\":\"mapper_parsing_exception\",\"reason\":\"bad \\\"n\\\"\","
			 "\"status\":400,\"source\":\"in\",\"line\":2,\"input\":\"{\\\"n\\\":2}\"}\n",
		   "its dead-letter line");
	bulk_batch_free(rb);
	bulk_batch_free(b);
	bulk_resp_free(&r);
	sbuf_free(&why);
	sbuf_free(&msg);
	sbuf_free(&dl);
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
	test_batch_add();
	test_batch_copy();
	test_batch_retry();
	test_queue();
	test_outcome();
	test_judge();
	return unit_done();
}
