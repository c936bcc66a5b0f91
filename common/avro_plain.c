/* avro_plain: the plain JSON value forms of Avro types. */
#include "avro_plain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "timefmt.h"
#include "xalloc.h"

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

/* Through timefmt's RFC 3339 reader, which knows the calendar. */
int avro_plain_date(const char *s, size_t n, int64_t *days)
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

int avro_plain_time(const char *s, size_t n, int micros, int64_t *v)
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

int avro_plain_logical(const struct avro_node *n, const char *s, size_t len,
		       int64_t *v)
{
	struct timefmt tf = TIMEFMT_INIT;
	char err[256];

	switch (n->logical) {
	case AVRO_LT_DATE:
		return avro_plain_date(s, len, v);
	case AVRO_LT_TIME_MILLIS:
	case AVRO_LT_TIME_MICROS:
		return avro_plain_time(s, len,
				       n->logical == AVRO_LT_TIME_MICROS, v);
	case AVRO_LT_TIMESTAMP_MILLIS:
	case AVRO_LT_LOCAL_TIMESTAMP_MILLIS:
	case AVRO_LT_TIMESTAMP_MICROS:
	case AVRO_LT_LOCAL_TIMESTAMP_MICROS:
		if (timefmt_parse_string(&tf, s, len, v, err, sizeof(err)) < 0)
			return -1;
		if (n->logical == AVRO_LT_TIMESTAMP_MILLIS ||
		    n->logical == AVRO_LT_LOCAL_TIMESTAMP_MILLIS)
			*v = *v >= 0 ? *v / 1000 : -((-*v + 999) / 1000);
		return 0;
	default:
		return -1;
	}
}

int avro_plain_latin1(const char *s, size_t n, struct sbuf *bytes)
{
	for (size_t k = 0; k < n; k++) {
		unsigned char ch = (unsigned char)s[k];
		if (ch < 0x80) {
			sbuf_putc(bytes, (char)ch);
		} else if ((ch == 0xc2 || ch == 0xc3) && k + 1 < n) {
			sbuf_putc(bytes, (char)(((ch & 3) << 6) |
						(s[++k] & 0x3f)));
		} else {
			return -1;
		}
	}
	return 0;
}

int avro_plain_decimal(const struct avro_node *n, const char *s, size_t len,
		       struct sbuf *bytes, char *err, size_t errlen)
{
	struct sbuf dig = SBUF_INIT;
	int neg = 0, frac = -1, ndig;
	size_t i = 0, nb;
	uint8_t *mag;
	int rc = 0;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (i == len) {
		snprintf(err, errlen, "not a decimal number");
		return -1;
	}
	for (; i < len; i++) {
		if (s[i] == '.' && frac < 0) {
			frac = 0;
		} else if (s[i] >= '0' && s[i] <= '9') {
			if (frac >= 0) {
				if (frac >= n->scale) {
					if (s[i] != '0') {
						sbuf_free(&dig);
						snprintf(err, errlen,
							 "more than %d decimal places",
							 n->scale);
						return -1;
					}
					continue;
				}
				frac++;
			}
			if (dig.len || s[i] != '0')
				sbuf_putc(&dig, s[i]);
		} else {
			sbuf_free(&dig);
			snprintf(err, errlen, "not a decimal number: %.*s",
				 len > 40 ? 40 : (int)len, s);
			return -1;
		}
	}
	for (int k = frac < 0 ? 0 : frac; k < n->scale; k++)
		if (dig.len)
			sbuf_putc(&dig, '0');
	ndig = (int)dig.len;
	if (ndig > n->precision) {
		sbuf_free(&dig);
		snprintf(err, errlen, "more than %d digits for decimal(%d,%d)",
			 n->precision, n->precision, n->scale);
		return -1;
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
			snprintf(err, errlen, "decimal too large for fixed(%zu)",
				 n->size);
			rc = -1;
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

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int avro_plain_uuid(const char *s, size_t n, uint8_t b[16])
{
	size_t k = 0;

	if (n != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' ||
	    s[23] != '-')
		return -1;
	for (size_t i = 0; i < 36; i++) {
		int hi, lo;
		if (i == 8 || i == 13 || i == 18 || i == 23)
			continue;
		hi = hexval(s[i]);
		lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		b[k++] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	return 0;
}

static const double pow10tab[] = {
	1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* Clinger's fast path: a number without exponent whose digits make an
 * integer m of at most 2^53 is m / 10^s with both exact doubles, and one
 * division rounds correctly, so strtod's arbitrary precision (most of the
 * encode time) is not needed. */
static int fast_double(const char *p, size_t n, double *v)
{
	const char *e = p + n, *d0, *f0;
	uint64_t m = 0;
	int neg = 0;
	size_t s = 0;

	if (p < e && *p == '-')
		neg = 1, p++;
	d0 = p;
	while (p < e && (unsigned)(*p - '0') < 10)
		m = m * 10 + (uint64_t)(*p++ - '0');
	if (p == d0)
		return -1;
	if (p < e && *p == '.') {
		f0 = ++p;
		while (p < e && (unsigned)(*p - '0') < 10)
			m = m * 10 + (uint64_t)(*p++ - '0');
		s = (size_t)(p - f0);
		if (!s)
			return -1;
	}
	/* 19 digits cannot overflow m */
	if (p != e || (size_t)(p - d0) > 19 + (s > 0) || s > 22 ||
	    m > (UINT64_C(1) << 53))
		return -1;
	*v = s ? (double)m / pow10tab[s] : (double)m;
	if (neg)
		*v = -*v;
	return 0;
}

int avro_plain_double(const char *p, size_t n, double *v)
{
	if (fast_double(p, n, v) == 0)
		return 0;
	return json_num_double(p, n, v);
}

void avro_plain_mismatch(const struct avro_node *n, const struct json_doc *d,
			 uint32_t i, char *msg, size_t len)
{
	struct sbuf b = SBUF_INIT;
	const struct json_tok *t = &d->tok[i];
	const char *got = json_type_name((enum json_type)t->type);

	avro_node_describe(n, &b);
	switch (n->logical) {
	case AVRO_LT_TIMESTAMP_MILLIS:
	case AVRO_LT_TIMESTAMP_MICROS:
	case AVRO_LT_LOCAL_TIMESTAMP_MILLIS:
	case AVRO_LT_LOCAL_TIMESTAMP_MICROS:
		sbuf_puts(&b, " (timestamp)");
		break;
	case AVRO_LT_DATE:
		sbuf_puts(&b, " (date)");
		break;
	case AVRO_LT_DECIMAL:
		sbuf_puts(&b, " (decimal)");
		break;
	case AVRO_LT_UUID:
		sbuf_puts(&b, " (uuid)");
		break;
	default:
		break;
	}
	if (t->type == JSON_ARRAY || t->type == JSON_OBJECT ||
	    t->type == JSON_NULL)
		snprintf(msg, len, "expected %s, got %s", b.p, got);
	else
		snprintf(msg, len, "expected %s, got %s %.*s", b.p, got,
			 t->len > 40 ? 40 : (int)t->len, json_tok_ptr(d, i));
	sbuf_free(&b);
}
