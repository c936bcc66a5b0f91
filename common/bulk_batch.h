/*
 * bulk_batch: sw-sink-es's batches, and what becomes of their documents.
 *
 * A batch is the body of one _bulk request (bulk_req items) with, per
 * document, where its lines are, the record it came from (in the body, or
 * kept aside for delete, which sends none), its checkpoint reference and
 * where it was read.  Batches wait in a bulk_queue, each not sent before
 * its time (a backoff).
 *
 * The rest decides, without any I/O, what an answer means for them:
 * bulk_request_outcome() for a request as a whole (transport error, HTTP
 * status), bulk_batch_judge() for each document of a 2xx answer
 * (acknowledged, retried in a new batch, rejected), bulk_batch_retry()
 * whether a batch has retries left, bulk_batch_halves() for a 413, and
 * bulk_exit_code() the status of the run.  The caller does what they say:
 * acknowledges, writes dead letters, sends again, reports.
 *
 * A batch owns its buffers and items; bulk_batch_free() releases them.
 * An item's source is the caller's (a name that outlives the batch).
 */
#ifndef SW_BULK_BATCH_H
#define SW_BULK_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "bulk_ckpt.h"
#include "bulk_req.h"
#include "bulk_resp.h"
#include "sbuf.h"

/* One document in a batch. */
struct bulk_batch_item {
	uint32_t off, len;         /* action and source lines in body */
	uint32_t rec_off, rec_len; /* the record: in body, or keep (delete) */
	struct bulk_ckpt_ref ck;
	const char *source;
	uint64_t line;
};

struct bulk_batch {
	struct sbuf body;
	struct sbuf keep; /* records of delete items, which send none */
	struct bulk_batch_item *items;
	uint32_t n, cap;
	unsigned attempts;  /* sends that failed so far */
	int64_t not_before; /* monotonic us */
	int unreachable;    /* the last attempt did not reach the server */
	int in_keep;        /* records are in keep, not in body */
	struct bulk_batch *next;
};

/* What bulk_batch_add() makes of a record. */
struct bulk_doc {
	enum bulk_op op;
	const char *index;
	size_t index_len;
	const struct jval *id, *routing; /* NULL: none */
	const char *text;                /* the record, compact JSON */
	size_t text_len;
	const char *source;
	uint64_t line;
};

/* in_keep: the records go to keep (for delete). */
struct bulk_batch *bulk_batch_new(int in_keep);
void bulk_batch_free(struct bulk_batch *b);

/* Appends d to b.  When b holds documents already and its body would pass
 * max_bytes with d, b is left as it was and d goes first into a new batch,
 * returned in *next (b is then full); else *next is NULL.  Returns the
 * item made (its ck is the caller's to set). */
struct bulk_batch_item *bulk_batch_add(struct bulk_batch *b,
				       const struct bulk_doc *d,
				       size_t max_bytes,
				       struct bulk_batch **next);
/* Whether b is to be sent now: max_docs documents or max_bytes of body. */
int bulk_batch_full(const struct bulk_batch *b, uint64_t max_docs,
		    uint64_t max_bytes);
/* The record of item it of b (it->rec_len bytes). */
const char *bulk_batch_rec(const struct bulk_batch *b,
			   const struct bulk_batch_item *it);
/* Copies item it of batch from to the end of batch to (of the same
 * in_keep). */
void bulk_batch_copy_item(struct bulk_batch *to, const struct bulk_batch *from,
			  const struct bulk_batch_item *it);
/* The two halves of b (at least 2 documents), for a request the server
 * found too large: new batches that keep b's attempts.  Returns 0, or -1
 * when b has a single document (which is then refused). */
int bulk_batch_halves(const struct bulk_batch *b, struct bulk_batch *half[2]);

/* A failed send of b: one attempt more, and whether the server was reached.
 * Returns 1 when b may be sent again, 0 when retries (more than
 * 'retries' failed sends) are used up. */
int bulk_batch_retry(struct bulk_batch *b, int unreachable, uint64_t retries);

/* Batches waiting to be sent, in order. */
struct bulk_queue {
	struct bulk_batch *head, *tail;
	unsigned n;
};

/* Appends b, not to be sent before not_before. */
void bulk_queue_push(struct bulk_queue *q, struct bulk_batch *b,
		     int64_t not_before);
/* Takes out the first batch that may be sent at now; NULL when none. */
struct bulk_batch *bulk_queue_take(struct bulk_queue *q, int64_t now);
/* Takes out the first batch whatever its time; NULL when q is empty. */
struct bulk_batch *bulk_queue_pop(struct bulk_queue *q);
/* The earliest time a batch of q may be sent; INT64_MAX when q is empty. */
int64_t bulk_queue_next_due(const struct bulk_queue *q);

/* What to do with a batch after its request ended. */
enum bulk_outcome {
	BULK_OUT_ITEMS,       /* 2xx: each document by bulk_batch_judge() */
	BULK_OUT_RETRY,       /* the whole batch again, after a backoff */
	BULK_OUT_UNREACHABLE, /* the same, the server not reached */
	BULK_OUT_GIVE_UP,     /* not reachable as configured: no retry helps */
	BULK_OUT_SPLIT,       /* 413: send it in halves */
	BULK_OUT_REFUSED,     /* refused as a whole (401, 400...): stop */
};

/* transport_failed: no HTTP answer came; reply_too_big: because the answer
 * passed the size the sink reads; permanent: because of what no retry
 * cures (a certificate, the URL).  status: the HTTP status otherwise. */
enum bulk_outcome bulk_request_outcome(int transport_failed, int reply_too_big,
				       int permanent, long status);

/* The verdict on document i of b, from r (parsed for b; read i in order):
 * BULK_ACK; BULK_RETRY, with the document copied into *retry (made at the
 * first, keeping b's attempts, with its reason in why); or BULK_REJECT,
 * with type and reason in *it. */
enum bulk_class bulk_batch_judge(const struct bulk_batch *b, uint32_t i,
				 struct bulk_resp *r, struct bulk_item *it,
				 struct bulk_batch **retry, struct sbuf *why);

/* "TYPE: REASON" of a rejected document (type and reason quoted JSON
 * strings, reason possibly NULL), unescaped, into msg. */
void bulk_reject_text(struct sbuf *msg, const char *type, size_t type_len,
		      const char *reason, size_t reason_len);
/* Appends the dead-letter line of item it of b, rejected with status,
 * type and reason (quoted JSON strings; reason possibly NULL) and the
 * message msg[0..msg_len): {"error","type","reason","status","source",
 * "line","input"}. */
void bulk_dead_letter(struct sbuf *out, const struct bulk_batch *b,
		      const struct bulk_batch_item *it, long status,
		      const char *msg, size_t msg_len, const char *type,
		      size_t type_len, const char *reason, size_t reason_len);

/* The exit status of a run: 69 when the server could not be reached, 75
 * when documents were not delivered (given up, rejected without a
 * dead-letter file, abandoned at the drain deadline), else 0. */
int bulk_exit_code(int unreachable, uint64_t failed, uint64_t rejected);

#endif
