#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xalloc.h"

int file_read_all(const char *path, size_t max, struct sbuf *b, char *err,
		  size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t start = b->len;
	struct stat st;

	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size > max)
		goto too_big;
	for (;;) {
		sbuf_grow(b, 65536);
		ssize_t n = read(fd, b->p + b->len, b->cap - b->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
		b->p[b->len] = '\0';
		if (b->len - start > max)
			goto too_big;
	}
	close(fd);
	return 0;
too_big:
	close(fd);
	snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
	return -1;
}

int file_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int file_replace(const char *path, const void *data, size_t n, char *err,
		 size_t errlen)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	struct sbuf tmp = SBUF_INIT;
	int fd, dfd, rc = -1;

	/* A dot name in the same directory: rename stays within one file
	 * system, and a watcher of that directory does not take it for
	 * input. */
	sbuf_printf(&tmp, "%.*s.%s.tmp.%ld", (int)(base - path), path, base,
		    (long)getpid());
	fd = open(tmp.p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (file_write_all(fd, data, n) < 0 || fsync(fd) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(tmp.p);
		goto out;
	}
	if (close(fd) < 0 || rename(tmp.p, path) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp.p);
		goto out;
	}
	sbuf_reset(&tmp);
	sbuf_printf(&tmp, "%.*s", slash ? (int)(slash - path + 1) : 1,
		    slash ? path : ".");
	dfd = open(tmp.p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) < 0) {
		snprintf(err, errlen, "%s: sync directory: %s", path,
			 strerror(errno));
		if (dfd >= 0)
			close(dfd);
		goto out;
	}
	close(dfd);
	rc = 0;
out:
	sbuf_free(&tmp);
	return rc;
}
