/* avro_fmt: Avro values as JSON text (logical types, floats, bytes). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "avro_decode_int.h"
#include "base64.h"
#include "timefmt.h"

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

const char *avro_lt_name(int logical)
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
 * "0" (what the number writer gives for a whole value) would not.  NaN
 * and the infinities, which JSON has no numbers for, are the strings
 * "NaN", "Infinity" and "-Infinity", as Avro's own JSON encoder (and
 * Spark's to_json) writes them and as encode reads them back. */
static int put_special(double d, struct sbuf *out)
{
	if (isnan(d))
		sbuf_put(out, "\"NaN\"", 5);
	else if (isinf(d))
		sbuf_puts(out, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
	else if (d == 0 && signbit(d))
		sbuf_put(out, "-0.0", 4);
	else
		return 0;
	return 1;
}

void avro_fmt_float(float f, struct sbuf *out)
{
	if (!put_special(f, out))
		sbuf_put_float(out, f);
}

void avro_fmt_double(double d, struct sbuf *out)
{
	if (!put_special(d, out))
		sbuf_put_double(out, d);
}

void avro_fmt_uuid(const uint8_t *p, struct sbuf *out)
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
void avro_fmt_latin1(const uint8_t *p, size_t n, struct sbuf *out)
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

void avro_fmt_b64(const uint8_t *p, size_t n, struct sbuf *out)
{
	sbuf_putc(out, '"');
	base64_encode(p, n, out);
	sbuf_putc(out, '"');
}
