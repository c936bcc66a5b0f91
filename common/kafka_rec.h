/*
 * kafka_rec: reading the Kafka record envelope of sw(7), without
 * librdkafka, so that a tool that only reads envelopes (the sinks) does not
 * link it.  Writing one from a consumed message is kafka_envelope.h.
 *
 * Two readers share one pass over the envelope's fields:
 *   - kafka_envelope_origin(), per record in the sinks: where the record
 *     is from (topic, partition, offset), for their checkpoints; it copies
 *     nothing unless the topic name has escapes;
 *   - kafka_envelope_read() (sw-produce --envelope): the whole message to
 *     produce, in a struct kafka_rec whose byte spans point into buffers
 *     owned by the struct kafka_reader; they stay valid until the next read.
 *
 * Keys and values are read per their format (--key-format,
 * --value-format) by valfmt.h; a value format of its own (Avro) is the
 * codec the caller lends through struct kafka_envelope_opts.
 */
#ifndef SW_KAFKA_REC_H
#define SW_KAFKA_REC_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "sbuf.h"
#include "valfmt.h"

/* kafka_rec.partition when the envelope names none: librdkafka's
 * RD_KAFKA_PARTITION_UA (kafka_envelope.h checks that they agree). */
#define KAFKA_PARTITION_ANY (-1)

struct kafka_envelope_opts {
	enum valfmt key_fmt;   /* keys have no codec */
	enum valfmt value_fmt;
	int value_only;        /* writing: the value alone */
	const struct valfmt_codec *codec; /* lent: for VALFMT_CODEC values */
};

/* Where an enveloped record is from.  topic is not NUL-terminated. */
struct kafka_origin {
	const char *topic;
	size_t topic_len;
	int32_t partition;
	int64_t offset;
};

/* The origin of the record at token 0 of d: a string topic, and a
 * partition and an offset that are non-negative integers (an offset below
 * INT64_MAX: the offset after it could not be checkpointed).  Returns 1
 * with o set (o->topic points into d, or into scratch when the name has
 * escapes), 0 when the record has no usable envelope. */
int kafka_envelope_origin(const struct json_doc *d, struct sbuf *scratch,
			  struct kafka_origin *o);

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
	int32_t partition;     /* KAFKA_PARTITION_ANY: any */
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
