/*
 * avro_registry: where schemas are found by id, fingerprint or subject.
 *
 * Two kinds, chosen by the spec given to avro_registry_open():
 *   - a directory (sw-avro(1), --registry): DIR/ids/<id>.avsc and
 *     DIR/subjects/<subject>/<version>.avsc;
 *   - a Confluent-compatible Schema Registry, "http://…" or "https://…":
 *     GET /schemas/ids/<id> and POST /subjects/<subject>/versions, over
 *     libcurl with bounded timeouts.
 * Schemas are cached for the life of the registry object, which owns every
 * schema it returns.
 *
 * Return codes: 0, or one of the AVRO_REG_E* below with err filled.
 */
#ifndef SW_AVRO_REGISTRY_H
#define SW_AVRO_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "avro_schema.h"
#include "sbuf.h"

#define AVRO_REG_ENOTFOUND (-1) /* no such id or schema: bad data */
#define AVRO_REG_EINVALID (-2)  /* the registry holds an invalid schema */
#define AVRO_REG_EUNAVAIL (-3)  /* the registry could not be reached */
#define AVRO_REG_EINCOMPAT (-4) /* register: incompatible with the latest */
#define AVRO_REG_EIO (-5)       /* a file could not be read or written */
#define AVRO_REG_EUSAGE (-6)    /* a bad subject name, an unusable spec */

struct avro_registry;

int avro_registry_open(struct avro_registry **out, const char *spec,
		       char *err, size_t errlen);
/* Basic authentication for a URL registry: user, and the password from
 * the first line of password_file, else $SW_REGISTRY_PASSWORD.  Both NULL:
 * none.  EUSAGE for a directory, a password without a user, a user
 * without a password, or an unreadable file (err names the flag and the
 * file, never the password).  A URL with credentials in it is EUSAGE at
 * avro_registry_open(). */
int avro_registry_auth(struct avro_registry *r, const char *user,
		       const char *password_file, char *err, size_t errlen);
void avro_registry_free(struct avro_registry *r);
int avro_registry_is_url(const struct avro_registry *r);

/* The schema with this id. */
int avro_registry_get(struct avro_registry *r, int64_t id,
		      const struct avro_schema **s, char *err, size_t errlen);
/* The schema whose canonical form has this CRC-64-AVRO fingerprint, and
 * its id (directories only; a URL registry has no such lookup). */
int avro_registry_find(struct avro_registry *r, uint64_t fingerprint,
		       const struct avro_schema **s, int64_t *id, char *err,
		       size_t errlen);
/* Registers s under subject.  A directory refuses a schema that cannot
 * read data written with the subject's latest version (the reasons go to
 * reasons, one per line) and reuses the id of an identical schema; a URL
 * registry decides by its own compatibility settings.  *id is the id. */
int avro_registry_register(struct avro_registry *r, const char *subject,
			   const struct avro_schema *s, int64_t *id,
			   struct sbuf *reasons, char *err, size_t errlen);

#endif
