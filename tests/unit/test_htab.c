/* htab: finds what was put, loses nothing through growth and deletion
 * (checked against a plain array), and colliding hashes stay apart. */
#include <stdint.h>
#include <stdlib.h>

#include "htab.h"
#include "unit.h"

#define N 5000

static int int_eq(const void *item, const void *key)
{
	return *(const int *)item == *(const int *)key;
}

/* Few distinct hashes: long probe runs that wrap around the table. */
static uint64_t weak_hash(int k)
{
	return (uint64_t)(k % 7) * 0x9e3779b97f4a7c15ULL + 60;
}

static int check_all(const struct htab *t, const int *v, const char *in)
{
	for (int k = 0; k < N; k++) {
		const int *got = htab_find(t, weak_hash(k), int_eq, &k);
		if (in[k] ? got != &v[k] : got != NULL)
			return 0;
	}
	return 1;
}

int main(void)
{
	static int v[N];
	static char in[N];
	struct htab t = HTAB_INIT;
	int k, miss = 42;
	unsigned seed = 1;

	unit_ok(htab_find(&t, 1, int_eq, &miss) == NULL, "empty table");
	for (k = 0; k < N; k++) {
		v[k] = k;
		htab_put(&t, weak_hash(k), &v[k]);
		in[k] = 1;
	}
	unit_ok(t.n == N && (t.cap & (t.cap - 1)) == 0 && t.n * 4 <= t.cap * 3,
		"grown to a power of two, at most 3/4 full");
	unit_ok(check_all(&t, v, in), "every item found after growth");
	/* Delete in a scattered order, checking everything as runs shift. */
	for (int round = 0; round < 3000; round++) {
		seed = seed * 1103515245 + 12345;
		k = (int)((seed >> 8) % N);
		if (in[k]) {
			htab_del(&t, weak_hash(k), &v[k]);
			in[k] = 0;
		} else {
			htab_put(&t, weak_hash(k), &v[k]);
			in[k] = 1;
		}
		if (round % 500 == 0 && !check_all(&t, v, in))
			break;
	}
	unit_ok(check_all(&t, v, in), "deletions and re-insertions keep the rest");
	size_t live = 0;
	for (k = 0; k < N; k++)
		live += (size_t)in[k];
	unit_ok(t.n == live, "count follows puts and deletions");
	htab_clear(&t);
	memset(in, 0, sizeof in);
	unit_ok(t.n == 0 && check_all(&t, v, in), "clear empties it");
	htab_put(&t, 5, &v[5]);
	unit_ok(htab_find(&t, 5, int_eq, &v[5]) == &v[5], "usable after clear");
	htab_free(&t);
	unit_ok(t.cap == 0 && t.e == NULL, "free resets it");
	return unit_done();
}
