/*
 * window_agg: the aggregates of sw-window (count, sum, avg, min, max, first,
 * last, distinct), one flat struct wagg per aggregate per window and group.
 *
 * Values arrive as compact JSON text (struct jval, from jpath_eval) and are
 * never parsed into a tree: sum and avg read numbers with json_num_*,
 * min/max/first/last keep a copy of the value's text, distinct keeps a set
 * of texts.  A missing value (v->p == NULL) or null is skipped by every
 * aggregate but count, which counts records.
 *
 * The caller owns each struct wagg: it zeroes it with wagg_init() and
 * releases what it holds with wagg_free().  wagg_merge() consumes its
 * source.  Nothing here prints or exits.
 *
 * Ordering of JSON values (min, max, --top, sorting of group values) is
 * jq's: null < false < true < numbers < strings < arrays < objects; numbers
 * compare numerically, strings by Unicode code point, arrays and objects by
 * their compact text.
 */
#ifndef SW_WINDOW_AGG_H
#define SW_WINDOW_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "jpath.h"
#include "sbuf.h"

enum wagg_kind {
	WAGG_COUNT,
	WAGG_SUM,
	WAGG_AVG,
	WAGG_MIN,
	WAGG_MAX,
	WAGG_FIRST,
	WAGG_LAST,
	WAGG_DISTINCT,
};

struct wagg_set;

struct wagg {
	int64_t n;            /* records (count) or values taken (others) */
	int64_t i;            /* integer sum; arrival number for first/last */
	double d;             /* float sum; min/max: the value if a number */
	char *v;              /* min/max/first/last: the value's JSON text */
	uint32_t len, cap;    /* of v */
	uint8_t isint;        /* sum/avg: every value so far an integer */
	struct wagg_set *set; /* distinct */
};

/* "count", "sum", …; NULL for an unknown kind. */
const char *wagg_kind_name(enum wagg_kind k);

void wagg_init(struct wagg *a);
void wagg_free(struct wagg *a);

/* The reason wagg_check gives for v; returns -1. */
int wagg_check_fail(const struct jval *v, char *err, size_t errlen);
/* The same for a number with an exponent or many digits: 0 when it fits
 * a double, else -1 with a reason. */
int wagg_check_range(const struct jval *v, char *err, size_t errlen);

/* Checks that v can be given to an aggregate of kind k: sum and avg need a
 * number that fits a double (or a missing value or null).  Returns 0, or
 * -1 with a reason.  Inline: it runs for every value of every record. */
static inline int wagg_check(enum wagg_kind k, const struct jval *v,
			     char *err, size_t errlen)
{
	if ((k != WAGG_SUM && k != WAGG_AVG) || !v->p || v->type == JSON_NULL)
		return 0;
	if (v->type != JSON_NUMBER)
		return wagg_check_fail(v, err, errlen);
	/* Without an exponent, fewer than 309 digits always fit. */
	if (v->n > 300)
		return wagg_check_range(v, err, errlen);
	for (size_t i = 0; i < v->n; i++)
		if ((v->p[i] | 0x20) == 'e')
			return wagg_check_range(v, err, errlen);
	return 0;
}
/* Adds one record's value (already checked); seq numbers records in
 * arrival order so that first and last survive merges. */
void wagg_add(enum wagg_kind k, struct wagg *a, const struct jval *v,
	      uint64_t seq);
/* Folds src into dst (session windows that merge); src is left empty. */
void wagg_merge(enum wagg_kind k, struct wagg *dst, struct wagg *src);
/* Appends the aggregate's JSON value. */
void wagg_put(enum wagg_kind k, const struct wagg *a, struct sbuf *out);

/* State files: the aggregate's state as one JSON value, and back from the
 * value at token i of d.  Returns 0, or -1 with a reason. */
void wagg_save(enum wagg_kind k, const struct wagg *a, struct sbuf *out);
int wagg_load(enum wagg_kind k, struct wagg *a, const struct json_doc *d,
	      uint32_t i, char *err, size_t errlen);

/* jq's order on two compact JSON texts: <0, 0, >0. */
int wagg_cmp_json(const char *a, size_t an, const char *b, size_t bn);

/* A 64-bit hash of bytes, for the window tables. */
uint64_t wagg_hash(const void *p, size_t n, uint64_t seed);

#endif
