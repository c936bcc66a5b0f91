/*
 * avro_plain: the value forms of sw's plain JSON for Avro types, shared by
 * the Avro encoder (avro_encode.c) and the Parquet writer (parquet.c) so
 * that both accept exactly the same input.
 *
 *   date              "YYYY-MM-DD"
 *   time-millis/micros "HH:MM:SS[.fraction]"
 *   timestamp-*       RFC 3339 / ISO 8601 text (timefmt.h), in UTC
 *   decimal           a number, or a number in a string ("-12.50")
 *   uuid              the 36-character text form
 *   bytes in defaults code points U+0000..U+00FF, one per byte
 *
 * The functions only convert: the caller has the JSON token, checks its
 * kind and names the field in its message (avro_plain_mismatch says what
 * was wrong with it).  None allocates beyond the
 * caller's sbuf or prints.
 */
#ifndef SW_AVRO_PLAIN_H
#define SW_AVRO_PLAIN_H

#include <stddef.h>
#include <stdint.h>

#include "avro_schema.h"
#include "json.h"
#include "sbuf.h"

/* "YYYY-MM-DD" to days since the epoch.  Returns 0 or -1. */
int avro_plain_date(const char *s, size_t n, int64_t *days);
/* "HH:MM:SS[.fraction]" to milli- (micros 0) or microseconds of the day. */
int avro_plain_time(const char *s, size_t n, int micros, int64_t *v);
/* The unescaped string s[0..n) given for an int or long with a logical
 * type (date, time-*, timestamp-*, local-timestamp-*) to the value Avro
 * stores.  Returns 0, or -1 when s is not that form. */
int avro_plain_logical(const struct avro_node *n, const char *s, size_t len,
		       int64_t *v);
/* Appends the two's complement big-endian bytes of the decimal number text
 * s[0..len) scaled by n->scale: the shortest form for bytes, sign-extended
 * to n->size for fixed.  Returns 0, or -1 with the reason in err ("more
 * than 9 digits for decimal(9,2)"). */
int avro_plain_decimal(const struct avro_node *n, const char *s, size_t len,
		       struct sbuf *bytes, char *err, size_t errlen);
/* The 16 bytes of a UUID's text form.  Returns 0 or -1. */
int avro_plain_uuid(const char *s, size_t n, uint8_t b[16]);
/* A JSON number's text to a double, correctly rounded (a fast path for
 * the common short numbers, else strtod).  Returns 0 or -1. */
int avro_plain_double(const char *p, size_t n, double *v);
/* Appends the bytes of the string s[0..n) of code points U+0000..U+00FF
 * (the JSON form of bytes in the specification and in defaults).  Returns
 * 0, or -1 when a code point is above U+00FF. */
int avro_plain_latin1(const char *s, size_t n, struct sbuf *bytes);

/* The message for token i of d where a value of type n was expected:
 * "expected double, got string \"x\"", "expected long (timestamp), got
 * null", "expected record R, got array". */
void avro_plain_mismatch(const struct avro_node *n, const struct json_doc *d,
			 uint32_t i, char *msg, size_t len);

#endif
