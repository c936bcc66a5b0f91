#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"

static const char *prog = "sw";

void xalloc_set_name(const char *name)
{
	prog = name;
}

/* No stdio and no allocation here: there is no memory to spare. */
void xalloc_die(void)
{
	static const char msg[] = ": out of memory\n";

	(void)!write(2, prog, strlen(prog));
	(void)!write(2, msg, sizeof msg - 1);
	_exit(SW_EXIT_SOFTWARE);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		xalloc_die();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		xalloc_die();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		xalloc_die();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
