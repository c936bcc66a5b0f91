/*
 * bulk_ckpt: which Kafka offsets a sink may report as done.
 *
 * Records that carry envelope fields (topic, partition, offset, as
 * kafka_envelope_origin() reads them) are registered in the order they are
 * read; each gets a reference that the sink marks done once the record is
 * acknowledged or dead-lettered, in any order.  Per partition the checkpoint is the lowest offset still pending,
 * or, with nothing pending, the offset after the highest seen: the offset
 * a consumer resumes from without losing a record
 * ({"offsets":{"web":{"0":43,"1":17}}}, as sw-consume --resume reads it).
 *
 * Partitions named in an earlier checkpoint file (bulk_ckpt_load) keep
 * their offsets until records of theirs are seen, so a restart that has
 * not reached every partition yet does not forget any.  The tracker owns
 * its topic names and pending lists; bulk_ckpt_free() releases them.
 */
#ifndef SW_BULK_CKPT_H
#define SW_BULK_CKPT_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

struct bulk_ckpt;
struct stats;

struct bulk_ckpt_ref {
	int32_t part; /* -1: the record has no envelope */
	uint64_t seq;
};

struct bulk_ckpt *bulk_ckpt_new(void);
void bulk_ckpt_free(struct bulk_ckpt *c);

/* Reads a checkpoint file written earlier.  A missing file is not an
 * error.  Returns 0, or -1 with a reason in err. */
int bulk_ckpt_load(struct bulk_ckpt *c, const char *path, char *err,
		   size_t errlen);

/* Registers a pending record of topic[0..topic_len) (unescaped). */
void bulk_ckpt_add(struct bulk_ckpt *c, const char *topic, size_t topic_len,
		   int32_t partition, int64_t offset, struct bulk_ckpt_ref *ref);
/* Marks a record acknowledged or dead-lettered.  No-op for part -1. */
void bulk_ckpt_done(struct bulk_ckpt *c, const struct bulk_ckpt_ref *ref);

/* Sets the checkpoint of a partition with nothing pending: the offset a
 * consumer resumes from (for a sink that tracks its own commits, as
 * sw-sink-files does with its log). */
void bulk_ckpt_set(struct bulk_ckpt *c, const char *topic, size_t topic_len,
		   int32_t partition, int64_t next);

/* Adds every partition's checkpoint offset to a progress report, as the
 * gauge checkpoint_offset with topic and partition labels; help says what
 * "committed" means for the tool. */
void bulk_ckpt_stats(struct bulk_ckpt *c, struct stats *s, const char *help);
/* Appends {"offsets":{…}} (topics and partitions in first-seen order). */
void bulk_ckpt_format(struct bulk_ckpt *c, struct sbuf *out);
/* Writes the checkpoint to path atomically (a temporary file in the same
 * directory, then rename).  Returns 0, or -1 with a reason in err. */
int bulk_ckpt_write(struct bulk_ckpt *c, const char *path, char *err,
		    size_t errlen);

#endif
