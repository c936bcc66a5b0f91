#include "sinkf_part.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jpath.h"
#include "xalloc.h"

#define HIVE_DEFAULT "__HIVE_DEFAULT_PARTITION__"

struct step {
	struct jpath *path;
	int is_time;
};

struct sinkf_part {
	struct step *steps;
	size_t n;
	const struct timefmt *tf;
	const char *format;
	int has_time;
	struct sbuf tmp;
};

struct sinkf_part *sinkf_part_new(void)
{
	return xcalloc(1, sizeof(struct sinkf_part));
}

void sinkf_part_free(struct sinkf_part *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		jpath_free(p->steps[i].path);
	free(p->steps);
	sbuf_free(&p->tmp);
	free(p);
}

static int add_step(struct sinkf_part *p, const char *spec, int flags,
		    int is_time, char *err, size_t errlen)
{
	struct jpath *jp;

	if (jpath_compile(&jp, spec, flags, err, errlen) < 0)
		return -1;
	p->steps = xrealloc(p->steps, (p->n + 1) * sizeof *p->steps);
	p->steps[p->n++] = (struct step){ jp, is_time };
	return 0;
}

int sinkf_part_add_field(struct sinkf_part *p, const char *spec, char *err,
			 size_t errlen)
{
	return add_step(p, spec, JPATH_NAMED, 0, err, errlen);
}

int sinkf_part_add_time(struct sinkf_part *p, const char *path,
			const struct timefmt *tf, char *err, size_t errlen)
{
	if (p->has_time) {
		snprintf(err, errlen, "--partition-time is given twice");
		return -1;
	}
	p->has_time = 1;
	p->tf = tf;
	return add_step(p, path, 0, 1, err, errlen);
}

void sinkf_part_set_format(struct sinkf_part *p, const char *fmt)
{
	p->format = fmt;
}

int sinkf_part_ready(const struct sinkf_part *p, char *err, size_t errlen)
{
	if (p->has_time && !p->format) {
		snprintf(err, errlen, "--partition-time needs --partition-format");
		return -1;
	}
	if (p->format && !p->has_time) {
		snprintf(err, errlen, "--partition-format needs --partition-time");
		return -1;
	}
	if (p->format && (!*p->format || p->format[0] == '/' ||
			  strstr(p->format, ".."))) {
		snprintf(err, errlen, "--partition-format: must be a relative "
				      "path without '..'");
		return -1;
	}
	return 0;
}

int sinkf_part_any(const struct sinkf_part *p)
{
	return p->n > 0;
}

void sinkf_hive_escape(struct sbuf *b, const char *s, size_t n)
{
	static const char special[] = "\"#%'*/:=?\\{[]^";

	if (!n) {
		sbuf_puts(b, HIVE_DEFAULT);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || (c && strchr(special, c)))
			sbuf_printf(b, "%%%02X", c);
		else
			sbuf_putc(b, (char)c);
	}
}

static int time_key(struct sinkf_part *p, const struct jval *v,
		    struct sbuf *out, char *err, size_t errlen)
{
	char buf[512];
	int64_t us, sec;
	struct tm tm;
	time_t tt;
	size_t n;

	if (timefmt_parse_json(p->tf, v->p, v->n, &us, err, errlen) < 0)
		return -1;
	sec = us / 1000000 - (us % 1000000 < 0);
	tt = (time_t)sec;
	if (!(p->tf->zone ? localtime_r(&tt, &tm) : gmtime_r(&tt, &tm))) {
		snprintf(err, errlen, "time out of range");
		return -1;
	}
	/* The format is the user's --partition-format: a format by design. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	n = strftime(buf, sizeof buf, p->format, &tm);
#pragma GCC diagnostic pop
	if (!n) {
		snprintf(err, errlen, "--partition-format gives an empty name");
		return -1;
	}
	sbuf_put(out, buf, n);
	return 0;
}

int sinkf_part_key(struct sinkf_part *p, const struct json_doc *d,
		   struct sbuf *out, char *err, size_t errlen)
{
	char why[256];

	for (size_t i = 0; i < p->n; i++) {
		struct step *s = &p->steps[i];
		struct jval v;
		int r = jpath_eval(s->path, d, &v, why, sizeof why);

		if (i)
			sbuf_putc(out, '/');
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", jpath_expr(s->path), why);
			return -1;
		}
		if (s->is_time) {
			if (r == 0 || v.type == JSON_NULL) {
				snprintf(err, errlen, "%s: missing",
					 jpath_expr(s->path));
				return -1;
			}
			if (time_key(p, &v, out, why, sizeof why) < 0) {
				snprintf(err, errlen, "%s: %s",
					 jpath_expr(s->path), why);
				return -1;
			}
			continue;
		}
		sinkf_hive_escape(out, jpath_name(s->path),
				  strlen(jpath_name(s->path)));
		sbuf_putc(out, '=');
		if (r == 0 || v.type == JSON_NULL) {
			sbuf_puts(out, HIVE_DEFAULT);
		} else if (v.type == JSON_STRING) {
			sbuf_reset(&p->tmp);
			json_unescape(v.p, v.n, &p->tmp);
			sinkf_hive_escape(out, p->tmp.p, p->tmp.len);
		} else if (v.type == JSON_OBJECT || v.type == JSON_ARRAY) {
			snprintf(err, errlen, "%s: expected a scalar, got %s",
				 jpath_expr(s->path), json_type_name(v.type));
			return -1;
		} else {
			sinkf_hive_escape(out, v.p, v.n);
		}
	}
	return 0;
}
