/*
 * out: buffered output to a file descriptor, with errors kept.
 *
 * Tools write whole records with out_put() and end each with out_end(); the
 * buffer is written when it fills, at out_flush(), and after every record
 * when unbuffered.  The first write error is kept in err (an errno value)
 * and later writes are dropped, so a tool checks once, where it matters:
 * EPIPE means the reader went away (quiet exit), anything else is an I/O
 * error (exit 74).
 */
#ifndef SW_OUT_H
#define SW_OUT_H

#include <stddef.h>
#include <string.h>

struct out {
	int fd;
	int unbuffered;
	int err;
	char *buf;
	size_t len;
	size_t cap;
};

void out_init(struct out *o, int fd, int unbuffered);
void out_free(struct out *o);
/* Writes out everything buffered.  Returns 0, or -1 with o->err set. */
int out_flush(struct out *o);
void out_write_slow(struct out *o, const void *p, size_t n);
/* Whether the reader went away, found without writing: a pipe whose read
 * end is closed reports POLLERR, a socket or terminal hung up POLLHUP.
 * A tool that waits for its source would otherwise notice only at its
 * next write, that is never while the source is idle ("sw-consume | head
 * -1").  When it did, o->err becomes EPIPE, so that whatever is still
 * buffered is dropped and out_flush() fails as for a write into the
 * closed pipe.  Cheap (one poll(2) that does not wait): call it once per
 * wait. */
int out_reader_gone(struct out *o);

static inline void out_put(struct out *o, const void *p, size_t n)
{
	if (o->cap - o->len >= n) {
		memcpy(o->buf + o->len, p, n);
		o->len += n;
	} else {
		out_write_slow(o, p, n);
	}
}

/* Ends a record with '\n'. */
static inline void out_end(struct out *o)
{
	if (o->len < o->cap)
		o->buf[o->len++] = '\n';
	else
		out_write_slow(o, "\n", 1);
	if (o->unbuffered)
		out_flush(o);
}

#endif
