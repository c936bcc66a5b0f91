/*
 * timefmt: event times in, timestamps out.  See timefmt.h.
 *
 * UTC conversions use days-from-civil arithmetic (Howard Hinnant's
 * algorithms), never gmtime/timegm: formatting sits on per-record paths.
 * Zones go through the C library's local time; the last formatted second is
 * cached, so records handled within one second cost a memcpy.
 */
#include "timefmt.h"

#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json.h"

#define US_PER_S INT64_C(1000000)
#define MAX_YEAR 99999
#define MIN_S TIMEFMT_MIN_S
#define MAX_S TIMEFMT_MAX_S
#define MIN_US (MIN_S * US_PER_S)
#define MAX_US (MAX_S * US_PER_S - 1)

/* Longest string we try to read as a time; anything longer is not one. */
#define MAX_TEXT 256

/* Bumped by timefmt_set_zone() so that caches of zone results are
 * dropped when the zone changes. */
static unsigned zone_generation;

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if (a % b != 0 && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned char dim[12] = { 31, 28, 31, 30, 31, 30,
					       31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* "YYYY-MM-DD" for years 0000 to 9999; other years in ISO 8601's
 * expanded form, a sign and at least four digits ("+10000-01-01",
 * "-0768-02-04"), which put_date and read_year both speak.  Returns the
 * length written to buf (at least 32 bytes). */
static size_t put_date(char *buf, int64_t y, unsigned m, unsigned d)
{
	if (y >= 0 && y <= 9999)
		return (size_t)snprintf(buf, 32, "%04u-%02u-%02u", (unsigned)y,
					m, d);
	return (size_t)snprintf(buf, 32, "%c%04llu-%02u-%02u", y < 0 ? '-' : '+',
				(unsigned long long)(y < 0 ? -y : y), m, d);
}

/* A year: four digits, or a sign and four to six digits (expanded). */
static int read_year(const char *s, size_t n, size_t *i, int64_t *y)
{
	int neg = 0;
	size_t k = 0;
	int64_t v = 0;

	if (*i < n && (s[*i] == '+' || s[*i] == '-')) {
		neg = s[*i] == '-';
		(*i)++;
		while (*i + k < n && k < 7 && isdigit((unsigned char)s[*i + k])) {
			v = v * 10 + (s[*i + k] - '0');
			k++;
		}
		if (k < 4 || k > 6)
			return 0;
		*i += k;
		*y = neg ? -v : v;
		return 1;
	}
	for (; k < 4; k++) {
		if (*i + k >= n || !isdigit((unsigned char)s[*i + k]))
			return 0;
		v = v * 10 + (s[*i + k] - '0');
	}
	*i += 4;
	*y = v;
	return 1;
}

/* A wall-clock reading, before a zone or offset is applied. */
struct civil {
	int64_t year;
	unsigned mon, day, hour, min, sec; /* sec may be 60: a leap second */
	int32_t us;
};

static int civil_valid(const struct civil *c)
{
	return c->year >= -MAX_YEAR && c->year <= MAX_YEAR && c->mon >= 1 &&
	       c->mon <= 12 && c->day >= 1 &&
	       c->day <= days_in_month(c->year, c->mon) && c->hour <= 23 &&
	       c->min <= 59 && c->sec <= 60;
}

/* A leap second is inserted only as 23:59:60 UTC on the last day of a
 * month (RFC 3339 section 5.7 and its appendix D); t is the instant, in
 * seconds, that ":60" of the reading became (the next minute's first
 * second, as POSIX time has it). */
static int leap_second_valid(int64_t t)
{
	int64_t days = floor_div(t, 86400), y;
	unsigned m, d;

	if (t != days * 86400)
		return 0;
	civil_from_days(days, &y, &m, &d);
	return d == 1;
}

/* Seconds since the epoch of the reading taken as UTC.  A leap second
 * (":60") becomes the first second of the next minute, as POSIX time has
 * it. */
static int64_t civil_seconds(const struct civil *c)
{
	return days_from_civil(c->year, c->mon, c->day) * 86400 +
	       c->hour * 3600 + c->min * 60 + c->sec;
}

static long zone_offset_at(int64_t t)
{
	static __thread int64_t cached_t = INT64_MIN;
	static __thread unsigned cached_gen;
	static __thread long cached_off;
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == cached_t && cached_gen == zone_generation)
		return cached_off;
	if (!localtime_r(&tt, &tm))
		return 0;
	cached_t = t;
	cached_gen = zone_generation;
	cached_off = tm.tm_gmtoff;
	return cached_off;
}

/* The instant of local reading l (seconds, as if UTC) in the process's
 * zone.  In an overlap (clocks set back) the earlier instant wins; in a gap
 * (clocks set forward) the reading is taken with the offset in force before
 * the gap, so it lands after it, shifted by the gap's length (as Java's
 * ZonedDateTime and Spark do). */
static int64_t local_to_utc(int64_t l)
{
	/* records come clustered in time: the last reading's answer is the
	 * usual one, and it saves four localtime_r calls */
	static __thread int64_t cached_l = INT64_MIN, cached_t;
	static __thread unsigned cached_gen;
	long before, after;
	int64_t t1, t2, t;
	int ok1, ok2;

	if (l == cached_l && cached_gen == zone_generation)
		return cached_t;
	before = zone_offset_at(l - 86400);
	after = zone_offset_at(l + 86400);
	t1 = l - before;
	t2 = l - after;
	ok1 = zone_offset_at(t1) == before;
	ok2 = zone_offset_at(t2) == after;
	if (ok1 && ok2)
		t = t1 < t2 ? t1 : t2;
	else if (ok2)
		t = t2;
	else
		t = t1;
	cached_l = l;
	cached_t = t;
	cached_gen = zone_generation;
	return t;
}

static void set_err_value(char *err, size_t errlen, const char *what,
			  const char *p, size_t n, int quote)
{
	char shown[72];
	size_t i, k = 0;

	if (!err || !errlen)
		return;
	for (i = 0; i < n && k < 64; i++) {
		unsigned char c = (unsigned char)p[i];
		shown[k++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	if (i < n) {
		memcpy(shown + k, "...", 3);
		k += 3;
	}
	shown[k] = '\0';
	snprintf(err, errlen, quote ? "%s: \"%s\"" : "%s: %s", what, shown);
}

const char *const timefmt_unit_names[] = {
	[TIME_UNIT_AUTO] = "auto", [TIME_UNIT_S] = "s", [TIME_UNIT_MS] = "ms",
	[TIME_UNIT_US] = "us",     [TIME_UNIT_NS] = "ns", NULL,
};

const char *const timefmt_output_names[] = {
	[TIME_OUT_RFC3339] = "rfc3339",
	[TIME_OUT_EPOCH_MS] = "epoch_ms",
	NULL,
};

/* The index of s in names, or -1. */
static int name_index(const char *const *names, const char *s)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

int timefmt_parse_unit(const char *s, enum time_unit *u)
{
	int i = name_index(timefmt_unit_names, s);

	if (i < 0)
		return -1;
	*u = (enum time_unit)i;
	return 0;
}

int timefmt_parse_output(const char *s, enum time_output *o)
{
	int i = name_index(timefmt_output_names, s);

	if (i < 0)
		return -1;
	*o = (enum time_output)i;
	return 0;
}

/* A zone name is a relative path into the tz database: no "..", no
 * leading '/', nothing a shell or TZ's POSIX syntax would read. */
static int zone_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 200 || name[0] == '/' || name[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!isalnum(c) && !strchr("/_+-.", c))
			return 0;
		if (c == '.' && i + 1 < n && name[i + 1] == '.')
			return 0;
	}
	return 1;
}

static int zone_file_exists(const char *name)
{
	const char *dir = getenv("TZDIR");
	char path[512], magic[4];
	int fd, ok;

	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ok = read(fd, magic, 4) == 4 && memcmp(magic, "TZif", 4) == 0;
	close(fd);
	return ok;
}

int timefmt_set_zone(struct timefmt *tf, const char *name, char *err,
		     size_t errlen)
{
	int builtin = strcmp(name, "UTC") == 0;

	if (!builtin && (!zone_name_ok(name) || !zone_file_exists(name))) {
		set_err_value(err, errlen, "unknown time zone", name,
			      strlen(name), 1);
		return -1;
	}
	if (setenv("TZ", name, 1) != 0) {
		snprintf(err, errlen, "cannot set time zone \"%s\"", name);
		return -1;
	}
	tzset();
	zone_generation++;
	tf->zone = 1;
	return 0;
}

/*
 * Numbers.  Decimal text is read exactly (a double cannot hold a
 * microsecond timestamp in every unit); digits finer than a microsecond are
 * dropped towards the past (floor), so ordering is kept.
 */

static int64_t unit_scale(enum time_unit u) /* microseconds per unit */
{
	switch (u) {
	case TIME_UNIT_S:
		return US_PER_S;
	case TIME_UNIT_MS:
		return 1000;
	default:
		return 1;
	}
}

static enum time_unit auto_unit(double magnitude)
{
	if (magnitude < 1e11)
		return TIME_UNIT_S;
	if (magnitude < 1e14)
		return TIME_UNIT_MS;
	if (magnitude < 1e17)
		return TIME_UNIT_US;
	return TIME_UNIT_NS;
}

int timefmt_from_number(enum time_unit u, double v, int64_t *us)
{
	double x;

	if (!isfinite(v))
		return -1;
	if (u == TIME_UNIT_AUTO)
		u = auto_unit(fabs(v));
	x = u == TIME_UNIT_NS ? v / 1000.0 : v * (double)unit_scale(u);
	x = round(x);
	if (x < (double)MIN_US || x > (double)MAX_US)
		return -1;
	*us = (int64_t)x;
	return 0;
}

/* Number syntax: [-+]digits[.digits][(e|E)[-+]digits], with digits on at
 * least one side of the point.  Returns 1 and the parts, or 0. */
struct decimal {
	int neg;
	const char *ip, *fp; /* integer and fraction digits */
	size_t in, fn;
	int has_exp;
};

static int scan_decimal(const char *s, size_t n, struct decimal *d)
{
	size_t i = 0;

	memset(d, 0, sizeof(*d));
	if (i < n && (s[i] == '-' || s[i] == '+'))
		d->neg = s[i++] == '-';
	d->ip = s + i;
	while (i < n && isdigit((unsigned char)s[i]))
		i++;
	d->in = (size_t)(s + i - d->ip);
	if (i < n && s[i] == '.') {
		i++;
		d->fp = s + i;
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
		d->fn = (size_t)(s + i - d->fp);
	}
	if (d->in + d->fn == 0)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		if (i >= n || !isdigit((unsigned char)s[i]))
			return 0;
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
		d->has_exp = 1;
	}
	return i == n;
}

/* The instant of integer part ip and fraction digits fp[0..fn) in unit u.
 * Returns 0 or -2 (out of range). */
static int scaled_to_us(int neg, uint64_t ip, const char *fp, size_t fn,
			enum time_unit u, int64_t *us)
{
	uint64_t mag, frac = 0;
	int64_t scale;
	int rest = 0; /* nonzero digits below a microsecond */
	size_t fdigits, i;

	if (u == TIME_UNIT_AUTO) /* in integers: a double rounds 1e17 - 1 up */
		u = ip < UINT64_C(100000000000) ? TIME_UNIT_S
		    : ip < UINT64_C(100000000000000) ? TIME_UNIT_MS
		    : ip < UINT64_C(100000000000000000) ? TIME_UNIT_US
		    : TIME_UNIT_NS;
	if (u == TIME_UNIT_NS) {
		mag = ip / 1000;
		rest = ip % 1000 != 0;
		fdigits = 0;
	} else {
		scale = unit_scale(u);
		/* the range is wider below zero than above */
		if (ip > (uint64_t)-MIN_US / (uint64_t)scale + 1)
			return -2;
		mag = ip * (uint64_t)scale;
		/* the fraction's digits that still name whole microseconds */
		fdigits = u == TIME_UNIT_S ? 6 : u == TIME_UNIT_MS ? 3 : 0;
	}
	for (i = 0; i < fdigits && fn; i++)
		frac = frac * 10 + (i < fn ? (uint64_t)(fp[i] - '0') : 0);
	for (i = fdigits; i < fn && !rest; i++)
		rest = fp[i] != '0';
	mag += frac;
	if (!neg) {
		if (mag > (uint64_t)MAX_US)
			return -2;
		*us = (int64_t)mag;
	} else {
		if (mag + (uint64_t)rest > (uint64_t)-MIN_US)
			return -2;
		*us = -(int64_t)mag - rest;
	}
	return 0;
}

/* Returns 0, -1 (not a number), or -2 (out of range). */
static int decimal_to_us(const struct decimal *d, const char *s, size_t n,
			 enum time_unit u, int64_t *us)
{
	uint64_t ip = 0;
	size_t i;

	if (d->has_exp) {
		char buf[MAX_TEXT];
		double v;

		if (n >= sizeof(buf))
			return -2;
		memcpy(buf, s, n);
		buf[n] = '\0';
		v = strtod(buf, NULL);
		return timefmt_from_number(u, v, us) == 0 ? 0 : -2;
	}
	for (i = 0; i < d->in; i++) {
		if (ip > (UINT64_MAX - 9) / 10)
			return -2;
		ip = ip * 10 + (uint64_t)(d->ip[i] - '0');
	}
	return scaled_to_us(d->neg, ip, d->fp, d->fn, u, us);
}

/* A plain integer, [-]digits: the usual epoch number.  Up to 19 digits
 * cannot overflow, and need no second scan.  Returns 1 and *ip, or 0. */
static int plain_integer(const char *s, size_t n, uint64_t *ip)
{
	size_t i = n && s[0] == '-';
	uint64_t v = 0;

	if (n == i || n - i > 19)
		return 0;
	for (; i < n && (unsigned)(s[i] - '0') < 10; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	*ip = v;
	return i == n;
}

/* Are a[0..n) and b[0..n), n <= 24, the same?  In three overlapping
 * words, without a call. */
static int same_short(const char *a, const char *b, size_t n)
{
	uint64_t x[3], y[3];
	uint32_t u[2], v[2];

	if (n >= 8) {
		memcpy(&x[0], a, 8);
		memcpy(&x[1], a + (n - 8) / 2, 8);
		memcpy(&x[2], a + n - 8, 8);
		memcpy(&y[0], b, 8);
		memcpy(&y[1], b + (n - 8) / 2, 8);
		memcpy(&y[2], b + n - 8, 8);
		return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2])) == 0;
	}
	if (n >= 4) {
		memcpy(&u[0], a, 4);
		memcpy(&u[1], a + n - 4, 4);
		memcpy(&v[0], b, 4);
		memcpy(&v[1], b + n - 4, 4);
		return ((u[0] ^ v[0]) | (u[1] ^ v[1])) == 0;
	}
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* The last plain integer read (per thread): records of one batch often
 * carry the same time. */
struct number_cache {
	size_t n; /* 0: empty */
	enum time_unit unit;
	int64_t us;
	char text[24];
};

static int number_text(const struct timefmt *tf, const char *s, size_t n,
		       int64_t *us, char *err, size_t errlen, int quoted)
{
	static __thread struct number_cache c;
	struct decimal d;
	uint64_t ip;
	int rc;

	if (n && n == c.n && tf->unit == c.unit && same_short(s, c.text, n)) {
		*us = c.us;
		return 0;
	}
	if (plain_integer(s, n, &ip)) {
		rc = scaled_to_us(s[0] == '-', ip, NULL, 0, tf->unit, us);
		if (rc == 0) {
			memcpy(c.text, s, n);
			c.n = n;
			c.unit = tf->unit;
			c.us = *us;
		}
	} else if (scan_decimal(s, n, &d)) {
		rc = decimal_to_us(&d, s, n, tf->unit, us);
	} else {
		set_err_value(err, errlen, "not a timestamp", s, n, quoted);
		return -1;
	}
	if (rc < 0) {
		set_err_value(err, errlen, "timestamp out of range", s, n,
			      quoted);
		return -1;
	}
	return 0;
}

/*
 * RFC 3339 / ISO 8601 and Spark's form.
 */

static int digits(const char *s, size_t n, size_t *i, size_t k, unsigned *v)
{
	unsigned x = 0;

	if (*i + k > n)
		return 0;
	for (size_t j = 0; j < k; j++) {
		unsigned char c = (unsigned char)s[*i + j];
		if (!isdigit(c))
			return 0;
		x = x * 10 + (c - '0');
	}
	*i += k;
	*v = x;
	return 1;
}

/* Fraction digits after '.' or ',': any number of them, kept to the
 * microsecond. */
static int fraction(const char *s, size_t n, size_t *i, int32_t *us)
{
	size_t start = *i, k = 0;
	int32_t v = 0;

	while (*i < n && isdigit((unsigned char)s[*i])) {
		if (k < 6) {
			v = v * 10 + (s[*i] - '0');
			k++;
		}
		(*i)++;
	}
	if (*i == start)
		return 0;
	for (; k < 6; k++)
		v *= 10;
	*us = v;
	return 1;
}

/* "Z", "z", "UTC", "GMT", "+09:00", "+0900", "+09", after an optional
 * space.  Returns 1 with *off (seconds east), 0 when there is no zone, -1
 * on a malformed one. */
static int zone_suffix(const char *s, size_t n, size_t *i, long *off)
{
	size_t j = *i;
	unsigned hh, mm = 0;
	int sign;

	if (j < n && s[j] == ' ')
		j++;
	if (j == n)
		return *i == n ? 0 : -1;
	if (s[j] == 'Z' || s[j] == 'z') {
		*i = j + 1;
		*off = 0;
		return 1;
	}
	if (n - j >= 3 && (memcmp(s + j, "UTC", 3) == 0 ||
			   memcmp(s + j, "GMT", 3) == 0)) {
		*i = j + 3;
		*off = 0;
		return 1;
	}
	if (s[j] != '+' && s[j] != '-')
		return -1;
	sign = s[j++] == '-' ? -1 : 1;
	if (!digits(s, n, &j, 2, &hh) || hh > 23)
		return -1;
	if (j < n && s[j] == ':')
		j++;
	if (j < n && (!digits(s, n, &j, 2, &mm) || mm > 59))
		return -1;
	*i = j;
	*off = sign * (long)(hh * 3600 + mm * 60);
	return 1;
}

/* Date, then optionally 'T'/'t'/' ' and a time, then optionally a zone.
 * Extended (2021-12-12T12:16:50) and basic (20211212T121650) forms. */
static int parse_iso(const char *s, size_t n, struct civil *c, long *off,
		     int *has_off)
{
	size_t i = 0;
	unsigned v;
	int ext;

	memset(c, 0, sizeof(*c));
	*has_off = 0;
	if (!read_year(s, n, &i, &c->year))
		return -1;
	ext = i < n && s[i] == '-';
	if (ext)
		i++;
	else if (s[0] == '+' || s[0] == '-')
		return -1; /* an expanded year only in the extended form */
	if (!digits(s, n, &i, 2, &c->mon))
		return -1;
	if (ext && (i >= n || s[i++] != '-'))
		return -1;
	if (!digits(s, n, &i, 2, &c->day))
		return -1;
	if (i == n)
		return civil_valid(c) ? 0 : -1;
	if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
		return -1;
	i++;
	if (!digits(s, n, &i, 2, &c->hour))
		return -1;
	ext = i < n && s[i] == ':';
	if (ext)
		i++;
	if (!digits(s, n, &i, 2, &c->min))
		return -1;
	if (i < n && (ext ? s[i] == ':' : isdigit((unsigned char)s[i]))) {
		i += ext;
		if (!digits(s, n, &i, 2, &v))
			return -1;
		c->sec = v;
		if (i < n && (s[i] == '.' || s[i] == ',')) {
			i++;
			if (!fraction(s, n, &i, &c->us))
				return -1;
		}
	}
	switch (zone_suffix(s, n, &i, off)) {
	case 1:
		*has_off = 1;
		break;
	case -1:
		return -1;
	}
	if (i != n || !civil_valid(c))
		return -1;
	return 0;
}

/* The instant of a reading: with its own offset, else in tf's zone (or
 * UTC).  Returns 0, or -1 when it is out of range or a leap second where
 * none can be. */
static int civil_to_us(const struct timefmt *tf, const struct civil *c,
		       int has_off, long off, int64_t *us)
{
	int64_t l = civil_seconds(c), t;

	if (has_off)
		t = l - off;
	else if (tf->zone)
		t = local_to_utc(l);
	else
		t = l;
	if (t < MIN_S || t >= MAX_S || (c->sec == 60 && !leap_second_valid(t)))
		return -1;
	*us = t * US_PER_S + c->us;
	return 0;
}

/*
 * strptime(3) formats.  "%f" (fraction of a second, as in Python) is ours:
 * the format is split there and the digits read by hand.  strptime leaves
 * tm_gmtoff alone unless %z matched, which is how we tell.
 */

static int parse_strptime(const struct timefmt *tf, const char *s,
			  int64_t *us)
{
	const char *fmt = tf->format, *f = NULL, *end;
	struct tm tm;
	struct civil c;
	char head[MAX_TEXT];

	for (const char *p = fmt; *p; p++) {
		if (p[0] == '%' && p[1] == '%') {
			p++;
		} else if (p[0] == '%' && p[1] == 'f') {
			f = p;
			break;
		}
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_mday = 1;
	tm.tm_year = 70;
	tm.tm_gmtoff = LONG_MIN;
	memset(&c, 0, sizeof(c));
	if (f) {
		size_t hn = (size_t)(f - fmt), i = 0;

		if (hn >= sizeof(head))
			return -1;
		memcpy(head, fmt, hn);
		head[hn] = '\0';
		end = strptime(s, head, &tm);
		if (!end || !fraction(end, strlen(end), &i, &c.us))
			return -1;
		end = strptime(end + i, f + 2, &tm);
	} else {
		end = strptime(s, fmt, &tm);
	}
	if (!end || *end)
		return -1;
	c.year = (int64_t)tm.tm_year + 1900;
	c.mon = (unsigned)tm.tm_mon + 1;
	c.day = (unsigned)tm.tm_mday;
	c.hour = (unsigned)tm.tm_hour;
	c.min = (unsigned)tm.tm_min;
	c.sec = (unsigned)tm.tm_sec;
	if (tm.tm_mon < 0 || tm.tm_mday < 1 || tm.tm_hour < 0 || tm.tm_min < 0 ||
	    tm.tm_sec < 0 || !civil_valid(&c))
		return -1;
	return civil_to_us(tf, &c, tm.tm_gmtoff != LONG_MIN, tm.tm_gmtoff, us);
}

static int parse_text(const struct timefmt *tf, const char *s, size_t n,
		      int64_t *us, char *err, size_t errlen)
{
	struct civil c;
	struct decimal d;
	long off = 0;
	int has_off;

	if (tf->format) {
		char buf[MAX_TEXT];

		if (n < sizeof(buf) && !memchr(s, '\0', n)) {
			memcpy(buf, s, n);
			buf[n] = '\0';
			if (parse_strptime(tf, buf, us) == 0)
				return 0;
		}
		set_err_value(err, errlen, "not a timestamp", s, n, 1);
		return -1;
	}
	if (scan_decimal(s, n, &d))
		return number_text(tf, s, n, us, err, errlen, 1);
	if (n < MAX_TEXT && parse_iso(s, n, &c, &off, &has_off) == 0) {
		if (civil_to_us(tf, &c, has_off, off, us) == 0)
			return 0;
		set_err_value(err, errlen,
			      c.sec == 60 ? "not a leap second (only 23:59:60 UTC on a month's last day)"
					  : "timestamp out of range",
			      s, n, 1);
		return -1;
	}
	set_err_value(err, errlen, "not a timestamp", s, n, 1);
	return -1;
}

int timefmt_parse_string(const struct timefmt *tf, const char *s, size_t n,
			 int64_t *us, char *err, size_t errlen)
{
	return parse_text(tf, s, n, us, err, errlen);
}

/* Whether the unescaped text of a JSON string can be a time: times are
 * ASCII and hold no NUL, so a \u escape beyond that cannot be part of
 * one. */
static int ascii_text(const struct sbuf *u)
{
	if (u->len >= MAX_TEXT)
		return 0;
	for (size_t i = 0; i < u->len; i++)
		if (u->p[i] == '\0' || (unsigned char)u->p[i] > 0x7f)
			return 0;
	return 1;
}

int timefmt_parse_json(const struct timefmt *tf, const char *p, size_t n,
		       int64_t *us, char *err, size_t errlen)
{
	if (n >= 2 && p[0] == '"' && p[n - 1] == '"') {
		struct sbuf u = SBUF_INIT;
		int rc;

		if (!memchr(p + 1, '\\', n - 2))
			return parse_text(tf, p + 1, n - 2, us, err, errlen);
		json_unescape(p, n, &u);
		if (ascii_text(&u)) {
			rc = parse_text(tf, u.p ? u.p : "", u.len, us, err,
					errlen);
		} else {
			set_err_value(err, errlen, "not a timestamp", p, n, 0);
			rc = -1;
		}
		sbuf_free(&u);
		return rc;
	}
	if (n > 0 && (p[0] == '-' || (unsigned)(p[0] - '0') < 10))
		return number_text(tf, p, n, us, err, errlen, 0);
	set_err_value(err, errlen, "not a timestamp", p, n, 0);
	return -1;
}

/*
 * Output.
 */

static char *put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

/* "YYYY-MM-DDTHH:MM:SS" of local seconds l; years outside 0..9999 in the
 * expanded form that parse_iso reads back. */
static size_t format_seconds(int64_t l, char *buf, size_t cap)
{
	int64_t days = floor_div(l, 86400), y;
	unsigned sod = (unsigned)(l - days * 86400), m, d;
	char *p = buf;

	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		size_t k = put_date(buf, y, m, d);

		return k + (size_t)snprintf(buf + k, cap - k, "T%02u:%02u:%02u",
					    sod / 3600, sod / 60 % 60,
					    sod % 60);
	}
	p = put2(p, (unsigned)(y / 100));
	p = put2(p, (unsigned)(y % 100));
	*p++ = '-';
	p = put2(p, m);
	*p++ = '-';
	p = put2(p, d);
	*p++ = 'T';
	p = put2(p, sod / 3600);
	*p++ = ':';
	p = put2(p, sod / 60 % 60);
	*p++ = ':';
	p = put2(p, sod % 60);
	return (size_t)(p - buf);
}

/* "Z", or "+09:00"; seconds only for the odd historical offset that has
 * them ("+00:53:28", as Java writes it). */
static size_t format_offset(long off, char *buf)
{
	char *p = buf;
	long a = off < 0 ? -off : off;

	if (off == 0) {
		*p++ = 'Z';
		return 1;
	}
	*p++ = off < 0 ? '-' : '+';
	p = put2(p, (unsigned)(a / 3600));
	*p++ = ':';
	p = put2(p, (unsigned)(a / 60 % 60));
	if (a % 60) {
		*p++ = ':';
		p = put2(p, (unsigned)(a % 60));
	}
	return (size_t)(p - buf);
}

struct second_cache {
	int64_t s;
	int zone;
	unsigned gen;
	int64_t days; /* of head's date, local */
	size_t hlen, olen;
	char head[48];
	char offs[16];
};

/* head for local seconds l: windows and records of one day share its
 * date, so only the time of day is rewritten then. */
static void format_head(struct second_cache *c, int64_t l)
{
	int64_t days = floor_div(l, 86400);
	unsigned sod = (unsigned)(l - days * 86400);

	if (days != c->days || c->hlen != 19) {
		c->hlen = format_seconds(l, c->head, sizeof(c->head));
		c->days = days;
		return;
	}
	put2(c->head + 11, sod / 3600);
	put2(c->head + 14, sod / 60 % 60);
	put2(c->head + 17, sod % 60);
}

void timefmt_format_rfc3339(const struct timefmt *tf, int64_t us,
			    struct sbuf *out)
{
	static __thread struct second_cache c = { .s = INT64_MIN,
						  .days = INT64_MIN };
	int64_t s = floor_div(us, US_PER_S);
	unsigned ms = (unsigned)((us - s * US_PER_S) / 1000);
	int zone = tf->zone != 0;
	char *p;

	if (s != c.s || zone != c.zone || (zone && c.gen != zone_generation)) {
		long off = zone ? zone_offset_at(s) : 0;

		format_head(&c, s + off);
		c.olen = format_offset(off, c.offs);
		c.s = s;
		c.zone = zone;
		c.gen = zone_generation;
	}
	if (out->cap - out->len <= c.hlen + 4 + c.olen)
		sbuf_grow(out, c.hlen + 4 + c.olen);
	p = out->p + out->len;
	memcpy(p, c.head, c.hlen);
	p += c.hlen;
	*p++ = '.';
	*p++ = (char)('0' + ms / 100);
	p = put2(p, ms % 100);
	memcpy(p, c.offs, c.olen);
	p += c.olen;
	out->len = (size_t)(p - out->p);
	out->p[out->len] = '\0';
}

void timefmt_format_date(int64_t days, struct sbuf *out)
{
	int64_t y;
	unsigned m, d;
	char buf[32];

	civil_from_days(days, &y, &m, &d);
	sbuf_put(out, buf, put_date(buf, y, m, d));
}

int timefmt_parse_date(const char *s, size_t n, int64_t *days)
{
	struct civil c;
	size_t i = 0;

	memset(&c, 0, sizeof(c));
	c.mon = c.day = 1;
	if (!read_year(s, n, &i, &c.year) || i >= n || s[i++] != '-' ||
	    !digits(s, n, &i, 2, &c.mon) || i >= n || s[i++] != '-' ||
	    !digits(s, n, &i, 2, &c.day) || i != n || !civil_valid(&c))
		return -1;
	*days = days_from_civil(c.year, c.mon, c.day);
	return 0;
}

void timefmt_format(const struct timefmt *tf, int64_t us, struct sbuf *out)
{
	if (tf->output == TIME_OUT_EPOCH_MS) {
		sbuf_put_i64(out, floor_div(us, 1000));
		return;
	}
	sbuf_putc(out, '"');
	timefmt_format_rfc3339(tf, us, out);
	sbuf_putc(out, '"');
}

int64_t timefmt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * US_PER_S + ts.tv_nsec / 1000;
}

int64_t timefmt_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * US_PER_S + ts.tv_nsec / 1000;
}
