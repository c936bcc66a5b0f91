/*
 * mqtt_msg: see mqtt_msg.h.
 */
#include <stdio.h>
#include <string.h>

#include "mqtt_msg.h"

static int put_value(struct sbuf *out, struct json_doc *scratch,
		     const struct mqtt_message *m, enum valfmt vf, char *err,
		     size_t errlen)
{
	char why[200];

	/* An empty payload clears a retained message: null. */
	if (valfmt_to_json(out, vf, NULL, m->len ? m->payload : NULL, m->len,
			   scratch, why, sizeof why) == 0)
		return 0;
	if (vf == VALFMT_JSON)
		snprintf(err, errlen,
			 "value is not JSON (%s); try --value-format string",
			 why);
	else
		snprintf(err, errlen, "value is %s; try --value-format base64",
			 why);
	return -1;
}

int mqtt_msg_format(struct sbuf *out, struct json_doc *scratch,
		    const struct mqtt_message *m, int64_t recv_ms,
		    enum valfmt vf, int value_only, char *err,
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
