/*
 * kafka_envelope: the Kafka record envelope of contract section 2, both
 * ways.
 *
 * Writing (sw-consume, sw-produce --report): kafka_envelope_write() appends
 * one message as {"topic","partition","offset","timestamp",
 * "timestamp_type","key","headers","value"} in that order, straight from
 * the rd_kafka_message_t with sbuf writers; a JSON value is validated with
 * json_parse() into the caller's scratch doc and its compact text copied.
 *
 * Reading (sw-produce): kafka_envelope_read() takes a parsed envelope line
 * and fills a struct kafka_rec whose byte spans point into buffers owned
 * by the struct kafka_reader; they stay valid until the next read.
 *
 * Formats (--key-format, --value-format) are a table.  avro is for values
 * only and needs an avro_msg context (avro_msg.h), which the caller makes
 * from its --schema/--registry options, owns, and lends through
 * struct kafka_envelope_opts: values are decoded with it on writing and
 * encoded with it on reading.
 */
#ifndef SW_KAFKA_ENVELOPE_H
#define SW_KAFKA_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "json.h"
#include "sbuf.h"

enum kafka_fmt {
	KAFKA_FMT_JSON,
	KAFKA_FMT_STRING,
	KAFKA_FMT_BASE64,
	KAFKA_FMT_AVRO, /* values only, through kafka_envelope_opts.avro */
};

struct avro_msg;

/* "json", "string", "base64", "avro".  Returns 0, or -1 with the reason. */
int kafka_fmt_parse(const char *s, enum kafka_fmt *f, char *err,
		    size_t errlen);
/* "json|string|base64|avro", for usage text and messages. */
const char *kafka_fmt_names(void);

/* Appends bytes p[0..n) as the JSON value format f gives (p NULL: null).
 * Returns 0, or -1 with the reason (not JSON, not UTF-8; avro is refused:
 * it needs a context, see kafka_envelope_write). */
int kafka_bytes_to_json(struct sbuf *b, enum kafka_fmt f, const void *p,
			size_t n, struct json_doc *scratch, char *err,
			size_t errlen);

struct kafka_envelope_opts {
	enum kafka_fmt key_fmt;
	enum kafka_fmt value_fmt;
	int value_only;
	struct avro_msg *avro; /* lent: for value_fmt KAFKA_FMT_AVRO */
};

/* What went wrong in kafka_envelope_write(): which part was bad; or, for
 * an Avro value, that the schema registry it needs could not be reached
 * (KAFKA_ENV_UNAVAIL, exit 69) or read (KAFKA_ENV_IOERR, exit 74), which
 * is not the message's fault. */
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

/* The message bytes of JSON value token i of d per format f, into out:
 * json: the compact text; string: the unescaped string; base64: the
 * decoded string; avro: the framed datum, encoded with avro (NULL for the
 * other formats).  Sets *is_null for JSON null.  Returns 0 or -1 with the
 * reason. */
int kafka_json_to_bytes(const struct json_doc *d, uint32_t i, enum kafka_fmt f,
			struct avro_msg *avro, struct sbuf *out, int *is_null,
			char *err, size_t errlen);

#endif
