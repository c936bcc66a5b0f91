/*
 * window_agg: aggregate state for sw-window.  See window_agg.h.
 */
#include "window_agg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Exact distinct values: an open-addressing set of spans into one arena. */
struct wagg_slot {
	uint64_t h;
	uint32_t off, len; /* len 0: empty (no JSON text is empty) */
};

struct wagg_set {
	uint32_t n, cap;
	struct wagg_slot *slot;
	struct sbuf text;
};

static const char *const kind_names[] = {
	[WAGG_COUNT] = "count", [WAGG_SUM] = "sum",   [WAGG_AVG] = "avg",
	[WAGG_MIN] = "min",     [WAGG_MAX] = "max",   [WAGG_FIRST] = "first",
	[WAGG_LAST] = "last",   [WAGG_DISTINCT] = "distinct",
};

const char *wagg_kind_name(enum wagg_kind k)
{
	if ((unsigned)k >= sizeof kind_names / sizeof kind_names[0])
		return NULL;
	return kind_names[k];
}

uint64_t wagg_hash(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = seed ^ (n * 0x9E3779B97F4A7C15ull), x;
	int whole = n >= 8;

	while (n >= 8) {
		memcpy(&x, s, 8);
		h = (h ^ x) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	x = 0;
	/* The tail as the top of the last eight bytes: the same value as
	 * copying it (little-endian), without a memcpy call. */
	if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && whole && n) {
		memcpy(&x, s + n - 8, 8);
		x >>= 8 * (8 - n);
	} else {
		memcpy(&x, s, n);
	}
	h = (h ^ x) * 0x94d049bb133111ebull;
	h ^= h >> 32;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 29;
	return h;
}

void wagg_init(struct wagg *a)
{
	memset(a, 0, sizeof *a);
	a->isint = 1;
}

static void set_free(struct wagg_set *s)
{
	if (!s)
		return;
	free(s->slot);
	sbuf_free(&s->text);
	free(s);
}

void wagg_free(struct wagg *a)
{
	if (a->v || a->set) {
		free(a->v);
		set_free(a->set);
	}
	wagg_init(a);
}

static enum json_type type_of(const char *p)
{
	switch (*p) {
	case 'n': return JSON_NULL;
	case 'f': return JSON_FALSE;
	case 't': return JSON_TRUE;
	case '"': return JSON_STRING;
	case '[': return JSON_ARRAY;
	case '{': return JSON_OBJECT;
	default: return JSON_NUMBER;
	}
}

static const double pow10_tab[] = {
	1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* The top bit of each byte of x - "00..." or of that + 0x76... is set
 * where a byte is not a digit. */
#define NOT_DIGITS(x, ones) ((((x) + 0x76 * (ones)) | (x)) & 0x80 * (ones))

/* Reads the digits from s on into *m (which wraps past 19 of them: the
 * caller counts them); returns where they end.  Eight, then four, at a
 * time: a float's fraction is mostly a run of digits to the end. */
static inline const char *scan_digits(const char *s, const char *e,
				      uint64_t *m)
{
	uint64_t x, v = *m;
	uint32_t y;

	while (e - s >= 8) {
		memcpy(&x, s, 8);
		x -= 0x3030303030303030ull;
		if (NOT_DIGITS(x, 0x0101010101010101ull))
			break;
		/* Bytes to pairs (10 * first + second in every other byte),
		 * then the four pairs, weighted, summed in the top half. */
		x = x * 10 + (x >> 8);
		x = (((x & 0x000000ff000000ffull) * (100 + (1000000ull << 32))) +
		     (((x >> 16) & 0x000000ff000000ffull) *
		      (1 + (10000ull << 32)))) >> 32;
		v = v * 100000000 + x;
		s += 8;
	}
	if (e - s >= 4) {
		memcpy(&y, s, 4);
		y -= 0x30303030u;
		if (!NOT_DIGITS(y, 0x01010101u)) {
			y = y * 10 + (y >> 8);
			v = v * 10000 + (y & 0xff) * 100 + ((y >> 16) & 0xff);
			s += 4;
		}
	}
	for (; s < e && (unsigned)(*s - '0') < 10; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	*m = v;
	return s;
}

enum num_fast { NUM_SLOW, NUM_INT, NUM_DOUBLE };

/* Number text p[0..n) the quick way: NUM_INT for a plain integer of at
 * most 18 digits (*x, and *d as strtod reads it), NUM_DOUBLE by Clinger's
 * fast path (*d only): a decimal of at most 15 significant digits and 22
 * fraction digits is m / 10^k with both exact, so one correctly rounded
 * division gives strtod's answer.  NUM_SLOW for anything else. */
static enum num_fast num_fast(const char *p, size_t n, int64_t *x, double *d)
{
	const char *s = p + (n && *p == '-'), *e = p + n, *d0 = s;
	uint64_t m = 0;
	size_t frac;

	/* Integer parts are short: a byte at a time. */
	for (; s < e && (unsigned)(*s - '0') < 10; s++)
		m = m * 10 + (uint64_t)(*s - '0');
	if (s == e && s != d0 && s - d0 <= 18) {
		/* u64 to double rounds to nearest, as strtod does. */
		*x = *p == '-' ? -(int64_t)m : (int64_t)m;
		*d = *p == '-' ? -(double)m : (double)m;
		return NUM_INT;
	}
	if (s == e || *s != '.')
		return NUM_SLOW;
	const char *f0 = ++s;
	s = scan_digits(s, e, &m);
	frac = (size_t)(s - f0);
	/* At most 15 digits in all, leading zeros included, keeps m exact
	 * and below 10^15. */
	if (s != e || s - d0 - 1 > 15 || s == d0 + 1)
		return NUM_SLOW;
	*d = (double)m / pow10_tab[frac];
	if (*p == '-')
		*d = -*d;
	return NUM_DOUBLE;
}

/* json_num_double, the quick way when it can be. */
static int num_double(const char *p, size_t n, double *v)
{
	int64_t x;

	if (num_fast(p, n, &x, v) == NUM_SLOW)
		return json_num_double(p, n, v);
	return 0;
}

int wagg_check_fail(const struct jval *v, char *err, size_t errlen)
{
	snprintf(err, errlen, "not a number: %.*s%s",
		 (int)(v->n > 60 ? 60 : v->n), v->p, v->n > 60 ? "..." : "");
	return -1;
}

int wagg_check_range(const struct jval *v, char *err, size_t errlen)
{
	double d;

	if (json_num_double(v->p, v->n, &d) == 0 && !isinf(d))
		return 0;
	snprintf(err, errlen, "number out of the range of a double: %.*s%s",
		 (int)(v->n > 60 ? 60 : v->n), v->p, v->n > 60 ? "..." : "");
	return -1;
}

static void keep(struct wagg *a, const char *p, size_t n)
{
	if (n + 1 > a->cap) {
		a->cap = (uint32_t)(n + 1 > 32 ? n + 1 : 32);
		free(a->v);
		a->v = xmalloc(a->cap);
	}
	memcpy(a->v, p, n);
	a->v[n] = '\0';
	a->len = (uint32_t)n;
	if (type_of(p) == JSON_NUMBER)
		num_double(p, n, &a->d);
}

static double sum_double(const struct wagg *a)
{
	return a->isint ? (double)a->i : a->d;
}

static int is_int_text(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == '.' || p[i] == 'e' || p[i] == 'E')
			return 0;
	return 1;
}

static void sum_add(struct wagg *a, const char *p, size_t n)
{
	int64_t x, sum;
	double d;
	int ok = 1;

	switch (num_fast(p, n, &x, &d)) {
	case NUM_INT:
		if (a->isint && !__builtin_add_overflow(a->i, x, &sum)) {
			a->i = sum;
			return;
		}
		break;
	case NUM_DOUBLE:
		break;
	case NUM_SLOW:
		if (a->isint && is_int_text(p, n) &&
		    json_num_i64(p, n, &x) == 0 &&
		    !__builtin_add_overflow(a->i, x, &sum)) {
			a->i = sum;
			return;
		}
		ok = json_num_double(p, n, &d) == 0;
		break;
	}
	if (a->isint) {
		a->d = (double)a->i;
		a->isint = 0;
	}
	if (ok)
		a->d += d;
}

/* Is p[0..n) better than the kept value for min (sign -1) or max (+1)? */
static int better(const struct wagg *a, int sign, const char *p, size_t n)
{
	double d;
	int c;

	if (type_of(p) == JSON_NUMBER && type_of(a->v) == JSON_NUMBER &&
	    num_double(p, n, &d) == 0)
		c = d < a->d ? -1 : d > a->d;
	else
		c = wagg_cmp_json(p, n, a->v, a->len);
	return c * sign > 0;
}

static void set_grow(struct wagg_set *s)
{
	uint32_t ncap = s->cap ? s->cap * 2 : 8;
	struct wagg_slot *ns = xcalloc(ncap, sizeof *ns);

	for (uint32_t i = 0; i < s->cap; i++) {
		if (!s->slot[i].len)
			continue;
		uint32_t j = (uint32_t)s->slot[i].h & (ncap - 1);
		while (ns[j].len)
			j = (j + 1) & (ncap - 1);
		ns[j] = s->slot[i];
	}
	free(s->slot);
	s->slot = ns;
	s->cap = ncap;
}

static void set_add(struct wagg *a, const char *p, size_t n)
{
	struct wagg_set *s = a->set;
	uint64_t h = wagg_hash(p, n, 0);

	if (!s)
		s = a->set = xcalloc(1, sizeof *s);
	if ((s->n + 1) * 10 > s->cap * 7)
		set_grow(s);
	uint32_t j = (uint32_t)h & (s->cap - 1);
	for (; s->slot[j].len; j = (j + 1) & (s->cap - 1))
		if (s->slot[j].h == h && s->slot[j].len == n &&
		    memcmp(s->text.p + s->slot[j].off, p, n) == 0)
			return;
	s->slot[j].h = h;
	s->slot[j].off = (uint32_t)s->text.len;
	s->slot[j].len = (uint32_t)n;
	sbuf_put(&s->text, p, n);
	s->n++;
}

void wagg_add(enum wagg_kind k, struct wagg *a, const struct jval *v,
	      uint64_t seq)
{
	if (k == WAGG_COUNT) {
		a->n++;
		return;
	}
	if (!v->p || v->type == JSON_NULL)
		return;
	switch (k) {
	case WAGG_SUM:
	case WAGG_AVG:
		sum_add(a, v->p, v->n);
		break;
	case WAGG_MIN:
	case WAGG_MAX:
		if (!a->n || better(a, k == WAGG_MIN ? -1 : 1, v->p, v->n))
			keep(a, v->p, v->n);
		break;
	case WAGG_FIRST:
	case WAGG_LAST:
		if (!a->n || (k == WAGG_FIRST ? seq < (uint64_t)a->i
					      : seq >= (uint64_t)a->i)) {
			keep(a, v->p, v->n);
			a->i = (int64_t)seq;
		}
		break;
	case WAGG_DISTINCT:
		set_add(a, v->p, v->n);
		break;
	case WAGG_COUNT:
		break;
	}
	a->n++;
}

static void take_value(struct wagg *dst, struct wagg *src)
{
	free(dst->v);
	dst->v = src->v;
	dst->len = src->len;
	dst->cap = src->cap;
	dst->d = src->d;
	dst->i = src->i;
	src->v = NULL;
}

void wagg_merge(enum wagg_kind k, struct wagg *dst, struct wagg *src)
{
	switch (k) {
	case WAGG_COUNT:
		break;
	case WAGG_SUM:
	case WAGG_AVG: {
		int64_t sum;
		if (!src->n)
			break;
		if (dst->isint && src->isint &&
		    !__builtin_add_overflow(dst->i, src->i, &sum)) {
			dst->i = sum;
			break;
		}
		dst->d = sum_double(dst) + sum_double(src);
		dst->isint = 0;
		break;
	}
	case WAGG_MIN:
	case WAGG_MAX:
		if (src->n && (!dst->n || better(dst, k == WAGG_MIN ? -1 : 1,
						 src->v, src->len)))
			take_value(dst, src);
		break;
	case WAGG_FIRST:
	case WAGG_LAST:
		if (src->n && (!dst->n || (k == WAGG_FIRST ? src->i < dst->i
							   : src->i > dst->i)))
			take_value(dst, src);
		break;
	case WAGG_DISTINCT:
		if (!src->set)
			break;
		for (uint32_t i = 0; i < src->set->cap; i++)
			if (src->set->slot[i].len)
				set_add(dst, src->set->text.p +
						     src->set->slot[i].off,
					src->set->slot[i].len);
		break;
	}
	dst->n += src->n;
	wagg_free(src);
}

void wagg_put(enum wagg_kind k, const struct wagg *a, struct sbuf *out)
{
	switch (k) {
	case WAGG_COUNT:
		sbuf_put_i64(out, a->n);
		return;
	case WAGG_DISTINCT:
		sbuf_put_i64(out, a->set ? a->set->n : 0);
		return;
	default:
		break;
	}
	if (!a->n) {
		sbuf_put(out, "null", 4);
	} else if (k == WAGG_SUM) {
		if (a->isint)
			sbuf_put_i64(out, a->i);
		else
			sbuf_put_double(out, a->d);
	} else if (k == WAGG_AVG) {
		sbuf_put_double(out, sum_double(a) / (double)a->n);
	} else {
		sbuf_put(out, a->v, a->len);
	}
}

void wagg_save(enum wagg_kind k, const struct wagg *a, struct sbuf *out)
{
	switch (k) {
	case WAGG_COUNT:
		sbuf_put_i64(out, a->n);
		return;
	case WAGG_SUM:
	case WAGG_AVG:
		sbuf_printf(out, "[%lld,", (long long)a->n);
		if (a->isint)
			sbuf_put_i64(out, a->i);
		else
			sbuf_put_double(out, a->d);
		sbuf_puts(out, a->isint ? ",true]" : ",false]");
		return;
	case WAGG_DISTINCT: {
		const char *sep = "";
		sbuf_putc(out, '[');
		for (uint32_t i = 0; a->set && i < a->set->cap; i++) {
			const struct wagg_slot *s = &a->set->slot[i];
			if (!s->len)
				continue;
			sbuf_puts(out, sep);
			sbuf_put(out, a->set->text.p + s->off, s->len);
			sep = ",";
		}
		sbuf_putc(out, ']');
		return;
	}
	default:
		sbuf_printf(out, "[%lld,%lld,", (long long)a->n,
			    (long long)a->i);
		if (a->n)
			sbuf_put(out, a->v, a->len);
		else
			sbuf_put(out, "null", 4);
		sbuf_putc(out, ']');
	}
}

static int tok_i64(const struct json_doc *d, uint32_t i, int64_t *v)
{
	return d->tok[i].type == JSON_NUMBER
		       ? json_num_i64(json_tok_ptr(d, i), d->tok[i].len, v)
		       : -1;
}

static int load_sum(struct wagg *a, const struct json_doc *d, uint32_t i)
{
	if (d->tok[i].type != JSON_ARRAY || d->tok[i].count != 3)
		return -1;
	uint32_t v = d->tok[i + 1].end, f = d->tok[v].end;
	if (tok_i64(d, i + 1, &a->n) < 0 || a->n < 0 ||
	    (d->tok[f].type != JSON_TRUE && d->tok[f].type != JSON_FALSE))
		return -1;
	a->isint = d->tok[f].type == JSON_TRUE;
	if (a->isint)
		return tok_i64(d, v, &a->i);
	if (d->tok[v].type != JSON_NUMBER)
		return -1;
	return json_num_double(json_tok_ptr(d, v), d->tok[v].len, &a->d);
}

static int load_value(struct wagg *a, const struct json_doc *d, uint32_t i)
{
	int64_t seq;

	if (d->tok[i].type != JSON_ARRAY || d->tok[i].count != 3)
		return -1;
	uint32_t s = d->tok[i + 1].end, v = d->tok[s].end;
	if (tok_i64(d, i + 1, &a->n) < 0 || a->n < 0 ||
	    tok_i64(d, s, &seq) < 0)
		return -1;
	if (a->n) {
		if (d->tok[v].type == JSON_NULL)
			return -1;
		keep(a, json_tok_ptr(d, v), d->tok[v].len);
	}
	a->i = seq;
	return 0;
}

int wagg_load(enum wagg_kind k, struct wagg *a, const struct json_doc *d,
	      uint32_t i, char *err, size_t errlen)
{
	int rc = 0;

	wagg_init(a);
	switch (k) {
	case WAGG_COUNT:
		rc = tok_i64(d, i, &a->n) < 0 || a->n < 0 ? -1 : 0;
		break;
	case WAGG_SUM:
	case WAGG_AVG:
		rc = load_sum(a, d, i);
		break;
	case WAGG_DISTINCT:
		if (d->tok[i].type != JSON_ARRAY) {
			rc = -1;
			break;
		}
		JSON_ARR_FOREACH(d, i, e)
		{
			set_add(a, json_tok_ptr(d, e), d->tok[e].len);
			a->n++;
		}
		break;
	default:
		rc = load_value(a, d, i);
	}
	if (rc < 0) {
		wagg_free(a);
		snprintf(err, errlen, "bad %s state", wagg_kind_name(k));
	}
	return rc;
}

static int rank(enum json_type t)
{
	switch (t) {
	case JSON_NULL: return 0;
	case JSON_FALSE: return 1;
	case JSON_TRUE: return 2;
	case JSON_NUMBER: return 3;
	case JSON_STRING: return 4;
	case JSON_ARRAY: return 5;
	default: return 6;
	}
}

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

/* Two quoted strings compared on their raw text, which is their order up
 * to the first difference as long as no escape comes before it: <0, 0,
 * >0, or 2 when an escape is in the way. */
static int cmp_raw_strings(const char *a, size_t an, const char *b, size_t bn)
{
	const uint64_t ones = 0x0101010101010101ull;
	size_t n = an < bn ? an : bn, i = 1;
	uint64_t x, y, t;

	for (; i + 8 <= n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			break;
		t = x ^ ('\\' * ones); /* a zero byte where x has a '\\' */
		if ((t - ones) & ~t & (0x80 * ones))
			return 2;
	}
	for (; i < n; i++) {
		if (a[i] == '\\' || b[i] == '\\')
			return 2;
		if (a[i] != b[i])
			break;
	}
	if (i == n) /* equal, or one a prefix of the other: not valid JSON */
		return an == bn ? 0 : 2;
	/* A closing quote first means that string ended first. */
	if (i == an - 1)
		return -1;
	if (i == bn - 1)
		return 1;
	return (unsigned char)a[i] < (unsigned char)b[i] ? -1 : 1;
}

int wagg_cmp_json(const char *a, size_t an, const char *b, size_t bn)
{
	enum json_type ta = type_of(a), tb = type_of(b);
	double x, y;

	if (ta != tb)
		return rank(ta) - rank(tb);
	switch (ta) {
	case JSON_NUMBER:
		if (num_double(a, an, &x) < 0 || num_double(b, bn, &y) < 0)
			return cmp_bytes(a, an, b, bn);
		return x < y ? -1 : x > y;
	case JSON_STRING:
		/* UTF-8 byte order is code point order; escapes need decoding
		 * first. */
		{
			struct sbuf ua = SBUF_INIT, ub = SBUF_INIT;
			int c = cmp_raw_strings(a, an, b, bn);
			if (c != 2)
				return c;
			json_unescape(a, an, &ua);
			json_unescape(b, bn, &ub);
			c = cmp_bytes(ua.p ? ua.p : "", ua.len,
				      ub.p ? ub.p : "", ub.len);
			sbuf_free(&ua);
			sbuf_free(&ub);
			return c;
		}
	case JSON_ARRAY:
	case JSON_OBJECT:
		return cmp_bytes(a, an, b, bn);
	default:
		return 0;
	}
}
