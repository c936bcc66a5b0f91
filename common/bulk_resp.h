/*
 * bulk_resp: reading an Elasticsearch _bulk response with json.h.
 *
 * A response is {"took":N,"errors":BOOL,"items":[{"ACTION":{"_index":…,
 * "_id":…,"status":N,"error":{"type":…,"reason":…}}},…]} with one item per
 * request item, in request order.  The items are tokenised once and read
 * by position; each document is confirmed by its own item only (a 2xx
 * status without an error, or 404 for a delete of a missing document),
 * never by "errors":false, which a proxy or a cut-off reply can get
 * wrong.  The bulk_resp owns its json_doc; spans it hands out stay valid
 * until the next bulk_resp_parse() or bulk_resp_free().
 *
 * bulk_status_class() is the retry policy for an item's or a request's
 * HTTP status; bulk_error_body() pulls type and reason out of an error
 * response ({"error":{"type":…,"reason":…},"status":N}).
 */
#ifndef SW_BULK_RESP_H
#define SW_BULK_RESP_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"

enum bulk_class {
	BULK_ACK,    /* done */
	BULK_RETRY,  /* 429 or 5xx: try again later */
	BULK_REJECT, /* rejected for good (other 4xx) */
	BULK_SPLIT,  /* 413 for a whole request: send it in halves */
};

/* For a request: 2xx ACK, 413 SPLIT, 408/429/5xx RETRY, other REJECT.
 * For an item that carries an error: 429 and 5xx RETRY, else REJECT.
 * Status 0 (no status known) is RETRY. */
enum bulk_class bulk_status_class(long status, int is_item);

struct bulk_resp {
	struct json_doc doc;
	uint32_t nitems;
	uint32_t items;  /* token of the items array */
	uint32_t cursor; /* token of the next item for sequential reads */
	uint32_t next;   /* index bulk_resp_item() expects next */
};

struct bulk_item {
	long status; /* 0 when the item has no numeric HTTP status */
	/* error type and reason as quoted JSON strings (type is NULL when
	 * the item succeeded), ready to be copied into JSON output as they
	 * are.  An item without a status is "unconfirmed", to be retried. */
	const char *type;
	size_t type_len;
	const char *reason;
	size_t reason_len;
};

void bulk_resp_init(struct bulk_resp *r);
void bulk_resp_free(struct bulk_resp *r);

/* Parses body[0..n), the answer to a request of nitems items.  Returns 0,
 * or -1 with a reason in err when it is not a _bulk response or has a
 * different number of items (or is cut off): then no document of the
 * request is confirmed. */
int bulk_resp_parse(struct bulk_resp *r, const char *body, size_t n,
		    uint32_t nitems, char *err, size_t errlen);

/* The result of item i (0 <= i < nitems).  Reading items in order is O(1)
 * each; other orders cost a walk. */
void bulk_resp_item(struct bulk_resp *r, uint32_t i, struct bulk_item *it);

/* Type and reason of an error response body (the "error" object, or a
 * bare string "error" as some proxies send), as quoted JSON strings in d's
 * text.  Returns 0, or -1 when the body says neither. */
int bulk_error_body(struct json_doc *d, const char *body, size_t n,
		    struct bulk_item *it);

#endif
