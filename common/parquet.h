/*
 * parquet: Parquet files written by sw's own code (Debian has no C Parquet
 * library).
 *
 * A pq_writer turns JSON records (json.h tokens) into the columns of an Avro
 * record schema by the parquet-avro mapping (parquet-java's
 * AvroSchemaConverter, with its newer list and uuid options):
 *   - records are groups; a field of type ["null", T] or [T, "null"] is
 *     optional, any other field required;
 *   - arrays are three-level LISTs (group NAME (LIST) { repeated group list
 *     { element } }), maps are MAPs (group NAME (MAP) { repeated group
 *     key_value { required binary key (STRING); value } });
 *   - boolean, int, long, float, double as such; string as BINARY STRING,
 *     enum as BINARY ENUM, bytes as BINARY, fixed as FIXED_LEN_BYTE_ARRAY;
 *   - logical types: date (INT32 DATE), time-millis (INT32) and
 *     time-micros (INT64) as TIME, timestamp-millis/micros as INT64
 *     TIMESTAMP adjusted to UTC, local-timestamp-* as not adjusted,
 *     decimal on bytes or fixed as DECIMAL(precision, scale), uuid on
 *     string or fixed(16) as FIXED_LEN_BYTE_ARRAY(16) UUID; each with its
 *     legacy ConvertedType too where the specification has one.
 * A union of several types other than null has no Parquet form:
 * parquet-avro writes it as a group of optional fields member0, member1,
 * ..., which no reader maps back; pq_writer_new refuses it, naming the
 * field, as it refuses recursive records, empty records and null fields.
 *
 * Records are taken in sw's plain JSON (the forms sw-avro encode accepts,
 * avro_plain.h): timestamps as RFC 3339 text or numbers in the field's
 * unit, dates "YYYY-MM-DD", decimals as numbers or number strings, bytes
 * and fixed as base64; a missing field takes its default, or null when it
 * is optional.
 *
 * Files have data pages v1 with RLE/bit-packed levels, PLAIN values, and
 * dictionaries (RLE_DICTIONARY) for string, enum and bytes columns that
 * fall back to PLAIN when a chunk's dictionary passes 1 MiB; pages end at
 * the first row boundary after 1 MiB of values; each column chunk has min,
 * max (in its type's order: unsigned bytes for strings, signed for
 * decimals) and null count.  The writer buffers one row group in memory,
 * so memory is bounded by the row group size, not by the file.
 *
 * It does no I/O of its own: the caller owns the file descriptor (and with
 * it fsync, rename and a full disk).  Bytes go out through pq_write_fn:
 *
 *   w = pq_writer_new(schema->root, &opts, err, sizeof err);
 *   pq_begin(w, put, ctx, err, sizeof err);     "PAR1"
 *   for each record: pq_add(w, doc, 0, err, sizeof err);
 *                    if (pq_row_group_full(w)) pq_flush(w, put, ctx, ...);
 *   pq_finish(w, put, ctx, err, sizeof err);    last row group, footer
 *   (pq_begin again for the next file; pq_writer_free at the end)
 *
 * The writer keeps a pointer to the schema node, which must outlive it.
 * Functions return 0, or -1 with a one-line reason in err; none prints.
 */
#ifndef SW_PARQUET_H
#define SW_PARQUET_H

#include <stddef.h>
#include <stdint.h>

#include "avro_schema.h"
#include "json.h"

/* parquet-format's CompressionCodec numbers. */
enum pq_codec {
	PQ_CODEC_NONE = 0,
	PQ_CODEC_SNAPPY = 1,
	PQ_CODEC_GZIP = 2,
	PQ_CODEC_ZSTD = 6,
};

struct pq_opts {
	enum pq_codec codec;
	uint32_t row_group_rows; /* rows per row group (0: 131072) */
};

/* Writes n bytes; returns 0, or -1 with errno set. */
typedef int (*pq_write_fn)(void *ctx, const void *p, size_t n);

struct pq_writer;

/* Checks that n (a record) maps to Parquet; NULL with the reason in err
 * naming the field that does not. */
struct pq_writer *pq_writer_new(const struct avro_node *n,
				const struct pq_opts *o, char *err,
				size_t errlen);
void pq_writer_free(struct pq_writer *w);

/* Tuning, mostly for tests: the PLAIN bytes of values after which a data
 * page ends (at the next row; 0: 1 MiB), and the largest dictionary of a
 * string or bytes column chunk before it falls back to PLAIN (default
 * 1 MiB; 0: no dictionaries). */
void pq_set_page_bytes(struct pq_writer *w, size_t n);
void pq_set_dict_bytes(struct pq_writer *w, size_t n);

/* Adds a key and value to the footer's key_value_metadata of every file
 * (parquet-avro keeps its writer's schema under "parquet.avro.schema"). */
void pq_set_meta(struct pq_writer *w, const char *key, const char *value);

/* Starts a file: writes the magic. */
int pq_begin(struct pq_writer *w, pq_write_fn put, void *ctx, char *err,
	     size_t errlen);

/* Adds the record rooted at token tok of d.  A record that does not fit the
 * schema gives -1 and an error naming the field and the expected type
 * (".ambient: expected double, got string \"x\""), and the writer is left as
 * it was before the call. */
int pq_add(struct pq_writer *w, const struct json_doc *d, uint32_t tok,
	   char *err, size_t errlen);

/* True when the buffered row group holds row_group_rows rows. */
int pq_row_group_full(const struct pq_writer *w);

/* Writes the buffered rows as one row group (nothing when there are none). */
int pq_flush(struct pq_writer *w, pq_write_fn put, void *ctx, char *err,
	     size_t errlen);

/* Writes the last row group and the footer; the writer is then ready for
 * pq_begin on the next file. */
int pq_finish(struct pq_writer *w, pq_write_fn put, void *ctx, char *err,
	      size_t errlen);

/* Rows added to the current file, and its size so far: bytes written plus
 * an estimate of the buffered row group (for --max-bytes). */
uint64_t pq_rows(const struct pq_writer *w);
uint64_t pq_bytes(const struct pq_writer *w);

#endif
