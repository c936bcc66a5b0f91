/* avro_encode: the JSON-to-binary encoder. */
#include "avro_encode.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avro_decode.h"
#include "avro_plain.h"
#include "base64.h"
#include "xalloc.h"

#define MAX_DEPTH 256

struct defbin {
	const struct avro_field *f;
	struct sbuf bin;
};

struct avro_writer {
	const struct avro_node *root;
	enum avro_json_in mode;
	struct sbuf str;  /* unescaped strings */
	struct defbin *defs;
	size_t ndefs, capdefs;
};

struct ectx {
	struct avro_writer *w;
	const struct json_doc *d;
	enum avro_json_in mode;
	char msg[512];
	char path[512];
	size_t pathlen;
	int depth;
};

void avro_put_long(struct sbuf *out, int64_t v)
{
	sbuf_put_varint(out, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static int eerr(struct ectx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int eerr(struct ectx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static void path_prepend(struct ectx *c, const char *s, size_t n)
{
	avro_path_prepend(c->path, sizeof(c->path), &c->pathlen, s, n);
}

/* "expected long or null, got string \"abc\"" */
static int mismatch(struct ectx *c, const struct avro_node *n, uint32_t i)
{
	avro_plain_mismatch(n, c->d, i, c->msg, sizeof(c->msg));
	return -1;
}

/* The unescaped bytes of string token i (valid until the next call). */
static const char *str_of(struct ectx *c, uint32_t i, size_t *n)
{
	const struct json_tok *t = &c->d->tok[i];

	if (!(t->flags & JSON_F_ESCAPED)) {
		*n = t->len - 2;
		return json_tok_ptr(c->d, i) + 1;
	}
	sbuf_reset(&c->w->str);
	json_unescape(json_tok_ptr(c->d, i), t->len, &c->w->str);
	*n = c->w->str.len;
	return c->w->str.p ? c->w->str.p : "";
}

static int put_int_logical(struct ectx *c, const struct avro_node *n,
			   uint32_t i, struct sbuf *out)
{
	size_t len;
	const char *s = str_of(c, i, &len);
	int64_t v;

	if (avro_plain_logical(n, s, len, &v) < 0)
		return mismatch(c, n, i);
	if (n->type == AVRO_INT && (v < INT32_MIN || v > INT32_MAX))
		return eerr(c, "out of range for int");
	avro_put_long(out, v);
	return 0;
}

/* Bytes from a JSON string of code points U+0000..U+00FF. */
static int latin1(struct ectx *c, uint32_t i, struct sbuf *bytes)
{
	size_t n;
	const char *s = str_of(c, i, &n);

	if (avro_plain_latin1(s, n, bytes) < 0)
		return eerr(c, "a code point above U+00FF in bytes");
	return 0;
}

static int decimal_bytes(struct ectx *c, const struct avro_node *n,
			 const char *s, size_t len, struct sbuf *bytes)
{
	return avro_plain_decimal(n, s, len, bytes, c->msg, sizeof(c->msg));
}

/* Bytes or fixed content of token i, per the input form. */
static int bytes_of(struct ectx *c, const struct avro_node *n, uint32_t i,
		    struct sbuf *bytes)
{
	const struct json_tok *t = &c->d->tok[i];
	size_t len;
	const char *s;
	uint8_t u[16];

	if (c->mode == AVRO_IN_PLAIN && n->logical == AVRO_LT_DECIMAL) {
		if (t->type == JSON_NUMBER)
			return decimal_bytes(c, n, json_tok_ptr(c->d, i),
					     t->len, bytes);
		if (t->type != JSON_STRING)
			return mismatch(c, n, i);
		s = str_of(c, i, &len);
		/* str_of's buffer is reused below: copy first */
		char *cp = xstrndup(s, len);
		int rc = decimal_bytes(c, n, cp, len, bytes);
		free(cp);
		return rc;
	}
	if (t->type != JSON_STRING)
		return mismatch(c, n, i);
	if (c->mode != AVRO_IN_PLAIN)
		return latin1(c, i, bytes);
	s = str_of(c, i, &len);
	if (n->logical == AVRO_LT_UUID && avro_plain_uuid(s, len, u) == 0) {
		sbuf_put(bytes, u, 16);
		return 0;
	}
	if (base64_decode(s, len, bytes) < 0)
		return eerr(c, "expected %s as base64, got %.*s",
			    avro_type_name(n->type),
			    t->len > 40 ? 40 : (int)t->len,
			    json_tok_ptr(c->d, i));
	return 0;
}

static int enc(struct ectx *c, const struct avro_node *n, uint32_t i,
	       struct sbuf *out);

static const struct sbuf *field_default(struct ectx *c,
					const struct avro_field *f)
{
	struct avro_writer *w = c->w;
	struct avro_writer *dw;
	char err[256];

	for (size_t k = 0; k < w->ndefs; k++)
		if (w->defs[k].f == f)
			return &w->defs[k].bin;
	if (w->ndefs == w->capdefs) {
		w->capdefs = w->capdefs ? 2 * w->capdefs : 8;
		w->defs = xrealloc(w->defs, w->capdefs * sizeof(*w->defs));
	}
	w->defs[w->ndefs].f = f;
	w->defs[w->ndefs].bin = (struct sbuf)SBUF_INIT;
	dw = avro_writer_new(f->type, AVRO_IN_DEFAULT);
	/* defaults were validated when the schema was parsed */
	if (avro_write_text(dw, f->def, strlen(f->def), &w->defs[w->ndefs].bin,
			    err, sizeof(err)) < 0)
		sbuf_reset(&w->defs[w->ndefs].bin);
	avro_writer_free(dw);
	return &w->defs[w->ndefs++].bin;
}

static int nullable(const struct avro_node *n)
{
	if (n->type == AVRO_NULL)
		return 1;
	if (n->type == AVRO_UNION)
		for (size_t k = 0; k < n->nbranches; k++)
			if (n->branches[k]->type == AVRO_NULL)
				return 1;
	return 0;
}

static int enc_record(struct ectx *c, const struct avro_node *n, uint32_t i,
		      struct sbuf *out)
{
	if (c->d->tok[i].type != JSON_OBJECT)
		return mismatch(c, n, i);
	for (size_t k = 0; k < n->nfields; k++) {
		const struct avro_field *f = &n->fields[k];
		int64_t v = json_obj_get(c->d, i, f->name, strlen(f->name));
		int rc;

		if (v >= 0) {
			rc = enc(c, f->type, (uint32_t)v, out);
		} else if (f->def) {
			const struct sbuf *b = field_default(c, f);
			if (b->len) /* a null default takes no bytes */
				sbuf_put(out, b->p, b->len);
			rc = 0;
		} else if (c->mode == AVRO_IN_PLAIN && nullable(f->type)) {
			if (f->type->type == AVRO_UNION)
				for (size_t b = 0; b < f->type->nbranches; b++)
					if (f->type->branches[b]->type ==
					    AVRO_NULL)
						avro_put_long(out, (int64_t)b);
			rc = 0;
		} else {
			struct sbuf t = SBUF_INIT;
			avro_node_describe(f->type, &t);
			rc = eerr(c, "missing (expected %s)", t.p);
			sbuf_free(&t);
		}
		if (rc < 0) {
			path_prepend(c, f->name, strlen(f->name));
			path_prepend(c, ".", 1);
			return -1;
		}
	}
	return 0;
}

static int enc_items(struct ectx *c, const struct avro_node *n, uint32_t i,
		     struct sbuf *out)
{
	const struct json_tok *t = &c->d->tok[i];
	int map = n->type == AVRO_MAP;
	uint64_t idx = 0;

	if (t->type != (map ? JSON_OBJECT : JSON_ARRAY))
		return mismatch(c, n, i);
	if (t->count)
		avro_put_long(out, (int64_t)t->count);
	for (uint32_t e = i + 1; e < t->end; idx++) {
		uint32_t v = e;
		if (map) {
			size_t kl;
			const char *k = str_of(c, e, &kl);
			avro_put_long(out, (int64_t)kl);
			sbuf_put(out, k, kl);
			v = e + 1;
		}
		if (enc(c, n->items, v, out) < 0) {
			char b[64];
			int bl;
			if (map) {
				size_t kl;
				const char *k = str_of(c, e, &kl);
				path_prepend(c, k, kl > 60 ? 60 : kl);
				path_prepend(c, ".", 1);
			} else {
				bl = snprintf(b, sizeof(b), "[%" PRIu64 "]", idx);
				path_prepend(c, b, (size_t)bl);
			}
			return -1;
		}
		e = c->d->tok[v].end;
	}
	avro_put_long(out, 0);
	return 0;
}

/* Whether a plain JSON token is the obvious kind for branch n. */
static int exact_kind(struct ectx *c, const struct avro_node *n, uint32_t i)
{
	const struct json_tok *t = &c->d->tok[i];

	switch (t->type) {
	case JSON_NULL:
		return n->type == AVRO_NULL;
	case JSON_TRUE:
	case JSON_FALSE:
		return n->type == AVRO_BOOLEAN;
	case JSON_NUMBER:
		if (t->flags & JSON_F_INT)
			return n->type == AVRO_INT || n->type == AVRO_LONG;
		return n->type == AVRO_FLOAT || n->type == AVRO_DOUBLE;
	case JSON_STRING:
		if (n->type == AVRO_ENUM) {
			for (size_t k = 0; k < n->nsymbols; k++)
				if (json_str_eq(c->d, i, n->symbols[k],
						strlen(n->symbols[k])))
					return 1;
			return 0;
		}
		return n->type == AVRO_STRING;
	case JSON_ARRAY:
		return n->type == AVRO_ARRAY;
	default:
		return n->type == AVRO_RECORD || n->type == AVRO_MAP;
	}
}

static int enc_union_plain(struct ectx *c, const struct avro_node *n,
			   uint32_t i, struct sbuf *out)
{
	size_t start = out->len;
	int nexact = 0;
	char first_msg[512] = "", first_path[512] = "";

	for (int pass = 0; pass < 2; pass++) {
		for (size_t b = 0; b < n->nbranches; b++) {
			const struct avro_node *br = n->branches[b];
			int ex = exact_kind(c, br, i);

			if (ex != (pass == 0))
				continue;
			avro_put_long(out, (int64_t)b);
			c->pathlen = 0;
			c->path[0] = '\0';
			if (enc(c, br, i, out) == 0)
				return 0;
			if (ex && !nexact++) {
				snprintf(first_msg, sizeof(first_msg), "%s",
					 c->msg);
				snprintf(first_path, sizeof(first_path), "%s",
					 c->path);
			}
			out->len = start;
		}
	}
	c->pathlen = 0;
	c->path[0] = '\0';
	if (nexact == 1) {
		/* one branch was the value's kind: its reason is the useful one */
		snprintf(c->msg, sizeof(c->msg), "%s", first_msg);
		snprintf(c->path, sizeof(c->path), "%s", first_path);
		c->pathlen = strlen(c->path);
		return -1;
	}
	return mismatch(c, n, i);
}

static int enc_union(struct ectx *c, const struct avro_node *n, uint32_t i,
		     struct sbuf *out)
{
	const struct json_tok *t = &c->d->tok[i];

	if (c->mode == AVRO_IN_DEFAULT) {
		avro_put_long(out, 0);
		return enc(c, n->branches[0], i, out);
	}
	if (c->mode == AVRO_IN_PLAIN)
		return enc_union_plain(c, n, i, out);
	if (t->type == JSON_NULL) {
		for (size_t b = 0; b < n->nbranches; b++)
			if (n->branches[b]->type == AVRO_NULL) {
				avro_put_long(out, (int64_t)b);
				return 0;
			}
		return mismatch(c, n, i);
	}
	if (t->type != JSON_OBJECT || t->count != 1)
		return eerr(c, "expected a union as {\"type\": value}");
	for (size_t b = 0; b < n->nbranches; b++) {
		const struct avro_node *br = n->branches[b];
		const char *bn = avro_branch_name(br);
		if (json_str_eq(c->d, i + 1, bn, strlen(bn)) ||
		    (br->name && json_str_eq(c->d, i + 1, br->name,
					     strlen(br->name)))) {
			avro_put_long(out, (int64_t)b);
			return enc(c, br, i + 2, out);
		}
	}
	return eerr(c, "%.*s is not a branch of the union",
		    c->d->tok[i + 1].len > 40 ? 40 : (int)c->d->tok[i + 1].len,
		    json_tok_ptr(c->d, i + 1));
}

static int enc_number(struct ectx *c, const struct avro_node *n, uint32_t i,
		      struct sbuf *out)
{
	const struct json_tok *t = &c->d->tok[i];
	const char *p = json_tok_ptr(c->d, i);
	double dv;
	int64_t v;

	switch (n->type) {
	case AVRO_INT:
	case AVRO_LONG:
		if (t->type == JSON_STRING && c->mode == AVRO_IN_PLAIN &&
		    n->logical != AVRO_LT_NONE)
			return put_int_logical(c, n, i, out);
		if (t->type != JSON_NUMBER || json_num_i64(p, t->len, &v) < 0)
			return mismatch(c, n, i);
		if (n->type == AVRO_INT && (v < INT32_MIN || v > INT32_MAX))
			return eerr(c, "expected int, got %.*s (out of range)",
				    (int)t->len, p);
		if (c->mode == AVRO_IN_PLAIN && n->logical != AVRO_LT_NONE) {
			/* what decode would refuse to write back */
			const char *range = avro_logical_range(n->logical, v);

			if (range)
				return eerr(c, "%.*s is out of range (%s) for its logical type",
					    (int)t->len, p, range);
		}
		avro_put_long(out, v);
		return 0;
	default:
		if (t->type == JSON_NUMBER) {
			if (avro_plain_double(p, t->len, &dv) < 0)
				return mismatch(c, n, i);
			/* A number too big for the type would be written
			 * as infinity, and read back as null. */
			if (isinf(dv) ||
			    (n->type == AVRO_FLOAT && isinf((float)dv)))
				return eerr(c, "%.*s is out of the range of %s",
					    t->len > 40 ? 40 : (int)t->len, p,
					    n->type == AVRO_FLOAT ? "float"
								  : "double");
		} else if (t->type == JSON_STRING &&
			   json_str_eq(c->d, i, "NaN", 3)) {
			dv = NAN;
		} else if (t->type == JSON_STRING &&
			   json_str_eq(c->d, i, "Infinity", 8)) {
			dv = INFINITY;
		} else if (t->type == JSON_STRING &&
			   json_str_eq(c->d, i, "-Infinity", 9)) {
			dv = -INFINITY;
		} else {
			return mismatch(c, n, i);
		}
		if (n->type == AVRO_FLOAT) {
			float f = (float)dv;
			sbuf_put(out, &f, 4); /* little-endian hosts only */
		} else {
			sbuf_put(out, &dv, 8);
		}
		return 0;
	}
}

static int enc(struct ectx *c, const struct avro_node *n, uint32_t i,
	       struct sbuf *out)
{
	const struct json_tok *t = &c->d->tok[i];
	int rc = 0;

	if (++c->depth > MAX_DEPTH)
		return eerr(c, "nested more than %d levels", MAX_DEPTH);
	switch (n->type) {
	case AVRO_NULL:
		if (t->type != JSON_NULL)
			rc = mismatch(c, n, i);
		break;
	case AVRO_BOOLEAN:
		if (t->type == JSON_TRUE)
			sbuf_putc(out, 1);
		else if (t->type == JSON_FALSE)
			sbuf_putc(out, 0);
		else
			rc = mismatch(c, n, i);
		break;
	case AVRO_INT:
	case AVRO_LONG:
	case AVRO_FLOAT:
	case AVRO_DOUBLE:
		rc = enc_number(c, n, i, out);
		break;
	case AVRO_STRING: {
		size_t len;
		const char *s;
		if (t->type != JSON_STRING) {
			rc = mismatch(c, n, i);
			break;
		}
		s = str_of(c, i, &len);
		avro_put_long(out, (int64_t)len);
		sbuf_put(out, s, len);
		break;
	}
	case AVRO_BYTES:
	case AVRO_FIXED: {
		struct sbuf b = SBUF_INIT;
		rc = bytes_of(c, n, i, &b);
		if (rc == 0 && n->type == AVRO_FIXED && b.len != n->size)
			rc = eerr(c, "expected fixed %s of %zu bytes, got %zu",
				  n->fullname, n->size, b.len);
		if (rc == 0) {
			if (n->type == AVRO_BYTES)
				avro_put_long(out, (int64_t)b.len);
			if (b.len)
				sbuf_put(out, b.p, b.len);
		}
		sbuf_free(&b);
		break;
	}
	case AVRO_ENUM:
		rc = -1;
		if (t->type == JSON_STRING)
			for (size_t k = 0; k < n->nsymbols && rc < 0; k++)
				if (json_str_eq(c->d, i, n->symbols[k],
						strlen(n->symbols[k]))) {
					avro_put_long(out, (int64_t)k);
					rc = 0;
				}
		if (rc < 0)
			rc = mismatch(c, n, i);
		break;
	case AVRO_ARRAY:
	case AVRO_MAP:
		rc = enc_items(c, n, i, out);
		break;
	case AVRO_RECORD:
		rc = enc_record(c, n, i, out);
		break;
	case AVRO_UNION:
		rc = enc_union(c, n, i, out);
		break;
	}
	c->depth--;
	return rc;
}

struct avro_writer *avro_writer_new(const struct avro_node *n,
				    enum avro_json_in mode)
{
	struct avro_writer *w = xcalloc(1, sizeof(*w));

	w->root = n;
	w->mode = mode;
	return w;
}

void avro_writer_free(struct avro_writer *w)
{
	if (!w)
		return;
	for (size_t k = 0; k < w->ndefs; k++)
		sbuf_free(&w->defs[k].bin);
	free(w->defs);
	sbuf_free(&w->str);
	free(w);
}

int avro_write(struct avro_writer *w, const struct json_doc *d, uint32_t tok,
	       struct sbuf *out, char *err, size_t errlen)
{
	struct ectx c;
	size_t start = out->len;

	c.w = w;
	c.d = d;
	c.mode = w->mode;
	c.pathlen = 0;
	c.path[0] = '\0';
	c.depth = 0;
	if (enc(&c, w->root, tok, out) < 0) {
		out->len = start;
		if (out->p)
			out->p[start] = '\0';
		if (c.pathlen)
			snprintf(err, errlen, "%s: %s", c.path, c.msg);
		else
			snprintf(err, errlen, "%s", c.msg);
		return -1;
	}
	return 0;
}

int avro_write_text(struct avro_writer *w, const char *json, size_t n,
		    struct sbuf *out, char *err, size_t errlen)
{
	struct json_doc d;
	int rc;

	json_doc_init(&d);
	rc = json_parse(&d, json, n, err, errlen);
	if (rc == 0)
		rc = avro_write(w, &d, 0, out, err, errlen);
	json_doc_free(&d);
	return rc;
}
