/*
 * avro_schema: Avro schemas as sw reads them, written here rather than taken
 * from avro-c.
 *
 * avro-c 1.11.1's parser drops "default", "aliases", "logicalType" and enum
 * defaults and accepts defaults of the wrong type, and schema resolution,
 * canonical forms and our binary decoder all need those attributes, so this
 * module parses the schema JSON itself (with json.h) into a graph of
 * avro_node.  Named types are defined once and referenced by pointer, so a
 * recursive schema is a cyclic graph.  Defaults are validated against their
 * field's type (a union's default against its first branch) and kept as
 * compact JSON text.  Invalid logical types are ignored, as the
 * specification asks.
 *
 * The avro_schema owns every node, string and default it holds; nodes stay
 * valid until avro_schema_free().  Functions fill err (one line, no program
 * name) and return -1 on failure; none prints.
 */
#ifndef SW_AVRO_SCHEMA_H
#define SW_AVRO_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

enum avro_type {
	AVRO_NULL,
	AVRO_BOOLEAN,
	AVRO_INT,
	AVRO_LONG,
	AVRO_FLOAT,
	AVRO_DOUBLE,
	AVRO_BYTES,
	AVRO_STRING,
	AVRO_RECORD,
	AVRO_ENUM,
	AVRO_ARRAY,
	AVRO_MAP,
	AVRO_UNION,
	AVRO_FIXED,
};

enum avro_logical {
	AVRO_LT_NONE,
	AVRO_LT_DECIMAL,
	AVRO_LT_UUID,
	AVRO_LT_DATE,
	AVRO_LT_TIME_MILLIS,
	AVRO_LT_TIME_MICROS,
	AVRO_LT_TIMESTAMP_MILLIS,
	AVRO_LT_TIMESTAMP_MICROS,
	AVRO_LT_LOCAL_TIMESTAMP_MILLIS,
	AVRO_LT_LOCAL_TIMESTAMP_MICROS,
};

struct avro_node;

struct avro_field {
	char *name;
	struct avro_node *type;
	char **aliases;
	size_t naliases;
	char *def; /* the default as compact JSON, or NULL */
};

struct avro_node {
	enum avro_type type;
	enum avro_logical logical;
	int precision, scale;      /* decimal */
	char *name;                /* named types: unqualified name */
	char *fullname;            /* named types: namespace.name */
	char **aliases;            /* named types: full names */
	size_t naliases;
	struct avro_field *fields; /* record */
	size_t nfields;
	char **symbols;            /* enum */
	size_t nsymbols;
	int enum_default;          /* symbol index, or -1 */
	size_t size;               /* fixed */
	struct avro_node *items;   /* array items, map values */
	struct avro_node **branches; /* union */
	size_t nbranches;
	struct avro_node *next;    /* the schema's list of nodes */
};

struct avro_schema {
	struct avro_node *root;
	struct avro_node *nodes; /* every node, for freeing */
	char *json;              /* the schema as given, compact */
	size_t json_len;
	char *canonical;         /* Parsing Canonical Form */
	size_t canonical_len;
	uint64_t fingerprint;    /* CRC-64-AVRO of the canonical form */
};

/* Parses and validates the schema JSON text in[0..n).  Returns the schema, or
 * NULL with the reason in err. */
struct avro_schema *avro_schema_parse(const char *in, size_t n, char *err,
				      size_t errlen);
/* The same with flags: AVRO_SCHEMA_LENIENT drops a default that does not
 * fit its field instead of refusing the schema, for a writer's schema
 * taken from data (a writer's defaults are never used). */
#define AVRO_SCHEMA_LENIENT 0x1
struct avro_schema *avro_schema_parse_flags(const char *in, size_t n,
					    int flags, char *err,
					    size_t errlen);
/* Reads and parses a file; err says "PATH: what is wrong". */
struct avro_schema *avro_schema_load(const char *path, char *err,
				     size_t errlen);
void avro_schema_free(struct avro_schema *s);

/* Whether s is an Avro name: [A-Za-z_][A-Za-z0-9_]*. */
int avro_valid_name(const char *s);

/* The Rabin fingerprint the specification calls CRC-64-AVRO. */
uint64_t avro_crc64(const void *p, size_t n);

/* "int", "record example.User", … for messages. */
const char *avro_type_name(enum avro_type t);
/* Appends a short description of n for error messages: "long",
 * "record example.User", "union [null, string]". */
void avro_node_describe(const struct avro_node *n, struct sbuf *b);
/* The name a union branch has in Avro's JSON encoding: the full name of a
 * named type, else the type name. */
const char *avro_branch_name(const struct avro_node *n);

/* Checks that the JSON value text[0..n) (compact) is a valid default for
 * node.  Returns 0, or -1 with the reason in err. */
int avro_default_check(const struct avro_node *node, const char *text,
		       size_t n, char *err, size_t errlen);

/* For error paths built while unwinding (".a.b[3]"): prepends s[0..n) to
 * the NUL-terminated path of *len bytes in a buffer of cap bytes; a path
 * that would not fit is left as it is. */
void avro_path_prepend(char *path, size_t cap, size_t *len, const char *s,
		       size_t n);

#endif
