/* avro_encode: the JSON-to-binary encoder. */
#include "avro_encode.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "timefmt.h"
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
	uint64_t x = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
	char buf[10];
	size_t n = 0;

	while (x >= 0x80) {
		buf[n++] = (char)(x | 0x80);
		x >>= 7;
	}
	buf[n++] = (char)x;
	sbuf_put(out, buf, n);
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
	struct sbuf b = SBUF_INIT;
	const struct json_tok *t = &c->d->tok[i];

	avro_node_describe(n, &b);
	if (n->logical == AVRO_LT_TIMESTAMP_MILLIS ||
	    n->logical == AVRO_LT_TIMESTAMP_MICROS)
		sbuf_puts(&b, " (timestamp)");
	else if (n->logical == AVRO_LT_DATE)
		sbuf_puts(&b, " (date)");
	else if (n->logical == AVRO_LT_DECIMAL)
		sbuf_puts(&b, " (decimal)");
	const char *got = json_type_name((enum json_type)t->type);
	if (t->type == JSON_ARRAY || t->type == JSON_OBJECT)
		eerr(c, "expected %s, got %s", b.p, got);
	else
		eerr(c, "expected %s, got %s %.*s", b.p, got,
		     t->len > 40 ? 40 : (int)t->len, json_tok_ptr(c->d, i));
	sbuf_free(&b);
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

static int digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/* "YYYY-MM-DD" to days since the epoch, through timefmt's RFC 3339 reader. */
static int parse_date(const char *s, size_t n, int64_t *days)
{
	struct timefmt tf = TIMEFMT_INIT;
	char buf[32], err[128];
	int64_t us;

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	memcpy(buf, s, 10);
	memcpy(buf + 10, "T00:00:00Z", 10);
	if (timefmt_parse_string(&tf, buf, 20, &us, err, sizeof(err)) < 0)
		return -1;
	*days = us / INT64_C(86400000000);
	return 0;
}

/* "HH:MM:SS[.fraction]" to milli- or microseconds of the day. */
static int parse_time(const char *s, size_t n, int micros, int64_t *v)
{
	int h, m, sec;
	int64_t frac = 0, scale = micros ? 1000000 : 1000;
	size_t i;

	if (n < 8 || s[2] != ':' || s[5] != ':' || digits(s, 2, &h) ||
	    digits(s + 3, 2, &m) || digits(s + 6, 2, &sec) || h > 23 ||
	    m > 59 || sec > 60)
		return -1;
	if (n > 8) {
		int64_t unit = scale;
		if (s[8] != '.' || n == 9)
			return -1;
		for (i = 9; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			unit /= 10;
			frac += (s[i] - '0') * unit;
		}
	}
	*v = ((int64_t)h * 3600 + m * 60 + sec) * scale + frac;
	return 0;
}

static int put_int_logical(struct ectx *c, const struct avro_node *n,
			   uint32_t i, struct sbuf *out)
{
	size_t len;
	const char *s = str_of(c, i, &len);
	int64_t v;
	char err[256];
	struct timefmt tf = TIMEFMT_INIT;

	switch (n->logical) {
	case AVRO_LT_DATE:
		if (parse_date(s, len, &v) < 0)
			return mismatch(c, n, i);
		break;
	case AVRO_LT_TIME_MILLIS:
	case AVRO_LT_TIME_MICROS:
		if (parse_time(s, len, n->logical == AVRO_LT_TIME_MICROS, &v) <
		    0)
			return mismatch(c, n, i);
		break;
	case AVRO_LT_TIMESTAMP_MILLIS:
	case AVRO_LT_LOCAL_TIMESTAMP_MILLIS:
	case AVRO_LT_TIMESTAMP_MICROS:
	case AVRO_LT_LOCAL_TIMESTAMP_MICROS:
		if (timefmt_parse_string(&tf, s, len, &v, err, sizeof(err)) < 0)
			return mismatch(c, n, i);
		if (n->logical == AVRO_LT_TIMESTAMP_MILLIS ||
		    n->logical == AVRO_LT_LOCAL_TIMESTAMP_MILLIS)
			v = v >= 0 ? v / 1000 : -((-v + 999) / 1000);
		break;
	default:
		return mismatch(c, n, i);
	}
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

	for (size_t k = 0; k < n; k++) {
		unsigned char ch = (unsigned char)s[k];
		if (ch < 0x80) {
			sbuf_putc(bytes, (char)ch);
		} else if ((ch == 0xc2 || ch == 0xc3) && k + 1 < n) {
			sbuf_putc(bytes, (char)(((ch & 3) << 6) |
						(s[++k] & 0x3f)));
		} else {
			return eerr(c, "a code point above U+00FF in bytes");
		}
	}
	return 0;
}

/* A decimal number text to the two's complement big-endian bytes of its
 * unscaled value, at least min bytes long. */
static int decimal_bytes(struct ectx *c, const struct avro_node *n,
			 const char *s, size_t len, struct sbuf *bytes)
{
	struct sbuf dig = SBUF_INIT;
	int neg = 0, frac = -1, ndig;
	size_t i = 0, nb;
	uint8_t *mag;
	int rc = 0;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (i == len)
		return eerr(c, "not a decimal number");
	for (; i < len; i++) {
		if (s[i] == '.' && frac < 0) {
			frac = 0;
		} else if (s[i] >= '0' && s[i] <= '9') {
			if (frac >= 0) {
				if (frac >= n->scale) {
					if (s[i] != '0') {
						sbuf_free(&dig);
						return eerr(c,
							    "more than %d decimal places",
							    n->scale);
					}
					continue;
				}
				frac++;
			}
			if (dig.len || s[i] != '0')
				sbuf_putc(&dig, s[i]);
		} else {
			sbuf_free(&dig);
			return eerr(c, "not a decimal number: %.*s",
				    len > 40 ? 40 : (int)len, s);
		}
	}
	for (int k = frac < 0 ? 0 : frac; k < n->scale; k++)
		if (dig.len)
			sbuf_putc(&dig, '0');
	ndig = (int)dig.len;
	if (ndig > n->precision) {
		sbuf_free(&dig);
		return eerr(c, "more than %d digits for decimal(%d,%d)",
			    n->precision, n->precision, n->scale);
	}
	nb = (size_t)ndig / 2 + 2;
	mag = xcalloc(nb, 1);
	for (int k = 0; k < ndig; k++) {
		unsigned carry = (unsigned)(dig.p[k] - '0');
		for (size_t b = nb; b-- > 0;) {
			unsigned v = mag[b] * 10u + carry;
			mag[b] = (uint8_t)v;
			carry = v >> 8;
		}
	}
	if (neg) {
		int carry = 1;
		for (size_t b = nb; b-- > 0;) {
			int v = (uint8_t)~mag[b] + carry;
			mag[b] = (uint8_t)v;
			carry = v >> 8;
		}
	}
	/* shortest form that keeps the sign */
	i = 0;
	while (i + 1 < nb &&
	       ((mag[i] == 0 && !(mag[i + 1] & 0x80)) ||
		(mag[i] == 0xff && (mag[i + 1] & 0x80))))
		i++;
	if (n->type == AVRO_FIXED) {
		if (nb - i > n->size) {
			rc = eerr(c, "decimal too large for fixed(%zu)", n->size);
		} else {
			for (size_t k = nb - i; k < n->size; k++)
				sbuf_putc(bytes, neg ? (char)0xff : 0);
		}
	}
	if (rc == 0)
		sbuf_put(bytes, mag + i, nb - i);
	free(mag);
	sbuf_free(&dig);
	return rc;
}

static int parse_uuid(const char *s, size_t n, struct sbuf *bytes)
{
	static const int dash[] = { 8, 13, 18, 23 };
	uint8_t b[16];
	size_t k = 0;

	if (n != 36)
		return -1;
	for (size_t i = 0; i < 4; i++)
		if (s[dash[i]] != '-')
			return -1;
	for (size_t i = 0; i < 36; i++) {
		int hi, lo;
		if (i == 8 || i == 13 || i == 18 || i == 23)
			continue;
		hi = s[i];
		lo = s[i + 1];
		hi = hi >= '0' && hi <= '9' ? hi - '0' :
		     (hi | 0x20) >= 'a' && (hi | 0x20) <= 'f' ? (hi | 0x20) - 'a' + 10 : -1;
		lo = lo >= '0' && lo <= '9' ? lo - '0' :
		     (lo | 0x20) >= 'a' && (lo | 0x20) <= 'f' ? (lo | 0x20) - 'a' + 10 : -1;
		if (hi < 0 || lo < 0)
			return -1;
		b[k++] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	sbuf_put(bytes, b, 16);
	return 0;
}

/* Bytes or fixed content of token i, per the input form. */
static int bytes_of(struct ectx *c, const struct avro_node *n, uint32_t i,
		    struct sbuf *bytes)
{
	const struct json_tok *t = &c->d->tok[i];
	size_t len;
	const char *s;

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
	if (n->logical == AVRO_LT_UUID && parse_uuid(s, len, bytes) == 0)
		return 0;
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

static const double pow10tab[] = {
	1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* Clinger's fast path: a number with at most 15 digits and no exponent is
 * m / 10^s with both exact doubles, and one division rounds correctly, so
 * strtod's arbitrary precision (most of the encode time) is not needed. */
static int fast_double(const char *p, size_t n, double *v)
{
	uint64_t m = 0;
	int digits = 0, s = -1, neg = 0;
	size_t i = 0;

	if (i < n && p[i] == '-')
		neg = 1, i++;
	for (; i < n; i++) {
		if (p[i] >= '0' && p[i] <= '9') {
			m = m * 10 + (uint64_t)(p[i] - '0');
			if (m && ++digits > 15)
				return -1;
			if (s >= 0)
				s++;
		} else if (p[i] == '.' && s < 0) {
			s = 0;
		} else {
			return -1;
		}
	}
	if (s > 22)
		return -1;
	*v = s > 0 ? (double)m / pow10tab[s] : (double)m;
	if (neg)
		*v = -*v;
	return 0;
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
		avro_put_long(out, v);
		return 0;
	default:
		if (t->type == JSON_NUMBER) {
			if (fast_double(p, t->len, &dv) < 0 &&
			    json_num_double(p, t->len, &dv) < 0)
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
