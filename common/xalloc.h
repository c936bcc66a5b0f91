/*
 * xalloc: allocation that cannot fail.
 *
 * The one exception to "library code never exits": when memory runs out,
 * xmalloc and friends write "out of memory" to stderr and abort(), since no
 * caller in this project can do anything better.  Everything else reports
 * errors to its caller.
 */
#ifndef SW_XALLOC_H
#define SW_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
