/*
 * parquet_enc: Parquet's value and level encodings, on buffers the caller
 * owns.
 *
 *   - the RLE / bit-packed hybrid (Encodings.md "RLE"), for definition and
 *     repetition levels and dictionary indices: runs of 8 or more equal
 *     values as RLE runs, the rest as bit-packed groups of 8, LSB first;
 *   - PLAIN booleans (bit-packed, LSB first; other PLAIN values are the
 *     little-endian bytes, or a 4-byte length and the bytes, which
 *     parquet.c buffers as they come);
 *   - dictionaries of byte arrays: a hash table over the PLAIN buffer of a
 *     column chunk, which gives each value its index and the dictionary
 *     page's PLAIN text, or gives up when the dictionary grows past a
 *     limit (the caller then falls back to PLAIN).
 *
 * Nothing here allocates beyond the caller's sbufs and the pq_dict's own
 * table (freed by pq_dict_free); nothing fails but the dictionary limit.
 */
#ifndef SW_PARQUET_ENC_H
#define SW_PARQUET_ENC_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

/* Bits needed for values 0..max (0 for max 0). */
int pq_bit_width(uint32_t max);

/* Appends the hybrid encoding of v[0..n) at bit width bw (1..32), with no
 * length prefix (data pages v1 put a 4-byte one before levels). */
void pq_rle_u8(struct sbuf *out, const uint8_t *v, size_t n, int bw);
void pq_rle_u32(struct sbuf *out, const uint32_t *v, size_t n, int bw);

/* Appends n booleans (one byte each, 0 or 1) in PLAIN: one bit each. */
void pq_plain_bool(struct sbuf *out, const uint8_t *v, size_t n);

struct pq_dict {
	uint32_t *slot;  /* entry number + 1, or 0 */
	uint32_t mask;   /* slots - 1 */
	uint32_t *ent;   /* entry -> offset of its value in the PLAIN text */
	uint32_t n, cap;
	size_t bytes;    /* the dictionary's PLAIN size */
};

/* Gives each of the n byte arrays in the PLAIN text p[0..len) its
 * dictionary index in idx[].  Returns 0, or -1 when the dictionary's PLAIN
 * size would pass max bytes or the text is too large to index. */
int pq_dict_build(struct pq_dict *d, const char *p, size_t len, uint32_t n,
		  uint32_t *idx, size_t max);
/* Appends the dictionary page's PLAIN text (entries in index order). */
void pq_dict_plain(const struct pq_dict *d, const char *p, struct sbuf *out);
void pq_dict_free(struct pq_dict *d);

#endif
