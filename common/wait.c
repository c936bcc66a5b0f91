/* wait: waits in bounded steps.  See wait.h. */
#include "wait.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

int wait_bound(const struct wait_step *w, int ms)
{
	int step;

	if (!w || !w->bound)
		return ms;
	step = w->bound(w->ctx, ms);
	return ms >= 0 && (step < 0 || step > ms) ? ms : step;
}

int wait_stopped(const struct wait_step *w)
{
	return w && w->stop && *w->stop;
}

int wait_next(const struct wait_step *w, int *left)
{
	int ms;

	if (*left <= 0 || wait_stopped(w))
		return -1;
	ms = wait_bound(w, *left);
	if (ms < 0)
		ms = *left;
	*left -= ms;
	return ms;
}

int wait_readable(int fd, int timeout_ms, const struct wait_step *w)
{
	struct pollfd pfd = { fd, POLLIN, 0 };

	for (;;) {
		int ms, rc;

		if (wait_stopped(w)) {
			errno = EINTR;
			return -1;
		}
		ms = timeout_ms == 0 ? 0 : wait_bound(w, timeout_ms);
		rc = poll(&pfd, 1, ms);
		if (rc > 0)
			return 1;
		if (rc < 0)
			return errno == EINTR ? -1 : 1; /* read() says what */
		if (timeout_ms >= 0)
			return 0;
	}
}

ssize_t wait_read(int fd, void *buf, size_t n, const struct wait_step *w)
{
	struct pollfd pfd = { fd, POLLIN, 0 };

	if (wait_stopped(w)) {
		errno = EINTR;
		return -1;
	}
	if (w && (w->bound || w->before) && poll(&pfd, 1, 0) == 0) {
		if (w->before && w->before(w->ctx) < 0) {
			errno = EINTR;
			return -1;
		}
		if (wait_readable(fd, -1, w) < 0)
			return -1;
	}
	return read(fd, buf, n);
}
