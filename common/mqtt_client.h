/*
 * mqtt_client: one MQTT connection through libmosquitto, for sw-mqtt.
 *
 * The client is single-threaded: the caller drives the network by calling
 * mqtt_client_run() (one bounded step each), and messages arrive through the
 * caller's callback from inside that call.  The client owns the connection:
 * when it drops, the client reconnects with exponential back-off (100ms up
 * to 5s), and after each connection that did not resume a session it
 * subscribes again to the configured filters.  Outgoing QoS 1 and 2
 * messages not yet acknowledged are resent by libmosquitto after a
 * reconnection; the client counts the acknowledgements.
 *
 * The caller owns mqtt_conf and its strings, which must outlive the client.
 * Nothing here prints: errors fill the caller's err buffer, and state
 * changes (connected, subscribed, connection lost) are reported through the
 * on_event callback so that the tool decides what to say.
 */
#ifndef SW_MQTT_CLIENT_H
#define SW_MQTT_CLIENT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "wait.h"

#define MQTT_PORT 1883
#define MQTT_PORT_TLS 8883

struct mqtt_message {
	const char *topic;
	const void *payload;
	size_t len;
	int qos;
	int retain;
};

enum mqtt_event {
	MQTT_EV_CONNECTED,  /* detail: "session resumed" or "new session" */
	MQTT_EV_SUBSCRIBED, /* every filter was granted */
	MQTT_EV_LOST,       /* detail: why the connection ended */
	MQTT_EV_RETRY,      /* a connection attempt failed; detail: why */
};

struct mqtt_conf {
	const char *host;
	int port;
	/* NULL: "PREFIX-" and 8 random hex digits (clean sessions only);
	 * an empty id is refused by brokers that do not assign one */
	const char *client_id;
	const char *client_id_prefix; /* "sw-mqtt-sub"; NULL: "sw" */
	int clean_session;
	const char *user;      /* NULL: no authentication */
	const char *password;  /* NULL: none */
	const char *cafile;    /* non-NULL: TLS */
	const char *cert;      /* client certificate and key, or NULL */
	const char *key;
	int keepalive;         /* seconds */
	char *const *filters;  /* subscriptions (sub only) */
	int nfilters;
	int qos;               /* of the subscriptions */
	void (*on_message)(void *ctx, const struct mqtt_message *m);
	void (*on_event)(void *ctx, enum mqtt_event ev, const char *detail);
	void *ctx;
	/* How mqtt_client_connect() waits: in the steps wait.bound allows,
	 * and wait.stop (set by the caller's signal handler) ends a wait
	 * early (wait.h). */
	struct wait_step wait;
};

enum mqtt_rc {
	MQTT_OK = 0,
	MQTT_ERR = -1,         /* anything else; err says what */
	MQTT_UNREACHABLE = -2, /* no connection within the time allowed */
	MQTT_REFUSED = -3,     /* the broker refused us (credentials, ACL) */
	MQTT_UNTRUSTED = -4,   /* the TLS handshake failed (the broker's
				* certificate, ours, the protocol) */
};

struct mqtt_client;

/* Splits "HOST", "HOST:PORT" or "[V6]:PORT".  *host is allocated. */
int mqtt_parse_broker(const char *s, int default_port, char **host,
		      int *port, char *err, size_t errlen);

/* Whether topic is valid to publish to (filter 0) or to subscribe to
 * (filter 1, wildcards allowed).  Returns 0 or -1. */
int mqtt_topic_check(const char *topic, int filter);

/* Creates the client (nothing is sent yet).  NULL with err when the
 * configuration cannot be used (unreadable TLS files, bad client id). */
struct mqtt_client *mqtt_client_new(const struct mqtt_conf *conf, char *err,
				    size_t errlen);
/* Sends DISCONNECT when connected (a persistent session stays on the
 * broker) and frees everything. */
void mqtt_client_close(struct mqtt_client *c);

/* Connects, and subscribes when there are filters, retrying until
 * timeout_ms has passed.  Returns MQTT_OK, MQTT_UNREACHABLE (err has the
 * last reason), MQTT_REFUSED, MQTT_UNTRUSTED at the first failed TLS
 * handshake (not retried: it fails the same way again), or MQTT_ERR.  A
 * signal makes it return MQTT_ERR with an empty err.  Reconnections
 * later retry through a failed handshake too (a broker may be changing
 * its certificate). */
int mqtt_client_connect(struct mqtt_client *c, int timeout_ms, char *err,
			size_t errlen);

/* One step of network work, waiting at most timeout_ms: reads messages
 * (calling on_message), writes what is queued, keeps the connection alive,
 * and reconnects when it was lost.  Returns after the first step that did
 * anything, on a signal, or at the timeout.  Returns MQTT_OK, or
 * MQTT_REFUSED when a reconnection was refused (err says why). */
int mqtt_client_run(struct mqtt_client *c, int timeout_ms, char *err,
		    size_t errlen);

/* Queues a message.  A client publishes at one QoS.  Returns MQTT_OK;
 * MQTT_ERR with err when the topic or the payload cannot be sent
 * (wildcards, too long); MQTT_UNREACHABLE when a QoS 0 message could not
 * be handed over because the connection is down (run, then try again). */
int mqtt_client_publish(struct mqtt_client *c, const char *topic,
			const void *payload, size_t len, int qos, int retain,
			char *err, size_t errlen);

/* QoS 1 and 2 messages published and not yet acknowledged. */
uint64_t mqtt_client_unacked(const struct mqtt_client *c);
/* Whether bytes are waiting to be written (QoS 0 messages included). */
int mqtt_client_want_write(struct mqtt_client *c);
int mqtt_client_connected(const struct mqtt_client *c);
uint64_t mqtt_client_reconnects(const struct mqtt_client *c);

/* "libmosquitto 2.0.11\n", for --version. */
const char *mqtt_lib_version(void);

#endif
