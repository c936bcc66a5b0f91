/*
 * duration: lengths of time as users write them.  See duration.h.
 *
 * A duration is one or more components "NUMBER UNIT", optionally separated
 * by spaces: "1h30m", "1h 30m", "1 hour 30 minutes", "1.5h".  Short units
 * are case-sensitive ("m" is minutes, "M" means nothing); Spark's words are
 * not ("10 Seconds").  A bare "0" is zero; any other bare number is an
 * error, since nobody can tell which unit was meant.
 */
#include "duration.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define US_S INT64_C(1000000)

static const struct unit {
	const char *name;
	int64_t us;
	int words; /* compared without case */
} units[] = {
	{ "us", 1, 0 },
	{ "\xc2\xb5s", 1, 0 }, /* µs */
	{ "ms", 1000, 0 },
	{ "s", US_S, 0 },
	{ "m", 60 * US_S, 0 },
	{ "h", 3600 * US_S, 0 },
	{ "d", 86400 * US_S, 0 },
	{ "w", 7 * 86400 * US_S, 0 },
	{ "microsecond", 1, 1 },
	{ "microseconds", 1, 1 },
	{ "millisecond", 1000, 1 },
	{ "milliseconds", 1000, 1 },
	{ "sec", US_S, 1 },
	{ "secs", US_S, 1 },
	{ "second", US_S, 1 },
	{ "seconds", US_S, 1 },
	{ "min", 60 * US_S, 1 },
	{ "mins", 60 * US_S, 1 },
	{ "minute", 60 * US_S, 1 },
	{ "minutes", 60 * US_S, 1 },
	{ "hour", 3600 * US_S, 1 },
	{ "hours", 3600 * US_S, 1 },
	{ "day", 86400 * US_S, 1 },
	{ "days", 86400 * US_S, 1 },
	{ "week", 7 * 86400 * US_S, 1 },
	{ "weeks", 7 * 86400 * US_S, 1 },
};

static const struct unit *find_unit(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		const struct unit *u = &units[i];

		if (strlen(u->name) != n)
			continue;
		if (u->words ? strncasecmp(s, u->name, n) == 0
			     : memcmp(s, u->name, n) == 0)
			return u;
	}
	return NULL;
}

static int unit_char(unsigned char c)
{
	return isalpha(c) || c >= 0x80;
}

static int fail(char *err, size_t errlen, const char *why, const char *s)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: \"%.64s\"", why, s);
	return -1;
}

int duration_parse(const char *s, int64_t *us, char *err, size_t errlen)
{
	const char *p = s;
	unsigned __int128 total = 0;

	if (strcmp(s, "0") == 0) {
		*us = 0;
		return 0;
	}
	if (!*s || isspace((unsigned char)*s))
		return fail(err, errlen, "not a duration", s);
	while (*p) {
		unsigned __int128 ip = 0, fp = 0, fscale = 1, v;
		const char *num = p, *name;
		const struct unit *u;

		while (isdigit((unsigned char)*p)) {
			ip = ip * 10 + (unsigned)(*p++ - '0');
			if (ip > INT64_MAX)
				return fail(err, errlen, "duration too long", s);
		}
		if (*p == '.') {
			p++;
			for (; isdigit((unsigned char)*p); p++) {
				/* microseconds of a week need 12 digits */
				if (fscale < (unsigned __int128)1000000000000000ULL) {
					fp = fp * 10 + (unsigned)(*p - '0');
					fscale *= 10;
				}
			}
		}
		if (p == num || (p == num + 1 && *num == '.'))
			return fail(err, errlen, "not a duration", s);
		while (*p == ' ')
			p++;
		name = p;
		while (unit_char((unsigned char)*p))
			p++;
		if (p == name)
			return fail(err, errlen, "missing unit in duration", s);
		u = find_unit(name, (size_t)(p - name));
		if (!u)
			return fail(err, errlen, "unknown unit in duration", s);
		v = ip * (uint64_t)u->us + fp * (uint64_t)u->us / fscale;
		total += v;
		if (total > INT64_MAX)
			return fail(err, errlen, "duration too long", s);
		if (*p == ' ') {
			while (*p == ' ')
				p++;
			if (!*p)
				return fail(err, errlen, "not a duration", s);
		}
	}
	*us = (int64_t)total;
	return 0;
}

int duration_parse_signed(const char *s, int64_t *us, char *err,
			  size_t errlen)
{
	int neg = *s == '-';

	if (*s == '-' || *s == '+')
		s++;
	if (duration_parse(s, us, err, errlen) < 0)
		return -1;
	if (neg)
		*us = -*us;
	return 0;
}
