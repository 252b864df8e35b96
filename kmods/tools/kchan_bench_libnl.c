// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_bench_libnl: the benchmarks' libnl peer (bench/PEERS.md).
 *
 *   kchan_bench_libnl echo netlink threads=1 seconds=2 warmup=0.5 size=64
 *   kchan_bench_libnl value netlink op=set|get size=65456 seconds=2 warmup=0.5
 *   kchan_bench_libnl stream netlink count=20000 size=768 timeout=3
 *
 * A client of the Generic Netlink family "kchan" written the way a libnl-3
 * user writes one: genl_connect, genl_ctrl_resolve, genlmsg_put + nla_put,
 * nl_send_auto, nl_recvmsgs with a valid-message and an error callback.
 * What it does beyond the plainest use, all through libnl's public API:
 *
 * - auto-ack is off (nl_socket_disable_auto_ack): a doit answers with its
 *   reply or with NLMSG_ERROR, so one send and one receive per call; libnl
 *   then skips its own sequence check, so the valid callback compares the
 *   reply's nlmsg_seq with the request's.
 * - MSG_PEEK is off and the receive buffer is KCHAN_MSG_MAX plus headers
 *   (nl_socket_set_msg_buf_size): one recvmsg per message instead of two.
 * - every request is built once (its nl_msg kept) and sent again with its
 *   sequence number reset to NL_AUTO_SEQ; the callbacks are set once per
 *   socket.  libnl still allocates on every receive (a buffer in nl_recv,
 *   an nl_msg copy per message in nl_recvmsgs): no public API avoids that.
 * - extended acks are asked for (setsockopt NETLINK_EXT_ACK, which libnl
 *   3.7 has no call for) and the error callback reads their message.
 * - stream: SO_RCVBUFFORCE after nl_socket_set_buffer_size, whose
 *   SO_RCVBUF the kernel caps at rmem_max, so the buffer is 4 MiB as the
 *   contract says (the Java SDK does the same).
 */
#define _GNU_SOURCE

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "kchan.h"

#define PROG			"kchan_bench_libnl"
#define EVENT_RCVBUF		(4 * 1024 * 1024)
/* Any kchan message, with the netlink and genl headers. */
#define MSG_BUF_SIZE		(KCHAN_MSG_MAX + 4096)
#define VALUE_KEY		"bench-value"
#define SAMPLES_INITIAL		65536

#ifndef SOL_NETLINK
#define SOL_NETLINK		270
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK		11
#endif

struct params {
	long threads;
	double seconds;
	double warmup;
	long size;
	const char *op;
	long count;
	double timeout;
};

/* What the callbacks learn about one call's reply. */
struct call_ctx {
	uint8_t cmd;			/* the request's command */
	uint32_t seq;			/* the request's sequence number */
	int expect_attr;		/* attribute to compare, 0: none */
	const void *expect;
	size_t expect_len;
	bool done;			/* a good reply arrived */
	int kerr;			/* errno from NLMSG_ERROR, 0: none */
	char errmsg[KCHAN_ERRMSG_MAX + 1];
	char bad[160];			/* what was wrong with the reply */
};

/* One request/reply socket with its request. */
struct client {
	struct nl_sock *sk;
	struct nl_msg *req;
	struct call_ctx ctx;
	const char *what;		/* the command's name, for errors */
	pthread_t thread;
	/* results of the measured window */
	uint64_t *samples;		/* ns per call */
	size_t n_samples;
	size_t cap_samples;
	uint64_t ops;
	uint64_t last_ns;		/* last counted call's completion */
	char error[512];
};

static int family_id;
static uint64_t window_start_ns;
static uint64_t window_end_ns;
static pthread_barrier_t start_barrier;
static pthread_barrier_t go_barrier;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void unsupported(const char *scenario, const char *transport)
{
	fprintf(stderr, "unsupported: %s %s (" PROG " does echo, value and stream over netlink)\n",
		scenario, transport);
	exit(2);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		fail("clock_gettime: %s", strerror(errno));
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- arguments ---------------------------------------------------- */

static long parse_long(const char *key, const char *val, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(val, &end, 10);
	if (errno || end == val || *end || v < min || v > max)
		fail("bad %s=%s: an integer %ld..%ld expected", key, val, min, max);
	return v;
}

static double parse_double(const char *key, const char *val, double min)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(val, &end);
	if (errno || end == val || *end || !(v >= min) || isinf(v))
		fail("bad %s=%s: a number >= %g expected", key, val, min);
	return v;
}

static void parse_params(struct params *p, const char *scenario, int argc, char **argv)
{
	bool echo = !strcmp(scenario, "echo");
	bool value = !strcmp(scenario, "value");
	bool stream = !strcmp(scenario, "stream");
	int i;

	p->threads = 1;
	p->seconds = 2;
	p->warmup = 0.5;
	p->size = echo ? 64 : value ? KCHAN_VALUE_MAX : 768;
	p->op = "set";
	p->count = 20000;
	p->timeout = 3;
	for (i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		const char *val;
		size_t klen;

		if (!eq)
			fail("bad argument %s: key=value expected", argv[i]);
		klen = (size_t)(eq - argv[i]);
		val = eq + 1;
#define KEY_IS(k) (klen == strlen(k) && !strncmp(argv[i], k, klen))
		if (KEY_IS("threads") && echo)
			p->threads = parse_long("threads", val, 1, 1024);
		else if (KEY_IS("seconds") && !stream)
			p->seconds = parse_double("seconds", val, 0.001);
		else if (KEY_IS("warmup") && !stream)
			p->warmup = parse_double("warmup", val, 0);
		else if (KEY_IS("size") && echo)
			p->size = parse_long("size", val, 0, KCHAN_PAYLOAD_MAX);
		else if (KEY_IS("size") && value)
			p->size = parse_long("size", val, 0, KCHAN_VALUE_MAX);
		else if (KEY_IS("size") && stream)
			p->size = parse_long("size", val, 0, KCHAN_PAYLOAD_MAX);
		else if (KEY_IS("op") && value)
			p->op = val;
		else if (KEY_IS("count") && stream)
			p->count = parse_long("count", val, 1, LONG_MAX);
		else if (KEY_IS("timeout") && stream)
			p->timeout = parse_double("timeout", val, 0.001);
		else if ((KEY_IS("mode") || KEY_IS("ring")) && stream)
			; /* chardev only: nothing to do on netlink */
		else
			fail("unknown argument %s for %s", argv[i], scenario);
#undef KEY_IS
	}
	if (value && strcmp(p->op, "set") && strcmp(p->op, "get"))
		fail("bad op=%s: set or get expected", p->op);
}

/* ---- libnl plumbing ------------------------------------------------ */

/* The reply to a request: right command and sequence, attributes checked. */
static int reply_valid(struct nl_msg *msg, void *arg)
{
	struct call_ctx *c = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[KCHAN_ATTR_MAX + 1];
	struct genlmsghdr *gnlh;
	struct nlattr *a;
	int err;

	if (nlh->nlmsg_seq != c->seq) {
		snprintf(c->bad, sizeof(c->bad), "reply seq %u, request seq %u",
			 nlh->nlmsg_seq, c->seq);
		return NL_STOP;
	}
	if (!genlmsg_valid_hdr(nlh, 0)) {
		snprintf(c->bad, sizeof(c->bad), "reply without a genl header");
		return NL_STOP;
	}
	gnlh = genlmsg_hdr(nlh);
	if (gnlh->cmd != c->cmd) {
		snprintf(c->bad, sizeof(c->bad), "reply cmd %u, request cmd %u",
			 gnlh->cmd, c->cmd);
		return NL_STOP;
	}
	if (c->expect_attr) {
		err = genlmsg_parse(nlh, 0, tb, KCHAN_ATTR_MAX, NULL);
		if (err < 0) {
			snprintf(c->bad, sizeof(c->bad), "genlmsg_parse: %s",
				 nl_geterror(err));
			return NL_STOP;
		}
		a = tb[c->expect_attr];
		if (!a) {
			snprintf(c->bad, sizeof(c->bad), "reply lacks attribute %d",
				 c->expect_attr);
			return NL_STOP;
		}
		if ((size_t)nla_len(a) != c->expect_len ||
		    memcmp(nla_data(a), c->expect, c->expect_len)) {
			snprintf(c->bad, sizeof(c->bad),
				 "attribute %d differs from what was sent (%d bytes, %zu expected)",
				 c->expect_attr, nla_len(a), c->expect_len);
			return NL_STOP;
		}
	}
	c->done = true;
	return NL_STOP;
}

/* NLMSG_ERROR: keep the errno and the extended ack's message. */
static int reply_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct call_ctx *c = arg;
	size_t off;

	(void)nla;
	if (nlh->nlmsg_seq != c->seq) {
		snprintf(c->bad, sizeof(c->bad), "error for seq %u, request seq %u",
			 nlh->nlmsg_seq, c->seq);
		return NL_STOP;
	}
	c->kerr = -e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_ALIGN(off);
	if (nlh->nlmsg_len < NLMSG_HDRLEN + off)
		return NL_STOP;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off),
		      nlh->nlmsg_len - NLMSG_HDRLEN - off, NULL) < 0)
		return NL_STOP;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(c->errmsg, tb[NLMSGERR_ATTR_MSG], sizeof(c->errmsg));
	return NL_STOP;
}

/* A connected genl socket; resolves the family when it is not known. */
static struct nl_sock *open_genl(void)
{
	struct nl_sock *sk;
	int err, one = 1;

	sk = nl_socket_alloc();
	if (!sk)
		fail("nl_socket_alloc: out of memory");
	err = genl_connect(sk);
	if (err < 0)
		fail("genl_connect: %s (errno %d, %s)", nl_geterror(err), errno,
		     strerror(errno));
	if (setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		       sizeof(one)))
		fail("setsockopt(NETLINK_EXT_ACK): %s", strerror(errno));
	err = nl_socket_set_msg_buf_size(sk, MSG_BUF_SIZE);
	if (err < 0)
		fail("nl_socket_set_msg_buf_size: %s", nl_geterror(err));
	nl_socket_disable_msg_peek(sk);
	if (!family_id) {
		family_id = genl_ctrl_resolve(sk, KCHAN_GENL_NAME);
		if (family_id < 0)
			fail("genl_ctrl_resolve(\"%s\"): %s (is kchan_netlink loaded?)",
			     KCHAN_GENL_NAME, nl_geterror(family_id));
	}
	return sk;
}

/* A request socket: auto-ack off, the reply callbacks on c. */
static struct nl_sock *open_client(struct call_ctx *c)
{
	struct nl_sock *sk = open_genl();
	int err;

	nl_socket_disable_auto_ack(sk);
	err = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, reply_valid, c);
	if (err < 0)
		fail("nl_socket_modify_cb: %s", nl_geterror(err));
	err = nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, reply_error, c);
	if (err < 0)
		fail("nl_socket_modify_err_cb: %s", nl_geterror(err));
	return sk;
}

/* A request of @cmd with room for @payload attribute bytes. */
static struct nl_msg *new_request(uint8_t cmd, size_t payload)
{
	struct nl_msg *msg;

	msg = nlmsg_alloc_size(NLMSG_HDRLEN + GENL_HDRLEN + payload + 256);
	if (!msg)
		fail("nlmsg_alloc_size: out of memory");
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family_id, 0, 0, cmd,
			 KCHAN_GENL_VERSION))
		fail("genlmsg_put: no room");
	return msg;
}

static void put_attr(struct nl_msg *msg, int type, const void *data, size_t len)
{
	int err = nla_put(msg, type, (int)len, data);

	if (err < 0)
		fail("nla_put(%d, %zu bytes): %s", type, len, nl_geterror(err));
}

/*
 * One request and its reply: 0, or -1 with a one-line reason in @why.
 * The request is sent again as it is, with a fresh sequence number.
 */
static int call(struct nl_sock *sk, struct nl_msg *req, struct call_ctx *c,
		const char *what, char *why, size_t why_len)
{
	struct nlmsghdr *nlh = nlmsg_hdr(req);
	int err;

	nlh->nlmsg_seq = NL_AUTO_SEQ;
	c->done = false;
	c->kerr = 0;
	c->errmsg[0] = '\0';
	c->bad[0] = '\0';
	err = nl_send_auto(sk, req);
	if (err < 0) {
		snprintf(why, why_len, "%s: nl_send_auto: %s (errno %d, %s)", what,
			 nl_geterror(err), errno, strerror(errno));
		return -1;
	}
	c->seq = nlh->nlmsg_seq;
	err = nl_recvmsgs_default(sk);
	if (c->kerr) {
		snprintf(why, why_len, "%s: the kernel answered %d (%s)%s%s", what,
			 -c->kerr, strerror(c->kerr), c->errmsg[0] ? ": " : "",
			 c->errmsg);
		return -1;
	}
	if (c->bad[0]) {
		snprintf(why, why_len, "%s: wrong reply: %s", what, c->bad);
		return -1;
	}
	if (err < 0) {
		snprintf(why, why_len, "%s: nl_recvmsgs: %s (errno %d, %s)", what,
			 nl_geterror(err), errno, strerror(errno));
		return -1;
	}
	if (!c->done) {
		snprintf(why, why_len, "%s: nl_recvmsgs returned without a reply", what);
		return -1;
	}
	return 0;
}

static void call_or_fail(struct nl_sock *sk, struct nl_msg *req, struct call_ctx *c,
			 const char *what)
{
	char why[512];

	if (call(sk, req, c, what, why, sizeof(why)))
		fail("%s", why);
}

/* ---- request/reply scenarios -------------------------------------- */

static int add_sample(struct client *cl, uint64_t ns)
{
	if (cl->n_samples == cl->cap_samples) {
		size_t cap = cl->cap_samples ? cl->cap_samples * 2 : SAMPLES_INITIAL;
		uint64_t *s = realloc(cl->samples, cap * sizeof(*s));

		if (!s) {
			snprintf(cl->error, sizeof(cl->error), "realloc: out of memory");
			return -1;
		}
		cl->samples = s;
		cl->cap_samples = cap;
	}
	cl->samples[cl->n_samples++] = ns;
	return 0;
}

static void *client_run(void *arg)
{
	struct client *cl = arg;
	uint64_t t1, t2, ws, we;
	int err;

	cl->samples = malloc(SAMPLES_INITIAL * sizeof(*cl->samples));
	if (!cl->samples) {
		snprintf(cl->error, sizeof(cl->error), "malloc: out of memory");
		/* Still meet the others at the barriers. */
	} else {
		cl->cap_samples = SAMPLES_INITIAL;
	}
	err = pthread_barrier_wait(&start_barrier);
	if (err && err != PTHREAD_BARRIER_SERIAL_THREAD)
		snprintf(cl->error, sizeof(cl->error), "pthread_barrier_wait: %s",
			 strerror(err));
	err = pthread_barrier_wait(&go_barrier);
	if (err && err != PTHREAD_BARRIER_SERIAL_THREAD)
		snprintf(cl->error, sizeof(cl->error), "pthread_barrier_wait: %s",
			 strerror(err));
	if (cl->error[0])
		return NULL;
	ws = window_start_ns;
	we = window_end_ns;
	for (;;) {
		t1 = now_ns();
		if (call(cl->sk, cl->req, &cl->ctx, cl->what, cl->error,
			 sizeof(cl->error)))
			return NULL;
		t2 = now_ns();
		if (t2 > we)
			break;
		if (t1 >= ws) {
			if (add_sample(cl, t2 - t1))
				return NULL;
			cl->ops++;
			cl->last_ns = t2;
		}
	}
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted samples, in microseconds. */
static double percentile_us(const uint64_t *s, size_t n, double p)
{
	size_t rank = (size_t)ceil(p / 100.0 * (double)n);

	if (rank < 1)
		rank = 1;
	return (double)s[rank - 1] / 1000.0;
}

/*
 * Run @n clients (each with its socket and request set up) together for
 * warmup + seconds, then print the result line.
 */
static void run_clients(struct client *cl, long n, const struct params *p,
			long bytes_per_op)
{
	uint64_t *all, ops = 0, last = 0;
	size_t total = 0, k;
	double seconds;
	long i;
	int err;

	err = pthread_barrier_init(&start_barrier, NULL, (unsigned int)n + 1);
	if (!err)
		err = pthread_barrier_init(&go_barrier, NULL, (unsigned int)n + 1);
	if (err)
		fail("pthread_barrier_init: %s", strerror(err));
	for (i = 0; i < n; i++) {
		err = pthread_create(&cl[i].thread, NULL, client_run, &cl[i]);
		if (err)
			fail("pthread_create: %s", strerror(err));
	}
	err = pthread_barrier_wait(&start_barrier);
	if (err && err != PTHREAD_BARRIER_SERIAL_THREAD)
		fail("pthread_barrier_wait: %s", strerror(err));
	window_start_ns = now_ns() + (uint64_t)(p->warmup * 1e9);
	window_end_ns = window_start_ns + (uint64_t)(p->seconds * 1e9);
	err = pthread_barrier_wait(&go_barrier);
	if (err && err != PTHREAD_BARRIER_SERIAL_THREAD)
		fail("pthread_barrier_wait: %s", strerror(err));
	for (i = 0; i < n; i++) {
		err = pthread_join(cl[i].thread, NULL);
		if (err)
			fail("pthread_join: %s", strerror(err));
	}
	for (i = 0; i < n; i++) {
		if (cl[i].error[0])
			fail("thread %ld: %s", i, cl[i].error);
		ops += cl[i].ops;
		total += cl[i].n_samples;
		if (cl[i].last_ns > last)
			last = cl[i].last_ns;
	}
	if (!ops)
		fail("no call completed in the measured window");
	all = malloc(total * sizeof(*all));
	if (!all)
		fail("malloc: out of memory");
	for (i = 0, k = 0; i < n; i++) {
		memcpy(all + k, cl[i].samples, cl[i].n_samples * sizeof(*all));
		k += cl[i].n_samples;
	}
	qsort(all, total, sizeof(*all), cmp_u64);
	seconds = (double)(last - window_start_ns) / 1e9;
	if (bytes_per_op >= 0)
		printf("result ops=%" PRIu64 " seconds=%.3f bytes=%" PRIu64
		       " p50_us=%.1f p99_us=%.1f\n", ops, seconds,
		       ops * (uint64_t)bytes_per_op, percentile_us(all, total, 50),
		       percentile_us(all, total, 99));
	else
		printf("result ops=%" PRIu64 " seconds=%.3f p50_us=%.1f p99_us=%.1f\n",
		       ops, seconds, percentile_us(all, total, 50),
		       percentile_us(all, total, 99));
	free(all);
}

static void free_clients(struct client *cl, long n)
{
	long i;

	for (i = 0; i < n; i++) {
		nlmsg_free(cl[i].req);
		nl_socket_free(cl[i].sk);
		free(cl[i].samples);
	}
	free(cl);
}

static void run_echo(const struct params *p)
{
	struct client *cl;
	uint8_t *payload;
	long i;

	cl = calloc((size_t)p->threads, sizeof(*cl));
	payload = malloc((size_t)p->size + 1);
	if (!cl || !payload)
		fail("malloc: out of memory");
	for (i = 0; i < p->size; i++)
		payload[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < p->threads; i++) {
		cl[i].sk = open_client(&cl[i].ctx);
		cl[i].req = new_request(KCHAN_CMD_ECHO, (size_t)p->size);
		put_attr(cl[i].req, KCHAN_ATTR_PAYLOAD, payload, (size_t)p->size);
		cl[i].what = "ECHO";
		cl[i].ctx.cmd = KCHAN_CMD_ECHO;
		cl[i].ctx.expect_attr = KCHAN_ATTR_PAYLOAD;
		cl[i].ctx.expect = payload;
		cl[i].ctx.expect_len = (size_t)p->size;
	}
	run_clients(cl, p->threads, p, -1);
	free_clients(cl, p->threads);
	free(payload);
}

static void run_value(const struct params *p)
{
	struct client *cl;
	struct nl_msg *set;
	uint8_t *value;
	long i;

	cl = calloc(1, sizeof(*cl));
	value = malloc((size_t)p->size + 1);
	if (!cl || !value)
		fail("malloc: out of memory");
	for (i = 0; i < p->size; i++)
		value[i] = (uint8_t)(i * 13 + 5);
	cl->sk = open_client(&cl->ctx);
	set = new_request(KCHAN_CMD_SET, sizeof(VALUE_KEY) + (size_t)p->size + 8);
	put_attr(set, KCHAN_ATTR_KEY, VALUE_KEY, strlen(VALUE_KEY));
	put_attr(set, KCHAN_ATTR_VALUE, value, (size_t)p->size);
	if (!strcmp(p->op, "set")) {
		cl->req = set;
		cl->what = "SET";
		cl->ctx.cmd = KCHAN_CMD_SET;
	} else {
		cl->ctx.cmd = KCHAN_CMD_SET;
		call_or_fail(cl->sk, set, &cl->ctx, "SET (before the GETs)");
		nlmsg_free(set);
		cl->req = new_request(KCHAN_CMD_GET, sizeof(VALUE_KEY) + 8);
		put_attr(cl->req, KCHAN_ATTR_KEY, VALUE_KEY, strlen(VALUE_KEY));
		cl->what = "GET";
		cl->ctx.cmd = KCHAN_CMD_GET;
		cl->ctx.expect_attr = KCHAN_ATTR_VALUE;
		cl->ctx.expect = value;
		cl->ctx.expect_len = (size_t)p->size;
	}
	run_clients(cl, 1, p, p->size);
	free_clients(cl, 1);
	free(value);
}

/* ---- stream -------------------------------------------------------- */

struct stream_state {
	uint64_t count;
	uint32_t size;
	uint8_t *pattern;		/* 256 + size bytes: i mod 256 */
	uint64_t ops;
	uint64_t first_ns;
	uint64_t last_ns;
	uint64_t dropped_first;		/* the kernel's DROPPED at the first... */
	uint64_t dropped_last;		/* ...and the last GENERATED event */
	bool done;			/* GEN_INDEX count-1 arrived */
	char bad[160];
};

/* One multicast message: count GENERATED events, check them. */
static int event_valid(struct nl_msg *msg, void *arg)
{
	struct stream_state *st = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[KCHAN_ATTR_MAX + 1];
	struct nlattr *pl;
	uint64_t index, t;
	int err;

	t = now_ns();
	if (!genlmsg_valid_hdr(nlh, 0) || genlmsg_hdr(nlh)->cmd != KCHAN_CMD_EVENT)
		return NL_SKIP;
	err = genlmsg_parse(nlh, 0, tb, KCHAN_ATTR_MAX, NULL);
	if (err < 0) {
		snprintf(st->bad, sizeof(st->bad), "event: genlmsg_parse: %s",
			 nl_geterror(err));
		return NL_STOP;
	}
	if (!tb[KCHAN_ATTR_EVENT_TYPE] || nla_len(tb[KCHAN_ATTR_EVENT_TYPE]) != 4) {
		snprintf(st->bad, sizeof(st->bad), "event without a u32 EVENT_TYPE");
		return NL_STOP;
	}
	if (nla_get_u32(tb[KCHAN_ATTR_EVENT_TYPE]) != KCHAN_EVENT_GENERATED)
		return NL_SKIP;
	if (!tb[KCHAN_ATTR_GEN_INDEX] || nla_len(tb[KCHAN_ATTR_GEN_INDEX]) != 8 ||
	    !tb[KCHAN_ATTR_PAYLOAD]) {
		snprintf(st->bad, sizeof(st->bad),
			 "GENERATED event without GEN_INDEX or PAYLOAD");
		return NL_STOP;
	}
	index = nla_get_u64(tb[KCHAN_ATTR_GEN_INDEX]);
	pl = tb[KCHAN_ATTR_PAYLOAD];
	if (index >= st->count || (uint32_t)nla_len(pl) != st->size ||
	    memcmp(nla_data(pl), st->pattern + (index & 0xff), st->size)) {
		snprintf(st->bad, sizeof(st->bad),
			 "GENERATED event %" PRIu64 ": bad index or payload (%d bytes)",
			 index, nla_len(pl));
		return NL_STOP;
	}
	if (tb[KCHAN_ATTR_DROPPED] && nla_len(tb[KCHAN_ATTR_DROPPED]) == 8) {
		st->dropped_last = nla_get_u64(tb[KCHAN_ATTR_DROPPED]);
		if (!st->ops)
			st->dropped_first = st->dropped_last;
	}
	if (!st->ops)
		st->first_ns = t;
	st->last_ns = t;
	st->ops++;
	if (index == st->count - 1)
		st->done = true;
	return NL_OK;
}

static void run_stream(const struct params *p)
{
	struct stream_state st = {
		.count = (uint64_t)p->count,
		.size = (uint32_t)p->size,
	};
	struct call_ctx ctl_ctx = { 0 };
	struct nl_sock *ev, *ctl;
	struct nl_msg *stop, *start;
	uint64_t overruns = 0;
	int grp, err, timeout_ms, i;
	int bufsize = EVENT_RCVBUF;
	char why[512];

	st.pattern = malloc(256 + (size_t)p->size);
	if (!st.pattern)
		fail("malloc: out of memory");
	for (i = 0; i < 256 + p->size; i++)
		st.pattern[i] = (uint8_t)i;
	timeout_ms = (int)ceil(p->timeout * 1000);

	/* Subscribe first. */
	ev = open_genl();
	grp = genl_ctrl_resolve_grp(ev, KCHAN_GENL_NAME, KCHAN_MCGRP_EVENTS);
	if (grp < 0)
		fail("genl_ctrl_resolve_grp(\"%s\", \"%s\"): %s", KCHAN_GENL_NAME,
		     KCHAN_MCGRP_EVENTS, nl_geterror(grp));
	err = nl_socket_set_buffer_size(ev, EVENT_RCVBUF, 0);
	if (err < 0)
		fail("nl_socket_set_buffer_size: %s", nl_geterror(err));
	if (setsockopt(nl_socket_get_fd(ev), SOL_SOCKET, SO_RCVBUFFORCE, &bufsize,
		       sizeof(bufsize)))
		fail("setsockopt(SO_RCVBUFFORCE, %d): %s", bufsize, strerror(errno));
	nl_socket_disable_seq_check(ev);
	err = nl_socket_modify_cb(ev, NL_CB_VALID, NL_CB_CUSTOM, event_valid, &st);
	if (err < 0)
		fail("nl_socket_modify_cb: %s", nl_geterror(err));
	err = nl_socket_add_membership(ev, grp);
	if (err < 0)
		fail("nl_socket_add_membership(%d): %s (errno %d, %s)", grp,
		     nl_geterror(err), errno, strerror(errno));

	/* GEN_STOP (its error ignored), GEN_START through a second socket. */
	ctl = open_client(&ctl_ctx);
	stop = new_request(KCHAN_CMD_GEN_STOP, 0);
	ctl_ctx.cmd = KCHAN_CMD_GEN_STOP;
	(void)call(ctl, stop, &ctl_ctx, "GEN_STOP", why, sizeof(why));
	start = new_request(KCHAN_CMD_GEN_START, 64);
	err = nla_put_u64(start, KCHAN_ATTR_COUNT, (uint64_t)p->count);
	if (!err)
		err = nla_put_u32(start, KCHAN_ATTR_SIZE, (uint32_t)p->size);
	if (!err)
		err = nla_put_u32(start, KCHAN_ATTR_RATE, 0);
	if (err < 0)
		fail("nla_put (GEN_START): %s", nl_geterror(err));
	ctl_ctx.cmd = KCHAN_CMD_GEN_START;
	call_or_fail(ctl, start, &ctl_ctx, "GEN_START");

	while (!st.done) {
		struct pollfd pfd = { .fd = nl_socket_get_fd(ev), .events = POLLIN };

		err = poll(&pfd, 1, timeout_ms);
		if (err < 0) {
			if (errno == EINTR)
				continue;
			fail("poll: %s", strerror(errno));
		}
		if (!err)
			break;
		err = nl_recvmsgs_default(ev);
		if (st.bad[0])
			fail("%s", st.bad);
		if (err < 0) {
			/* The receive buffer overran: events lost, counted below. */
			if (err == -NLE_NOMEM && errno == ENOBUFS) {
				overruns++;
				continue;
			}
			fail("nl_recvmsgs (events): %s (errno %d, %s)",
			     nl_geterror(err), errno, strerror(errno));
		}
	}
	/* Where the lost events went: the socket, or the kernel's queue. */
	if (st.ops < st.count)
		fprintf(stderr, PROG ": %" PRIu64 " lost: %" PRIu64
			" receive buffer overruns (ENOBUFS), the kernel's DROPPED rose by %"
			PRIu64 " between the first and the last event\n",
			st.count - st.ops, overruns, st.dropped_last - st.dropped_first);
	printf("result ops=%" PRIu64 " seconds=%.3f bytes=%" PRIu64 " lost=%" PRIu64 "\n",
	       st.ops, st.ops ? (double)(st.last_ns - st.first_ns) / 1e9 : 0.0,
	       st.ops * st.size, st.count - st.ops);
	nlmsg_free(start);
	nlmsg_free(stop);
	nl_socket_free(ctl);
	nl_socket_free(ev);
	free(st.pattern);
}

int main(int argc, char **argv)
{
	struct params p;

	if (argc < 3) {
		fprintf(stderr, "usage: " PROG " SCENARIO TRANSPORT [key=value]...\n"
			"  echo netlink threads=1 seconds=2 warmup=0.5 size=64\n"
			"  value netlink op=set|get size=65456 seconds=2 warmup=0.5\n"
			"  stream netlink count=20000 size=768 timeout=3\n");
		return 1;
	}
	if (strcmp(argv[2], "netlink") ||
	    (strcmp(argv[1], "echo") && strcmp(argv[1], "value") &&
	     strcmp(argv[1], "stream")))
		unsupported(argv[1], argv[2]);
	parse_params(&p, argv[1], argc - 3, argv + 3);
	if (!strcmp(argv[1], "echo"))
		run_echo(&p);
	else if (!strcmp(argv[1], "value"))
		run_value(&p);
	else
		run_stream(&p);
	if (fflush(stdout))
		fail("writing the result: %s", strerror(errno));
	return 0;
}
