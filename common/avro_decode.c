/* avro_decode: the binary-to-JSON decoder, running the plans of
 * avro_resolve.c; values are written by avro_fmt.c. */
#include "avro_decode.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avro_decode_int.h"
#include "json.h"
#include "xalloc.h"

/* Items that take no bytes (null, empty records) cannot be bounded by the
 * input's size; cap how many one datum may hold. */
#define MAX_EMPTY_ITEMS (1 << 20)

struct dctx {
	const uint8_t *p, *end;
	struct avro_reader *rd;
	char msg[512];
	char path[512];
	size_t pathlen;
	int depth;
	uint64_t empty_items; /* zero-byte items seen in this datum */
};

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

int avro_may_be_empty(const struct avro_node *n, int depth)
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
			if (!avro_may_be_empty(n->fields[i].type, depth + 1))
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
			if ((rc = rd_count(c, avro_may_be_empty(n->items, 0),
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
			    avro_lt_name(r->logical), range, v);
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
		avro_fmt_latin1(p, n, out);
	else if (r->logical == AVRO_LT_DECIMAL)
		return fmt_decimal(c, p, n, r, out);
	else if (r->logical == AVRO_LT_UUID && n == 16)
		avro_fmt_uuid(p, out);
	else
		avro_fmt_b64(p, n, out);
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
