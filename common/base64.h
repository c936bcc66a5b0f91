/*
 * base64: RFC 4648 base64 with padding, the form the envelope uses for bytes
 * that are not UTF-8 text (Kafka values and headers, Avro bytes, dead
 * letters of invalid input).
 */
#ifndef SW_BASE64_H
#define SW_BASE64_H

#include <stddef.h>

#include "sbuf.h"

/* Appends the base64 text of p[0..n) (no quotes). */
void base64_encode(const void *p, size_t n, struct sbuf *out);
/* Appends the bytes of base64 text s[0..n); padding may be omitted.
 * Returns 0, or -1 when s is not base64 (out is then left as it was). */
int base64_decode(const char *s, size_t n, struct sbuf *out);

#endif
