/*
 * avro_valfmt: Avro as a valfmt codec, for --value-format avro of
 * sw-consume (decode) and sw-produce (encode).
 *
 * avro_valfmt_open() makes the avro_msg context from the tool's options
 * and plugs it into a struct valfmt_codec that kafka_rec.h,
 * kafka_envelope.h and valfmt.h use without knowing Avro.  The caller owns both and frees the
 * context with avro_msg_free().  Like tool_die(), the opening ends the
 * run when the options cannot work: 64 for a bad schema or option (with
 * the usage hint), else the exit status of avro_msg_exit_code().
 *
 * The Avro options of sw-consume, sw-produce and sw-avro are described
 * and handled here too: avro_valfmt_opts holds the rows that mean the
 * same in every one of them; a tool's own rows (--reader-schema,
 * --schema-id, --framing, whose values differ) use the AVRO_OPT_* codes,
 * and avro_valfmt_option() fills a struct avro_msg_opts from them all.
 */
#ifndef SW_AVRO_VALFMT_H
#define SW_AVRO_VALFMT_H

#include "avro_msg.h"
#include "tool.h"
#include "valfmt.h"

/* The name of the Avro value format, and every value format with it:
 * the values of --value-format in sw-consume and sw-produce. */
#define AVRO_VALFMT_NAME "avro"
extern const char *const avro_valfmt_names[];

enum avro_opt_code {
	AVRO_OPT_SCHEMA = TOOL_OPT_AVRO_BASE,
	AVRO_OPT_READER_SCHEMA,
	AVRO_OPT_REGISTRY,
	AVRO_OPT_REGISTRY_USER,
	AVRO_OPT_REGISTRY_PASSWORD_FILE,
	AVRO_OPT_SCHEMA_ID,
	AVRO_OPT_FRAMING,
	AVRO_OPT_JSON,
};

/* --schema, --registry, --registry-user, --registry-password-file,
 * --json. */
extern const struct tool_opt avro_valfmt_opts[];

/* Handles an AVRO_OPT_* option into o; framings are the --framing values
 * the tool takes (AVRO_FRAMINGS_DECODE, ...).  Returns 1 when c was one,
 * 0 when it is the tool's own.  A bad value is a usage error. */
int avro_valfmt_option(struct tool *t, struct avro_msg_opts *o,
		       const char *const *framings, int c, const char *arg);

void avro_valfmt_open(struct tool *t, const struct avro_msg_opts *o,
		      int encode, struct avro_msg **m,
		      struct valfmt_codec *codec);

#endif
