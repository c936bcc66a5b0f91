/*
 * bulk_backoff: how long to wait before the next attempt.
 *
 * Exponential backoff with "equal jitter": attempt n (1 for the first
 * retry) waits a random time in [d/2, d] where d = min(max, base * 2^(n-1)),
 * so retries of many clients spread out but never come back sooner than
 * half the nominal delay.  The random state is the caller's (one
 * struct per tool); seeded from the clock and pid unless a test fixes it.
 */
#ifndef SW_BULK_BACKOFF_H
#define SW_BULK_BACKOFF_H

#include <stdint.h>

struct bulk_backoff {
	int64_t base_us;
	int64_t max_us;
	uint64_t rng;
};

/* base = min(100ms, max_us); rng seeded from seed, or time and pid when 0. */
void bulk_backoff_init(struct bulk_backoff *b, int64_t max_us, uint64_t seed);
/* The delay before retry number attempt (>= 1), in microseconds. */
int64_t bulk_backoff_delay(struct bulk_backoff *b, unsigned attempt);

#endif
