/*
 * tool_cli: the command-line half of the run-time (declared in tool.h).
 *
 * A tool describes its options once, in struct tool_opt tables; from them
 * this file makes getopt_long()'s tables, the options part of --help and
 * the bash and zsh completions (the hidden --completion=bash|zsh, which
 * the Makefile runs at build time).
 */
#include "tool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define HELP_COLUMN 25 /* where the help of an option starts */
#define HELP_WIDTH 80

const char *const tool_on_error_names[] = {
	[TOOL_ON_ERROR_FAIL] = "fail", [TOOL_ON_ERROR_SKIP] = "skip", NULL,
};

const char *const tool_stats_format_names[] = {
	[TOOL_STATS_JSON] = "json", [TOOL_STATS_PROMETHEUS] = "prometheus", NULL,
};

const struct tool_opt tool_opts_common[] = {
	{ "help", no_argument, 'h', NULL, "show this help and exit", NULL },
	{ "version", no_argument, TOOL_OPT_VERSION, NULL,
	  "show versions and exit", NULL },
	{ "quiet", no_argument, 'q', NULL, "no warnings", NULL },
	{ "verbose", no_argument, 'v', NULL, "more diagnostics", NULL },
	{ "unbuffered", no_argument, 'u', NULL,
	  "flush output after every record", NULL },
	{ "stats", no_argument, TOOL_OPT_STATS, NULL,
	  "one JSON line of counters on stderr at exit", NULL },
	{ "stats-every", required_argument, TOOL_OPT_STATS_EVERY, "DUR",
	  "a JSON line of counters and rates every DUR\nand at exit", NULL },
	{ "stats-file", required_argument, TOOL_OPT_STATS_FILE, "FILE",
	  "write those reports to FILE, not stderr", NULL },
	{ "stats-format", required_argument, TOOL_OPT_STATS_FORMAT, NULL,
	  "JSON lines appended (default),\nor Prometheus text replacing FILE",
	  tool_stats_format_names },
	{ "progress", no_argument, TOOL_OPT_PROGRESS, NULL,
	  "live status line on stderr (terminal only)", NULL },
	{ "completion", required_argument, TOOL_OPT_COMPLETION, NULL, NULL,
	  TOOL_VALUES("bash", "zsh") },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

const struct tool_opt tool_opts_bad_input[] = {
	{ "on-error", required_argument, TOOL_OPT_ON_ERROR, NULL,
	  "bad input: stop with 65, or warn and go on", tool_on_error_names },
	{ "dead-letter", required_argument, TOOL_OPT_DEAD_LETTER, "FILE",
	  "append bad records to FILE (implies skip)", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

const struct tool_opt tool_opts_input[] = {
	{ "max-line", required_argument, TOOL_OPT_MAX_LINE, "BYTES",
	  "longest accepted line (default 16MiB)", NULL },
	{ "raw-input", no_argument, 'R', NULL,
	  "take each line as a JSON string", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

void tool_cli(struct tool *t, const struct tool_cli *cli)
{
	t->cli = cli;
}

static void join(struct sbuf *b, const char *const *v, const char *sep)
{
	sbuf_put_list(b, v, sep, sep);
}

int tool_subcommand(struct tool *t, int *argc, char ***argv)
{
	const char *const *subs = t->cli->subs;
	struct sbuf b = SBUF_INIT;

	t->sub = -1;
	if (*argc < 2 || (*argv)[1][0] == '-')
		return -1;
	for (int i = 0; subs[i]; i++)
		if (strcmp((*argv)[1], subs[i]) == 0) {
			t->sub = i;
			(*argc)--;
			(*argv)++;
			return i;
		}
	join(&b, subs, ", ");
	tool_usage_error(t, "unknown subcommand '%s': expected %s", (*argv)[1],
			 b.p);
}

/* Whether group g is shown for subcommand sub (-1: all of them). */
static int for_sub(const struct tool_optgroup *g, int sub)
{
	return sub < 0 || !g->subs || (g->subs & 1u << sub);
}

/* The first option named name in any group, or NULL: the getopt table
 * and the completions have each name once (sw-mqtt's -t is in two). */
static const struct tool_opt *first_named(const struct tool_cli *cli,
					  const char *name)
{
	for (const struct tool_optgroup *g = cli->groups; g->title; g++)
		for (const struct tool_opt *o = g->opts; o->name; o++)
			if (strcmp(o->name, name) == 0)
				return o;
	return NULL;
}

#define EACH_OPT(cli, g, o)                                                  \
	for (const struct tool_optgroup *g = (cli)->groups; g->title; g++)   \
		for (const struct tool_opt *o = g->opts; o->name; o++)       \
			if (first_named(cli, o->name) == o)

static void build_tables(struct tool *t)
{
	struct sbuf s = SBUF_INIT;
	size_t n = 0;

	EACH_OPT(t->cli, g, o)
		n++;
	t->longopts = xcalloc(n + 1, sizeof *t->longopts);
	n = 0;
	EACH_OPT(t->cli, g, o) {
		t->longopts[n++] = (struct option){ o->name, o->has_arg, NULL,
						    o->code };
		if (o->code >= 0x100)
			continue;
		sbuf_putc(&s, (char)o->code);
		if (o->has_arg != no_argument)
			sbuf_puts(&s, o->has_arg == required_argument ? ":" : "::");
	}
	sbuf_putc(&s, '\0');
	t->shortopts = s.p;
}

/* ---- --help ---- */

/* "  -c, --count N", "      --uuid[=FIELD]", "      --on-error fail|skip" */
static void opt_left(const struct tool_opt *o, struct sbuf *b)
{
	if (o->code < 0x100)
		sbuf_printf(b, "  -%c, --%s", o->code, o->name);
	else
		sbuf_printf(b, "      --%s", o->name);
	if (o->has_arg == no_argument)
		return;
	sbuf_puts(b, o->has_arg == optional_argument ? "[=" : " ");
	if (o->metavar)
		sbuf_puts(b, o->metavar);
	else
		join(b, o->values, "|");
	if (o->has_arg == optional_argument)
		sbuf_putc(b, ']');
}

static void print_opt(const struct tool_opt *o, FILE *f)
{
	struct sbuf b = SBUF_INIT;
	const char *h = o->help;
	size_t first = strcspn(h, "\n");

	opt_left(o, &b);
	if (b.len + 2 <= HELP_COLUMN)
		fprintf(f, "%-*s%.*s\n", HELP_COLUMN, b.p, (int)first, h);
	else if (b.len + 2 + first <= HELP_WIDTH)
		fprintf(f, "%s  %.*s\n", b.p, (int)first, h);
	else
		fprintf(f, "%s\n%*s%.*s\n", b.p, HELP_COLUMN, "", (int)first, h);
	for (h += first; *h; h += first) {
		h++;
		first = strcspn(h, "\n");
		fprintf(f, "%*s%.*s\n", HELP_COLUMN, "", (int)first, h);
	}
	sbuf_free(&b);
}

static void print_help(struct tool *t, FILE *f)
{
	const struct tool_cli *cli = t->cli;
	int n = 0;

	cli->usage(t->sub);
	for (const struct tool_optgroup *g = cli->groups; g->title; g++) {
		if (!for_sub(g, t->sub))
			continue;
		if (*g->title)
			fprintf(f, "%s%s\n", n++ ? "\n" : "", g->title);
		for (const struct tool_opt *o = g->opts; o->name; o++)
			if (o->help)
				print_opt(o, f);
	}
	fprintf(f, "\n%s", cli->tail ? cli->tail : SW_EXIT_TABLE);
}

/* Writes what was printed to stdout and exits: 0, or 74 with one line
 * when it could not be written (--help >/dev/full). */
static void __attribute__((noreturn)) exit_printed(struct tool *t)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		tool_error(t, "write error: %s", strerror(errno ? errno : EIO));
		exit(SW_EXIT_IOERR);
	}
	exit(SW_EXIT_OK);
}

/* ---- completions ---- */

enum arg_kind { ARG_NONE, ARG_WORDS, ARG_FILE, ARG_DIR, ARG_ZONE, ARG_HOST };

static enum arg_kind arg_kind(const struct tool_opt *o)
{
	const char *m = o->metavar;
	size_t n;

	if (o->values)
		return ARG_WORDS;
	if (!m)
		return ARG_NONE;
	n = strlen(m);
	if (n >= 4 && strcmp(m + n - 4, "FILE") == 0)
		return ARG_FILE;
	if (strncmp(m, "DIR", 3) == 0)
		return ARG_DIR;
	if (strcmp(m, "ZONE") == 0)
		return ARG_ZONE;
	if (strncmp(m, "HOST", 4) == 0)
		return ARG_HOST;
	return ARG_NONE;
}

/* The bash function's name: _sw_enrich. */
static void bash_func(const char *name, struct sbuf *b)
{
	sbuf_putc(b, '_');
	for (; *name; name++)
		sbuf_putc(b, *name == '-' ? '_' : *name);
}

/* Whether o is the first option of its name that subcommand sub shows
 * (sw-sink-es's --dead-letter is in two groups). */
static int first_shown(const struct tool_cli *cli, int sub,
		       const struct tool_opt *o)
{
	for (const struct tool_optgroup *g = cli->groups; g->title; g++)
		for (const struct tool_opt *p = g->opts; p->name; p++)
			if (for_sub(g, sub) && p->help &&
			    strcmp(p->name, o->name) == 0)
				return p == o;
	return 0;
}

/* The words of the options of subcommand sub, as compgen -W takes them. */
static void bash_words(const struct tool_cli *cli, int sub, FILE *f)
{
	int n = 0;

	for (const struct tool_optgroup *g = cli->groups; g->title; g++) {
		if (!for_sub(g, sub))
			continue;
		for (const struct tool_opt *o = g->opts; o->name; o++) {
			if (!o->help || !first_shown(cli, sub, o))
				continue;
			fprintf(f, "%s--%s", n++ % 6 ? " " : "\n\t\t\t", o->name);
			if (o->has_arg == optional_argument)
				fprintf(f, " --%s=", o->name);
			if (o->code < 0x100)
				fprintf(f, " -%c", o->code);
		}
	}
}

static void bash_names(const struct tool_opt *o, FILE *f)
{
	fprintf(f, "--%s", o->name);
	if (o->code < 0x100)
		fprintf(f, " | -%c", o->code);
}

/* One case of $prev for each option whose value completes from a list,
 * one for each other kind of value. */
static void bash_prev(const struct tool_cli *cli, FILE *f)
{
	static const char *const action[] = {
		[ARG_NONE] = "",
		[ARG_FILE] = "COMPREPLY=($(compgen -f -- \"$cur\"))\n\t\t",
		[ARG_DIR] = "COMPREPLY=($(compgen -d -- \"$cur\"))\n\t\t",
		[ARG_ZONE] = "COMPREPLY=($(compgen -W \"UTC $(cd \"${TZDIR:-/usr/share/zoneinfo}\" 2>/dev/null &&\n"
			     "\t\t\tfind . -type f -name '[A-Z]*' | sed 's|^\\./||')\" -- \"$cur\"))\n\t\t",
		[ARG_HOST] = "COMPREPLY=($(compgen -A hostname -- \"$cur\"))\n\t\t",
	};
	struct sbuf w = SBUF_INIT;

	fputs("\tcase $prev in\n", f);
	EACH_OPT(cli, g, o) {
		if (o->has_arg != required_argument || arg_kind(o) != ARG_WORDS ||
		    !o->help)
			continue;
		sbuf_reset(&w);
		join(&w, o->values, " ");
		fputs("\t", f);
		bash_names(o, f);
		fprintf(f, ")\n\t\tCOMPREPLY=($(compgen -W '%s' -- \"$cur\"))\n"
			   "\t\treturn ;;\n", w.p);
	}
	for (enum arg_kind k = ARG_NONE; k <= ARG_HOST; k++) {
		int n = 0;

		if (k == ARG_WORDS)
			continue;
		EACH_OPT(cli, g, o) {
			if (o->has_arg != required_argument || arg_kind(o) != k ||
			    !o->help)
				continue;
			fputs(n++ ? " | " : "\t", f);
			bash_names(o, f);
		}
		if (n)
			fprintf(f, ")\n\t\t%sreturn ;;\n", action[k]);
	}
	fputs("\tesac\n\n", f);
	sbuf_free(&w);
}

/* Whether subcommand sub (-1: none named) takes cli's operands. */
static int has_operands(const struct tool_cli *cli, int sub)
{
	return (cli->operands || cli->operand_values) &&
	       (sub < 0 || !cli->operand_subs || (cli->operand_subs & 1u << sub));
}

/* The completion of the operands of subcommand sub, after ind tabs. */
static void bash_operands(const struct tool_cli *cli, int sub, int ind,
			  FILE *f)
{
	struct sbuf w = SBUF_INIT;

	fprintf(f, "%.*s", ind, "\t\t\t");
	if (!has_operands(cli, sub)) {
		fputs("COMPREPLY=()", f);
	} else if (cli->operand_values) {
		join(&w, cli->operand_values, " ");
		fprintf(f, "COMPREPLY=($(compgen -W '%s' -- \"$cur\"))", w.p);
	} else if (strcmp(cli->operands, "DIR") == 0) {
		fputs("COMPREPLY=($(compgen -d -- \"$cur\"))", f);
	} else {
		fputs("COMPREPLY=($(compgen -f -- \"$cur\"))", f);
	}
	sbuf_free(&w);
}

static void bash_all_operands(const struct tool_cli *cli, FILE *f)
{
	if (!cli->subs || !cli->operand_subs) {
		bash_operands(cli, -1, 1, f);
		fputc('\n', f);
		return;
	}
	fputs("\tcase $sub in\n", f);
	for (int i = 0; cli->subs[i]; i++) {
		fprintf(f, "\t%s)\n", cli->subs[i]);
		bash_operands(cli, i, 2, f);
		fputs(" ;;\n", f);
	}
	fputs("\t*)\n", f);
	bash_operands(cli, -1, 2, f);
	fputs(" ;;\n\tesac\n", f);
}

static void print_bash(struct tool *t, FILE *f)
{
	const struct tool_cli *cli = t->cli;
	struct sbuf fn = SBUF_INIT, w = SBUF_INIT;

	bash_func(t->name, &fn);
	fprintf(f, "# bash completion for %s: made by '%s --completion=bash'"
		   "  -*- shell-script -*-\n\n%s()\n{\n"
		   "\tlocal cur prev words cword sub=\n"
		   "\t_init_completion -s 2>/dev/null || {\n"
		   "\t\tcur=${COMP_WORDS[COMP_CWORD]}\n"
		   "\t\tprev=${COMP_WORDS[COMP_CWORD - 1]}\n"
		   "\t\twords=(\"${COMP_WORDS[@]}\")\n"
		   "\t\tcword=$COMP_CWORD\n\t}\n\n",
		t->name, t->name, fn.p);
	if (cli->subs) {
		join(&w, cli->subs, " ");
		fprintf(f, "\tif ((cword == 1)) && [[ $cur != -* ]]; then\n"
			   "\t\tCOMPREPLY=($(compgen -W '%s' -- \"$cur\"))\n"
			   "\t\treturn\n\tfi\n"
			   "\t((cword > 1)) && sub=${words[1]}\n\n", w.p);
	}
	bash_prev(cli, f);
	fputs("\tif [[ $cur == -* ]]; then\n", f);
	if (cli->subs) {
		fputs("\t\tcase $sub in\n", f);
		for (int i = 0; cli->subs[i]; i++) {
			fprintf(f, "\t\t%s) COMPREPLY=($(compgen -W '", cli->subs[i]);
			bash_words(cli, i, f);
			fputs("' -- \"$cur\")) ;;\n", f);
		}
		fputs("\t\t*) COMPREPLY=($(compgen -W '", f);
		bash_words(cli, -1, f);
		fputs("' -- \"$cur\")) ;;\n\t\tesac\n", f);
	} else {
		fputs("\t\tCOMPREPLY=($(compgen -W '", f);
		bash_words(cli, -1, f);
		fputs("' -- \"$cur\"))\n", f);
	}
	fputs("\t\treturn\n\tfi\n", f);
	bash_all_operands(cli, f);
	fprintf(f, "} &&\n\tcomplete -F %s %s\n", fn.p, t->name);
	sbuf_free(&fn);
	sbuf_free(&w);
}

/* Text for inside a single-quoted zsh word, with the characters that
 * _arguments gives a meaning escaped. */
static void zsh_text(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++) {
		if (s[i] == '\'')
			fputs("'\\''", f);
		else if (strchr("[]:\\", s[i]))
			fprintf(f, "\\%c", s[i]);
		else
			fputc(s[i], f);
	}
}

static void zsh_action(const struct tool_opt *o, FILE *f)
{
	switch (arg_kind(o)) {
	case ARG_WORDS:
		fputc('(', f);
		for (size_t i = 0; o->values[i]; i++)
			fprintf(f, "%s%s", i ? " " : "", o->values[i]);
		fputc(')', f);
		break;
	case ARG_FILE:
		fputs("_files", f);
		break;
	case ARG_DIR:
		fputs("_files -/", f);
		break;
	case ARG_ZONE:
		fputs("_time_zone", f);
		break;
	case ARG_HOST:
		fputs("_hosts", f);
		break;
	case ARG_NONE:
		break;
	}
}

/* One _arguments spec: '*--count=[exit after N messages]:N:' */
static void zsh_spec(const struct tool_opt *o, int shortform, FILE *f)
{
	static const char *const longsuffix[] = { "", "=", "=-" };
	const char *m = o->metavar ? o->metavar : "value";

	fputs("\t'*", f);
	if (shortform)
		fprintf(f, "-%c%s", o->code, o->has_arg ? "+" : "");
	else
		fprintf(f, "--%s%s", o->name, longsuffix[o->has_arg]);
	fputc('[', f);
	zsh_text(f, o->help, strcspn(o->help, "\n"));
	fputc(']', f);
	if (o->has_arg != no_argument) {
		fputs(o->has_arg == optional_argument ? "::" : ":", f);
		zsh_text(f, m, strlen(m));
		fputc(':', f);
		zsh_action(o, f);
	}
	fputs("' \\\n", f);
}

static void zsh_arguments(const struct tool_cli *cli, int sub, FILE *f)
{
	fputs("_arguments -s -S \\\n", f);
	for (const struct tool_optgroup *g = cli->groups; g->title; g++) {
		if (!for_sub(g, sub))
			continue;
		for (const struct tool_opt *o = g->opts; o->name; o++) {
			if (!o->help || !first_shown(cli, sub, o))
				continue;
			zsh_spec(o, 0, f);
			if (o->code < 0x100)
				zsh_spec(o, 1, f);
		}
	}
	if (!has_operands(cli, sub)) {
		fputs("\t'*: :'\n", f);
	} else if (cli->operand_values) {
		fputs("\t'*:operand:(", f);
		for (size_t i = 0; cli->operand_values[i]; i++)
			fprintf(f, "%s%s", i ? " " : "", cli->operand_values[i]);
		fputs(")'\n", f);
	} else if (strcmp(cli->operands, "DIR") == 0) {
		fputs("\t'*:directory:_files -/'\n", f);
	} else {
		fputs("\t'*:file:_files'\n", f);
	}
}

static void print_zsh(struct tool *t, FILE *f)
{
	const struct tool_cli *cli = t->cli;

	fprintf(f, "#compdef %s\n# zsh completion for %s: made by "
		   "'%s --completion=zsh'\n\n", t->name, t->name, t->name);
	if (!cli->subs) {
		zsh_arguments(cli, -1, f);
		return;
	}
	fputs("if (( CURRENT == 2 )); then\n\tcompadd --", f);
	for (int i = 0; cli->subs[i]; i++)
		fprintf(f, " %s", cli->subs[i]);
	fputs("\n\treturn\nfi\ncase $words[2] in\n", f);
	for (int i = 0; cli->subs[i]; i++) {
		fprintf(f, "%s)\n", cli->subs[i]);
		zsh_arguments(cli, i, f);
		fputs(";;\n", f);
	}
	fputs("esac\n", f);
}

/* ---- getopt ---- */

/* The name of a long option as written, without "=VALUE": what a message
 * may show of it (the value may be a secret). */
static const char *opt_name(const char *arg, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", (int)strcspn(arg, "="), arg);
	return buf;
}

static int getopt_whole(struct tool *t, int argc, char *const *argv,
			const char *shortopts, const struct option *longopts)
{
	char spec[128], name[128];
	const char *arg;
	int c, li = -1;

	/* A leading ':' makes a missing value ':' rather than '?'. */
	snprintf(spec, sizeof spec, ":%s", shortopts[0] == ':' ? shortopts + 1 :
								shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, spec, longopts, &li);
	if (c == '?') {
		if (optopt)
			tool_usage_error(t, "unknown option '-%c'", optopt);
		tool_usage_error(t, "unknown option '%s'",
				 opt_name(argv[optind - 1], name, sizeof name));
	}
	if (c == ':') {
		if (optopt && optopt < 0x100)
			tool_usage_error(t, "option '-%c' needs a value", optopt);
		tool_usage_error(t, "option '%s' needs a value",
				 opt_name(argv[optind - 1], name, sizeof name));
	}
	if (li < 0)
		return c;
	/* getopt_long takes any unambiguous prefix: "--password hunter2"
	 * would be --password-file, and a typo's value could land where a
	 * secret's name was meant.  Only whole names are accepted.  The
	 * option is the last argument taken, or the one before when its
	 * value was the next argument. */
	arg = argv[optind - 1];
	if (optarg == arg && optind >= 2)
		arg = argv[optind - 2];
	if (strncmp(arg, "--", 2) == 0 &&
	    strcmp(opt_name(arg + 2, name, sizeof name), longopts[li].name) != 0)
		tool_usage_error(t, "unknown option '--%s' (did you mean '--%s'?)",
				 name, longopts[li].name);
	return c;
}

int tool_getopt(struct tool *t, int argc, char *const *argv)
{
	int c;

	if (!t->longopts)
		build_tables(t);
	c = getopt_whole(t, argc, argv, t->shortopts, t->longopts);
	if (c == -1) {
		free(t->longopts);
		free(t->shortopts);
		t->longopts = NULL;
		t->shortopts = NULL;
	} else if (c == 'h') {
		print_help(t, stdout);
		exit_printed(t);
	} else if (c == TOOL_OPT_COMPLETION) {
		if (strcmp(optarg, "bash") == 0)
			print_bash(t, stdout);
		else if (strcmp(optarg, "zsh") == 0)
			print_zsh(t, stdout);
		else
			tool_usage_error(t, "--completion: '%s': expected bash or zsh",
					 optarg);
		exit_printed(t);
	}
	return c;
}
