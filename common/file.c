#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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

/* The directory part of path ("." for a bare name). */
static void dir_of(const char *path, struct sbuf *out)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		sbuf_putc(out, '.');
	else
		sbuf_put(out, path, slash == path ? 1 : (size_t)(slash - path));
}

/* The mode the new content gets: the old file's when it exists (a chmod
 * 600 state file stays private), else mode less the umask. */
static mode_t mode_for(const char *path, mode_t mode)
{
	struct stat st;
	mode_t um;

	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
		return st.st_mode & 07777;
	um = umask(077);
	umask(um);
	return mode & ~um;
}

int file_replace(const char *path, const void *data, size_t n, mode_t mode,
		 char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	struct sbuf tmp = SBUF_INIT;
	int fd, dfd, rc = -1;

	/* A dot name in the same directory: rename stays within one file
	 * system, and a watcher of that directory does not take it for
	 * input.  mkstemp makes the name unpredictable and creates the file
	 * (O_EXCL: no symlink is followed) readable by its owner only. */
	sbuf_printf(&tmp, "%.*s.%s.XXXXXX", (int)(base - path), path, base);
	fd = mkostemp(tmp.p, O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fchmod(fd, mode_for(path, mode)) < 0 ||
	    file_write_all(fd, data, n) < 0 || fsync(fd) < 0) {
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
	dir_of(path, &tmp);
	dfd = open(tmp.p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || (fsync(dfd) < 0 && errno != EINVAL)) {
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

int file_lock(const char *path, char *err, size_t errlen)
{
	struct sbuf lp = SBUF_INIT;
	char pid[32];
	int fd, n;

	sbuf_printf(&lp, "%s.lock", path);
	fd = open(lp.p, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: lock %s: %s", path, lp.p,
			 strerror(errno));
		sbuf_free(&lp);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		ssize_t got = pread(fd, pid, sizeof pid - 1, 0);

		pid[got > 0 ? got : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		if (e == EWOULDBLOCK)
			snprintf(err, errlen,
				 "%s: in use by another run%s%s%s (lock %s)",
				 path, *pid ? " (pid " : "", pid,
				 *pid ? ")" : "", lp.p);
		else
			snprintf(err, errlen, "%s: lock %s: %s", path, lp.p,
				 strerror(e));
		close(fd);
		sbuf_free(&lp);
		return e == EWOULDBLOCK ? -2 : -1;
	}
	/* The holder's pid, for the message a second run gives. */
	n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) < 0) {
		/* the lock holds all the same; the pid is a courtesy */
	}
	sbuf_free(&lp);
	return fd;
}
