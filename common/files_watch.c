#include "files_watch.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "xalloc.h"

int files_watch_open(struct files_watch *w, const char *dir, char *err,
		     size_t errlen)
{
	memset(w, 0, sizeof(*w));
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0 ||
	    inotify_add_watch(w->fd, dir,
			      IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE |
				      IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
				      IN_ATTRIB | IN_DELETE_SELF |
				      IN_MOVE_SELF | IN_ONLYDIR) < 0) {
		snprintf(err, errlen, "inotify: %s", strerror(errno));
		if (w->fd >= 0)
			close(w->fd);
		w->fd = -1;
		return -1;
	}
	return 0;
}

void files_watch_close(struct files_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	while (w->n)
		free(w->writing[--w->n]);
	free(w->writing);
	w->writing = NULL;
	w->cap = 0;
}

int files_watch_writing(const struct files_watch *w, const char *name)
{
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->writing[i], name) == 0)
			return 1;
	return 0;
}

static void set_writing(struct files_watch *w, const char *name, int on)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (strcmp(w->writing[i], name) == 0)
			break;
	if (on && i == w->n) {
		if (w->n == w->cap) {
			w->cap = w->cap ? 2 * w->cap : 16;
			w->writing = xrealloc(w->writing,
					      w->cap * sizeof(*w->writing));
		}
		w->writing[w->n++] = xstrdup(name);
	} else if (!on && i < w->n) {
		free(w->writing[i]);
		w->writing[i] = w->writing[--w->n];
	}
}

size_t files_watch_read(struct files_watch *w)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	size_t count = 0;
	ssize_t n;

	while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const void *)p;
			if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))
				w->dir_gone = 1;
			if (ev->len)
				set_writing(w, ev->name,
					    (ev->mask & (IN_CREATE | IN_MODIFY)) != 0);
			p += sizeof(*ev) + ev->len;
			count++;
		}
	}
	return count;
}

void files_watch_wait(struct files_watch *w, int timeout_ms, int out_fd,
		      volatile sig_atomic_t *stop)
{
	/* For the output no events are asked: POLLERR and POLLHUP come
	 * anyway. */
	struct pollfd pfd[2] = { { w->fd, POLLIN, 0 }, { out_fd, 0, 0 } };
	struct timespec ts = { timeout_ms / 1000, (timeout_ms % 1000) * 1000000L };
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	if (!*stop)
		ppoll(pfd, out_fd >= 0 ? 2 : 1, timeout_ms < 0 ? NULL : &ts,
		      &old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	files_watch_read(w);
}

int files_open_for_writing(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int busy = 0;

	if (fd < 0)
		return 0;
	if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0)
		fcntl(fd, F_SETLEASE, F_UNLCK);
	else
		busy = errno == EAGAIN;
	close(fd);
	return busy;
}
