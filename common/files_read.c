#include "files_read.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "ndjson.h"
#include "sbuf.h"
#include "xalloc.h"

#define FILES_BUF_INIT (256u << 10)
#define FILES_IN_SIZE (128u << 10)
#define FILES_HEAD_KEEP (64u << 10) /* of an over-long line, for the report */

struct files_reader {
	size_t max_line;
	const volatile sig_atomic_t *stop;
	int fd;
	enum files_kind kind;
	int final_partial;
	uint64_t rawpos; /* next byte of the file to read */
	int raw_eof;

	/* compressed input */
	char *in;
	size_t inlen, inpos;
	z_stream z;
	int z_ready;
	ZSTD_DStream *zs;
	int at_boundary; /* between gzip members / zstd frames */
	int out_full;    /* the decoder filled the output: it may hold more */

	/* decompressed bytes; buf[start..end) not yet split into lines */
	char *buf;
	size_t cap, start, end;
	size_t scanned;  /* buf[start..start+scanned) holds no '\n' */
	uint64_t pos;    /* stream offset of buf[start] */
	uint64_t skip;   /* stream bytes still to pass over */
	uint64_t off;    /* stream offset after the last line given */
	uint64_t lineno;
	int toolong;     /* discarding the rest of an over-long line */
	int reported;    /* ...which was reported already */
	struct sbuf head; /* its first bytes, for the report */
	size_t pending;
};

enum files_kind files_kind_of(const char *name)
{
	size_t n = strlen(name);

	if (n > 3 && strcmp(name + n - 3, ".gz") == 0)
		return FILES_GZIP;
	if (n > 4 && strcmp(name + n - 4, ".zst") == 0)
		return FILES_ZSTD;
	return FILES_PLAIN;
}

struct files_reader *files_reader_new(size_t max_line,
				      const volatile sig_atomic_t *stop)
{
	struct files_reader *r = xcalloc(1, sizeof(*r));

	r->max_line = max_line;
	r->stop = stop;
	r->cap = FILES_BUF_INIT;
	r->buf = xmalloc(r->cap);
	r->fd = -1;
	return r;
}

void files_reader_free(struct files_reader *r)
{
	if (!r)
		return;
	if (r->z_ready)
		inflateEnd(&r->z);
	ZSTD_freeDStream(r->zs);
	free(r->in);
	free(r->buf);
	sbuf_free(&r->head);
	free(r);
}

int files_reader_open(struct files_reader *r, int fd, enum files_kind kind,
		      uint64_t offset, uint64_t lineno, int final_partial,
		      char *err, size_t errlen)
{
	r->fd = fd;
	r->kind = kind;
	r->final_partial = final_partial;
	r->raw_eof = 0;
	r->start = r->end = r->scanned = 0;
	r->pos = r->off = offset;
	r->lineno = lineno;
	r->toolong = 0;
	r->reported = 0;
	r->pending = 0;
	r->skip = 0;
	r->rawpos = offset;
	if (kind == FILES_PLAIN)
		return 0;
	/* A compressed stream is decoded from its start. */
	r->rawpos = 0;
	r->pos = 0;
	r->skip = offset;
	r->inlen = r->inpos = 0;
	r->at_boundary = 1;
	r->out_full = 0;
	if (!r->in)
		r->in = xmalloc(FILES_IN_SIZE);
	if (kind == FILES_GZIP) {
		int rc = r->z_ready ? inflateReset(&r->z)
				    : inflateInit2(&r->z, 15 + 16);
		if (rc != Z_OK) {
			snprintf(err, errlen, "gzip: cannot start decoder");
			return -1;
		}
		r->z_ready = 1;
		r->z.avail_in = 0;
	} else {
		if (!r->zs)
			r->zs = ZSTD_createDStream();
		if (!r->zs || ZSTD_isError(ZSTD_initDStream(r->zs))) {
			snprintf(err, errlen, "zstd: cannot start decoder");
			return -1;
		}
	}
	return 0;
}

/* Reads more raw bytes of a compressed file into r->in.  Returns 0 or -1. */
static int read_raw(struct files_reader *r, char *err, size_t errlen)
{
	ssize_t n;

	do
		n = pread(r->fd, r->in, FILES_IN_SIZE, (off_t)r->rawpos);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		snprintf(err, errlen, "read: %s", strerror(errno));
		return -1;
	}
	if (n == 0)
		r->raw_eof = 1;
	r->rawpos += (uint64_t)n;
	r->inlen = (size_t)n;
	r->inpos = 0;
	return 0;
}

static ssize_t fill_plain(struct files_reader *r, char *dst, size_t room,
			  char *err, size_t errlen)
{
	ssize_t n;

	do
		n = pread(r->fd, dst, room, (off_t)r->rawpos);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		snprintf(err, errlen, "read: %s", strerror(errno));
		return -1;
	}
	r->rawpos += (uint64_t)n;
	return n;
}

/* The end of the raw input: fine between members or frames, else the
 * file was cut short. */
static ssize_t raw_end(struct files_reader *r, const char *what, char *err,
		       size_t errlen)
{
	if (r->at_boundary)
		return 0;
	snprintf(err, errlen, "%s: unexpected end of file", what);
	return -1;
}

static ssize_t fill_gzip(struct files_reader *r, char *dst, size_t room,
			 char *err, size_t errlen)
{
	for (;;) {
		if (r->z.avail_in == 0 && !r->out_full) {
			if (!r->raw_eof && read_raw(r, err, errlen) < 0)
				return -1;
			if (r->inlen == 0)
				return raw_end(r, "gzip", err, errlen);
			r->z.next_in = (Bytef *)r->in;
			r->z.avail_in = (uInt)r->inlen;
			r->inlen = 0;
		}
		uInt avail = r->z.avail_in;
		r->z.next_out = (Bytef *)dst;
		r->z.avail_out = (uInt)room;
		int rc = inflate(&r->z, Z_NO_FLUSH);
		size_t got = room - r->z.avail_out;
		r->out_full = r->z.avail_out == 0;
		if (rc == Z_STREAM_END) {
			/* Another member may follow (as gzip(1) allows). */
			inflateReset(&r->z);
			r->at_boundary = 1;
		} else if (rc == Z_OK || rc == Z_BUF_ERROR) {
			if (avail != r->z.avail_in || got)
				r->at_boundary = 0;
		} else {
			snprintf(err, errlen, "gzip: %s",
				 r->z.msg ? r->z.msg : "corrupt data");
			return -1;
		}
		if (got)
			return (ssize_t)got;
	}
}

static ssize_t fill_zstd(struct files_reader *r, char *dst, size_t room,
			 char *err, size_t errlen)
{
	for (;;) {
		if (r->inpos == r->inlen && !r->out_full) {
			if (!r->raw_eof && read_raw(r, err, errlen) < 0)
				return -1;
			if (r->inlen == 0)
				return raw_end(r, "zstd", err, errlen);
		}
		ZSTD_inBuffer in = { r->in, r->inlen, r->inpos };
		ZSTD_outBuffer out = { dst, room, 0 };
		size_t rc = ZSTD_decompressStream(r->zs, &out, &in);
		if (ZSTD_isError(rc)) {
			snprintf(err, errlen, "zstd: %s", ZSTD_getErrorName(rc));
			return -1;
		}
		if (in.pos != r->inpos || out.pos)
			r->at_boundary = rc == 0;
		r->inpos = in.pos;
		r->out_full = out.pos == out.size;
		if (out.pos)
			return (ssize_t)out.pos;
	}
}

/* Appends decoded bytes to buf[end..).  Returns how many, 0 at the end of
 * the stream, -1 on error. */
static ssize_t fill(struct files_reader *r, char *err, size_t errlen)
{
	char *dst = r->buf + r->end;
	size_t room = r->cap - r->end - 1; /* room for a NUL */

	switch (r->kind) {
	case FILES_GZIP:
		return fill_gzip(r, dst, room, err, errlen);
	case FILES_ZSTD:
		return fill_zstd(r, dst, room, err, errlen);
	default:
		return fill_plain(r, dst, room, err, errlen);
	}
}

/* Makes room after buf[end]: moves the unsplit bytes to the front, grows
 * when a line fills the buffer, or discards them while a line is longer
 * than max_line. */
static void make_room(struct files_reader *r)
{
	size_t have = r->end - r->start;

	if (r->toolong) {
		r->pos += have;
		r->start = r->end = r->scanned = 0;
		return;
	}
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, have);
		r->start = 0;
		r->end = have;
	}
	if (r->cap - r->end < r->cap / 4) {
		r->cap *= 2;
		r->buf = xrealloc(r->buf, r->cap);
	}
}

/* Takes buf[start..start+n) as a line (n bytes before its '\n', or up to
 * the end of a final unterminated line; adv bytes consumed in all). */
static enum files_rc take_line(struct files_reader *r, size_t n, size_t adv,
			       const char **line, size_t *len)
{
	char *p = r->buf + r->start;
	int toolong = r->toolong, reported = r->reported;

	r->start += adv;
	r->pos += adv;
	r->off = r->pos;
	r->scanned = 0;
	r->lineno++;
	r->toolong = r->reported = 0;
	if (reported)
		return FILES_EOF; /* the rest of a line reported: the caller loops */
	if (toolong) {
		*line = r->head.p;
		*len = r->head.len;
		return FILES_TOOLONG;
	}
	n = ndjson_line_len(p, n);
	if (n > r->max_line) {
		*line = p;
		*len = r->max_line < FILES_HEAD_KEEP ? r->max_line : FILES_HEAD_KEEP;
		return FILES_TOOLONG;
	}
	if (ndjson_blank(p, n))
		return FILES_EOF; /* blank: the caller loops */
	p[n] = '\0';
	*line = p;
	*len = n;
	return FILES_LINE;
}

enum files_rc files_reader_next(struct files_reader *r, const char **line,
				size_t *len, char *err, size_t errlen)
{
	for (;;) {
		if (r->skip) {
			size_t d = r->end - r->start;
			if (d > r->skip)
				d = (size_t)r->skip;
			r->start += d;
			r->pos += d;
			r->skip -= d;
		}
		size_t have = r->end - r->start;
		char *nl = have > r->scanned
				   ? memchr(r->buf + r->start + r->scanned, '\n',
					    have - r->scanned)
				   : NULL;
		if (nl) {
			size_t n = (size_t)(nl - (r->buf + r->start));
			enum files_rc rc = take_line(r, n, n + 1, line, len);
			if (rc != FILES_EOF)
				return rc;
			continue;
		}
		r->scanned = have;
		if (!r->toolong && have > r->max_line + 1) {
			/* Too long whatever follows: keep its head, pass over
			 * the rest.  In a final file it is reported now (an
			 * endless line is not read to its end first); in one
			 * still written to, once its end is there, so that a
			 * later read does not report it again. */
			size_t keep = r->max_line < FILES_HEAD_KEEP ?
					      r->max_line : FILES_HEAD_KEEP;
			r->toolong = 1;
			sbuf_reset(&r->head);
			sbuf_put(&r->head, r->buf + r->start, keep);
			if (r->final_partial) {
				r->reported = 1;
				*line = r->head.p;
				*len = r->head.len;
				return FILES_TOOLONG;
			}
		}
		if (r->stop && *r->stop)
			return FILES_INTR;
		make_room(r);
		ssize_t got = fill(r, err, errlen);
		if (got < 0)
			return FILES_ERR;
		if (got > 0) {
			r->end += (size_t)got;
			continue;
		}
		have = r->end - r->start;
		if (r->skip || !(have || r->toolong) || !r->final_partial) {
			r->pending = (size_t)(r->pos + have - r->off);
			return FILES_EOF;
		}
		enum files_rc rc = take_line(r, have, have, line, len);
		if (rc != FILES_EOF)
			return rc;
	}
}

uint64_t files_reader_offset(const struct files_reader *r)
{
	return r->off;
}

uint64_t files_reader_lines(const struct files_reader *r)
{
	return r->lineno;
}

uint64_t files_reader_lineno(const struct files_reader *r)
{
	return r->lineno + (uint64_t)r->reported;
}

size_t files_reader_pending(const struct files_reader *r)
{
	return r->pending;
}
