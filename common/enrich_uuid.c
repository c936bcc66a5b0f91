/*
 * enrich_uuid: version 4 and version 1 UUIDs.  See enrich_uuid.h.
 */
#include "enrich_uuid.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* 100 ns intervals between 1582-10-15 (the Gregorian reform, RFC 4122's
 * epoch) and 1970-01-01. */
#define UUID_EPOCH_OFFSET UINT64_C(0x01B21DD213814000)

void uuidgen_init(struct uuidgen *g)
{
	g->pos = UUIDGEN_POOL;
	g->last_ts = 0;
	g->v1_ready = 0;
}

static int fill(struct uuidgen *g, char *err, size_t errlen)
{
	size_t got = 0;

	while (got < UUIDGEN_POOL) {
		ssize_t n = getrandom(g->pool + got, UUIDGEN_POOL - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "getrandom: %s", strerror(errno));
			return -1;
		}
		got += (size_t)n;
	}
	g->pos = 0;
	return 0;
}

static int take(struct uuidgen *g, unsigned char *out, size_t n, char *err,
		size_t errlen)
{
	if (UUIDGEN_POOL - g->pos < n && fill(g, err, errlen) < 0)
		return -1;
	memcpy(out, g->pool + g->pos, n);
	g->pos += n;
	return 0;
}

int uuidgen_v4(struct uuidgen *g, unsigned char out[16], char *err,
	       size_t errlen)
{
	if (take(g, out, 16, err, errlen) < 0)
		return -1;
	out[6] = (unsigned char)((out[6] & 0x0f) | 0x40);
	out[8] = (unsigned char)((out[8] & 0x3f) | 0x80);
	return 0;
}

int uuidgen_v1(struct uuidgen *g, unsigned char out[16], char *err,
	       size_t errlen)
{
	struct timespec ts;
	uint64_t t;

	if (!g->v1_ready) {
		unsigned char r[8];

		if (take(g, r, sizeof(r), err, errlen) < 0)
			return -1;
		g->clock_seq = (uint16_t)((r[0] << 8 | r[1]) & 0x3fff);
		memcpy(g->node, r + 2, 6);
		g->node[0] |= 0x01; /* multicast bit: not a MAC address */
		g->v1_ready = 1;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	t = (uint64_t)ts.tv_sec * 10000000u + (uint64_t)ts.tv_nsec / 100u +
	    UUID_EPOCH_OFFSET;
	/* Within one 100 ns tick, or if the clock steps back, count on from
	 * the last value: the timestamps stay unique and increasing. */
	if (t <= g->last_ts)
		t = g->last_ts + 1;
	g->last_ts = t;
	out[0] = (unsigned char)(t >> 24);
	out[1] = (unsigned char)(t >> 16);
	out[2] = (unsigned char)(t >> 8);
	out[3] = (unsigned char)t;
	out[4] = (unsigned char)(t >> 40);
	out[5] = (unsigned char)(t >> 32);
	out[6] = (unsigned char)(((t >> 56) & 0x0f) | 0x10);
	out[7] = (unsigned char)(t >> 48);
	out[8] = (unsigned char)(((g->clock_seq >> 8) & 0x3f) | 0x80);
	out[9] = (unsigned char)g->clock_seq;
	memcpy(out + 10, g->node, 6);
	return 0;
}

void uuid_format(const unsigned char u[16], char out[36])
{
	/* where each byte's two digits go in "xxxxxxxx-xxxx-xxxx-xxxx-..." */
	static const unsigned char at[16] = { 0,  2,  4,  6,  9,  11, 14, 16,
					      19, 21, 24, 26, 28, 30, 32, 34 };
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 16; i++) {
		out[at[i]] = hex[u[i] >> 4];
		out[at[i] + 1] = hex[u[i] & 15];
	}
	out[8] = out[13] = out[18] = out[23] = '-';
}
