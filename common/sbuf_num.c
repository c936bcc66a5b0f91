/*
 * sbuf_num: numbers as text, the sbuf_put_<number> functions of sbuf.h.
 *
 * Doubles print as the shortest decimal that reads back as the same
 * double (the text of %.17g shortened, as jq prints them), integers as
 * their digits; on the common path without printf or strtod, which cost
 * a microsecond a call and were most of the time of tools that write
 * numbers (sw-window's averages, sw-avro's floats).
 */
#include "sbuf.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double pow10_tab[] = {
	1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

typedef unsigned __int128 u128;

/* 10^e for -4 <= e <= 15.  The negative ones are each a little above the
 * power of ten they stand for, so a < pow10_of(e) holds exactly when
 * a < 10^e for a double a. */
static double pow10_of(int e)
{
	static const double neg[] = { 1e0, 1e-1, 1e-2, 1e-3, 1e-4 };

	return e >= 0 ? pow10_tab[e] : neg[-e];
}

static const uint64_t pow10_u64[] = {
	1ull,
	10ull,
	100ull,
	1000ull,
	10000ull,
	100000ull,
	1000000ull,
	10000000ull,
	100000000ull,
	1000000000ull,
	10000000000ull,
	100000000000ull,
	1000000000000ull,
	10000000000000ull,
	100000000000000ull,
	1000000000000000ull,
	10000000000000000ull,
	100000000000000000ull,
	1000000000000000000ull,
	10000000000000000000ull,
};

static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* The exact value of a double times 10^k, split at the binary point:
 * x = mant * 10^k = y * 2^s + r with r < 2^s. */
struct scaled {
	u128 unit; /* 2^s */
	u128 r;
	uint64_t y;
	u128 p; /* 10^k */
};

/* The decimal nearest to the value with d fewer digits than y has (y
 * rounded to a multiple of div = 10^d, half to even as printf rounds an
 * exact tie), divided by div; 0 when it lies outside the value's rounding
 * interval (|q * div * 2^s - x| < 10^k / 2), so that it would not read
 * back. */
static int shorter(const struct scaled *x, uint64_t div, uint64_t *q)
{
	uint64_t t = x->y / div, u = x->y - t * div;
	u128 below = u * x->unit + x->r, diff;
	u128 half = (u128)(div / 2) * x->unit;

	if (below > half || (below == half && (t & 1)))
		diff = div * x->unit - below, t++;
	else
		diff = below;
	*q = t;
	return 2 * diff < x->p;
}

/* Writes q's digits backwards, two at a time, to end before p; returns
 * where they begin. */
static char *digits_back(char *p, uint64_t q)
{
	for (; q >= 100; q /= 100) {
		p -= 2;
		memcpy(p, digit_pairs + 2 * (q % 100), 2);
	}
	if (q >= 10) {
		p -= 2;
		memcpy(p, digit_pairs + 2 * q, 2);
	} else {
		*--p = (char)('0' + q);
	}
	return p;
}

/* Appends q / 10^k, k > 0, with k's trailing zeros dropped; q has nd
 * digits. */
static void put_decimal(struct sbuf *b, int neg, uint64_t q, int k, int nd)
{
	size_t len;
	char *p;

	static const struct {
		int zeros;
		uint64_t pow;
	} strip[] = { { 8, 100000000 }, { 4, 10000 }, { 2, 100 }, { 1, 10 } };

	/* Fewer than 16 trailing zeros (q < 10^17, and one with more would
	 * have been found with 15 digits): strip 8, 4, 2, 1 of them (the
	 * compiler unrolls this into divisions by constants). */
	for (size_t i = 0; i < sizeof strip / sizeof *strip; i++) {
		if (k >= strip[i].zeros && q % strip[i].pow == 0) {
			q /= strip[i].pow;
			k -= strip[i].zeros;
			nd -= strip[i].zeros;
		}
	}
	/* Written backwards, straight into the buffer: its length first
	 * (the digits left of the point, or a lone 0, the point, k). */
	len = (size_t)neg + (size_t)(nd - k > 0 ? nd - k : 1) +
	      (k ? (size_t)k + 1 : 0);
	if (b->cap - b->len <= len)
		sbuf_grow(b, len);
	p = b->p + b->len + len;
	*p = '\0';
	b->len += len;
	/* Four digits a step: one 64-bit division, then 32-bit ones. */
	for (; k >= 4; k -= 4, q /= 10000) {
		uint32_t r = (uint32_t)(q % 10000), hi = r / 100;
		p -= 4;
		memcpy(p, digit_pairs + 2 * hi, 2);
		memcpy(p + 2, digit_pairs + 2 * (r - hi * 100), 2);
	}
	if (k >= 2) {
		p -= 2;
		memcpy(p, digit_pairs + 2 * (q % 100), 2);
		q /= 100;
		k -= 2;
	}
	if (k) {
		*--p = (char)('0' + q % 10);
		q /= 10;
	}
	*--p = '.';
	p = digits_back(p, q);
	if (neg)
		*--p = '-';
}

/* The digits of u, after a '-' when neg, straight into the buffer. */
static void put_digits(struct sbuf *b, int neg, uint64_t u)
{
	size_t len = (size_t)neg;
	int nd = 1;
	char *p;

	while (nd < 20 && u >= pow10_u64[nd])
		nd++;
	len += (size_t)nd;
	if (b->cap - b->len <= len)
		sbuf_grow(b, len);
	p = b->p + b->len + len;
	*p = '\0';
	b->len += len;
	p = digits_back(p, u);
	if (neg)
		*--p = '-';
}

/* The text of %.17g shortened to the fewest digits that read back, without
 * printf, for 1e-4 <= |v| < 1e15 not integral; returns 0 (nothing written)
 * for any other v.
 *
 * Fifteen significant digits or fewer: decimals that short are spaced
 * wider than doubles, so at most one reads back as v, and it is the one
 * nearest v.  Scaled to an integer m < 10^15 it is also the nearest integer
 * to the computed a * 10^j (whose rounding error is far below the 0.4 left
 * to spare), and m / 10^j, both exact doubles, is correctly rounded (as in
 * num_double), so one multiplication and one division test it exactly.
 *
 * Else v = mant * 2^-s, and x = v * 10^k, with k chosen so that x has 17
 * digits before its point, is computed exactly in 128 bits; rounded to 16
 * digits it reads back or else 17 digits (which always do) are the text.
 * An exact tie cannot sit on the boundary of v's rounding interval (its
 * midpoints need more than 17 digits).  A power of two, whose interval is
 * uneven, goes the general way. */
static int put_shortest(struct sbuf *b, double v)
{
	double a = fabs(v);
	uint64_t bits, mant, q;
	struct scaled x;
	u128 full;
	int s, e2, e10, k, nd;

	if (!(a >= 1e-4 && a < 1e15))
		return 0;
	memcpy(&bits, &a, sizeof bits);
	mant = (bits & ((1ull << 52) - 1)) | (1ull << 52);
	s = 1075 - (int)(bits >> 52);
	if (mant == 1ull << 52 || s <= 0 ||
	    (s < 53 && (mant & ((1ull << s) - 1)) == 0))
		return 0;
	/* floor(log10(a)): 2^e2 <= a < 2^(e2+1), so e2 * log10(2) floored
	 * (1233 / 4096 is close enough for |e2| < 64) is it or one less. */
	e2 = 52 - s;
	e10 = (e2 * 1233 + 4096 * 20) / 4096 - 20;
	if (a >= pow10_of(e10 + 1))
		e10++;
	k = 14 - e10;
	q = (uint64_t)(a * pow10_tab[k] + 0.5);
	nd = 15;
	if ((double)q / pow10_tab[k] == a)
		goto digits;
	k = 16 - e10;
	x.p = (u128)pow10_u64[k < 20 ? k : 19] * (k < 20 ? 1 : 10);
	full = (u128)mant * x.p;
	x.unit = (u128)1 << s;
	x.y = (uint64_t)(full >> s);
	x.r = full & (x.unit - 1);
	nd = 17;
	if (shorter(&x, 10, &q)) {
		k--;
		nd = 16;
	} else {
		q = x.y;
		if (x.r > x.unit / 2 || (x.r == x.unit / 2 && (q & 1)))
			q++;
	}
	/* Neither can happen (see above), but a wrong digit would be worse
	 * than a slow one. */
	if (q >= 100000000000000000ull || k <= 0)
		return 0;
digits:
	/* Rounding may have carried into one more digit. */
	put_decimal(b, v < 0, q, k, nd + (q >= pow10_u64[nd]));
	return 1;
}

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
 * The shortest decimal that reads back as the float f, for |f| in [1e-4,
 * 1e15) with few digits: a candidate m / 10^s with m < 2^53 and s <= 22
 * converts back exactly rounded (both are exact doubles and the division
 * rounds once), so the check is exact; decimals of at most 6 significant
 * digits are spaced wider than floats, so at most one reads back and the
 * first s that does gives it.  Returns 0 when the caller must take the
 * slow path.
 */
static int put_shortest_float(struct sbuf *b, float f)
{
	double a = fabs((double)f);
	uint64_t m;

	if (!(a >= 1e-4 && a < 1e15))
		return 0;
	for (int s = 0; s <= 22; s++) {
		if (a * pow10_tab[s] >= 1e6)
			return 0;
		m = (uint64_t)(a * pow10_tab[s] + 0.5);
		if ((float)((double)m / pow10_tab[s]) == (float)a) {
			put_fixed(f < 0, m, s, b);
			return 1;
		}
	}
	return 0;
}

/* The slow path: the fewest %g digits from prec on that read back as v
 * (as a float when single).  max digits always do.  Below the smallest
 * normal number fewer bits are significant, so callers start at 1 there:
 * 5e-324, not 4.94065645841247e-324. */
static void put_g(struct sbuf *b, double v, int prec, int max, int single)
{
	char tmp[40];
	int n;

	for (;; prec++) {
		n = snprintf(tmp, sizeof tmp, "%.*g", prec, v);
		if (prec >= max || (single ? strtof(tmp, NULL) == (float)v
					   : strtod(tmp, NULL) == v))
			break;
	}
	sbuf_put(b, tmp, (size_t)n);
}

void sbuf_put_double(struct sbuf *b, double v)
{
	if (!isfinite(v)) {
		sbuf_put(b, "null", 4);
		return;
	}
	/* The range first: casting beyond int64 is undefined (fuzzing found it). */
	if (fabs(v) < 1e15 && v == (double)(int64_t)v) {
		sbuf_put_i64(b, (int64_t)v);
		return;
	}
	if (!put_shortest(b, v))
		put_g(b, v, fabs(v) < DBL_MIN ? 1 : 15, 17, 0);
}

void sbuf_put_float(struct sbuf *b, float f)
{
	if (!isfinite(f)) {
		sbuf_put(b, "null", 4);
		return;
	}
	if (fabsf(f) < 1e7f && f == (float)(int64_t)f) {
		sbuf_put_i64(b, (int64_t)f);
		return;
	}
	if (!put_shortest_float(b, f))
		put_g(b, f, fabsf(f) < FLT_MIN ? 1 : 6, 9, 1);
}

void sbuf_put_i64(struct sbuf *b, int64_t v)
{
	put_digits(b, v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
}

void sbuf_put_u64(struct sbuf *b, uint64_t v)
{
	put_digits(b, 0, v);
}
