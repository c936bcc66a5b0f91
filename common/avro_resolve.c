/* avro_resolve: writer/reader schema pairs compiled into the plans that
 * avro_decode.c runs (Avro schema resolution), and avro_compat. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avro_decode_int.h"
#include "avro_encode.h"
#include "xalloc.h"

struct comp {
	struct avro_reader *rd;
	struct sbuf *reasons;
	int nreasons;
	struct memo {
		const struct avro_node *w, *r;
		struct plan *p;
	} *memo;
	size_t nmemo, capmemo;
	char *err;
	size_t errlen;
	int failed;
};

static struct plan *plan_new(struct comp *cc, enum op op,
			     const struct avro_node *w,
			     const struct avro_node *r)
{
	struct plan *p = xcalloc(1, sizeof(*p));

	p->op = op;
	p->w = w;
	p->r = r;
	p->next = cc->rd->plans;
	cc->rd->plans = p;
	return p;
}

static struct plan *plan_error(struct comp *cc, const struct avro_node *w,
			       const struct avro_node *r, const char *path,
			       const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static struct plan *plan_error(struct comp *cc, const struct avro_node *w,
			       const struct avro_node *r, const char *path,
			       const char *fmt, ...)
{
	struct plan *p = plan_new(cc, OP_ERROR, w, r);
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->err = xstrdup(msg);
	if (cc->reasons) {
		sbuf_printf(cc->reasons, "%s: %s\n", *path ? path : ".", msg);
		cc->nreasons++;
	}
	return p;
}

static int alias_match(const struct avro_node *w, const struct avro_node *r)
{
	if (strcmp(w->name, r->name) == 0 ||
	    strcmp(w->fullname, r->fullname) == 0)
		return 1;
	for (size_t i = 0; i < r->naliases; i++) {
		const char *a = r->aliases[i], *dot = strrchr(a, '.');
		if (strcmp(a, w->fullname) == 0 ||
		    strcmp(dot ? dot + 1 : a, w->name) == 0)
			return 1;
	}
	return 0;
}

/* Whether a writer's w can be read as r without looking inside. */
static int matches(const struct avro_node *w, const struct avro_node *r,
		   int exact)
{
	if (w->type == r->type) {
		if (w->type == AVRO_RECORD || w->type == AVRO_ENUM)
			return alias_match(w, r);
		if (w->type == AVRO_FIXED)
			return alias_match(w, r) && w->size == r->size;
		return 1;
	}
	if (exact)
		return 0;
	switch (w->type) {
	case AVRO_INT:
		return r->type == AVRO_LONG || r->type == AVRO_FLOAT ||
		       r->type == AVRO_DOUBLE;
	case AVRO_LONG:
		return r->type == AVRO_FLOAT || r->type == AVRO_DOUBLE;
	case AVRO_FLOAT:
		return r->type == AVRO_DOUBLE;
	case AVRO_STRING:
		return r->type == AVRO_BYTES;
	case AVRO_BYTES:
		return r->type == AVRO_STRING;
	default:
		return 0;
	}
}

static struct plan *compile(struct comp *cc, const struct avro_node *w,
			    const struct avro_node *r, const char *path);

static char *render_default(struct comp *cc, const struct avro_node *r,
			    const char *def, const char *path)
{
	struct avro_writer *aw = avro_writer_new(r, AVRO_IN_DEFAULT);
	struct avro_reader *ar = NULL;
	struct sbuf bin = SBUF_INIT, js = SBUF_INIT;
	char err[512];
	char *res = NULL;

	if (avro_write_text(aw, def, strlen(def), &bin, err, sizeof(err)) <
		    0 ||
	    !(ar = avro_reader_new(r, NULL, cc->rd->mode, err, sizeof(err))) ||
	    avro_read(ar, bin.p, bin.len, &js, err, sizeof(err)) < 0) {
		if (!cc->failed)
			snprintf(cc->err, cc->errlen, "%s: default: %s", path,
				 err);
		cc->failed = 1;
	} else {
		res = xstrndup(js.p, js.len);
	}
	avro_writer_free(aw);
	avro_reader_free(ar);
	sbuf_free(&bin);
	sbuf_free(&js);
	return res;
}

static void compile_record(struct comp *cc, struct plan *p, const char *path)
{
	const struct avro_node *w = p->w, *r = p->r;
	int last = -1;
	struct sbuf chunk = SBUF_INIT;

	p->nwf = w->nfields;
	p->wf = xcalloc(w->nfields + 1, sizeof(*p->wf));
	p->nrf = r->nfields;
	p->key = xcalloc(r->nfields + 1, sizeof(char *));
	p->def = xcalloc(r->nfields + 1, sizeof(char *));
	p->inorder = 1;
	for (size_t k = 0; k < w->nfields; k++) {
		p->wf[k].w = w->fields[k].type;
		p->wf[k].name = w->fields[k].name;
		p->wf[k].ridx = -1;
	}
	for (size_t i = 0; i < r->nfields; i++) {
		const struct avro_field *rf = &r->fields[i];
		struct sbuf key = SBUF_INIT, sub = SBUF_INIT;
		int found = -1;

		sbuf_put_jstr(&key, rf->name, strlen(rf->name));
		sbuf_putc(&key, ':');
		p->key[i] = key.p;
		for (size_t k = 0; k < w->nfields && found < 0; k++) {
			if (strcmp(w->fields[k].name, rf->name) == 0)
				found = (int)k;
			for (size_t a = 0; a < rf->naliases && found < 0; a++)
				if (strcmp(w->fields[k].name,
					   rf->aliases[a]) == 0)
					found = (int)k;
		}
		sbuf_printf(&sub, "%s.%s", path, rf->name);
		if (found >= 0) {
			p->wf[found].ridx = (int)i;
			p->wf[found].p = compile(cc, w->fields[found].type,
						 rf->type, sub.p);
		} else if (rf->def) {
			p->def[i] = render_default(cc, rf->type, rf->def,
						   sub.p);
		} else {
			struct plan *e = plan_error(
				cc, w, r, sub.p,
				"the reader's field %s is not in the writer's "
				"record %s and has no default",
				rf->name, w->fullname);
			p->def[i] = xstrdup("null");
			if (!p->fail) {
				p->fail = e;
				p->fail_name = rf->name;
			}
		}
		sbuf_free(&sub);
	}
	/* In order when matched writer fields follow the reader's order. */
	for (size_t k = 0; k < p->nwf; k++) {
		if (p->wf[k].ridx < 0)
			continue;
		if (p->wf[k].ridx < last)
			p->inorder = 0;
		last = p->wf[k].ridx;
	}
	if (!p->inorder)
		return;
	last = -1;
	for (size_t k = 0; k <= p->nwf; k++) {
		int upto = k < p->nwf ? p->wf[k].ridx : (int)p->nrf;

		if (k < p->nwf && p->wf[k].ridx < 0)
			continue;
		sbuf_reset(&chunk);
		for (int i = last + 1; i < upto; i++) {
			if (!p->def[i])
				continue;
			if (chunk.len)
				sbuf_putc(&chunk, ',');
			sbuf_puts(&chunk, p->key[i]);
			sbuf_puts(&chunk, p->def[i]);
		}
		if (chunk.len) {
			char *s = xstrndup(chunk.p, chunk.len);
			if (k < p->nwf)
				p->wf[k].pre = s;
			else
				p->tail = s;
		}
		last = upto;
	}
	sbuf_free(&chunk);
}

static struct plan *compile(struct comp *cc, const struct avro_node *w,
			    const struct avro_node *r, const char *path)
{
	struct plan *p;
	struct sbuf sub = SBUF_INIT;
	int j = -1;

	if (w->type == AVRO_UNION) {
		p = plan_new(cc, OP_WUNION, w, r);
		p->nbr = w->nbranches;
		p->br = xcalloc(p->nbr, sizeof(*p->br));
		for (size_t i = 0; i < p->nbr; i++)
			p->br[i] = compile(cc, w->branches[i], r, path);
		return p;
	}
	if (r->type == AVRO_UNION) {
		for (size_t i = 0; i < r->nbranches && j < 0; i++)
			if (matches(w, r->branches[i], 1))
				j = (int)i;
		for (size_t i = 0; i < r->nbranches && j < 0; i++)
			if (matches(w, r->branches[i], 0))
				j = (int)i;
		if (j < 0) {
			sbuf_puts(&sub, "the writer's ");
			avro_node_describe(w, &sub);
			sbuf_puts(&sub, " is not in the reader's union of ");
			avro_node_describe(r, &sub);
			p = plan_error(cc, w, r, path, "%s", sub.p);
			sbuf_free(&sub);
			return p;
		}
		p = plan_new(cc, OP_RUNION, w, r);
		if (cc->rd->mode == AVRO_JSON_AVRO &&
		    r->branches[j]->type != AVRO_NULL) {
			const char *bn = avro_branch_name(r->branches[j]);
			sbuf_putc(&sub, '{');
			sbuf_put_jstr(&sub, bn, strlen(bn));
			sbuf_putc(&sub, ':');
			p->wrap = sub.p;
		}
		p->sub = compile(cc, w, r->branches[j], path);
		return p;
	}
	if (!matches(w, r, 0)) {
		sbuf_puts(&sub, "the writer's ");
		avro_node_describe(w, &sub);
		sbuf_puts(&sub, " cannot be read as ");
		avro_node_describe(r, &sub);
		if (w->type == AVRO_FIXED && r->type == AVRO_FIXED &&
		    w->size != r->size)
			sbuf_printf(&sub, " (size %zu, not %zu)", w->size,
				    r->size);
		p = plan_error(cc, w, r, path, "%s", sub.p);
		sbuf_free(&sub);
		return p;
	}
	if (w->type == AVRO_RECORD) {
		for (size_t i = 0; i < cc->nmemo; i++)
			if (cc->memo[i].w == w && cc->memo[i].r == r)
				return cc->memo[i].p;
		p = plan_new(cc, OP_RECORD, w, r);
		if (cc->nmemo == cc->capmemo) {
			cc->capmemo = cc->capmemo ? 2 * cc->capmemo : 16;
			cc->memo = xrealloc(cc->memo,
					    cc->capmemo * sizeof(*cc->memo));
		}
		cc->memo[cc->nmemo].w = w;
		cc->memo[cc->nmemo].r = r;
		cc->memo[cc->nmemo++].p = p;
		compile_record(cc, p, path);
		return p;
	}
	switch (w->type) {
	case AVRO_NULL:
		return plan_new(cc, OP_NULL, w, r);
	case AVRO_BOOLEAN:
		return plan_new(cc, OP_BOOL, w, r);
	case AVRO_INT:
	case AVRO_LONG:
		p = plan_new(cc,
			     r->type == AVRO_FLOAT  ? OP_L2F :
			     r->type == AVRO_DOUBLE ? OP_L2D :
			     r->type == AVRO_INT    ? OP_INT :
						      OP_LONG,
			     w, r);
		p->wint = w->type == AVRO_INT;
		return p;
	case AVRO_FLOAT:
		return plan_new(cc, r->type == AVRO_FLOAT ? OP_FLOAT : OP_F2D,
				w, r);
	case AVRO_DOUBLE:
		return plan_new(cc, OP_DOUBLE, w, r);
	case AVRO_BYTES:
	case AVRO_STRING:
		return plan_new(cc, r->type == AVRO_BYTES ? OP_BYTES : OP_STRING,
				w, r);
	case AVRO_FIXED:
		return plan_new(cc, OP_FIXED, w, r);
	case AVRO_ENUM:
		p = plan_new(cc, OP_ENUM, w, r);
		p->emap = xcalloc(w->nsymbols + 1, sizeof(int));
		for (size_t i = 0; i < w->nsymbols; i++) {
			p->emap[i] = r->enum_default;
			for (size_t k = 0; k < r->nsymbols; k++)
				if (strcmp(w->symbols[i], r->symbols[k]) == 0)
					p->emap[i] = (int)k;
			if (p->emap[i] < 0 && cc->reasons) {
				sbuf_printf(cc->reasons,
					    "%s: the writer's symbol %s is not "
					    "in the reader's enum %s, which "
					    "has no default\n",
					    *path ? path : ".", w->symbols[i],
					    r->fullname);
				cc->nreasons++;
			}
		}
		return p;
	case AVRO_ARRAY:
	case AVRO_MAP:
		p = plan_new(cc, w->type == AVRO_ARRAY ? OP_ARRAY : OP_MAP, w,
			     r);
		p->may_be_empty = avro_may_be_empty(w->items, 0);
		sbuf_printf(&sub, "%s[]", path);
		p->sub = compile(cc, w->items, r->items, sub.p);
		sbuf_free(&sub);
		return p;
	default:
		break;
	}
	return plan_error(cc, w, r, path, "internal: unexpected type");
}

struct avro_reader *avro_reader_new(const struct avro_node *w,
				    const struct avro_node *r,
				    enum avro_json mode, char *err,
				    size_t errlen)
{
	struct avro_reader *rd = xcalloc(1, sizeof(*rd));
	struct comp cc = { 0 };

	rd->mode = mode;
	cc.rd = rd;
	cc.err = err;
	cc.errlen = errlen;
	rd->root = compile(&cc, w, r ? r : w, "");
	free(cc.memo);
	if (cc.failed) {
		avro_reader_free(rd);
		return NULL;
	}
	return rd;
}

void avro_reader_free(struct avro_reader *rd)
{
	struct plan *p, *next;

	if (!rd)
		return;
	for (p = rd->plans; p; p = next) {
		next = p->next;
		for (size_t i = 0; i < p->nwf; i++)
			free(p->wf[i].pre);
		free(p->wf);
		for (size_t i = 0; i < p->nrf; i++) {
			free(p->key[i]);
			free(p->def[i]);
		}
		free(p->key);
		free(p->def);
		free(p->tail);
		free(p->emap);
		free(p->br);
		free(p->wrap);
		free(p->err);
		free(p);
	}
	free(rd);
}

int avro_compat(const struct avro_node *w, const struct avro_node *r,
		struct sbuf *reasons)
{
	struct avro_reader *rd = xcalloc(1, sizeof(*rd));
	struct comp cc = { 0 };
	char err[512];

	cc.rd = rd;
	cc.reasons = reasons;
	cc.err = err;
	cc.errlen = sizeof(err);
	compile(&cc, w, r, "");
	free(cc.memo);
	avro_reader_free(rd);
	return cc.nreasons;
}
