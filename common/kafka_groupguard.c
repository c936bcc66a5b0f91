/* kafka_groupguard: see kafka_groupguard.h. */
#include "kafka_groupguard.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define API_JOIN_GROUP 11
#define API_LEAVE_GROUP 13
/* The head of a request kept for reading: JoinGroup's fields up to the
 * first protocol's name fit in far less. */
#define HEAD_MAX 4096
#define NAME_MAX_LEN 255

struct conn {
	int id;
	unsigned char size[4]; /* the frame's length field, as it comes */
	size_t nsize;
	size_t left;           /* bytes of the frame still to come */
	unsigned char head[HEAD_MAX];
	size_t nhead;
	int keep;              /* the frame may be one we read */
	int member;            /* group and proto below are a membership */
	char group[NAME_MAX_LEN + 1];
	char proto[NAME_MAX_LEN + 1];
};

struct groupguard {
	struct conn **conns;
	size_t n, cap;
	char why[3 * NAME_MAX_LEN + 100];
};

struct groupguard *groupguard_new(void)
{
	return xcalloc(1, sizeof(struct groupguard));
}

void groupguard_free(struct groupguard *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++)
		free(g->conns[i]);
	free(g->conns);
	free(g);
}

const char *groupguard_why(const struct groupguard *g)
{
	return g->why;
}

static struct conn *find(struct groupguard *g, int id, int make)
{
	struct conn *c;

	for (size_t i = 0; i < g->n; i++)
		if (g->conns[i]->id == id)
			return g->conns[i];
	if (!make)
		return NULL;
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 16;
		g->conns = xrealloc(g->conns, g->cap * sizeof(*g->conns));
	}
	c = xcalloc(1, sizeof(*c));
	c->id = id;
	g->conns[g->n++] = c;
	return c;
}

void groupguard_close(struct groupguard *g, int id)
{
	for (size_t i = 0; i < g->n; i++) {
		if (g->conns[i]->id == id) {
			free(g->conns[i]);
			g->conns[i] = g->conns[--g->n];
			return;
		}
	}
}

void groupguard_open(struct groupguard *g, int id)
{
	groupguard_close(g, id);
}

/* A cursor over a request's head. */
struct rd {
	const unsigned char *p;
	size_t n, i;
	int ok;
};

static int64_t rd_int(struct rd *r, int bytes)
{
	int64_t v = 0;

	if (!r->ok || r->n - r->i < (size_t)bytes) {
		r->ok = 0;
		return 0;
	}
	for (int k = 0; k < bytes; k++)
		v = (v << 8) | r->p[r->i++];
	if (bytes == 2)
		v = (int16_t)v;
	else if (bytes == 4)
		v = (int32_t)v;
	return v;
}

/* A string (int16 length, -1 for null) copied into out (truncated to
 * NAME_MAX_LEN), or skipped when out is NULL. */
static void rd_str(struct rd *r, char *out)
{
	int64_t len = rd_int(r, 2);

	if (out)
		out[0] = '\0';
	if (!r->ok || len < 0)
		return;
	if (r->n - r->i < (size_t)len) {
		r->ok = 0;
		return;
	}
	if (out) {
		size_t k = (size_t)len > NAME_MAX_LEN ? NAME_MAX_LEN : (size_t)len;

		memcpy(out, r->p + r->i, k);
		out[k] = '\0';
	}
	r->i += (size_t)len;
}

/* A JoinGroup (versions 0 to 5, those the mock serves: none is flexible)
 * or a LeaveGroup has come whole on c.  Returns 1 when it must be
 * refused. */
static int request(struct groupguard *g, struct conn *c)
{
	struct rd r = { c->head, c->nhead, 0, 1 };
	char group[NAME_MAX_LEN + 1], proto[NAME_MAX_LEN + 1];
	int api = (int)rd_int(&r, 2), ver = (int)rd_int(&r, 2);

	rd_int(&r, 4);     /* correlation id */
	rd_str(&r, NULL);  /* client id */
	if (api == API_LEAVE_GROUP) {
		c->member = 0;
		return 0;
	}
	if (ver > 5)
		return 0;
	rd_str(&r, group);
	rd_int(&r, 4); /* session timeout */
	if (ver >= 1)
		rd_int(&r, 4); /* rebalance timeout */
	rd_str(&r, NULL); /* member id */
	if (ver >= 5)
		rd_str(&r, NULL); /* group instance id */
	rd_str(&r, NULL);      /* protocol type */
	if (rd_int(&r, 4) < 1)
		return 0;
	rd_str(&r, proto);
	if (!r.ok)
		return 0;
	for (size_t i = 0; i < g->n; i++) {
		const struct conn *o = g->conns[i];

		if (o == c || !o->member || strcmp(o->group, group) != 0 ||
		    strcmp(o->proto, proto) == 0)
			continue;
		snprintf(g->why, sizeof(g->why),
			 "group %s: a member asks for assignment protocol %s first, the group's members use %s",
			 group, proto, o->proto);
		c->member = 0;
		return 1;
	}
	c->member = 1;
	memcpy(c->group, group, sizeof(group));
	memcpy(c->proto, proto, sizeof(proto));
	return 0;
}

int groupguard_feed(struct groupguard *g, int id, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	struct conn *c = find(g, id, 1);
	int refused = 0;

	while (n > 0) {
		size_t k;

		if (c->nsize < 4) {
			c->size[c->nsize++] = *p++;
			n--;
			if (c->nsize == 4) {
				c->left = (size_t)c->size[0] << 24 |
					  (size_t)c->size[1] << 16 |
					  (size_t)c->size[2] << 8 | c->size[3];
				c->nhead = 0;
				c->keep = 1;
				if (c->left == 0)
					c->nsize = 0;
			}
			continue;
		}
		k = n < c->left ? n : c->left;
		if (c->keep) {
			size_t room = HEAD_MAX - c->nhead, take = k < room ? k : room;

			memcpy(c->head + c->nhead, p, take);
			c->nhead += take;
			if (c->nhead >= 2) {
				int api = c->head[0] << 8 | c->head[1];

				c->keep = api == API_JOIN_GROUP ||
					  api == API_LEAVE_GROUP;
			}
		}
		p += k;
		n -= k;
		c->left -= k;
		if (c->left == 0) {
			if (c->keep)
				refused += request(g, c);
			c->nsize = 0;
			c->keep = 0;
		}
	}
	return refused;
}
