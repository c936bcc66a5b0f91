/*
 * num: strict parsing of command-line numbers.  See num.h.
 *
 * Only decimal digits, with '-' in front for signed values; no white space,
 * no '+', no hex or octal, no trailing junk.  On failure errno is EINVAL
 * (not a number) or ERANGE (outside [min, max] or beyond the type).
 */
#include "num.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

/* Reads the digits at *s into *v; returns -1 with errno set. */
static int digits_u64(const char **s, uint64_t *v)
{
	const char *p = *s;
	uint64_t x = 0;

	if (!isdigit((unsigned char)*p)) {
		errno = EINVAL;
		return -1;
	}
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');

		if (x > (UINT64_MAX - d) / 10) {
			errno = ERANGE;
			return -1;
		}
		x = x * 10 + d;
	}
	*s = p;
	*v = x;
	return 0;
}

int num_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	uint64_t x;

	if (digits_u64(&s, &x) < 0)
		return -1;
	if (*s) {
		errno = EINVAL;
		return -1;
	}
	if (x < min || x > max) {
		errno = ERANGE;
		return -1;
	}
	*v = x;
	return 0;
}

int num_parse_i64(const char *s, int64_t min, int64_t max, int64_t *v)
{
	int neg = *s == '-';
	uint64_t x;
	int64_t r;

	if (neg)
		s++;
	if (digits_u64(&s, &x) < 0)
		return -1;
	if (*s) {
		errno = EINVAL;
		return -1;
	}
	if (!neg && x > (uint64_t)INT64_MAX) {
		errno = ERANGE;
		return -1;
	}
	if (neg && x > (uint64_t)INT64_MAX + 1) {
		errno = ERANGE;
		return -1;
	}
	r = neg ? (int64_t)(0 - x) : (int64_t)x;
	if (r < min || r > max) {
		errno = ERANGE;
		return -1;
	}
	*v = r;
	return 0;
}

int num_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	static const struct {
		const char *suffix;
		unsigned shift;
	} suffixes[] = {
		{ "", 0 },     { "b", 0 },    { "k", 10 },   { "kb", 10 },
		{ "ki", 10 },  { "kib", 10 }, { "m", 20 },   { "mb", 20 },
		{ "mi", 20 },  { "mib", 20 }, { "g", 30 },   { "gb", 30 },
		{ "gi", 30 },  { "gib", 30 }, { "t", 40 },   { "tb", 40 },
		{ "ti", 40 },  { "tib", 40 },
	};
	uint64_t x;

	if (digits_u64(&s, &x) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		unsigned shift = suffixes[i].shift;

		if (strcasecmp(s, suffixes[i].suffix) != 0)
			continue;
		if (shift && x > (UINT64_MAX >> shift)) {
			errno = ERANGE;
			return -1;
		}
		x <<= shift;
		if (x < min || x > max) {
			errno = ERANGE;
			return -1;
		}
		*v = x;
		return 0;
	}
	errno = EINVAL;
	return -1;
}
