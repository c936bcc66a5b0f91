/* htab: see htab.h. */
#include "htab.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static void insert(struct htab *t, uint64_t h, void *item)
{
	uint32_t i = (uint32_t)h & (t->cap - 1);

	while (t->e[i].v)
		i = (i + 1) & (t->cap - 1);
	t->e[i].h = h;
	t->e[i].v = item;
	t->n++;
}

void htab_put(struct htab *t, uint64_t h, void *item)
{
	if ((t->n + 1) * 4 > t->cap * 3) {
		struct htab nt = { t->cap ? t->cap * 2 : 64, 0, NULL };
		nt.e = xcalloc(nt.cap, sizeof *nt.e);
		for (uint32_t i = 0; i < t->cap; i++)
			if (t->e[i].v)
				insert(&nt, t->e[i].h, t->e[i].v);
		free(t->e);
		*t = nt;
	}
	insert(t, h, item);
}

void htab_del(struct htab *t, uint64_t h, const void *item)
{
	uint32_t mask = t->cap - 1, i = (uint32_t)h & mask, j, k;

	while (t->e[i].v != item)
		i = (i + 1) & mask;
	for (j = i;;) {
		j = (j + 1) & mask;
		if (!t->e[j].v)
			break;
		k = (uint32_t)t->e[j].h & mask;
		/* Leave j alone when its home k lies cyclically in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->e[i] = t->e[j];
		i = j;
	}
	t->e[i].v = NULL;
	t->n--;
}

void htab_clear(struct htab *t)
{
	if (t->n)
		memset(t->e, 0, t->cap * sizeof *t->e);
	t->n = 0;
}

void htab_free(struct htab *t)
{
	free(t->e);
	memset(t, 0, sizeof *t);
}
