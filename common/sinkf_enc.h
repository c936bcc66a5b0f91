/*
 * sinkf_enc: the bytes of one part file of sw-sink-files, in its format.
 *
 * A sinkf_enc turns records (json.h docs) into NDJSON (plain, gzip or
 * zstd), an Avro object container (sw's own encoder, blocks of about
 * 64 KiB, codecs null, deflate, snappy, zstd) or Parquet (parquet.h), and
 * writes them to a file descriptor the caller opened and owns: fsync,
 * rename and close are the caller's.  One encoder writes one file at a
 * time: sinkf_enc_begin() starts it, sinkf_enc_finish() ends it, and the
 * encoder can then begin the next.
 *
 * Bad records and I/O errors are told apart: sinkf_enc_add() returns 1 for
 * a record that does not fit the schema (err names the field; the file is
 * as it was before the call) and -1 for a write error (errno kept, err
 * says what).  Nothing here prints.
 */
#ifndef SW_SINKF_ENC_H
#define SW_SINKF_ENC_H

#include <stddef.h>
#include <stdint.h>

#include "avro_schema.h"
#include "json.h"

enum sinkf_format { SINKF_NDJSON, SINKF_AVRO, SINKF_PARQUET };

enum sinkf_codec {
	SINKF_CODEC_NONE,
	SINKF_CODEC_GZIP,
	SINKF_CODEC_ZSTD,
	SINKF_CODEC_DEFLATE,
	SINKF_CODEC_SNAPPY,
};

struct sinkf_enc_opts {
	enum sinkf_format format;
	enum sinkf_codec codec;
	const struct avro_schema *schema; /* avro, parquet: lent, outlives */
	uint32_t row_group_rows;          /* parquet (0: the writer's default) */
};

/* The names of the formats and of the codecs, in the order of their enums
 * (NULL-terminated). */
extern const char *const sinkf_format_names[];
extern const char *const sinkf_codec_names[];
/* "ndjson", "avro", "parquet".  Returns 0 or -1. */
int sinkf_format_parse(const char *s, enum sinkf_format *f);
/* A codec name; "null" is "none".  Returns 0, or -1 with err when the name
 * is unknown or the format has no such codec. */
int sinkf_codec_parse(const char *s, enum sinkf_format f,
		      enum sinkf_codec *c, char *err, size_t errlen);
/* The default codec of a format: none, null, snappy. */
enum sinkf_codec sinkf_codec_default(enum sinkf_format f);
/* The file name extension: "ndjson", "ndjson.gz", "ndjson.zst", "avro",
 * "parquet". */
const char *sinkf_ext(enum sinkf_format f, enum sinkf_codec c);

struct sinkf_enc;

/* NULL with err when the schema does not map to the format. */
struct sinkf_enc *sinkf_enc_new(const struct sinkf_enc_opts *o, char *err,
				size_t errlen);
void sinkf_enc_free(struct sinkf_enc *e);

/* Starts a file on fd.  Returns 0, or -1 with err (errno kept). */
int sinkf_enc_begin(struct sinkf_enc *e, int fd, char *err, size_t errlen);
/* Adds a record.  Returns 0, 1 for a record that does not fit, or -1 for
 * a write error. */
int sinkf_enc_add(struct sinkf_enc *e, const struct json_doc *d, char *err,
		  size_t errlen);
/* Writes everything held and the file's end.  Returns 0 or -1 with err. */
int sinkf_enc_finish(struct sinkf_enc *e, char *err, size_t errlen);

/* Records in the current file, and its size so far: bytes written plus
 * what is held (uncompressed), for --max-bytes. */
uint64_t sinkf_enc_records(const struct sinkf_enc *e);
uint64_t sinkf_enc_bytes(const struct sinkf_enc *e);

#endif
