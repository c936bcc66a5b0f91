/*
 * xalloc: allocation that cannot fail.
 *
 * The one exception to "library code never exits": when memory runs out,
 * xmalloc and friends write "PROG: out of memory" to stderr and exit 70
 * (internal error) at once, since no caller in this project can do
 * anything better.  _exit, not abort: running out of memory is a
 * condition to report, not a crash to dump core for (a core file would
 * also hold whatever secrets the process had).  Everything else reports
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

/* The name the message starts with ("sw" until set); tool_init sets it.
 * name must outlive the process's use of xalloc (a string literal). */
void xalloc_set_name(const char *name);
/* "PROG: out of memory", exit 70: for allocations made elsewhere (a
 * library that reports running out) that end the same way. */
void xalloc_die(void) __attribute__((noreturn));

#endif
