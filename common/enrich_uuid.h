/*
 * enrich_uuid: UUIDs for sw-enrich --uuid (version 4) and --uuid-time
 * (version 1), RFC 4122.
 *
 * libuuid costs a system call or more per UUID (measured: 4.4 us for v4,
 * 6.9 us for v1 on the project machine), which is more than the whole
 * per-record budget.  So version 4 draws its 122 random bits from a buffer
 * refilled with getrandom(2) 64 KiB at a time, and version 1 is built here:
 * a 60-bit count of 100 ns since 1582-10-15 that never repeats or goes back
 * within the process, a random clock sequence and a random node with the
 * multicast bit set (RFC 4122 4.5: no MAC address is revealed).
 *
 * The caller owns the struct uuidgen; it is not for use from several
 * threads at once.
 */
#ifndef SW_ENRICH_UUID_H
#define SW_ENRICH_UUID_H

#include <stddef.h>
#include <stdint.h>

#define UUIDGEN_POOL 65536

struct uuidgen {
	size_t pos;          /* next unused byte of pool */
	uint64_t last_ts;    /* last version 1 timestamp handed out */
	uint16_t clock_seq;
	unsigned char node[6];
	int v1_ready;
	unsigned char pool[UUIDGEN_POOL];
};

void uuidgen_init(struct uuidgen *g);
/* Return 0, or -1 with err when the system has no randomness to give. */
int uuidgen_v4(struct uuidgen *g, unsigned char out[16], char *err,
	       size_t errlen);
int uuidgen_v1(struct uuidgen *g, unsigned char out[16], char *err,
	       size_t errlen);
/* Writes the 36 characters of the canonical lower-case form (no NUL). */
void uuid_format(const unsigned char u[16], char out[36]);

#endif
