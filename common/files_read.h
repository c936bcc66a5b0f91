/*
 * files_read: the lines of one file, plain, gzip (.gz) or zstd (.zst), read
 * from a byte offset of the decompressed stream (sw-files).
 *
 * A reader is made once and reused for file after file; it owns its
 * buffers, never the file descriptor: the caller opens and closes the file,
 * and the reader only uses pread(2) on it, so the descriptor's position does
 * not matter.  Lines are split as ndjson.h splits them (ndjson_line_len,
 * ndjson_blank): on '\n', a '\r' before it dropped, blank
 * lines are counted but not returned, and a line longer than max_line is
 * reported with its head and the rest of it skipped: in a final file as
 * soon as it passes the limit, else once its end is found.
 *
 * Offsets and line numbers are those of the decompressed stream.  A plain
 * file is read from its offset directly; a compressed one is decompressed
 * from its start and the first `offset` bytes are passed over.  An
 * unterminated last line is returned only when the caller says the file is
 * final (files_reader_open's final_partial); otherwise it is left pending
 * and the reader's offset stays at its start, so a later read picks it up
 * once it has its newline.
 */
#ifndef SW_FILES_READ_H
#define SW_FILES_READ_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

enum files_kind { FILES_PLAIN, FILES_GZIP, FILES_ZSTD };

enum files_rc {
	FILES_LINE = 1,     /* a line is in *line, *len */
	FILES_EOF = 0,      /* end of the data there is now */
	FILES_ERR = -1,     /* read or decompression error: err says which */
	FILES_TOOLONG = -2, /* a line over max_line: bad; its head (at most
			       max_line bytes, and 64 KiB) in *line, *len */
	FILES_INTR = -3,    /* *stop was set: the caller stops */
};

struct files_reader;

/* By the name's suffix: ".gz", ".zst", anything else is plain. */
enum files_kind files_kind_of(const char *name);

/* stop, when not NULL, is checked before each read: once set, the reader
 * returns FILES_INTR (a stop request is not held up by a big file). */
struct files_reader *files_reader_new(size_t max_line,
				      const volatile sig_atomic_t *stop);
void files_reader_free(struct files_reader *r);

/* Starts reading fd (kind) at stream offset `offset`, whose line number is
 * `lineno` (lines before it).  Returns 0, or -1 with err. */
int files_reader_open(struct files_reader *r, int fd, enum files_kind kind,
		      uint64_t offset, uint64_t lineno, int final_partial,
		      char *err, size_t errlen);

/* The next non-blank line, without its line end, NUL-terminated; valid
 * until the next call. */
enum files_rc files_reader_next(struct files_reader *r, const char **line,
				size_t *len, char *err, size_t errlen);

/* Stream offset just after the last line returned (or skipped), and the
 * number of lines before it: what a state file keeps. */
uint64_t files_reader_offset(const struct files_reader *r);
uint64_t files_reader_lines(const struct files_reader *r);
/* The number (1-based) of the line last returned or reported: what a
 * message names.  Ahead of files_reader_lines() while the rest of a line
 * reported too long is still being passed over. */
uint64_t files_reader_lineno(const struct files_reader *r);
/* After FILES_EOF: bytes of an unterminated last line left pending. */
size_t files_reader_pending(const struct files_reader *r);

#endif
