#include "sbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "xalloc.h"

void sbuf_grow(struct sbuf *b, size_t more)
{
	size_t need = b->len + more + 1;
	size_t cap = b->cap ? b->cap : 64;

	if (more > SIZE_MAX / 2 - b->len)
		xalloc_die(); /* no malloc could ever grant it */
	while (cap < need)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void sbuf_free(struct sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void sbuf_put_list(struct sbuf *b, const char *const *v, const char *sep,
		   const char *last)
{
	for (size_t i = 0; v[i]; i++) {
		if (i)
			sbuf_puts(b, v[i + 1] ? sep : last);
		sbuf_puts(b, v[i]);
	}
}

void sbuf_put_not_one_of(struct sbuf *b, const char *opt, const char *arg,
			 const char *const *names)
{
	sbuf_printf(b, "%s: '%s': expected ", opt, arg);
	sbuf_put_list(b, names, ", ", " or ");
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0,
		      fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (!b->p || (size_t)n >= b->cap - b->len) {
		sbuf_grow(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

/* 0: copy as is; otherwise the escape letter, or 'u' for \u00XX. */
static const char esc[256] = {
	['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r',
	['"'] = '"', ['\\'] = '\\',
	[0x00] = 'u', [0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u',
	[0x05] = 'u', [0x06] = 'u', [0x07] = 'u', [0x0b] = 'u', [0x0e] = 'u',
	[0x0f] = 'u', [0x10] = 'u', [0x11] = 'u', [0x12] = 'u', [0x13] = 'u',
	[0x14] = 'u', [0x15] = 'u', [0x16] = 'u', [0x17] = 'u', [0x18] = 'u',
	[0x19] = 'u', [0x1a] = 'u', [0x1b] = 'u', [0x1c] = 'u', [0x1d] = 'u',
	[0x1e] = 'u', [0x1f] = 'u', [0x7f] = 'u',
};

void sbuf_put_printable(struct sbuf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n' || c == '\r')
			sbuf_putc(b, ' ');
		else if ((c < 0x20 && c != '\t') || c == 0x7f)
			sbuf_printf(b, "\\x%02x", c);
		else
			sbuf_putc(b, (char)c);
	}
}

void sbuf_put_jstr(struct sbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, run;

	/* Worst case every byte becomes \u00XX. */
	if (b->cap - b->len <= n * 6 + 2)
		sbuf_grow(b, n * 6 + 2);
	b->p[b->len++] = '"';
	while (i < n) {
		for (run = i; run < n && !esc[(unsigned char)s[run]]; run++)
			;
		memcpy(b->p + b->len, s + i, run - i);
		b->len += run - i;
		if (run == n)
			break;
		unsigned char c = (unsigned char)s[run];
		b->p[b->len++] = '\\';
		b->p[b->len++] = esc[c];
		if (esc[c] == 'u') {
			b->p[b->len++] = '0';
			b->p[b->len++] = '0';
			b->p[b->len++] = hex[c >> 4];
			b->p[b->len++] = hex[c & 15];
		}
		i = run + 1;
	}
	b->p[b->len++] = '"';
	b->p[b->len] = '\0';
}
