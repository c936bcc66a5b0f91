/*
 * test_num: strict command-line numbers and sizes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "num.h"
#include "unit.h"

struct icase {
	const char *in;
	int64_t min, max;
	int ok;
	int64_t want;
};

static const struct icase icases[] = {
	{ "0", 0, 10, 1, 0 },
	{ "10", 0, 10, 1, 10 },
	{ "11", 0, 10, 0, 0 },
	{ "-1", 0, 10, 0, 0 },
	{ "-5", -10, 10, 1, -5 },
	{ "-0", -10, 10, 1, 0 },
	{ "007", 0, 10, 1, 7 },
	{ "9223372036854775807", INT64_MIN, INT64_MAX, 1, INT64_MAX },
	{ "-9223372036854775808", INT64_MIN, INT64_MAX, 1, INT64_MIN },
	{ "9223372036854775808", INT64_MIN, INT64_MAX, 0, 0 },
	{ "-9223372036854775809", INT64_MIN, INT64_MAX, 0, 0 },
	{ "99999999999999999999999", INT64_MIN, INT64_MAX, 0, 0 },
	{ "", 0, 10, 0, 0 },
	{ "-", 0, 10, 0, 0 },
	{ " 1", 0, 10, 0, 0 },
	{ "1 ", 0, 10, 0, 0 },
	{ "+1", 0, 10, 0, 0 },
	{ "1x", 0, 10, 0, 0 },
	{ "0x10", 0, 100, 0, 0 },
	{ "1e3", 0, 10000, 0, 0 },
	{ "1.0", 0, 10, 0, 0 },
	{ "--1", -10, 10, 0, 0 },
};

struct ucase {
	const char *in;
	uint64_t min, max;
	int ok;
	uint64_t want;
};

static const struct ucase ucases[] = {
	{ "0", 0, 10, 1, 0 },
	{ "18446744073709551615", 0, UINT64_MAX, 1, UINT64_MAX },
	{ "18446744073709551616", 0, UINT64_MAX, 0, 0 },
	{ "-1", 0, UINT64_MAX, 0, 0 },
	{ "5", 6, 10, 0, 0 },
	{ "", 0, 10, 0, 0 },
};

static const struct ucase sizes[] = {
	{ "1000", 0, UINT64_MAX, 1, 1000 },
	{ "0", 0, UINT64_MAX, 1, 0 },
	{ "10B", 0, UINT64_MAX, 1, 10 },
	{ "512k", 0, UINT64_MAX, 1, 512 * 1024 },
	{ "512K", 0, UINT64_MAX, 1, 512 * 1024 },
	{ "512KB", 0, UINT64_MAX, 1, 512 * 1024 },
	{ "512KiB", 0, UINT64_MAX, 1, 512 * 1024 },
	{ "5MB", 0, UINT64_MAX, 1, 5u << 20 },
	{ "5M", 0, UINT64_MAX, 1, 5u << 20 },
	{ "5m", 0, UINT64_MAX, 1, 5u << 20 },
	{ "16MiB", 0, UINT64_MAX, 1, 16u << 20 },
	{ "16Mi", 0, UINT64_MAX, 1, 16u << 20 },
	{ "2G", 0, UINT64_MAX, 1, UINT64_C(2) << 30 },
	{ "2GiB", 0, UINT64_MAX, 1, UINT64_C(2) << 30 },
	{ "1T", 0, UINT64_MAX, 1, UINT64_C(1) << 40 },
	{ "16777216T", 0, UINT64_MAX, 0, 0 },
	{ "16777215T", 0, UINT64_MAX, 1, UINT64_C(16777215) << 40 },
	{ "16MiB", 0, 1000, 0, 0 },
	{ "1k", 2000, UINT64_MAX, 0, 0 },
	{ "", 0, UINT64_MAX, 0, 0 },
	{ "k", 0, UINT64_MAX, 0, 0 },
	{ "5 MB", 0, UINT64_MAX, 0, 0 },
	{ "5MBB", 0, UINT64_MAX, 0, 0 },
	{ "5X", 0, UINT64_MAX, 0, 0 },
	{ "-5M", 0, UINT64_MAX, 0, 0 },
	{ "1.5M", 0, UINT64_MAX, 0, 0 },
	{ "5iB", 0, UINT64_MAX, 0, 0 },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(icases) / sizeof(*icases); i++) {
		const struct icase *c = &icases[i];
		int64_t v = 42;
		int rc = num_parse_i64(c->in, c->min, c->max, &v);

		unit_ok(c->ok ? rc == 0 && v == c->want : rc < 0 && v == 42,
			"i64 \"%s\" in [%lld, %lld]: %s", c->in,
			(long long)c->min, (long long)c->max,
			c->ok ? "accepted" : "refused");
	}
	for (size_t i = 0; i < sizeof(ucases) / sizeof(*ucases); i++) {
		const struct ucase *c = &ucases[i];
		uint64_t v = 42;
		int rc = num_parse_u64(c->in, c->min, c->max, &v);

		unit_ok(c->ok ? rc == 0 && v == c->want : rc < 0 && v == 42,
			"u64 \"%s\": %s", c->in, c->ok ? "accepted" : "refused");
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		const struct ucase *c = &sizes[i];
		uint64_t v = 42;
		int rc = num_parse_size(c->in, c->min, c->max, &v);

		unit_ok(c->ok ? rc == 0 && v == c->want : rc < 0 && v == 42,
			"size \"%s\": %s", c->in, c->ok ? "accepted" : "refused");
	}
	{
		int64_t v;

		errno = 0;
		num_parse_i64("11", 0, 10, &v);
		unit_ok(errno == ERANGE, "out of range sets ERANGE");
		errno = 0;
		num_parse_i64("1x", 0, 10, &v);
		unit_ok(errno == EINVAL, "junk sets EINVAL");
	}
	return unit_done();
}
