/*
 * mqtt_msg: MQTT messages as NDJSON records, for sw-mqtt sub.
 *
 * A message becomes {"topic":…,"qos":…,"retain":…,"timestamp":<receive
 * ms>,"value":…} (sw-mqtt(1)), or just the value with value_only.
 * The value is read per --value-format by valfmt.h, as in the Kafka
 * envelope: json (the payload parsed and written compact), string (a JSON
 * string of UTF-8 text) or base64; there is no codec.  An empty payload,
 * which MQTT uses to clear a retained message, is null whatever the
 * format.
 *
 * The caller owns the output buffer and the scratch json_doc, which is
 * reused from message to message.
 */
#ifndef SW_MQTT_MSG_H
#define SW_MQTT_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "mqtt_client.h"
#include "sbuf.h"
#include "valfmt.h"

/* Appends the record of m (no '\n').  Returns 0, or -1 with the reason
 * (the value is not JSON, not UTF-8) in err and out left as it was. */
int mqtt_msg_format(struct sbuf *out, struct json_doc *scratch,
		    const struct mqtt_message *m, int64_t recv_ms,
		    enum valfmt vf, int value_only, char *err,
		    size_t errlen);

#endif
