/* kafka_conf: see kafka_conf.h. */
#include "kafka_conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"
#include "secret.h"
#include "xalloc.h"

const char *const kafka_compression_names[] = { "none", "gzip", "snappy",
						 "lz4", "zstd", NULL };

int kafka_compression_check(const char *s, char *err, size_t errlen)
{
	struct sbuf b = SBUF_INIT;

	for (size_t i = 0; kafka_compression_names[i]; i++)
		if (strcmp(s, kafka_compression_names[i]) == 0)
			return 0;
	sbuf_put_list(&b, kafka_compression_names, "|", "|");
	snprintf(err, errlen, "%s: expected %s", s, b.p);
	sbuf_free(&b);
	return -1;
}

#define DEFAULT_BROKERS "localhost:9092"

static void add(const char ***arr, size_t *n, const char *s)
{
	*arr = xrealloc(*arr, (*n + 1) * sizeof(**arr));
	(*arr)[(*n)++] = s;
}

int kafka_opts_option(struct kafka_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'b':
		o->brokers = arg;
		return 1;
	case 'F':
		kafka_opts_add_file(o, arg);
		return 1;
	case 'X':
		if (!strcmp(arg, "list"))
			return 2;
		kafka_opts_add_prop(o, arg);
		return 1;
	default:
		return 0;
	}
}

void kafka_opts_add_prop(struct kafka_opts *o, const char *kv)
{
	add(&o->props, &o->nprops, kv);
}

void kafka_opts_add_file(struct kafka_opts *o, const char *path)
{
	add(&o->files, &o->nfiles, path);
}

void kafka_opts_free(struct kafka_opts *o)
{
	free(o->props);
	free(o->files);
	o->props = o->files = NULL;
	o->nprops = o->nfiles = 0;
}

static int set(rd_kafka_conf_t *c, const char *name, const char *val,
	       const char *where, char *err, size_t errlen)
{
	char e[256];

	if (rd_kafka_conf_set(c, name, val, e, sizeof(e)) != RD_KAFKA_CONF_OK) {
		snprintf(err, errlen, "%s: %s", where, e);
		return -1;
	}
	return 0;
}

/* "name=value" (white space around both trimmed) into name, value. */
static int split_kv(char *s, char **name, char **val)
{
	char *eq = strchr(s, '='), *end;

	if (!eq || eq == s)
		return -1;
	*eq = '\0';
	*val = eq + 1;
	while (**val == ' ' || **val == '\t')
		(*val)++;
	end = *val + strlen(*val);
	while (end > *val && (end[-1] == ' ' || end[-1] == '\t' ||
			      end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	end = eq;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	*name = s;
	return *s ? 0 : -1;
}

static int load_file(rd_kafka_conf_t *c, const char *path, char *err,
		     size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *name, *val, where[300];
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = 0;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		char *p = line;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || *p == '\r' || *p == '\0')
			continue;
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		if (split_kv(p, &name, &val) < 0) {
			snprintf(err, errlen, "%s: expected name=value", where);
			rc = -1;
			break;
		}
		if (set(c, name, val, where, err, errlen) < 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(f);
	return rc;
}

static int set_prop(rd_kafka_conf_t *c, const char *kv, char *err,
		    size_t errlen)
{
	char *copy = xstrdup(kv), *name, *val, where[300];
	int rc;

	snprintf(where, sizeof(where), "-X %s", kv);
	if (split_kv(copy, &name, &val) < 0) {
		snprintf(err, errlen, "%s: expected name=value", where);
		free(copy);
		return -1;
	}
	rc = set(c, name, val, where, err, errlen);
	free(copy);
	return rc;
}

int kafka_conf_new(rd_kafka_conf_t **out, const struct kafka_opts *o,
		   const char *const *defaults, char *err, size_t errlen)
{
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	const char *env = getenv("SW_BROKERS");
	size_t i;

	*out = NULL;
	/* -F is where Kafka passwords go (sw-consume(1), -F); -X may
	 * carry one too.  Either way librdkafka keeps a copy for good. */
	if (o->nfiles)
		secret_hold();
	for (i = 0; i < o->nprops; i++)
		if (strstr(o->props[i], "password") || strstr(o->props[i], "secret") ||
		    strncmp(o->props[i], "sasl.", 5) == 0 ||
		    strncmp(o->props[i], "ssl.key", 7) == 0)
			secret_hold();
	for (i = 0; defaults && defaults[i]; i += 2)
		if (set(c, defaults[i], defaults[i + 1], defaults[i], err,
			errlen) < 0)
			goto fail;
	if (set(c, "bootstrap.servers", env && *env ? env : DEFAULT_BROKERS,
		"$SW_BROKERS", err, errlen) < 0)
		goto fail;
	for (i = 0; i < o->nfiles; i++)
		if (load_file(c, o->files[i], err, errlen) < 0)
			goto fail;
	for (i = 0; i < o->nprops; i++)
		if (set_prop(c, o->props[i], err, errlen) < 0)
			goto fail;
	if (o->brokers &&
	    set(c, "bootstrap.servers", o->brokers, "-b", err, errlen) < 0)
		goto fail;
	*out = c;
	return 0;
fail:
	rd_kafka_conf_destroy(c);
	return -1;
}

const char *kafka_conf_brokers(const struct kafka_opts *o)
{
	const char *env = getenv("SW_BROKERS");
	size_t i;

	if (o->brokers)
		return o->brokers;
	for (i = o->nprops; i-- > 0;) {
		const char *kv = o->props[i];

		if (!strncmp(kv, "bootstrap.servers=", 18))
			return kv + 18;
		if (!strncmp(kv, "metadata.broker.list=", 21))
			return kv + 21;
	}
	return env && *env ? env : DEFAULT_BROKERS;
}

int kafka_err_unreachable(rd_kafka_resp_err_t e)
{
	switch (e) {
	case RD_KAFKA_RESP_ERR__TRANSPORT:
	case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
	case RD_KAFKA_RESP_ERR__TIMED_OUT:
	case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
	case RD_KAFKA_RESP_ERR__RESOLVE:
	case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
	case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
	case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
	case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
	case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
		return 1;
	default:
		return 0;
	}
}

int kafka_err_exit(rd_kafka_resp_err_t e)
{
	return kafka_err_unreachable(e) ? 69 : 1;
}

rd_kafka_resp_err_t kafka_metadata(rd_kafka_t *rk, const struct kafka_opts *o,
				   int all, int timeout_ms,
				   const struct rd_kafka_metadata **md,
				   char *err, size_t errlen)
{
	rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__TIMED_OUT;
	int left = timeout_ms, ms;

	*md = NULL;
	/* No broker up within a step is __TRANSPORT, no answer __TIMED_OUT:
	 * both wait on. */
	while ((ms = wait_next(&o->wait, &left)) >= 0) {
		e = rd_kafka_metadata(rk, all, NULL, md, ms);
		if (e != RD_KAFKA_RESP_ERR__TIMED_OUT &&
		    e != RD_KAFKA_RESP_ERR__TRANSPORT)
			break;
	}
	if (e && wait_stopped(&o->wait))
		e = RD_KAFKA_RESP_ERR__INTR;
	if (e == RD_KAFKA_RESP_ERR_NO_ERROR && *md && (*md)->broker_cnt == 0) {
		rd_kafka_metadata_destroy(*md);
		*md = NULL;
		e = RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN;
	}
	if (e)
		snprintf(err, errlen, "cannot reach Kafka at %s within %dms: %s",
			 kafka_conf_brokers(o), timeout_ms, rd_kafka_err2str(e));
	return e;
}

const char *kafka_version_line(void)
{
	static char line[64];

	snprintf(line, sizeof(line), "librdkafka %s\n", rd_kafka_version_str());
	return line;
}
