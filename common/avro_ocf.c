/* avro_ocf: object container files.  See avro_ocf.h. */
#include "avro_ocf.h"

#include <errno.h>
#include <pthread.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "avro_encode.h"
#include "wait.h"
#include "xalloc.h"

#define CHUNK 65536
#define MAX_META ((size_t)64 << 20)

struct avro_ocf {
	int fd;
	struct wait_step wait;
	int eof;
	uint8_t *buf;   /* raw input: buf[pos..len) not yet used */
	size_t pos, len, cap;
	char *schema;
	size_t schema_len;
	enum avro_codec codec;
	uint8_t sync[16];
	struct sbuf block; /* decompressed datums */
	uint64_t blockno;
};

/* Makes n bytes available at buf + pos, reading as they arrive.  Returns 1,
 * 0 when the input ends first, AVRO_OCF_EIO or AVRO_OCF_EINTR. */
static int need(struct avro_ocf *r, size_t n, char *err, size_t errlen)
{
	while (r->len - r->pos < n) {
		ssize_t got;

		if (r->eof)
			return 0;
		if (r->pos > 0 && r->pos == r->len) {
			r->pos = r->len = 0;
		} else if (r->pos > r->cap / 2) {
			memmove(r->buf, r->buf + r->pos, r->len - r->pos);
			r->len -= r->pos;
			r->pos = 0;
		}
		if (r->cap - r->len < CHUNK) {
			r->cap = r->cap ? r->cap * 2 : 4 * CHUNK;
			r->buf = xrealloc(r->buf, r->cap);
		}
		got = wait_read(r->fd, r->buf + r->len, r->cap - r->len,
				&r->wait);
		if (got < 0) {
			snprintf(err, errlen, "%s", strerror(errno));
			return errno == EINTR ? AVRO_OCF_EINTR : AVRO_OCF_EIO;
		}
		if (got == 0)
			r->eof = 1;
		r->len += (size_t)got;
	}
	return 1;
}

/* A varint from the input.  Returns 1, 0 at a clean end before its first
 * byte, or an error code. */
static int get_long(struct avro_ocf *r, int64_t *v, char *err, size_t errlen)
{
	uint64_t x = 0;
	int shift = 0, rc;

	for (;;) {
		uint8_t b;

		rc = need(r, 1, err, errlen);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			if (shift == 0)
				return 0;
			snprintf(err, errlen, "truncated file");
			return AVRO_OCF_EDATA;
		}
		b = r->buf[r->pos++];
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
		shift += 7;
		if (shift > 63) {
			snprintf(err, errlen, "varint longer than 10 bytes");
			return AVRO_OCF_EDATA;
		}
	}
	*v = (int64_t)((x >> 1) ^ (~(x & 1) + 1));
	return 1;
}

static int get_bytes(struct avro_ocf *r, size_t max, const uint8_t **p,
		     size_t *n, const char *what, char *err, size_t errlen)
{
	int64_t v;
	int rc = get_long(r, &v, err, errlen);

	if (rc == 0) {
		snprintf(err, errlen, "truncated header");
		return AVRO_OCF_EDATA;
	}
	if (rc < 0)
		return rc;
	if (v < 0 || (uint64_t)v > max) {
		snprintf(err, errlen, "invalid %s length %" PRId64, what, v);
		return AVRO_OCF_EDATA;
	}
	rc = need(r, (size_t)v, err, errlen);
	if (rc == 0) {
		snprintf(err, errlen, "truncated header");
		return AVRO_OCF_EDATA;
	}
	if (rc < 0)
		return rc;
	*p = r->buf + r->pos;
	*n = (size_t)v;
	r->pos += (size_t)v;
	return 1;
}

static int read_header(struct avro_ocf *r, char *err, size_t errlen)
{
	int rc;
	int64_t count;

	rc = need(r, 4, err, errlen);
	if (rc < 0)
		return rc;
	if (rc == 0 || memcmp(r->buf + r->pos, "Obj\x01", 4) != 0) {
		snprintf(err, errlen, "not an Avro object container file");
		return AVRO_OCF_EDATA;
	}
	r->pos += 4;
	r->codec = AVRO_CODEC_NULL;
	for (;;) {
		rc = get_long(r, &count, err, errlen);
		if (rc == 0) {
			snprintf(err, errlen, "truncated header");
			return AVRO_OCF_EDATA;
		}
		if (rc < 0)
			return rc;
		if (count == 0)
			break;
		if (count < 0) {
			int64_t size;
			if (count == INT64_MIN ||
			    get_long(r, &size, err, errlen) != 1) {
				snprintf(err, errlen, "invalid header");
				return AVRO_OCF_EDATA;
			}
			count = -count;
		}
		if (count > 4096) {
			snprintf(err, errlen, "header has %" PRId64
					      " metadata entries", count);
			return AVRO_OCF_EDATA;
		}
		for (int64_t i = 0; i < count; i++) {
			const uint8_t *k, *v;
			size_t kn, vn;
			char *key;

			if ((rc = get_bytes(r, 4096, &k, &kn, "metadata key",
					    err, errlen)) < 0)
				return rc;
			key = xstrndup((const char *)k, kn);
			rc = get_bytes(r, MAX_META, &v, &vn, "metadata value",
				       err, errlen);
			if (rc < 0) {
				free(key);
				return rc;
			}
			if (strcmp(key, "avro.schema") == 0) {
				free(r->schema);
				r->schema = xstrndup((const char *)v, vn);
				r->schema_len = vn;
			} else if (strcmp(key, "avro.codec") == 0) {
				if (avro_codec_parse((const char *)v, vn,
						     &r->codec, err,
						     errlen) < 0) {
					free(key);
					return AVRO_OCF_EDATA;
				}
			}
			free(key);
		}
	}
	if (!r->schema) {
		snprintf(err, errlen, "header has no avro.schema");
		return AVRO_OCF_EDATA;
	}
	rc = need(r, 16, err, errlen);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		snprintf(err, errlen, "truncated header");
		return AVRO_OCF_EDATA;
	}
	memcpy(r->sync, r->buf + r->pos, 16);
	r->pos += 16;
	return 0;
}

int avro_ocf_open_with(struct avro_ocf **out, int fd, const void *pre,
		       size_t npre, const struct wait_step *w, char *err,
		       size_t errlen)
{
	struct avro_ocf *r = xcalloc(1, sizeof(*r));
	int rc;

	r->fd = fd;
	if (w)
		r->wait = *w;
	r->cap = npre > 4 * CHUNK ? npre : 4 * CHUNK;
	r->buf = xmalloc(r->cap);
	memcpy(r->buf, pre, npre);
	r->len = npre;
	rc = read_header(r, err, errlen);
	if (rc < 0) {
		avro_ocf_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

int avro_ocf_open(struct avro_ocf **out, int fd, char *err, size_t errlen)
{
	return avro_ocf_open_with(out, fd, "", 0, NULL, err, errlen);
}

void avro_ocf_close(struct avro_ocf *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r->schema);
	sbuf_free(&r->block);
	free(r);
}

const char *avro_ocf_schema(const struct avro_ocf *r, size_t *len)
{
	*len = r->schema_len;
	return r->schema;
}

enum avro_codec avro_ocf_codec(const struct avro_ocf *r)
{
	return r->codec;
}

uint64_t avro_ocf_blockno(const struct avro_ocf *r)
{
	return r->blockno;
}

int avro_ocf_next(struct avro_ocf *r, const uint8_t **data, size_t *len,
		  uint64_t *count, char *err, size_t errlen)
{
	int64_t n, size;
	int rc;

	rc = get_long(r, &n, err, errlen);
	if (rc <= 0)
		return rc;
	r->blockno++;
	rc = get_long(r, &size, err, errlen);
	if (rc == 0) {
		snprintf(err, errlen, "block %" PRIu64 ": truncated", r->blockno);
		return AVRO_OCF_EDATA;
	}
	if (rc < 0)
		return rc;
	if (n < 0 || size < 0 || (uint64_t)size > AVRO_OCF_MAX_BLOCK) {
		snprintf(err, errlen,
			 "block %" PRIu64 ": invalid count %" PRId64
			 " or size %" PRId64,
			 r->blockno, n, size);
		return AVRO_OCF_EDATA;
	}
	rc = need(r, (size_t)size + 16, err, errlen);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		snprintf(err, errlen,
			 "block %" PRIu64 ": truncated (%" PRId64
			 " bytes announced, %zu left)",
			 r->blockno, size, r->len - r->pos);
		return AVRO_OCF_EDATA;
	}
	if (memcmp(r->buf + r->pos + size, r->sync, 16) != 0) {
		snprintf(err, errlen, "block %" PRIu64 ": bad sync marker",
			 r->blockno);
		return AVRO_OCF_EDATA;
	}
	sbuf_reset(&r->block);
	if (r->codec == AVRO_CODEC_NULL) {
		*data = r->buf + r->pos;
		*len = (size_t)size;
	} else {
		char why[256];
		if (avro_codec_decompress(r->codec, r->buf + r->pos,
					  (size_t)size, AVRO_OCF_MAX_BLOCK,
					  &r->block, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "block %" PRIu64 ": %s",
				 r->blockno, why);
			return AVRO_OCF_EDATA;
		}
		*data = (const uint8_t *)r->block.p;
		*len = r->block.len;
	}
	/* count is not checked against the size (a null datum takes no
	 * bytes): the decoder stops at the end of the block's data */
	*count = (uint64_t)n;
	r->pos += (size_t)size + 16;
	return 1;
}

static void put_str(struct sbuf *out, const char *s, size_t n)
{
	avro_put_long(out, (int64_t)n);
	sbuf_put(out, s, n);
}

void avro_ocf_header(struct sbuf *out, const char *schema, size_t schema_len,
		     enum avro_codec codec, const uint8_t sync[16])
{
	const char *cn = avro_codec_name(codec);

	sbuf_put(out, "Obj\x01", 4);
	avro_put_long(out, 2);
	put_str(out, "avro.schema", 11);
	put_str(out, schema, schema_len);
	put_str(out, "avro.codec", 10);
	put_str(out, cn, strlen(cn));
	avro_put_long(out, 0);
	sbuf_put(out, sync, 16);
}

int avro_ocf_block(struct sbuf *out, enum avro_codec codec, uint64_t count,
		   const void *data, size_t len, const uint8_t sync[16],
		   char *err, size_t errlen)
{
	struct sbuf z = SBUF_INIT;

	if (codec != AVRO_CODEC_NULL &&
	    avro_codec_compress(codec, data, len, &z, err, errlen) < 0) {
		sbuf_free(&z);
		return -1;
	}
	avro_put_long(out, (int64_t)count);
	if (codec == AVRO_CODEC_NULL) {
		avro_put_long(out, (int64_t)len);
		sbuf_put(out, data, len);
	} else {
		avro_put_long(out, (int64_t)z.len);
		sbuf_put(out, z.p, z.len);
	}
	sbuf_put(out, sync, 16);
	sbuf_free(&z);
	return 0;
}

struct avro_ocf_writer {
	enum avro_codec codec;
	uint8_t sync[16];
	pthread_t thread;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int busy;         /* a block is being compressed */
	int quit;
	uint64_t count;
	struct sbuf in;   /* the block handed over */
	struct sbuf out;  /* its container bytes, once done */
	int rc;
	char err[256];
};

static void *compressor(void *arg)
{
	struct avro_ocf_writer *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->busy && !w->quit)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->busy)
			break;
		pthread_mutex_unlock(&w->mu);
		sbuf_reset(&w->out);
		w->rc = avro_ocf_block(&w->out, w->codec, w->count, w->in.p,
				       w->in.len, w->sync, w->err,
				       sizeof(w->err));
		pthread_mutex_lock(&w->mu);
		w->busy = 0;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct avro_ocf_writer *avro_ocf_writer_new(enum avro_codec codec,
					    const uint8_t sync[16])
{
	struct avro_ocf_writer *w = xcalloc(1, sizeof(*w));

	w->codec = codec;
	memcpy(w->sync, sync, 16);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	/* without a thread, put() compresses in the caller's */
	w->started = pthread_create(&w->thread, NULL, compressor, w) == 0;
	return w;
}

/* Waits for the block in hand and appends its bytes to ready. */
static int collect(struct avro_ocf_writer *w, struct sbuf *ready, char *err,
		   size_t errlen)
{
	pthread_mutex_lock(&w->mu);
	while (w->busy)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
	if (w->rc < 0) {
		snprintf(err, errlen, "%s", w->err);
		return -1;
	}
	if (w->out.len)
		sbuf_put(ready, w->out.p, w->out.len);
	sbuf_reset(&w->out);
	return 0;
}

int avro_ocf_writer_put(struct avro_ocf_writer *w, uint64_t count,
			const void *data, size_t len, struct sbuf *ready,
			char *err, size_t errlen)
{
	if (!w->started)
		return avro_ocf_block(ready, w->codec, count, data, len,
				      w->sync, err, errlen);
	if (collect(w, ready, err, errlen) < 0)
		return -1;
	sbuf_reset(&w->in);
	if (len)
		sbuf_put(&w->in, data, len);
	pthread_mutex_lock(&w->mu);
	w->count = count;
	w->busy = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return 0;
}

int avro_ocf_writer_finish(struct avro_ocf_writer *w, struct sbuf *ready,
			   char *err, size_t errlen)
{
	return w->started ? collect(w, ready, err, errlen) : 0;
}

void avro_ocf_writer_free(struct avro_ocf_writer *w)
{
	if (!w)
		return;
	if (w->started) {
		pthread_mutex_lock(&w->mu);
		w->quit = 1;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
	}
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	sbuf_free(&w->in);
	sbuf_free(&w->out);
	free(w);
}

void avro_ocf_new_sync(uint8_t sync[16])
{
	if (getrandom(sync, 16, 0) != 16) {
		/* no entropy source: any marker works, it only has to be
		 * unlikely inside the data */
		for (int i = 0; i < 16; i++)
			sync[i] = (uint8_t)(rand() >> 7);
	}
}
