/*
 * timefmt: event times in, timestamps out (sw(7), TIMESTAMPS).
 *
 * Times are carried as int64 microseconds since the Unix epoch (UTC), which
 * covers any date a record can name and the precision of every input form.
 *
 * Input: a JSON number is epoch time in the configured unit (auto picks it
 * from the magnitude: |v| < 1e11 s, < 1e14 ms, < 1e17 us, else ns); a JSON
 * string is RFC 3339 / ISO 8601, Spark's "YYYY-MM-DD HH:MM:SS[.fff]" read in
 * the configured zone, a numeric string read as a number, or, when a
 * strptime(3) format is set, that format (with %z).
 *
 * Output: RFC 3339 with milliseconds, in UTC ("...Z") or in a zone with its
 * offset, or epoch milliseconds as an integer.
 *
 * Years: RFC 3339 has four digits; outside 0000-9999 both directions use
 * ISO 8601's expanded years, a sign and four to six digits
 * ("+10000-01-01T00:00:00.000Z", "-0768-02-04"), from -99999 to +99999.
 * A leap second (":60") is valid only as 23:59:60 UTC on the last day of a
 * month (RFC 3339 section 5.7) and reads as the next second.
 *
 * Zones are IANA names resolved through the system's tz database.  Only one
 * zone can be in use per process (it is the C library's local time).
 */
#ifndef SW_TIMEFMT_H
#define SW_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

/* The times read and written: -99999-01-01T00:00:00Z up to, not including,
 * +100000-01-01T00:00:00Z (seconds since the epoch).  RFC 3339's four
 * digits and ISO 8601's expanded years around them, far enough from the
 * limits of int64 microseconds (year 292277) that window arithmetic cannot
 * overflow. */
#define TIMEFMT_MIN_S INT64_C(-3217830796800)
#define TIMEFMT_MAX_S INT64_C(3093527980800)

enum time_unit { TIME_UNIT_AUTO, TIME_UNIT_S, TIME_UNIT_MS, TIME_UNIT_US,
		 TIME_UNIT_NS };

enum time_output { TIME_OUT_RFC3339, TIME_OUT_EPOCH_MS };

struct timefmt {
	enum time_unit unit;     /* for numbers */
	const char *format;      /* strptime format, or NULL */
	int zone;                /* 0: UTC; 1: the zone set by timefmt_set_zone */
	enum time_output output;
};

#define TIMEFMT_INIT { TIME_UNIT_AUTO, NULL, 0, TIME_OUT_RFC3339 }

/* The names of the units and of the outputs, in enum order, NULL-
 * terminated: "auto", "s", "ms", "us", "ns"; "rfc3339", "epoch_ms". */
extern const char *const timefmt_unit_names[];
extern const char *const timefmt_output_names[];

/* A name of timefmt_unit_names.  Returns 0 or -1. */
int timefmt_parse_unit(const char *s, enum time_unit *u);
/* A name of timefmt_output_names.  Returns 0 or -1. */
int timefmt_parse_output(const char *s, enum time_output *o);
/* Makes an IANA zone ("Asia/Tokyo", "UTC") the process's zone for input in
 * Spark's form and for output.  Returns 0, or -1 with err for an unknown
 * name. */
int timefmt_set_zone(struct timefmt *tf, const char *name, char *err,
		     size_t errlen);

/* Reads the JSON value p[0..n) (compact text: a number or a quoted string).
 * Returns 0 with *us, or -1 with a reason such as
 * "not a timestamp: \"yesterday\"". */
int timefmt_parse_json(const struct timefmt *tf, const char *p, size_t n,
		       int64_t *us, char *err, size_t errlen);
/* Reads an unquoted, unescaped string s[0..n). */
int timefmt_parse_string(const struct timefmt *tf, const char *s, size_t n,
			 int64_t *us, char *err, size_t errlen);
/* Converts an epoch number in unit u.  Returns -1 when out of range. */
int timefmt_from_number(enum time_unit u, double v, int64_t *us);

/* Appends the JSON value for us per tf: a quoted RFC 3339 string or an
 * integer of epoch milliseconds. */
void timefmt_format(const struct timefmt *tf, int64_t us, struct sbuf *out);
/* Appends the bare RFC 3339 text (no quotes) in UTC or tf's zone. */
void timefmt_format_rfc3339(const struct timefmt *tf, int64_t us,
			    struct sbuf *out);

/* Appends days since the epoch as "YYYY-MM-DD"; a year outside 0000-9999
 * in ISO 8601's expanded form, a sign and four or more digits
 * ("+10000-01-01", "-0768-02-04"), which every reader here accepts. */
void timefmt_format_date(int64_t days, struct sbuf *out);
/* Reads "YYYY-MM-DD" or an expanded year's "+YYYYY-MM-DD" (years -99999 to
 * +99999).  Returns 0 with *days since the epoch, or -1. */
int timefmt_parse_date(const char *s, size_t n, int64_t *days);

/* The current time, microseconds since the epoch. */
int64_t timefmt_now(void);
/* Microseconds on the monotonic clock: for deadlines, waits and rates,
 * which a change of the wall clock must not stretch or cut short.  Only
 * differences mean anything. */
int64_t timefmt_mono_us(void);

#endif
