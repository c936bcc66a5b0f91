/*
 * mqtt_client: see mqtt_client.h.
 *
 * Connections are made with the asynchronous calls of libmosquitto and
 * driven by mosquitto_loop(), so that no step blocks longer than the caller
 * allows: an unreachable broker costs a bounded wait, never a TCP timeout.
 */
#include <errno.h>
#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "mqtt_client.h"
#include "timefmt.h"
#include "xalloc.h"

#define BACKOFF_MIN_US 100000
#define BACKOFF_MAX_US 5000000
/* A connection attempt with no CONNACK after this long is given up. */
#define ATTEMPT_MAX_US 5000000

enum state { ST_DOWN, ST_CONNECTING, ST_UP };

struct mqtt_client {
	struct mqtt_conf conf;
	struct mosquitto *mosq;
	enum state st;
	int tried;       /* connect_async was called once */
	int ever_up;
	int subscribed;  /* every filter granted on this connection */
	int first_sub;   /* subscriptions made at least once in this process */
	int refused;
	int tls_failed;     /* the last attempt's TLS handshake failed */
	int pub_qos;
	int64_t next_try_us;
	int64_t attempt_us;
	int64_t backoff_us;
	uint64_t published; /* QoS 1/2 messages handed to libmosquitto */
	uint64_t acked;
	uint64_t reconnects;
	char reason[256];   /* why the last attempt or connection failed */
	char logerr[256];   /* the last error libmosquitto logged */
	char id[96];        /* the generated client id */
};

static int stopping(const struct mqtt_client *c)
{
	return wait_stopped(&c->conf.wait);
}

/* libmosquitto's messages end with a period; ours go inside sentences. */
static void trim_reason(struct mqtt_client *c)
{
	size_t n = strlen(c->reason);

	while (n > 0 && (c->reason[n - 1] == '.' || c->reason[n - 1] == ' '))
		c->reason[--n] = '\0';
}

static void event(struct mqtt_client *c, enum mqtt_event ev,
		  const char *detail)
{
	trim_reason(c);
	if (c->conf.on_event)
		c->conf.on_event(c->conf.ctx, ev, detail);
}

int mqtt_parse_broker(const char *s, int default_port, char **host,
		      int *port, char *err, size_t errlen)
{
	const char *orig = s, *colon, *end;
	long p = default_port;

	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end || end == s + 1 || (end[1] && end[1] != ':'))
			goto bad;
		colon = end[1] ? end + 1 : NULL;
		s++;
	} else {
		colon = strrchr(s, ':');
		if (colon && strchr(s, ':') != colon)
			colon = NULL; /* a bare IPv6 address */
		end = colon ? colon : s + strlen(s);
	}
	if (end == s)
		goto bad;
	if (colon) {
		char *e;

		errno = 0;
		p = strtol(colon + 1, &e, 10);
		if (!colon[1] || *e || errno || p < 1 || p > 65535)
			goto bad;
	}
	*host = xstrndup(s, (size_t)(end - s));
	*port = (int)p;
	return 0;
bad:
	snprintf(err, errlen, "'%s': expected HOST[:PORT]", orig);
	return -1;
}

int mqtt_topic_check(const char *topic, int filter)
{
	int rc = filter ? mosquitto_sub_topic_check(topic) :
			  mosquitto_pub_topic_check(topic);

	return rc == MOSQ_ERR_SUCCESS && mosquitto_validate_utf8(topic, (int)strlen(topic)) == MOSQ_ERR_SUCCESS ? 0 : -1;
}

static void on_connect(struct mosquitto *mosq, void *ctx, int rc, int flags)
{
	struct mqtt_client *c = ctx;
	int resumed = (flags & 1) && !c->conf.clean_session;

	if (rc) {
		c->refused = 1;
		snprintf(c->reason, sizeof c->reason, "connection refused: %s",
			 mosquitto_connack_string(rc));
		return;
	}
	c->st = ST_UP;
	c->backoff_us = BACKOFF_MIN_US;
	if (c->ever_up)
		c->reconnects++;
	c->ever_up = 1;
	event(c, MQTT_EV_CONNECTED, resumed ? "session resumed" : "new session");
	if (c->conf.nfilters == 0)
		return;
	/* A resumed session keeps its subscriptions (and subscribing again
	 * would send the retained messages again); the first connection of a
	 * run subscribes anyway, in case the filters changed. */
	if (resumed && c->first_sub) {
		c->subscribed = 1;
		return;
	}
	rc = mosquitto_subscribe_multiple(mosq, NULL, c->conf.nfilters,
					  c->conf.filters, c->conf.qos, 0, NULL);
	if (rc != MOSQ_ERR_SUCCESS)
		snprintf(c->reason, sizeof c->reason, "subscribe: %s",
			 mosquitto_strerror(rc));
}

static void on_subscribe(struct mosquitto *mosq, void *ctx, int mid,
			 int n, const int *granted)
{
	struct mqtt_client *c = ctx;

	(void)mosq;
	(void)mid;
	for (int i = 0; i < n && i < c->conf.nfilters; i++) {
		if (granted[i] > 2) {
			c->refused = 1;
			snprintf(c->reason, sizeof c->reason,
				 "subscription to '%s' refused by the broker",
				 c->conf.filters[i]);
			return;
		}
	}
	c->subscribed = 1;
	c->first_sub = 1;
	event(c, MQTT_EV_SUBSCRIBED, NULL);
}

static void on_message(struct mosquitto *mosq, void *ctx,
		       const struct mosquitto_message *msg)
{
	struct mqtt_client *c = ctx;
	struct mqtt_message m = {
		msg->topic, msg->payload, (size_t)msg->payloadlen, msg->qos,
		msg->retain,
	};

	(void)mosq;
	if (c->conf.on_message)
		c->conf.on_message(c->conf.ctx, &m);
}

static void on_publish(struct mosquitto *mosq, void *ctx, int mid)
{
	struct mqtt_client *c = ctx;

	(void)mosq;
	(void)mid;
	if (c->pub_qos > 0)
		c->acked++;
}

static void on_log(struct mosquitto *mosq, void *ctx, int level,
		   const char *str)
{
	struct mqtt_client *c = ctx;

	(void)mosq;
	if (level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING))
		snprintf(c->logerr, sizeof c->logerr, "%s", str);
}

struct mqtt_client *mqtt_client_new(const struct mqtt_conf *conf, char *err,
				    size_t errlen)
{
	struct mqtt_client *c = xcalloc(1, sizeof *c);
	int rc;

	c->conf = *conf;
	c->backoff_us = BACKOFF_MIN_US;
	if (!conf->client_id && conf->clean_session) {
		uint32_t r;

		if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
			r = (uint32_t)timefmt_mono_us() ^ ((uint32_t)getpid() << 16);
		snprintf(c->id, sizeof c->id, "%.80s-%08x",
			 conf->client_id_prefix ? conf->client_id_prefix : "sw",
			 (unsigned)r);
		c->conf.client_id = c->id;
	}
	mosquitto_lib_init();
	c->mosq = mosquitto_new(c->conf.client_id, conf->clean_session, c);
	if (!c->mosq) {
		snprintf(err, errlen, "cannot create the client: %s",
			 errno == EINVAL ? "a persistent session needs a client id" :
					   strerror(errno));
		goto fail;
	}
	mosquitto_int_option(c->mosq, MOSQ_OPT_PROTOCOL_VERSION,
			     MQTT_PROTOCOL_V311);
	mosquitto_max_inflight_messages_set(c->mosq, 256);
	if (conf->user) {
		rc = mosquitto_username_pw_set(c->mosq, conf->user, conf->password);
		if (rc != MOSQ_ERR_SUCCESS) {
			snprintf(err, errlen, "--user: %s", mosquitto_strerror(rc));
			goto fail;
		}
	}
	if (conf->cafile || conf->cert) {
		rc = mosquitto_tls_set(c->mosq, conf->cafile, NULL, conf->cert,
				       conf->key, NULL);
		if (rc != MOSQ_ERR_SUCCESS) {
			snprintf(err, errlen, "TLS: %s",
				 rc == MOSQ_ERR_INVAL ?
					 "cannot read --cafile, --cert or --key (or --cert without --key)" :
					 mosquitto_strerror(rc));
			goto fail;
		}
	}
	mosquitto_connect_with_flags_callback_set(c->mosq, on_connect);
	mosquitto_subscribe_callback_set(c->mosq, on_subscribe);
	mosquitto_message_callback_set(c->mosq, on_message);
	mosquitto_publish_callback_set(c->mosq, on_publish);
	mosquitto_log_callback_set(c->mosq, on_log);
	return c;
fail:
	mqtt_client_close(c);
	return NULL;
}

void mqtt_client_close(struct mqtt_client *c)
{
	if (!c)
		return;
	if (c->mosq) {
		if (c->st == ST_UP) {
			mosquitto_disconnect(c->mosq);
			/* DISCONNECT is written at once unless the socket was
			 * full; give it a moment to leave in that case. */
			for (int i = 0; i < 10 && mosquitto_want_write(c->mosq); i++)
				if (mosquitto_loop(c->mosq, 100, 1) != MOSQ_ERR_SUCCESS)
					break;
		}
		mosquitto_destroy(c->mosq);
	}
	mosquitto_lib_cleanup();
	free(c);
}

/* A connection attempt failed: say why, and wait longer before the next. */
static void attempt_failed(struct mqtt_client *c, const char *why)
{
	if (c->logerr[0] && !c->refused)
		snprintf(c->reason, sizeof c->reason, "%s", c->logerr);
	else if (!c->refused)
		snprintf(c->reason, sizeof c->reason, "%s", why);
	c->st = ST_DOWN;
	c->subscribed = 0;
	c->next_try_us = timefmt_mono_us() + c->backoff_us;
	c->backoff_us = c->backoff_us * 2 > BACKOFF_MAX_US ? BACKOFF_MAX_US :
							     c->backoff_us * 2;
	event(c, MQTT_EV_RETRY, c->reason);
}

static const char *loop_reason(int rc, int saved_errno, char *buf,
			       size_t len)
{
	if (rc == MOSQ_ERR_ERRNO) {
		snprintf(buf, len, "%s", strerror(saved_errno));
		return buf;
	}
	return mosquitto_strerror(rc);
}

static void start_attempt(struct mqtt_client *c)
{
	char buf[128];
	int rc;

	c->logerr[0] = '\0';
	errno = 0;
	if (c->tried)
		rc = mosquitto_reconnect_async(c->mosq);
	else
		rc = mosquitto_connect_async(c->mosq, c->conf.host, c->conf.port,
					     c->conf.keepalive);
	c->tried = 1;
	if (rc != MOSQ_ERR_SUCCESS) {
		attempt_failed(c, loop_reason(rc, errno, buf, sizeof buf));
		return;
	}
	c->st = ST_CONNECTING;
	c->attempt_us = timefmt_mono_us();
}

static void sleep_us(int64_t us)
{
	struct timespec ts = { (time_t)(us / 1000000), (long)(us % 1000000) * 1000 };

	nanosleep(&ts, NULL); /* a signal ends it early, as it should */
}

int mqtt_client_run(struct mqtt_client *c, int timeout_ms, char *err,
		    size_t errlen)
{
	int64_t now = timefmt_mono_us(), wait = (int64_t)timeout_ms * 1000;
	char buf[128];
	int rc, e;

	if (c->st == ST_DOWN) {
		if (now < c->next_try_us) {
			sleep_us(c->next_try_us - now < wait ? c->next_try_us - now : wait);
			return MQTT_OK;
		}
		start_attempt(c);
		if (c->st == ST_DOWN)
			return MQTT_OK;
	}
	if (c->st == ST_CONNECTING) {
		int64_t left = c->attempt_us + ATTEMPT_MAX_US - now;

		if (left <= 0) {
			attempt_failed(c, "no answer from the broker");
			return MQTT_OK;
		}
		if (left < wait)
			wait = left;
	}
	errno = 0;
	rc = mosquitto_loop(c->mosq, (int)(wait / 1000), 1);
	e = errno;
	if (rc == MOSQ_ERR_SUCCESS && !c->refused)
		return MQTT_OK;
	if (c->st == ST_UP && !c->refused) {
		snprintf(c->reason, sizeof c->reason, "%s",
			 c->logerr[0] ? c->logerr :
					loop_reason(rc, e, buf, sizeof buf));
		c->st = ST_DOWN;
		c->subscribed = 0;
		c->next_try_us = now + BACKOFF_MIN_US;
		event(c, MQTT_EV_LOST, c->reason);
		return MQTT_OK;
	}
	c->tls_failed = rc == MOSQ_ERR_TLS;
	attempt_failed(c, loop_reason(rc, e, buf, sizeof buf));
	if (c->refused) {
		trim_reason(c);
		snprintf(err, errlen, "%s", c->reason);
		return MQTT_REFUSED;
	}
	return MQTT_OK;
}

int mqtt_client_connect(struct mqtt_client *c, int timeout_ms, char *err,
			size_t errlen)
{
	int64_t deadline = timefmt_mono_us() + (int64_t)timeout_ms * 1000;
	int rc;

	err[0] = '\0';
	for (;;) {
		if (c->st == ST_UP &&
		    (c->conf.nfilters == 0 || c->subscribed))
			return MQTT_OK;
		if (c->refused) {
			trim_reason(c);
			snprintf(err, errlen, "%s", c->reason);
			return MQTT_REFUSED;
		}
		/* A first handshake that fails (an untrusted certificate, a
		 * plain server on a TLS port) fails the same way again, as
		 * mosquitto_sub's does: say so now, not at the timeout. */
		if (c->tls_failed) {
			trim_reason(c);
			snprintf(err, errlen, "TLS: %s", c->reason);
			return MQTT_UNTRUSTED;
		}
		if (stopping(c))
			return MQTT_ERR;
		int64_t left = deadline - timefmt_mono_us();
		if (left <= 0) {
			trim_reason(c);
			snprintf(err, errlen, "%s", c->reason[0] ? c->reason :
				 "no answer from the broker");
			return MQTT_UNREACHABLE;
		}
		rc = mqtt_client_run(c, wait_bound(&c->conf.wait,
						   (int)((left + 999) / 1000)),
				     err, errlen);
		if (rc != MQTT_OK)
			return rc;
	}
}

int mqtt_client_publish(struct mqtt_client *c, const char *topic,
			const void *payload, size_t len, int qos, int retain,
			char *err, size_t errlen)
{
	int rc;

	if (mosquitto_pub_topic_check(topic) != MOSQ_ERR_SUCCESS) {
		snprintf(err, errlen, "not a topic to publish to: '%s'%s", topic,
			 strpbrk(topic, "+#") ? " (wildcards are for subscriptions)" :
			 "");
		return MQTT_ERR;
	}
	if (len > 268435455 - 2 - strlen(topic) - 2) {
		snprintf(err, errlen, "message of %zu bytes is too long for MQTT", len);
		return MQTT_ERR;
	}
	if (qos == 0 && c->st != ST_UP)
		return MQTT_UNREACHABLE;
	c->pub_qos = qos;
	rc = mosquitto_publish(c->mosq, NULL, topic, (int)len, payload, qos,
			       retain != 0);
	switch (rc) {
	case MOSQ_ERR_SUCCESS:
		break;
	case MOSQ_ERR_NO_CONN:
	case MOSQ_ERR_CONN_LOST:
	case MOSQ_ERR_ERRNO:
		/* QoS 1 and 2 stay queued and go after the reconnection. */
		if (qos == 0)
			return MQTT_UNREACHABLE;
		break;
	default:
		snprintf(err, errlen, "cannot publish to '%s': %s", topic,
			 mosquitto_strerror(rc));
		return MQTT_ERR;
	}
	if (qos > 0)
		c->published++;
	return MQTT_OK;
}

uint64_t mqtt_client_unacked(const struct mqtt_client *c)
{
	return c->published - c->acked;
}

int mqtt_client_want_write(struct mqtt_client *c)
{
	return c->st == ST_UP && mosquitto_want_write(c->mosq);
}

int mqtt_client_connected(const struct mqtt_client *c)
{
	return c->st == ST_UP;
}

uint64_t mqtt_client_reconnects(const struct mqtt_client *c)
{
	return c->reconnects;
}

const char *mqtt_lib_version(void)
{
	static char buf[64];
	int major, minor, rev;

	mosquitto_lib_version(&major, &minor, &rev);
	snprintf(buf, sizeof buf, "libmosquitto %d.%d.%d\n", major, minor, rev);
	return buf;
}
