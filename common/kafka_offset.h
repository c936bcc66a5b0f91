/*
 * kafka_offset: where sw-consume starts and stops (sw-consume(1)).
 *
 * - Offset specs: "beginning", "end", "stored", "N", "-N", "s@MS", "@TIME"
 *   (TIME as timefmt reads it) and the stop form "e@MS".
 * - The checkpoint file of sw-sink-es (sw-sink-es(1)),
 *   {"offsets":{"topic":{"partition":next_offset}}}, loaded into a
 *   partition list the caller owns.
 * - Where each assigned partition starts: a resumed offset, else the
 *   group's committed one, else the -o spec (kafka_start_resolve), and
 *   where one goes on when its fetch offset is out of range
 *   (kafka_out_of_range).
 * - Data loss: start offsets below a partition's earliest retained offset,
 *   reported as text the caller prints.
 * - The questions sw-consume asks the cluster at start, waiting in the
 *   caller's steps (wait.h) so that its reports come out on time.
 * Nothing here prints; errors come back in the caller's buffer.  Only
 * kafka_offspec_apply() and kafka_check_loss() ask the brokers; the rest
 * works on partition lists the caller owns.
 */
#ifndef SW_KAFKA_OFFSET_H
#define SW_KAFKA_OFFSET_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "sbuf.h"
#include "wait.h"

enum kafka_off_kind {
	KAFKA_OFF_BEGINNING,
	KAFKA_OFF_END,
	KAFKA_OFF_STORED,
	KAFKA_OFF_ABS,  /* v: the offset */
	KAFKA_OFF_TAIL, /* v: how many before the end */
	KAFKA_OFF_TIME, /* v: epoch ms; first message at or after */
};

struct kafka_offspec {
	enum kafka_off_kind kind;
	int64_t v;
};

/* Parses one -o value.  An "e@MS" sets *end_ms (and leaves start alone);
 * anything else sets *start.  Returns 0, or -1 with the reason. */
int kafka_offspec_parse(const char *s, struct kafka_offspec *start,
			int64_t *end_ms, char *err, size_t errlen);

/* The librdkafka offset that s stands for: RD_KAFKA_OFFSET_BEGINNING
 * (also for "stored": partitions without a committed offset), _END,
 * _TAIL(N), N, or for a time the time in ms (what
 * rd_kafka_offsets_for_times() takes). */
int64_t kafka_offspec_offset(const struct kafka_offspec *s);

/* Sets the offset of every element of l from s.  A time is asked of the
 * brokers (rd_kafka_offsets_for_times); an element they cannot resolve
 * (no time index, nothing that late) starts at the beginning, marked
 * with opaque = (void *)1: its messages before the time are to be
 * dropped as they come. */
void kafka_offspec_apply(rd_kafka_t *rk, const struct kafka_offspec *s,
			 rd_kafka_topic_partition_list_t *l, int timeout_ms,
			 const struct wait_step *w);

/* Where one assigned partition starts. */
struct kafka_start {
	int64_t offset;  /* what it is assigned at */
	int from_stored; /* a resumed or committed offset: what comes before
			    it was read by an earlier run */
	int scan;        /* a time no broker resolved: drop older messages */
};

/* Where each element of l starts: at its offset in resume (NULL: none),
 * else at its committed offset (committed: l's elements in l's order with
 * rd_kafka_committed()'s answers, or NULL), else at spec's (l's elements
 * in l's order after kafka_offspec_apply()).  Sets the offsets of l and
 * out[0..l->cnt), and adds the elements that start at a stored offset to
 * check, for kafka_check_loss(). */
void kafka_start_resolve(rd_kafka_topic_partition_list_t *l,
			 const rd_kafka_topic_partition_list_t *resume,
			 const rd_kafka_topic_partition_list_t *committed,
			 const rd_kafka_topic_partition_list_t *spec,
			 struct kafka_start *out,
			 rd_kafka_topic_partition_list_t *check);

/* Sets, in to, the offset of every partition that from names too. */
void kafka_offsets_copy(rd_kafka_topic_partition_list_t *to,
			const rd_kafka_topic_partition_list_t *from);

/* A fetch at offset found it outside the partition's [lo, hi].  Returns 1
 * for data loss, with *to = lo (the earliest, to go on from when loss is
 * only warned of): offset is past hi (the partition was recreated or
 * truncated, whatever the offset came from), or below lo when it stood
 * for records read before (read: stored, resumed, or reached in this
 * run).  Returns 0 otherwise, with *to the nearer end. */
int kafka_out_of_range(int64_t offset, int64_t lo, int64_t hi, int read,
		       int64_t *to);

/* Loads a checkpoint file into *out (NULL when the file does not exist:
 * nothing to resume).  Returns 0, or -1 with the reason. */
int kafka_resume_load(const char *path, rd_kafka_topic_partition_list_t **out,
		      char *err, size_t errlen);

/* For each element of list with a real offset (>= 0), asks for the
 * partition's watermarks; an offset below the low watermark (retention
 * deleted the data) or above the high one (the partition was recreated or
 * truncated: what it holds now was never read) is data loss: its
 * kafka_loss_text is appended to report (comma separated) and the
 * element's offset moved to the low watermark.  Returns the number of
 * partitions with loss, or -1 with err when the cluster did not answer. */
/* "web[0] offsets 0-41 no longer retained" for an offset below lo, else
 * "web[0] offset 500 is past the end (42): the partition was recreated or
 * truncated". */
void kafka_loss_text(struct sbuf *b, const char *topic, int32_t partition,
		     int64_t offset, int64_t lo, int64_t hi);
int kafka_check_loss(rd_kafka_t *rk, rd_kafka_topic_partition_list_t *list,
		     int timeout_ms, const struct wait_step *w,
		     struct sbuf *report, char *err, size_t errlen);

/* rd_kafka_committed(), rd_kafka_query_watermark_offsets() and
 * rd_kafka_offsets_for_times() waiting within timeout_ms in the steps w
 * allows (wait.h): the same results, and RD_KAFKA_RESP_ERR__INTR when a
 * stop ended the wait. */
rd_kafka_resp_err_t kafka_committed(rd_kafka_t *rk,
				    rd_kafka_topic_partition_list_t *list,
				    int timeout_ms, const struct wait_step *w);
rd_kafka_resp_err_t kafka_watermarks(rd_kafka_t *rk, const char *topic,
				     int32_t partition, int64_t *lo,
				     int64_t *hi, int timeout_ms,
				     const struct wait_step *w);
rd_kafka_resp_err_t kafka_offsets_for_times(rd_kafka_t *rk,
					    rd_kafka_topic_partition_list_t *list,
					    int timeout_ms,
					    const struct wait_step *w);

#endif
