/*
 * valfmt: message bytes as a JSON value and back, per a --key-format or
 * --value-format (sw(7)): json (the bytes are JSON text; written compact),
 * string (UTF-8 text as a JSON string) or base64 (any bytes, as a base64
 * JSON string).  Kafka keys and values (kafka_rec.h, kafka_envelope.h)
 * and MQTT payloads (mqtt_msg.h) are read and written here.
 *
 * A format of its own (Avro) is a codec the tool plugs in: VALFMT_CODEC
 * with a struct valfmt_codec whose functions do both ways.  This module
 * knows no codec; the Avro one is avro_msg.h's avro_msg_codec().  The
 * caller owns the codec and its context and lends them.
 */
#ifndef SW_VALFMT_H
#define SW_VALFMT_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "sbuf.h"

enum valfmt {
	VALFMT_JSON,
	VALFMT_STRING,
	VALFMT_BASE64,
	VALFMT_CODEC, /* through a struct valfmt_codec */
};

/* What a conversion returns besides 0: the bytes or the value are wrong
 * (bad input), or a codec could not reach (VALFMT_EUNAVAIL, exit 69) or
 * read (VALFMT_EIO, exit 74) what it needs, which is not the message's
 * fault. */
#define VALFMT_EBAD (-1)
#define VALFMT_EUNAVAIL (-2)
#define VALFMT_EIO (-3)

struct valfmt_codec {
	void *ctx;
	/* Appends the JSON value of the bytes p[0..n). */
	int (*decode)(void *ctx, const void *p, size_t n, struct sbuf *out,
		      char *err, size_t errlen);
	/* Appends the bytes of JSON value token i of d. */
	int (*encode)(void *ctx, const struct json_doc *d, uint32_t i,
		      struct sbuf *out, char *err, size_t errlen);
};

/* The names of the formats, in enum order (for lists that go on with a
 * codec's name), and them as a NULL-terminated list: the values of
 * --key-format and --value-format. */
#define VALFMT_NAMES "json", "string", "base64"
extern const char *const valfmt_names[];

/* A name of valfmt_names, or codec_name (NULL: none) for
 * VALFMT_CODEC.  Returns 0, or -1 with "S: expected json|string|base64…"
 * in err. */
int valfmt_parse(const char *s, const char *codec_name, enum valfmt *f,
		 char *err, size_t errlen);

/* Appends bytes p[0..n) as the JSON value format f gives (p NULL: null).
 * Returns 0, or a VALFMT_E* code with the reason in err (not JSON, not
 * UTF-8; VALFMT_CODEC without a codec) and b as it was. */
int valfmt_to_json(struct sbuf *b, enum valfmt f, const struct valfmt_codec *c,
		   const void *p, size_t n, struct json_doc *scratch,
		   char *err, size_t errlen);

/* The bytes of JSON value token i of d per format f, appended to out:
 * json: the compact text; string: the unescaped string; base64: the
 * decoded string; codec: what its encode gives.  Sets *is_null for JSON
 * null (nothing appended).  Returns 0, or a VALFMT_E* code with the
 * reason. */
int valfmt_from_json(const struct json_doc *d, uint32_t i, enum valfmt f,
		     const struct valfmt_codec *c, struct sbuf *out,
		     int *is_null, char *err, size_t errlen);

#endif
