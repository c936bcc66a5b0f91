#include "bulk_batch.h"

#include <stdlib.h>
#include <string.h>

#include "exitcode.h"
#include "json.h"
#include "xalloc.h"

struct bulk_batch *bulk_batch_new(int in_keep)
{
	struct bulk_batch *b = xcalloc(1, sizeof *b);

	b->in_keep = in_keep;
	return b;
}

void bulk_batch_free(struct bulk_batch *b)
{
	if (!b)
		return;
	sbuf_free(&b->body);
	sbuf_free(&b->keep);
	free(b->items);
	free(b);
}

static struct bulk_batch_item *push(struct bulk_batch *b)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->items = xrealloc(b->items, b->cap * sizeof *b->items);
	}
	return &b->items[b->n++];
}

struct bulk_batch_item *bulk_batch_add(struct bulk_batch *b,
				       const struct bulk_doc *d,
				       size_t max_bytes,
				       struct bulk_batch **next)
{
	struct bulk_batch_item *it;
	size_t rec_off, start = b->body.len;

	*next = NULL;
	bulk_req_append(&b->body, d->op, d->index, d->index_len, d->id,
			d->routing, d->text, d->text_len, &rec_off);
	if (b->n && b->body.len > max_bytes) {
		/* Too much with this one: it opens the next batch. */
		struct bulk_batch *nb = bulk_batch_new(b->in_keep);

		sbuf_put(&nb->body, b->body.p + start, b->body.len - start);
		if (rec_off != (size_t)-1)
			rec_off -= start;
		b->body.len = start;
		b->body.p[start] = '\0';
		*next = b = nb;
		start = 0;
	}
	it = push(b);
	it->off = (uint32_t)start;
	it->len = (uint32_t)(b->body.len - start);
	if (b->in_keep) {
		it->rec_off = (uint32_t)b->keep.len;
		sbuf_put(&b->keep, d->text, d->text_len);
	} else {
		it->rec_off = (uint32_t)rec_off;
	}
	it->rec_len = (uint32_t)d->text_len;
	it->ck.part = -1;
	it->ck.seq = 0;
	it->source = d->source;
	it->line = d->line;
	return it;
}

int bulk_batch_full(const struct bulk_batch *b, uint64_t max_docs,
		    uint64_t max_bytes)
{
	return b->n >= max_docs || b->body.len >= max_bytes;
}

const char *bulk_batch_rec(const struct bulk_batch *b,
			   const struct bulk_batch_item *it)
{
	return (b->in_keep ? b->keep.p : b->body.p) + it->rec_off;
}

void bulk_batch_copy_item(struct bulk_batch *to, const struct bulk_batch *from,
			  const struct bulk_batch_item *it)
{
	struct bulk_batch_item *n = push(to);

	*n = *it;
	n->off = (uint32_t)to->body.len;
	sbuf_put(&to->body, from->body.p + it->off, it->len);
	if (from->in_keep) {
		n->rec_off = (uint32_t)to->keep.len;
		sbuf_put(&to->keep, from->keep.p + it->rec_off, it->rec_len);
	} else {
		n->rec_off = it->rec_off - it->off + n->off;
	}
	to->in_keep = from->in_keep;
}

int bulk_batch_halves(const struct bulk_batch *b, struct bulk_batch *half[2])
{
	uint32_t mid = b->n / 2;

	if (b->n < 2)
		return -1;
	for (int h = 0; h < 2; h++) {
		half[h] = bulk_batch_new(b->in_keep);
		half[h]->attempts = b->attempts;
		for (uint32_t i = h ? mid : 0; i < (h ? b->n : mid); i++)
			bulk_batch_copy_item(half[h], b, &b->items[i]);
	}
	return 0;
}

int bulk_batch_retry(struct bulk_batch *b, int unreachable, uint64_t retries)
{
	b->attempts++;
	b->unreachable = unreachable;
	return b->attempts <= retries;
}

void bulk_queue_push(struct bulk_queue *q, struct bulk_batch *b,
		     int64_t not_before)
{
	b->not_before = not_before;
	b->next = NULL;
	if (q->tail)
		q->tail->next = b;
	else
		q->head = b;
	q->tail = b;
	q->n++;
}

static void unlink_after(struct bulk_queue *q, struct bulk_batch *prev,
			 struct bulk_batch *b)
{
	if (prev)
		prev->next = b->next;
	else
		q->head = b->next;
	if (q->tail == b)
		q->tail = prev;
	b->next = NULL;
	q->n--;
}

struct bulk_batch *bulk_queue_take(struct bulk_queue *q, int64_t now)
{
	struct bulk_batch *b = q->head, *prev = NULL;

	while (b && b->not_before > now) {
		prev = b;
		b = b->next;
	}
	if (b)
		unlink_after(q, prev, b);
	return b;
}

struct bulk_batch *bulk_queue_pop(struct bulk_queue *q)
{
	struct bulk_batch *b = q->head;

	if (b)
		unlink_after(q, NULL, b);
	return b;
}

int64_t bulk_queue_next_due(const struct bulk_queue *q)
{
	int64_t due = INT64_MAX;

	for (const struct bulk_batch *b = q->head; b; b = b->next)
		if (b->not_before < due)
			due = b->not_before;
	return due;
}

enum bulk_outcome bulk_request_outcome(int transport_failed, int reply_too_big,
				       int permanent, long status)
{
	if (transport_failed) {
		if (reply_too_big)
			return BULK_OUT_RETRY;
		/* Trying again cannot make a certificate valid. */
		return permanent ? BULK_OUT_GIVE_UP : BULK_OUT_UNREACHABLE;
	}
	switch (bulk_status_class(status, 0)) {
	case BULK_ACK:
		return BULK_OUT_ITEMS;
	case BULK_RETRY:
		return BULK_OUT_RETRY;
	case BULK_SPLIT:
		return BULK_OUT_SPLIT;
	case BULK_REJECT:
		break;
	}
	return BULK_OUT_REFUSED;
}

enum bulk_class bulk_batch_judge(const struct bulk_batch *b, uint32_t i,
				 struct bulk_resp *r, struct bulk_item *it,
				 struct bulk_batch **retry, struct sbuf *why)
{
	bulk_resp_item(r, i, it);
	if (!it->type)
		return BULK_ACK;
	if (bulk_status_class(it->status, 1) != BULK_RETRY)
		return BULK_REJECT;
	if (!*retry) {
		*retry = bulk_batch_new(b->in_keep);
		(*retry)->attempts = b->attempts;
		if (it->status) {
			sbuf_printf(why, "item status %ld: ", it->status);
			json_unescape(it->type, it->type_len, why);
		} else {
			sbuf_puts(why, "an item without a numeric status");
		}
	}
	bulk_batch_copy_item(*retry, b, &b->items[i]);
	return BULK_RETRY;
}

void bulk_reject_text(struct sbuf *msg, const char *type, size_t type_len,
		      const char *reason, size_t reason_len)
{
	json_unescape(type, type_len, msg);
	if (reason) {
		sbuf_puts(msg, ": ");
		json_unescape(reason, reason_len, msg);
	}
}

void bulk_dead_letter(struct sbuf *out, const struct bulk_batch *b,
		      const struct bulk_batch_item *it, long status,
		      const char *msg, size_t msg_len, const char *type,
		      size_t type_len, const char *reason, size_t reason_len)
{
	sbuf_puts(out, "{\"error\":");
	sbuf_put_jstr(out, msg, msg_len);
	sbuf_puts(out, ",\"type\":");
	sbuf_put(out, type, type_len);
	if (reason) {
		sbuf_puts(out, ",\"reason\":");
		sbuf_put(out, reason, reason_len);
	}
	sbuf_printf(out, ",\"status\":%ld,\"source\":", status);
	sbuf_put_jstr(out, it->source, strlen(it->source));
	sbuf_puts(out, ",\"line\":");
	sbuf_put_u64(out, it->line);
	sbuf_puts(out, ",\"input\":");
	sbuf_put_jstr(out, bulk_batch_rec(b, it), it->rec_len);
	sbuf_puts(out, "}\n");
}

int bulk_exit_code(int unreachable, uint64_t failed, uint64_t rejected)
{
	if (unreachable)
		return SW_EXIT_UNAVAILABLE;
	if (failed || rejected)
		return SW_EXIT_TEMPFAIL;
	return SW_EXIT_OK;
}
