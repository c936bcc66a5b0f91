/*
 * sw-avro: Avro in and out (sw-avro(1)).
 *
 * decode: container files (or streams of framed datums) to NDJSON, or the
 * base64 message at --field of each NDJSON record to its JSON; encode: the
 * reverse; schema, fingerprint, compat and register work on schemas.  The
 * work is done by the avro_* modules: avro_schema (parsing, canonical form),
 * avro_decode / avro_encode (datums, schema resolution), avro_ocf
 * (containers), avro_msg (framings), avro_registry.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "avro_codec.h"
#include "avro_decode.h"
#include "avro_encode.h"
#include "avro_msg.h"
#include "avro_ocf.h"
#include "avro_registry.h"
#include "avro_schema.h"
#include "avro_valfmt.h"
#include "base64.h"
#include "jpath.h"
#include "tool.h"
#include "xalloc.h"

/* Uncompressed bytes gathered before a container block is written. */
#define BLOCK_BYTES (64 * 1024)
/* Most datums a block may claim beyond one per byte. */
#define MAX_EMPTY_DATUMS (1u << 24)

enum {
	OPT_CODEC = TOOL_OPT_TOOL_BASE,
	OPT_FIELD,
	OPT_READER,
	OPT_SUBJECT,
	OPT_WRITER,
};

#define USAGE_DECODE                                                         \
	"  sw-avro decode [--schema W.avsc] [--reader-schema R.avsc]\n"       \
	"                 [--registry DIR|URL] [--field PATH]\n"             \
	"                 [--framing auto|container|raw|confluent|single-object]\n" \
	"                 [--schema-id N] [--json plain|avro] [FILE...]\n"    \
	"      Avro container files (or framed datums) to NDJSON; with --field,\n" \
	"      the base64 message at PATH of each NDJSON record is decoded.\n"

#define USAGE_ENCODE                                                         \
	"  sw-avro encode --schema S.avsc [--registry DIR|URL] [--schema-id N]\n" \
	"                 [--framing container|raw|confluent|single-object]\n" \
	"                 [--codec null|deflate|snappy|xz|lzma|zstandard]\n"  \
	"                 [--field PATH] [--json plain|avro] [-o FILE] [FILE...]\n" \
	"      NDJSON to one Avro container file (or framed datums); with\n"  \
	"      --field, the record at PATH becomes the base64 of its message.\n"

#define USAGE_SCHEMAS                                                        \
	"  sw-avro schema FILE.avro          the writer schema of a container\n" \
	"  sw-avro fingerprint S.avsc...     canonical form and CRC-64-AVRO\n" \
	"  sw-avro compat --writer OLD.avsc --reader NEW.avsc\n"             \
	"      exit 0 when NEW reads everything OLD writes, else 65 and why\n" \
	"  sw-avro register --registry DIR|URL --subject SUBJECT S.avsc\n"    \
	"      add a schema version (refused when incompatible); prints its id\n"

/* Beside avro_valfmt_opts, which sw-consume and sw-produce have too. */
static const struct tool_opt opts[] = {
	{ "reader-schema", required_argument, AVRO_OPT_READER_SCHEMA, "FILE",
	  "resolve every datum to this schema", NULL },
	{ "schema-id", required_argument, AVRO_OPT_SCHEMA_ID, "N",
	  "schema id (confluent framing, registry lookup)", NULL },
	{ "field", required_argument, OPT_FIELD, "PATH",
	  "work on the message at PATH of NDJSON records", NULL },
	{ "framing", required_argument, AVRO_OPT_FRAMING, "F",
	  "auto, container, raw, confluent, single-object", avro_framing_names },
	{ "codec", required_argument, OPT_CODEC, "C",
	  "container codec (default null)", avro_codec_names },
	{ "output", required_argument, 'o', "FILE",
	  "write to FILE instead of stdout", NULL },
	{ "writer", required_argument, OPT_WRITER, "FILE",
	  "compat: the old (writer) schema", NULL },
	{ "reader", required_argument, OPT_READER, "FILE",
	  "compat: the new (reader) schema", NULL },
	{ "subject", required_argument, OPT_SUBJECT, "NAME",
	  "register: the subject", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

/* The subcommands, in the order of cli.subs. */
enum { DECODE, ENCODE, SCHEMA, FINGERPRINT, COMPAT, REGISTER };

static void usage(int sub)
{
	printf("Usage:\n");
	if (sub < 0 || sub == DECODE)
		fputs(USAGE_DECODE, stdout);
	if (sub < 0 || sub == ENCODE)
		fputs(USAGE_ENCODE, stdout);
	if (sub != DECODE && sub != ENCODE)
		fputs(USAGE_SCHEMAS, stdout);
}

static const struct tool_cli cli = {
	.usage = usage,
	.groups = (const struct tool_optgroup[]){
		{ "Options:", avro_valfmt_opts, 0 },
		{ "", opts, 0 },
		{ "Common options:", tool_opts_common, 0 },
		{ "", tool_opts_bad_input, 0 },
		{ "", tool_opts_input, 0 },
		{ NULL, NULL, 0 },
	},
	.subs = TOOL_VALUES("decode", "encode", "schema", "fingerprint",
			    "compat", "register"),
	.operands = "FILE",
	/* compat's schemas are --writer and --reader. */
	.operand_subs = 1u << DECODE | 1u << ENCODE | 1u << SCHEMA |
			1u << FINGERPRINT | 1u << REGISTER,
};

struct opts {
	struct avro_msg_opts m;
	const char *field;
	const char *output;
	const char *writer;
	const char *reader;
	const char *subject;
	enum avro_codec codec;
	int framing_set;
	int codec_set;
};

struct run {
	struct tool t;
	struct opts o;
	struct sbuf out;  /* one record's output */
	struct sbuf bin;  /* datums */
	struct sbuf tmp;
	struct wait_step wait; /* how a read of input waits */
};

static void parse_opts(struct run *r, int argc, char **argv)
{
	struct tool *t = &r->t;
	struct opts *o = &r->o;
	char err[256];
	int c;

	while ((c = tool_getopt(t, argc, argv)) != -1) {
		if (tool_option(t, c, optarg))
			continue;
		if (c == AVRO_OPT_FRAMING)
			o->framing_set = 1;
		if (avro_valfmt_option(t, &o->m, avro_framing_names, c, optarg))
			continue;
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case OPT_CODEC:
			if (avro_codec_parse(optarg, strlen(optarg), &o->codec,
					     err, sizeof(err)) < 0)
				tool_usage_error(t, "--codec: %s", err);
			if (o->codec == AVRO_CODEC_LZMA)
				o->codec = AVRO_CODEC_XZ; /* the standard name */
			o->codec_set = 1;
			break;
		case OPT_FIELD:
			o->field = optarg;
			break;
		case OPT_READER:
			o->reader = optarg;
			break;
		case OPT_SUBJECT:
			o->subject = optarg;
			break;
		case OPT_WRITER:
			o->writer = optarg;
			break;
		default:
			tool_usage_error(t, "unknown option");
		}
	}
}

static struct avro_msg *open_msg(struct run *r, int encode)
{
	struct avro_msg *m;
	char err[1024];
	int rc = avro_msg_new(&m, &r->o.m, encode, err, sizeof(err));

	if (rc == AVRO_MSG_EUSAGE)
		tool_usage_error(&r->t, "%s", err);
	if (rc < 0)
		tool_die(&r->t, avro_msg_exit_code(rc), "%s", err);
	return m;
}

static void emit(struct run *r, const char *p, size_t n)
{
	out_put(&r->t.out, p, n);
	out_end(&r->t.out);
	r->t.records_out++;
	tool_tick(&r->t);
}

/* --- decode --------------------------------------------------------- */

/* Reads what is left of fd into b.  Returns 0 or -1 (errno; EINTR: a
 * stop). */
static int slurp(struct run *r, int fd, struct sbuf *b)
{
	for (;;) {
		ssize_t got;
		sbuf_grow(b, 65536);
		got = wait_read(fd, b->p + b->len, b->cap - b->len - 1, &r->wait);
		if (got < 0)
			return -1;
		if (got == 0)
			return 0;
		b->len += (size_t)got;
		b->p[b->len] = '\0';
	}
}

static void decode_container(struct run *r, int fd, const char *src,
			     const uint8_t *pre, size_t npre,
			     const struct avro_schema *rs)
{
	struct tool *t = &r->t;
	struct avro_ocf *f;
	struct avro_schema *ws;
	struct avro_reader *rd;
	const uint8_t *data;
	const char *sj;
	size_t len, sl;
	uint64_t count, datum = 0;
	char err[1024], why[512];
	int rc;

	rc = avro_ocf_open_with(&f, fd, pre, npre, &r->wait, err, sizeof(err));
	if (rc == AVRO_OCF_EINTR && tool_stop)
		return;
	if (rc < 0)
		tool_die(t, rc == AVRO_OCF_EIO ? SW_EXIT_IOERR : SW_EXIT_DATAERR,
			 "%s: %s", src, err);
	sj = avro_ocf_schema(f, &sl);
	ws = avro_schema_parse_flags(sj, sl, AVRO_SCHEMA_LENIENT, why,
				     sizeof(why));
	if (!ws)
		tool_die(t, SW_EXIT_DATAERR, "%s: the file's schema: %s", src,
			 why);
	rd = avro_reader_new(ws->root, rs ? rs->root : NULL, r->o.m.json, err,
			     sizeof(err));
	if (!rd)
		tool_die(t, SW_EXIT_USAGE, "--reader-schema: %s", err);
	while (!tool_stopping(t) &&
	       (rc = avro_ocf_next(f, &data, &len, &count, err, sizeof(err))) >
		       0) {
		size_t off = 0;
		/* datums of a schema like "null" take no bytes: bound them */
		if (count > len && count > MAX_EMPTY_DATUMS)
			tool_die(t, SW_EXIT_DATAERR,
				 "%s: block %" PRIu64 ": %" PRIu64
				 " datums in %zu bytes",
				 src, avro_ocf_blockno(f), count, len);
		for (uint64_t i = 0; i < count && !tool_stopping(t); i++) {
			int64_t used;
			datum++;
			t->records_in++;
			sbuf_reset(&r->out);
			used = avro_read(rd, data + off, len - off, &r->out,
					 err, sizeof(err));
			if (used < 0) {
				size_t rest = len - off;
				int64_t skip = avro_skip(rd, data + off, rest);
				tool_bad_input(t, src, datum,
					       (const char *)data + off,
					       skip >= 0 ? (size_t)skip :
					       rest > 65536 ? 65536 : rest,
					       "block %" PRIu64 ": %s%s",
					       avro_ocf_blockno(f), err,
					       skip < 0 && i + 1 < count ?
						       " (rest of the block skipped)" :
						       "");
				if (skip >= 0) {
					off += (size_t)skip;
					continue;
				}
				off = len;
				break;
			}
			off += (size_t)used;
			emit(r, r->out.p, r->out.len);
		}
		if (off != len && !tool_stopping(t))
			tool_die(t, SW_EXIT_DATAERR,
				 "%s: block %" PRIu64 ": %zu bytes left after "
				 "its %" PRIu64 " datums",
				 src, avro_ocf_blockno(f), len - off, count);
	}
	if (rc < 0 && !(rc == AVRO_OCF_EINTR && tool_stop))
		tool_die(t, rc == AVRO_OCF_EDATA ? SW_EXIT_DATAERR : SW_EXIT_IOERR,
			 "%s: %s", src, err);
	avro_reader_free(rd);
	avro_schema_free(ws);
	avro_ocf_close(f);
}

/* A file of framed datums one after another (raw, confluent, single). */
static void decode_stream(struct run *r, struct avro_msg **m, int fd,
			  const char *src, const uint8_t *pre, size_t npre)
{
	struct tool *t = &r->t;
	size_t off = 0, used;
	uint64_t datum = 0;
	char err[1024];
	int rc;

	if (!*m)
		*m = open_msg(r, 0);
	sbuf_reset(&r->bin);
	sbuf_put(&r->bin, pre, npre);
	if (slurp(r, fd, &r->bin) < 0) {
		if (errno == EINTR && tool_stop)
			return;
		tool_die(t, SW_EXIT_IOERR, "%s: %s", src, strerror(errno));
	}
	while (off < r->bin.len && !tool_stopping(t)) {
		datum++;
		t->records_in++;
		sbuf_reset(&r->out);
		rc = avro_msg_decode_prefix(*m, r->bin.p + off,
					    r->bin.len - off, &used, &r->out,
					    err, sizeof(err));
		if (rc == AVRO_MSG_EDATA) {
			/* datums carry no length: nothing after can be found */
			tool_bad_input(t, src, datum, r->bin.p + off,
				       r->bin.len - off, "%s", err);
			break;
		}
		if (rc < 0)
			tool_die(t, avro_msg_exit_code(rc), "%s: %s", src, err);
		if (used == 0) /* a raw "null" datum: the stream never ends */
			tool_die(t, SW_EXIT_DATAERR, "%s: a stream of datums that "
				 "take no bytes cannot be read", src);
		off += used;
		emit(r, r->out.p, r->out.len);
	}
}

static void decode_file(struct run *r, struct avro_msg **m, const char *path,
			const struct avro_schema *rs)
{
	const char *src = path && strcmp(path, "-") ? path : "stdin";
	enum avro_framing f = r->o.m.framing;
	uint8_t pre[4];
	size_t npre = 0;
	int fd = 0;

	if (path && strcmp(path, "-")) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			tool_die(&r->t, SW_EXIT_IOERR, "%s: %s", path,
				 strerror(errno));
	}
	while (npre < 4) {
		ssize_t got = wait_read(fd, pre + npre, 4 - npre, &r->wait);
		if (got < 0 && errno == EINTR && tool_stop)
			goto out;
		if (got < 0)
			tool_die(&r->t, SW_EXIT_IOERR, "%s: %s", src,
				 strerror(errno));
		if (got == 0)
			break;
		npre += (size_t)got;
	}
	/* auto: a container by its magic, or when nothing could say what
	 * schema framed datums have */
	if (f == AVRO_FRAME_CONTAINER ||
	    (f == AVRO_FRAME_AUTO &&
	     ((npre > 0 && memcmp(pre, "Obj\x01", npre) == 0) ||
	      (!r->o.m.schema && !r->o.m.registry))))
		decode_container(r, fd, src, pre, npre, rs);
	else if (npre > 0)
		decode_stream(r, m, fd, src, pre, npre);
out:
	if (fd != 0)
		close(fd);
}

static struct jpath *compile_field(struct run *r)
{
	struct jpath *jp;
	char err[256];

	if (jpath_compile(&jp, r->o.field, 0, err, sizeof(err)) < 0)
		tool_usage_error(&r->t, "--field: %s", err);
	if (!jpath_is_simple(jp))
		tool_usage_error(&r->t, "--field: '%s': expected a plain path "
					"such as .value",
				 r->o.field);
	return jp;
}

/* Writes the record with the value at token v replaced by rep[0..n). */
static void emit_replaced(struct run *r, const struct json_doc *d, int64_t v,
			  const char *rep, size_t n)
{
	const char *text = d->text.p;
	size_t s = d->tok[v].start, e = s + d->tok[v].len;

	sbuf_reset(&r->tmp);
	sbuf_put(&r->tmp, text, s);
	sbuf_put(&r->tmp, rep, n);
	sbuf_put(&r->tmp, text + e, d->text.len - e);
	emit(r, r->tmp.p, r->tmp.len);
}

static int decode_field(struct run *r, int nfiles, char **files)
{
	struct tool *t = &r->t;
	struct avro_msg *m = open_msg(r, 0);
	struct jpath *jp = compile_field(r);
	struct json_doc d;
	char err[1024];
	int rc;

	json_doc_init(&d);
	tool_open_input(t, files, nfiles);
	while (tool_next_record(t, &d) > 0) {
		int64_t v = jpath_lookup(jp, &d);

		if (v < 0) {
			tool_bad_record(t, "%s: missing", r->o.field);
			continue;
		}
		if (d.tok[v].type == JSON_NULL) { /* a tombstone stays null */
			emit(r, d.text.p, d.text.len);
			continue;
		}
		sbuf_reset(&r->bin);
		if (d.tok[v].type != JSON_STRING ||
		    (d.tok[v].flags & JSON_F_ESCAPED) ||
		    base64_decode(json_tok_ptr(&d, v) + 1, d.tok[v].len - 2,
				  &r->bin) < 0) {
			tool_bad_record(t, "%s: expected a base64 string",
					r->o.field);
			continue;
		}
		sbuf_reset(&r->out);
		rc = avro_msg_decode(m, r->bin.p, r->bin.len, &r->out, err,
				     sizeof(err));
		if (rc == AVRO_MSG_EDATA) {
			tool_bad_record(t, "%s: %s", r->o.field, err);
			continue;
		}
		if (rc < 0)
			tool_die(t, avro_msg_exit_code(rc), "%s", err);
		emit_replaced(r, &d, v, r->out.p, r->out.len);
	}
	json_doc_free(&d);
	jpath_free(jp);
	avro_msg_free(m);
	return SW_EXIT_OK;
}

static int cmd_decode(struct run *r, int nfiles, char **files)
{
	struct avro_schema *rs = NULL;
	struct avro_msg *m = NULL;
	char why[512];

	if (r->o.field)
		return decode_field(r, nfiles, files);
	if (r->o.m.reader_schema) {
		rs = avro_schema_load(r->o.m.reader_schema, why, sizeof(why));
		if (!rs)
			tool_usage_error(&r->t, "--reader-schema: %s", why);
	}
	tool_start(&r->t);
	r->wait = tool_wait_step(&r->t);
	if (nfiles == 0)
		decode_file(r, &m, NULL, rs);
	for (int i = 0; i < nfiles && !tool_stopping(&r->t); i++)
		decode_file(r, &m, files[i], rs);
	avro_msg_free(m);
	avro_schema_free(rs);
	return SW_EXIT_OK;
}

/* --- encode --------------------------------------------------------- */

static void open_output(struct run *r)
{
	int fd;

	if (!r->o.output || strcmp(r->o.output, "-") == 0)
		return;
	fd = open(r->o.output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		tool_die(&r->t, SW_EXIT_IOERR, "-o: %s: %s", r->o.output,
			 strerror(errno));
	if (dup2(fd, 1) < 0)
		tool_die(&r->t, SW_EXIT_IOERR, "-o: %s: %s", r->o.output,
			 strerror(errno));
	close(fd);
}

/* Hands the gathered datums to the block writer and writes out what it has
 * finished; last: also the final block. */
static void flush_block(struct run *r, struct avro_ocf_writer *w,
			uint64_t *count, int last)
{
	char err[256];

	sbuf_reset(&r->tmp);
	if ((*count &&
	     avro_ocf_writer_put(w, *count, r->bin.p, r->bin.len, &r->tmp,
				 err, sizeof(err)) < 0) ||
	    (last && avro_ocf_writer_finish(w, &r->tmp, err, sizeof(err)) < 0))
		tool_die(&r->t, SW_EXIT_SOFTWARE, "%s", err);
	if (r->tmp.len)
		out_put(&r->t.out, r->tmp.p, r->tmp.len);
	sbuf_reset(&r->bin);
	*count = 0;
}

static int cmd_encode(struct run *r, int nfiles, char **files)
{
	struct tool *t = &r->t;
	struct avro_msg *m;
	struct jpath *jp = NULL;
	struct json_doc d;
	struct avro_ocf_writer *ow = NULL;
	uint8_t sync[16];
	uint64_t count = 0;
	int container;
	char err[1024];

	if (!r->o.framing_set && !r->o.field)
		r->o.m.framing = AVRO_FRAME_CONTAINER;
	container = r->o.m.framing == AVRO_FRAME_CONTAINER;
	if (container && r->o.field)
		tool_usage_error(t, "--field: container framing is for files; "
				    "use raw, confluent or single-object");
	if (container)
		r->o.m.framing = AVRO_FRAME_RAW;
	if (r->o.codec_set && !container)
		tool_usage_error(t, "--codec: only container files have a codec");
	m = open_msg(r, 1);
	if (r->o.field)
		jp = compile_field(r);
	open_output(r);
	json_doc_init(&d);
	tool_open_input(t, files, nfiles);
	if (container) {
		const struct avro_schema *s = avro_msg_schema(m);
		avro_ocf_new_sync(sync);
		sbuf_reset(&r->tmp);
		avro_ocf_header(&r->tmp, s->json, s->json_len, r->o.codec, sync);
		out_put(&t->out, r->tmp.p, r->tmp.len);
		ow = avro_ocf_writer_new(r->o.codec, sync);
	}
	while (tool_next_record(t, &d) > 0) {
		int64_t v = 0;
		size_t start = r->bin.len;
		int rc;

		if (jp && (v = jpath_lookup(jp, &d)) < 0) {
			tool_bad_record(t, "%s: missing", r->o.field);
			continue;
		}
		if (jp && d.tok[v].type == JSON_NULL) { /* a tombstone */
			emit(r, d.text.p, d.text.len);
			continue;
		}
		if (!container)
			sbuf_reset(&r->bin), start = 0;
		rc = avro_msg_encode(m, &d, (uint32_t)v, &r->bin, err,
				     sizeof(err));
		if (rc < 0) {
			if (jp)
				tool_bad_record(t, "%s%s%s", r->o.field,
						err[0] == '.' ? "" : ": ", err);
			else
				tool_bad_record(t, "%s", err);
			continue;
		}
		if (container) {
			count++;
			if (r->bin.len >= BLOCK_BYTES)
				flush_block(r, ow, &count, 0);
		} else if (jp) {
			sbuf_reset(&r->out);
			sbuf_putc(&r->out, '"');
			base64_encode(r->bin.p + start, r->bin.len - start,
				      &r->out);
			sbuf_putc(&r->out, '"');
			emit_replaced(r, &d, v, r->out.p, r->out.len);
			continue;
		} else {
			out_put(&t->out, r->bin.p, r->bin.len);
		}
		t->records_out++;
		tool_tick(t);
	}
	if (container)
		flush_block(r, ow, &count, 1);
	avro_ocf_writer_free(ow);
	json_doc_free(&d);
	jpath_free(jp);
	avro_msg_free(m);
	return SW_EXIT_OK;
}

/* --- schema subcommands -------------------------------------------- */

static struct avro_schema *load_schema(struct run *r, const char *opt,
				       const char *path)
{
	struct avro_schema *s;
	char why[512];

	s = avro_schema_load(path, why, sizeof(why));
	if (!s)
		tool_usage_error(&r->t, "%s%s%s", opt, *opt ? ": " : "", why);
	return s;
}

static int cmd_schema(struct run *r, int nfiles, char **files)
{
	struct json_doc d;
	char err[512];

	if (nfiles < 1)
		tool_usage_error(&r->t, "schema: expected FILE.avro");
	tool_start(&r->t);
	r->wait = tool_wait_step(&r->t);
	json_doc_init(&d);
	for (int i = 0; i < nfiles && !tool_stop; i++) {
		struct avro_ocf *f;
		int fd = strcmp(files[i], "-") ? open(files[i], O_RDONLY) : 0;
		const char *sj;
		size_t sl;
		int rc;

		if (fd < 0)
			tool_die(&r->t, SW_EXIT_IOERR, "%s: %s", files[i],
				 strerror(errno));
		rc = avro_ocf_open_with(&f, fd, "", 0, &r->wait, err,
					sizeof(err));
		if (rc == AVRO_OCF_EINTR && tool_stop) {
			if (fd)
				close(fd);
			break;
		}
		if (rc < 0)
			tool_die(&r->t,
				 rc == AVRO_OCF_EDATA ? SW_EXIT_DATAERR :
							SW_EXIT_IOERR,
				 "%s: %s", files[i], err);
		sj = avro_ocf_schema(f, &sl);
		if (json_parse(&d, sj, sl, err, sizeof(err)) < 0)
			tool_die(&r->t, SW_EXIT_DATAERR, "%s: the file's schema: %s",
				 files[i], err);
		emit(r, d.text.p, d.text.len);
		avro_ocf_close(f);
		if (fd)
			close(fd);
	}
	json_doc_free(&d);
	return SW_EXIT_OK;
}

static int cmd_fingerprint(struct run *r, int nfiles, char **files)
{
	if (nfiles < 1)
		tool_usage_error(&r->t, "fingerprint: expected S.avsc");
	tool_start(&r->t);
	for (int i = 0; i < nfiles; i++) {
		struct avro_schema *s = load_schema(r, "", files[i]);

		sbuf_reset(&r->out);
		sbuf_puts(&r->out, "{\"schema\":");
		sbuf_put_jstr(&r->out, files[i], strlen(files[i]));
		sbuf_puts(&r->out, ",\"canonical\":");
		sbuf_put_jstr(&r->out, s->canonical, s->canonical_len);
		sbuf_printf(&r->out,
			    ",\"crc64_avro\":\"%016" PRIx64
			    "\",\"crc64_avro_int\":%" PRId64 "}",
			    s->fingerprint, (int64_t)s->fingerprint);
		emit(r, r->out.p, r->out.len);
		avro_schema_free(s);
	}
	return SW_EXIT_OK;
}

static void put_reasons(struct run *r, const struct sbuf *reasons)
{
	const char *p = reasons->p, *nl;

	sbuf_puts(&r->out, ",\"reasons\":[");
	for (int first = 1; p && *p; p = nl + (*nl != '\0'), first = 0) {
		nl = strchrnul(p, '\n');
		if (!first)
			sbuf_putc(&r->out, ',');
		sbuf_put_jstr(&r->out, p, (size_t)(nl - p));
		tool_error(&r->t, "%.*s", (int)(nl - p), p);
	}
	sbuf_putc(&r->out, ']');
}

static int cmd_compat(struct run *r, int nfiles)
{
	struct avro_schema *w, *rd;
	struct sbuf reasons = SBUF_INIT;
	int n;

	if (!r->o.writer || !r->o.reader)
		tool_usage_error(&r->t, "compat: --writer and --reader are "
					"required");
	if (nfiles)
		tool_usage_error(&r->t, "compat: unexpected argument");
	w = load_schema(r, "--writer", r->o.writer);
	rd = load_schema(r, "--reader", r->o.reader);
	tool_start(&r->t);
	n = avro_compat(w->root, rd->root, &reasons);
	sbuf_printf(&r->out, "{\"compatible\":%s", n ? "false" : "true");
	if (n)
		put_reasons(r, &reasons);
	sbuf_putc(&r->out, '}');
	emit(r, r->out.p, r->out.len);
	sbuf_free(&reasons);
	avro_schema_free(w);
	avro_schema_free(rd);
	return n ? SW_EXIT_DATAERR : SW_EXIT_OK;
}

static int cmd_register(struct run *r, int nfiles, char **files)
{
	struct avro_registry *reg;
	struct avro_schema *s;
	struct sbuf reasons = SBUF_INIT;
	char err[1024];
	int64_t id;
	int rc;

	if (!r->o.m.registry || !r->o.subject)
		tool_usage_error(&r->t, "register: --registry and --subject "
					"are required");
	if (nfiles != 1)
		tool_usage_error(&r->t, "register: expected one S.avsc");
	s = load_schema(r, "", files[0]);
	if (avro_registry_open(&reg, r->o.m.registry, err, sizeof(err)) < 0)
		tool_usage_error(&r->t, "--registry: %s", err);
	if (avro_registry_auth(reg, r->o.m.registry_user,
			       r->o.m.registry_password_file, err,
			       sizeof(err)) < 0)
		tool_usage_error(&r->t, "%s", err);
	tool_start(&r->t);
	rc = avro_registry_register(reg, r->o.subject, s, &id, &reasons, err,
				    sizeof(err));
	if (rc != 0) { /* nothing below returns: free before the exit */
		avro_registry_free(reg);
		avro_schema_free(s);
	}
	switch (rc) {
	case 0:
		sbuf_printf(&r->out, "%" PRId64, id);
		emit(r, r->out.p, r->out.len);
		break;
	case AVRO_REG_EINCOMPAT:
		for (const char *p = reasons.p, *nl; p && *p;
		     p = nl + (*nl != '\0')) {
			nl = strchrnul(p, '\n');
			tool_error(&r->t, "%s: %.*s", files[0], (int)(nl - p), p);
		}
		sbuf_free(&reasons);
		tool_die(&r->t, SW_EXIT_DATAERR, "%s: %s", files[0], err);
	case AVRO_REG_EUSAGE:
		tool_usage_error(&r->t, "%s", err);
	case AVRO_REG_EUNAVAIL:
		tool_die(&r->t, SW_EXIT_UNAVAILABLE, "%s", err);
	case AVRO_REG_EIO:
		tool_die(&r->t, SW_EXIT_IOERR, "%s", err);
	default:
		tool_die(&r->t, SW_EXIT_DATAERR, "%s", err);
	}
	sbuf_free(&reasons);
	avro_registry_free(reg);
	avro_schema_free(s);
	return SW_EXIT_OK;
}

static void set_versions(struct tool *t)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "zlib %s\nzstd %s\n%slibcurl %s\n",
		 zlibVersion(), ZSTD_versionString(), avro_codec_versions(),
		 curl_version_info(CURLVERSION_NOW)->version);
	t->versions = buf;
}

int main(int argc, char **argv)
{
	static struct run r;
	const char *cmdname = NULL;
	int code = SW_EXIT_USAGE, nfiles;
	char **files;

	tool_init(&r.t, "sw-avro");
	set_versions(&r.t);
	r.o.m = (struct avro_msg_opts)AVRO_MSG_OPTS_INIT;
	tool_cli(&r.t, &cli);
	if (tool_subcommand(&r.t, &argc, &argv) >= 0)
		cmdname = cli.subs[r.t.sub];
	parse_opts(&r, argc, argv);
	if (!cmdname)
		tool_usage_error(&r.t, "expected a command: decode, encode, "
				       "schema, fingerprint, compat or register");
	files = argv + optind;
	nfiles = argc - optind;
	if (strcmp(cmdname, "decode") == 0)
		code = cmd_decode(&r, nfiles, files);
	else if (strcmp(cmdname, "encode") == 0)
		code = cmd_encode(&r, nfiles, files);
	else if (strcmp(cmdname, "schema") == 0)
		code = cmd_schema(&r, nfiles, files);
	else if (strcmp(cmdname, "fingerprint") == 0)
		code = cmd_fingerprint(&r, nfiles, files);
	else if (strcmp(cmdname, "compat") == 0)
		code = cmd_compat(&r, nfiles);
	else
		code = cmd_register(&r, nfiles, files);
	sbuf_free(&r.out);
	sbuf_free(&r.bin);
	sbuf_free(&r.tmp);
	return tool_finish(&r.t, code);
}
