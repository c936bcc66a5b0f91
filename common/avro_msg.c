/* avro_msg: framed Avro messages.  See avro_msg.h. */
#include "avro_msg.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avro_registry.h"
#include "exitcode.h"
#include "xalloc.h"

struct rcache {
	const struct avro_schema *w;
	struct avro_reader *rd;
};

struct avro_msg {
	struct avro_msg_opts o;
	struct avro_schema *schema; /* --schema */
	struct avro_schema *reader; /* --reader-schema */
	struct avro_registry *reg;
	const struct avro_schema *enc;  /* what encode writes */
	int64_t enc_id;                 /* its id, or -1 */
	enum avro_framing enc_framing;
	struct avro_writer *writer;
	struct rcache *rc;
	size_t nrc, caprc;
};

/* Container first, then auto: see AVRO_FRAMINGS_DECODE. */
const char *const avro_framing_names[] = { "container", "auto", "raw",
					   "confluent", "single-object", NULL };

int avro_framing_parse(const char *s, enum avro_framing *f)
{
	static const enum avro_framing framings[] = {
		AVRO_FRAME_CONTAINER, AVRO_FRAME_AUTO, AVRO_FRAME_RAW,
		AVRO_FRAME_CONFLUENT, AVRO_FRAME_SINGLE,
	};

	for (int i = 0; avro_framing_names[i]; i++)
		if (strcmp(s, avro_framing_names[i]) == 0) {
			*f = framings[i];
			return 0;
		}
	return -1;
}

const char *const avro_json_names[] = {
	[AVRO_JSON_PLAIN] = "plain",
	[AVRO_JSON_AVRO] = "avro",
	NULL,
};

int avro_json_parse(const char *s, enum avro_json *j)
{
	for (int i = 0; avro_json_names[i]; i++)
		if (strcmp(s, avro_json_names[i]) == 0) {
			*j = (enum avro_json)i;
			return 0;
		}
	return -1;
}

static int reg_rc(int rc)
{
	switch (rc) {
	case AVRO_REG_EUNAVAIL:
		return AVRO_MSG_EUNAVAIL;
	case AVRO_REG_EIO:
		return AVRO_MSG_EIO;
	case AVRO_REG_EUSAGE:
		return AVRO_MSG_EUSAGE;
	default:
		return AVRO_MSG_EDATA;
	}
}

static int load(const char *opt, const char *path, struct avro_schema **s,
		char *err, size_t errlen)
{
	char why[512];

	*s = avro_schema_load(path, why, sizeof(why));
	if (!*s) {
		snprintf(err, errlen, "%s: %s", opt, why);
		return AVRO_MSG_EUSAGE;
	}
	return 0;
}

static int setup_encode(struct avro_msg *m, char *err, size_t errlen)
{
	const struct avro_schema *found;
	int rc;

	m->enc_id = m->o.schema_id;
	if (m->schema) {
		m->enc = m->schema;
	} else if (m->reg && m->o.schema_id >= 0) {
		rc = avro_registry_get(m->reg, m->o.schema_id, &m->enc, err,
				       errlen);
		if (rc < 0)
			return rc == AVRO_REG_ENOTFOUND ? AVRO_MSG_EUSAGE :
							  reg_rc(rc);
	} else {
		snprintf(err, errlen, "encode needs --schema (or --registry "
				      "with --schema-id)");
		return AVRO_MSG_EUSAGE;
	}
	if (m->enc_id < 0 && m->reg && !avro_registry_is_url(m->reg)) {
		char why[512];
		int64_t id;
		if (avro_registry_find(m->reg, m->enc->fingerprint, &found, &id,
				       why, sizeof(why)) == 0)
			m->enc_id = id;
	}
	m->enc_framing = m->o.framing;
	if (m->enc_framing == AVRO_FRAME_AUTO)
		m->enc_framing = m->enc_id >= 0 ? AVRO_FRAME_CONFLUENT :
						  AVRO_FRAME_RAW;
	if (m->enc_framing == AVRO_FRAME_CONFLUENT && m->enc_id < 0) {
		snprintf(err, errlen, "confluent framing needs --schema-id "
				      "(or the schema in --registry DIR)");
		return AVRO_MSG_EUSAGE;
	}
	if (m->enc_id > UINT32_MAX) {
		snprintf(err, errlen, "--schema-id: out of range");
		return AVRO_MSG_EUSAGE;
	}
	m->writer = avro_writer_new(m->enc->root,
				    m->o.json == AVRO_JSON_AVRO ? AVRO_IN_AVRO :
								  AVRO_IN_PLAIN);
	return 0;
}

int avro_msg_new(struct avro_msg **out, const struct avro_msg_opts *o,
		 int encode, char *err, size_t errlen)
{
	struct avro_msg *m = xcalloc(1, sizeof(*m));
	int rc = 0;

	m->o = *o;
	if (o->schema && (rc = load("--schema", o->schema, &m->schema, err,
				    errlen)) < 0)
		goto fail;
	if (o->reader_schema &&
	    (rc = load("--reader-schema", o->reader_schema, &m->reader, err,
		       errlen)) < 0)
		goto fail;
	if ((o->registry_user || o->registry_password_file) && !o->registry) {
		snprintf(err, errlen, "--registry-user and "
				      "--registry-password-file need --registry");
		rc = AVRO_MSG_EUSAGE;
		goto fail;
	}
	if (o->registry) {
		char why[512];

		rc = AVRO_MSG_EUSAGE;
		if (avro_registry_open(&m->reg, o->registry, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "--registry: %s", why);
			goto fail;
		}
		if (avro_registry_auth(m->reg, o->registry_user,
				       o->registry_password_file, err,
				       errlen) < 0)
			goto fail;
		rc = 0;
	}
	if (encode) {
		if ((rc = setup_encode(m, err, errlen)) < 0)
			goto fail;
	} else if (!m->schema && !m->reg) {
		snprintf(err, errlen, "decoding messages needs --schema or "
				      "--registry");
		rc = AVRO_MSG_EUSAGE;
		goto fail;
	}
	*out = m;
	return 0;
fail:
	avro_msg_free(m);
	return rc;
}

void avro_msg_free(struct avro_msg *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nrc; i++)
		avro_reader_free(m->rc[i].rd);
	free(m->rc);
	avro_writer_free(m->writer);
	avro_registry_free(m->reg);
	avro_schema_free(m->schema);
	avro_schema_free(m->reader);
	free(m);
}

const struct avro_schema *avro_msg_schema(const struct avro_msg *m)
{
	return m->enc;
}

const struct avro_schema *avro_msg_reader_schema(const struct avro_msg *m)
{
	return m->reader;
}

static struct avro_reader *reader_for(struct avro_msg *m,
				      const struct avro_schema *w, char *err,
				      size_t errlen)
{
	struct avro_reader *rd;

	for (size_t i = 0; i < m->nrc; i++)
		if (m->rc[i].w == w)
			return m->rc[i].rd;
	rd = avro_reader_new(w->root, m->reader ? m->reader->root : NULL,
			     m->o.json, err, errlen);
	if (!rd)
		return NULL;
	if (m->nrc == m->caprc) {
		m->caprc = m->caprc ? 2 * m->caprc : 8;
		m->rc = xrealloc(m->rc, m->caprc * sizeof(*m->rc));
	}
	m->rc[m->nrc].w = w;
	m->rc[m->nrc++].rd = rd;
	return rd;
}

static int writer_schema(struct avro_msg *m, const uint8_t *p, size_t n,
			 size_t *hdr, const struct avro_schema **w, char *err,
			 size_t errlen)
{
	enum avro_framing f = m->o.framing;
	int rc;

	if (f == AVRO_FRAME_AUTO || f == AVRO_FRAME_CONTAINER) {
		if (n >= 5 && p[0] == 0)
			f = AVRO_FRAME_CONFLUENT;
		else if (n >= 10 && p[0] == 0xc3 && p[1] == 0x01)
			f = AVRO_FRAME_SINGLE;
		else
			f = AVRO_FRAME_RAW;
	}
	switch (f) {
	case AVRO_FRAME_CONFLUENT: {
		int64_t id;
		if (n < 5 || p[0] != 0) {
			snprintf(err, errlen, "not a Confluent-framed message "
					      "(%zu bytes, first 0x%02x)",
				 n, n ? p[0] : 0);
			return AVRO_MSG_EDATA;
		}
		id = (int64_t)((uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 |
			       (uint32_t)p[3] << 8 | p[4]);
		*hdr = 5;
		if (m->reg) {
			rc = avro_registry_get(m->reg, id, w, err, errlen);
			return rc < 0 ? reg_rc(rc) : 0;
		}
		if (m->o.schema_id >= 0 && id != m->o.schema_id) {
			snprintf(err, errlen, "schema id %" PRId64
					      ", not --schema-id %" PRId64,
				 id, m->o.schema_id);
			return AVRO_MSG_EDATA;
		}
		*w = m->schema;
		return 0;
	}
	case AVRO_FRAME_SINGLE: {
		uint64_t fp = 0;
		int64_t id;
		if (n < 10 || p[0] != 0xc3 || p[1] != 0x01) {
			snprintf(err, errlen, "not a single-object message");
			return AVRO_MSG_EDATA;
		}
		for (int i = 9; i >= 2; i--)
			fp = fp << 8 | p[i];
		*hdr = 10;
		if (m->schema && m->schema->fingerprint == fp) {
			*w = m->schema;
			return 0;
		}
		if (m->reg) {
			rc = avro_registry_find(m->reg, fp, w, &id, err,
						errlen);
			return rc < 0 ? reg_rc(rc) : 0;
		}
		snprintf(err, errlen, "schema fingerprint %016" PRIx64
				      " is not the --schema's (%016" PRIx64 ")",
			 fp, m->schema->fingerprint);
		return AVRO_MSG_EDATA;
	}
	default:
		*hdr = 0;
		if (m->schema) {
			*w = m->schema;
			return 0;
		}
		if (m->o.schema_id >= 0) {
			rc = avro_registry_get(m->reg, m->o.schema_id, w, err,
					       errlen);
			return rc < 0 ? reg_rc(rc) : 0;
		}
		snprintf(err, errlen, "raw datums need --schema (or "
				      "--schema-id with --registry)");
		return AVRO_MSG_EUSAGE;
	}
}

int avro_msg_decode_prefix(struct avro_msg *m, const void *p, size_t n,
			   size_t *used, struct sbuf *out, char *err,
			   size_t errlen)
{
	const struct avro_schema *w = NULL;
	struct avro_reader *rd;
	size_t hdr = 0, start = out->len;
	int64_t got;
	int rc;

	rc = writer_schema(m, p, n, &hdr, &w, err, errlen);
	if (rc < 0)
		return rc;
	rd = reader_for(m, w, err, errlen);
	if (!rd)
		return AVRO_MSG_EDATA;
	got = avro_read(rd, (const uint8_t *)p + hdr, n - hdr, out, err,
			errlen);
	if (got < 0) {
		out->len = start;
		if (out->p)
			out->p[start] = '\0';
		return AVRO_MSG_EDATA;
	}
	*used = hdr + (size_t)got;
	return 0;
}

int avro_msg_decode(struct avro_msg *m, const void *p, size_t n,
		    struct sbuf *out, char *err, size_t errlen)
{
	size_t used, start = out->len;
	int rc = avro_msg_decode_prefix(m, p, n, &used, out, err, errlen);

	if (rc == 0 && used != n) {
		out->len = start;
		if (out->p)
			out->p[start] = '\0';
		snprintf(err, errlen, "%zu bytes left after the datum",
			 n - used);
		return AVRO_MSG_EDATA;
	}
	return rc;
}

int avro_msg_encode(struct avro_msg *m, const struct json_doc *d,
		    uint32_t tok, struct sbuf *out, char *err, size_t errlen)
{
	size_t start = out->len;

	switch (m->enc_framing) {
	case AVRO_FRAME_CONFLUENT: {
		uint8_t h[5] = { 0, (uint8_t)(m->enc_id >> 24),
				 (uint8_t)(m->enc_id >> 16),
				 (uint8_t)(m->enc_id >> 8),
				 (uint8_t)m->enc_id };
		sbuf_put(out, h, 5);
		break;
	}
	case AVRO_FRAME_SINGLE: {
		uint8_t h[10] = { 0xc3, 0x01 };
		for (int i = 0; i < 8; i++)
			h[2 + i] = (uint8_t)(m->enc->fingerprint >> (8 * i));
		sbuf_put(out, h, 10);
		break;
	}
	default:
		break;
	}
	if (avro_write(m->writer, d, tok, out, err, errlen) < 0) {
		out->len = start;
		if (out->p)
			out->p[start] = '\0';
		return AVRO_MSG_EDATA;
	}
	return 0;
}

int avro_msg_exit_code(int rc)
{
	switch (rc) {
	case AVRO_MSG_EUSAGE:
		return SW_EXIT_USAGE;
	case AVRO_MSG_EUNAVAIL:
		return SW_EXIT_UNAVAILABLE;
	case AVRO_MSG_EIO:
		return SW_EXIT_IOERR;
	default:
		return SW_EXIT_DATAERR;
	}
}
