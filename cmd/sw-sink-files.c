/*
 * sw-sink-files: a directory of NDJSON, Avro or Parquet part files as a
 * sink (sw-sink-files(1)).
 *
 * Records go to one open part file per Hive partition (common/sinkf_part),
 * encoded by common/sinkf_enc under a hidden in-progress name.  A commit
 * covers every open file: each is finished, synced and renamed to its part
 * name, their directories are synced, and then one line is appended to the
 * commit log (common/sinkf_log), which is the commit point; the checkpoint
 * (common/bulk_ckpt, the file sw-sink-es writes) follows it.  Committing
 * all open files together keeps what the log claims of each Kafka
 * partition a prefix of it, so one offset per partition says exactly what
 * the directory holds.
 *
 * At start, what a crash left behind is cleaned up: in-progress files, and
 * part files renamed but never named by a log line (their records come
 * again from the checkpoint).  Records whose Kafka offset the log already
 * covers are skipped and counted, so a checkpoint that lags the log (a
 * kill between the two) makes no duplicate.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "avro_infer.h"
#include "avro_schema.h"
#include "bulk_ckpt.h"
#include "duration.h"
#include "enrich_uuid.h"
#include "file.h"
#include "kafka_rec.h"
#include "num.h"
#include "sinkf_enc.h"
#include "sinkf_log.h"
#include "sinkf_part.h"
#include "stats.h"
#include "timefmt.h"
#include "tool.h"
#include "xalloc.h"

#define DEFAULT_MAX_BYTES (128ull << 20)
#define DEFAULT_MAX_AGE_US (5 * 60 * 1000000ll)
#define DEFAULT_INFER 1000
#define DEFAULT_MAX_OPEN 100
#define INPROGRESS ".inprogress"

enum {
	OPT_CHECKPOINT = TOOL_OPT_TOOL_BASE,
	OPT_CODEC,
	OPT_FORMAT,
	OPT_INFER,
	OPT_MAX_AGE,
	OPT_MAX_BYTES,
	OPT_MAX_OPEN_FILES,
	OPT_MAX_RECORDS,
	OPT_PARTITION_BY,
	OPT_PARTITION_FORMAT,
	OPT_PARTITION_TIME,
	OPT_PREFIX,
	OPT_ROW_GROUP_SIZE,
	OPT_SCHEMA,
	OPT_TZ,
};

static void usage(int sub)
{
	(void)sub;
	fputs("Usage: sw-sink-files DIR [--format ndjson|avro|parquet] [--schema S.avsc | --infer N]\n"
	      "                     [--codec none|gzip|zstd|deflate|snappy] [--partition-by [NAME=]PATH]...\n"
	      "                     [--partition-time PATH --partition-format FMT]\n"
	      "                     [--max-bytes SIZE] [--max-records N] [--max-age DUR]\n"
	      "                     [--row-group-size N] [--max-open-files N] [--checkpoint FILE]\n"
	      "                     [--prefix NAME] [--tz ZONE] [OPTION...] [FILE...]\n"
	      "Write records into part files under DIR, committed exactly once.\n"
	      "\n",
	      stdout);
}

static const struct tool_opt file_opts[] = {
	{ "format", required_argument, OPT_FORMAT, "FORMAT",
	  "ndjson (default), avro or parquet", sinkf_format_names },
	{ "codec", required_argument, OPT_CODEC, "CODEC",
	  "ndjson: none (default), gzip, zstd;\navro: null/none (default), deflate, snappy, zstd;\nparquet: snappy (default), gzip, zstd, none", sinkf_codec_names },
	{ "schema", required_argument, OPT_SCHEMA, "FILE",
	  "Avro schema of the records (avro, parquet)", NULL },
	{ "infer", optional_argument, OPT_INFER, "N",
	  "derive the schema from the first N records\n(default 1000); kept in DIR/_schema.avsc", NULL },
	{ "row-group-size", required_argument, OPT_ROW_GROUP_SIZE, "N",
	  "parquet rows per row group (default 131072)", NULL },
	{ "prefix", required_argument, OPT_PREFIX, "NAME",
	  "part file names NAME-NNNNNN-UUID.EXT (default part)", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct tool_opt roll_opts[] = {
	{ "max-bytes", required_argument, OPT_MAX_BYTES, "SIZE",
	  "commit when a file reaches SIZE (default 128MB)", NULL },
	{ "max-records", required_argument, OPT_MAX_RECORDS, "N",
	  "commit when a file holds N records", NULL },
	{ "max-age", required_argument, OPT_MAX_AGE, "DUR",
	  "commit when a file has been open DUR\n(default 5m, processing time)", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct tool_opt partition_opts[] = {
	{ "partition-by", required_argument, OPT_PARTITION_BY, "[NAME=]PATH",
	  "put records under NAME=value/ (repeatable)", NULL },
	{ "partition-time", required_argument, OPT_PARTITION_TIME, "PATH",
	  "partition by the event time at PATH", NULL },
	{ "partition-format", required_argument, OPT_PARTITION_FORMAT, "FMT",
	  "strftime(3) directories, e.g. 'dt=%Y-%m-%d/hour=%H'", NULL },
	{ "tz", required_argument, OPT_TZ, "ZONE",
	  "zone of --partition-format and zone-less times", NULL },
	{ "max-open-files", required_argument, OPT_MAX_OPEN_FILES, "N",
	  "open part files at most (default 100); past it,\nthe open files are committed early", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct tool_opt once_opts[] = {
	{ "checkpoint", required_argument, OPT_CHECKPOINT, "FILE",
	  "Kafka offsets to resume from, as sw-sink-es keeps them", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct tool_cli cli = {
	.usage = usage,
	.groups = (const struct tool_optgroup[]){
		{ "Files:", file_opts, 0 },
		{ "Rolling (a commit covers every open file):", roll_opts, 0 },
		{ "Partitions:", partition_opts, 0 },
		{ "Exactly once:", once_opts, 0 },
		{ "Input options:", tool_opts_input, 0 },
		{ "Common options:", tool_opts_common, 0 },
		{ "", tool_opts_bad_input, 0 },
		{ NULL, NULL, 0 },
	},
	.operands = "FILE",
};

/* One open part file. */
struct pfile {
	char *key;  /* partition directory, "" for DIR itself */
	char *tmp;  /* in-progress path, relative to DIR */
	char *name; /* part path, relative to DIR */
	int fd;
	struct sinkf_enc *enc;
	int64_t opened_us;
	uint64_t used; /* for the least recently used */
};

/* A record held while --infer samples. */
struct held {
	size_t off, len;
	const char *source;
	uint64_t line;
};

/* The envelope of a Kafka record. */
struct env {
	int has;
	struct kafka_origin at;
};

struct sink {
	struct tool t;
	const char *dir;
	int dirfd;
	struct sinkf_enc_opts eo;
	int codec_set;
	const char *schema_path;
	struct avro_schema *schema;
	uint64_t infer;         /* 0: no inference */
	struct avro_infer *inf; /* while sampling */
	struct sbuf held_text;
	struct held *held;
	size_t nheld;
	int64_t held_since;
	struct sinkf_part *part;
	struct timefmt tf;
	uint64_t max_bytes, max_records;
	int64_t max_age_us;
	size_t max_open;
	const char *checkpoint;
	struct bulk_ckpt *ck;
	const char *prefix;
	struct sinkf_log log;
	struct sinkf_offsets seen; /* the log's, raised by records in hand */
	struct pfile *files;
	size_t nfiles;
	uint64_t tick;
	uint64_t part_no;
	uint64_t pending;        /* records in open files */
	uint64_t commits, committed_files, committed_records;
	uint64_t duplicates, removed;
	struct uuidgen *ug;
	struct sbuf key, scratch, topic;
	struct sbuf dirpath; /* make_dirs, make_top */
	char **names;        /* commit */
	struct json_doc doc2;
};

static void stats_fields(struct tool *t, struct stats *st)
{
	struct sink *s = t->ctx;

	stats_counter(st, "commits", s->commits, "Lines appended to the commit log");
	stats_counter(st, "committed_files", s->committed_files, "Part files committed");
	stats_counter(st, "committed_records", s->committed_records, "Records in committed part files");
	stats_counter(st, "duplicates", s->duplicates, "Records skipped: the commit log already covers their offset");
	stats_counter(st, "removed_uncommitted", s->removed, "Part files of a killed run removed at start");
	stats_gauge(st, "open_files", (int64_t)s->nfiles, "Part files open");
	stats_gauge(st, "pending_records", (int64_t)s->pending, "Records in open part files, not yet committed");
	if (s->ck)
		bulk_ckpt_stats(s->ck, st,
				"Offset a consumer resumes from: every record before it is committed in DIR");
}

/*
 * Options.
 */

static uint64_t parse_count(struct sink *s, const char *flag, const char *arg,
			    uint64_t min, uint64_t max)
{
	uint64_t v;

	if (num_parse_u64(arg, min, max, &v) < 0)
		tool_usage_error(&s->t, "%s: '%s': expected a number from %llu "
					"to %llu", flag, arg,
				 (unsigned long long)min,
				 (unsigned long long)max);
	return v;
}

static void parse_options(struct sink *s, int argc, char **argv)
{
	char err[512];
	int64_t us;
	int c;

	tool_cli(&s->t, &cli);
	while ((c = tool_getopt(&s->t, argc, argv)) != -1) {
		if (tool_option(&s->t, c, optarg))
			continue;
		switch (c) {
		case OPT_CHECKPOINT:
			s->checkpoint = optarg;
			break;
		case OPT_CODEC:
			/* Checked against the format once both are known. */
			s->codec_set = 1;
			s->scratch.len = 0;
			sbuf_puts(&s->scratch, optarg);
			break;
		case OPT_FORMAT:
			if (sinkf_format_parse(optarg, &s->eo.format) < 0)
				tool_usage_error(&s->t, "--format: '%s': expected "
							"ndjson, avro or parquet",
						 optarg);
			break;
		case OPT_INFER:
			/* --infer, --infer=N and --infer N */
			if (!optarg && optind < argc &&
			    argv[optind][0] >= '0' && argv[optind][0] <= '9')
				optarg = argv[optind++];
			s->infer = optarg ? parse_count(s, "--infer", optarg, 1,
							10000000)
					  : DEFAULT_INFER;
			break;
		case OPT_MAX_AGE:
			if (duration_parse(optarg, &us, err, sizeof err) < 0)
				tool_usage_error(&s->t, "--max-age: %s", err);
			if (us < 1000)
				tool_usage_error(&s->t, "--max-age: '%s': must be "
							"at least 1ms", optarg);
			s->max_age_us = us;
			break;
		case OPT_MAX_BYTES:
			if (num_parse_size(optarg, 1, UINT64_MAX >> 1,
					   &s->max_bytes) < 0)
				tool_usage_error(&s->t, "--max-bytes: '%s': "
							"expected a size such as 128MB",
						 optarg);
			break;
		case OPT_MAX_OPEN_FILES:
			s->max_open = (size_t)parse_count(s, "--max-open-files",
							  optarg, 1, 100000);
			break;
		case OPT_MAX_RECORDS:
			s->max_records = parse_count(s, "--max-records", optarg,
						     1, UINT64_MAX >> 1);
			break;
		case OPT_PARTITION_BY:
			if (sinkf_part_add_field(s->part, optarg, err,
						 sizeof err) < 0)
				tool_usage_error(&s->t, "--partition-by: %s", err);
			break;
		case OPT_PARTITION_FORMAT:
			sinkf_part_set_format(s->part, optarg);
			break;
		case OPT_PARTITION_TIME:
			if (sinkf_part_add_time(s->part, optarg, &s->tf, err,
						sizeof err) < 0)
				tool_usage_error(&s->t, "--partition-time: %s", err);
			break;
		case OPT_PREFIX:
			if (!*optarg || optarg[0] == '.' || optarg[0] == '_' ||
			    strchr(optarg, '/'))
				tool_usage_error(&s->t, "--prefix: '%s': a file "
							"name not starting with '.' or '_'",
						 optarg);
			s->prefix = optarg;
			break;
		case OPT_ROW_GROUP_SIZE:
			s->eo.row_group_rows = (uint32_t)parse_count(
				s, "--row-group-size", optarg, 1, 100000000);
			break;
		case OPT_SCHEMA:
			s->schema_path = optarg;
			break;
		case OPT_TZ:
			if (timefmt_set_zone(&s->tf, optarg, err, sizeof err) < 0)
				tool_usage_error(&s->t, "--tz: %s", err);
			break;
		default:
			tool_usage_error(&s->t, "unknown option");
		}
	}
}

static void check_options(struct sink *s, int argc, char **argv)
{
	char err[512];

	if (optind >= argc)
		tool_usage_error(&s->t, "no directory given");
	s->dir = argv[optind++];
	if (s->codec_set) {
		if (sinkf_codec_parse(s->scratch.p, s->eo.format, &s->eo.codec,
				      err, sizeof err) < 0)
			tool_usage_error(&s->t, "--codec: %s", err);
	} else {
		s->eo.codec = sinkf_codec_default(s->eo.format);
	}
	if (s->schema_path && s->infer)
		tool_usage_error(&s->t, "--schema and --infer exclude each other");
	if (s->eo.format == SINKF_NDJSON && (s->schema_path || s->infer))
		tool_usage_error(&s->t, "--schema and --infer are for avro and "
					"parquet");
	if (s->eo.format != SINKF_NDJSON && !s->schema_path && !s->infer)
		tool_usage_error(&s->t, "--format %s needs --schema or --infer",
				 s->eo.format == SINKF_AVRO ? "avro" : "parquet");
	if (s->eo.row_group_rows && s->eo.format != SINKF_PARQUET)
		tool_usage_error(&s->t, "--row-group-size is for parquet");
	if (sinkf_part_ready(s->part, err, sizeof err) < 0)
		tool_usage_error(&s->t, "%s", err);
	if (s->schema_path) {
		s->schema = avro_schema_load(s->schema_path, err, sizeof err);
		if (!s->schema)
			tool_usage_error(&s->t, "--schema: %s", err);
	}
}

/*
 * Failures.
 */

/* Throws away the in-progress files (they would only take space) and
 * exits 74: nothing they hold was claimed anywhere. */
static void __attribute__((noreturn, format(printf, 2, 3)))
io_fail(struct sink *s, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < s->nfiles; i++)
		if (s->files[i].tmp)
			unlinkat(s->dirfd, s->files[i].tmp, 0);
	tool_die(&s->t, SW_EXIT_IOERR, "%s", msg);
}

static void bad(struct sink *s, const char *source, uint64_t line,
		const char *raw, size_t rawlen, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static void bad(struct sink *s, const char *source, uint64_t line,
		const char *raw, size_t rawlen, const char *fmt, ...)
{
	char reason[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	if (source)
		tool_bad_input(&s->t, source, line, raw, rawlen, "%s", reason);
	else
		tool_bad_record(&s->t, "%s", reason);
}

/*
 * The directory.
 */

/* Syncs directory path (relative to DIR; "" is DIR). */
static int sync_dir(struct sink *s, const char *path)
{
	int fd = *path ? openat(s->dirfd, path, O_RDONLY | O_DIRECTORY |
						    O_CLOEXEC)
		       : dup(s->dirfd);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* mkdir -p of key under DIR; each new directory's parent is synced so
 * that the directory survives a crash with the files committed in it. */
static void make_dirs(struct sink *s, const char *key)
{
	struct sbuf *p = &s->dirpath;
	const char *c = key;

	sbuf_reset(p);
	while (*c) {
		const char *slash = strchr(c, '/');
		size_t n = slash ? (size_t)(slash - c) : strlen(c);
		size_t parent = p->len;

		if (p->len)
			sbuf_putc(p, '/');
		sbuf_put(p, c, n);
		if (mkdirat(s->dirfd, p->p, 0755) == 0) {
			char save = p->p[parent];

			p->p[parent] = '\0';
			if (sync_dir(s, p->p) < 0)
				io_fail(s, "%s/%s: %s", s->dir, p->p,
					strerror(errno));
			p->p[parent] = save;
		} else if (errno != EEXIST) {
			io_fail(s, "%s/%s: %s", s->dir, p->p, strerror(errno));
		}
		c += n;
		if (*c == '/')
			c++;
	}
}

/* Whether name is a part file name: PREFIX-DIGITS-UUID.EXT. */
static int is_part_name(const char *name)
{
	static const char *const exts[] = { ".ndjson", ".ndjson.gz",
					    ".ndjson.zst", ".avro",
					    ".parquet" };
	size_t len = strlen(name), stem = 0, d;

	for (size_t i = 0; i < sizeof exts / sizeof *exts; i++) {
		size_t e = strlen(exts[i]);

		if (len > e && strcmp(name + len - e, exts[i]) == 0 &&
		    len - e > stem)
			stem = len - e;
	}
	if (stem < 1 + 6 + 1 + 36 + 1)
		return 0;
	for (size_t i = stem - 36; i < stem; i++)
		if (!(name[i] == '-' || (name[i] >= '0' && name[i] <= '9') ||
		      (name[i] >= 'a' && name[i] <= 'f')))
			return 0;
	if (name[stem - 37] != '-')
		return 0;
	for (d = stem - 38; d > 0 && name[d] >= '0' && name[d] <= '9'; d--)
		;
	return name[d] == '-' && stem - 38 - d >= 6;
}

/* Removes what a crash left under DIR/rel: in-progress files and part
 * files that no commit names. */
static void clean_dir(struct sink *s, const char *rel)
{
	int fd = *rel ? openat(s->dirfd, rel, O_RDONLY | O_DIRECTORY |
						   O_CLOEXEC)
		      : openat(s->dirfd, ".", O_RDONLY | O_DIRECTORY |
						  O_CLOEXEC);
	struct sbuf path = SBUF_INIT;
	struct dirent *e;
	int removed = 0;
	DIR *d;

	if (fd < 0)
		io_fail(s, "%s/%s: %s", s->dir, rel, strerror(errno));
	d = fdopendir(fd);
	if (!d)
		io_fail(s, "%s/%s: %s", s->dir, rel, strerror(errno));
	while ((e = readdir(d))) {
		const char *n = e->d_name;
		size_t len = strlen(n);
		struct stat st;

		if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
			continue;
		sbuf_reset(&path);
		sbuf_printf(&path, "%s%s%s", rel, *rel ? "/" : "", n);
		if (fstatat(s->dirfd, path.p, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (n[0] != '.' && n[0] != '_')
				clean_dir(s, path.p);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if ((n[0] == '.' && len > strlen(INPROGRESS) &&
		     strcmp(n + len - strlen(INPROGRESS), INPROGRESS) == 0) ||
		    (is_part_name(n) && !sinkf_log_has(&s->log, path.p))) {
			if (unlinkat(s->dirfd, path.p, 0) < 0) {
				char msg[1024];

				snprintf(msg, sizeof msg, "%s/%s: %s", s->dir,
					 path.p, strerror(errno));
				closedir(d);
				sbuf_free(&path);
				io_fail(s, "%s", msg);
			}
			if (n[0] != '.')
				s->removed++;
			removed = 1;
		}
	}
	closedir(d);
	sbuf_free(&path);
	if (removed && sync_dir(s, rel) < 0)
		io_fail(s, "%s/%s: %s", s->dir, rel, strerror(errno));
}

/* mkdir -p DIR. */
static void make_top(struct sink *s)
{
	char *p;

	sbuf_reset(&s->dirpath);
	sbuf_puts(&s->dirpath, s->dir);
	p = s->dirpath.p;
	for (char *c = p + 1; *c; c++) {
		if (*c != '/')
			continue;
		*c = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			tool_die(&s->t, SW_EXIT_IOERR, "%s: %s", p, strerror(errno));
		*c = '/';
	}
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		tool_die(&s->t, SW_EXIT_IOERR, "%s: %s", s->dir, strerror(errno));
}

/* Opens DIR and its log, cleans up after a crash and brings the
 * checkpoint in line with the log. */
static void open_dir(struct sink *s)
{
	char err[512];

	make_top(s);
	s->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0)
		tool_die(&s->t, SW_EXIT_IOERR, "%s: %s", s->dir, strerror(errno));
	if (faccessat(s->dirfd, ".", W_OK, AT_EACCESS) < 0)
		tool_die(&s->t, SW_EXIT_IOERR, "%s: not writable: %s", s->dir,
			 strerror(errno));
	if (sinkf_log_open(&s->log, s->dir, err, sizeof err) < 0)
		tool_die(&s->t, SW_EXIT_IOERR, "%s", err);
	if (flock(s->log.fd, LOCK_EX | LOCK_NB) < 0)
		tool_die(&s->t, SW_EXIT_FAIL, "%s: another sw-sink-files is "
					      "writing here", s->dir);
	if (s->log.truncated)
		tool_warn(&s->t, "%s/_sw_log: cut off a torn last line of %llu "
				 "bytes", s->dir,
			  (unsigned long long)s->log.truncated);
	s->part_no = s->log.last_part;
	clean_dir(s, "");
	if (s->removed)
		tool_info(&s->t, "removed %llu uncommitted part file%s",
			  (unsigned long long)s->removed,
			  s->removed == 1 ? "" : "s");
	sinkf_offsets_merge(&s->seen, &s->log.offsets);
	if (s->checkpoint) {
		s->ck = bulk_ckpt_new();
		if (bulk_ckpt_load(s->ck, s->checkpoint, err, sizeof err) < 0)
			tool_usage_error(&s->t, "--checkpoint: %s", err);
		for (size_t i = 0; i < s->log.offsets.n; i++) {
			const struct sinkf_tp *e = &s->log.offsets.v[i];

			bulk_ckpt_set(s->ck, e->topic, strlen(e->topic),
				      e->partition, e->next);
		}
		if (bulk_ckpt_write(s->ck, s->checkpoint, err, sizeof err) < 0)
			tool_die(&s->t, SW_EXIT_IOERR, "--checkpoint: %s", err);
	}
}

/* With --infer: the schema of an earlier run, so that every file of the
 * directory has the same one. */
static void load_inferred(struct sink *s)
{
	struct sbuf path = SBUF_INIT;
	char err[512];

	sbuf_printf(&path, "%s/_schema.avsc", s->dir);
	if (access(path.p, F_OK) == 0) {
		s->schema = avro_schema_load(path.p, err, sizeof err);
		if (!s->schema) {
			sbuf_free(&path);
			tool_die(&s->t, SW_EXIT_FAIL, "%s", err);
		}
	} else {
		s->inf = avro_infer_new();
	}
	sbuf_free(&path);
}

/*
 * Part files.
 */

static void open_file(struct sink *s, struct pfile *f)
{
	unsigned char u[16];
	char us[37], err[512];

	if (uuidgen_v4(s->ug, u, err, sizeof err) < 0)
		tool_die(&s->t, SW_EXIT_FAIL, "%s", err);
	uuid_format(u, us);
	us[36] = '\0';
	if (*f->key)
		make_dirs(s, f->key);
	sbuf_reset(&s->scratch);
	sbuf_printf(&s->scratch, "%s%s%s-%06llu-%s.%s", f->key,
		    *f->key ? "/" : "", s->prefix,
		    (unsigned long long)++s->part_no, us,
		    sinkf_ext(s->eo.format, s->eo.codec));
	f->name = xstrdup(s->scratch.p);
	sbuf_reset(&s->scratch);
	sbuf_printf(&s->scratch, "%s%s.%s-%06llu-%s.%s" INPROGRESS, f->key,
		    *f->key ? "/" : "", s->prefix,
		    (unsigned long long)s->part_no, us,
		    sinkf_ext(s->eo.format, s->eo.codec));
	f->tmp = xstrdup(s->scratch.p);
	f->fd = openat(s->dirfd, f->tmp,
		       O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (f->fd < 0)
		io_fail(s, "%s/%s: %s", s->dir, f->tmp, strerror(errno));
	if (!f->enc) {
		f->enc = sinkf_enc_new(&s->eo, err, sizeof err);
		if (!f->enc)
			tool_die(&s->t, SW_EXIT_FAIL, "%s", err);
	}
	if (sinkf_enc_begin(f->enc, f->fd, err, sizeof err) < 0)
		io_fail(s, "%s/%s: %s", s->dir, f->tmp, err);
	f->opened_us = timefmt_mono_us();
}

static void drop_file(struct pfile *f)
{
	free(f->key);
	free(f->tmp);
	free(f->name);
	sinkf_enc_free(f->enc);
}

/* The commit: every open file synced and renamed, their directories
 * synced, one log line, then the checkpoint.  A failure before the log
 * line leaves nothing claimed; the next start removes what was renamed. */
static void commit(struct sink *s)
{
	char err[512];
	char **names;
	size_t n = 0;
	uint64_t records = 0;
	int changed = 0;

	for (size_t i = 0; i < s->seen.n && !changed; i++) {
		const struct sinkf_tp *e = &s->seen.v[i];
		struct sinkf_tp *c = sinkf_offsets_at(&s->log.offsets, e->topic,
						      strlen(e->topic),
						      e->partition);

		changed = e->next > c->next;
	}
	names = s->names = xrealloc(s->names, (s->nfiles + 1) * sizeof *names);
	for (size_t i = 0; i < s->nfiles; i++) {
		struct pfile *f = &s->files[i];
		uint64_t r = sinkf_enc_records(f->enc);

		if (sinkf_enc_finish(f->enc, err, sizeof err) < 0)
			io_fail(s, "%s/%s: %s", s->dir, f->tmp, err);
		if (!r) {
			/* Only bad records came: no file. */
			close(f->fd);
			unlinkat(s->dirfd, f->tmp, 0);
			free(f->tmp);
			f->tmp = NULL;
			continue;
		}
		if (fsync(f->fd) < 0 || close(f->fd) < 0)
			io_fail(s, "%s/%s: %s", s->dir, f->tmp, strerror(errno));
		f->fd = -1;
		if (renameat(s->dirfd, f->tmp, s->dirfd, f->name) < 0)
			io_fail(s, "%s/%s: %s", s->dir, f->name, strerror(errno));
		free(f->tmp);
		f->tmp = NULL;
		if (sync_dir(s, f->key) < 0)
			io_fail(s, "%s/%s: %s", s->dir, f->key, strerror(errno));
		names[n++] = f->name;
		records += r;
	}
	if (n || changed) {
		if (sinkf_log_commit(&s->log, names, n, s->part_no, records,
				     &s->seen, err, sizeof err) < 0)
			io_fail(s, "%s/%s", s->dir, err);
		s->commits++;
		s->committed_files += n;
		s->committed_records += records;
		s->t.records_out += records;
		if (s->ck) {
			for (size_t i = 0; i < s->seen.n; i++) {
				const struct sinkf_tp *e = &s->seen.v[i];

				if (e->next >= 0)
					bulk_ckpt_set(s->ck, e->topic,
						      strlen(e->topic),
						      e->partition, e->next);
			}
			if (bulk_ckpt_write(s->ck, s->checkpoint, err,
					    sizeof err) < 0)
				tool_die(&s->t, SW_EXIT_IOERR,
					 "--checkpoint: %s", err);
		}
		if (s->t.verbose)
			tool_info(&s->t, "commit %llu: %zu file%s, %llu records",
				  (unsigned long long)s->log.commits, n,
				  n == 1 ? "" : "s",
				  (unsigned long long)records);
	}
	for (size_t i = 0; i < s->nfiles; i++)
		drop_file(&s->files[i]);
	s->nfiles = 0;
	s->pending = 0;
}

/* The open file of partition key, opening it (and committing early when
 * --max-open-files are open). */
static struct pfile *file_for(struct sink *s, const char *key, size_t len)
{
	struct pfile *f;

	for (size_t i = s->nfiles; i-- > 0;) {
		f = &s->files[i];
		if (strlen(f->key) == len && memcmp(f->key, key, len) == 0) {
			f->used = ++s->tick;
			return f;
		}
	}
	if (s->nfiles >= s->max_open) {
		if (s->t.verbose)
			tool_info(&s->t, "--max-open-files %zu reached: "
					 "committing early", s->max_open);
		commit(s);
	}
	if (!s->files)
		s->files = xcalloc(s->max_open, sizeof *s->files);
	f = &s->files[s->nfiles++];
	memset(f, 0, sizeof *f);
	f->key = xstrndup(key, len);
	f->used = ++s->tick;
	open_file(s, f);
	return f;
}

/*
 * Records.
 */

/* The Kafka envelope: topic, partition and offset at the top. */
static void envelope(struct sink *s, const struct json_doc *d, struct env *e)
{
	e->has = kafka_envelope_origin(d, &s->topic, &e->at);
}

/* Notes a record as handled (written, or dead-lettered). */
static void handled(struct sink *s, const struct env *e)
{
	struct sinkf_tp *tp;

	if (!e->has)
		return;
	tp = sinkf_offsets_at(&s->seen, e->at.topic, e->at.topic_len,
			      e->at.partition);
	if (e->at.offset + 1 > tp->next)
		tp->next = e->at.offset + 1;
}

/* After bad(): a skipped record is handled (it does not come again);
 * under --on-error fail the run ends before it.  Returns 0, or -1 then. */
static int after_bad(struct sink *s, const struct env *e)
{
	if (tool_ended(&s->t))
		return -1;
	handled(s, e);
	return 0;
}

/* Writes one record of envelope e (source NULL: the current input
 * line).  Returns 0, or -1 when it was bad and the run ends. */
static int write_record(struct sink *s, const struct json_doc *d,
			const struct env *e, const char *source, uint64_t line)
{
	char err[512];
	struct pfile *f;
	int r;

	sbuf_reset(&s->key);
	if (sinkf_part_key(s->part, d, &s->key, err, sizeof err) < 0) {
		bad(s, source, line, d->text.p, d->text.len, "%s", err);
		return after_bad(s, e);
	}
	f = file_for(s, s->key.p, s->key.len);
	r = sinkf_enc_add(f->enc, d, err, sizeof err);
	if (r < 0)
		io_fail(s, "%s/%s: %s", s->dir, f->tmp, err);
	if (r > 0) {
		bad(s, source, line, d->text.p, d->text.len, "%s", err);
		return after_bad(s, e);
	}
	handled(s, e);
	s->pending++;
	if ((s->max_records && sinkf_enc_records(f->enc) >= s->max_records) ||
	    sinkf_enc_bytes(f->enc) >= s->max_bytes)
		commit(s);
	return 0;
}

/* Ends --infer sampling: the schema from what is held, into
 * DIR/_schema.avsc, then the held records into files. */
static void finish_infer(struct sink *s)
{
	struct sbuf txt = SBUF_INIT, path = SBUF_INIT;
	char err[512];

	int code = 0;

	if (avro_infer_schema(s->inf, &txt, err, sizeof err) < 0)
		code = SW_EXIT_DATAERR;
	else if (!(s->schema = avro_schema_parse(txt.p, txt.len, err,
						  sizeof err)))
		code = SW_EXIT_SOFTWARE;
	if (code) {
		sbuf_free(&txt);
		tool_die(&s->t, code, "--infer: %s", err);
	}
	sbuf_putc(&txt, '\n');
	sbuf_printf(&path, "%s/_schema.avsc", s->dir);
	if (file_replace(path.p, txt.p, txt.len, 0644, err, sizeof err) < 0) {
		sbuf_free(&txt);
		sbuf_free(&path);
		io_fail(s, "%s", err);
	}
	s->eo.schema = s->schema;
	avro_infer_free(s->inf);
	s->inf = NULL;
	for (size_t i = 0; i < s->nheld; i++) {
		struct held *h = &s->held[i];
		struct env e;

		if (json_parse(&s->doc2, s->held_text.p + h->off, h->len, err,
			       sizeof err) < 0)
			continue; /* (parsed once already) */
		envelope(s, &s->doc2, &e);
		if (write_record(s, &s->doc2, &e, h->source, h->line) < 0)
			break;
	}
	s->nheld = 0;
	sbuf_free(&s->held_text);
	free(s->held);
	s->held = NULL;
	sbuf_free(&txt);
	sbuf_free(&path);
}

static void process(struct sink *s, const struct json_doc *d)
{
	char err[512];
	struct env e;

	envelope(s, d, &e);
	if (e.has) {
		struct sinkf_tp *c = sinkf_offsets_at(&s->log.offsets,
						      e.at.topic,
						      e.at.topic_len,
						      e.at.partition);

		if (e.at.offset < c->next) {
			s->duplicates++;
			return;
		}
	}
	if (!s->inf) {
		write_record(s, d, &e, NULL, 0);
		return;
	}
	if (avro_infer_add(s->inf, d, err, sizeof err) < 0) {
		bad(s, NULL, 0, NULL, 0, "%s", err);
		after_bad(s, &e);
		return;
	}
	if (!s->nheld)
		s->held_since = timefmt_mono_us();
	s->held = xrealloc(s->held, (s->nheld + 1) * sizeof *s->held);
	s->held[s->nheld] = (struct held){ s->held_text.len, d->text.len,
					   ndjson_source(s->t.in),
					   ndjson_lineno(s->t.in) };
	s->nheld++;
	sbuf_put(&s->held_text, d->text.p, d->text.len);
	if (s->nheld >= s->infer)
		finish_infer(s);
}

/* Milliseconds until the oldest open file (or the first held record) is
 * --max-age old, -1 when nothing waits. */
static int wait_ms(struct sink *s, int64_t now)
{
	int64_t first = INT64_MAX, left;

	for (size_t i = 0; i < s->nfiles; i++)
		if (s->files[i].opened_us < first)
			first = s->files[i].opened_us;
	if (s->inf && s->nheld && s->held_since < first)
		first = s->held_since;
	if (first == INT64_MAX)
		return -1;
	left = first + s->max_age_us - now;
	if (left <= 0)
		return 0;
	return (int)(left / 1000 + 1 > 3600000 ? 3600000 : left / 1000 + 1);
}

static void age_check(struct sink *s)
{
	int64_t now = timefmt_mono_us();

	if (wait_ms(s, now) != 0)
		return;
	/* Records sampled for --infer have waited as long as any file:
	 * they are committed at once too. */
	if (s->inf && s->nheld)
		finish_infer(s);
	commit(s);
}

static void run(struct sink *s)
{
	struct json_doc doc;
	char err[512];

	json_doc_init(&doc);
	while (!tool_stopping(&s->t)) {
		int w = ndjson_wait(s->t.in, wait_ms(s, timefmt_mono_us()));

		if (w == 1) {
			enum tool_read r = tool_read_one(&s->t, &doc, err,
							 sizeof err);

			if (r == TOOL_READ_EOF)
				break;
			if (r == TOOL_READ_ERROR) {
				/* What was read before is committed first. */
				tool_error(&s->t, "%s", err);
				tool_end(&s->t, SW_EXIT_IOERR);
				break;
			}
			if (r == TOOL_READ_BAD)
				bad(s, NULL, 0, NULL, 0, "%s", err);
			else if (r == TOOL_READ_RECORD)
				process(s, &doc);
			tool_tick(&s->t);
		}
		age_check(s);
	}
	if (s->inf && s->nheld)
		finish_infer(s);
	commit(s);
	json_doc_free(&doc);
}

static const char *versions(void)
{
	static char buf[128];

	snprintf(buf, sizeof buf, "zlib %s\nzstd %s\n", zlibVersion(),
		 ZSTD_versionString());
	return buf;
}

int main(int argc, char **argv)
{
	static struct sink s;
	int code;

	tool_init(&s.t, "sw-sink-files");
	s.t.versions = versions();
	s.t.stats_fields = stats_fields;
	s.t.ctx = &s;
	s.tf = (struct timefmt)TIMEFMT_INIT;
	s.part = sinkf_part_new();
	s.max_bytes = DEFAULT_MAX_BYTES;
	s.max_age_us = DEFAULT_MAX_AGE_US;
	s.max_open = DEFAULT_MAX_OPEN;
	s.prefix = "part";
	s.dirfd = -1;
	parse_options(&s, argc, argv);
	check_options(&s, argc, argv);
	s.ug = xmalloc(sizeof *s.ug);
	uuidgen_init(s.ug);
	json_doc_init(&s.doc2);
	sbuf_puts(&s.key, ""); /* never NULL, even with no partitions */
	open_dir(&s);
	if (s.infer)
		load_inferred(&s);
	s.eo.schema = s.schema;
	if (s.schema) {
		/* The schema must map to the format before any input. */
		char err[512];
		struct sinkf_enc *probe = sinkf_enc_new(&s.eo, err, sizeof err);

		if (!probe)
			tool_usage_error(&s.t, "--schema: %s", err);
		sinkf_enc_free(probe);
	}
	tool_open_input(&s.t, argv + optind, argc - optind);
	run(&s);
	/* The report at exit reads the checkpoint and counters. */
	code = tool_finish(&s.t, SW_EXIT_OK);
	for (size_t i = 0; i < s.nfiles; i++)
		drop_file(&s.files[i]);
	free(s.files);
	sinkf_log_close(&s.log);
	sinkf_offsets_free(&s.seen);
	sinkf_part_free(s.part);
	bulk_ckpt_free(s.ck);
	avro_infer_free(s.inf);
	avro_schema_free(s.schema);
	json_doc_free(&s.doc2);
	sbuf_free(&s.key);
	sbuf_free(&s.scratch);
	sbuf_free(&s.topic);
	sbuf_free(&s.held_text);
	free(s.held);
	free(s.names);
	sbuf_free(&s.dirpath);
	free(s.ug);
	close(s.dirfd);
	return code;
}
