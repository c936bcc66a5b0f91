/*
 * avro_codec: the block codecs of Avro object container files.
 *
 * null, deflate (raw RFC 1951, zlib), snappy (with the 4-byte big-endian
 * CRC-32 of the uncompressed data that Avro appends), xz and zstandard.
 * The names are the specification's.  avro-c 1.11.1 writes a bare LZMA2
 * stream under the name "lzma"; that is read too, and writing "lzma" gives
 * the standard xz (callers map it).  zlib, libsnappy, liblzma and libzstd
 * are linked like every other library, so a missing one is a build error.
 *
 * Decompression is bounded: a block that would grow beyond max bytes is an
 * error, so a small hostile block cannot take unbounded memory.
 */
#ifndef SW_AVRO_CODEC_H
#define SW_AVRO_CODEC_H

#include <stddef.h>

#include "sbuf.h"

enum avro_codec {
	AVRO_CODEC_NULL,
	AVRO_CODEC_DEFLATE,
	AVRO_CODEC_SNAPPY,
	AVRO_CODEC_XZ,
	AVRO_CODEC_ZSTD,
	AVRO_CODEC_LZMA, /* avro-c's raw LZMA2: read only */
};

/* Maps a codec name (n bytes) to the codec.  Returns 0, or -1 with err for a
 * codec sw cannot handle ("codec bzip2 is not supported"). */
/* The codec names, in the order of enum avro_codec (NULL-terminated):
 * what --codec takes besides "zstd". */
extern const char *const avro_codec_names[];
int avro_codec_parse(const char *name, size_t n, enum avro_codec *c,
		     char *err, size_t errlen);
/* The specification's name. */
const char *avro_codec_name(enum avro_codec c);

/* Appends the decompressed in[0..n) to out.  Returns 0, or -1 with err. */
int avro_codec_decompress(enum avro_codec c, const void *in, size_t n,
			  size_t max, struct sbuf *out, char *err,
			  size_t errlen);
/* Appends the compressed in[0..n) to out.  Returns 0, or -1 with err. */
int avro_codec_compress(enum avro_codec c, const void *in, size_t n,
			struct sbuf *out, char *err, size_t errlen);

/* "snappy 1.1.9\nliblzma 5.4.1\n": for --version (libsnappy's C API has
 * no version call: its version is the one pkg-config named at build time). */
const char *avro_codec_versions(void);

#endif
