/* Unit tests of the avro_* modules: fingerprints, canonical forms, defaults,
 * number and time formats, datum round trips, hostile bytes. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avro_decode.h"
#include "avro_encode.h"
#include "avro_schema.h"
#include "sbuf.h"
#include "unit.h"

static void test_fingerprints(void)
{
	/* values from the specification's schema-tests.txt */
	static const struct {
		const char *schema;
		const char *canonical;
		int64_t fp;
	} t[] = {
		{ "\"null\"", "\"null\"", INT64_C(7195948357588979594) },
		{ "{\"type\":\"null\"}", "\"null\"", INT64_C(7195948357588979594) },
		{ "\"boolean\"", "\"boolean\"", INT64_C(-6970731678124411036) },
		{ "\"int\"", "\"int\"", INT64_C(8247732601305521295) },
		{ "\"long\"", "\"long\"", INT64_C(-3434872931120570953) },
		{ "{\"type\":\"fixed\",\"name\":\"foo\",\"size\":15}",
		  "{\"name\":\"foo\",\"type\":\"fixed\",\"size\":15}",
		  INT64_C(1756455273707447556) },
		{ "{\"type\":\"record\",\"name\":\"foo\",\"doc\":\"d\",\"fields\":"
		  "[{\"name\":\"f1\",\"type\":\"boolean\",\"default\":true}]}",
		  "{\"name\":\"foo\",\"type\":\"record\",\"fields\":[{\"name\":"
		  "\"f1\",\"type\":\"boolean\"}]}",
		  INT64_C(7843277075252814651) },
		{ "{\"type\":\"record\",\"name\":\"PigValue\",\"fields\":[{\"name\":"
		  "\"value\",\"type\":[\"null\",\"int\",\"long\",\"PigValue\"]}]}",
		  "{\"name\":\"PigValue\",\"type\":\"record\",\"fields\":[{\"name\":"
		  "\"value\",\"type\":[\"null\",\"int\",\"long\",\"PigValue\"]}]}",
		  INT64_C(-1759257747318642341) },
		{ "{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"a.b\",\"fields\":"
		  "[{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"E\",\"symbols\":"
		  "[\"X\"]}},{\"name\":\"e2\",\"type\":\"E\"},{\"name\":\"t\",\"type\":"
		  "{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}}]}",
		  "{\"name\":\"a.b.R\",\"type\":\"record\",\"fields\":[{\"name\":\"e\","
		  "\"type\":{\"name\":\"a.b.E\",\"type\":\"enum\",\"symbols\":[\"X\"]}},"
		  "{\"name\":\"e2\",\"type\":\"a.b.E\"},{\"name\":\"t\",\"type\":\"long\"}]}",
		  0 },
	};
	char err[256];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct avro_schema *s =
			avro_schema_parse(t[i].schema, strlen(t[i].schema), err,
					  sizeof(err));
		unit_ok(s != NULL, "parse %s", t[i].schema);
		if (!s)
			continue;
		UNIT_STREQ(s->canonical, t[i].canonical, "canonical form %zu", i);
		if (t[i].fp)
			unit_ok((int64_t)s->fingerprint == t[i].fp,
				"CRC-64-AVRO %zu: %lld", i,
				(long long)(int64_t)s->fingerprint);
		avro_schema_free(s);
	}
}

static void test_invalid_schemas(void)
{
	static const struct {
		const char *schema;
		const char *reason;
	} t[] = {
		{ "{\"type\":\"record\",\"name\":\"U\",\"fields\":[{\"name\":\"t\","
		  "\"type\":[\"null\",\"string\"],\"default\":\"1\"}]}",
		  "first branch, null" },
		{ "{\"type\":\"record\",\"name\":\"U\",\"fields\":[{\"name\":\"t\","
		  "\"type\":\"int\",\"default\":2147483648}]}",
		  "expected int" },
		{ "{\"type\":\"record\",\"name\":\"U\",\"fields\":[{\"name\":\"t\","
		  "\"type\":{\"type\":\"fixed\",\"name\":\"F\",\"size\":2},"
		  "\"default\":\"abc\"}]}",
		  "needs 2 bytes" },
		{ "{\"type\":\"record\",\"name\":\"U\",\"fields\":[{\"name\":\"t\","
		  "\"type\":{\"type\":\"array\",\"items\":\"long\"},"
		  "\"default\":[1,\"x\"]}]}",
		  "expected long" },
		{ "{\"type\":\"record\",\"name\":\"U\",\"fields\":[{\"name\":\"r\","
		  "\"type\":{\"type\":\"record\",\"name\":\"P\",\"fields\":[{\"name\":"
		  "\"x\",\"type\":\"int\"}]},\"default\":{}}]}",
		  "field \"x\" missing" },
		{ "[\"int\",\"int\"]", "two branches of type int" },
		{ "[\"null\",[\"int\"]]", "may not contain a union" },
		{ "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"A\"]}",
		  "appears twice" },
		{ "{\"type\":\"record\",\"name\":\"1x\",\"fields\":[]}",
		  "invalid name" },
		{ "\"Unknown\"", "unknown type" },
		{ "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\","
		  "\"type\":\"int\"},{\"name\":\"a\",\"type\":\"int\"}]}",
		  "appears twice" },
	};
	char err[256];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct avro_schema *s = avro_schema_parse(
			t[i].schema, strlen(t[i].schema), err, sizeof(err));
		unit_ok(!s && strstr(err, t[i].reason) != NULL,
			"refused %zu: %s", i, s ? "(accepted)" : err);
		avro_schema_free(s);
	}
}

/* The shortest round-trip text, found the slow way. */
static void slow_double(double v, char *buf, size_t n)
{
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, n, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

static void test_doubles(void)
{
	static const double fixed[] = { 28.80448, 75.549488631, 0.1, 1.5, -2.5,
					0.0001, 123456789012.25, 1e-5, 1e300,
					0.30000000000000004, 9007199254740993.0,
					-0.000123, 3.14159, 1e14 + 0.5 };
	struct sbuf b = SBUF_INIT;
	unsigned seed = 42;
	int bad = 0, longer = 0;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		sbuf_reset(&b);
		avro_fmt_double(fixed[i], &b);
		unit_ok(strtod(b.p, NULL) == fixed[i], "double %.17g -> %s",
			fixed[i], b.p);
	}
	/* random values with few digits, as sensors send them */
	for (int i = 0; i < 200000; i++) {
		char want[40], txt[40];
		double v;
		int digits = (int)(rand_r(&seed) % 12);

		snprintf(txt, sizeof(txt), "%.*f", digits,
			 (rand_r(&seed) % 2000000) / 1000.0 - 1000.0 +
				 (rand_r(&seed) % 1000) / 1e6);
		v = strtod(txt, NULL);
		sbuf_reset(&b);
		avro_fmt_double(v, &b);
		slow_double(v, want, sizeof(want));
		if (strtod(b.p, NULL) != v)
			bad++;
		/* -0.0 is written "-0.0", not the shorter "-0" that JSON
		 * readers take as the integer 0 */
		if (strlen(b.p) > strlen(want) && !strchr(want, 'e') &&
		    !(v == 0 && signbit(v)))
			longer++;
	}
	unit_ok(bad == 0, "200000 random doubles read back the same (%d not)",
		bad);
	unit_ok(longer == 0, "and none is longer than the shortest (%d are)",
		longer);
	sbuf_reset(&b);
	avro_fmt_double(-0.0, &b);
	UNIT_STREQ(b.p, "-0.0", "double -0.0 keeps its sign");
	sbuf_reset(&b);
	avro_fmt_double(0.0, &b);
	UNIT_STREQ(b.p, "0", "double 0.0");
	sbuf_reset(&b);
	avro_fmt_float(-0.0f, &b);
	UNIT_STREQ(b.p, "-0.0", "float -0.0 keeps its sign");
	sbuf_reset(&b);
	avro_fmt_float(1.1f, &b);
	UNIT_STREQ(b.p, "1.1", "float 1.1f");
	sbuf_reset(&b);
	avro_fmt_double(NAN, &b);
	UNIT_STREQ(b.p, "\"NaN\"", "NaN is the string Avro's JSON encoding uses");
	sbuf_reset(&b);
	avro_fmt_float(-INFINITY, &b);
	UNIT_STREQ(b.p, "\"-Infinity\"", "float -Infinity");
	sbuf_free(&b);
}

static void test_times(void)
{
	static const struct {
		int64_t v;
		int kind; /* 0 date, 1 time-millis, 2 time-micros, 3 ts-ms, 4 ts-us, 5 local-ms */
		const char *want;
	} t[] = {
		{ 18973, 0, "2021-12-12" },
		{ -1, 0, "1969-12-31" },
		{ 11016, 0, "2000-02-29" },
		{ 44210123, 1, "12:16:50.123" },
		{ INT64_C(86399999999), 2, "23:59:59.999999" },
		{ INT64_C(1639279010123), 3, "2021-12-12T03:16:50.123Z" },
		{ -1, 3, "1969-12-31T23:59:59.999Z" },
		{ -1, 4, "1969-12-31T23:59:59.999999Z" },
		{ INT64_C(1639279010123), 5, "2021-12-12T03:16:50.123" },
		{ -995819, 0, "-0757-07-17" },
		{ -1000000, 0, "-0768-02-04" },
		{ 2932897, 0, "+10000-01-01" },
		{ 2932896, 0, "9999-12-31" },
		{ -719528, 0, "0000-01-01" },
		{ -719529, 0, "-0001-12-31" },
		{ INT64_C(253402300800000), 3, "+10000-01-01T00:00:00.000Z" },
		{ -1, 1, "ERR" },
		{ 86400000, 1, "ERR" },
		{ 86399999, 1, "23:59:59.999" },
		{ INT64_C(86400000000), 2, "ERR" },
		{ -37243641, 0, "ERR" },
		{ INT64_MAX, 3, "ERR" },
		{ INT64_MIN, 4, "ERR" },
	};
	struct sbuf b = SBUF_INIT;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		sbuf_reset(&b);
		int rc;

		switch (t[i].kind) {
		case 0: rc = avro_fmt_date(t[i].v, &b); break;
		case 1: rc = avro_fmt_time(t[i].v, 0, &b); break;
		case 2: rc = avro_fmt_time(t[i].v, 1, &b); break;
		case 3: rc = avro_fmt_timestamp(t[i].v, 0, 1, &b); break;
		case 4: rc = avro_fmt_timestamp(t[i].v, 1, 1, &b); break;
		default: rc = avro_fmt_timestamp(t[i].v, 0, 0, &b); break;
		}
		if (rc < 0)
			sbuf_puts(&b, b.len ? "+ERR" : "ERR");
		UNIT_STREQ(b.p, t[i].want, "time %lld kind %d",
			   (long long)t[i].v, t[i].kind);
	}
	sbuf_free(&b);
}

/* Encodes json with schema, decodes it back (plain), compares. */
static void round_trip(const char *schema, const char *json, const char *want)
{
	char err[256];
	struct avro_schema *s = avro_schema_parse(schema, strlen(schema), err,
						  sizeof(err));
	struct avro_writer *w;
	struct avro_reader *r;
	struct sbuf bin = SBUF_INIT, out = SBUF_INIT;

	if (!s) {
		unit_ok(0, "schema %s: %s", schema, err);
		return;
	}
	w = avro_writer_new(s->root, AVRO_IN_PLAIN);
	r = avro_reader_new(s->root, NULL, AVRO_JSON_PLAIN, err, sizeof(err));
	if (avro_write_text(w, json, strlen(json), &bin, err, sizeof(err)) < 0 ||
	    avro_read(r, bin.p, bin.len, &out, err, sizeof(err)) < 0)
		unit_ok(0, "round trip %s: %s", json, err);
	else
		UNIT_STREQ(out.p, want, "round trip %s", json);
	avro_writer_free(w);
	avro_reader_free(r);
	avro_schema_free(s);
	sbuf_free(&bin);
	sbuf_free(&out);
}

static void test_round_trips(void)
{
	const char *dec = "{\"type\":\"bytes\",\"logicalType\":\"decimal\","
			  "\"precision\":30,\"scale\":3}";
	const char *dfix = "{\"type\":\"fixed\",\"name\":\"D\",\"size\":3,"
			   "\"logicalType\":\"decimal\",\"precision\":6,\"scale\":0}";

	round_trip(dec, "1.5", "\"1.500\"");
	round_trip(dec, "\"-0.001\"", "\"-0.001\"");
	round_trip(dec, "\"-128\"", "\"-128.000\"");
	round_trip(dec, "\"123456789012345678901234567.891\"",
		   "\"123456789012345678901234567.891\"");
	round_trip(dec, "\"1.2300\"", "\"1.230\"");
	round_trip(dfix, "-1", "\"-1\"");
	round_trip(dfix, "\"-999999\"", "\"-999999\"");
	round_trip("{\"type\":\"int\",\"logicalType\":\"date\"}", "\"2021-12-12\"",
		   "\"2021-12-12\"");
	round_trip("{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}",
		   "\"2021-12-12T12:16:50.123456+09:00\"",
		   "\"2021-12-12T03:16:50.123456Z\"");
	round_trip("{\"type\":\"int\",\"logicalType\":\"time-millis\"}",
		   "\"12:16:50.5\"", "\"12:16:50.500\"");
	round_trip("{\"type\":\"fixed\",\"name\":\"U\",\"size\":16,"
		   "\"logicalType\":\"uuid\"}",
		   "\"123e4567-e89b-12d3-a456-426614174000\"",
		   "\"123e4567-e89b-12d3-a456-426614174000\"");
	round_trip("\"bytes\"", "\"AAE=\"", "\"AAE=\"");
	round_trip("\"string\"", "\"a\\u0000b\\\"\"", "\"a\\u0000b\\\"\"");
	round_trip("[\"null\",\"float\"]", "0.1", "0.1");
	round_trip("\"double\"", "\"NaN\"", "\"NaN\"");
	round_trip("\"float\"", "\"Infinity\"", "\"Infinity\"");
	round_trip("{\"type\":\"map\",\"values\":[\"null\",\"long\"]}",
		   "{\"a\":null,\"b\":-9223372036854775808}",
		   "{\"a\":null,\"b\":-9223372036854775808}");
}

static void test_hostile(void)
{
	static const struct {
		const char *schema;
		const char *bytes;
		size_t n;
		const char *reason;
	} t[] = {
		{ "\"string\"", "\x01", 1, "negative string length" },
		{ "\"bytes\"", "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 11,
		  "varint longer than 10 bytes" },
		{ "\"string\"", "\x04\xff\xfe", 3, "not valid UTF-8" },
		{ "\"boolean\"", "\x02", 1, "invalid boolean" },
		{ "\"int\"", "\x80\x80\x80\x80\x20", 5, "int out of range" },
		{ "[\"null\",\"int\"]", "\x04", 1, "union branch 2 out of range" },
		{ "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"]}", "\x02", 1,
		  "enum index 1 out of range" },
		{ "{\"type\":\"array\",\"items\":\"long\"}", "\x7e", 1,
		  "exceeds the data left" },
		{ "\"double\"", "\x00\x00", 2, "truncated" },
		/* 16 blocks of 2^16 nulls: more than 2^20 zero-byte items */
		{ "{\"type\":\"array\",\"items\":\"null\"}",
		  "\x80\x80\x08\x80\x80\x08\x80\x80\x08\x80\x80\x08"
		  "\x80\x80\x08\x80\x80\x08\x80\x80\x08\x80\x80\x08"
		  "\x80\x80\x08\x80\x80\x08\x80\x80\x08\x80\x80\x08"
		  "\x80\x80\x08\x80\x80\x08\x80\x80\x08\x80\x80\x08"
		  "\x80\x80\x08\x00", 52, "exceeds the data left" },
	};
	char err[256];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct avro_schema *s = avro_schema_parse(
			t[i].schema, strlen(t[i].schema), err, sizeof(err));
		struct avro_reader *r =
			avro_reader_new(s->root, NULL, AVRO_JSON_PLAIN, err,
					sizeof(err));
		struct sbuf out = SBUF_INIT;
		int64_t got = avro_read(r, t[i].bytes, t[i].n, &out, err,
					sizeof(err));

		unit_ok(got < 0 && strstr(err, t[i].reason) != NULL,
			"hostile %zu: %s", i, got < 0 ? err : "(accepted)");
		sbuf_free(&out);
		avro_reader_free(r);
		avro_schema_free(s);
	}
}

static void test_varint(void)
{
	static const struct {
		int64_t v;
		const char *hex;
	} t[] = {
		{ 0, "00" }, { -1, "01" }, { 1, "02" }, { -64, "7f" },
		{ 64, "8001" }, { INT64_MAX, "feffffffffffffffff01" },
		{ INT64_MIN, "ffffffffffffffffff01" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sbuf b = SBUF_INIT;
		char hex[64] = "";

		avro_put_long(&b, t[i].v);
		for (size_t k = 0; k < b.len; k++)
			snprintf(hex + 2 * k, 3, "%02x", (unsigned char)b.p[k]);
		UNIT_STREQ(hex, t[i].hex, "varint %lld", (long long)t[i].v);
		sbuf_free(&b);
	}
}

int main(void)
{
	test_fingerprints();
	test_invalid_schemas();
	test_doubles();
	test_times();
	test_round_trips();
	test_hostile();
	test_varint();
	return unit_done();
}
