#include "bulk_backoff.h"

#include <time.h>
#include <unistd.h>

#define BULK_BACKOFF_BASE_US 100000

void bulk_backoff_init(struct bulk_backoff *b, int64_t max_us, uint64_t seed)
{
	b->max_us = max_us;
	b->base_us = max_us < BULK_BACKOFF_BASE_US ? max_us : BULK_BACKOFF_BASE_US;
	if (!seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
		       ((uint64_t)getpid() << 40);
	}
	b->rng = seed ? seed : 1;
}

/* xorshift64*: plenty for spreading retries, and no global state. */
static uint64_t next_rand(struct bulk_backoff *b)
{
	b->rng ^= b->rng >> 12;
	b->rng ^= b->rng << 25;
	b->rng ^= b->rng >> 27;
	return b->rng * 0x2545F4914F6CDD1DULL;
}

int64_t bulk_backoff_delay(struct bulk_backoff *b, unsigned attempt)
{
	int64_t d = b->base_us;
	int64_t half;

	if (attempt < 1)
		attempt = 1;
	for (unsigned i = 1; i < attempt && d < b->max_us; i++)
		d *= 2;
	if (d > b->max_us)
		d = b->max_us;
	half = d / 2;
	return half + (int64_t)(next_rand(b) % (uint64_t)(d - half + 1));
}
