/* avro_decode: resolution plans and the binary-to-JSON decoder. */
#include "avro_decode.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avro_encode.h"
#include "base64.h"
#include "json.h"
#include "timefmt.h"
#include "xalloc.h"

#define MAX_DEPTH 256
/* Items that take no bytes (null, empty records) cannot be bounded by the
 * input's size; cap how many one datum may hold. */
#define MAX_EMPTY_ITEMS (1 << 20)

enum op {
	OP_NULL,
	OP_BOOL,
	OP_INT,
	OP_LONG,
	OP_L2F,
	OP_L2D,
	OP_FLOAT,
	OP_F2D,
	OP_DOUBLE,
	OP_BYTES,
	OP_STRING,
	OP_FIXED,
	OP_ENUM,
	OP_ARRAY,
	OP_MAP,
	OP_RECORD,
	OP_WUNION,
	OP_RUNION,
	OP_ERROR,
};

struct plan;

struct wfield {
	struct plan *p;              /* NULL: skip */
	const struct avro_node *w;   /* writer's type, for skipping */
	const char *name;            /* writer's field name, for errors */
	int ridx;                    /* reader field, or -1 */
	char *pre;                   /* in-order: defaults written before */
};

struct plan {
	enum op op;
	int wint;                    /* the writer wrote an int (range check) */
	const struct avro_node *w, *r;
	struct plan *sub;            /* items, values, union branch */
	char *wrap;                  /* RUNION in avro JSON: {"name": */
	struct wfield *wf;
	size_t nwf;
	char **key;                  /* reader fields: "name": */
	char **def;                  /* reader fields: rendered defaults */
	size_t nrf;
	int inorder;
	struct plan *fail;           /* every datum fails with this */
	const char *fail_name;
	char *tail;                  /* in-order: defaults written last */
	int *emap;                   /* enum: writer symbol -> reader's */
	struct plan **br;            /* writer union branches */
	size_t nbr;
	int may_be_empty;            /* array/map items may take 0 bytes */
	char *err;                   /* OP_ERROR */
	struct plan *next;
};

struct avro_reader {
	struct plan *root;
	struct plan *plans;
	enum avro_json mode;
};

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

struct dctx {
	const uint8_t *p, *end;
	struct avro_reader *rd;
	char msg[512];
	char path[512];
	size_t pathlen;
	int depth;
	uint64_t empty_items; /* zero-byte items seen in this datum */
};

/* --- formats -------------------------------------------------------- */

static int64_t floordiv(int64_t a, int64_t b, int64_t *rem)
{
	int64_t q = a / b, r = a % b;

	if (r < 0) {
		r += b;
		q--;
	}
	*rem = r;
	return q;
}

static void put_digits(char *p, uint64_t v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

static const char *lt_name(int logical)
{
	switch (logical) {
	case AVRO_LT_DATE: return "date";
	case AVRO_LT_TIME_MILLIS: return "time-millis";
	case AVRO_LT_TIME_MICROS: return "time-micros";
	case AVRO_LT_TIMESTAMP_MILLIS: return "timestamp-millis";
	case AVRO_LT_TIMESTAMP_MICROS: return "timestamp-micros";
	case AVRO_LT_LOCAL_TIMESTAMP_MILLIS: return "local-timestamp-millis";
	case AVRO_LT_LOCAL_TIMESTAMP_MICROS: return "local-timestamp-micros";
	default: return "value";
	}
}

const char *avro_logical_range(int logical, int64_t v)
{
	int64_t lo, hi; /* [lo, hi) */

	switch (logical) {
	case AVRO_LT_DATE:
		lo = TIMEFMT_MIN_S / 86400, hi = TIMEFMT_MAX_S / 86400;
		break;
	case AVRO_LT_TIME_MILLIS:
		return v >= 0 && v < 86400000 ? NULL : "0 to 86399999";
	case AVRO_LT_TIME_MICROS:
		return v >= 0 && v < INT64_C(86400000000) ? NULL
							  : "0 to 86399999999";
	case AVRO_LT_TIMESTAMP_MILLIS:
	case AVRO_LT_LOCAL_TIMESTAMP_MILLIS:
		lo = TIMEFMT_MIN_S * 1000, hi = TIMEFMT_MAX_S * 1000;
		break;
	case AVRO_LT_TIMESTAMP_MICROS:
	case AVRO_LT_LOCAL_TIMESTAMP_MICROS:
		lo = TIMEFMT_MIN_S * 1000000, hi = TIMEFMT_MAX_S * 1000000;
		break;
	default:
		return NULL;
	}
	return v >= lo && v < hi ? NULL : "years -99999 to +99999";
}

/* Dates and timestamps are written only within the range that timefmt
 * reads back (years -99999 to +99999), so decode | encode never fails. */
int avro_fmt_date(int64_t days, struct sbuf *out)
{
	if (avro_logical_range(AVRO_LT_DATE, days))
		return -1;
	timefmt_format_date(days, out);
	return 0;
}

static void fmt_clock(int64_t frac_of_day, int micros, struct sbuf *out)
{
	char buf[16];
	int64_t unit = micros ? 1000000 : 1000;
	int64_t secs = frac_of_day / unit, sub = frac_of_day % unit;

	put_digits(buf, (uint64_t)(secs / 3600), 2);
	buf[2] = ':';
	put_digits(buf + 3, (uint64_t)(secs / 60 % 60), 2);
	buf[5] = ':';
	put_digits(buf + 6, (uint64_t)(secs % 60), 2);
	buf[8] = '.';
	put_digits(buf + 9, (uint64_t)sub, micros ? 6 : 3);
	sbuf_put(out, buf, micros ? 15 : 12);
}

int avro_fmt_time(int64_t v, int micros, struct sbuf *out)
{
	int64_t day = micros ? INT64_C(86400000000) : 86400000;

	if (v < 0 || v >= day)
		return -1;
	fmt_clock(v, micros, out);
	return 0;
}

int avro_fmt_timestamp(int64_t v, int micros, int utc, struct sbuf *out)
{
	int64_t day = micros ? INT64_C(86400000000) : 86400000, rem;
	int64_t days = floordiv(v, day, &rem);

	if (avro_logical_range(micros ? AVRO_LT_TIMESTAMP_MICROS
				       : AVRO_LT_TIMESTAMP_MILLIS, v) ||
	    avro_fmt_date(days, out) < 0)
		return -1;
	sbuf_putc(out, 'T');
	fmt_clock(rem, micros, out);
	if (utc)
		sbuf_putc(out, 'Z');
	return 0;
}

/* -0.0 keeps its sign: JSON's "-0.0" reads back as negative zero, where
 * "0" (what the number writer gives for a whole value) would not. */
void avro_fmt_float(float f, struct sbuf *out)
{
	if (f == 0 && signbit(f))
		sbuf_put(out, "-0.0", 4);
	else
		sbuf_put_float(out, f);
}

void avro_fmt_double(double d, struct sbuf *out)
{
	if (d == 0 && signbit(d))
		sbuf_put(out, "-0.0", 4);
	else
		sbuf_put_double(out, d);
}

static void fmt_uuid(const uint8_t *p, struct sbuf *out)
{
	static const char hex[] = "0123456789abcdef";
	char buf[38];
	size_t k = 0;

	buf[k++] = '"';
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			buf[k++] = '-';
		buf[k++] = hex[p[i] >> 4];
		buf[k++] = hex[p[i] & 15];
	}
	buf[k++] = '"';
	sbuf_put(out, buf, k);
}

/* Avro's JSON encoding of bytes: one code point per byte. */
static void fmt_latin1(const uint8_t *p, size_t n, struct sbuf *out)
{
	static const char hex[] = "0123456789abcdef";

	sbuf_grow(out, n * 6 + 2);
	sbuf_putc(out, '"');
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c == '"' || c == '\\') {
			sbuf_putc(out, '\\');
			sbuf_putc(out, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4],
				      hex[c & 15] };
			sbuf_put(out, e, 6);
		} else if (c < 0x80) {
			sbuf_putc(out, (char)c);
		} else {
			sbuf_putc(out, (char)(0xc0 | (c >> 6)));
			sbuf_putc(out, (char)(0x80 | (c & 0x3f)));
		}
	}
	sbuf_putc(out, '"');
}

static void fmt_b64(const uint8_t *p, size_t n, struct sbuf *out)
{
	sbuf_putc(out, '"');
	base64_encode(p, n, out);
	sbuf_putc(out, '"');
}

/* --- the decoder ---------------------------------------------------- */

static int derr(struct dctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int derr(struct dctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int derr(struct dctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Two's complement big-endian p[0..n) as a decimal with r's scale digits
 * after the point, quoted.  More digits than r's precision is bad input,
 * as the encoder (and Java's) refuses them: what is printed always encodes
 * again. */
static int fmt_decimal(struct dctx *c, const uint8_t *p, size_t n,
		       const struct avro_node *r, struct sbuf *out)
{
	int scale = r->scale;
	uint8_t *mag = xmalloc(n ? n : 1);
	/* digits of the unscaled value, or more zeros when the scale is larger */
	char *digits = xmalloc(n * 3 + 2 + (scale > 0 ? (size_t)scale : 0));
	size_t nd = 0, len = n;
	int neg = n && (p[0] & 0x80);

	memcpy(mag, p, n);
	if (neg) { /* negate: invert and add one */
		int carry = 1;
		for (size_t i = n; i-- > 0;) {
			int v = (uint8_t)~mag[i] + carry;
			mag[i] = (uint8_t)v;
			carry = v >> 8;
		}
	}
	for (;;) { /* repeated division by 10 */
		unsigned rem = 0;
		int nonzero = 0;
		for (size_t i = 0; i < len; i++) {
			unsigned cur = (rem << 8) | mag[i];
			mag[i] = (uint8_t)(cur / 10);
			rem = cur % 10;
			nonzero |= mag[i];
		}
		digits[nd++] = (char)('0' + rem);
		if (!nonzero)
			break;
	}
	if (nd > (size_t)r->precision && !(nd == 1 && digits[0] == '0')) {
		free(mag);
		free(digits);
		return derr(c, "decimal(%d,%d) with %zu digits, more than its precision",
			    r->precision, r->scale, nd);
	}
	while ((int)nd <= scale)
		digits[nd++] = '0';
	sbuf_putc(out, '"');
	if (neg)
		sbuf_putc(out, '-');
	for (size_t i = nd; i-- > 0;) {
		sbuf_putc(out, digits[i]);
		if (scale && (int)i == scale)
			sbuf_putc(out, '.');
	}
	sbuf_putc(out, '"');
	free(mag);
	free(digits);
	return 0;
}

/* Error paths are built while unwinding: each level prepends its step. */
static void path_prepend(struct dctx *c, const char *s, size_t n)
{
	avro_path_prepend(c->path, sizeof(c->path), &c->pathlen, s, n);
}

static void path_field(struct dctx *c, const char *name)
{
	path_prepend(c, name, strlen(name));
	path_prepend(c, ".", 1);
}

static void path_index(struct dctx *c, uint64_t i)
{
	char b[32];
	int n = snprintf(b, sizeof(b), "[%" PRIu64 "]", i);

	path_prepend(c, b, (size_t)n);
}

static inline int rd_long(struct dctx *c, int64_t *v)
{
	uint64_t x = 0;
	int shift = 0;

	*v = 0;
	while (c->p < c->end) {
		uint8_t b = *c->p++;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = (int64_t)((x >> 1) ^ (~(x & 1) + 1));
			return 0;
		}
		shift += 7;
		if (shift > 63)
			return derr(c, "varint longer than 10 bytes");
	}
	return derr(c, "truncated datum");
}

static int rd_len(struct dctx *c, const char *what, size_t *len)
{
	int64_t v;

	if (rd_long(c, &v) < 0)
		return -1;
	if (v < 0)
		return derr(c, "negative %s length %" PRId64, what, v);
	if ((uint64_t)v > (uint64_t)(c->end - c->p))
		return derr(c, "%s length %" PRId64 " exceeds the %zu bytes left",
			    what, v, (size_t)(c->end - c->p));
	*len = (size_t)v;
	return 0;
}

/* Reads a block count of an array or map: 0 ends, a negative count is
 * followed by the block's size in bytes. */
static int rd_count(struct dctx *c, int may_be_empty, uint64_t *count)
{
	int64_t v, size = 0;

	if (rd_long(c, &v) < 0)
		return -1;
	if (v < 0) {
		if (v == INT64_MIN)
			return derr(c, "invalid block count");
		v = -v;
		if (rd_long(c, &size) < 0)
			return -1;
		if (size < 0 || size > c->end - c->p)
			return derr(c, "invalid block size %" PRId64, size);
	}
	if (may_be_empty ? (c->empty_items += (uint64_t)v) > MAX_EMPTY_ITEMS :
			   v > c->end - c->p)
		return derr(c, "block count %" PRId64 " exceeds the data left",
			    v);
	*count = (uint64_t)v;
	return 0;
}

static int may_be_empty(const struct avro_node *n, int depth)
{
	if (depth > 32)
		return 1;
	switch (n->type) {
	case AVRO_NULL:
		return 1;
	case AVRO_FIXED:
		return n->size == 0;
	case AVRO_RECORD:
		for (size_t i = 0; i < n->nfields; i++)
			if (!may_be_empty(n->fields[i].type, depth + 1))
				return 0;
		return 1;
	default:
		return 0;
	}
}

static int skip(struct dctx *c, const struct avro_node *n)
{
	int64_t v;
	size_t len;
	uint64_t count;
	int rc = 0;

	if (++c->depth > MAX_DEPTH)
		return derr(c, "nested more than %d levels", MAX_DEPTH);
	switch (n->type) {
	case AVRO_NULL:
		break;
	case AVRO_BOOLEAN:
		if (c->p >= c->end)
			rc = derr(c, "truncated datum");
		else
			c->p++;
		break;
	case AVRO_INT:
	case AVRO_LONG:
	case AVRO_ENUM:
		rc = rd_long(c, &v);
		break;
	case AVRO_FLOAT:
	case AVRO_DOUBLE:
		len = n->type == AVRO_FLOAT ? 4 : 8;
		if ((size_t)(c->end - c->p) < len)
			rc = derr(c, "truncated datum");
		else
			c->p += len;
		break;
	case AVRO_FIXED:
		if ((size_t)(c->end - c->p) < n->size)
			rc = derr(c, "truncated datum");
		else
			c->p += n->size;
		break;
	case AVRO_BYTES:
	case AVRO_STRING:
		rc = rd_len(c, avro_type_name(n->type), &len);
		if (rc == 0)
			c->p += len;
		break;
	case AVRO_RECORD:
		for (size_t i = 0; i < n->nfields && rc == 0; i++)
			rc = skip(c, n->fields[i].type);
		break;
	case AVRO_ARRAY:
	case AVRO_MAP:
		for (;;) {
			if ((rc = rd_count(c, may_be_empty(n->items, 0),
					   &count)) < 0 || count == 0)
				break;
			for (uint64_t i = 0; i < count && rc == 0; i++) {
				if (n->type == AVRO_MAP &&
				    (rc = rd_len(c, "map key", &len)) == 0)
					c->p += len;
				if (rc == 0)
					rc = skip(c, n->items);
			}
			if (rc < 0)
				break;
		}
		break;
	case AVRO_UNION:
		if ((rc = rd_long(c, &v)) < 0)
			break;
		if (v < 0 || (uint64_t)v >= n->nbranches)
			rc = derr(c, "union branch %" PRId64 " out of range", v);
		else
			rc = skip(c, n->branches[v]);
		break;
	}
	c->depth--;
	return rc;
}

static int put_string(struct dctx *c, const uint8_t *p, size_t len,
		      struct sbuf *out)
{
	size_t ok = utf8_valid_prefix((const char *)p, len);

	if (ok != len)
		return derr(c, "string is not valid UTF-8 at byte %zu", ok);
	sbuf_put_jstr(out, (const char *)p, len);
	return 0;
}

/* A logical type's natural JSON, or an error for a value that has none
 * (bad input: --json avro shows the raw value). */
static int put_long(struct dctx *c, const struct avro_node *r, int64_t v,
		    struct sbuf *out)
{
	int micros = 0, rc = 0;
	size_t len = out->len;
	const char *range;

	if (c->rd->mode != AVRO_JSON_PLAIN || r->logical == AVRO_LT_NONE) {
		sbuf_put_i64(out, v);
		return 0;
	}
	if ((range = avro_logical_range(r->logical, v)))
		return derr(c, "%s out of range (%s): %" PRId64,
			    lt_name(r->logical), range, v);
	sbuf_putc(out, '"');
	switch (r->logical) {
	case AVRO_LT_DATE:
		rc = avro_fmt_date(v, out);
		break;
	case AVRO_LT_TIME_MICROS:
		micros = 1;
		/* fall through */
	case AVRO_LT_TIME_MILLIS:
		rc = avro_fmt_time(v, micros, out);
		break;
	case AVRO_LT_TIMESTAMP_MICROS:
	case AVRO_LT_LOCAL_TIMESTAMP_MICROS:
		micros = 1;
		/* fall through */
	case AVRO_LT_TIMESTAMP_MILLIS:
	case AVRO_LT_LOCAL_TIMESTAMP_MILLIS:
		rc = avro_fmt_timestamp(v, micros,
					r->logical == AVRO_LT_TIMESTAMP_MILLIS ||
						r->logical == AVRO_LT_TIMESTAMP_MICROS,
					out);
		break;
	default:
		out->len = len;
		sbuf_put_i64(out, v);
		return 0;
	}
	if (rc < 0) {
		out->len = len;
		out->p[len] = '\0';
		return rc;
	}
	sbuf_putc(out, '"');
	return 0;
}

static int put_bytes(struct dctx *c, const struct avro_node *r,
		     const uint8_t *p, size_t n, struct sbuf *out)
{
	if (c->rd->mode == AVRO_JSON_AVRO)
		fmt_latin1(p, n, out);
	else if (r->logical == AVRO_LT_DECIMAL)
		return fmt_decimal(c, p, n, r, out);
	else if (r->logical == AVRO_LT_UUID && n == 16)
		fmt_uuid(p, out);
	else
		fmt_b64(p, n, out);
	return 0;
}

static int dec(struct dctx *c, const struct plan *pl, struct sbuf *out);

static int dec_record(struct dctx *c, const struct plan *pl, struct sbuf *out)
{
	int comma = 0;

	if (pl->fail) {
		dec(c, pl->fail, out);
		path_field(c, pl->fail_name);
		return -1;
	}
	if (!pl->inorder) {
		/* Fields come in another order than the reader's: decode them
		 * aside, then write them in the reader's order. */
		struct sbuf tmp = SBUF_INIT;
		size_t *span = xcalloc(pl->nrf * 2 + 1, sizeof(size_t));
		int rc = 0;

		for (size_t k = 0; k < pl->nwf && rc == 0; k++) {
			const struct wfield *f = &pl->wf[k];
			if (!f->p) {
				rc = skip(c, f->w);
			} else {
				span[2 * f->ridx] = tmp.len;
				rc = dec(c, f->p, &tmp);
				span[2 * f->ridx + 1] = tmp.len;
			}
			if (rc < 0)
				path_field(c, f->name);
		}
		if (rc == 0) {
			sbuf_putc(out, '{');
			for (size_t i = 0; i < pl->nrf; i++) {
				if (i)
					sbuf_putc(out, ',');
				sbuf_puts(out, pl->key[i]);
				if (pl->def[i])
					sbuf_puts(out, pl->def[i]);
				else
					sbuf_put(out, tmp.p + span[2 * i],
						 span[2 * i + 1] - span[2 * i]);
			}
			sbuf_putc(out, '}');
		}
		sbuf_free(&tmp);
		free(span);
		return rc;
	}
	sbuf_putc(out, '{');
	for (size_t k = 0; k < pl->nwf; k++) {
		const struct wfield *f = &pl->wf[k];

		if (!f->p) {
			if (skip(c, f->w) < 0)
				goto fail;
			continue;
		}
		if (f->pre) {
			if (comma)
				sbuf_putc(out, ',');
			sbuf_puts(out, f->pre);
			comma = 1;
		}
		if (comma)
			sbuf_putc(out, ',');
		comma = 1;
		sbuf_puts(out, pl->key[f->ridx]);
		if (dec(c, f->p, out) < 0)
			goto fail;
		continue;
fail:
		path_field(c, f->name);
		return -1;
	}
	if (pl->tail) {
		if (comma)
			sbuf_putc(out, ',');
		sbuf_puts(out, pl->tail);
	}
	sbuf_putc(out, '}');
	return 0;
}

static int dec_items(struct dctx *c, const struct plan *pl, struct sbuf *out)
{
	int map = pl->op == OP_MAP;
	uint64_t count, idx = 0;
	size_t len;

	sbuf_putc(out, map ? '{' : '[');
	for (;;) {
		if (rd_count(c, pl->may_be_empty, &count) < 0)
			return -1;
		if (count == 0)
			break;
		for (uint64_t i = 0; i < count; i++, idx++) {
			if (idx)
				sbuf_putc(out, ',');
			if (map) {
				if (rd_len(c, "map key", &len) < 0 ||
				    put_string(c, c->p, len, out) < 0)
					goto fail;
				c->p += len;
				sbuf_putc(out, ':');
			}
			if (dec(c, pl->sub, out) < 0)
				goto fail;
		}
	}
	sbuf_putc(out, map ? '}' : ']');
	return 0;
fail:
	path_index(c, idx);
	return -1;
}

static int dec(struct dctx *c, const struct plan *pl, struct sbuf *out)
{
	int64_t v;
	size_t len;
	int rc = 0;

	if (++c->depth > MAX_DEPTH)
		return derr(c, "nested more than %d levels", MAX_DEPTH);
	switch (pl->op) {
	case OP_NULL:
		sbuf_put(out, "null", 4);
		break;
	case OP_BOOL:
		if (c->p >= c->end)
			rc = derr(c, "truncated datum");
		else if (*c->p > 1)
			rc = derr(c, "invalid boolean byte %u", *c->p);
		else if (*c->p++)
			sbuf_put(out, "true", 4);
		else
			sbuf_put(out, "false", 5);
		break;
	case OP_INT:
	case OP_LONG:
		if ((rc = rd_long(c, &v)) < 0)
			break;
		if (pl->wint && (v < INT32_MIN || v > INT32_MAX)) {
			rc = derr(c, "int out of range: %" PRId64, v);
			break;
		}
		rc = put_long(c, pl->r, v, out);
		break;
	case OP_L2F:
	case OP_L2D:
		if ((rc = rd_long(c, &v)) < 0)
			break;
		if (pl->op == OP_L2F)
			avro_fmt_float((float)v, out);
		else
			avro_fmt_double((double)v, out);
		break;
	case OP_FLOAT:
	case OP_F2D: {
		float f;
		if (c->end - c->p < 4) {
			rc = derr(c, "truncated datum");
			break;
		}
		memcpy(&f, c->p, 4); /* little-endian hosts only */
		c->p += 4;
		if (pl->op == OP_FLOAT)
			avro_fmt_float(f, out);
		else
			avro_fmt_double((double)f, out);
		break;
	}
	case OP_DOUBLE: {
		double d;
		if (c->end - c->p < 8) {
			rc = derr(c, "truncated datum");
			break;
		}
		memcpy(&d, c->p, 8);
		c->p += 8;
		avro_fmt_double(d, out);
		break;
	}
	case OP_BYTES:
		if ((rc = rd_len(c, "bytes", &len)) < 0)
			break;
		rc = put_bytes(c, pl->r, c->p, len, out);
		c->p += len;
		break;
	case OP_STRING:
		if ((rc = rd_len(c, "string", &len)) < 0)
			break;
		rc = put_string(c, c->p, len, out);
		c->p += len;
		break;
	case OP_FIXED:
		len = pl->w->size;
		if ((size_t)(c->end - c->p) < len) {
			rc = derr(c, "truncated datum");
			break;
		}
		rc = put_bytes(c, pl->r, c->p, len, out);
		c->p += len;
		break;
	case OP_ENUM:
		if ((rc = rd_long(c, &v)) < 0)
			break;
		if (v < 0 || (uint64_t)v >= pl->w->nsymbols) {
			rc = derr(c, "enum index %" PRId64 " out of range", v);
		} else if (pl->emap[v] < 0) {
			rc = derr(c, "symbol %s is not in the reader's enum %s "
				  "and it has no default",
				  pl->w->symbols[v], pl->r->fullname);
		} else {
			const char *s = pl->r->symbols[pl->emap[v]];
			sbuf_put_jstr(out, s, strlen(s));
		}
		break;
	case OP_ARRAY:
	case OP_MAP:
		rc = dec_items(c, pl, out);
		break;
	case OP_RECORD:
		rc = dec_record(c, pl, out);
		break;
	case OP_WUNION:
		if ((rc = rd_long(c, &v)) < 0)
			break;
		if (v < 0 || (uint64_t)v >= pl->nbr)
			rc = derr(c, "union branch %" PRId64 " out of range", v);
		else
			rc = dec(c, pl->br[v], out);
		break;
	case OP_RUNION:
		if (pl->wrap)
			sbuf_puts(out, pl->wrap);
		rc = dec(c, pl->sub, out);
		if (pl->wrap)
			sbuf_putc(out, '}');
		break;
	case OP_ERROR:
		rc = derr(c, "%s", pl->err);
		break;
	}
	c->depth--;
	return rc;
}

int64_t avro_read(struct avro_reader *rd, const void *p, size_t n,
		  struct sbuf *out, char *err, size_t errlen)
{
	struct dctx c;

	c.p = p;
	c.end = c.p + n;
	c.rd = rd;
	c.depth = 0;
	c.empty_items = 0;
	c.pathlen = 0;
	c.path[0] = '\0';
	if (dec(&c, rd->root, out) < 0) {
		if (c.pathlen)
			snprintf(err, errlen, "%s: %s", c.path, c.msg);
		else
			snprintf(err, errlen, "%s", c.msg);
		return -1;
	}
	return c.p - (const uint8_t *)p;
}

int64_t avro_skip(struct avro_reader *rd, const void *p, size_t n)
{
	struct dctx c;

	c.p = p;
	c.end = c.p + n;
	c.rd = rd;
	c.depth = 0;
	c.empty_items = 0;
	c.pathlen = 0;
	if (skip(&c, rd->root->w) < 0)
		return -1;
	return c.p - (const uint8_t *)p;
}

/* --- compiling the resolution -------------------------------------- */

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
		p->may_be_empty = may_be_empty(w->items, 0);
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
