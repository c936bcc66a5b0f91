/*
 * ndjson: lines from files or stdin, as sw(7), INPUT, reads them.
 *
 * The reader walks its sources in order ("-" or no source at all is stdin),
 * splits lines on '\n', drops a '\r' before it, skips blank lines, counts
 * lines per source and refuses lines longer than max_line: as soon as a
 * line has passed the limit (an endless line is not read to its end
 * first), with its head; the rest of it is then passed over.  Before it
 * blocks waiting for input it calls wait.before (the tool flushes its
 * output there), so a record is never held back by buffering; it waits in
 * the steps wait.bound allows (wait.h), so that the tool can do something
 * on time (a progress report) while no input comes.  It does not
 * parse JSON: that is json.h's job.
 */
#ifndef SW_NDJSON_H
#define SW_NDJSON_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "wait.h"

#define NDJSON_MAX_LINE_DEFAULT (16u << 20)

enum ndjson_rc {
	NDJSON_LINE = 1,     /* a line is in *line, *len */
	NDJSON_EOF = 0,      /* every source is exhausted */
	NDJSON_ERR = -1,     /* cannot open or read a source: err says which */
	NDJSON_TOOLONG = -2, /* a line over max_line: bad input; its first
				max_line bytes are in *line, *len */
	NDJSON_INTR = -3,    /* a signal interrupted a blocking read, or
				*stop was set */
};

struct ndjson_opts {
	size_t max_line;
	/* How to wait for input: wait.before before a read would block (the
	 * tool flushes its output there), wait.bound for each step of the
	 * wait, wait.stop, when set, makes ndjson_next() return NDJSON_INTR
	 * before its next read: a source that never blocks (/dev/zero) can
	 * be stopped. */
	struct wait_step wait;
};

struct ndjson_in;

/* files[0..nfiles) are path names; none means stdin.  Sources are opened
 * as they are reached, so an unreadable file is reported in turn. */
struct ndjson_in *ndjson_open(char *const *files, int nfiles,
			      const struct ndjson_opts *opts);
void ndjson_close(struct ndjson_in *r);

/* The next non-blank line, without its line end and NUL-terminated; valid
 * until the next call. */
enum ndjson_rc ndjson_next(struct ndjson_in *r, const char **line,
			   size_t *len, char *err, size_t errlen);

/* Waits up to timeout_ms (-1: forever) until ndjson_next() has something
 * to return without blocking, or a signal or a stop arrives; wait.bound
 * may end a wait with a timeout sooner (0).  Returns 1 when input (or end
 * of input) is ready, 0 on timeout, -1 when interrupted. */
int ndjson_wait(struct ndjson_in *r, int timeout_ms);

/* The line rule of every NDJSON reader here (this one and files_read.h),
 * for s[0..n), a line without its '\n': the length without the '\r'
 * before the '\n', if any ... */
size_t ndjson_line_len(const char *s, size_t n);
/* ... and whether that line is blank, to be skipped: only spaces, tabs and
 * '\r', which JSON counts as whitespace (as jq does), so "\r\r\n" is a
 * blank line. */
int ndjson_blank(const char *s, size_t n);

/* Name of the current source ("stdin" for standard input) and the number
 * of the line last returned (1-based). */
const char *ndjson_source(const struct ndjson_in *r);
uint64_t ndjson_lineno(const struct ndjson_in *r);

#endif
