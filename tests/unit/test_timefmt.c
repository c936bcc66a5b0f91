/*
 * test_timefmt: every input form of sw(7), TIMESTAMPS, output in UTC and
 * in zones with DST, and round trips against the C library.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sbuf.h"
#include "timefmt.h"
#include "unit.h"

/* The input as JSON text (as a record has it), the unit and strptime
 * format, and the instant in UTC, or "ERR". */
struct pcase {
	const char *json;
	const char *unit;
	const char *format;
	const char *want;
};

static const struct pcase utc_cases[] = {
	/* epoch numbers, unit by magnitude */
	{ "1639277668", NULL, NULL, "2021-12-12T02:54:28.000Z" },
	{ "1639277668.791", NULL, NULL, "2021-12-12T02:54:28.791Z" },
	{ "1639277668.7919", NULL, NULL, "2021-12-12T02:54:28.791Z" },
	{ "1639277668791", NULL, NULL, "2021-12-12T02:54:28.791Z" },
	{ "1639277668791.9", NULL, NULL, "2021-12-12T02:54:28.791Z" },
	{ "1639277668791123", NULL, NULL, "2021-12-12T02:54:28.791Z" },
	{ "1639277668791123456", NULL, NULL, "2021-12-12T02:54:28.791Z" },
	{ "1.639277668791e12", NULL, NULL, "2021-12-12T02:54:28.791Z" },
	{ "1639277668791E-3", NULL, NULL, "2021-12-12T02:54:28.791Z" },
	{ "0", NULL, NULL, "1970-01-01T00:00:00.000Z" },
	{ "-0", NULL, NULL, "1970-01-01T00:00:00.000Z" },
	{ "-1", NULL, NULL, "1969-12-31T23:59:59.000Z" },
	{ "-1.5", NULL, NULL, "1969-12-31T23:59:58.500Z" },
	{ "-0.0005", NULL, NULL, "1969-12-31T23:59:59.999Z" },
	{ "-0.0000001", NULL, NULL, "1969-12-31T23:59:59.999Z" },
	{ "-14182940", NULL, NULL, "1969-07-20T20:17:40.000Z" },
	{ "99999999999", NULL, NULL, "5138-11-16T09:46:39.000Z" },
	{ "100000000000", NULL, NULL, "1973-03-03T09:46:40.000Z" },
	{ "99999999999999", NULL, NULL, "5138-11-16T09:46:39.999Z" },
	{ "100000000000000", NULL, NULL, "1973-03-03T09:46:40.000Z" },
	{ "99999999999999999", NULL, NULL, "5138-11-16T09:46:39.999Z" },
	{ "100000000000000000", NULL, NULL, "1973-03-03T09:46:40.000Z" },
	{ "-1639277668791", NULL, NULL, "1918-01-20T21:05:31.209Z" },
	{ "1e11", NULL, NULL, "1973-03-03T09:46:40.000Z" },
	{ "1e30", NULL, NULL, "ERR" },
	{ "-99999999999999999999", NULL, NULL, "ERR" },
	{ "123456789012345678901234567890", NULL, NULL, "ERR" },
	/* explicit units */
	{ "1639277668", "ms", NULL, "1970-01-19T23:21:17.668Z" },
	{ "1639277668791", "s", NULL, "+53916-08-23T03:59:51.000Z" },
	{ "3093527980800", "s", NULL, "ERR" },
	{ "3093527980799.999", "s", NULL, "+99999-12-31T23:59:59.999Z" },
	{ "1639277668", "s", NULL, "2021-12-12T02:54:28.000Z" },
	{ "1639277668791", "ms", NULL, "2021-12-12T02:54:28.791Z" },
	{ "1639277668791.5", "ms", NULL, "2021-12-12T02:54:28.791Z" },
	{ "1639277668791123", "us", NULL, "2021-12-12T02:54:28.791Z" },
	{ "1639277668791123456", "ns", NULL, "2021-12-12T02:54:28.791Z" },
	{ "1000", "ns", NULL, "1970-01-01T00:00:00.000Z" },
	{ "-1", "ns", NULL, "1969-12-31T23:59:59.999Z" },
	{ "-1", "us", NULL, "1969-12-31T23:59:59.999Z" },
	{ "1", "auto", NULL, "1970-01-01T00:00:01.000Z" },
	{ "\"1639277668791\"", "ms", NULL, "2021-12-12T02:54:28.791Z" },
	/* numeric strings */
	{ "\"1639277668\"", NULL, NULL, "2021-12-12T02:54:28.000Z" },
	{ "\"1639277668.5\"", NULL, NULL, "2021-12-12T02:54:28.500Z" },
	{ "\"1639277668791\"", NULL, NULL, "2021-12-12T02:54:28.791Z" },
	{ "\"-1.5\"", NULL, NULL, "1969-12-31T23:59:58.500Z" },
	{ "\"+1\"", NULL, NULL, "1970-01-01T00:00:01.000Z" },
	{ "\".5\"", NULL, NULL, "1970-01-01T00:00:00.500Z" },
	{ "\"1e400\"", NULL, NULL, "ERR" },
	{ "\"-\"", NULL, NULL, "ERR" },
	{ "\".\"", NULL, NULL, "ERR" },
	{ "\"1.2.3\"", NULL, NULL, "ERR" },
	{ "\"1e\"", NULL, NULL, "ERR" },
	/* RFC 3339 */
	{ "\"2021-12-12T12:16:50Z\"", NULL, NULL, "2021-12-12T12:16:50.000Z" },
	{ "\"2021-12-12T12:16:50.123+09:00\"", NULL, NULL,
	  "2021-12-12T03:16:50.123Z" },
	{ "\"2021-12-12t12:16:50.1z\"", NULL, NULL, "2021-12-12T12:16:50.100Z" },
	{ "\"2021-12-12T12:16:50.123456789Z\"", NULL, NULL,
	  "2021-12-12T12:16:50.123Z" },
	{ "\"2021-12-12T12:16:50.999999999999-05:30\"", NULL, NULL,
	  "2021-12-12T17:46:50.999Z" },
	{ "\"2021-12-12T00:16:50-01:00\"", NULL, NULL,
	  "2021-12-12T01:16:50.000Z" },
	{ "\"2021-12-31T23:30:00-01:00\"", NULL, NULL,
	  "2022-01-01T00:30:00.000Z" },
	{ "\"2021-01-01T00:30:00+01:00\"", NULL, NULL,
	  "2020-12-31T23:30:00.000Z" },
	{ "\"2016-12-31T23:59:60Z\"", NULL, NULL, "2017-01-01T00:00:00.000Z" },
	{ "\"1969-07-20T20:17:40Z\"", NULL, NULL, "1969-07-20T20:17:40.000Z" },
	{ "\"0001-01-01T00:00:00Z\"", NULL, NULL, "0001-01-01T00:00:00.000Z" },
	{ "\"0000-01-01T00:00:00Z\"", NULL, NULL, "0000-01-01T00:00:00.000Z" },
	{ "\"9999-12-31T23:59:59.999Z\"", NULL, NULL,
	  "9999-12-31T23:59:59.999Z" },
	{ "\"9999-12-31T23:59:59Z\"", NULL, NULL, "9999-12-31T23:59:59.000Z" },
	/* outside 0000-9999: ISO 8601 expanded years, both ways */
	{ "\"0000-01-01T00:00:00+00:01\"", NULL, NULL,
	  "-0001-12-31T23:59:00.000Z" },
	{ "\"9999-12-31T23:59:59-00:01\"", NULL, NULL,
	  "+10000-01-01T00:00:59.000Z" },
	{ "\"+10000-01-01T00:00:00Z\"", NULL, NULL, "+10000-01-01T00:00:00.000Z" },
	{ "\"-0768-02-04T12:00:00.5Z\"", NULL, NULL,
	  "-0768-02-04T12:00:00.500Z" },
	{ "\"+2021-12-12T12:16:50Z\"", NULL, NULL, "2021-12-12T12:16:50.000Z" },
	{ "\"-0001-12-31\"", NULL, NULL, "-0001-12-31T00:00:00.000Z" },
	{ "\"+99999-12-31T23:59:59.999Z\"", NULL, NULL,
	  "+99999-12-31T23:59:59.999Z" },
	{ "\"-99999-01-01T00:00:00Z\"", NULL, NULL, "-99999-01-01T00:00:00.000Z" },
	{ "\"+100000-01-01T00:00:00Z\"", NULL, NULL, "ERR" },
	{ "\"-99999-01-01T00:00:00+00:01\"", NULL, NULL, "ERR" },
	{ "\"-768-02-04\"", NULL, NULL, "ERR" },
	{ "\"+1000001-01-01\"", NULL, NULL, "ERR" },
	{ "\"+20211212T121650Z\"", NULL, NULL, "ERR" },
	{ "\"10000-01-01T00:00:00Z\"", NULL, NULL, "ERR" },
	{ "-3217830796800", "s", NULL, "-99999-01-01T00:00:00.000Z" },
	{ "-3217830796801", "s", NULL, "ERR" },
	{ "253402300800", "s", NULL, "+10000-01-01T00:00:00.000Z" },
	/* a leap second only as 23:59:60 UTC on a month's last day */
	{ "\"2016-12-31T23:58:60Z\"", NULL, NULL, "ERR" },
	{ "\"2016-12-30T23:59:60Z\"", NULL, NULL, "ERR" },
	{ "\"2016-12-31T12:00:60Z\"", NULL, NULL, "ERR" },
	{ "\"2015-06-30T23:59:60.5Z\"", NULL, NULL, "2015-07-01T00:00:00.500Z" },
	{ "\"2017-01-01T08:59:60+09:00\"", NULL, NULL,
	  "2017-01-01T00:00:00.000Z" },
	{ "\"2016-12-31T23:59:60+09:00\"", NULL, NULL, "ERR" },
	/* ISO 8601 forms */
	{ "\"2021-12-12T12:16Z\"", NULL, NULL, "2021-12-12T12:16:00.000Z" },
	{ "\"2021-12-12T12:16:50+09\"", NULL, NULL, "2021-12-12T03:16:50.000Z" },
	{ "\"2021-12-12T12:16:50+0930\"", NULL, NULL,
	  "2021-12-12T02:46:50.000Z" },
	{ "\"2021-12-12T12:16:50,5Z\"", NULL, NULL, "2021-12-12T12:16:50.500Z" },
	{ "\"20211212T121650Z\"", NULL, NULL, "2021-12-12T12:16:50.000Z" },
	{ "\"20211212T121650.25+0100\"", NULL, NULL,
	  "2021-12-12T11:16:50.250Z" },
	{ "\"2021-12-12\"", NULL, NULL, "2021-12-12T00:00:00.000Z" },
	{ "\"2021-12-12 12:16:50 UTC\"", NULL, NULL,
	  "2021-12-12T12:16:50.000Z" },
	{ "\"2021-12-12 12:16:50 +01:00\"", NULL, NULL,
	  "2021-12-12T11:16:50.000Z" },
	/* Spark's form, read in UTC here */
	{ "\"2021-12-12 12:16:50\"", NULL, NULL, "2021-12-12T12:16:50.000Z" },
	{ "\"2021-12-12 12:16:50.5\"", NULL, NULL, "2021-12-12T12:16:50.500Z" },
	{ "\"2021-12-12 12:16:50.123\"", NULL, NULL,
	  "2021-12-12T12:16:50.123Z" },
	/* escapes in the JSON string */
	{ "\"2021-12-12T12:16:50\\u005a\"", NULL, NULL,
	  "2021-12-12T12:16:50.000Z" },
	{ "\"2021-12-12T12:16:50\\u00e9\"", NULL, NULL, "ERR" },
	{ "\"2021-12-12\\n\"", NULL, NULL, "ERR" },
	{ "\"2021-12-12\\u0000\"", NULL, NULL, "ERR" },
	{ "\"2021-12-12\\u00zz\"", NULL, NULL, "ERR" },
	{ "\"2021-12-12\\\"", NULL, NULL, "ERR" },
	{ "\"2021\\u002d12\\u002D12\"", NULL, NULL, "2021-12-12T00:00:00.000Z" },
	/* leap years */
	{ "\"2020-02-29T00:00:00Z\"", NULL, NULL, "2020-02-29T00:00:00.000Z" },
	{ "\"2000-02-29T12:00:00Z\"", NULL, NULL, "2000-02-29T12:00:00.000Z" },
	{ "\"2400-02-29\"", NULL, NULL, "2400-02-29T00:00:00.000Z" },
	{ "\"1900-02-29T00:00:00Z\"", NULL, NULL, "ERR" },
	{ "\"2021-02-29T00:00:00Z\"", NULL, NULL, "ERR" },
	{ "\"2100-02-29\"", NULL, NULL, "ERR" },
	{ "951782400", NULL, NULL, "2000-02-29T00:00:00.000Z" },
	{ "4107542399.999", NULL, NULL, "2100-02-28T23:59:59.999Z" },
	{ "4107542400", NULL, NULL, "2100-03-01T00:00:00.000Z" },
	/* bad strings and other values */
	{ "\"yesterday\"", NULL, NULL, "ERR" },
	{ "\"\"", NULL, NULL, "ERR" },
	{ "true", NULL, NULL, "ERR" },
	{ "null", NULL, NULL, "ERR" },
	{ "{}", NULL, NULL, "ERR" },
	{ "[1639277668]", NULL, NULL, "ERR" },
	{ "\"2021-13-01\"", NULL, NULL, "ERR" },
	{ "\"2021-00-01\"", NULL, NULL, "ERR" },
	{ "\"2021-12-32\"", NULL, NULL, "ERR" },
	{ "\"2021-12-00\"", NULL, NULL, "ERR" },
	{ "\"2021-12\"", NULL, NULL, "ERR" },
	{ "\"2021-12-12T24:00:00Z\"", NULL, NULL, "ERR" },
	{ "\"2021-12-12T12:60:00Z\"", NULL, NULL, "ERR" },
	{ "\"2021-12-12T12:16:61Z\"", NULL, NULL, "ERR" },
	{ "\"2021-12-12T12:16:50+24:00\"", NULL, NULL, "ERR" },
	{ "\"2021-12-12T12:16:50+01:60\"", NULL, NULL, "ERR" },
	{ "\"2021-12-12T12:16:50+1\"", NULL, NULL, "ERR" },
	{ "\"2021-12-12T12:16:50.Z\"", NULL, NULL, "ERR" },
	{ "\"2021-12-12T12:16:50Zjunk\"", NULL, NULL, "ERR" },
	{ "\"2021-12-12T12:16:50Z \"", NULL, NULL, "ERR" },
	{ "\"2021-12-12X12:16:50Z\"", NULL, NULL, "ERR" },
	{ "\"2021-12-12T\"", NULL, NULL, "ERR" },
	{ "\"2021-12-12T12\"", NULL, NULL, "ERR" },
	{ "\" 2021-12-12\"", NULL, NULL, "ERR" },
	{ "\"2021-12-12 \"", NULL, NULL, "ERR" },
	{ "\"12:16:50\"", NULL, NULL, "ERR" },
	{ "\"21-12-12\"", NULL, NULL, "ERR" },
	{ "\"2021/12/12\"", NULL, NULL, "ERR" },
	{ "\"Sun Dec 12 12:16:50 +0900 2021\"", NULL, NULL, "ERR" },
	/* strptime formats */
	{ "\"Sun Dec 12 12:16:50 +0900 2021\"", NULL,
	  "%a %b %d %H:%M:%S %z %Y", "2021-12-12T03:16:50.000Z" },
	{ "\"Wed Oct 10 20:19:24 +0000 2018\"", NULL,
	  "%a %b %d %H:%M:%S %z %Y", "2018-10-10T20:19:24.000Z" },
	{ "\"Sat Jan 01 00:30:00 -0130 2022\"", NULL,
	  "%a %b %d %H:%M:%S %z %Y", "2022-01-01T02:00:00.000Z" },
	{ "\"2021-12-12\"", NULL, "%a %b %d %H:%M:%S %z %Y", "ERR" },
	{ "\"Sun Dec 12 12:16:50 +0900 2021 x\"", NULL,
	  "%a %b %d %H:%M:%S %z %Y", "ERR" },
	{ "1639277668", NULL, "%a %b %d %H:%M:%S %z %Y",
	  "2021-12-12T02:54:28.000Z" },
	{ "\"12/12/2021 12:16\"", NULL, "%d/%m/%Y %H:%M",
	  "2021-12-12T12:16:00.000Z" },
	{ "\"31/02/2021 12:16\"", NULL, "%d/%m/%Y %H:%M", "ERR" },
	{ "\"2021-12-12 12:16:50.123456\"", NULL, "%Y-%m-%d %H:%M:%S.%f",
	  "2021-12-12T12:16:50.123Z" },
	{ "\"2021-12-12 12:16:50.1 +02:00\"", NULL, "%Y-%m-%d %H:%M:%S.%f %z",
	  "2021-12-12T10:16:50.100Z" },
	{ "\"2021-12-12 12:16:50. +02:00\"", NULL, "%Y-%m-%d %H:%M:%S.%f %z",
	  "ERR" },
	{ "\"100% 2021\"", NULL, "100%% %Y", "2021-01-01T00:00:00.000Z" },
};

/* Readings without an offset are taken in the zone; DST gaps move
 * forward, overlaps take the earlier instant. */
struct zcase {
	const char *zone;
	const char *json;
	const char *want;
};

static const struct zcase zone_parse_cases[] = {
	{ "Europe/Berlin", "\"2021-12-12 12:16:50\"", "2021-12-12T11:16:50.000Z" },
	{ "Europe/Berlin", "\"2021-07-01 12:00:00\"", "2021-07-01T10:00:00.000Z" },
	{ "Europe/Berlin", "\"2021-03-28 01:59:59\"", "2021-03-28T00:59:59.000Z" },
	{ "Europe/Berlin", "\"2021-03-28 02:30:00\"", "2021-03-28T01:30:00.000Z" },
	{ "Europe/Berlin", "\"2021-03-28 03:00:00\"", "2021-03-28T01:00:00.000Z" },
	{ "Europe/Berlin", "\"2021-10-31 02:30:00\"", "2021-10-31T00:30:00.000Z" },
	{ "Europe/Berlin", "\"2021-10-31 03:00:00\"", "2021-10-31T02:00:00.000Z" },
	{ "Europe/Berlin", "\"2021-12-12\"", "2021-12-11T23:00:00.000Z" },
	{ "Europe/Berlin", "\"2021-12-12T12:16:50Z\"", "2021-12-12T12:16:50.000Z" },
	{ "Europe/Berlin", "\"2021-12-12T12:16:50+09:00\"",
	  "2021-12-12T03:16:50.000Z" },
	{ "Europe/Berlin", "1639277668", "2021-12-12T02:54:28.000Z" },
	{ "America/New_York", "\"2021-03-14 01:59:59\"",
	  "2021-03-14T06:59:59.000Z" },
	{ "America/New_York", "\"2021-03-14 02:30:00\"",
	  "2021-03-14T07:30:00.000Z" },
	{ "America/New_York", "\"2021-03-14 03:00:00\"",
	  "2021-03-14T07:00:00.000Z" },
	{ "America/New_York", "\"2021-11-07 01:30:00\"",
	  "2021-11-07T05:30:00.000Z" },
	{ "America/New_York", "\"2021-11-07 02:00:00\"",
	  "2021-11-07T07:00:00.000Z" },
	{ "America/New_York", "\"2021-12-12 12:16:50.5\"",
	  "2021-12-12T17:16:50.500Z" },
	{ "Asia/Tokyo", "\"2021-12-12 12:16:50\"", "2021-12-12T03:16:50.000Z" },
	/* the same reading again right after, in another zone */
	{ "Europe/Berlin", "\"2021-12-12 12:16:50\"", "2021-12-12T11:16:50.000Z" },
	{ "Asia/Kolkata", "\"1970-01-01 05:30:00\"", "1970-01-01T00:00:00.000Z" },
	{ "UTC", "\"2021-12-12 12:16:50\"", "2021-12-12T12:16:50.000Z" },
};

/* An instant (given in UTC) rendered in a zone. */
static const struct zcase zone_format_cases[] = {
	{ "Europe/Berlin", "\"2021-12-12T12:16:50.123Z\"",
	  "2021-12-12T13:16:50.123+01:00" },
	{ "Europe/Berlin", "\"2021-03-28T00:59:59.999Z\"",
	  "2021-03-28T01:59:59.999+01:00" },
	{ "Europe/Berlin", "\"2021-03-28T01:00:00Z\"",
	  "2021-03-28T03:00:00.000+02:00" },
	{ "Europe/Berlin", "\"2021-10-31T00:30:00Z\"",
	  "2021-10-31T02:30:00.000+02:00" },
	{ "Europe/Berlin", "\"2021-10-31T01:30:00Z\"",
	  "2021-10-31T02:30:00.000+01:00" },
	{ "America/New_York", "\"2021-03-14T06:59:59Z\"",
	  "2021-03-14T01:59:59.000-05:00" },
	{ "America/New_York", "\"2021-03-14T07:00:00Z\"",
	  "2021-03-14T03:00:00.000-04:00" },
	{ "America/New_York", "\"2021-11-07T05:30:00Z\"",
	  "2021-11-07T01:30:00.000-04:00" },
	{ "America/New_York", "\"2021-11-07T06:30:00Z\"",
	  "2021-11-07T01:30:00.000-05:00" },
	{ "America/New_York", "-1", "1969-12-31T18:59:59.000-05:00" },
	{ "Asia/Tokyo", "1639277668791", "2021-12-12T11:54:28.791+09:00" },
	{ "Asia/Kolkata", "0", "1970-01-01T05:30:00.000+05:30" },
	{ "UTC", "1639277668791", "2021-12-12T02:54:28.791Z" },
	{ "Europe/London", "\"2021-12-12T12:16:50Z\"",
	  "2021-12-12T12:16:50.000Z" },
	{ "Europe/London", "\"2021-07-01T12:00:00Z\"",
	  "2021-07-01T13:00:00.000+01:00" },
};

static int parse_one(struct timefmt *tf, const char *json, int64_t *us,
		     char *err, size_t errlen)
{
	return timefmt_parse_json(tf, json, strlen(json), us, err, errlen);
}

static void check_parse(const struct pcase *c)
{
	struct timefmt tf = TIMEFMT_INIT, utc = TIMEFMT_INIT;
	struct sbuf b = SBUF_INIT;
	char err[128] = "";
	int64_t us = 0;
	int rc;

	if (c->unit && timefmt_parse_unit(c->unit, &tf.unit) < 0) {
		unit_ok(0, "unit %s", c->unit);
		return;
	}
	tf.format = c->format;
	rc = parse_one(&tf, c->json, &us, err, sizeof(err));
	if (strcmp(c->want, "ERR") == 0) {
		unit_ok(rc < 0 && err[0], "%s [%s %s] is refused (%s)", c->json,
			c->unit ? c->unit : "auto",
			c->format ? c->format : "-", err);
		return;
	}
	if (rc == 0)
		timefmt_format_rfc3339(&utc, us, &b);
	else
		sbuf_printf(&b, "error: %s", err);
	UNIT_STREQ(b.p, c->want, "%s [%s %s]", c->json,
		   c->unit ? c->unit : "auto", c->format ? c->format : "-");
	sbuf_free(&b);
}

/* Each case's zone made the process's zone; with read_in_zone the input is
 * read in it and shown in UTC, else read as UTC and shown in it. */
static void check_zone_table(const struct zcase *cases, size_t n,
			     int read_in_zone)
{
	struct timefmt utc = TIMEFMT_INIT;
	char err[128];

	for (size_t i = 0; i < n; i++) {
		const struct zcase *c = &cases[i];
		struct timefmt tf = TIMEFMT_INIT;
		struct sbuf b = SBUF_INIT;
		int64_t us;

		if (timefmt_set_zone(&tf, c->zone, err, sizeof(err)) < 0) {
			unit_ok(0, "zone %s: %s", c->zone, err);
			continue;
		}
		if (parse_one(read_in_zone ? &tf : &utc, c->json, &us, err,
			      sizeof(err)) == 0)
			timefmt_format_rfc3339(read_in_zone ? &utc : &tf, us, &b);
		else
			sbuf_printf(&b, "error: %s", err);
		UNIT_STREQ(b.p, c->want, "%s %s %s", c->json,
			   read_in_zone ? "read in" : "shown in", c->zone);
		sbuf_free(&b);
	}
}

static void check_bad_zones(void)
{
	static const char *bad[] = { "Mars/Base", "../etc/passwd", "/etc/localtime",
				     "", "Europe", "Asia/Tokyo ", "JST-9",
				     "Europe/../../etc/passwd" };
	struct timefmt tf = TIMEFMT_INIT;
	char err[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		err[0] = '\0';
		unit_ok(timefmt_set_zone(&tf, bad[i], err, sizeof(err)) < 0 &&
				strstr(err, "unknown time zone"),
			"zone \"%s\" is refused (%s)", bad[i], err);
	}
	unit_ok(tf.zone == 0, "a refused zone leaves tf in UTC");
}

static void check_output(void)
{
	struct timefmt tf = TIMEFMT_INIT;
	struct sbuf b = SBUF_INIT;
	enum time_output o;
	enum time_unit u;
	char err[128];
	int64_t us;

	timefmt_format(&tf, INT64_C(1639311410123456), &b);
	UNIT_STREQ(b.p, "\"2021-12-12T12:16:50.123Z\"", "format: quoted RFC 3339");
	sbuf_reset(&b);
	unit_ok(timefmt_parse_output("epoch_ms", &o) == 0 &&
			o == TIME_OUT_EPOCH_MS, "output epoch_ms");
	unit_ok(timefmt_parse_output("rfc3339", &o) == 0 && o == TIME_OUT_RFC3339,
		"output rfc3339");
	unit_ok(timefmt_parse_output("iso", &o) < 0, "output iso refused");
	tf.output = TIME_OUT_EPOCH_MS;
	timefmt_format(&tf, INT64_C(1639311410123999), &b);
	UNIT_STREQ(b.p, "1639311410123", "format: epoch_ms");
	sbuf_reset(&b);
	timefmt_format(&tf, -500, &b);
	UNIT_STREQ(b.p, "-1", "format: epoch_ms floors before 1970");
	sbuf_reset(&b);
	unit_ok(timefmt_parse_unit("ns", &u) == 0 && u == TIME_UNIT_NS, "unit ns");
	unit_ok(timefmt_parse_unit("sec", &u) < 0, "unit sec refused");
	unit_ok(timefmt_parse_unit("", &u) < 0, "unit \"\" refused");

	tf = (struct timefmt)TIMEFMT_INIT;
	unit_ok(parse_one(&tf, "\"yesterday\"", &us, err, sizeof(err)) < 0,
		"yesterday refused");
	UNIT_STREQ(err, "not a timestamp: \"yesterday\"", "error names the value");
	parse_one(&tf, "1e30", &us, err, sizeof(err));
	UNIT_STREQ(err, "timestamp out of range: 1e30", "error for range");
	parse_one(&tf, "{\"a\":1}", &us, err, sizeof(err));
	UNIT_STREQ(err, "not a timestamp: {\"a\":1}", "error for an object");
	unit_ok(timefmt_parse_string(&tf, "2021-12-12T12:16:50Z", 20, &us, err,
				     sizeof(err)) == 0 &&
			us == INT64_C(1639311410000000),
		"parse_string takes bare text");
	unit_ok(timefmt_parse_string(&tf, "2021-12-12T12:16:50Zxx", 20, &us, err,
				     sizeof(err)) == 0,
		"parse_string stops at n");
	unit_ok(timefmt_from_number(TIME_UNIT_AUTO, 1639277668.791, &us) == 0 &&
			us == INT64_C(1639277668791000),
		"from_number rounds a double to the microsecond");
	unit_ok(timefmt_from_number(TIME_UNIT_NS, 1.5e18, &us) == 0 &&
			us == INT64_C(1500000000000000),
		"from_number ns");
	unit_ok(timefmt_from_number(TIME_UNIT_S, 1e300, &us) < 0,
		"from_number out of range");
	unit_ok(timefmt_from_number(TIME_UNIT_S, 0.0 / 0.0, &us) < 0,
		"from_number NaN");
	us = timefmt_now();
	unit_ok(us > INT64_C(1600000000000000), "now is after 2020");
	sbuf_free(&b);
}

/* Our civil arithmetic against the C library over years 0..9999. */
static void check_against_libc(void)
{
	struct timefmt tf = TIMEFMT_INIT;
	struct sbuf b = SBUF_INIT;
	unsigned seed = 12345;
	int bad_fmt = 0, bad_trip = 0;

	for (int i = 0; i < 200000; i++) {
		int64_t s, us, back;
		time_t tt;
		struct tm tm;
		char want[64], err[128];

		seed = seed * 1103515245u + 12345u;
		s = (int64_t)((((uint64_t)seed << 20) ^ (uint64_t)i * 2654435761u) %
			      UINT64_C(315569520000)) - INT64_C(62167219200);
		us = s * 1000000 + (int64_t)(seed % 1000000);
		tt = (time_t)s;
		gmtime_r(&tt, &tm);
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec, (int)(seed % 1000000) / 1000);
		sbuf_reset(&b);
		timefmt_format_rfc3339(&tf, us, &b);
		if (strcmp(b.p, want) != 0 && bad_fmt++ < 3)
			printf("# %lld: got %s want %s\n", (long long)us, b.p, want);
		if (timefmt_parse_string(&tf, b.p, b.len, &back, err,
					 sizeof(err)) < 0 ||
		    back != us - (us % 1000 + 1000) % 1000) {
			if (bad_trip++ < 3)
				printf("# round trip of %s failed\n", b.p);
		}
	}
	unit_ok(bad_fmt == 0, "200000 instants format as gmtime does");
	unit_ok(bad_trip == 0, "200000 instants read back");
	sbuf_free(&b);
}

/* Every minute of 2021 in Berlin and New York: formatted with offset and
 * read back, it is the same instant. */
static void check_zone_round_trip(void)
{
	static const char *zones[] = { "Europe/Berlin", "America/New_York" };
	char err[128];

	for (size_t z = 0; z < 2; z++) {
		struct timefmt tf = TIMEFMT_INIT;
		struct sbuf b = SBUF_INIT;
		int bad = 0;

		timefmt_set_zone(&tf, zones[z], err, sizeof(err));
		for (int64_t s = INT64_C(1609459200); s < INT64_C(1640995200);
		     s += 60) {
			int64_t us = s * 1000000, back;

			sbuf_reset(&b);
			timefmt_format_rfc3339(&tf, us, &b);
			if ((timefmt_parse_string(&tf, b.p, b.len, &back, err,
						  sizeof(err)) < 0 ||
			     back != us) && bad++ < 3)
				printf("# %s: %s read back wrong\n", zones[z],
				       b.p);
		}
		unit_ok(bad == 0, "every minute of 2021 in %s reads back",
			zones[z]);
		sbuf_free(&b);
	}
}

/* Plain integers take a path of their own: each must read as the same
 * number with ".0" after it, which takes the general one. */
static void check_plain_integers(void)
{
	static const char *const units[] = { "auto", "s", "ms", "us", "ns" };
	uint64_t x = 0x9E3779B97F4A7C15ull;
	int bad = 0, n = 0;

	for (int i = 0; i < 20000; i++) {
		struct timefmt tf = TIMEFMT_INIT;
		char plain[32], dotted[40], err[128], *p = plain;
		int64_t a = 0, b = 0;
		int ra, rb, digits;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		digits = 1 + (int)(x % 21);
		if (x & 32)
			*p++ = '-';
		for (int d = 0; d < digits; d++)
			*p++ = (char)('0' + (x >> (d * 2 + 6)) % 10);
		*p = '\0';
		snprintf(dotted, sizeof(dotted), "%s.0", plain);
		timefmt_parse_unit(units[(x >> 3) % 5], &tf.unit);
		ra = timefmt_parse_json(&tf, plain, strlen(plain), &a, err,
					sizeof(err));
		rb = timefmt_parse_json(&tf, dotted, strlen(dotted), &b, err,
					sizeof(err));
		n++;
		if ((ra != rb || (ra == 0 && a != b)) && bad++ < 5)
			printf("# %s (%s): %d %lld, with .0: %d %lld\n", plain,
			       units[(x >> 3) % 5], ra, (long long)a, rb,
			       (long long)b);
	}
	unit_ok(bad == 0, "plain integers read as with .0 (%d of %d differ)",
		bad, n);
}

/* The last number read is remembered: the same text in another unit, or
 * text that differs in one byte, must not be taken for it. */
static void check_number_cache(void)
{
	static const struct {
		const char *json, *unit;
		int64_t want;
	} seq[] = {
		{ "1639277668", "s", 1639277668000000 },
		{ "1639277668", "ms", 1639277668000 },
		{ "1639277668", "s", 1639277668000000 },
		{ "1639277669", "s", 1639277669000000 },
		{ "2639277668", "s", 2639277668000000 },
		{ "\"1639277668\"", "s", 1639277668000000 },
		{ "-1", "s", -1000000 },
		{ "1", "s", 1000000 },
		{ "-1", "s", -1000000 },
		{ "12", "auto", 12000000 },
		{ "1234", "auto", 1234000000 },
		{ "1243", "auto", 1243000000 },
		{ "1639277668791123456", "auto", 1639277668791123 },
		{ "1639277668791123457", "auto", 1639277668791123 },
		{ "1639277668791123457", "ns", 1639277668791123 },
		{ "1639277669791123457", "ns", 1639277669791123 },
	};
	int bad = 0;

	for (size_t i = 0; i < sizeof(seq) / sizeof(*seq); i++) {
		struct timefmt tf = TIMEFMT_INIT;
		char err[128];
		int64_t us = 0;

		timefmt_parse_unit(seq[i].unit, &tf.unit);
		if ((timefmt_parse_json(&tf, seq[i].json, strlen(seq[i].json),
					&us, err, sizeof(err)) < 0 ||
		     us != seq[i].want) && bad++ < 3)
			printf("# %s (%s): %lld\n", seq[i].json, seq[i].unit,
			       (long long)us);
	}
	unit_ok(bad == 0, "numbers read one after another, same and not");
}

int main(void)
{
	for (size_t i = 0; i < sizeof(utc_cases) / sizeof(*utc_cases); i++)
		check_parse(&utc_cases[i]);
	check_output();
	check_plain_integers();
	check_number_cache();
	check_against_libc();
	check_bad_zones();
	check_zone_table(zone_parse_cases,
			 sizeof(zone_parse_cases) / sizeof(*zone_parse_cases), 1);
	check_zone_table(zone_format_cases,
			 sizeof(zone_format_cases) / sizeof(*zone_format_cases), 0);
	check_zone_round_trip();
	return unit_done();
}
