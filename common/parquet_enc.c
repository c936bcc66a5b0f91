/* parquet_enc: RLE/bit-packed hybrid, PLAIN booleans, dictionaries. */
#include "parquet_enc.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

int pq_bit_width(uint32_t max)
{
	int bw = 0;

	while (max) {
		bw++;
		max >>= 1;
	}
	return bw;
}

static void rle_run(struct sbuf *out, uint32_t v, size_t n, int bw)
{
	char b[4];

	sbuf_put_varint(out, (uint64_t)n << 1);
	for (int k = 0; k < (bw + 7) / 8; k++)
		b[k] = (char)(v >> (8 * k));
	sbuf_put(out, b, (size_t)(bw + 7) / 8);
}

/* Bit-packs groups of 8 from v (ngroups * 8 values, those at or past n
 * taken as 0). */
#define BITPACK(out, v, i, n, ngroups, bw)                                   \
	do {                                                                 \
		uint64_t acc_ = 0;                                           \
		int bits_ = 0;                                               \
		size_t end_ = (i) + (size_t)(ngroups) * 8;                   \
		sbuf_put_varint(out, (uint64_t)(ngroups) << 1 | 1);                \
		sbuf_grow(out, (size_t)(ngroups) * (size_t)(bw) + 8);        \
		for (size_t k_ = (i); k_ < end_; k_++) {                     \
			uint64_t x_ = k_ < (n) ? (uint64_t)(v)[k_] : 0;      \
			acc_ |= x_ << bits_;                                 \
			bits_ += (bw);                                       \
			while (bits_ >= 8) {                                 \
				(out)->p[(out)->len++] = (char)acc_;         \
				acc_ >>= 8;                                  \
				bits_ -= 8;                                  \
			}                                                    \
		}                                                            \
		(out)->p[(out)->len] = '\0';                                 \
	} while (0)

/* Equal values from i on, counting at most cap. */
#define RUNLEN(v, i, n, cap, r)                                              \
	do {                                                                 \
		(r) = 1;                                                     \
		while ((i) + (r) < (n) && (r) < (cap) &&                     \
		       (v)[(i) + (r)] == (v)[i])                             \
			(r)++;                                               \
	} while (0)

/* Runs of 8 or more go out as RLE; anything else is bit-packed in groups
 * of 8 up to the next group that starts such a run.  A group may take the
 * first values of a run; the rest of it is still a run when 8 are left. */
#define RLE_HYBRID(out, v, n, bw)                                            \
	do {                                                                 \
		size_t i_ = 0, r_, j_;                                       \
		while (i_ < (n)) {                                           \
			RUNLEN(v, i_, n, (size_t)-1, r_);                    \
			if (r_ >= 8) {                                       \
				rle_run(out, (uint32_t)(v)[i_], r_, bw);     \
				i_ += r_;                                    \
				continue;                                    \
			}                                                    \
			j_ = i_;                                             \
			do {                                                 \
				j_ += 8;                                     \
				if (j_ >= (n))                               \
					break;                               \
				RUNLEN(v, j_, n, 8, r_);                     \
			} while (r_ < 8 && j_ - i_ < 8 * 63);                \
			size_t g_ = (j_ - i_) / 8;                           \
			BITPACK(out, v, i_, n, g_, bw);                      \
			i_ = j_;                                             \
		}                                                            \
	} while (0)

void pq_rle_u8(struct sbuf *out, const uint8_t *v, size_t n, int bw)
{
	RLE_HYBRID(out, v, n, bw);
}

void pq_rle_u32(struct sbuf *out, const uint32_t *v, size_t n, int bw)
{
	RLE_HYBRID(out, v, n, bw);
}

void pq_plain_bool(struct sbuf *out, const uint8_t *v, size_t n)
{
	size_t nb = (n + 7) / 8;

	sbuf_grow(out, nb + 1);
	memset(out->p + out->len, 0, nb);
	for (size_t i = 0; i < n; i++)
		if (v[i])
			out->p[out->len + i / 8] |= (char)(1u << (i % 8));
	out->len += nb;
	out->p[out->len] = '\0';
}

static uint32_t get_u32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4); /* little-endian hosts only, as PLAIN is */
	return v;
}

static uint64_t hash_bytes(const char *p, uint32_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15u ^ n, x;
	uint32_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&x, p + i, 8);
		h = (h ^ x) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	x = 0;
	memcpy(&x, p + i, n - i);
	h = (h ^ x) * 0xc4ceb9fe1a85ec53u;
	return h ^ (h >> 29);
}

static void dict_grow(struct pq_dict *d, const char *p)
{
	uint32_t nslots = d->mask ? 2 * (d->mask + 1) : 1024;

	free(d->slot);
	d->slot = xcalloc(nslots, sizeof(*d->slot));
	d->mask = nslots - 1;
	for (uint32_t e = 0; e < d->n; e++) {
		uint32_t off = d->ent[e];
		uint32_t s = (uint32_t)hash_bytes(p + off + 4,
						  get_u32(p + off)) & d->mask;
		while (d->slot[s])
			s = (s + 1) & d->mask;
		d->slot[s] = e + 1;
	}
}

int pq_dict_build(struct pq_dict *d, const char *p, size_t len, uint32_t n,
		  uint32_t *idx, size_t max)
{
	size_t off = 0;

	d->n = 0;
	d->bytes = 0;
	if (len >= UINT32_MAX)
		return -1;
	if (d->mask)
		memset(d->slot, 0, (d->mask + 1) * sizeof(*d->slot));
	for (uint32_t i = 0; i < n; i++) {
		uint32_t vl = get_u32(p + off);
		const char *v = p + off + 4;
		uint32_t s;

		if (2 * (d->n + 1) > d->mask)
			dict_grow(d, p);
		s = (uint32_t)hash_bytes(v, vl) & d->mask;
		for (;;) {
			uint32_t e = d->slot[s];
			if (!e)
				break;
			if (get_u32(p + d->ent[e - 1]) == vl &&
			    memcmp(p + d->ent[e - 1] + 4, v, vl) == 0)
				break;
			s = (s + 1) & d->mask;
		}
		if (!d->slot[s]) {
			d->bytes += 4 + (size_t)vl;
			if (d->bytes > max)
				return -1;
			if (d->n == d->cap) {
				d->cap = d->cap ? 2 * d->cap : 1024;
				d->ent = xrealloc(d->ent,
						  d->cap * sizeof(*d->ent));
			}
			d->ent[d->n++] = (uint32_t)off;
			d->slot[s] = d->n;
		}
		idx[i] = d->slot[s] - 1;
		off += 4 + (size_t)vl;
	}
	return 0;
}

void pq_dict_plain(const struct pq_dict *d, const char *p, struct sbuf *out)
{
	for (uint32_t e = 0; e < d->n; e++)
		sbuf_put(out, p + d->ent[e], 4 + (size_t)get_u32(p + d->ent[e]));
}

void pq_dict_free(struct pq_dict *d)
{
	free(d->slot);
	free(d->ent);
	memset(d, 0, sizeof(*d));
}
