/*
 * kafka_envelope: writing the Kafka record envelope of sw(7) from a
 * consumed librdkafka message (sw-consume, sw-produce --report).  Reading
 * one is kafka_rec.h, which needs no librdkafka.
 *
 * kafka_envelope_write() appends one message as {"topic","partition",
 * "offset","timestamp","timestamp_type","key","headers","value"} in that
 * order, straight from the rd_kafka_message_t with sbuf writers; a JSON
 * value is validated with json_compact() into the caller's scratch doc and
 * its compact text copied.  Keys and values are written per their format
 * by valfmt.h; a value format of its own (Avro) is the codec the caller
 * lends through struct kafka_envelope_opts.
 */
#ifndef SW_KAFKA_ENVELOPE_H
#define SW_KAFKA_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "json.h"
#include "kafka_rec.h"
#include "sbuf.h"

_Static_assert(KAFKA_PARTITION_ANY == RD_KAFKA_PARTITION_UA,
	       "kafka_rec's any partition is librdkafka's");

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

#endif
