/* libFuzzer target: the Elasticsearch _bulk response parser.  The first
 * byte is the number of items the request had; the rest is the body.
 * Whatever the body, bulk_resp_parse() must not crash; when it accepts it,
 * every item must be readable in order and out of order with the same
 * result, statuses must be HTTP-like, and the error spans must lie inside
 * the parsed text and be quoted JSON strings.  bulk_error_body() gets the
 * same bytes. */
#include <stdlib.h>
#include <string.h>

#include "bulk_resp.h"

/* Undefined behaviour stops the run, as in the bats suite. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void check_span(const struct json_doc *d, const char *p, size_t n)
{
	if (!p)
		return;
	if (n == 15 && memcmp(p, "\"unknown_error\"", 15) == 0)
		return;
	if (p < d->text.p || p + n > d->text.p + d->text.len || n < 2 ||
	    p[0] != '"' || p[n - 1] != '"')
		abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct bulk_resp r;
	static struct json_doc e;
	static int ready;
	struct bulk_item it, again;
	uint32_t nitems, i;
	char err[256];

	if (!ready) {
		bulk_resp_init(&r);
		json_doc_init(&e);
		ready = 1;
	}
	if (size < 1)
		return 0;
	nitems = data[0];
	data++;
	size--;
	if (bulk_resp_parse(&r, (const char *)data, size, nitems, err,
			    sizeof err) == 0) {
		if (r.nitems != nitems)
			abort();
		for (i = 0; i < nitems; i++) {
			memset(&it, 0, sizeof it);
			bulk_resp_item(&r, i, &it);
			check_span(&r.doc, it.type, it.type_len);
			check_span(&r.doc, it.reason, it.reason_len);
			(void)bulk_status_class(it.status, 1);
		}
		/* Backwards: a walk each time, same answers. */
		for (i = nitems; i-- > 0;) {
			memset(&it, 0, sizeof it);
			memset(&again, 0, sizeof again);
			bulk_resp_item(&r, i, &it);
			bulk_resp_item(&r, i, &again);
			if (it.status != again.status ||
			    it.type_len != again.type_len ||
			    it.reason_len != again.reason_len)
				abort();
		}
	}
	memset(&it, 0, sizeof it);
	if (bulk_error_body(&e, (const char *)data, size, &it) == 0) {
		check_span(&e, it.type, it.type_len);
		check_span(&e, it.reason, it.reason_len);
	}
	(void)bulk_status_class((long)size - 300, 0);
	return 0;
}
