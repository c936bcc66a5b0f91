/*
 * avro_valfmt: Avro as a valfmt codec, for --value-format avro of
 * sw-consume (decode) and sw-produce (encode).
 *
 * avro_valfmt_open() makes the avro_msg context from the tool's options
 * and plugs it into a struct valfmt_codec that kafka_envelope.h and
 * valfmt.h use without knowing Avro.  The caller owns both and frees the
 * context with avro_msg_free().  Like tool_die(), the opening ends the
 * run when the options cannot work: 64 for a bad schema or option (with
 * the usage hint), else the exit status of avro_msg_exit_code().
 */
#ifndef SW_AVRO_VALFMT_H
#define SW_AVRO_VALFMT_H

#include "avro_msg.h"
#include "tool.h"
#include "valfmt.h"

void avro_valfmt_open(struct tool *t, const struct avro_msg_opts *o,
		      int encode, struct avro_msg **m,
		      struct valfmt_codec *codec);

#endif
