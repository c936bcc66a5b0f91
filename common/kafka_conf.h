/*
 * kafka_conf: librdkafka configuration from the command line, and what a
 * Kafka error means for the exit status (sw(7), EXIT STATUS, "Kafka
 * settings").
 *
 * A tool collects -b, -X and -F into a struct kafka_opts (which only keeps
 * pointers to argv strings; kafka_opts_free() frees the arrays) and builds
 * one rd_kafka_conf_t from it.  Settings apply in this order, later ones
 * winning: the tool's defaults, bootstrap.servers from $SW_BROKERS (else
 * localhost:9092), each -F file, each -X, and -b.  The caller owns the
 * returned conf until it hands it to rd_kafka_new().
 */
#ifndef SW_KAFKA_CONF_H
#define SW_KAFKA_CONF_H

#include <stddef.h>

#include <librdkafka/rdkafka.h>

#include "wait.h"

struct kafka_opts {
	const char *brokers;  /* -b, or NULL */
	const char **props;   /* -X "name=value", in order */
	size_t nprops;
	const char **files;   /* -F paths, in order */
	size_t nfiles;
	/* How a wait for the cluster goes: in the steps wait.bound allows,
	 * ended by wait.stop (wait.h); zeroed, in one step. */
	struct wait_step wait;
};

/* Handles -b, -X and -F for a tool's getopt loop: returns 1 when c was one
 * of them, 2 for "-X list" (the tool prints rd_kafka_conf_properties_show
 * and exits), 0 when c is not a Kafka option. */
int kafka_opts_option(struct kafka_opts *o, int c, const char *arg);
void kafka_opts_add_prop(struct kafka_opts *o, const char *kv);
void kafka_opts_add_file(struct kafka_opts *o, const char *path);
void kafka_opts_free(struct kafka_opts *o);

/* The values of compression.codec a producer is offered (sw-produce -z),
 * NULL-terminated: "none", "gzip", "snappy", "lz4", "zstd". */
extern const char *const kafka_compression_names[];
/* Returns 0 when s is one of them, else -1 with "S: expected none|gzip|…"
 * in err. */
int kafka_compression_check(const char *s, char *err, size_t errlen);

/* defaults: NULL-terminated name, value pairs (may be NULL).  Returns 0,
 * or -1 with the reason in err ("-X foo=1: No such configuration
 * property", "FILE:3: expected name=value"). */
int kafka_conf_new(rd_kafka_conf_t **out, const struct kafka_opts *o,
		   const char *const *defaults, char *err, size_t errlen);

/* The broker list a conf will use, for messages. */
const char *kafka_conf_brokers(const struct kafka_opts *o);

/* The exit status for a Kafka error: 69 when the cluster could not be
 * reached (transport, resolve, all brokers down, timeouts), else 1. */
int kafka_err_exit(rd_kafka_resp_err_t e);
int kafka_err_unreachable(rd_kafka_resp_err_t e);

/* Asks the cluster for metadata (all topics when all is set, else only
 * brokers) within timeout_ms, waiting in o->wait's steps.  Returns 0 with
 * *md (free it with rd_kafka_metadata_destroy), RD_KAFKA_RESP_ERR__INTR
 * when a stop ended the wait, or the librdkafka error with err filled as
 * "cannot reach Kafka at BROKERS within Nms: REASON". */
rd_kafka_resp_err_t kafka_metadata(rd_kafka_t *rk, const struct kafka_opts *o,
				   int all, int timeout_ms,
				   const struct rd_kafka_metadata **md,
				   char *err, size_t errlen);

/* "librdkafka 2.0.2\n", for --version. */
const char *kafka_version_line(void);

#endif
