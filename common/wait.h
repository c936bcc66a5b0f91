/*
 * wait: waits that last in bounded steps, so that a tool does on time what
 * is due (a progress report: PROGRESS REPORTS in sw(7)) and stops when asked,
 * while it waits for input or for a server.
 *
 * A module that can wait takes a struct wait_step from its caller (in its
 * options) and never looks at a clock or a report itself: before each step
 * of a wait it asks bound() how long that step may last, and bound() does
 * what is due.  wait_read() is read(2) for a pipe or a socket that may be
 * quiet: before it would block it calls before() (a tool flushes its output
 * there), then waits in such steps.  A zeroed struct wait_step (or NULL)
 * waits in one step, as read(2) and poll(2) do.  Nothing here prints.
 */
#ifndef SW_WAIT_H
#define SW_WAIT_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

struct wait_step {
	/* Called before each step of a wait that may last ms more (-1: no
	 * limit): does what is due and returns how long this step may last
	 * (at most ms; -1: no limit).  NULL: one step. */
	int (*bound)(void *ctx, int ms);
	/* Called once before a read would block; returns -1 when the caller
	 * is ending (its output failed): the read does not wait then but
	 * fails with EINTR.  May be NULL. */
	int (*before)(void *ctx);
	void *ctx;
	/* When non-NULL and set, a wait ends as a signal would end it. */
	const volatile sig_atomic_t *stop;
};

/* How long the next step of a wait of ms (-1: no limit) may last. */
int wait_bound(const struct wait_step *w, int ms);
/* Whether a stop was asked. */
int wait_stopped(const struct wait_step *w);

/* The next step of a wait that has *left ms to go (>= 0): its length,
 * which is taken from *left.  Returns -1 when nothing is left or a stop
 * was asked, so a caller of a function that takes a timeout loops:
 *
 *	for (left = timeout_ms; (ms = wait_next(w, &left)) >= 0;)
 *		if (call_with_timeout(ms) did not time out) break;
 */
int wait_next(const struct wait_step *w, int *left);

/* Waits until fd is readable (or at its end, or in error) for at most
 * timeout_ms (-1: no limit), in steps.  With a timeout it waits one step
 * at most: 0 may come before the timeout (bound() ended the step); a
 * timeout of 0 only looks, without calling bound().
 * Returns 1 when a read will not block, 0 when the time ran out, -1 on a
 * signal or a stop (errno EINTR). */
int wait_readable(int fd, int timeout_ms, const struct wait_step *w);

/* read(2) that waits in steps: before() first when no byte is there yet.
 * Returns what read(2) returns; -1 with errno EINTR on a signal or a
 * stop. */
ssize_t wait_read(int fd, void *buf, size_t n, const struct wait_step *w);

#endif
