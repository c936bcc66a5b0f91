#include "ndjson.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

#define NDJSON_CHUNK (256 * 1024)

struct ndjson_in {
	char *const *files;
	int nfiles;
	int next_file; /* index of the next source to open */
	int fd;        /* current source, -1 when none is open */
	int eof;       /* the current source returned end of file */
	const char *source;
	uint64_t lineno;
	struct ndjson_opts opts;
	char *buf;
	size_t cap;
	size_t start; /* first unconsumed byte */
	size_t end;   /* end of data */
	size_t scan;  /* bytes from start known to hold no '\n' */
	int skipping; /* discarding the rest of a too-long line, reported */
};

struct ndjson_in *ndjson_open(char *const *files, int nfiles,
			      const struct ndjson_opts *opts)
{
	struct ndjson_in *r = xcalloc(1, sizeof *r);

	r->files = files;
	r->nfiles = nfiles;
	r->fd = -1;
	r->opts = *opts;
	if (!r->opts.max_line)
		r->opts.max_line = NDJSON_MAX_LINE_DEFAULT;
	r->cap = NDJSON_CHUNK;
	r->buf = xmalloc(r->cap + 1);
	r->source = "stdin";
	return r;
}

static void close_source(struct ndjson_in *r)
{
	if (r->fd > 0)
		close(r->fd);
	r->fd = -1;
}

void ndjson_close(struct ndjson_in *r)
{
	if (!r)
		return;
	close_source(r);
	free(r->buf);
	free(r);
}

const char *ndjson_source(const struct ndjson_in *r)
{
	return r->source;
}

uint64_t ndjson_lineno(const struct ndjson_in *r)
{
	return r->lineno;
}

/* Opens the next source.  Returns 1, 0 when there is none, -1 on error. */
static int open_next(struct ndjson_in *r, char *err, size_t errlen)
{
	const char *name;

	if (r->nfiles == 0 && r->next_file == 0) {
		r->next_file = 1;
		name = "-";
	} else if (r->next_file < r->nfiles) {
		name = r->files[r->next_file++];
	} else {
		return 0;
	}
	r->lineno = 0;
	r->eof = 0;
	r->start = r->end = r->scan = 0;
	r->skipping = 0;
	if (strcmp(name, "-") == 0) {
		r->fd = 0;
		r->source = "stdin";
		return 1;
	}
	r->source = name;
	r->fd = open(name, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return -1;
	}
	posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return 1;
}

size_t ndjson_line_len(const char *s, size_t n)
{
	return n && s[n - 1] == '\r' ? n - 1 : n;
}

int ndjson_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* Makes room to read: moves pending bytes to the front, grows the buffer
 * while a line is longer than it (up to max_line). */
static void make_room(struct ndjson_in *r)
{
	size_t pending = r->end - r->start;

	if (r->start > 0 && (r->start >= r->cap / 2 || r->end == r->cap)) {
		memmove(r->buf, r->buf + r->start, pending);
		r->start = 0;
		r->end = pending;
	}
	if (r->end == r->cap) {
		size_t want = r->cap * 2;
		if (want > r->opts.max_line + 2)
			want = r->opts.max_line + 2;
		if (want > r->cap) {
			r->cap = want;
			r->buf = xrealloc(r->buf, r->cap + 1);
		}
	}
}

static int fill(struct ndjson_in *r, char *err, size_t errlen)
{
	ssize_t n;

	make_room(r);
	n = wait_read(r->fd, r->buf + r->end, r->cap - r->end, &r->opts.wait);
	if (n < 0) {
		if (errno == EINTR)
			return NDJSON_INTR;
		snprintf(err, errlen, "%s: %s",
			 r->fd == 0 ? "stdin" : r->source, strerror(errno));
		return NDJSON_ERR;
	}
	if (n == 0)
		r->eof = 1;
	r->end += (size_t)n;
	return NDJSON_LINE;
}

enum ndjson_rc ndjson_next(struct ndjson_in *r, const char **line,
			   size_t *len, char *err, size_t errlen)
{
	for (;;) {
		if (r->fd < 0) {
			int rc = open_next(r, err, errlen);
			if (rc <= 0)
				return rc < 0 ? NDJSON_ERR : NDJSON_EOF;
		}
		char *s = r->buf + r->start;
		size_t avail = r->end - r->start;
		char *nl = avail > r->scan ?
				   memchr(s + r->scan, '\n', avail - r->scan) :
				   NULL;
		size_t n;

		if (!nl && r->skipping) {
			/* The rest of a line reported too long. */
			r->start = r->end;
			avail = 0;
		} else if (!nl && avail > r->opts.max_line + 1) {
			/* Too long whatever follows (a '\r' may end it): say
			 * so now, with its head, and pass over the rest. */
			r->skipping = 1;
			r->lineno++;
			r->start = r->end = r->scan = 0;
			*line = s;
			*len = r->opts.max_line;
			return NDJSON_TOOLONG;
		}
		if (!nl) {
			r->scan = avail;
			if (!r->eof) {
				int rc = fill(r, err, errlen);
				if (rc != NDJSON_LINE)
					return rc;
				continue;
			}
			if (avail == 0) {
				close_source(r);
				continue;
			}
			/* The last line has no '\n'. */
			n = avail;
			r->start = r->end;
		} else {
			n = (size_t)(nl - s);
			r->start += n + 1;
		}
		r->scan = 0;
		if (r->skipping) {
			r->skipping = 0;
			continue;
		}
		r->lineno++;
		n = ndjson_line_len(s, n);
		if (n > r->opts.max_line) {
			*line = s;
			*len = r->opts.max_line;
			return NDJSON_TOOLONG;
		}
		if (ndjson_blank(s, n))
			continue;
		s[n] = '\0';
		*line = s;
		*len = n;
		return NDJSON_LINE;
	}
}

int ndjson_wait(struct ndjson_in *r, int timeout_ms)
{
	if (r->fd < 0 || r->eof)
		return 1;
	if (memchr(r->buf + r->start, '\n', r->end - r->start))
		return 1;
	if (r->opts.wait.before && r->opts.wait.before(r->opts.wait.ctx) < 0)
		return 1; /* the next read returns at once */
	return wait_readable(r->fd, timeout_ms, &r->opts.wait);
}
