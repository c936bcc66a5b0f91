/*
 * kafka_cli: the options sw-consume and sw-produce share, described and
 * handled in one place: the cluster (-b, -X, -F, into a struct
 * kafka_opts, kafka_conf.h) and the formats of keys and values
 * (--key-format, --value-format, into a struct kafka_envelope_opts).
 *
 * A tool puts kafka_cli_opts among its option groups (struct tool_cli)
 * and offers each option to kafka_cli_option() in its getopt loop.  The
 * Avro options that go with --value-format avro are avro_valfmt.h's.
 */
#ifndef SW_KAFKA_CLI_H
#define SW_KAFKA_CLI_H

#include "kafka_conf.h"
#include "kafka_rec.h"
#include "tool.h"

enum kafka_cli_code {
	KAFKA_CLI_KEY_FORMAT = TOOL_OPT_KAFKA_BASE,
	KAFKA_CLI_VALUE_FORMAT,
};

extern const struct tool_opt kafka_cli_opts[];

/* Handles an option of kafka_cli_opts: returns 1 when c was one, 2 for
 * "-X list" (the tool prints rd_kafka_conf_properties_show() and exits),
 * 0 when c is the tool's own.  A bad value is a usage error. */
int kafka_cli_option(struct tool *t, struct kafka_opts *ko,
		     struct kafka_envelope_opts *eo, int c, const char *arg);

#endif
