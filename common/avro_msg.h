/*
 * avro_msg: Avro messages (one datum with its framing), the module behind
 * `sw-avro decode|encode --field` and `sw-consume|sw-produce
 * --value-format avro`.
 *
 * A context is made once from the command-line options (--schema,
 * --reader-schema, --registry, --framing, --schema-id, --json); then
 *   avro_msg_decode(): message bytes -> JSON text appended to an sbuf,
 *   avro_msg_encode(): a JSON value (a json.h token) -> framed bytes.
 * Framings: raw (a bare datum: the writer schema is --schema), confluent
 * (0x00, 4-byte big-endian schema id, datum: the id is looked up in
 * --registry, or --schema is taken as the writer), single-object (C3 01,
 * 8-byte little-endian CRC-64-AVRO of the writer's canonical form, datum:
 * --schema when it has that fingerprint, else the registry directory),
 * and auto on decode (by the first bytes: 00 confluent, C3 01
 * single-object, else raw).  With --reader-schema every writer schema is
 * resolved to it.  Resolution plans are compiled once per writer schema
 * and cached, as registry schemas are.
 *
 * The context owns its schemas, registry and caches; free it with
 * avro_msg_free().  Nothing here prints or exits: each call returns one of
 * the codes below and fills err, and the caller maps them to exit codes
 * (EUSAGE 64, EDATA 65, EUNAVAIL 69, EIO 74).
 *
 * Typical use (sw-avro decode --field; sw-consume and sw-produce go
 * through avro_valfmt.h, which does the same):
 *	struct avro_msg_opts o = AVRO_MSG_OPTS_INIT;
 *	o.schema = ...; o.registry = ...;
 *	rc = avro_msg_new(&m, &o, 0, err, sizeof err);   (1 to encode)
 *	rc == AVRO_MSG_EUSAGE -> usage error; other rc < 0 -> exit
 *	                         avro_msg_exit_code(rc)
 *	per message: rc = avro_msg_decode(m, payload, len, &out, err, sizeof err);
 *	             rc == AVRO_MSG_EDATA -> bad input naming topic/offset
 */
#ifndef SW_AVRO_MSG_H
#define SW_AVRO_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "avro_decode.h"
#include "avro_encode.h"
#include "json.h"
#include "sbuf.h"

#define AVRO_MSG_EUSAGE (-1)
#define AVRO_MSG_EDATA (-2)
#define AVRO_MSG_EUNAVAIL (-3)
#define AVRO_MSG_EIO (-4)

/* The exit status (exitcode.h) for one of the AVRO_MSG_E* codes. */
int avro_msg_exit_code(int rc);

enum avro_framing {
	AVRO_FRAME_AUTO,
	AVRO_FRAME_RAW,
	AVRO_FRAME_CONFLUENT,
	AVRO_FRAME_SINGLE,
	AVRO_FRAME_CONTAINER, /* files only: not a message framing */
};

struct avro_msg_opts {
	const char *schema;        /* writer schema file (--schema) */
	const char *reader_schema; /* --reader-schema file */
	const char *registry;      /* --registry DIR|URL */
	const char *registry_user; /* --registry-user, or NULL */
	const char *registry_password_file; /* --registry-password-file */
	enum avro_framing framing; /* decode: auto by default */
	enum avro_json json;       /* --json plain|avro */
	int64_t schema_id;         /* --schema-id, or -1 */
};

#define AVRO_MSG_OPTS_INIT                                                   \
	{ NULL, NULL, NULL, NULL, NULL, AVRO_FRAME_AUTO, AVRO_JSON_PLAIN, -1 }

struct avro_msg;

/* "auto", "raw", "confluent", "single-object", "container".  0 or -1. */
int avro_framing_parse(const char *s, enum avro_framing *f);
/* Their names (NULL-terminated): every framing, then those that a message
 * may have when decoded (auto and after) and when encoded. */
extern const char *const avro_framing_names[];
#define AVRO_FRAMINGS_DECODE (avro_framing_names + 1)
#define AVRO_FRAMINGS_ENCODE (avro_framing_names + 2)
/* "plain", "avro".  0 or -1. */
int avro_json_parse(const char *s, enum avro_json *j);
/* "plain", "avro" (enum order), NULL: the values of --json. */
extern const char *const avro_json_names[];

/* Loads the schemas (an invalid schema file is EUSAGE naming the file and
 * the problem) and opens the registry.  encode selects what encoding
 * needs: a schema (--schema, or --schema-id in --registry) and, for
 * confluent framing, an id (--schema-id, or the directory's id of that
 * schema). */
int avro_msg_new(struct avro_msg **out, const struct avro_msg_opts *o,
		 int encode, char *err, size_t errlen);
void avro_msg_free(struct avro_msg *m);

/* Decodes the message p[0..n), appending one JSON value to out (nothing on
 * error).  Trailing bytes after the datum are an error. */
int avro_msg_decode(struct avro_msg *m, const void *p, size_t n,
		    struct sbuf *out, char *err, size_t errlen);
/* Appends the framed datum of the value rooted at token tok of d. */
int avro_msg_encode(struct avro_msg *m, const struct json_doc *d,
		    uint32_t tok, struct sbuf *out, char *err, size_t errlen);

/* For file streams of framed datums: decodes one message at the start of
 * p[0..n) and sets *used to its length. */
int avro_msg_decode_prefix(struct avro_msg *m, const void *p, size_t n,
			   size_t *used, struct sbuf *out, char *err,
			   size_t errlen);

/* The schema encoding writes (NULL before avro_msg_new with encode). */
const struct avro_schema *avro_msg_schema(const struct avro_msg *m);
/* The reader schema, or NULL. */
const struct avro_schema *avro_msg_reader_schema(const struct avro_msg *m);

#endif
