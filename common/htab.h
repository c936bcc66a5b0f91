/*
 * htab: an open-addressing hash table of pointers (sw-window's windows,
 * rows and groups, sw-files' known files).
 *
 * The caller hashes its keys (64 bits) and says how an item matches a key
 * (eq); the table keeps the hash beside each pointer, so a probe compares
 * items only when the hashes agree.  Linear probing, grown to twice its
 * size at 3/4 full, and deletion by moving later members of the probe run
 * back (no tombstones), so lookups stay short however many items come and
 * go.  The table holds pointers and never owns the items; a NULL item
 * cannot be stored (it marks an empty slot).
 *
 * htab_find() is inline: it sits on sw-window's per-record path.
 */
#ifndef SW_HTAB_H
#define SW_HTAB_H

#include <stddef.h>
#include <stdint.h>

struct htab_ent {
	uint64_t h;
	void *v;
};

struct htab {
	uint32_t cap, n; /* cap: 0 or a power of two */
	struct htab_ent *e;
};

#define HTAB_INIT { 0, 0, NULL }

/* Whether item matches key (what the caller passed to htab_find). */
typedef int (*htab_eq_fn)(const void *item, const void *key);

/* The item of hash h that eq says matches key, or NULL. */
static inline void *htab_find(const struct htab *t, uint64_t h, htab_eq_fn eq,
			      const void *key)
{
	if (!t->cap)
		return NULL;
	for (uint32_t i = (uint32_t)h & (t->cap - 1); t->e[i].v;
	     i = (i + 1) & (t->cap - 1))
		if (t->e[i].h == h && eq(t->e[i].v, key))
			return t->e[i].v;
	return NULL;
}

/* Adds item under hash h (an item that matches it must not be there). */
void htab_put(struct htab *t, uint64_t h, void *item);
/* Removes item, which is in t under hash h. */
void htab_del(struct htab *t, uint64_t h, const void *item);
/* Removes every item, keeping the slots for reuse. */
void htab_clear(struct htab *t);
void htab_free(struct htab *t);

#endif
