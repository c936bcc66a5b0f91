#include "bulk_resp.h"

#include <stdio.h>
#include <string.h>

enum bulk_class bulk_status_class(long status, int is_item)
{
	if (status == 429 || status >= 500 || status <= 0)
		return BULK_RETRY;
	if (is_item)
		return BULK_REJECT;
	if (status >= 200 && status < 300)
		return BULK_ACK;
	if (status == 413)
		return BULK_SPLIT;
	if (status == 408)
		return BULK_RETRY;
	return BULK_REJECT;
}

void bulk_resp_init(struct bulk_resp *r)
{
	memset(r, 0, sizeof *r);
	json_doc_init(&r->doc);
}

void bulk_resp_free(struct bulk_resp *r)
{
	json_doc_free(&r->doc);
}

int bulk_resp_parse(struct bulk_resp *r, const char *body, size_t n,
		    uint32_t nitems, char *err, size_t errlen)
{
	const struct json_doc *d = &r->doc;
	int64_t items;

	r->nitems = nitems;
	r->next = 0;
	if (json_parse(&r->doc, body, n, err, errlen) < 0)
		return -1;
	if (d->tok[0].type != JSON_OBJECT) {
		snprintf(err, errlen, "bulk response is not an object");
		return -1;
	}
	/* "errors":false is not trusted: only an item's own status
	 * confirms its document (a proxy or a cut-off reply can say
	 * false and still leave documents unanswered). */
	items = json_obj_get(d, 0, "items", 5);
	if (items < 0 || d->tok[items].type != JSON_ARRAY) {
		snprintf(err, errlen, "bulk response without \"items\"");
		return -1;
	}
	if (d->tok[items].count != nitems) {
		snprintf(err, errlen, "bulk response has %u items for %u sent",
			 d->tok[items].count, nitems);
		return -1;
	}
	for (uint32_t e = (uint32_t)items + 1; e < d->tok[items].end;
	     e = d->tok[e].end) {
		if (d->tok[e].type != JSON_OBJECT || d->tok[e].count != 1 ||
		    d->tok[e + 2].type != JSON_OBJECT) {
			snprintf(err, errlen, "bulk response item is not "
					      "{\"ACTION\":{…}}");
			return -1;
		}
	}
	r->items = (uint32_t)items;
	r->cursor = (uint32_t)items + 1;
	return 0;
}

static void read_error(const struct json_doc *d, int64_t e,
		       struct bulk_item *it)
{
	int64_t t, why;

	if (d->tok[e].type == JSON_STRING) {
		it->reason = json_tok_ptr(d, (uint32_t)e);
		it->reason_len = d->tok[e].len;
		return;
	}
	if (d->tok[e].type != JSON_OBJECT)
		return;
	t = json_obj_get(d, (uint32_t)e, "type", 4);
	why = json_obj_get(d, (uint32_t)e, "reason", 6);
	if (t >= 0 && d->tok[t].type == JSON_STRING) {
		it->type = json_tok_ptr(d, (uint32_t)t);
		it->type_len = d->tok[t].len;
	}
	if (why >= 0 && d->tok[why].type == JSON_STRING) {
		it->reason = json_tok_ptr(d, (uint32_t)why);
		it->reason_len = d->tok[why].len;
	}
}

static const char unknown_type[] = "\"unknown_error\"";
static const char unconfirmed_type[] = "\"unconfirmed\"";
static const char unconfirmed_reason[] =
	"\"the item has no numeric status\"";

void bulk_resp_item(struct bulk_resp *r, uint32_t i, struct bulk_item *it)
{
	const struct json_doc *d = &r->doc;
	uint32_t tok, res;
	int64_t st, e, v;

	memset(it, 0, sizeof *it);
	if (i != r->next) {
		r->cursor = r->items + 1;
		for (r->next = 0; r->next < i; r->next++)
			r->cursor = d->tok[r->cursor].end;
	}
	tok = r->cursor;
	r->cursor = d->tok[tok].end;
	r->next = i + 1;
	res = tok + 2;
	st = json_obj_get(d, res, "status", 6);
	if (st < 0 || d->tok[st].type != JSON_NUMBER ||
	    json_num_i64(json_tok_ptr(d, (uint32_t)st), d->tok[st].len, &v) < 0 ||
	    v < 100 || v > 599) {
		/* Nothing says this document was written. */
		it->status = 0;
		it->type = unconfirmed_type;
		it->type_len = sizeof unconfirmed_type - 1;
		it->reason = unconfirmed_reason;
		it->reason_len = sizeof unconfirmed_reason - 1;
		return;
	}
	it->status = (long)v;
	e = json_obj_get(d, res, "error", 5);
	if (e >= 0)
		read_error(d, e, it);
	else if (v < 300 || (v == 404 && json_str_eq(d, tok + 1, "delete", 6)))
		return; /* written, or a delete of what was not there */
	if (!it->type) {
		it->type = unknown_type;
		it->type_len = sizeof unknown_type - 1;
	}
	if (it->status < 300)
		it->status = 500;
}

int bulk_error_body(struct json_doc *d, const char *body, size_t n,
		    struct bulk_item *it)
{
	char err[128];
	int64_t e;

	memset(it, 0, sizeof *it);
	if (json_parse(d, body, n, err, sizeof err) < 0 ||
	    d->tok[0].type != JSON_OBJECT)
		return -1;
	e = json_obj_get(d, 0, "error", 5);
	if (e < 0)
		return -1;
	read_error(d, e, it);
	return it->type || it->reason ? 0 : -1;
}
