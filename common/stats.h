/*
 * stats: one progress report of a tool's figures (sw(7), PROGRESS REPORTS),
 * rendered as a JSON line, in the Prometheus text exposition format, or as
 * a short line for a terminal.
 *
 * The run-time (tool.c) starts a report, adds the common counters, lets
 * the tool add what only it knows through its registered callback, and
 * renders the report.  Each figure is a counter (it only goes up: records,
 * errors, reconnects) or a gauge (a level: lag, messages in flight, a
 * rate), optionally labelled with a Kafka topic and partition.
 *
 * Names and help texts are string constants that the caller keeps alive
 * until the report is rendered; a topic name is copied.  A name is
 * snake_case: the JSON key as it is, the Prometheus metric
 * sw_<tool>_<name>, with "_total" added to a counter's name.  Nothing here
 * prints.
 */
#ifndef SW_STATS_H
#define SW_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

enum stats_kind {
	STATS_COUNTER, /* unsigned, only goes up */
	STATS_GAUGE,   /* signed integer level */
	STATS_GAUGE_F, /* fractional level (a rate) */
	STATS_TIME,    /* a time in ms since the epoch (a watermark) */
};

struct stats_item {
	const char *name;
	const char *help;
	enum stats_kind kind;
	uint64_t u;
	int64_t i;
	double f;
	char *topic; /* NULL: not a partition's figure */
	int32_t partition;
};

struct stats {
	struct stats_item *v;
	size_t n, cap;
};

void stats_init(struct stats *s);
void stats_reset(struct stats *s); /* empties the report, keeps memory */
void stats_free(struct stats *s);

void stats_counter(struct stats *s, const char *name, uint64_t v,
		   const char *help);
void stats_gauge(struct stats *s, const char *name, int64_t v,
		 const char *help);
void stats_gauge_f(struct stats *s, const char *name, double v,
		   const char *help);
/* An event time, ms since the epoch: RFC 3339 (UTC, milliseconds) in
 * JSON, a gauge NAME_seconds in Prometheus.  ms < 0 (none yet): null, and
 * no sample in Prometheus. */
void stats_time(struct stats *s, const char *name, int64_t ms,
		const char *help);
/* A figure of one Kafka partition.  JSON groups them into rows,
 * "partitions":[{"topic":T,"partition":P,NAME:V,...}]; Prometheus labels
 * them {topic="T",partition="P"}. */
void stats_part_counter(struct stats *s, const char *topic, int32_t partition,
			const char *name, uint64_t v, const char *help);
void stats_part_gauge(struct stats *s, const char *topic, int32_t partition,
		      const char *name, int64_t v, const char *help);

/* Appends ,"name":value for every figure, then the partitions' rows (when
 * there are any): the inside of a JSON object after its first member. */
void stats_json(const struct stats *s, struct sbuf *b);
/* Appends the whole report as Prometheus text: for each name, # HELP,
 * # TYPE and its samples.  tool is the program's name ("sw-sink-es"). */
void stats_prometheus(const struct stats *s, const char *tool,
		      struct sbuf *b);
/* Appends ", name value" for the figures from index from on (partitions
 * left out): the tail of a terminal status line. */
void stats_line(const struct stats *s, size_t from, struct sbuf *b);

#endif
