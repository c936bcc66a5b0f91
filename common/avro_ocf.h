/*
 * avro_ocf: Avro object container files, read and written by sw itself.
 *
 * Reading: avro_ocf_open() reads the header (magic, metadata, sync marker)
 * from a file descriptor; avro_ocf_next() reads one block, checks its
 * counts, sizes and sync marker, and hands back its decompressed datums.
 * Lengths from the file are never trusted: a block is read as its bytes
 * actually arrive, sizes and counts are bounded, so a truncated or hostile
 * file gives an error with bounded memory.  The reader owns its buffers;
 * the block it returns is valid until the next call.
 *
 * Writing: avro_ocf_header() and avro_ocf_block() append the bytes of a
 * header and of one block to a caller's sbuf.  The header keeps the schema
 * text as given (defaults, aliases and logical types included, which
 * avro-c's writer loses) and writes the specification's codec names.
 *
 * A reader of a pipe waits for its bytes in the steps its caller's struct
 * wait_step allows (wait.h), and a stop ends the wait.
 *
 * Return codes: 0 / 1 as documented, AVRO_OCF_EDATA for bad data,
 * AVRO_OCF_EIO for a read error, AVRO_OCF_EINTR when a signal or a stop
 * ended a wait; err says what.
 */
#ifndef SW_AVRO_OCF_H
#define SW_AVRO_OCF_H

#include <stddef.h>
#include <stdint.h>

#include "avro_codec.h"
#include "sbuf.h"
#include "wait.h"

#define AVRO_OCF_EDATA (-1)
#define AVRO_OCF_EIO (-2)
#define AVRO_OCF_EINTR (-3)

/* Largest block accepted, compressed or not. */
#define AVRO_OCF_MAX_BLOCK ((size_t)1 << 30)

struct avro_ocf;

/* Reads the header from fd (which stays the caller's to close).  Returns 0,
 * AVRO_OCF_EDATA ("not an Avro container file", "truncated header", …) or
 * AVRO_OCF_EIO. */
int avro_ocf_open(struct avro_ocf **out, int fd, char *err, size_t errlen);
/* Opens with the first bytes already read (for telling formats apart),
 * waiting for the rest as w allows (NULL: plain reads). */
int avro_ocf_open_with(struct avro_ocf **out, int fd, const void *pre,
		       size_t npre, const struct wait_step *w, char *err,
		       size_t errlen);
void avro_ocf_close(struct avro_ocf *r);

/* The "avro.schema" metadata (JSON text, not NUL-terminated) and codec. */
const char *avro_ocf_schema(const struct avro_ocf *r, size_t *len);
enum avro_codec avro_ocf_codec(const struct avro_ocf *r);

/* The next block: 1 with its datums in data[0..len) and their count, 0 at
 * the end of the file, or an error code. */
int avro_ocf_next(struct avro_ocf *r, const uint8_t **data, size_t *len,
		  uint64_t *count, char *err, size_t errlen);
/* Number of the block last returned (1-based), for messages. */
uint64_t avro_ocf_blockno(const struct avro_ocf *r);

/* Appends a container header. */
void avro_ocf_header(struct sbuf *out, const char *schema, size_t schema_len,
		     enum avro_codec codec, const uint8_t sync[16]);
/* Appends one block of count datums data[0..len).  Returns 0, or -1 with
 * err when compression fails. */
int avro_ocf_block(struct sbuf *out, enum avro_codec codec, uint64_t count,
		   const void *data, size_t len, const uint8_t sync[16],
		   char *err, size_t errlen);
/*
 * A block writer that compresses in a second thread while the caller
 * encodes the next block (deflate costs more than encoding).  put() hands
 * over one block of datums (the writer copies them) and appends to ready
 * the bytes of the block before it, once compressed; finish() appends the
 * last.  Both return 0, or -1 with err when compression failed.
 */
struct avro_ocf_writer;

struct avro_ocf_writer *avro_ocf_writer_new(enum avro_codec codec,
					    const uint8_t sync[16]);
int avro_ocf_writer_put(struct avro_ocf_writer *w, uint64_t count,
			const void *data, size_t len, struct sbuf *ready,
			char *err, size_t errlen);
int avro_ocf_writer_finish(struct avro_ocf_writer *w, struct sbuf *ready,
			   char *err, size_t errlen);
void avro_ocf_writer_free(struct avro_ocf_writer *w);

/* Fills sync with random bytes. */
void avro_ocf_new_sync(uint8_t sync[16]);

#endif
