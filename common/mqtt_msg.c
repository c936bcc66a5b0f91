/*
 * mqtt_msg: see mqtt_msg.h.
 */
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "mqtt_msg.h"

int mqtt_value_format_parse(const char *s, enum mqtt_value_format *f)
{
	if (strcmp(s, "json") == 0)
		*f = MQTT_VALUE_JSON;
	else if (strcmp(s, "string") == 0)
		*f = MQTT_VALUE_STRING;
	else if (strcmp(s, "base64") == 0)
		*f = MQTT_VALUE_BASE64;
	else
		return -1;
	return 0;
}

static int put_value(struct sbuf *out, struct json_doc *scratch,
		     const struct mqtt_message *m, enum mqtt_value_format vf,
		     char *err, size_t errlen)
{
	char why[200];
	size_t ok;

	if (m->len == 0) {
		sbuf_put(out, "null", 4);
		return 0;
	}
	switch (vf) {
	case MQTT_VALUE_JSON:
		if (json_parse(scratch, m->payload, m->len, why, sizeof why) < 0) {
			snprintf(err, errlen,
				 "value is not JSON (%s); try --value-format string",
				 why);
			return -1;
		}
		sbuf_put(out, scratch->text.p, scratch->text.len);
		return 0;
	case MQTT_VALUE_STRING:
		ok = utf8_valid_prefix(m->payload, m->len);
		if (ok < m->len) {
			snprintf(err, errlen,
				 "value is not UTF-8 (byte %zu); try --value-format base64",
				 ok + 1);
			return -1;
		}
		sbuf_put_jstr(out, m->payload, m->len);
		return 0;
	case MQTT_VALUE_BASE64:
		sbuf_putc(out, '"');
		base64_encode(m->payload, m->len, out);
		sbuf_putc(out, '"');
		return 0;
	}
	return 0;
}

int mqtt_msg_format(struct sbuf *out, struct json_doc *scratch,
		    const struct mqtt_message *m, int64_t recv_ms,
		    enum mqtt_value_format vf, int value_only, char *err,
		    size_t errlen)
{
	size_t mark = out->len, tlen = strlen(m->topic);

	if (!value_only) {
		/* MQTT requires UTF-8 topics; a broker that lets another
		 * through must not make us write invalid JSON. */
		if (utf8_valid_prefix(m->topic, tlen) < tlen) {
			snprintf(err, errlen, "topic is not UTF-8");
			return -1;
		}
		sbuf_put(out, "{\"topic\":", 9);
		sbuf_put_jstr(out, m->topic, tlen);
		sbuf_put(out, ",\"qos\":", 7);
		sbuf_putc(out, (char)('0' + m->qos));
		if (m->retain)
			sbuf_put(out, ",\"retain\":true", 14);
		else
			sbuf_put(out, ",\"retain\":false", 15);
		sbuf_put(out, ",\"timestamp\":", 13);
		sbuf_put_i64(out, recv_ms);
		sbuf_put(out, ",\"value\":", 9);
	}
	if (put_value(out, scratch, m, vf, err, errlen) < 0) {
		out->len = mark;
		out->p[mark] = '\0';
		return -1;
	}
	if (!value_only)
		sbuf_putc(out, '}');
	return 0;
}
