#include "stats.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "timefmt.h"
#include "xalloc.h"

void stats_init(struct stats *s)
{
	memset(s, 0, sizeof *s);
}

void stats_reset(struct stats *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].topic);
	s->n = 0;
}

void stats_free(struct stats *s)
{
	stats_reset(s);
	free(s->v);
	stats_init(s);
}

static struct stats_item *add(struct stats *s, const char *name,
			      const char *help, enum stats_kind kind)
{
	struct stats_item *it;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 32;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	it = &s->v[s->n++];
	memset(it, 0, sizeof *it);
	it->name = name;
	it->help = help;
	it->kind = kind;
	return it;
}

void stats_counter(struct stats *s, const char *name, uint64_t v,
		   const char *help)
{
	add(s, name, help, STATS_COUNTER)->u = v;
}

void stats_gauge(struct stats *s, const char *name, int64_t v,
		 const char *help)
{
	add(s, name, help, STATS_GAUGE)->i = v;
}

void stats_gauge_f(struct stats *s, const char *name, double v,
		   const char *help)
{
	add(s, name, help, STATS_GAUGE_F)->f = v;
}

void stats_time(struct stats *s, const char *name, int64_t ms,
		const char *help)
{
	add(s, name, help, STATS_TIME)->i = ms;
}

void stats_part_counter(struct stats *s, const char *topic, int32_t partition,
			const char *name, uint64_t v, const char *help)
{
	struct stats_item *it = add(s, name, help, STATS_COUNTER);

	it->u = v;
	it->topic = xstrdup(topic);
	it->partition = partition;
}

void stats_part_gauge(struct stats *s, const char *topic, int32_t partition,
		      const char *name, int64_t v, const char *help)
{
	struct stats_item *it = add(s, name, help, STATS_GAUGE);

	it->i = v;
	it->topic = xstrdup(topic);
	it->partition = partition;
}

static void put_value(const struct stats_item *it, struct sbuf *b)
{
	switch (it->kind) {
	case STATS_COUNTER:
		sbuf_put_u64(b, it->u);
		break;
	case STATS_GAUGE:
		sbuf_put_i64(b, it->i);
		break;
	case STATS_GAUGE_F:
		sbuf_put_double(b, it->f);
		break;
	case STATS_TIME:
		if (it->i < 0) {
			sbuf_puts(b, "null");
			break;
		}
		{
			struct timefmt utc = TIMEFMT_INIT;
			sbuf_putc(b, '"');
			timefmt_format_rfc3339(&utc, it->i * 1000, b);
			sbuf_putc(b, '"');
		}
		break;
	}
}

static int same_part(const struct stats_item *a, const struct stats_item *b)
{
	return a->partition == b->partition && !strcmp(a->topic, b->topic);
}

void stats_json(const struct stats *s, struct sbuf *b)
{
	size_t i, j, rows = 0;

	for (i = 0; i < s->n; i++) {
		if (s->v[i].topic) {
			rows++;
			continue;
		}
		sbuf_puts(b, ",\"");
		sbuf_puts(b, s->v[i].name);
		sbuf_puts(b, "\":");
		put_value(&s->v[i], b);
	}
	if (!rows)
		return;
	/* One row per partition, in the order partitions first appear. */
	sbuf_puts(b, ",\"partitions\":[");
	rows = 0;
	for (i = 0; i < s->n; i++) {
		const struct stats_item *p = &s->v[i];

		if (!p->topic)
			continue;
		for (j = 0; j < i; j++)
			if (s->v[j].topic && same_part(&s->v[j], p))
				break;
		if (j < i)
			continue;
		sbuf_puts(b, rows++ ? ",{\"topic\":" : "{\"topic\":");
		json_put_text(b, p->topic, strlen(p->topic));
		sbuf_puts(b, ",\"partition\":");
		sbuf_put_i64(b, p->partition);
		for (j = i; j < s->n; j++) {
			if (!s->v[j].topic || !same_part(&s->v[j], p))
				continue;
			sbuf_puts(b, ",\"");
			sbuf_puts(b, s->v[j].name);
			sbuf_puts(b, "\":");
			put_value(&s->v[j], b);
		}
		sbuf_putc(b, '}');
	}
	sbuf_putc(b, ']');
}

/* sw_<tool>_<name>[_total|_seconds], '-' of the tool's name as '_'. */
static void put_metric(const char *tool, const struct stats_item *it,
		       struct sbuf *b)
{
	size_t n = strlen(it->name);

	for (const char *p = tool; *p; p++)
		sbuf_putc(b, *p == '-' ? '_' : *p);
	sbuf_putc(b, '_');
	sbuf_puts(b, it->name);
	if (it->kind == STATS_COUNTER &&
	    !(n >= 6 && !strcmp(it->name + n - 6, "_total")))
		sbuf_puts(b, "_total");
	if (it->kind == STATS_TIME)
		sbuf_puts(b, "_seconds");
}

static void put_label_value(const char *s, struct sbuf *b)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			sbuf_putc(b, '\\');
		if (*s == '\n') {
			sbuf_puts(b, "\\n");
			continue;
		}
		sbuf_putc(b, *s);
	}
}

static void put_help(const char *help, struct sbuf *b)
{
	for (; *help; help++) {
		if (*help == '\\')
			sbuf_puts(b, "\\\\");
		else if (*help == '\n')
			sbuf_puts(b, "\\n");
		else
			sbuf_putc(b, *help);
	}
}

static void put_sample(const char *tool, const struct stats_item *it,
		       struct sbuf *b)
{
	if (it->kind == STATS_TIME && it->i < 0)
		return;
	put_metric(tool, it, b);
	if (it->topic) {
		sbuf_puts(b, "{topic=\"");
		put_label_value(it->topic, b);
		sbuf_puts(b, "\",partition=\"");
		sbuf_put_i64(b, it->partition);
		sbuf_puts(b, "\"}");
	}
	sbuf_putc(b, ' ');
	if (it->kind == STATS_TIME)
		sbuf_put_double(b, (double)it->i / 1000);
	else
		put_value(it, b);
	sbuf_putc(b, '\n');
}

void stats_prometheus(const struct stats *s, const char *tool, struct sbuf *b)
{
	size_t i, j;

	/* A family's samples follow its HELP and TYPE lines, together. */
	for (i = 0; i < s->n; i++) {
		const struct stats_item *it = &s->v[i];

		for (j = 0; j < i; j++)
			if (!strcmp(s->v[j].name, it->name))
				break;
		if (j < i)
			continue;
		sbuf_puts(b, "# HELP ");
		put_metric(tool, it, b);
		sbuf_putc(b, ' ');
		put_help(it->help ? it->help : it->name, b);
		sbuf_puts(b, "\n# TYPE ");
		put_metric(tool, it, b);
		sbuf_puts(b, it->kind == STATS_COUNTER ? " counter\n" :
							 " gauge\n");
		for (j = i; j < s->n; j++)
			if (!strcmp(s->v[j].name, it->name))
				put_sample(tool, &s->v[j], b);
	}
}

void stats_line(const struct stats *s, size_t from, struct sbuf *b)
{
	for (size_t i = from; i < s->n; i++) {
		if (s->v[i].topic)
			continue;
		sbuf_puts(b, ", ");
		sbuf_puts(b, s->v[i].name);
		sbuf_putc(b, ' ');
		put_value(&s->v[i], b);
	}
}
