/*
 * unit.h: the smallest table-driven test harness.  Each check prints one TAP
 * line; unit_done() prints the plan and a "N passed, N failed" line and
 * returns the exit status, so a forgotten failure cannot pass.
 */
#ifndef SW_UNIT_H
#define SW_UNIT_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int unit_n, unit_failed;

static inline void unit_ok(int ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void unit_ok(int ok, const char *fmt, ...)
{
	va_list ap;

	unit_n++;
	if (!ok)
		unit_failed++;
	printf("%sok %d - ", ok ? "" : "not ", unit_n);
	char desc[512];
	va_start(ap, fmt);
	vsnprintf(desc, sizeof desc, fmt, ap);
	va_end(ap);
	/* A TAP line is one line: control characters would break it. */
	for (char *c = desc; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = '?';
	puts(desc);
}

#define UNIT_STREQ(got, want, ...)                                           \
	do {                                                                 \
		const char *g_ = (got), *w_ = (want);                        \
		int ok_ = g_ && w_ && strcmp(g_, w_) == 0;                   \
		unit_ok(ok_, __VA_ARGS__);                                   \
		if (!ok_)                                                    \
			printf("#   got:  %s\n#   want: %s\n",               \
			       g_ ? g_ : "(null)", w_ ? w_ : "(null)");      \
	} while (0)

static inline int unit_done(void)
{
	printf("1..%d\n", unit_n);
	return unit_failed ? 1 : 0;
}

#endif
