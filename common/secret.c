#include "secret.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "xalloc.h"

#define SECRET_MAX 4096

void secret_hold(void)
{
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int secret_read_file(const char *path, char **out, char *err, size_t errlen)
{
	char buf[SECRET_MAX];
	FILE *f;
	size_t n;
	int e = 0;

	secret_hold(); /* before the first byte is read */
	f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!fgets(buf, sizeof buf, f)) {
		/* A directory opens, then fails to read (EISDIR). */
		e = ferror(f) ? errno : 0;
		buf[0] = '\0';
	}
	fclose(f);
	if (e) {
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -1;
	}
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	if (!n) {
		snprintf(err, errlen, "%s: empty", path);
		return -1;
	}
	*out = xstrdup(buf);
	explicit_bzero(buf, sizeof buf);
	return 0;
}

char *secret_from_env(const char *name)
{
	const char *v = getenv(name);

	if (!v)
		return NULL;
	secret_hold();
	return xstrdup(v);
}

void secret_free(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}
