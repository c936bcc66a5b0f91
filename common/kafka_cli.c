/* kafka_cli: see kafka_cli.h. */
#include "kafka_cli.h"

#include "avro_valfmt.h"

const struct tool_opt kafka_cli_opts[] = {
	{ "brokers", required_argument, 'b', "LIST",
	  "bootstrap brokers (default $SW_BROKERS, else\nlocalhost:9092)", NULL },
	{ "key-format", required_argument, KAFKA_CLI_KEY_FORMAT, NULL,
	  "format of message keys (default string)", valfmt_names },
	{ "value-format", required_argument, KAFKA_CLI_VALUE_FORMAT, NULL,
	  "format of message values (default json)", avro_valfmt_names },
	{ "property", required_argument, 'X', "NAME=VALUE",
	  "librdkafka property (repeatable; -X list\nshows them)", NULL },
	{ "config", required_argument, 'F', "FILE",
	  "file of NAME=VALUE librdkafka properties", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

int kafka_cli_option(struct tool *t, struct kafka_opts *ko,
		     struct kafka_envelope_opts *eo, int c, const char *arg)
{
	char err[256];
	int r = kafka_opts_option(ko, c, arg);

	if (r)
		return r;
	switch (c) {
	case KAFKA_CLI_KEY_FORMAT:
		if (valfmt_parse(arg, AVRO_VALFMT_NAME, &eo->key_fmt, err,
				 sizeof(err)) < 0)
			tool_usage_error(t, "--key-format: %s", err);
		if (eo->key_fmt == VALFMT_CODEC)
			tool_usage_error(t, "--key-format: avro is for values only");
		return 1;
	case KAFKA_CLI_VALUE_FORMAT:
		if (valfmt_parse(arg, AVRO_VALFMT_NAME, &eo->value_fmt, err,
				 sizeof(err)) < 0)
			tool_usage_error(t, "--value-format: %s", err);
		return 1;
	}
	return 0;
}
