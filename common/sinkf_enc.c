#include "sinkf_enc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#include <zstd.h>

#include "avro_codec.h"
#include "avro_encode.h"
#include "avro_ocf.h"
#include "file.h"
#include "parquet.h"
#include "xalloc.h"

/* Output is written in pieces of this size; an Avro block is closed when
 * its datums reach it. */
#define SINKF_CHUNK (256u << 10)
#define SINKF_AVRO_BLOCK (64u << 10)

struct sinkf_enc {
	struct sinkf_enc_opts o;
	int fd;
	uint64_t records;
	uint64_t written;
	struct sbuf out;   /* encoded bytes not yet written */
	/* ndjson */
	z_stream z;
	int z_ready;
	ZSTD_CStream *zs;
	struct sbuf in;    /* ndjson text to compress */
	/* avro */
	struct avro_writer *aw;
	struct sbuf block; /* datums of the open block */
	uint64_t block_n;
	uint8_t sync[16];
	enum avro_codec acodec;
	/* parquet */
	struct pq_writer *pq;
	int io_errno;
};

const char *const sinkf_codec_names[] = {
	[SINKF_CODEC_NONE] = "none",       [SINKF_CODEC_GZIP] = "gzip",
	[SINKF_CODEC_ZSTD] = "zstd",       [SINKF_CODEC_DEFLATE] = "deflate",
	[SINKF_CODEC_SNAPPY] = "snappy",   NULL,
};

/* Which codecs each format has, as bits of enum sinkf_codec. */
static const unsigned format_codecs[] = {
	[SINKF_NDJSON] = 1u << SINKF_CODEC_NONE | 1u << SINKF_CODEC_GZIP |
			 1u << SINKF_CODEC_ZSTD,
	[SINKF_AVRO] = 1u << SINKF_CODEC_NONE | 1u << SINKF_CODEC_DEFLATE |
		       1u << SINKF_CODEC_SNAPPY | 1u << SINKF_CODEC_ZSTD,
	[SINKF_PARQUET] = 1u << SINKF_CODEC_NONE | 1u << SINKF_CODEC_SNAPPY |
			  1u << SINKF_CODEC_GZIP | 1u << SINKF_CODEC_ZSTD,
};

const char *const sinkf_format_names[] = { "ndjson", "avro", "parquet", NULL };

int sinkf_format_parse(const char *s, enum sinkf_format *f)
{
	for (int i = 0; sinkf_format_names[i]; i++)
		if (strcmp(s, sinkf_format_names[i]) == 0) {
			*f = (enum sinkf_format)i;
			return 0;
		}
	return -1;
}

int sinkf_codec_parse(const char *s, enum sinkf_format f,
		      enum sinkf_codec *c, char *err, size_t errlen)
{
	int found = -1;

	for (size_t i = 0; sinkf_codec_names[i]; i++)
		if (strcmp(s, sinkf_codec_names[i]) == 0)
			found = (int)i;
	if (strcmp(s, "null") == 0)
		found = SINKF_CODEC_NONE;
	if (found < 0) {
		snprintf(err, errlen, "unknown codec '%s' (none, gzip, zstd, "
				      "deflate, snappy)", s);
		return -1;
	}
	if (!(format_codecs[f] & 1u << found)) {
		struct sbuf b = SBUF_INIT;

		for (size_t i = 0; sinkf_codec_names[i]; i++)
			if (format_codecs[f] & 1u << i)
				sbuf_printf(&b, "%s%s", b.len ? ", " : "",
					    sinkf_codec_names[i]);
		snprintf(err, errlen, "codec %s is not one of %s's (%s)", s,
			 sinkf_format_names[f], b.p);
		sbuf_free(&b);
		return -1;
	}
	*c = (enum sinkf_codec)found;
	return 0;
}

enum sinkf_codec sinkf_codec_default(enum sinkf_format f)
{
	return f == SINKF_PARQUET ? SINKF_CODEC_SNAPPY : SINKF_CODEC_NONE;
}

const char *sinkf_ext(enum sinkf_format f, enum sinkf_codec c)
{
	switch (f) {
	case SINKF_NDJSON:
		return c == SINKF_CODEC_GZIP   ? "ndjson.gz"
		       : c == SINKF_CODEC_ZSTD ? "ndjson.zst"
					       : "ndjson";
	case SINKF_AVRO:
		return "avro";
	case SINKF_PARQUET:
		break;
	}
	return "parquet";
}

static enum pq_codec pq_codec_of(enum sinkf_codec c)
{
	switch (c) {
	case SINKF_CODEC_SNAPPY: return PQ_CODEC_SNAPPY;
	case SINKF_CODEC_GZIP: return PQ_CODEC_GZIP;
	case SINKF_CODEC_ZSTD: return PQ_CODEC_ZSTD;
	default: return PQ_CODEC_NONE;
	}
}

static enum avro_codec avro_codec_of(enum sinkf_codec c)
{
	switch (c) {
	case SINKF_CODEC_DEFLATE: return AVRO_CODEC_DEFLATE;
	case SINKF_CODEC_SNAPPY: return AVRO_CODEC_SNAPPY;
	case SINKF_CODEC_ZSTD: return AVRO_CODEC_ZSTD;
	default: return AVRO_CODEC_NULL;
	}
}

struct sinkf_enc *sinkf_enc_new(const struct sinkf_enc_opts *o, char *err,
				size_t errlen)
{
	struct sinkf_enc *e = xcalloc(1, sizeof *e);

	e->o = *o;
	e->fd = -1;
	if (o->format == SINKF_AVRO) {
		e->aw = avro_writer_new(o->schema->root, AVRO_IN_PLAIN);
		e->acodec = avro_codec_of(o->codec);
	} else if (o->format == SINKF_PARQUET) {
		struct pq_opts po = { pq_codec_of(o->codec), o->row_group_rows };

		e->pq = pq_writer_new(o->schema->root, &po, err, errlen);
		if (!e->pq) {
			free(e);
			return NULL;
		}
	}
	return e;
}

void sinkf_enc_free(struct sinkf_enc *e)
{
	if (!e)
		return;
	if (e->z_ready)
		deflateEnd(&e->z);
	ZSTD_freeCStream(e->zs);
	avro_writer_free(e->aw);
	pq_writer_free(e->pq);
	sbuf_free(&e->out);
	sbuf_free(&e->in);
	sbuf_free(&e->block);
	free(e);
}

static int put_fd(struct sinkf_enc *e, const void *p, size_t n, char *err,
		  size_t errlen)
{
	if (file_write_all(e->fd, p, n) < 0) {
		int saved = errno;

		snprintf(err, errlen, "write: %s", strerror(saved));
		errno = saved;
		return -1;
	}
	e->written += n;
	return 0;
}

/* Writes out what is held in e->out. */
static int drain(struct sinkf_enc *e, char *err, size_t errlen)
{
	int rc = put_fd(e, e->out.p, e->out.len, err, errlen);

	sbuf_reset(&e->out);
	return rc;
}

/* pq_write_fn */
static int pq_put(void *ctx, const void *p, size_t n)
{
	struct sinkf_enc *e = ctx;

	if (file_write_all(e->fd, p, n) < 0) {
		e->io_errno = errno;
		return -1;
	}
	e->written += n;
	return 0;
}

/* A parquet failure: a write error when pq_put saw one. */
static int pq_fail(struct sinkf_enc *e, char *err, size_t errlen)
{
	if (e->io_errno) {
		snprintf(err, errlen, "write: %s", strerror(e->io_errno));
		errno = e->io_errno;
	}
	return -1;
}

int sinkf_enc_begin(struct sinkf_enc *e, int fd, char *err, size_t errlen)
{
	e->fd = fd;
	e->records = 0;
	e->written = 0;
	e->io_errno = 0;
	sbuf_reset(&e->out);
	switch (e->o.format) {
	case SINKF_NDJSON:
		sbuf_reset(&e->in);
		if (e->o.codec == SINKF_CODEC_GZIP) {
			if (e->z_ready)
				deflateEnd(&e->z);
			memset(&e->z, 0, sizeof e->z);
			if (deflateInit2(&e->z, 6, Z_DEFLATED, 31, 8,
					 Z_DEFAULT_STRATEGY) != Z_OK) {
				snprintf(err, errlen, "gzip: cannot start");
				return -1;
			}
			e->z_ready = 1;
		} else if (e->o.codec == SINKF_CODEC_ZSTD) {
			if (!e->zs)
				e->zs = ZSTD_createCStream();
			if (!e->zs || ZSTD_isError(ZSTD_initCStream(e->zs, 3))) {
				snprintf(err, errlen, "zstd: cannot start");
				return -1;
			}
		}
		return 0;
	case SINKF_AVRO:
		sbuf_reset(&e->block);
		e->block_n = 0;
		avro_ocf_new_sync(e->sync);
		avro_ocf_header(&e->out, e->o.schema->json, e->o.schema->json_len,
				e->acodec, e->sync);
		return drain(e, err, errlen);
	case SINKF_PARQUET:
		if (pq_begin(e->pq, pq_put, e, err, errlen) < 0)
			return pq_fail(e, err, errlen);
		return 0;
	}
	return 0;
}

/* Compresses e->in into e->out (all of it when end) and writes. */
static int ndjson_compress(struct sinkf_enc *e, int end, char *err,
			   size_t errlen)
{
	if (e->o.codec == SINKF_CODEC_GZIP) {
		int zr;

		e->z.next_in = (Bytef *)e->in.p;
		e->z.avail_in = (uInt)e->in.len;
		do {
			sbuf_grow(&e->out, SINKF_CHUNK);
			e->z.next_out = (Bytef *)e->out.p + e->out.len;
			e->z.avail_out = (uInt)(e->out.cap - e->out.len - 1);
			zr = deflate(&e->z, end ? Z_FINISH : Z_NO_FLUSH);
			e->out.len = e->out.cap - 1 - e->z.avail_out;
			if (zr == Z_STREAM_ERROR) {
				snprintf(err, errlen, "gzip: compression failed");
				return -1;
			}
			if (drain(e, err, errlen) < 0)
				return -1;
		} while (e->z.avail_out == 0 || (end && zr != Z_STREAM_END));
	} else {
		ZSTD_inBuffer in = { e->in.p, e->in.len, 0 };
		size_t left;

		do {
			ZSTD_outBuffer ob;

			sbuf_grow(&e->out, SINKF_CHUNK);
			ob = (ZSTD_outBuffer){ e->out.p, e->out.cap - 1, 0 };
			left = ZSTD_compressStream2(e->zs, &ob, &in,
						    end ? ZSTD_e_end
							: ZSTD_e_continue);
			if (ZSTD_isError(left)) {
				snprintf(err, errlen, "zstd: %s",
					 ZSTD_getErrorName(left));
				return -1;
			}
			e->out.len = ob.pos;
			if (drain(e, err, errlen) < 0)
				return -1;
		} while (in.pos < in.size || (end && left));
	}
	sbuf_reset(&e->in);
	return 0;
}

static int avro_close_block(struct sinkf_enc *e, char *err, size_t errlen)
{
	if (!e->block_n)
		return 0;
	if (avro_ocf_block(&e->out, e->acodec, e->block_n, e->block.p,
			   e->block.len, e->sync, err, errlen) < 0)
		return -1;
	sbuf_reset(&e->block);
	e->block_n = 0;
	return drain(e, err, errlen);
}

int sinkf_enc_add(struct sinkf_enc *e, const struct json_doc *d, char *err,
		  size_t errlen)
{
	switch (e->o.format) {
	case SINKF_NDJSON:
		if (e->o.codec == SINKF_CODEC_NONE) {
			sbuf_put(&e->out, d->text.p, d->text.len);
			sbuf_putc(&e->out, '\n');
			e->records++;
			if (e->out.len >= SINKF_CHUNK)
				return drain(e, err, errlen);
			return 0;
		}
		sbuf_put(&e->in, d->text.p, d->text.len);
		sbuf_putc(&e->in, '\n');
		e->records++;
		if (e->in.len >= SINKF_CHUNK)
			return ndjson_compress(e, 0, err, errlen);
		return 0;
	case SINKF_AVRO:
		if (avro_write(e->aw, d, 0, &e->block, err, errlen) < 0)
			return 1;
		e->block_n++;
		e->records++;
		if (e->block.len >= SINKF_AVRO_BLOCK)
			return avro_close_block(e, err, errlen);
		return 0;
	case SINKF_PARQUET:
		if (pq_add(e->pq, d, 0, err, errlen) < 0)
			return 1;
		e->records++;
		if (pq_row_group_full(e->pq) &&
		    pq_flush(e->pq, pq_put, e, err, errlen) < 0)
			return pq_fail(e, err, errlen);
		return 0;
	}
	return 0;
}

int sinkf_enc_finish(struct sinkf_enc *e, char *err, size_t errlen)
{
	int rc = 0;

	switch (e->o.format) {
	case SINKF_NDJSON:
		if (e->o.codec == SINKF_CODEC_NONE)
			rc = drain(e, err, errlen);
		else
			rc = ndjson_compress(e, 1, err, errlen);
		break;
	case SINKF_AVRO:
		rc = avro_close_block(e, err, errlen);
		break;
	case SINKF_PARQUET:
		if (pq_finish(e->pq, pq_put, e, err, errlen) < 0)
			rc = pq_fail(e, err, errlen);
		break;
	}
	e->fd = -1;
	return rc;
}

uint64_t sinkf_enc_records(const struct sinkf_enc *e)
{
	return e->records;
}

uint64_t sinkf_enc_bytes(const struct sinkf_enc *e)
{
	if (e->o.format == SINKF_PARQUET)
		return pq_bytes(e->pq);
	return e->written + e->out.len + e->in.len + e->block.len;
}
