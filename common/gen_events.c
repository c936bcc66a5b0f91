/*
 * gen_events: see gen_events.h.
 *
 * Readings are kept as integers in the unit of their last printed digit
 * (1e-5 degrees for ambient, 1e-9 percent for rh, ...) so that writing one
 * is integer formatting, not printf("%f"): that is what makes sensor output
 * fast enough to load-test the other tools.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gen_events.h"
#include "xalloc.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void gen_rng_seed(struct gen_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t gen_rng_next(struct gen_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint32_t gen_rng_below(struct gen_rng *r, uint32_t n)
{
	/* Lemire's multiply-shift: no division, bias below 2^-32. */
	return (uint32_t)(((gen_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* A symmetric step in [-k, k]. */
static int64_t step(struct gen_rng *r, uint32_t k)
{
	return (int64_t)gen_rng_below(r, 2 * k + 1) - (int64_t)k;
}

int gen_kind_parse(const char *name, enum gen_kind *k)
{
	if (strcmp(name, "web") == 0)
		*k = GEN_WEB;
	else if (strcmp(name, "sensor") == 0)
		*k = GEN_SENSOR;
	else if (strcmp(name, "tweets") == 0)
		*k = GEN_TWEETS;
	else
		return -1;
	return 0;
}

int64_t gen_default_start(enum gen_kind k)
{
	switch (k) {
	case GEN_WEB:
		return INT64_C(1639278000000000); /* 2021-12-12T03:00:00Z */
	case GEN_SENSOR:
		return INT64_C(1501632000000000); /* 2017-08-02T00:00:00Z */
	case GEN_TWEETS:
		break;
	}
	return INT64_C(1618491000000000); /* 2021-04-15T12:50:00Z */
}

/* --- formatting ----------------------------------------------------- */

static void put_lit(struct sbuf *b, const char *s)
{
	sbuf_put(b, s, strlen(s));
}

/* v in units of 10^-digits, written with exactly that many decimals. */
static void put_fixed(struct sbuf *b, int64_t v, int digits)
{
	char tmp[32];
	int n = 0;
	uint64_t u;

	if (v < 0) {
		sbuf_putc(b, '-');
		u = (uint64_t)0 - (uint64_t)v;
	} else {
		u = (uint64_t)v;
	}
	for (int i = 0; i < digits; i++) {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	}
	tmp[n++] = '.';
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (b->cap - b->len <= (size_t)n)
		sbuf_grow(b, (size_t)n);
	while (n > 0)
		b->p[b->len++] = tmp[--n];
	b->p[b->len] = '\0';
}

/* --- web: the login -> cart -> done funnel --------------------------- */

#define WEB_POOL 32

static const char *const web_names[] = {
	"yuki", "taro", "hana", "ken", "mei", "sora", "riku", "aoi",
	"emma", "liam", "noah", "mia", "lucas", "lea", "omar", "ines",
};
#define WEB_NNAMES (sizeof(web_names) / sizeof(web_names[0]))

enum web_state { WEB_LOGIN, WEB_CART };

struct web_user {
	uint64_t id;
	enum web_state state;
};

struct web {
	struct web_user pool[WEB_POOL];
	int n;
	uint64_t next_id;
	int64_t ms;
};

static void web_put(struct sbuf *b, uint64_t id, const char *action,
		    int64_t ms)
{
	put_lit(b, "{\"name\":\"");
	put_lit(b, web_names[id % WEB_NNAMES]);
	sbuf_putc(b, '_');
	sbuf_put_u64(b, id);
	put_lit(b, "\",\"action\":\"");
	put_lit(b, action);
	put_lit(b, "\",\"sendtime\":");
	sbuf_put_i64(b, ms);
	sbuf_putc(b, '}');
}

/* Per-step odds (in percent) of going on rather than leaving: about 60%
 * of logins reach the cart and 55% of carts are paid. */
#define WEB_P_CART 60
#define WEB_P_DONE 55
#define WEB_P_NEW 35

static void web_next(struct web *w, struct gen_rng *r, struct sbuf *b)
{
	int64_t ms = w->ms;

	w->ms += 20 + gen_rng_below(r, 900);
	for (;;) {
		if (w->n == 0 ||
		    (w->n < WEB_POOL && gen_rng_below(r, 100) < WEB_P_NEW)) {
			struct web_user *u = &w->pool[w->n++];

			u->id = w->next_id++;
			u->state = WEB_LOGIN;
			web_put(b, u->id, "login", ms);
			return;
		}
		int i = (int)gen_rng_below(r, (uint32_t)w->n);
		struct web_user *u = &w->pool[i];
		uint64_t id = u->id;

		if (u->state == WEB_LOGIN &&
		    gen_rng_below(r, 100) < WEB_P_CART) {
			u->state = WEB_CART;
			web_put(b, id, "cart", ms);
			return;
		}
		/* Paid or gone: either way the user leaves the pool. */
		int paid = u->state == WEB_CART &&
			   gen_rng_below(r, 100) < WEB_P_DONE;
		w->pool[i] = w->pool[--w->n];
		if (paid) {
			web_put(b, id, "done", ms);
			return;
		}
	}
}

/* --- sensor: SensorTag readings -------------------------------------- */

#define SENSOR_DEVICES 4
#define SENSOR_PERIOD_S 8

struct sensor_dev {
	int64_t ambient;    /* 1e-5 degrees C */
	int64_t humidity;   /* 1e-8 */
	int64_t objecttemp; /* 1e-5 degrees C */
	int64_t rh;         /* 1e-9 percent */
};

struct sensor {
	struct sensor_dev dev[SENSOR_DEVICES];
	int next;
	int64_t s;
};

/* Base values per device, and a random walk pulled back towards them. */
static const int64_t sensor_base[SENSOR_DEVICES][4] = {
	{ 2880448, 2861464017, 2300477, 75549488631 },
	{ 2867103, 2878665404, 2296868, 75788605725 },
	{ 2731250, 3012000000, 2215000, 71250000000 },
	{ 2955000, 2705000000, 2402500, 78900000000 },
};

static int64_t walk(struct gen_rng *r, int64_t v, int64_t base,
		    uint32_t k)
{
	return v + step(r, k) - (v - base) / 32;
}

static void sensor_init(struct sensor *s)
{
	for (int i = 0; i < SENSOR_DEVICES; i++) {
		s->dev[i].ambient = sensor_base[i][0];
		s->dev[i].humidity = sensor_base[i][1];
		s->dev[i].objecttemp = sensor_base[i][2];
		s->dev[i].rh = sensor_base[i][3];
	}
}

static void sensor_next(struct sensor *s, struct gen_rng *r,
			struct sbuf *b)
{
	int i = s->next;
	struct sensor_dev *d = &s->dev[i];

	d->ambient = walk(r, d->ambient, sensor_base[i][0], 12000);
	d->humidity = walk(r, d->humidity, sensor_base[i][1], 15000000);
	d->objecttemp = walk(r, d->objecttemp, sensor_base[i][2], 12000);
	d->rh = walk(r, d->rh, sensor_base[i][3], 150000000);
	put_lit(b, "{\"ambient\":");
	put_fixed(b, d->ambient, 5);
	put_lit(b, ",\"bid\":\"B0:B4:48:BD:DA:0");
	sbuf_putc(b, (char)('1' + i));
	put_lit(b, "\",\"humidity\":");
	put_fixed(b, d->humidity, 8);
	put_lit(b, ",\"objecttemp\":");
	put_fixed(b, d->objecttemp, 5);
	put_lit(b, ",\"rh\":");
	put_fixed(b, d->rh, 9);
	put_lit(b, ",\"time\":");
	sbuf_put_i64(b, s->s);
	sbuf_putc(b, '}');
	if (++s->next == SENSOR_DEVICES) {
		s->next = 0;
		s->s += SENSOR_PERIOD_S;
	}
}

/* --- tweets ------------------------------------------------------------ */

static const char *const tweet_words[] = {
	"aujourd'hui", "publie", "L'Insee", "the", "new", "report", "on",
	"prices", "stream", "data", "today", "shows", "a", "rise", "in",
	"rents", "jobs", "des", "chiffres", "sur", "la", "croissance",
	"read", "more", "about", "spark", "kafka", "pipelines", "weekly",
	"update", "les", "ventes",
};
#define TWEET_NWORDS (sizeof(tweet_words) / sizeof(tweet_words[0]))

/* Drawn with a skew towards the front, so that a top-N has a clear head. */
static const char *const tweet_tags[] = {
	"#inflation", "#emploi", "#loyers", "#ÉclairerLeDébat", "#quizzBMD",
	"#data", "#streaming", "#kafka", "#spark", "#opendata", "#économie",
	"#logement", "#santé", "#climat", "#énergie", "#retraites",
	"#chômage", "#salaires", "#croissance", "#statistiques",
};
#define TWEET_NTAGS (sizeof(tweet_tags) / sizeof(tweet_tags[0]))

static const char *const tweet_users[] = {
	"InseeFr", "datajournalist", "yuki_dev", "streamfan", "ecoquiz",
	"opendata_fr", "kafka_ops", "sparkling", "climate_now", "rent_watch",
	"jobs_daily", "statbot",
};
#define TWEET_NUSERS (sizeof(tweet_users) / sizeof(tweet_users[0]))

#define TWITTER_EPOCH_MS INT64_C(1288834974657)

struct tweets {
	int64_t s;
	uint32_t seq;
};

static uint32_t skewed(struct gen_rng *r, uint32_t n)
{
	uint64_t a = gen_rng_below(r, n), b = gen_rng_below(r, n);

	return (uint32_t)(a * b / n); /* P(i) falls with i */
}

static void put_created_at(struct sbuf *b, int64_t s)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	time_t t = (time_t)s;
	struct tm tm;
	char tmp[40];

	gmtime_r(&t, &tm);
	memcpy(tmp, days + 3 * tm.tm_wday, 3);
	tmp[3] = ' ';
	memcpy(tmp + 4, months + 3 * tm.tm_mon, 3);
	tmp[7] = ' ';
	tmp[8] = (char)('0' + tm.tm_mday / 10);
	tmp[9] = (char)('0' + tm.tm_mday % 10);
	tmp[10] = ' ';
	tmp[11] = (char)('0' + tm.tm_hour / 10);
	tmp[12] = (char)('0' + tm.tm_hour % 10);
	tmp[13] = ':';
	tmp[14] = (char)('0' + tm.tm_min / 10);
	tmp[15] = (char)('0' + tm.tm_min % 10);
	tmp[16] = ':';
	tmp[17] = (char)('0' + tm.tm_sec / 10);
	tmp[18] = (char)('0' + tm.tm_sec % 10);
	memcpy(tmp + 19, " +0000 ", 7);
	sbuf_put(b, tmp, 26);
	sbuf_put_i64(b, (int64_t)tm.tm_year + 1900);
}

static void tweets_next(struct tweets *tw, struct gen_rng *r,
			struct sbuf *b)
{
	uint32_t nwords = 3 + gen_rng_below(r, 6);
	uint32_t ntags = gen_rng_below(r, 4);
	uint32_t tags[3];

	int64_t s = tw->s;

	tw->s += 1 + gen_rng_below(r, 30);
	for (uint32_t i = 0; i < ntags; i++) {
		uint32_t t;
		int dup;

		do {
			t = skewed(r, TWEET_NTAGS);
			dup = 0;
			for (uint32_t j = 0; j < i; j++)
				dup |= tags[j] == t;
		} while (dup);
		tags[i] = t;
	}
	put_lit(b, "{\"created_at\":\"");
	put_created_at(b, s);
	put_lit(b, "\",\"id\":");
	/* Twitter's ids are time based (snowflake): they sort like the time. */
	sbuf_put_i64(b, ((s * 1000 - TWITTER_EPOCH_MS) << 22) |
				(tw->seq++ & 0xfff));
	put_lit(b, ",\"text\":\"");
	/* Hashtags go between the words, at random places. */
	uint32_t total = nwords + ntags, t = 0;
	for (uint32_t i = 0; i < total; i++) {
		if (i)
			sbuf_putc(b, ' ');
		uint32_t left = total - i;
		if (t < ntags && gen_rng_below(r, left) < ntags - t)
			put_lit(b, tweet_tags[tags[t++]]);
		else
			put_lit(b, tweet_words[gen_rng_below(r, TWEET_NWORDS)]);
	}
	put_lit(b, "\",\"user\":{\"screen_name\":\"");
	put_lit(b, tweet_users[skewed(r, TWEET_NUSERS)]);
	put_lit(b, "\"}}");
}

/* --- the generator ----------------------------------------------------- */

struct gen {
	enum gen_kind kind;
	struct gen_rng rng;
	union {
		struct web web;
		struct sensor sensor;
		struct tweets tweets;
	} u;
};

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

struct gen *gen_new(enum gen_kind k, uint64_t seed, int64_t start_us)
{
	struct gen *g = xcalloc(1, sizeof(*g));

	g->kind = k;
	gen_rng_seed(&g->rng, seed);
	switch (k) {
	case GEN_WEB:
		g->u.web.ms = floor_div(start_us, 1000);
		break;
	case GEN_SENSOR:
		sensor_init(&g->u.sensor);
		g->u.sensor.s = floor_div(start_us, 1000000);
		break;
	case GEN_TWEETS:
		g->u.tweets.s = floor_div(start_us, 1000000);
		break;
	}
	return g;
}

void gen_free(struct gen *g)
{
	free(g);
}

void gen_next(struct gen *g, struct sbuf *out)
{
	switch (g->kind) {
	case GEN_WEB:
		web_next(&g->u.web, &g->rng, out);
		break;
	case GEN_SENSOR:
		sensor_next(&g->u.sensor, &g->rng, out);
		break;
	case GEN_TWEETS:
		tweets_next(&g->u.tweets, &g->rng, out);
		break;
	}
}
