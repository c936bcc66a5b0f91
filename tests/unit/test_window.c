/*
 * Unit tests for window_agg and window_engine: the JSON order, aggregates
 * and their number formatting, window assignment, watermark, sessions, and
 * state files.  Table-driven where the cases are data.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "window_agg.h"
#include "window_engine.h"

static struct jval jv(const char *text)
{
	struct jval v = { JSON_NULL, NULL, 0 };

	if (!text)
		return v;
	switch (text[0]) {
	case 'n': v.type = JSON_NULL; break;
	case 't': v.type = JSON_TRUE; break;
	case 'f': v.type = JSON_FALSE; break;
	case '"': v.type = JSON_STRING; break;
	case '[': v.type = JSON_ARRAY; break;
	case '{': v.type = JSON_OBJECT; break;
	default: v.type = JSON_NUMBER;
	}
	v.p = text;
	v.n = strlen(text);
	return v;
}

static int sign(int c)
{
	return (c > 0) - (c < 0);
}

static void test_cmp(void)
{
	static const struct {
		const char *a, *b;
		int want;
	} cases[] = {
		{ "null", "false", -1 },   { "false", "true", -1 },
		{ "true", "0", -1 },       { "2", "10", -1 },
		{ "-1.5", "-1", -1 },      { "1e2", "100", 0 },
		{ "100", "\"1\"", -1 },    { "\"b\"", "\"a\"", 1 },
		{ "\"ab\"", "\"a\"", 1 },  { "\"\\u0041\"", "\"A\"", 0 },
		{ "\"\\u00e9\"", "\"z\"", 1 }, { "\"z\"", "[]", -1 },
		{ "[1]", "{}", -1 },       { "null", "null", 0 },
		/* strings compared on their raw text until an escape */
		{ "\"abcdefghij\"", "\"abcdefghik\"", -1 },
		{ "\"abcdefgh\"", "\"abcdefghi\"", -1 },
		{ "\"abcdefghijklmnopq\"", "\"abcdefghijklmnop\"", 1 },
		{ "\"abcdefghi\\u0041\"", "\"abcdefghiA\"", 0 },
		{ "\"abcdefghi\\n\"", "\"abcdefghi \"", -1 },
		{ "\"abcdefg\\\"x\"", "\"abcdefg\\\"y\"", -1 },
		{ "\"a b\"", "\"a\"", 1 },      { "\"a!\"", "\"a\"", 1 },
		{ "\"\"", "\"a\"", -1 },        { "\"a\"", "\"\"", 1 },
		{ "\"\"", "\"\"", 0 },          { "\"\xc3\xa9\"", "\"z\"", 1 },
		{ "\"same text, long\"", "\"same text, long\"", 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		unit_ok(sign(wagg_cmp_json(cases[i].a, strlen(cases[i].a),
					   cases[i].b, strlen(cases[i].b))) ==
				cases[i].want,
			"cmp %s %s", cases[i].a, cases[i].b);
}

/* Feeds values to one aggregate and compares its output. */
static void test_aggs(void)
{
	static const struct {
		enum wagg_kind k;
		int n;
		const char *vals[6];
		const char *want;
	} cases[] = {
		{ WAGG_COUNT, 3, { "1", NULL, "null" }, "3" },
		{ WAGG_SUM, 3, { "1", "2", "40" }, "43" },
		{ WAGG_SUM, 2, { "1", "2.5" }, "3.5" },
		{ WAGG_SUM, 2, { "0.1", "0.2" }, "0.30000000000000004" },
		{ WAGG_SUM, 2, { "9223372036854775807", "1" }, "9.223372036854776e+18" },
		{ WAGG_SUM, 2, { "null", NULL }, "null" },
		{ WAGG_SUM, 1, { "2.0" }, "2" },
		{ WAGG_SUM, 2, { "999999999999999999", "1" }, "1000000000000000000" },
		{ WAGG_SUM, 1, { "0" }, "0" },
		{ WAGG_SUM, 2, { "-1", "-9" }, "-10" },
		{ WAGG_SUM, 2, { "98", "1" }, "99" },
		{ WAGG_SUM, 2, { "98", "2" }, "100" },
		{ WAGG_SUM, 1, { "-9223372036854775808" }, "-9223372036854775808" },
		{ WAGG_SUM, 1, { "9223372036854775807" }, "9223372036854775807" },
		{ WAGG_SUM, 2, { "-9999999999", "-1" }, "-10000000000" },
		{ WAGG_SUM, 2, { "-5", "2.5" }, "-2.5" },
		{ WAGG_SUM, 3, { "1e2", "1", "-0" }, "101" },
		{ WAGG_SUM, 2, { "-0", "-0.0" }, "0" },
		{ WAGG_AVG, 2, { "12345678901234567890", "0" }, "6.172839450617284e+18" },
		{ WAGG_AVG, 2, { "0.1234567890123456", "1" }, "0.5617283945061728" },
		{ WAGG_MIN, 3, { "2.5", "-0.75", "100000000000000000001" }, "-0.75" },
		{ WAGG_AVG, 2, { "1", "2" }, "1.5" },
		{ WAGG_AVG, 5, { "1", NULL, "2", "null", "4" }, "2.3333333333333335" },
		{ WAGG_AVG, 1, { NULL }, "null" },
		{ WAGG_MIN, 4, { "3", "\"a\"", "-2.5", "null" }, "-2.5" },
		{ WAGG_MAX, 4, { "3", "\"a\"", "\"b\"", "[1]" }, "[1]" },
		{ WAGG_MAX, 3, { "3", "1e1", "9" }, "1e1" },
		{ WAGG_MIN, 3, { "\"b\"", "\"a\"", "\"c\"" }, "\"a\"" },
		{ WAGG_FIRST, 3, { NULL, "{\"x\":1}", "2" }, "{\"x\":1}" },
		{ WAGG_LAST, 3, { "1", "\"x\"", "null" }, "\"x\"" },
		{ WAGG_DISTINCT, 5, { "1", "\"1\"", "1", "1.0", "null" }, "3" },
		{ WAGG_DISTINCT, 1, { NULL }, "0" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct wagg a;
		struct sbuf out = SBUF_INIT;
		size_t j;

		wagg_init(&a);
		for (j = 0; j < (size_t)cases[i].n; j++) {
			struct jval v = jv(cases[i].vals[j]);
			wagg_add(cases[i].k, &a, &v, j);
		}
		wagg_put(cases[i].k, &a, &out);
		UNIT_STREQ(out.p, cases[i].want, "%s case %zu",
			   wagg_kind_name(cases[i].k), i);
		wagg_free(&a);
		sbuf_free(&out);
	}
}

static void test_check(void)
{
	char err[128];
	struct jval s = jv("\"12\""), n = jv("12"), miss = jv(NULL);

	unit_ok(wagg_check(WAGG_SUM, &s, err, sizeof err) < 0 &&
			strstr(err, "not a number") != NULL,
		"sum refuses a string");
	unit_ok(wagg_check(WAGG_AVG, &n, err, sizeof err) == 0,
		"avg takes a number");
	unit_ok(wagg_check(WAGG_AVG, &miss, err, sizeof err) == 0,
		"avg takes a missing value");
	unit_ok(wagg_check(WAGG_MAX, &s, err, sizeof err) == 0,
		"max takes a string");
}

/* xorshift64: the same pseudo-random values on every run. */
static uint64_t next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Does one value of text, fed to an aggregate of kind k, print other than
 * want?  The first few that do are shown. */
static int one_value_differs(enum wagg_kind k, const char *text,
			     const char *want, int *shown)
{
	struct sbuf got = SBUF_INIT;
	struct jval v = jv(text);
	struct wagg a;
	int bad;

	wagg_init(&a);
	wagg_add(k, &a, &v, 0);
	wagg_put(k, &a, &got);
	bad = strcmp(got.p, want) != 0;
	if (bad && (*shown)++ < 5)
		printf("#   %s: got %s want %s\n", text, got.p, want);
	wagg_free(&a);
	sbuf_free(&got);
	return bad;
}

/* The exact fast path for averages must print what sbuf_put_double does. */
static void test_doubles(void)
{
	uint64_t x = 88172645463325252ull;
	int bad = 0, n = 0, shown = 0;
	double fixed[] = { 0.1, 0.3, 28.76, 1.0 / 3, 2.0 / 3, 1e-4, 0.00012345,
			   123456789.123, 999999999999999.9, 75.516887211,
			   0.30000000000000004, 5e-324, 1.5, 1e15 + 0.5 };

	for (int i = 0; i < 20000 + (int)(sizeof fixed / sizeof fixed[0]);
	     i++) {
		double v;
		char text[40];
		struct sbuf want = SBUF_INIT;

		if (i < (int)(sizeof fixed / sizeof fixed[0])) {
			v = fixed[i];
		} else {
			next_rand(&x);
			/* Spread over the fast path's range and beyond. */
			v = (double)(x >> 11) / 9007199254740992.0 *
			    pow(10, (double)(int)(x % 24) - 6);
			if (x & 1)
				v = -v;
			if (i % 3 == 0) /* short decimals too */
				v = round(v * 1e4) / 1e4;
		}
		snprintf(text, sizeof text, "%.17g", v);
		sbuf_put_double(&want, v);
		n++;
		bad += one_value_differs(WAGG_AVG, text, want.p, &shown);
		sbuf_free(&want);
	}
	unit_ok(bad == 0, "avg prints as sbuf_put_double (%d of %d differ)",
		bad, n);
}

/* The shortest "%.Ng" that strtod reads back as v: what jq 1.6 and a
 * %.17g shortened to the fewest digits print. */
static void shortest_ref(double v, char *buf, size_t cap)
{
	if (fabs(v) < 1e15 && v == (double)(int64_t)v) {
		snprintf(buf, cap, "%lld", (long long)v);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, cap, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

static int avg_differs(double v, int *shown)
{
	char text[40], want[40];

	if (!isfinite(v))
		return 0;
	snprintf(text, sizeof text, "%.17g", v);
	shortest_ref(v, want, sizeof want);
	return one_value_differs(WAGG_AVG, text, want, shown);
}

/* Values at the edges of the fast path: ties, powers of two and their
 * neighbours, the 1e-4 and 1e15 bounds, near powers of ten (where the
 * digit count changes), and 15, 16 and 17 digit decimals. */
static void test_doubles_edges(void)
{
	static const double base[] = {
		1e-4, 1e-3, 0.01, 0.1, 1, 10, 100, 1e5, 1e10, 1e14, 1e15,
		0.5, 0.25, 0.125, 1.5, 2.5, 0.375, 1024.5, 4503599627370495.5,
		0.0001220703125, 0.00006103515625, 0.000244140625,
		1125899906842624.0 / 1024, 562949953421312.25, 281474976710655.75,
		123456789012345.6, 12345678901234.56, 0.1234567890123456,
		1.234567890123456, 9.999999999999998, 99.99999999999999,
		0.30000000000000004, 75.45196276249999, 28.802075,
		27.387774999999998, 0.1 + 0.7, 1.0 / 3, 2.0 / 3, 1.0 / 7,
		999999999999999.9, 0.00010000000000000002, 1e-4 * 3,
		5e-5, 1.7976931348623157e308, 2.2250738585072014e-308,
		3.141592653589793,
	};
	int bad = 0, shown = 0, n = 0;

	for (size_t i = 0; i < sizeof base / sizeof base[0]; i++) {
		double v = base[i], lo = v, hi = v;
		for (int j = 0; j < 40; j++) {
			bad += avg_differs(lo, &shown) + avg_differs(hi, &shown);
			bad += avg_differs(-lo, &shown);
			n += 3;
			lo = nextafter(lo, 0);
			hi = nextafter(hi, INFINITY);
		}
	}
	/* Powers of two across the range, and one ulp either side. */
	for (int e = -16; e <= 52; e++) {
		double p = ldexp(1, e);
		bad += avg_differs(p, &shown) +
		       avg_differs(nextafter(p, 0), &shown) +
		       avg_differs(nextafter(p, INFINITY), &shown);
		n += 3;
	}
	unit_ok(bad == 0, "avg edges print the shortest %%.Ng (%d of %d differ)",
		bad, n);
}

/* Random mantissas at every exponent of the fast path, and decimals of
 * 1 to 17 digits read as doubles. */
static void test_doubles_random(void)
{
	uint64_t x = 0x9E3779B97F4A7C15ull;
	int bad = 0, shown = 0, n = 0;

	for (int i = 0; i < 60000; i++) {
		double v;
		next_rand(&x);
		if (i % 2) {
			v = ldexp((double)((x >> 11) | (1ull << 52)),
				  (int)(x % 68) - 66);
		} else {
			char text[40];
			int digits = 1 + (int)(x % 17), point = (int)(x >> 5) % 20;
			uint64_t m = (x >> 11) % 100000000000000000ull;
			snprintf(text, sizeof text, "%llue%d",
				 (unsigned long long)(m % (uint64_t)pow(10, digits)),
				 point - 4 - digits);
			v = strtod(text, NULL);
		}
		bad += avg_differs(v, &shown);
		n++;
	}
	unit_ok(bad == 0, "random avgs print the shortest %%.Ng (%d of %d differ)",
		bad, n);
}

/* Plain decimals of 1 to 18 digits, any point, read by sum's fast path:
 * the sum of one value prints as strtod's double. */
static void test_decimals(void)
{
	uint64_t x = 0x2545F4914F6CDD1Dull;
	int bad = 0, n = 0, shown = 0;

	for (int i = 0; i < 40000; i++) {
		char text[48], *p = text;
		struct sbuf want = SBUF_INIT;
		int digits, point;

		next_rand(&x);
		digits = 1 + (int)(x % 18);
		point = 1 + (int)((x >> 8) % (uint64_t)digits);
		if (x & (1ull << 40))
			*p++ = '-';
		for (int d = 0; d < digits; d++) {
			if (d == point)
				*p++ = '.';
			/* No leading zeros before the point, as JSON has it. */
			*p++ = (char)('0' + (d == 0 && point > 1
						     ? 1 + (x >> (d + 20)) % 9
						     : (x >> (d * 3 + 10)) % 10));
		}
		*p = '\0';
		if (strchr(text, '.'))
			sbuf_put_double(&want, strtod(text, NULL));
		else
			sbuf_put_i64(&want, strtoll(text, NULL, 10));
		n++;
		bad += one_value_differs(WAGG_SUM, text, want.p, &shown);
		sbuf_free(&want);
	}
	unit_ok(bad == 0, "decimals read as strtod does (%d of %d differ)",
		bad, n);
}

/* wagg_hash reads its tail without a copy: the value must stay what a
 * copy of the tail gives, whatever the length. */
static void test_hash(void)
{
	char text[64];
	int bad = 0;

	for (size_t i = 0; i < sizeof text; i++)
		text[i] = (char)(i * 37 + 11);
	for (size_t off = 0; off < 8; off++) {
		for (size_t n = 0; n + off <= sizeof text; n++) {
			const unsigned char *s = (const unsigned char *)text + off;
			size_t m = n;
			uint64_t h = 7 ^ (n * 0x9E3779B97F4A7C15ull), x;

			for (; m >= 8; s += 8, m -= 8) {
				memcpy(&x, s, 8);
				h = (h ^ x) * 0xbf58476d1ce4e5b9ull;
				h ^= h >> 29;
			}
			x = 0;
			memcpy(&x, s, m);
			h = (h ^ x) * 0x94d049bb133111ebull;
			h ^= h >> 32;
			h *= 0xbf58476d1ce4e5b9ull;
			h ^= h >> 29;
			bad += wagg_hash(text + off, n, 7) != h;
		}
	}
	unit_ok(bad == 0, "hash of every length and alignment (%d differ)", bad);
}

/* ---- engine ---- */

static struct sbuf rows = SBUF_INIT;

static void collect(void *ctx, const char *row, size_t n)
{
	(void)ctx;
	sbuf_put(&rows, row, n);
	sbuf_putc(&rows, '\n');
}

static const struct timefmt tf_ms = { TIME_UNIT_AUTO, NULL, 0,
				      TIME_OUT_EPOCH_MS };
static const char *gnames[] = { "k" };
static const enum wagg_kind kinds[] = { WAGG_COUNT, WAGG_SUM };
static const char *anames[] = { "count", "sum_v" };

static struct window_spec spec(enum window_kind kind, int64_t size,
			       int64_t slide, enum window_mode mode)
{
	struct window_spec s;

	memset(&s, 0, sizeof s);
	s.kind = kind;
	s.size = size * 1000000;
	s.slide = slide * 1000000;
	s.gap = size * 1000000;
	s.mode = mode;
	s.ngroups = 1;
	s.group_names = gnames;
	s.naggs = 2;
	s.agg_kinds = kinds;
	s.agg_names = anames;
	s.top_by = -1;
	s.tf = &tf_ms;
	s.ident = "test";
	return s;
}

/* Records "ms:key:value" separated by spaces; a step after each. */
static int feed(struct window *w, const char *recs, int *late)
{
	char buf[256], *save, *tok;
	char err[128];
	size_t bad;

	*late = 0;
	snprintf(buf, sizeof buf, "%s", recs);
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		char *k = strchr(tok, ':'), *v = strchr(k + 1, ':');
		char key[16];
		*v++ = '\0';
		snprintf(key, sizeof key, "\"%s\"", k + 1);
		struct jval g = jv(key), vals[2] = { jv(NULL), jv(v) };
		int rc = window_add(w, strtoll(tok, NULL, 10) * 1000, &g, vals,
				    &bad, err, sizeof err);
		if (rc < 0)
			return -1;
		*late += rc == 0;
		window_step(w);
	}
	return 0;
}

static void test_engine(void)
{
	static const struct {
		const char *name;
		enum window_kind kind;
		int64_t size, slide, delay;
		enum window_mode mode;
		const char *recs;
		int late;
		const char *want;
	} cases[] = {
		{ "tumbling", WINDOW_SLIDING, 10, 10, 0, WINDOW_APPEND,
		  "1000:a:1 5000:b:2 12000:a:3 9000:a:4", 1,
		  "{\"window\":{\"start\":0,\"end\":10000},\"k\":\"a\",\"count\":1,\"sum_v\":1}\n"
		  "{\"window\":{\"start\":0,\"end\":10000},\"k\":\"b\",\"count\":1,\"sum_v\":2}\n"
		  "{\"window\":{\"start\":10000,\"end\":20000},\"k\":\"a\",\"count\":1,\"sum_v\":3}\n" },
		{ "watermark keeps a window open", WINDOW_SLIDING, 10, 10,
		  5000, WINDOW_APPEND, "1000:a:1 12000:a:3 9000:a:4", 0,
		  "{\"window\":{\"start\":0,\"end\":10000},\"k\":\"a\",\"count\":2,\"sum_v\":5}\n"
		  "{\"window\":{\"start\":10000,\"end\":20000},\"k\":\"a\",\"count\":1,\"sum_v\":3}\n" },
		{ "sliding, late for one window", WINDOW_SLIDING, 10, 5, 0,
		  WINDOW_APPEND, "1000:a:1 11000:a:2 8000:a:4", 0,
		  "{\"window\":{\"start\":-5000,\"end\":5000},\"k\":\"a\",\"count\":1,\"sum_v\":1}\n"
		  "{\"window\":{\"start\":0,\"end\":10000},\"k\":\"a\",\"count\":1,\"sum_v\":1}\n"
		  "{\"window\":{\"start\":5000,\"end\":15000},\"k\":\"a\",\"count\":2,\"sum_v\":6}\n"
		  "{\"window\":{\"start\":10000,\"end\":20000},\"k\":\"a\",\"count\":1,\"sum_v\":2}\n" },
		{ "sessions merge", WINDOW_SESSION, 5, 0, 100000,
		  WINDOW_APPEND, "1000:a:1 9000:a:2 5000:a:3 1000:b:1", 0,
		  "{\"window\":{\"start\":1000,\"end\":6000},\"k\":\"b\",\"count\":1,\"sum_v\":1}\n"
		  "{\"window\":{\"start\":1000,\"end\":14000},\"k\":\"a\",\"count\":3,\"sum_v\":6}\n" },
		{ "update", WINDOW_SLIDING, 10, 10, 0, WINDOW_UPDATE,
		  "1000:a:1 2000:a:2 11000:a:3", 0,
		  "{\"window\":{\"start\":0,\"end\":10000},\"k\":\"a\",\"count\":1,\"sum_v\":1}\n"
		  "{\"window\":{\"start\":0,\"end\":10000},\"k\":\"a\",\"count\":2,\"sum_v\":3}\n"
		  /* the end of input writes nothing again (Spark's update) */
		  "{\"window\":{\"start\":10000,\"end\":20000},\"k\":\"a\",\"count\":1,\"sum_v\":3}\n" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct window_spec s = spec(cases[i].kind, cases[i].size,
					    cases[i].slide, cases[i].mode);
		struct window *w;
		int late;

		s.delay = cases[i].delay * 1000;
		w = window_new(&s, collect, NULL);
		sbuf_reset(&rows);
		int rc = feed(w, cases[i].recs, &late);
		window_finish(w);
		unit_ok(rc == 0 && late == cases[i].late, "%s: late %d",
			cases[i].name, late);
		UNIT_STREQ(rows.p ? rows.p : "", cases[i].want, "%s",
			   cases[i].name);
		window_free(w);
	}
}

/* Saving after part of the input and loading into a fresh engine gives
 * the rows of one run over all of it. */
static void test_state(void)
{
	static const enum window_kind k[] = { WINDOW_SLIDING, WINDOW_SESSION };
	char path[] = "/tmp/test_window_XXXXXX", err[256];
	enum window_state_err why;
	int fd = mkstemp(path), late;

	close(fd);
	for (size_t i = 0; i < 2; i++) {
		struct window_spec s = spec(k[i], 10, 5, WINDOW_APPEND);
		struct sbuf one = SBUF_INIT;
		struct window *w;

		s.delay = 3000;
		w = window_new(&s, collect, NULL);
		sbuf_reset(&rows);
		feed(w, "1000:a:1 4000:b:2.5 7000:a:3 13000:a:1 2000:b:9 30000:a:7", &late);
		window_finish(w);
		window_free(w);
		sbuf_put(&one, rows.p, rows.len);

		sbuf_reset(&rows);
		w = window_new(&s, collect, NULL);
		feed(w, "1000:a:1 4000:b:2.5 7000:a:3", &late);
		unit_ok(window_save(w, path, err, sizeof err) == 0,
			"save %zu", i);
		window_free(w);
		w = window_new(&s, collect, NULL);
		unit_ok(window_load(w, path, &why, err, sizeof err) == 0,
			"load %zu: %s", i, err);
		feed(w, "13000:a:1 2000:b:9 30000:a:7", &late);
		window_finish(w);
		window_free(w);
		UNIT_STREQ(rows.p, one.p, "state %zu: two runs as one", i);
		sbuf_free(&one);

		s.ident = "other";
		w = window_new(&s, collect, NULL);
		unit_ok(window_load(w, path, &why, err, sizeof err) < 0 &&
				why == WINDOW_STATE_MISMATCH,
			"state %zu: other spec refused", i);
		window_free(w);
	}
	FILE *f = fopen(path, "w");
	fputs("{\"sw_window_state\":1,\"ident\":\"test\",\"watermark\":null,"
	      "\"max_event\":null,\"seq\":0,\"rows\":2}\n",
	      f);
	fclose(f);
	struct window_spec s = spec(WINDOW_SLIDING, 10, 5, WINDOW_APPEND);
	struct window *w = window_new(&s, collect, NULL);
	unit_ok(window_load(w, path, &why, err, sizeof err) < 0 &&
			why == WINDOW_STATE_CORRUPT &&
			strstr(err, "truncated") != NULL,
		"truncated state refused: %s", err);
	window_free(w);
	unlink(path);
	unit_ok(window_load(NULL, path, &why, err, sizeof err) == 1,
		"absent state file");
}

/* Windows with more groups than a window scans for itself (their rows go
 * to the row table), records of windows interleaved, closed step by step
 * or all at the end: every row once, its window's rows in group order. */
static void test_many_groups(void)
{
	for (int at_end = 0; at_end <= 1; at_end++) {
		struct window_spec s = spec(WINDOW_SLIDING, 10, 10,
					    WINDOW_APPEND);
		struct window *w;
		char err[128], key[16], want[128];
		size_t bad;
		int ok = 1;

		s.delay = 25000000;
		w = window_new(&s, collect, NULL);
		sbuf_reset(&rows);
		/* 3 windows x 40 groups, twice each, groups in reverse. */
		for (int pass = 0; pass < 2; pass++)
			for (int g = 39; g >= 0; g--)
				for (int win = 0; win < 3; win++) {
					snprintf(key, sizeof key, "\"g%02d\"", g);
					struct jval gv = jv(key);
					struct jval vals[2] = { jv(NULL), jv("1") };
					ok &= window_add(w, (win * 10 + pass) * 1000000LL,
							 &gv, vals, &bad, err,
							 sizeof err) == 1;
					window_step(w);
				}
		unit_ok(ok && window_rows(w) == 120, "%s: 120 rows open",
			at_end ? "at end" : "stepped");
		if (!at_end) { /* the watermark passes two of the windows */
			struct jval gv = jv("\"zz\""), vals[2] = { jv(NULL), jv("1") };
			ok &= window_add(w, 45000000, &gv, vals, &bad, err,
					 sizeof err) == 1;
			window_step(w);
			unit_ok(ok && window_rows(w) == 41, "stepped: 41 rows open");
		}
		window_finish(w);
		const char *p = rows.p ? rows.p : "";
		for (int win = 0; win < 3 && ok; win++)
			for (int g = 0; g < 40 && ok; g++) {
				snprintf(want, sizeof want,
					 "{\"window\":{\"start\":%d,\"end\":%d},"
					 "\"k\":\"g%02d\",\"count\":2,\"sum_v\":2}\n",
					 win * 10000, win * 10000 + 10000, g);
				ok = strncmp(p, want, strlen(want)) == 0;
				p += strlen(want);
			}
		if (!at_end && ok)
			ok = strcmp(p, "{\"window\":{\"start\":40000,\"end\":50000},"
				       "\"k\":\"zz\",\"count\":1,\"sum_v\":1}\n") == 0;
		else if (ok)
			ok = *p == '\0';
		unit_ok(ok, "%s: each row once, in order",
			at_end ? "closed at end" : "closed by steps");
		unit_ok(window_rows(w) == 0, "no row left open");
		window_free(w);
	}
}

/* --max-rows is checked at every row a record opens, not after all of
 * them: a record in many sliding windows stops at the row past it. */
static void test_max_rows(void)
{
	struct window_spec s = spec(WINDOW_SLIDING, 100, 1, WINDOW_APPEND);
	struct jval g = jv("\"a\""), vals[2] = { jv(NULL), jv("1") };
	struct window *w;
	char err[128];
	size_t bad;

	s.max_rows = 10;
	w = window_new(&s, collect, NULL);
	unit_ok(window_add(w, 0, &g, vals, &bad, err, sizeof err) ==
			WINDOW_ADD_FULL && window_rows(w) == 11,
		"max_rows: stops at row 11 of 100");
	window_free(w);
	s = spec(WINDOW_SESSION, 10, 10, WINDOW_APPEND);
	s.max_rows = 1;
	w = window_new(&s, collect, NULL);
	unit_ok(window_add(w, 0, &g, vals, &bad, err, sizeof err) == 1,
		"max_rows: a session row within it");
	g = jv("\"b\"");
	unit_ok(window_add(w, 0, &g, vals, &bad, err, sizeof err) ==
			WINDOW_ADD_FULL,
		"max_rows: a second session row past it");
	window_free(w);
}

int main(void)
{
	test_cmp();
	test_aggs();
	test_check();
	test_doubles();
	test_doubles_edges();
	test_doubles_random();
	test_decimals();
	test_hash();
	test_engine();
	test_state();
	test_many_groups();
	test_max_rows();
	sbuf_free(&rows);
	return unit_done();
}
