/*
 * sbuf: a growable byte buffer, the unit of output for every module.
 *
 * Every module that produces text appends it to a caller's sbuf; the caller
 * owns the buffer and frees it with sbuf_free().  The bytes are always
 * followed by a NUL that is not counted in len, so a span taken from an sbuf
 * can be handed to strtod(3) and friends.  Allocation failure aborts the
 * process (see xalloc.h): there is no useful way to go on without memory.
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

/* Appends s[0..n) as a quoted JSON string.  s must be valid UTF-8;
 * control characters, '"' and '\\' are escaped, nothing else is. */
void sbuf_put_jstr(struct sbuf *b, const char *s, size_t n);
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

static inline void sbuf_putc(struct sbuf *b, char c)
{
	if (b->cap - b->len <= 1)
		sbuf_grow(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

static inline void sbuf_puts(struct sbuf *b, const char *s)
{
	sbuf_put(b, s, strlen(s));
}

#endif
