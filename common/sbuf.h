/*
 * sbuf: a growable byte buffer, the unit of output for every module.
 *
 * Every module that produces text appends it to a caller's sbuf; the caller
 * owns the buffer and frees it with sbuf_free().  The bytes are always
 * followed by a NUL that is not counted in len, so a span taken from an sbuf
 * can be handed to strtod(3) and friends.  Allocation failure ends the
 * process with exit 70 (see xalloc.h): there is no useful way to go on
 * without memory.
 */
#ifndef SW_SBUF_H
#define SW_SBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct sbuf {
	char *p;
	size_t len;
	size_t cap;
};

#define SBUF_INIT { NULL, 0, 0 }

void sbuf_grow(struct sbuf *b, size_t more);
void sbuf_free(struct sbuf *b);
void sbuf_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends the items of the NULL-terminated list v with sep between them,
 * and last before the last one: an option's values in a message
 * ("auto, raw or confluent", "json|string|base64"). */
void sbuf_put_list(struct sbuf *b, const char *const *v, const char *sep,
		   const char *last);
/* Appends the message for a value that is not one of names:
 * "--on-error: 'x': expected fail or skip". */
void sbuf_put_not_one_of(struct sbuf *b, const char *opt, const char *arg,
			 const char *const *names);

/* Appends s[0..n) as a quoted JSON string.  s must be valid UTF-8;
 * control characters, '"' and '\\' are escaped, nothing else is. */
void sbuf_put_jstr(struct sbuf *b, const char *s, size_t n);
/* Appends s[0..n) for a one-line diagnostic on a terminal: a newline or
 * carriage return becomes a space, any other control character (a file
 * name may hold escape sequences) \xNN. */
void sbuf_put_printable(struct sbuf *b, const char *s, size_t n);
/* Shortest text that reads back as the same double; NaN and infinities,
 * which JSON cannot say, are written as null. */
void sbuf_put_double(struct sbuf *b, double v);
/* The same for a float: the shortest text that reads back as that float. */
void sbuf_put_float(struct sbuf *b, float f);
void sbuf_put_i64(struct sbuf *b, int64_t v);
void sbuf_put_u64(struct sbuf *b, uint64_t v);

static inline void sbuf_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

static inline void sbuf_put(struct sbuf *b, const void *s, size_t n)
{
	if (b->cap - b->len <= n)
		sbuf_grow(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* sbuf_put for the short pieces of a row written per record (names,
 * group values): no call to memcpy, whose set-up outweighs copying a
 * few bytes; two overlapping moves cover any length from half their size
 * to it.  Not inlined everywhere sbuf_put is, for the code it takes. */
static inline void sbuf_put_short(struct sbuf *b, const void *src, size_t n)
{
	const char *s = src;
	char *d;
	uint64_t x8, y8;
	uint32_t x4, y4;

	if (b->cap - b->len <= n)
		sbuf_grow(b, n);
	d = b->p + b->len;
	if (n > 32) {
		memcpy(d, s, n);
	} else if (n > 16) {
		char t[16], u[16];
		memcpy(t, s, 16);
		memcpy(u, s + n - 16, 16);
		memcpy(d, t, 16);
		memcpy(d + n - 16, u, 16);
	} else if (n >= 8) {
		memcpy(&x8, s, 8);
		memcpy(&y8, s + n - 8, 8);
		memcpy(d, &x8, 8);
		memcpy(d + n - 8, &y8, 8);
	} else if (n >= 4) {
		memcpy(&x4, s, 4);
		memcpy(&y4, s + n - 4, 4);
		memcpy(d, &x4, 4);
		memcpy(d + n - 4, &y4, 4);
	} else {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	}
	b->len += n;
	b->p[b->len] = '\0';
}

static inline void sbuf_putc(struct sbuf *b, char c)
{
	if (b->cap - b->len <= 1)
		sbuf_grow(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

/* Appends v as a base-128 varint, low groups first (Avro's longs after
 * zigzag, Protocol Buffers, the Thrift compact protocol). */
static inline void sbuf_put_varint(struct sbuf *b, uint64_t v)
{
	char buf[10];
	size_t n = 0;

	while (v >= 0x80) {
		buf[n++] = (char)(v | 0x80);
		v >>= 7;
	}
	buf[n++] = (char)v;
	sbuf_put(b, buf, n);
}

static inline void sbuf_puts(struct sbuf *b, const char *s)
{
	sbuf_put(b, s, strlen(s));
}

#endif
