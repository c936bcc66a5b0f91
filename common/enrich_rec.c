/*
 * enrich_rec: one record under edit.  See enrich_rec.h.
 */
#include "enrich_rec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define NOTOK UINT32_MAX

struct enrich_member {
	const char *key;   /* JSON text, in the doc or the caller's */
	uint32_t klen;
	uint8_t kesc;      /* the key text has escapes */
	uint8_t dead;      /* removed */
	uint32_t vtok;     /* value token in the doc, or NOTOK */
	size_t voff, vlen; /* value text in scratch when vtok is NOTOK */
};

void enrich_rec_init(struct enrich_rec *r)
{
	memset(r, 0, sizeof(*r));
	json_doc_init(&r->own[0]);
	json_doc_init(&r->own[1]);
}

void enrich_rec_free(struct enrich_rec *r)
{
	free(r->m);
	sbuf_free(&r->scratch);
	sbuf_free(&r->ser);
	sbuf_free(&r->tmp);
	json_doc_free(&r->own[0]);
	json_doc_free(&r->own[1]);
	memset(r, 0, sizeof(*r));
}

static struct enrich_member *push(struct enrich_rec *r)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->m = xrealloc(r->m, r->cap * sizeof(*r->m));
	}
	return &r->m[r->n++];
}

/* A cheap filter over key texts: most keys an operation adds are not in
 * the record, and the mask says so without comparing them one by one. */
static uint64_t key_bit(const char *key, size_t klen)
{
	return UINT64_C(1) << ((klen * 7 + (unsigned char)key[klen > 1]) & 63);
}

void enrich_rec_load(struct enrich_rec *r, const struct json_doc *d)
{
	r->doc = d;
	r->n = 0;
	r->dirty = 0;
	r->kmask = 0;
	r->kesc = 0;
	sbuf_reset(&r->scratch);
	r->is_object = d->ntok > 0 && d->tok[0].type == JSON_OBJECT;
	if (r->is_object) {
		JSON_OBJ_FOREACH(d, 0, k) {
			struct enrich_member *m = push(r);

			m->key = json_tok_ptr(d, k);
			m->klen = d->tok[k].len;
			m->kesc = (d->tok[k].flags & JSON_F_ESCAPED) != 0;
			m->dead = 0;
			m->vtok = k + 1;
			r->kmask |= key_bit(m->key, m->klen);
			r->kesc |= m->kesc;
		}
	}
	r->norig = r->n;
}

static void member_value(const struct enrich_rec *r,
			 const struct enrich_member *m, const char **p,
			 size_t *n)
{
	if (m->vtok != NOTOK) {
		*p = json_tok_ptr(r->doc, m->vtok);
		*n = r->doc->tok[m->vtok].len;
	} else {
		*p = r->scratch.p + m->voff;
		*n = m->vlen;
	}
}

/* Key texts a and b name the same key.  Only escapes make two different
 * texts equal, so the unescaping is for the rare key that has them. */
static int key_eq(struct enrich_rec *r, const char *a, size_t an, int aesc,
		  const char *b, size_t bn, int besc)
{
	size_t split;

	if (an == bn && memcmp(a, b, an) == 0)
		return 1;
	if (!aesc && !besc)
		return 0;
	sbuf_reset(&r->tmp);
	json_unescape(a, an, &r->tmp);
	split = r->tmp.len;
	json_unescape(b, bn, &r->tmp);
	return r->tmp.len - split == split &&
	       memcmp(r->tmp.p, r->tmp.p + split, split) == 0;
}

/* The member of key (JSON text), or -1.  Of duplicate keys the last is
 * the member, as jq and Elasticsearch read them (see json_obj_get), so the
 * search runs from the end. */
static int64_t find(struct enrich_rec *r, const char *key, size_t klen,
		    int kesc)
{
	size_t from = 0;

	if (!kesc && !r->kesc && !(r->kmask & key_bit(key, klen)))
		from = r->norig; /* not an original key: look at new ones */
	for (size_t i = r->n; i-- > from;) {
		const struct enrich_member *m = &r->m[i];

		if (m->dead)
			continue;
		if (m->klen == klen && memcmp(m->key, key, klen) == 0)
			return (int64_t)i;
		if ((m->kesc || kesc) &&
		    key_eq(r, m->key, m->klen, m->kesc, key, klen, kesc))
			return (int64_t)i;
	}
	return -1;
}

/* The same for a key given unescaped, as a path step holds it. */
static int64_t find_raw(struct enrich_rec *r, const char *raw, size_t n)
{
	for (size_t i = r->n; i-- > 0;) {
		const struct enrich_member *m = &r->m[i];

		if (m->dead)
			continue;
		if (!m->kesc) {
			if (m->klen == n + 2 && memcmp(m->key + 1, raw, n) == 0)
				return (int64_t)i;
			continue;
		}
		sbuf_reset(&r->tmp);
		json_unescape(m->key, m->klen, &r->tmp);
		if (r->tmp.len == n && memcmp(r->tmp.p, raw, n) == 0)
			return (int64_t)i;
	}
	return -1;
}

static struct enrich_member *member_for(struct enrich_rec *r, const char *key,
					size_t klen, int kesc)
{
	int64_t i = find(r, key, klen, kesc);
	struct enrich_member *m;

	if (i >= 0) {
		if ((size_t)i < r->norig)
			r->dirty = 1;
		return &r->m[i];
	}
	m = push(r);
	m->key = key;
	m->klen = (uint32_t)klen;
	m->kesc = (uint8_t)kesc;
	m->dead = 0;
	return m;
}

void enrich_rec_set(struct enrich_rec *r, const char *key, size_t klen,
		    const char *v, size_t n)
{
	size_t off = r->scratch.len;
	struct enrich_member *m;

	sbuf_put(&r->scratch, v, n);
	m = member_for(r, key, klen, memchr(key, '\\', klen) != NULL);
	m->vtok = NOTOK;
	m->voff = off;
	m->vlen = n;
}

const char *enrich_rec_member(struct enrich_rec *r, const char *key,
			      size_t klen, size_t *n)
{
	int64_t i = find(r, key, klen, memchr(key, '\\', klen) != NULL);
	const char *p;

	if (i < 0)
		return NULL;
	member_value(r, &r->m[i], &p, n);
	return p;
}

static void put_member(const struct enrich_rec *r,
		       const struct enrich_member *m, struct sbuf *out)
{
	const char *v;
	size_t vn;

	member_value(r, m, &v, &vn);
	if (out->cap - out->len <= m->klen + vn + 2)
		sbuf_grow(out, m->klen + vn + 2);
	memcpy(out->p + out->len, m->key, m->klen);
	out->len += m->klen;
	out->p[out->len++] = ':';
	memcpy(out->p + out->len, v, vn);
	out->len += vn;
	out->p[out->len] = '\0';
}

/* Members [from, n) that are not removed, comma-separated, with a comma
 * first when comma is set. */
static void put_members(const struct enrich_rec *r, size_t from, int comma,
			struct sbuf *out)
{
	for (size_t i = from; i < r->n; i++) {
		if (r->m[i].dead)
			continue;
		if (comma)
			sbuf_putc(out, ',');
		put_member(r, &r->m[i], out);
		comma = 1;
	}
}

void enrich_rec_write(struct enrich_rec *r, struct sbuf *out)
{
	const struct json_doc *d = r->doc;

	if (!r->is_object) {
		sbuf_put(out, d->text.p, d->tok[0].len);
		return;
	}
	if (!r->dirty) {
		/* the original text up to its '}', then the new members */
		sbuf_put(out, d->text.p, d->tok[0].len - 1);
		put_members(r, r->norig, d->tok[0].count > 0, out);
	} else {
		sbuf_putc(out, '{');
		put_members(r, 0, 0, out);
	}
	sbuf_putc(out, '}');
}

/* Re-parses the record as it is now into a doc of its own, so that every
 * value has tokens again. */
static int materialise(struct enrich_rec *r, char *err, size_t errlen)
{
	struct json_doc *target = &r->own[r->which];

	sbuf_reset(&r->ser);
	enrich_rec_write(r, &r->ser);
	if (json_parse(target, r->ser.p, r->ser.len, err, errlen) < 0)
		return -1;
	r->which ^= 1;
	enrich_rec_load(r, target);
	return 0;
}

/* Follows steps [from, nsteps) of plain path jp from token t. */
static int64_t walk(const struct json_doc *d, int64_t t, struct jpath *jp,
		    size_t from)
{
	for (size_t i = from; i < jpath_nsteps(jp) && t >= 0; i++) {
		size_t kl;
		int64_t idx;
		const char *key = jpath_step_key(jp, i, &kl, &idx);

		t = key ? json_obj_get(d, (uint32_t)t, key, kl) :
			  json_arr_get(d, (uint32_t)t, idx);
	}
	return t;
}

int enrich_rec_get(struct enrich_rec *r, struct jpath *jp, struct jval *v,
		   char *err, size_t errlen)
{
	const struct json_doc *d = r->doc;

	if (!r->dirty && r->n == r->norig)
		return jpath_eval(jp, d, v, err, errlen);
	if (jpath_is_simple(jp) && jpath_nsteps(jp) > 0) {
		size_t kl;
		int64_t idx, i, t;
		const char *key = jpath_step_key(jp, 0, &kl, &idx);
		struct enrich_member *m;

		if (!key)
			return 0; /* an index into an object */
		i = find_raw(r, key, kl);
		if (i < 0)
			return 0;
		m = &r->m[i];
		if (m->vtok != NOTOK) {
			t = walk(d, m->vtok, jp, 1);
			if (t < 0)
				return 0;
			v->type = (enum json_type)d->tok[t].type;
			v->p = json_tok_ptr(d, (uint32_t)t);
			v->n = d->tok[t].len;
			return 1;
		}
	}
	if (materialise(r, err, errlen) < 0)
		return -1;
	return jpath_eval(jp, r->doc, v, err, errlen);
}

/* Writes the value at token t without the member or element that steps
 * [i, nsteps) of jp lead to. */
static void write_without(const struct json_doc *d, uint32_t t,
			  struct jpath *jp, size_t i, struct sbuf *out)
{
	const struct json_tok *tok = &d->tok[t];
	size_t kl, nsteps = jpath_nsteps(jp);
	int64_t idx, j = 0;
	const char *key = jpath_step_key(jp, i, &kl, &idx);
	int last = i + 1 == nsteps, comma = 0;

	if (tok->type == JSON_OBJECT && key) {
		sbuf_putc(out, '{');
		JSON_OBJ_FOREACH(d, t, k) {
			int match = json_str_eq(d, k, key, kl);

			if (match && last)
				continue;
			if (comma)
				sbuf_putc(out, ',');
			comma = 1;
			sbuf_put(out, json_tok_ptr(d, k), d->tok[k].len);
			sbuf_putc(out, ':');
			if (match)
				write_without(d, k + 1, jp, i + 1, out);
			else
				sbuf_put(out, json_tok_ptr(d, k + 1),
					 d->tok[k + 1].len);
		}
		sbuf_putc(out, '}');
	} else if (tok->type == JSON_ARRAY && !key) {
		if (idx < 0)
			idx += tok->count;
		sbuf_putc(out, '[');
		JSON_ARR_FOREACH(d, t, e) {
			int match = j++ == idx;

			if (match && last)
				continue;
			if (comma)
				sbuf_putc(out, ',');
			comma = 1;
			if (match)
				write_without(d, e, jp, i + 1, out);
			else
				sbuf_put(out, json_tok_ptr(d, e), d->tok[e].len);
		}
		sbuf_putc(out, ']');
	} else {
		sbuf_put(out, json_tok_ptr(d, t), tok->len);
	}
}

int enrich_rec_flatten(struct enrich_rec *r, struct jpath *jp, char *err,
		       size_t errlen)
{
	const struct json_doc *d;
	struct enrich_member *m;
	size_t kl;
	int64_t idx, i, t;
	const char *key = jpath_step_key(jp, 0, &kl, &idx);

	if (!key)
		return 0;
	i = find_raw(r, key, kl);
	if (i < 0)
		return 0;
	if (r->m[i].vtok == NOTOK) {
		if (materialise(r, err, errlen) < 0)
			return -1;
		i = find_raw(r, key, kl);
	}
	d = r->doc;
	m = &r->m[i];
	t = walk(d, m->vtok, jp, 1);
	if (t < 0 || d->tok[t].type == JSON_NULL)
		return 0;
	if (d->tok[t].type != JSON_OBJECT) {
		snprintf(err, errlen, "%s: not an object (%s)", jpath_expr(jp),
			 json_type_name((enum json_type)d->tok[t].type));
		return -1;
	}
	if (jpath_nsteps(jp) == 1) {
		/* Earlier duplicates of the key go too, or they would be its
		 * value afterwards. */
		for (; i >= 0; i = find_raw(r, key, kl)) {
			r->m[i].dead = 1;
			if ((size_t)i < r->norig)
				r->dirty = 1;
		}
	} else {
		sbuf_reset(&r->ser);
		write_without(d, m->vtok, jp, 1, &r->ser);
		enrich_rec_set(r, m->key, m->klen, r->ser.p, r->ser.len);
	}
	JSON_OBJ_FOREACH(d, (uint32_t)t, k) {
		struct enrich_member *n = member_for(
			r, json_tok_ptr(d, k), d->tok[k].len,
			(d->tok[k].flags & JSON_F_ESCAPED) != 0);

		n->vtok = k + 1;
	}
	return 0;
}
