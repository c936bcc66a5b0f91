#include "sbuf.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "xalloc.h"

void sbuf_grow(struct sbuf *b, size_t more)
{
	size_t need = b->len + more + 1;
	size_t cap = b->cap ? b->cap : 64;

	while (cap < need)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void sbuf_free(struct sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0,
		      fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (!b->p || (size_t)n >= b->cap - b->len) {
		sbuf_grow(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

/* 0: copy as is; otherwise the escape letter, or 'u' for \u00XX. */
static const char esc[256] = {
	['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r',
	['"'] = '"', ['\\'] = '\\',
	[0x00] = 'u', [0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u',
	[0x05] = 'u', [0x06] = 'u', [0x07] = 'u', [0x0b] = 'u', [0x0e] = 'u',
	[0x0f] = 'u', [0x10] = 'u', [0x11] = 'u', [0x12] = 'u', [0x13] = 'u',
	[0x14] = 'u', [0x15] = 'u', [0x16] = 'u', [0x17] = 'u', [0x18] = 'u',
	[0x19] = 'u', [0x1a] = 'u', [0x1b] = 'u', [0x1c] = 'u', [0x1d] = 'u',
	[0x1e] = 'u', [0x1f] = 'u', [0x7f] = 'u',
};

void sbuf_put_jstr(struct sbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, run;

	/* Worst case every byte becomes \u00XX. */
	if (b->cap - b->len <= n * 6 + 2)
		sbuf_grow(b, n * 6 + 2);
	b->p[b->len++] = '"';
	while (i < n) {
		for (run = i; run < n && !esc[(unsigned char)s[run]]; run++)
			;
		memcpy(b->p + b->len, s + i, run - i);
		b->len += run - i;
		if (run == n)
			break;
		unsigned char c = (unsigned char)s[run];
		b->p[b->len++] = '\\';
		b->p[b->len++] = esc[c];
		if (esc[c] == 'u') {
			b->p[b->len++] = '0';
			b->p[b->len++] = '0';
			b->p[b->len++] = hex[c >> 4];
			b->p[b->len++] = hex[c & 15];
		}
		i = run + 1;
	}
	b->p[b->len++] = '"';
	b->p[b->len] = '\0';
}

static const double pow10tab[] = {
	1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* Writes m / 10^s in fixed notation. */
static void put_fixed(int neg, uint64_t m, int s, struct sbuf *b)
{
	char buf[48];
	char *p = buf + sizeof(buf);
	int k = 0;

	do {
		if (k == s && s > 0)
			*--p = '.';
		*--p = (char)('0' + m % 10);
		m /= 10;
		k++;
	} while (m || k <= s);
	if (neg)
		*--p = '-';
	sbuf_put(b, p, (size_t)(buf + sizeof(buf) - p));
}

/*
 * The shortest decimal that reads back as v, for the values that sensors
 * and most data carry: |v| in [1e-4, 1e15) with few digits.  A candidate
 * m / 10^s with m < 2^53 and s <= 22 converts back exactly rounded (both
 * are exact doubles and the division rounds once), so the check is exact;
 * the first s that round-trips gives the fewest digits, and rounding
 * v * 10^s picks the nearest of them.  (Bisecting on s measured slower
 * than this scan for sensor data.)  snprintf("%.17g") and strtod cost
 * a microsecond each, which made them most of sw-avro's decode time.
 * Returns 0 when the caller must take the slow path.
 */
static int round_trips(double a, int s, int single, uint64_t *m)
{
	*m = (uint64_t)(a * pow10tab[s] + 0.5);
	return single ? (float)((double)*m / pow10tab[s]) == (float)a :
			(double)*m / pow10tab[s] == a;
}

static int fast_fixed(double v, int single, struct sbuf *b)
{
	double a = fabs(v);
	uint64_t m;

	if (!(a >= 1e-4 && a < 1e15))
		return 0;
	/* Decimals of at most 15 significant digits (6 for a float) are
	 * spaced wider than doubles (floats), so at most one of them reads
	 * back as v: the one found is the shortest and the nearest, the text
	 * every shortest-round-trip printer gives.  Longer ones need the
	 * exact path below. */
	double limit = single ? 1e6 : 1e15;

	for (int s = 0; s <= 22; s++) {
		if (a * pow10tab[s] >= limit)
			return 0;
		if (round_trips(a, s, single, &m)) {
			put_fixed(v < 0, m, s, b);
			return 1;
		}
	}
	return 0;
}

void sbuf_put_double(struct sbuf *b, double v)
{
	char tmp[40];
	int prec, n = 0;

	if (!isfinite(v)) {
		sbuf_put(b, "null", 4);
		return;
	}
	/* The range first: casting beyond int64 is undefined (fuzzing found it). */
	if (fabs(v) < 1e15 && v == (double)(int64_t)v) {
		sbuf_put_i64(b, (int64_t)v);
		return;
	}
	if (fast_fixed(v, 0, b))
		return;
	/* Fifteen digits always read back, except below DBL_MIN, where a
	 * subnormal has fewer significant bits: 5e-324, not 4.94...e-324. */
	for (prec = fabs(v) < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
		n = snprintf(tmp, sizeof tmp, "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	sbuf_put(b, tmp, (size_t)n);
}

void sbuf_put_float(struct sbuf *b, float f)
{
	char tmp[32];
	int prec, n = 0;

	if (!isfinite(f)) {
		sbuf_put(b, "null", 4);
		return;
	}
	if (fabsf(f) < 1e7f && f == (float)(int64_t)f) {
		sbuf_put_i64(b, (int64_t)f);
		return;
	}
	if (fast_fixed(f, 1, b))
		return;
	for (prec = 6; prec <= 9; prec++) {
		n = snprintf(tmp, sizeof tmp, "%.*g", prec, (double)f);
		if (strtof(tmp, NULL) == f)
			break;
	}
	sbuf_put(b, tmp, (size_t)n);
}

void sbuf_put_i64(struct sbuf *b, int64_t v)
{
	if (v < 0) {
		sbuf_putc(b, '-');
		sbuf_put_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		sbuf_put_u64(b, (uint64_t)v);
	}
}

void sbuf_put_u64(struct sbuf *b, uint64_t v)
{
	char tmp[24];
	char *p = tmp + sizeof tmp;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sbuf_put(b, p, (size_t)(tmp + sizeof tmp - p));
}
