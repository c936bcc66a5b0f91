#include "bulk_ckpt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "json.h"
#include "stats.h"
#include "xalloc.h"

/* A checkpoint file is a few bytes per partition: anything far larger is
 * not one. */
#define BULK_CKPT_MAX_BYTES (64u << 20)

struct pending {
	int64_t offset;
	int done;
};

/* One partition: pending records in arrival order, as a ring whose first
 * element has sequence number base. */
struct part {
	uint32_t topic;
	int32_t partition;
	int64_t next;     /* offset after the highest seen, or from a file */
	int monotonic;    /* offsets arrived in increasing order */
	struct pending *ring;
	size_t cap, head, n;
	uint64_t base;
};

struct bulk_ckpt {
	char **topics;
	size_t ntopics;
	struct part *parts;
	size_t nparts;
	size_t last; /* cache: most records come from the same partition */
};

struct bulk_ckpt *bulk_ckpt_new(void)
{
	return xcalloc(1, sizeof(struct bulk_ckpt));
}

void bulk_ckpt_free(struct bulk_ckpt *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->ntopics; i++)
		free(c->topics[i]);
	for (size_t i = 0; i < c->nparts; i++)
		free(c->parts[i].ring);
	free(c->topics);
	free(c->parts);
	free(c);
}

static uint32_t topic_index(struct bulk_ckpt *c, const char *t, size_t n)
{
	for (size_t i = 0; i < c->ntopics; i++)
		if (strlen(c->topics[i]) == n && memcmp(c->topics[i], t, n) == 0)
			return (uint32_t)i;
	c->topics = xrealloc(c->topics, (c->ntopics + 1) * sizeof *c->topics);
	c->topics[c->ntopics] = xstrndup(t, n);
	return (uint32_t)c->ntopics++;
}

static size_t part_index(struct bulk_ckpt *c, const char *t, size_t n,
			 int32_t partition)
{
	uint32_t ti;
	struct part *p;

	if (c->last < c->nparts) {
		p = &c->parts[c->last];
		if (p->partition == partition &&
		    strlen(c->topics[p->topic]) == n &&
		    memcmp(c->topics[p->topic], t, n) == 0)
			return c->last;
	}
	ti = topic_index(c, t, n);
	for (size_t i = 0; i < c->nparts; i++)
		if (c->parts[i].topic == ti && c->parts[i].partition == partition)
			return c->last = i;
	c->parts = xrealloc(c->parts, (c->nparts + 1) * sizeof *c->parts);
	p = &c->parts[c->nparts];
	memset(p, 0, sizeof *p);
	p->topic = ti;
	p->partition = partition;
	p->next = -1;
	p->monotonic = 1;
	return c->last = c->nparts++;
}

void bulk_ckpt_add(struct bulk_ckpt *c, const char *topic, size_t topic_len,
		   int32_t partition, int64_t offset, struct bulk_ckpt_ref *ref)
{
	size_t pi = part_index(c, topic, topic_len, partition);
	struct part *p = &c->parts[pi];

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct pending *r = xmalloc(cap * sizeof *r);

		for (size_t i = 0; i < p->n; i++)
			r[i] = p->ring[(p->head + i) % p->cap];
		free(p->ring);
		p->ring = r;
		p->cap = cap;
		p->head = 0;
	}
	if (p->n && p->ring[(p->head + p->n - 1) % p->cap].offset >= offset)
		p->monotonic = 0;
	p->ring[(p->head + p->n) % p->cap] = (struct pending){ offset, 0 };
	ref->part = (int32_t)pi;
	ref->seq = p->base + p->n;
	p->n++;
	if (offset + 1 > p->next)
		p->next = offset + 1;
}

void bulk_ckpt_done(struct bulk_ckpt *c, const struct bulk_ckpt_ref *ref)
{
	struct part *p;

	if (ref->part < 0)
		return;
	p = &c->parts[ref->part];
	if (ref->seq < p->base || ref->seq >= p->base + p->n)
		return;
	p->ring[(p->head + (ref->seq - p->base)) % p->cap].done = 1;
	while (p->n && p->ring[p->head].done) {
		p->head = (p->head + 1) % p->cap;
		p->n--;
		p->base++;
	}
}

void bulk_ckpt_set(struct bulk_ckpt *c, const char *topic, size_t topic_len,
		   int32_t partition, int64_t next)
{
	size_t pi = part_index(c, topic, topic_len, partition);

	c->parts[pi].next = next;
}

static int64_t part_checkpoint(const struct part *p)
{
	int64_t low;

	if (!p->n)
		return p->next;
	low = p->ring[p->head].offset;
	if (!p->monotonic) {
		for (size_t i = 1; i < p->n; i++) {
			const struct pending *e = &p->ring[(p->head + i) % p->cap];

			if (!e->done && e->offset < low)
				low = e->offset;
		}
	}
	return low;
}

void bulk_ckpt_stats(struct bulk_ckpt *c, struct stats *s, const char *help)
{
	for (size_t t = 0; t < c->ntopics; t++)
		for (size_t i = 0; i < c->nparts; i++)
			if (c->parts[i].topic == t)
				stats_part_gauge(s, c->topics[t],
						 c->parts[i].partition,
						 "checkpoint_offset",
						 part_checkpoint(&c->parts[i]),
						 help);
}

void bulk_ckpt_format(struct bulk_ckpt *c, struct sbuf *out)
{
	sbuf_puts(out, "{\"offsets\":{");
	for (size_t t = 0; t < c->ntopics; t++) {
		int first = 1;

		if (t)
			sbuf_putc(out, ',');
		sbuf_put_jstr(out, c->topics[t], strlen(c->topics[t]));
		sbuf_puts(out, ":{");
		for (size_t i = 0; i < c->nparts; i++) {
			if (c->parts[i].topic != t)
				continue;
			if (!first)
				sbuf_putc(out, ',');
			first = 0;
			sbuf_printf(out, "\"%d\":", (int)c->parts[i].partition);
			sbuf_put_i64(out, part_checkpoint(&c->parts[i]));
		}
		sbuf_putc(out, '}');
	}
	sbuf_puts(out, "}}\n");
}

int bulk_ckpt_write(struct bulk_ckpt *c, const char *path, char *err,
		    size_t errlen)
{
	struct sbuf b = SBUF_INIT;
	int rc;

	bulk_ckpt_format(c, &b);
	rc = file_replace(path, b.p, b.len, 0600, err, errlen);
	sbuf_free(&b);
	return rc;
}

int bulk_ckpt_load(struct bulk_ckpt *c, const char *path, char *err,
		   size_t errlen)
{
	struct sbuf b = SBUF_INIT, name = SBUF_INIT;
	struct json_doc d;
	char why[160];
	int64_t offs;
	int rc = -1, r;

	json_doc_init(&d);
	r = file_read_all(path, BULK_CKPT_MAX_BYTES, &b, err, errlen);
	if (r != 0) {
		rc = r > 0 ? 0 : -1;
		goto out;
	}
	if (json_parse(&d, b.p, b.len, why, sizeof why) < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		goto out;
	}
	offs = d.tok[0].type == JSON_OBJECT ? json_obj_get(&d, 0, "offsets", 7)
					    : -1;
	if (offs < 0 || d.tok[offs].type != JSON_OBJECT) {
		snprintf(err, errlen, "%s: not a checkpoint: no \"offsets\" object",
			 path);
		goto out;
	}
	JSON_OBJ_FOREACH(&d, (uint32_t)offs, t) {
		if (d.tok[t + 1].type != JSON_OBJECT)
			goto bad;
		sbuf_reset(&name);
		json_unescape(json_tok_ptr(&d, t), d.tok[t].len, &name);
		JSON_OBJ_FOREACH(&d, t + 1, k) {
			struct sbuf pn = SBUF_INIT;
			int64_t part, off;
			int ok;

			json_unescape(json_tok_ptr(&d, k), d.tok[k].len, &pn);
			ok = d.tok[k + 1].type == JSON_NUMBER &&
			     json_num_i64(pn.p, pn.len, &part) == 0 &&
			     part >= 0 && part <= INT32_MAX &&
			     json_num_i64(json_tok_ptr(&d, k + 1),
					  d.tok[k + 1].len, &off) == 0 &&
			     off >= 0;
			sbuf_free(&pn);
			if (!ok)
				goto bad;
			bulk_ckpt_set(c, name.p, name.len, (int32_t)part, off);
		}
	}
	rc = 0;
	goto out;
bad:
	snprintf(err, errlen, "%s: not a checkpoint: offsets must be "
			      "{\"topic\":{\"partition\":offset}}", path);
out:
	json_doc_free(&d);
	sbuf_free(&b);
	sbuf_free(&name);
	return rc;
}
