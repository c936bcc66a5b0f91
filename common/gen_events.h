/*
 * gen_events: synthetic event streams for sw-gen (sw-gen(1)).
 *
 * Three kinds of events, each shaped like the samples in tests/fixtures/data:
 *   web     users moving through login -> cart -> done, some dropping off at
 *           each step ({"name","action","sendtime"}, epoch milliseconds);
 *   sensor  SensorTag readings of several devices, one reading per device
 *           every 8 seconds ({"ambient","bid","humidity","objecttemp","rh",
 *           "time"}, epoch seconds);
 *   tweets  tweets with hashtags and Twitter's created_at
 *           ({"created_at","id","text","user":{"screen_name"}}).
 *
 * A generator is a pure function of its seed and start time: it draws from
 * its own xoshiro256** generator (seeded through splitmix64), never from
 * rand(3) or the clock, so the same seed gives the same bytes everywhere.
 * The caller owns the output buffer; gen_next() only appends to it.
 */
#ifndef SW_GEN_EVENTS_H
#define SW_GEN_EVENTS_H

#include <stdint.h>

#include "sbuf.h"

struct gen_rng {
	uint64_t s[4];
};

void gen_rng_seed(struct gen_rng *r, uint64_t seed);
uint64_t gen_rng_next(struct gen_rng *r);
/* Uniform in [0, n), n > 0. */
uint32_t gen_rng_below(struct gen_rng *r, uint32_t n);

enum gen_kind { GEN_WEB, GEN_SENSOR, GEN_TWEETS };

/* "web", "sensor", "tweets".  Returns 0 or -1. */
int gen_kind_parse(const char *name, enum gen_kind *k);
/* The fixed first event time of a kind (microseconds since the epoch),
 * used when the caller gives none, so that default output is
 * deterministic. */
int64_t gen_default_start(enum gen_kind k);

struct gen;

/* start_us: the time of the first event. */
struct gen *gen_new(enum gen_kind k, uint64_t seed, int64_t start_us);
void gen_free(struct gen *g);
/* Appends the next event as one line of compact JSON, without the '\n'. */
void gen_next(struct gen *g, struct sbuf *out);

#endif
