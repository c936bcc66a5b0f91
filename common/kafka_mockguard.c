/* kafka_mockguard: see kafka_mockguard.h. */
#include "kafka_mockguard.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define API_METADATA 3
#define API_JOIN_GROUP 11
#define API_LEAVE_GROUP 13
#define API_SYNC_GROUP 14
#define ERR_INVALID_REQUEST 42
#define MAX_PENDING 64
/* The head of a request kept for reading: JoinGroup's fields up to the
 * first protocol's name fit in far less; a leader's SyncGroup holds every
 * member's assignment (about 60 bytes a member of a group on one topic).
 * A SyncGroup longer than this is not read (3 in the header). */
#define HEAD_MAX 16384
/* The head of a Metadata response kept for reading, up to the controller
 * id after the brokers' list. */
#define OUT_HEAD_MAX 4096
#define NAME_MAX_LEN 255

/* A response on its way out. */
struct outframe {
	unsigned char size[4];
	size_t nsize;
	size_t left;
	size_t pos;            /* bytes of the frame (after its size) seen */
	int kind;              /* 0: unknown yet, 1: Metadata, -1: other */
	int ver;
	long patch;            /* where the controller id is, or -1 */
	unsigned char ctrl[4]; /* what it becomes */
	unsigned char head[OUT_HEAD_MAX];
	size_t nhead;
};

/* A follower's SyncGroup the mock will answer INVALID_REQUEST (3 in the
 * header): its correlation id, version and the member's assignment. */
struct late {
	int32_t corr;
	int ver;
	unsigned char *asg;
	size_t n;
};

struct conn {
	int id;
	struct late late[MAX_PENDING];
	int nlate;
	/* Metadata requests waiting for their response */
	int32_t pend_corr[MAX_PENDING];
	int pend_ver[MAX_PENDING];
	int npend;
	struct outframe out;
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

/* A group's last leader SyncGroup: its generation and its assignments
 * array (count entries of member id and bytes, as on the wire). */
struct syncgrp {
	char group[NAME_MAX_LEN + 1];
	int32_t gen;
	int32_t count;
	unsigned char *asg;
	size_t n;
};

struct mockguard {
	struct conn **conns;
	size_t n, cap;
	struct syncgrp *groups;
	size_t ngroups;
	char why[3 * NAME_MAX_LEN + 100];
};

struct mockguard *mockguard_new(void)
{
	return xcalloc(1, sizeof(struct mockguard));
}

static void conn_free(struct conn *c)
{
	for (int i = 0; i < c->nlate; i++)
		free(c->late[i].asg);
	free(c);
}

void mockguard_free(struct mockguard *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++)
		conn_free(g->conns[i]);
	free(g->conns);
	for (size_t i = 0; i < g->ngroups; i++)
		free(g->groups[i].asg);
	free(g->groups);
	free(g);
}

const char *mockguard_why(const struct mockguard *g)
{
	return g->why;
}

static struct conn *find(struct mockguard *g, int id, int make)
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

void mockguard_close(struct mockguard *g, int id)
{
	for (size_t i = 0; i < g->n; i++) {
		if (g->conns[i]->id == id) {
			conn_free(g->conns[i]);
			g->conns[i] = g->conns[--g->n];
			return;
		}
	}
}

void mockguard_open(struct mockguard *g, int id)
{
	mockguard_close(g, id);
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

/* Bytes (int32 length, -1 for null): where they start, and their length
 * (0 for null). */
static const unsigned char *rd_bytes(struct rd *r, size_t *n)
{
	int64_t len = rd_int(r, 4);
	const unsigned char *p;

	*n = 0;
	if (!r->ok || len < 0)
		return NULL;
	if (r->n - r->i < (size_t)len) {
		r->ok = 0;
		return NULL;
	}
	p = r->p + r->i;
	r->i += (size_t)len;
	*n = (size_t)len;
	return p;
}

static struct syncgrp *syncgrp(struct mockguard *g, const char *group,
			       int make)
{
	for (size_t i = 0; i < g->ngroups; i++)
		if (strcmp(g->groups[i].group, group) == 0)
			return &g->groups[i];
	if (!make)
		return NULL;
	g->groups = xrealloc(g->groups, (g->ngroups + 1) * sizeof(*g->groups));
	memset(&g->groups[g->ngroups], 0, sizeof(*g->groups));
	memcpy(g->groups[g->ngroups].group, group, strlen(group) + 1);
	return &g->groups[g->ngroups++];
}

/* A SyncGroup (version 0 to 3, none flexible) has come whole on c, its
 * head read by r up to the client id: a leader's is kept, a follower's
 * that comes after its leader's is noted (3 in the header). */
static void sync_request(struct mockguard *g, struct conn *c, struct rd *r,
			 int ver, int32_t corr)
{
	char group[NAME_MAX_LEN + 1], member[NAME_MAX_LEN + 1], id[NAME_MAX_LEN + 1];
	struct syncgrp *s;
	struct rd a = { NULL, 0, 0, 1 };
	int32_t gen, count;
	size_t start, n;

	rd_str(r, group);
	gen = (int32_t)rd_int(r, 4);
	rd_str(r, member);
	if (ver >= 3)
		rd_str(r, NULL); /* group instance id */
	count = (int32_t)rd_int(r, 4);
	if (!r->ok || count < 0)
		return;
	if (count > 0) {
		start = r->i;
		for (int32_t i = 0; i < count && r->ok; i++) {
			rd_str(r, NULL);
			rd_bytes(r, &n);
		}
		s = syncgrp(g, group, 1);
		free(s->asg);
		s->asg = NULL;
		s->count = 0;
		s->gen = gen;
		if (!r->ok || r->i != r->n) /* longer than HEAD_MAX */
			return;
		s->n = r->i - start;
		s->asg = xmalloc(s->n);
		memcpy(s->asg, r->p + start, s->n);
		s->count = count;
		return;
	}
	s = syncgrp(g, group, 0);
	if (!s || s->gen != gen || !s->asg || c->nlate == MAX_PENDING)
		return;
	a.p = s->asg;
	a.n = s->n;
	for (int32_t i = 0; i < s->count && a.ok; i++) {
		const unsigned char *p;

		rd_str(&a, id);
		p = rd_bytes(&a, &n);
		if (!a.ok || strcmp(id, member) != 0)
			continue;
		c->late[c->nlate].corr = corr;
		c->late[c->nlate].ver = ver;
		c->late[c->nlate].n = n;
		c->late[c->nlate].asg = xmalloc(n ? n : 1);
		if (n)
			memcpy(c->late[c->nlate].asg, p, n);
		c->nlate++;
		return;
	}
}

/* A JoinGroup (versions 0 to 5, those the mock serves: none is flexible)
 * or a LeaveGroup has come whole on c.  Returns 1 when it must be
 * refused. */
static int request(struct mockguard *g, struct conn *c)
{
	struct rd r = { c->head, c->nhead, 0, 1 };
	char group[NAME_MAX_LEN + 1], proto[NAME_MAX_LEN + 1];
	int api = (int)rd_int(&r, 2), ver = (int)rd_int(&r, 2);

	int32_t corr = (int32_t)rd_int(&r, 4);

	rd_str(&r, NULL);  /* client id */
	if (api == API_METADATA) {
		if (r.ok && ver >= 1 && ver <= 8 && c->npend < MAX_PENDING) {
			c->pend_corr[c->npend] = corr;
			c->pend_ver[c->npend++] = ver;
		}
		return 0;
	}
	if (api == API_LEAVE_GROUP) {
		c->member = 0;
		return 0;
	}
	if (api == API_SYNC_GROUP) {
		if (ver <= 3)
			sync_request(g, c, &r, ver, corr);
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

int mockguard_feed(struct mockguard *g, int id, const void *buf, size_t n)
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
					  api == API_LEAVE_GROUP ||
					  api == API_SYNC_GROUP ||
					  api == API_METADATA;
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

/* Where the controller id is in a Metadata response's head h[0..n) of
 * version ver, and the first broker's id: 1 found, 0 more bytes needed,
 * -1 not to be found. */
static int find_controller(const unsigned char *h, size_t n, int ver,
			   size_t *at, unsigned char first[4])
{
	struct rd r = { h, n, 0, 1 };
	int64_t count;

	rd_int(&r, 4); /* correlation id */
	if (ver >= 3)
		rd_int(&r, 4); /* throttle time */
	count = rd_int(&r, 4);
	if (!r.ok)
		return 0;
	if (count < 1 || count > 1000)
		return -1;
	for (int64_t b = 0; b < count; b++) {
		if (b == 0) {
			if (r.n - r.i < 4)
				return 0;
			memcpy(first, r.p + r.i, 4);
		}
		rd_int(&r, 4);    /* node id */
		rd_str(&r, NULL); /* host */
		rd_int(&r, 4);    /* port */
		rd_str(&r, NULL); /* rack */
		if (!r.ok)
			return 0;
	}
	if (ver >= 2)
		rd_str(&r, NULL); /* cluster id */
	if (!r.ok)
		return 0;
	*at = r.i;
	return 1;
}

/* Moves f on by the bytes p[0..n) of conn c, rewriting them in place when
 * p is writable (w); commit: also take the response off c's list. */
static void out_bytes(struct conn *c, struct outframe *f, unsigned char *w,
		      const unsigned char *p, size_t n, int commit)
{
	size_t i = 0;

	while (i < n) {
		if (f->nsize < 4) {
			f->size[f->nsize++] = p[i++];
			if (f->nsize == 4) {
				f->left = (size_t)f->size[0] << 24 |
					  (size_t)f->size[1] << 16 |
					  (size_t)f->size[2] << 8 | f->size[3];
				f->pos = f->nhead = 0;
				f->kind = 0;
				f->patch = -1;
				if (f->left == 0)
					f->nsize = 0;
			}
			continue;
		}
		if (f->kind < 0) { /* not ours: skip to its end */
			size_t k = n - i < f->left ? n - i : f->left;

			i += k;
			f->pos += k;
			f->left -= k;
		} else {
			unsigned char b = p[i];

			if (f->patch >= 0 && f->pos >= (size_t)f->patch &&
			    f->pos < (size_t)f->patch + 4) {
				b = f->ctrl[f->pos - (size_t)f->patch];
				if (w)
					w[i] = b;
			}
			if (f->nhead < OUT_HEAD_MAX)
				f->head[f->nhead++] = b;
			i++;
			f->pos++;
			f->left--;
			if (f->kind == 0 && f->nhead == 4) {
				int32_t corr = (int32_t)((uint32_t)f->head[0] << 24 |
							 (uint32_t)f->head[1] << 16 |
							 (uint32_t)f->head[2] << 8 |
							 f->head[3]);

				f->kind = -1;
				for (int k = 0; k < c->npend; k++) {
					if (c->pend_corr[k] != corr)
						continue;
					f->kind = 1;
					f->ver = c->pend_ver[k];
					if (commit) {
						c->pend_corr[k] = c->pend_corr[c->npend - 1];
						c->pend_ver[k] = c->pend_ver[--c->npend];
					}
					break;
				}
			} else if (f->kind == 1 && f->patch < 0) {
				size_t at;
				int rc = find_controller(f->head, f->nhead,
							 f->ver, &at, f->ctrl);

				if (rc < 0 || (rc == 0 && f->nhead == OUT_HEAD_MAX))
					f->kind = -1;
				else if (rc > 0)
					f->patch = (long)at;
			}
		}
		if (f->left == 0 && f->nsize == 4)
			f->nsize = 0;
	}
}

void mockguard_out(struct mockguard *g, int id, unsigned char *buf, size_t n)
{
	struct conn *c = find(g, id, 1);
	struct outframe f = c->out;

	out_bytes(c, &f, buf, buf, n, 0);
}

void mockguard_sent(struct mockguard *g, int id, const unsigned char *buf,
		    size_t k)
{
	struct conn *c = find(g, id, 1);

	out_bytes(c, &c->out, NULL, buf, k, 1);
}

static void put_i32(struct sbuf *b, int32_t v)
{
	unsigned char x[4] = { (unsigned char)((uint32_t)v >> 24),
			       (unsigned char)((uint32_t)v >> 16),
			       (unsigned char)((uint32_t)v >> 8),
			       (unsigned char)v };

	sbuf_put(b, x, 4);
}

int mockguard_replace(struct mockguard *g, int id, const unsigned char *buf,
		      size_t n, struct sbuf *out)
{
	struct conn *c = find(g, id, 0);
	struct rd r = { buf, n, 0, 1 };
	struct late l;
	int32_t size, corr;
	int k, err;

	if (!c || c->nlate == 0 || c->out.nsize != 0)
		return 0;
	size = (int32_t)rd_int(&r, 4);
	corr = (int32_t)rd_int(&r, 4);
	if (!r.ok || size < 0 || (size_t)size + 4 != n)
		return 0;
	for (k = 0; k < c->nlate && c->late[k].corr != corr; k++)
		;
	if (k == c->nlate)
		return 0;
	l = c->late[k];
	c->late[k] = c->late[--c->nlate];
	if (l.ver >= 1)
		rd_int(&r, 4); /* throttle time */
	err = (int)rd_int(&r, 2);
	if (!r.ok || err != ERR_INVALID_REQUEST) {
		free(l.asg);
		return 0;
	}
	sbuf_reset(out);
	put_i32(out, (int32_t)(4 + (l.ver >= 1 ? 4 : 0) + 2 + 4 + l.n));
	put_i32(out, corr);
	if (l.ver >= 1)
		put_i32(out, 0); /* throttle time */
	sbuf_put(out, "\0\0", 2); /* no error */
	put_i32(out, (int32_t)l.n);
	sbuf_put(out, l.asg, l.n);
	free(l.asg);
	return 1;
}
