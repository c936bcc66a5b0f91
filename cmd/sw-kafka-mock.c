/*
 * sw-kafka-mock: librdkafka's in-memory mock cluster as a program, for
 * trying the tools and for tests (sw-kafka-mock(1)).
 *
 * It prints the bootstrap address as the first line on stdout and then
 * reads commands, one per line, from stdin (fault injection for tests);
 * each command is answered with one line, "ok" or "error: REASON".  It runs
 * until SIGINT/SIGTERM, or until stdin closes when stdin is a pipe, FIFO,
 * socket or terminal (a regular file or /dev/null is read and then the
 * cluster keeps running until a signal).
 *
 * The cluster runs in a child process that this one watches.  librdkafka's
 * mock (2.0.2) aborts the whole process on some requests it cannot serve,
 * above all a consumer group whose members share no assignment protocol
 * (it asserts that every member's first protocol is the leader's), and no
 * hook lets a caller refuse such a JoinGroup.  So the bytes clients send
 * are read on their way in (recvmsg() below) and such a JoinGroup is
 * answered INCONSISTENT_GROUP_PROTOCOL through the mock's own error
 * injection before the mock handles it (kafka_mockguard).  What still
 * kills the child (a member that vanished without leaving, another
 * assertion) is survived: when the child dies of a signal, a new cluster is
 * started on the same ports (the child's bind() calls are steered to them),
 * with the topics made so far, so that clients reconnect to an empty
 * cluster rather than to nothing.  The same watch on the wire rewrites the
 * controller id of Metadata responses (0, a broker that does not exist) to
 * a broker that does, and answers a member whose SyncGroup comes after its
 * leader's with its assignment, where the mock says INVALID_REQUEST and
 * makes the group rebalance.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "kafka_conf.h"
#include "kafka_mockguard.h"
#include "num.h"
#include "sbuf.h"
#include "timefmt.h"
#include "tool.h"
#include "xalloc.h"

#define MAX_LINE 4096
#define MAX_BROKERS 64
#define TOPICS_SIZE 65536

/* What a restarted cluster needs from the one before, in memory shared
 * between this process and the cluster's. */
struct shared {
	uint16_t ports[MAX_BROKERS]; /* of the brokers' listeners, in order */
	int nports;
	size_t topics_len;
	char topics[TOPICS_SIZE]; /* NAME[:PARTITIONS] lines, from "topic" */
};

static struct shared *shared;
/* Set while librdkafka creates the brokers' listeners. */
static int steer_binds;
static int nbinds;

/* The cluster whose JoinGroups are guarded, and the sockets of its client
 * connections (those accept() gave); used by the mock's own thread only. */
static rd_kafka_mock_cluster_t *guarded;
static struct mockguard *guard;
static struct tool *guard_tool;
static char guard_last[1024];
#define GUARD_FDS 65536
static unsigned char guard_fd[GUARD_FDS / 8];

static int guard_has(int fd)
{
	return fd >= 0 && fd < GUARD_FDS && (guard_fd[fd / 8] >> (fd % 8) & 1);
}

/*
 * librdkafka binds each mock broker's listener to 127.0.0.1 port 0, one
 * broker after the other, and has no option for the port.  This bind()
 * takes the place of the C library's for the whole program (librdkafka's
 * calls resolve to it): while steer_binds is set, the Nth port-0 bind of
 * an IPv4 socket gets the port the Nth broker had before (recorded on the
 * first start).  Every other call goes to the system call unchanged.
 */
int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int k, rc;

	if (!steer_binds || !sa || sa->sa_family != AF_INET ||
	    len < sizeof(sin) || nbinds >= MAX_BROKERS)
		return (int)syscall(SYS_bind, fd, sa, len);
	memcpy(&sin, sa, sizeof(sin));
	if (sin.sin_port != 0)
		return (int)syscall(SYS_bind, fd, sa, len);
	k = nbinds++;
	if (k < shared->nports)
		sin.sin_port = htons(shared->ports[k]);
	rc = (int)syscall(SYS_bind, fd, &sin, sizeof(sin));
	if (rc == 0 && k >= shared->nports &&
	    getsockname(fd, (struct sockaddr *)&sin, &sl) == 0) {
		shared->ports[k] = ntohs(sin.sin_port);
		shared->nports = k + 1;
	}
	return rc;
}

struct topic_arg {
	const char *name;
	int partitions;
};

static void usage(int sub)
{
	(void)sub;
	fputs("Usage: sw-kafka-mock [--brokers N] [--topic NAME[:PARTITIONS]]...\n"
	      "\n"
	      "Starts an in-memory Kafka cluster (librdkafka's mock cluster, the real\n"
	      "protocol) on loopback, prints its bootstrap address as the first line on\n"
	      "stdout and runs until SIGINT/SIGTERM or until stdin closes.  Nothing is\n"
	      "kept on disk.  Each partition keeps only about the newest 5 MB (and at\n"
	      "most 100000 produce batches): older messages are deleted, as retention\n"
	      "would.  Topics that do not exist are created on first use with 4\n"
	      "partitions.  A JoinGroup whose first assignor differs from its group's\n"
	      "is refused (INCONSISTENT_GROUP_PROTOCOL); a cluster that dies is started\n"
	      "again on the same ports, with its topics but empty.  Metadata names\n"
	      "broker 1 as the controller.  No admin requests (CreateTopics, ...).\n"
	      "With --stats, records are commands and errors failed commands; -v adds\n"
	      "librdkafka's log.\n"
	      "\n",
	      stdout);
}

static const struct tool_opt opts[] = {
	{ "brokers", required_argument, 'b', "N",
	  "number of brokers (default 1)", NULL },
	{ "topic", required_argument, 't', "NAME[:PARTITIONS]",
	  "create a topic (default 1 partition);\nrepeatable", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct tool_cli cli = {
	.usage = usage,
	.groups = (const struct tool_optgroup[]){
		{ "Options:", opts, 0 },
		{ "Common options:", tool_opts_common, 0 },
		{ NULL, NULL, 0 },
	},
	.tail = "Commands on stdin, one per line, each answered with \"ok\" or \"error: ...\":\n"
		"  topic NAME[:PARTITIONS]      create a topic\n"
		"  broker ID down|up            take a broker down or bring it back\n"
		"  broker ID rtt MS             delay a broker's responses\n"
		"  leader TOPIC PARTITION ID    move a partition's leader\n"
		"  error API ERR...             fail the next requests of API (Produce,\n"
		"                               Fetch, Metadata, OffsetCommit, ... or a\n"
		"                               number) with these errors, in order\n"
		"  topic-error TOPIC ERR        report ERR for TOPIC in metadata\n"
		"  (ERR: a Kafka error name such as NOT_LEADER_FOR_PARTITION, or a code)\n"
		"\n" SW_EXIT_TABLE,
};

static int parse_topic(const char *s, struct topic_arg *ta)
{
	const char *colon = strrchr(s, ':');
	int64_t n = 1;

	if (colon) {
		if (num_parse_i64(colon + 1, 1, 100000, &n) < 0)
			return -1;
	}
	if ((colon ? (size_t)(colon - s) : strlen(s)) == 0)
		return -1;
	ta->name = s;
	ta->partitions = (int)n;
	return 0;
}

static int create_topic(rd_kafka_mock_cluster_t *mc, const char *spec,
			int brokers, char *err, size_t errlen)
{
	struct topic_arg ta;
	char *name;
	rd_kafka_resp_err_t e;
	size_t len;

	if (parse_topic(spec, &ta) < 0) {
		snprintf(err, errlen, "%s: expected NAME[:PARTITIONS]", spec);
		return -1;
	}
	len = strchr(spec, ':') ? (size_t)(strrchr(spec, ':') - spec)
				: strlen(spec);
	name = xstrndup(spec, len);
	e = rd_kafka_mock_topic_create(mc, name, ta.partitions,
				       brokers < 3 ? brokers : 3);
	if (e)
		snprintf(err, errlen, "%s: %s", name, rd_kafka_err2str(e));
	free(name);
	return e ? -1 : 0;
}

/* A Kafka error by name (as rd_kafka_err2name gives it) or number. */
static int parse_err(const char *s, rd_kafka_resp_err_t *e)
{
	const struct rd_kafka_err_desc *d;
	size_t n, i;
	int64_t v;

	if (num_parse_i64(s, -200, 1000, &v) == 0) {
		*e = (rd_kafka_resp_err_t)v;
		return 0;
	}
	if (!strncmp(s, "RD_KAFKA_RESP_ERR_", 18))
		s += 18;
	rd_kafka_get_err_descs(&d, &n);
	for (i = 0; i < n; i++) {
		if (d[i].name && !strcmp(d[i].name, s)) {
			*e = d[i].code;
			return 0;
		}
	}
	return -1;
}

static const struct {
	const char *name;
	int16_t key;
} apis[] = {
	{ "Produce", 0 },	    { "Fetch", 1 },
	{ "ListOffsets", 2 },	    { "Metadata", 3 },
	{ "OffsetCommit", 8 },	    { "OffsetFetch", 9 },
	{ "FindCoordinator", 10 },  { "JoinGroup", 11 },
	{ "Heartbeat", 12 },	    { "LeaveGroup", 13 },
	{ "SyncGroup", 14 },	    { "ApiVersions", 18 },
	{ "InitProducerId", 22 },
};

static int parse_api(const char *s, int16_t *key)
{
	int64_t v;
	size_t i;

	for (i = 0; i < sizeof(apis) / sizeof(apis[0]); i++) {
		if (!strcasecmp(apis[i].name, s)) {
			*key = apis[i].key;
			return 0;
		}
	}
	if (num_parse_i64(s, 0, 100, &v) < 0)
		return -1;
	*key = (int16_t)v;
	return 0;
}

static int parse_id(const char *s, int32_t *id)
{
	int64_t v;

	if (num_parse_i64(s, 0, 100000, &v) < 0)
		return -1;
	*id = (int32_t)v;
	return 0;
}

#define MAX_WORDS 34

static int command(rd_kafka_mock_cluster_t *mc, int brokers, char *line,
		   char *err, size_t errlen)
{
	char *w[MAX_WORDS], *save = NULL, *p;
	int n = 0;
	int32_t id, part;
	rd_kafka_resp_err_t e = 0;

	for (p = strtok_r(line, " \t\r\n", &save); p && n < MAX_WORDS;
	     p = strtok_r(NULL, " \t\r\n", &save))
		w[n++] = p;
	if (n == 0 || w[0][0] == '#')
		return 1; /* nothing to answer */

	if (!strcmp(w[0], "topic") && n == 2) {
		size_t len = strlen(w[1]);

		if (create_topic(mc, w[1], brokers, err, errlen) < 0)
			return -1;
		if (shared->topics_len + len + 1 < TOPICS_SIZE) {
			memcpy(shared->topics + shared->topics_len, w[1], len);
			shared->topics[shared->topics_len + len] = '\n';
			shared->topics_len += len + 1;
		}
		return 0;
	}
	if (!strcmp(w[0], "broker") && n >= 3) {
		if (parse_id(w[1], &id) < 0)
			goto bad;
		if (!strcmp(w[2], "down") && n == 3)
			e = rd_kafka_mock_broker_set_down(mc, id);
		else if (!strcmp(w[2], "up") && n == 3)
			e = rd_kafka_mock_broker_set_up(mc, id);
		else if (!strcmp(w[2], "rtt") && n == 4) {
			int32_t ms;

			if (parse_id(w[3], &ms) < 0)
				goto bad;
			e = rd_kafka_mock_broker_set_rtt(mc, id, ms);
		} else
			goto bad;
	} else if (!strcmp(w[0], "leader") && n == 4) {
		if (parse_id(w[2], &part) < 0 || parse_id(w[3], &id) < 0)
			goto bad;
		e = rd_kafka_mock_partition_set_leader(mc, w[1], part, id);
	} else if (!strcmp(w[0], "error") && n >= 3) {
		rd_kafka_resp_err_t errs[MAX_WORDS];
		int16_t api;
		int i;

		if (parse_api(w[1], &api) < 0) {
			snprintf(err, errlen, "%s: unknown API", w[1]);
			return -1;
		}
		for (i = 2; i < n; i++) {
			if (parse_err(w[i], &errs[i - 2]) < 0) {
				snprintf(err, errlen, "%s: unknown error", w[i]);
				return -1;
			}
		}
		rd_kafka_mock_push_request_errors_array(mc, api, (size_t)(n - 2),
							errs);
	} else if (!strcmp(w[0], "topic-error") && n == 3) {
		if (parse_err(w[2], &e) < 0) {
			snprintf(err, errlen, "%s: unknown error", w[2]);
			return -1;
		}
		rd_kafka_mock_topic_set_error(mc, w[1], e);
		e = 0;
	} else {
		goto bad;
	}
	if (e) {
		snprintf(err, errlen, "%s", rd_kafka_err2str(e));
		return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "%s: unknown command or bad arguments", w[0]);
	return -1;
}

static void reply(struct tool *t, const char *s, const char *err)
{
	out_put(&t->out, s, strlen(s));
	if (err)
		out_put(&t->out, err, strlen(err));
	out_end(&t->out);
	tool_flush(t);
}

/* Whether end of stdin means "stop": true for pipes, FIFOs, sockets and
 * terminals, false for /dev/null and regular files. */
static int stdin_is_control(void)
{
	struct stat st;

	if (isatty(0))
		return 1;
	if (fstat(0, &st) < 0)
		return 0;
	return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
}

/* Reads commands until stdin ends (or a stop).  Returns 1 when end of
 * stdin should stop the cluster. */
static int serve(struct tool *t, rd_kafka_mock_cluster_t *mc, int brokers)
{
	struct sbuf in = SBUF_INIT;
	int control = stdin_is_control(), rc = 0;
	char buf[4096], err[512];

	while (!tool_stopping(t)) {
		struct pollfd pfd = { .fd = 0, .events = POLLIN };
		ssize_t r;
		char *nl;

		if (poll(&pfd, 1, tool_wait_ms(t, 200)) <= 0)
			continue;
		r = read(0, buf, sizeof(buf));
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0) {
			rc = control;
			break;
		}
		sbuf_put(&in, buf, (size_t)r);
		while (!tool_ended(t) && (nl = memchr(in.p, '\n', in.len))) {
			size_t n = (size_t)(nl - in.p) + 1;
			int c;

			*nl = '\0';
			c = command(mc, brokers, in.p, err, sizeof(err));
			t->records_in++;
			t->records_out += c == 0;
			t->errors += c < 0;
			if (c == 0)
				reply(t, "ok", NULL);
			else if (c < 0)
				reply(t, "error: ", err);
			memmove(in.p, in.p + n, in.len - n);
			in.len -= n;
		}
		if (in.len > MAX_LINE)
			in.len = 0;
	}
	sbuf_free(&in);
	return rc;
}

static void stats_fields(struct tool *t, struct stats *s)
{
	stats_gauge(s, "brokers", *(const int64_t *)t->ctx,
		    "Brokers in the cluster");
}

static void log_cb(const rd_kafka_t *rk, int level, const char *fac,
		   const char *msg)
{
	struct tool *t = rd_kafka_opaque(rk);

	(void)level;
	tool_info(t, "librdkafka: %s: %s", fac, msg);
}

/*
 * The mock's broker threads accept client connections with accept() and
 * read requests with recvmsg(); these two take the place of the C
 * library's (as bind() does above) to watch the requests of the mock's
 * connections.  Everything else passes through untouched.
 */
int accept(int fd, struct sockaddr *sa, socklen_t *len)
{
	int s = (int)syscall(SYS_accept4, fd, sa, len, 0);

	if (s >= 0 && s < GUARD_FDS && guard) {
		guard_fd[s / 8] |= (unsigned char)(1u << (s % 8));
		mockguard_open(guard, s);
	}
	return s;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	ssize_t r = syscall(SYS_recvmsg, fd, msg, flags);
	size_t left, i;
	int refuse = 0;

	if (!guard || !guard_has(fd))
		return r;
	if (r <= 0) {
		if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
			guard_fd[fd / 8] &= (unsigned char)~(1u << (fd % 8));
			mockguard_close(guard, fd);
		}
		return r;
	}
	for (i = 0, left = (size_t)r; left > 0 && i < msg->msg_iovlen; i++) {
		size_t k = msg->msg_iov[i].iov_len < left ? msg->msg_iov[i].iov_len
							  : left;

		refuse += mockguard_feed(guard, fd, msg->msg_iov[i].iov_base, k);
		left -= k;
	}
	if (refuse > 0 && guarded) {
		int saved = errno;

		/* the request is handled next, by this thread, right after
		 * this read: the error pushed now is its answer */
		while (refuse-- > 0)
			rd_kafka_mock_push_request_errors(
				guarded, 11, 1,
				RD_KAFKA_RESP_ERR_INCONSISTENT_GROUP_PROTOCOL);
		/* once per reason: a refused client retries every second */
		if (strcmp(guard_last, mockguard_why(guard)) != 0) {
			snprintf(guard_last, sizeof(guard_last), "%s",
				 mockguard_why(guard));
			tool_warn(guard_tool, "JoinGroup refused (INCONSISTENT_GROUP_PROTOCOL): %s",
				  guard_last);
		}
		errno = saved;
	}
	return r;
}

/* Sends all of b on fd, for a response the guard answers in place of the
 * mock's (mockguard_replace): the mock takes its own bytes as sent, so
 * these cannot be left to a later call.  Such a response is small and
 * the socket's buffer has room for it but on a client that reads
 * nothing; that one is given 10 s.  Returns 0, or -1 with errno set. */
static int send_all(int fd, const struct sbuf *b, int flags)
{
	size_t done = 0;
	int waits = 0;

	while (done < b->len) {
		ssize_t r = send(fd, b->p + done, b->len - done,
				 flags | MSG_NOSIGNAL);

		if (r > 0) {
			done += (size_t)r;
		} else if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
			struct pollfd p = { fd, POLLOUT, 0 };

			if (errno == EAGAIN && ++waits > 100) {
				errno = ETIMEDOUT;
				return -1;
			}
			poll(&p, 1, 100);
		} else {
			return -1;
		}
	}
	return 0;
}

/* Responses go out through sendmsg(): copied, so that the controller id of
 * Metadata responses can be rewritten (kafka_mockguard), and sent; a
 * SyncGroup the mock refuses for nothing is answered as Kafka would. */
ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	static unsigned char *buf;
	static size_t cap;
	static struct sbuf rep;
	struct msghdr m;
	struct iovec one;
	size_t total = 0, i;
	ssize_t r;

	if (!guard || !guard_has(fd))
		return syscall(SYS_sendmsg, fd, msg, flags);
	for (i = 0; i < msg->msg_iovlen; i++)
		total += msg->msg_iov[i].iov_len;
	if (total > cap) {
		free(buf);
		cap = total;
		buf = xmalloc(cap);
	}
	for (i = 0, total = 0; i < msg->msg_iovlen; i++) {
		memcpy(buf + total, msg->msg_iov[i].iov_base,
		       msg->msg_iov[i].iov_len);
		total += msg->msg_iov[i].iov_len;
	}
	if (mockguard_replace(guard, fd, buf, total, &rep))
		return send_all(fd, &rep, flags) < 0 ? -1 : (ssize_t)total;
	mockguard_out(guard, fd, buf, total);
	m = *msg;
	one.iov_base = buf;
	one.iov_len = total;
	m.msg_iov = &one;
	m.msg_iovlen = 1;
	r = syscall(SYS_sendmsg, fd, &m, flags);
	if (r > 0) {
		int saved = errno;

		mockguard_sent(guard, fd, buf, (size_t)r);
		errno = saved;
	}
	return r;
}

/* Runs one cluster until a stop; returns the exit code.  The first one
 * prints the bootstrap address; a restarted one has the same. */
static int run_cluster(struct tool *t, const char **topics, size_t ntopics,
		       int brokers, int restarted)
{
	rd_kafka_conf_t *conf;
	rd_kafka_t *rk;
	rd_kafka_mock_cluster_t *mc;
	char err[512], *line, *save = NULL, *list;
	const char *boot;
	size_t i;
	int code = SW_EXIT_OK;

	conf = rd_kafka_conf_new();
	rd_kafka_conf_set_opaque(conf, t);
	rd_kafka_conf_set_log_cb(conf, log_cb);
	rd_kafka_conf_set(conf, "log_level", t->verbose ? "7" : "3", NULL, 0);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
	if (!rk) {
		rd_kafka_conf_destroy(conf);
		tool_error(t, "librdkafka: %s", err);
		return SW_EXIT_FAIL;
	}
	conf = NULL;
	guard = mockguard_new();
	guard_tool = t;
	steer_binds = 1;
	nbinds = 0;
	mc = rd_kafka_mock_cluster_new(rk, brokers);
	steer_binds = 0;
	guarded = mc;
	if (!mc) {
		code = SW_EXIT_FAIL;
		tool_error(t, restarted ? "cannot start the mock cluster again on its ports"
				        : "cannot start the mock cluster");
		goto out;
	}
	for (i = 0; i < ntopics; i++) {
		if (create_topic(mc, topics[i], brokers, err, sizeof(err))) {
			code = SW_EXIT_FAIL;
			tool_error(t, "--topic %s", err);
			goto out;
		}
	}
	list = xstrndup(shared->topics, shared->topics_len);
	for (line = strtok_r(list, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		create_topic(mc, line, brokers, err, sizeof(err));
	free(list);
	boot = rd_kafka_mock_cluster_bootstraps(mc);
	if (!restarted) {
		out_put(&t->out, boot, strlen(boot));
		out_end(&t->out);
		tool_flush(t);
	}
	tool_info(t, "cluster of %d broker(s) at %s", brokers, boot);
	if (!serve(t, mc, brokers)) {
		while (!tool_stopping(t))
			poll(NULL, 0, tool_wait_ms(t, 200));
	}
out:
	if (mc)
		rd_kafka_mock_cluster_destroy(mc);
	guarded = NULL;
	rd_kafka_destroy(rk);
	mockguard_free(guard);
	guard = NULL;
	return code;
}

/* Starts the cluster in a child and waits for it; starts it again when it
 * dies of a signal that this process did not send.  A stop request is
 * passed on to the child.  Returns the exit code. */
static int supervise(struct tool *t, const char **topics, size_t ntopics,
		     int brokers)
{
	int restarts = 0;
	int64_t last = INT64_MIN / 2, now;

	for (;;) {
		pid_t pid, w;
		int st = 0, sent = 0;

		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			tool_error(t, "fork: %s", strerror(errno));
			return SW_EXIT_FAIL;
		}
		if (pid == 0) {
			struct rlimit no_core = { 0, 0 };

			/* the cluster ends with this process, and an
			 * expected abort leaves no core file */
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() == 1)
				_exit(SW_EXIT_FAIL);
			setrlimit(RLIMIT_CORE, &no_core);
			exit(tool_finish(t, run_cluster(t, topics, ntopics,
						        brokers, restarts > 0)));
		}
		while ((w = waitpid(pid, &st, WNOHANG)) == 0 ||
		       (w < 0 && errno == EINTR)) {
			if (tool_stop && !sent) {
				kill(pid, SIGTERM);
				sent = 1;
			}
			poll(NULL, 0, 100);
		}
		if (w < 0) {
			tool_error(t, "waitpid: %s", strerror(errno));
			return SW_EXIT_FAIL;
		}
		if (WIFEXITED(st))
			return WEXITSTATUS(st);
		if (tool_stop)
			return SW_EXIT_OK;
		if (restarts == 0 && shared->nports < brokers)
			return SW_EXIT_FAIL; /* it never came up */
		restarts++;
		tool_warn(t, "the mock cluster died (%s): librdkafka's mock aborts on "
			     "some requests, such as a consumer group whose members share "
			     "no assignment protocol; started it again on the same ports, "
			     "empty (restart %d)",
			  strsignal(WTERMSIG(st)), restarts);
		/* at once, before another program takes the ports; but a
		 * client that keeps asking for what killed it must not make
		 * this a busy loop */
		now = timefmt_mono_us();
		if (now - last < 5000000)
			poll(NULL, 0, 1000);
		last = now;
		if (tool_stop)
			return SW_EXIT_OK;
	}
}

int main(int argc, char **argv)
{
	static struct tool t;
	const char **topics = NULL;
	size_t ntopics = 0;
	int64_t brokers = 1;
	int c, code;

	tool_init(&t, "sw-kafka-mock");
	t.stats_fields = stats_fields;
	t.ctx = &brokers;
	t.versions = kafka_version_line();
	tool_cli(&t, &cli);
	while ((c = tool_getopt(&t, argc, argv)) != -1) {
		struct topic_arg ta;

		if (tool_option(&t, c, optarg))
			continue;
		switch (c) {
		case 'b':
			if (num_parse_i64(optarg, 1, 64, &brokers) < 0)
				tool_usage_error(&t, "--brokers: %s: expected a number from 1 to 64",
						 optarg);
			break;
		case 't':
			if (parse_topic(optarg, &ta) < 0)
				tool_usage_error(&t, "--topic: %s: expected NAME[:PARTITIONS]",
						 optarg);
			topics = xrealloc(topics, (ntopics + 1) * sizeof(*topics));
			topics[ntopics++] = optarg;
			break;
		default:
			tool_usage_error(&t, "unknown option");
		}
	}
	if (optind < argc)
		tool_usage_error(&t, "unexpected argument: %s", argv[optind]);
	tool_start(&t);
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		tool_die(&t, SW_EXIT_FAIL, "mmap: %s", strerror(errno));
	code = supervise(&t, topics, ntopics, (int)brokers);
	munmap(shared, sizeof(*shared));
	free(topics);
	/* the cluster's process wrote the output and the reports (--stats)
	 * and closed them: nothing is left to finish here */
	return code;
}
