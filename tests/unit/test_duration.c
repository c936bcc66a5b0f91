/*
 * test_duration: both spellings of sw(7), DURATIONS, combinations, and
 * strict errors.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "duration.h"
#include "unit.h"

#define S INT64_C(1000000)
#define ERR INT64_MIN

static const struct {
	const char *in;
	int64_t want; /* microseconds, or ERR */
} cases[] = {
	{ "500ms", 500000 },
	{ "10s", 10 * S },
	{ "5m", 300 * S },
	{ "2h", 7200 * S },
	{ "1d", 86400 * S },
	{ "1w", 604800 * S },
	{ "250us", 250 },
	{ "250\xc2\xb5s", 250 },
	{ "0", 0 },
	{ "0s", 0 },
	{ "1h30m", 5400 * S },
	{ "1h 30m", 5400 * S },
	{ "1d2h3m4s5ms6us", 93784 * S + 5006 },
	{ "1.5h", 5400 * S },
	{ "0.5s", 500000 },
	{ "1.0000005s", 1000000 },
	{ "10 seconds", 10 * S },
	{ "1 second", S },
	{ "2 minutes", 120 * S },
	{ "1 minute", 60 * S },
	{ "1 hour", 3600 * S },
	{ "3 hours", 10800 * S },
	{ "1 day", 86400 * S },
	{ "2 days", 172800 * S },
	{ "1 week", 604800 * S },
	{ "100 milliseconds", 100000 },
	{ "1 millisecond", 1000 },
	{ "5 microseconds", 5 },
	{ "10 Seconds", 10 * S },
	{ "10 SECONDS", 10 * S },
	{ "10seconds", 10 * S },
	{ "1 hour 30 minutes", 5400 * S },
	{ "1 hour 30m", 5400 * S },
	{ "5 mins", 300 * S },
	{ "30 sec", 30 * S },
	{ "106751991d", INT64_C(106751991) * 86400 * S },
	{ "106751992d", ERR },
	{ "99999999999999999999s", ERR },
	{ "", ERR },
	{ "10", ERR },
	{ "1.5", ERR },
	{ "s", ERR },
	{ "10x", ERR },
	{ "10M", ERR },
	{ "10S", ERR },
	{ "10 s x", ERR },
	{ " 10s", ERR },
	{ "10s ", ERR },
	{ "-10s", ERR },
	{ "+10s", ERR },
	{ ".s", ERR },
	{ "1..5s", ERR },
	{ "10 secondss", ERR },
	{ "1h30", ERR },
	{ "ten seconds", ERR },
	{ "10s,5s", ERR },
	{ "0x10s", ERR },
};

static const struct {
	const char *in;
	int64_t want;
} signed_cases[] = {
	{ "-10s", -10 * S },
	{ "+10s", 10 * S },
	{ "10s", 10 * S },
	{ "-1h30m", -5400 * S },
	{ "-0", 0 },
	{ "--10s", ERR },
	{ "-", ERR },
	{ "- 10s", ERR },
};

int main(void)
{
	char err[128];
	int64_t us;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int rc;

		err[0] = '\0';
		us = -42;
		rc = duration_parse(cases[i].in, &us, err, sizeof(err));
		if (cases[i].want == ERR)
			unit_ok(rc < 0 && err[0], "\"%s\" is refused (%s)",
				cases[i].in, err);
		else
			unit_ok(rc == 0 && us == cases[i].want,
				"\"%s\" = %lld us (got %lld, %s)", cases[i].in,
				(long long)cases[i].want, (long long)us, err);
	}
	for (size_t i = 0; i < sizeof(signed_cases) / sizeof(*signed_cases); i++) {
		int rc;

		err[0] = '\0';
		rc = duration_parse_signed(signed_cases[i].in, &us, err,
					   sizeof(err));
		if (signed_cases[i].want == ERR)
			unit_ok(rc < 0 && err[0], "signed \"%s\" is refused",
				signed_cases[i].in);
		else
			unit_ok(rc == 0 && us == signed_cases[i].want,
				"signed \"%s\" = %lld us", signed_cases[i].in,
				(long long)signed_cases[i].want);
	}
	duration_parse("10x", &us, err, sizeof(err));
	UNIT_STREQ(err, "unknown unit in duration: \"10x\"", "error names the text");
	duration_parse("10", &us, err, sizeof(err));
	UNIT_STREQ(err, "missing unit in duration: \"10\"", "bare number");
	return unit_done();
}
