/*
 * kafka_envelope: the Kafka record envelope of sw(7), both
 * ways.
 *
 * Writing (sw-consume, sw-produce --report): kafka_envelope_write() appends
 * one message as {"topic","partition","offset","timestamp",
 * "timestamp_type","key","headers","value"} in that order, straight from
 * the rd_kafka_message_t with sbuf writers; a JSON value is validated with
 * json_compact() into the caller's scratch doc and its compact text copied.
 *
 * Reading (sw-produce): kafka_envelope_read() takes a parsed envelope line
 * and fills a struct kafka_rec whose byte spans point into buffers owned
 * by the struct kafka_reader; they stay valid until the next read.
 *
 * Keys and values are read and written per their format (--key-format,
 * --value-format) by valfmt.h; a value format of its own (Avro) is the
 * codec the caller lends through struct kafka_envelope_opts.
 */
#ifndef SW_KAFKA_ENVELOPE_H
#define SW_KAFKA_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "json.h"
#include "sbuf.h"
#include "valfmt.h"

struct kafka_envelope_opts {
	enum valfmt key_fmt;   /* keys have no codec */
	enum valfmt value_fmt;
	int value_only;
	const struct valfmt_codec *codec; /* lent: for VALFMT_CODEC values */
};

/* What went wrong in kafka_envelope_write(): which part was bad; or, for
 * a value through a codec, that what the codec needs could not be reached
 * (KAFKA_ENV_UNAVAIL, exit 69) or read (KAFKA_ENV_IOERR, exit 74), which
 * is not the message's fault (VALFMT_EUNAVAIL, VALFMT_EIO). */
enum kafka_env_part {
	KAFKA_ENV_KEY = 1,
	KAFKA_ENV_VALUE,
	KAFKA_ENV_HEADER,
	KAFKA_ENV_UNAVAIL,
	KAFKA_ENV_IOERR,
};

/* Appends the envelope of m (or only its value).  Returns 0, or the part
 * that could not be written, with the reason in err; b is then left as it
 * was. */
int kafka_envelope_write(struct sbuf *b, const rd_kafka_message_t *m,
			 const struct kafka_envelope_opts *o,
			 struct json_doc *scratch, char *err, size_t errlen);

/* One message to produce.  Spans are bytes (not NUL-terminated except
 * topic); p NULL means absent/null. */
struct kafka_hdr {
	const char *name;
	size_t name_len;
	const void *value;
	size_t value_len;
};

struct kafka_rec {
	const char *topic;     /* NULL: the default topic */
	int32_t partition;     /* RD_KAFKA_PARTITION_UA: any */
	const void *key;
	size_t key_len;
	const void *value;     /* NULL: a tombstone */
	size_t value_len;
	int64_t timestamp;     /* epoch ms, 0: now */
	struct kafka_hdr *hdrs;
	size_t nhdrs;
};

struct kafka_reader {
	struct sbuf topic, key, value, hbuf;
	struct kafka_hdr *hdrs;
	size_t hcap;
	size_t *hoff; /* offsets into hbuf while building */
};

void kafka_reader_init(struct kafka_reader *r);
void kafka_reader_free(struct kafka_reader *r);

/* Reads the envelope in d (token 0 an object).  Returns 0, or -1 with the
 * reason ("partition: expected an integer"). */
int kafka_envelope_read(struct kafka_reader *r, const struct json_doc *d,
			const struct kafka_envelope_opts *o,
			struct kafka_rec *rec, char *err, size_t errlen);

#endif
