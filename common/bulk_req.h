/*
 * bulk_req: the request side of the Elasticsearch _bulk API.
 *
 * A _bulk body is NDJSON: per document an action line
 * ({"index":{"_index":"web","_id":"7"}}) and, except for delete, a source
 * line, each ending in '\n'.  bulk_req_append() writes one such item to a
 * caller's sbuf straight from compact JSON text (a json_doc span or a jpath
 * value), so the per-record path never goes through libjq.  The caller owns
 * every buffer; nothing here allocates beyond the sbuf it is given.
 *
 * bulk_index_name() fills strftime(3) fields of an --index template from a
 * time in UTC, and bulk_index_check() refuses names Elasticsearch refuses.
 */
#ifndef SW_BULK_REQ_H
#define SW_BULK_REQ_H

#include <stddef.h>
#include <stdint.h>

#include "jpath.h"
#include "sbuf.h"

enum bulk_op {
	BULK_OP_INDEX,
	BULK_OP_CREATE,
	BULK_OP_UPDATE,
	BULK_OP_UPSERT,
	BULK_OP_DELETE,
};

/* "index", "create", "update", "upsert", "delete" (enum order), NULL:
 * the values of sw-sink-es --op. */
extern const char *const bulk_op_names[];
/* A name of bulk_op_names.  Returns 0 or -1. */
int bulk_op_parse(const char *s, enum bulk_op *op);
/* The action name in the _bulk body (upsert is an "update" action). */
const char *bulk_op_action(enum bulk_op op);

/* Checks that v can be an _id or a routing value: a string or a number.
 * Returns 0, or -1 with a reason in err. */
int bulk_key_check(const struct jval *v, char *err, size_t errlen);

/*
 * Appends one item for op to out: the action line with _index (the raw,
 * unescaped name index[0..index_len)), _id and routing when not NULL
 * (compact JSON strings or numbers; numbers become strings), then the
 * source line built from rec[0..rec_len) (compact JSON): the record itself
 * for index and create, {"doc":rec} for update, {"doc":rec,
 * "doc_as_upsert":true} for upsert, nothing for delete.  *rec_off is the
 * offset of rec's copy in out, or (size_t)-1 for delete.
 */
void bulk_req_append(struct sbuf *out, enum bulk_op op, const char *index,
		     size_t index_len, const struct jval *id,
		     const struct jval *routing, const char *rec,
		     size_t rec_len, size_t *rec_off);

/* Fills the strftime(3) fields of template tmpl for the time t_us
 * (microseconds since the epoch, UTC) into buf.  Returns the length, or 0
 * when the result does not fit in len bytes or is empty. */
size_t bulk_index_name(const char *tmpl, int64_t t_us, char *buf, size_t len);
/* Elasticsearch's rules for an index name: lowercase, not "." or "..", no
 * \ / * ? " < > | , # : or space, not starting with - _ +, at most 255
 * bytes.  Returns 0, or -1 with a reason in err. */
int bulk_index_check(const char *name, size_t n, char *err, size_t errlen);

#endif
