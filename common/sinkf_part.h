/*
 * sinkf_part: which Hive-style partition directory a record goes to, for
 * sw-sink-files --partition-by and --partition-time.
 *
 * Steps are kept in the order given; each appends one or more directory
 * levels to the record's key:
 *   - a field: NAME=value, the value escaped as Hive escapes path values
 *     (%XX for control characters and "#%'*\/:=?\\{[]^ and DEL), a null,
 *     missing or empty value as __HIVE_DEFAULT_PARTITION__;
 *   - the event time: strftime(3) of the --partition-format, in UTC or in
 *     the zone timefmt_set_zone() made the process's.
 * A record whose time is missing or unreadable is bad input.
 *
 * The sinkf_part owns its compiled paths; sinkf_part_free() releases them.
 * Nothing here prints.
 */
#ifndef SW_SINKF_PART_H
#define SW_SINKF_PART_H

#include <stddef.h>

#include "json.h"
#include "sbuf.h"
#include "timefmt.h"

struct sinkf_part;

struct sinkf_part *sinkf_part_new(void);
void sinkf_part_free(struct sinkf_part *p);

/* --partition-by [NAME=]PATH.  Returns 0, or -1 with err. */
int sinkf_part_add_field(struct sinkf_part *p, const char *spec, char *err,
			 size_t errlen);
/* --partition-time PATH, read with tf (which must outlive p). */
int sinkf_part_add_time(struct sinkf_part *p, const char *path,
			const struct timefmt *tf, char *err, size_t errlen);
/* --partition-format FMT. */
void sinkf_part_set_format(struct sinkf_part *p, const char *fmt);
/* Checks the combination (a time needs a format and the reverse).
 * Returns 0, or -1 with err. */
int sinkf_part_ready(const struct sinkf_part *p, char *err, size_t errlen);
/* Whether there are steps at all. */
int sinkf_part_any(const struct sinkf_part *p);

/* Appends the record's directory ("a=x/dt=2021-12-12"; nothing without
 * steps).  Returns 0, or -1 with err naming the field (bad input). */
int sinkf_part_key(struct sinkf_part *p, const struct json_doc *d,
		   struct sbuf *out, char *err, size_t errlen);

/* Appends the Hive escape of the value s[0..n). */
void sinkf_hive_escape(struct sbuf *b, const char *s, size_t n);

#endif
