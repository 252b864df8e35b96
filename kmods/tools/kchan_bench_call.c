// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_bench: echo and value, request after request through one door.
 *
 * A door is one transport's way to run one request: it turns a kchan
 * request into its own form once (prepare), then each call is one send and
 * one receive system call where the door allows it (netlink: send + recv;
 * procfs: write + read; sockopt: one getsockopt or setsockopt; chardev: one
 * ioctl KCHAN_IOC_CALL), into buffers allocated before the clock starts.
 * Every reply is checked: the right command, status 0, and for ECHO the
 * payload back byte for byte (for GET, a VALUE of the size set; its bytes
 * are compared once, before the timed window).
 *
 * Timing: the threads open their doors, meet at a barrier, and the main
 * thread then fixes the window [warmup, warmup + seconds) from now.  A
 * call counts when it started inside the window and its reply was checked
 * before the window ended; its latency (CLOCK_MONOTONIC, send to reply
 * checked) goes into the thread's preallocated sample array.  The arrays
 * hold SAMPLES_MAX calls each: beyond that a thread still counts its calls
 * but keeps no more samples, so the percentiles then describe the first
 * SAMPLES_MAX calls of each thread's window (said on stderr when it
 * happens).  At the end the samples are merged and sorted; p50 and p99 are
 * nearest-rank.  seconds = last counted reply - first counted send.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>

#include "kchan_bench.h"

/* Per thread: 2^21 samples, 8 MiB, > 2 s of calls at 1 M/s. */
#define SAMPLES_MAX	(1u << 21)
/* The kchan seq of every request; replies must carry it back. */
#define REQ_SEQ		7

/* One thread's door: its file or socket and its buffers. */
struct client {
	int fd;
	uint16_t cmd;			/* the kchan command it runs */
	const uint8_t *kmsg;		/* the request, kchan form */
	uint8_t *req;			/* the request, the door's form */
	size_t req_len;
	uint8_t *rep;			/* replies land here */
	size_t rep_cap;			/* bytes offered for a reply */
	struct genl g;			/* netlink */
	int optname;			/* sockopt */
	struct kchan_ioc_call ioc;	/* chardev */
};

struct door {
	const char *name;
	void (*open)(struct client *c);
	void (*prepare)(struct client *c, const uint8_t *kmsg);
	/* One call: the status, and the reply's attributes when it is 0. */
	int (*call)(struct client *c, const uint8_t **attrs, size_t *alen,
		    const char **errmsg);
	void (*close)(struct client *c);
};

static const char *cmd_name(uint16_t cmd)
{
	switch (cmd) {
	case KCHAN_CMD_ECHO:
		return "ECHO";
	case KCHAN_CMD_SET:
		return "SET";
	case KCHAN_CMD_GET:
		return "GET";
	default:
		return "request";
	}
}

/* The reply of a kchan-framed door (procfs, sockopt, chardev): checks. */
static int kchan_reply(struct client *c, size_t n, const uint8_t **attrs,
		       size_t *alen, const char **errmsg)
{
	struct kchan_hdr hdr;

	if (n < KCHAN_HDR_LEN)
		die("%s reply of %zu bytes: shorter than the kchan header",
		    cmd_name(c->cmd), n);
	hdr = kchan_header(c->rep);
	if (hdr.len != n || hdr.cmd != c->cmd || !(hdr.flags & KCHAN_F_REPLY) ||
	    hdr.seq != REQ_SEQ)
		die("%s reply malformed: cmd %u flags %#x seq %u len %u of %zu bytes",
		    cmd_name(c->cmd), hdr.cmd, hdr.flags, hdr.seq, hdr.len, n);
	*attrs = c->rep + KCHAN_HDR_LEN;
	*alen = n - KCHAN_HDR_LEN;
	*errmsg = hdr.status ? kchan_errmsg(*attrs, *alen) : "";
	return hdr.status;
}

static void kchan_prepare(struct client *c, const uint8_t *kmsg)
{
	struct kchan_hdr hdr = kchan_header(kmsg);

	c->kmsg = kmsg;
	c->cmd = hdr.cmd;
	c->req_len = hdr.len;
	memcpy(c->req, kmsg, hdr.len);
}

static void alloc_buffers(struct client *c)
{
	c->req = xalloc(NL_BUF_LEN);
	c->rep = xalloc(NL_BUF_LEN);
	c->rep_cap = KCHAN_MSG_MAX;
}

static void free_buffers(struct client *c)
{
	free(c->req);
	free(c->rep);
}

/* ---- netlink: a Generic Netlink socket of family kchan ----------------- */

static void nl_open(struct client *c)
{
	genl_open(&c->g);
	c->fd = c->g.fd;
	c->req = xalloc(NL_BUF_LEN);
	/* The reply of a 64 KiB GET is larger than a page: room for any. */
	c->rep = c->g.buf;
	c->rep_cap = NL_BUF_LEN;
}

static void nl_prepare(struct client *c, const uint8_t *kmsg)
{
	c->kmsg = kmsg;
	c->cmd = kchan_header(kmsg).cmd;
	c->req_len = genl_from_kchan(&c->g, c->req, kmsg, c->g.seq);
}

static int nl_call(struct client *c, const uint8_t **attrs, size_t *alen,
		   const char **errmsg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)c->req;
	const struct genlmsghdr *gh;
	ssize_t n;
	int err;

	nlh->nlmsg_seq = ++c->g.seq;
	if (send(c->fd, c->req, c->req_len, 0) < 0)
		die_errno("send a Generic Netlink request");
	n = recv(c->fd, c->rep, c->rep_cap, 0);
	if (n < 0)
		die_errno("recv a Generic Netlink reply");
	err = genl_reply(c->rep, n, c->g.seq, c->g.family, attrs, alen, errmsg);
	if (err)
		return err;
	gh = (const void *)(c->rep + NLMSG_HDRLEN);
	if (gh->cmd != c->cmd)
		die("%s reply carries genl cmd %u", cmd_name(c->cmd), gh->cmd);
	return 0;
}

static void nl_close(struct client *c)
{
	free(c->req);
	genl_close(&c->g);
}

const struct door door_netlink = {
	.name = "netlink",
	.open = nl_open,
	.prepare = nl_prepare,
	.call = nl_call,
	.close = nl_close,
};

/* ---- procfs: write the request to /proc/kchan/call, read the reply ------ */

static void proc_open(struct client *c)
{
	c->fd = open(PROC_CALL, O_RDWR | O_CLOEXEC);
	if (c->fd < 0) {
		if (errno == ENOENT)
			die("open " PROC_CALL ": %s (is kchan_procfs loaded?)",
			    strerror(errno));
		die_errno("open " PROC_CALL);
	}
	alloc_buffers(c);
}

static int proc_call(struct client *c, const uint8_t **attrs, size_t *alen,
		     const char **errmsg)
{
	ssize_t n;

	n = write(c->fd, c->req, c->req_len);
	if (n != (ssize_t)c->req_len) {
		if (n < 0)
			die_errno("write " PROC_CALL);
		die("write " PROC_CALL ": %zd of %zu bytes", n, c->req_len);
	}
	n = read(c->fd, c->rep, c->rep_cap);
	if (n < 0)
		die_errno("read " PROC_CALL);
	return kchan_reply(c, n, attrs, alen, errmsg);
}

static void fd_close(struct client *c)
{
	if (close(c->fd))
		die_errno("close");
	free_buffers(c);
}

const struct door door_procfs = {
	.name = "procfs",
	.open = proc_open,
	.prepare = kchan_prepare,
	.call = proc_call,
	.close = fd_close,
};

/* ---- sockopt: a UDP socket's netfilter sockopts ------------------------- */

static void so_open(struct client *c)
{
	c->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		die_errno("socket AF_INET SOCK_DGRAM");
	alloc_buffers(c);
	/* Large enough for ECHO; a larger GET reply is negotiated once. */
	c->rep_cap = 4096;
}

static void so_prepare(struct client *c, const uint8_t *kmsg)
{
	kchan_prepare(c, kmsg);
	c->optname = KCHAN_SO_BASE_CTL + c->cmd;
	/* ECHO's reply is as long as its request. */
	if (c->rep_cap < c->req_len)
		c->rep_cap = c->req_len;
}

static void so_die(struct client *c, const char *call)
{
	if (errno == ENOPROTOOPT)
		die("%s KCHAN_SO_%s: %s (is kchan_sockopt loaded?)", call,
		    cmd_name(c->cmd), strerror(errno));
	die("%s KCHAN_SO_%s: %s (errno %d)", call, cmd_name(c->cmd),
	    strerror(errno), errno);
}

static int so_call(struct client *c, const uint8_t **attrs, size_t *alen,
		   const char **errmsg)
{
	socklen_t len;
	struct kchan_hdr hdr;

	if (c->cmd == KCHAN_CMD_SET) {
		/* setsockopt answers with its errno only. */
		*errmsg = "";
		*alen = 0;
		if (setsockopt(c->fd, IPPROTO_IP, c->optname, c->req,
			       c->req_len)) {
			if (errno == ENOPROTOOPT)
				so_die(c, "setsockopt");
			return -errno;
		}
		return 0;
	}
	for (;;) {
		/* The reply overwrites the request: put it back. */
		memcpy(c->rep, c->req, c->req_len);
		len = c->rep_cap;
		if (getsockopt(c->fd, IPPROTO_IP, c->optname, c->rep, &len))
			so_die(c, "getsockopt");
		hdr = kchan_header(c->rep);
		if (hdr.status != -ERANGE || len <= c->rep_cap)
			break;
		/* Too small: only the header came, with the length needed. */
		if (len > KCHAN_MSG_MAX)
			die("getsockopt KCHAN_SO_%s: reply of %u bytes exceeds KCHAN_MSG_MAX",
			    cmd_name(c->cmd), len);
		c->rep_cap = len;
	}
	return kchan_reply(c, len, attrs, alen, errmsg);
}

const struct door door_sockopt = {
	.name = "sockopt",
	.open = so_open,
	.prepare = so_prepare,
	.call = so_call,
	.close = fd_close,
};

/* ---- chardev: /dev/kchan, ioctl KCHAN_IOC_CALL -------------------------- */

static void dev_open(struct client *c)
{
	c->fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	if (c->fd < 0) {
		if (errno == ENOENT)
			die("open " DEV_PATH ": %s (is kchan_chardev loaded?)",
			    strerror(errno));
		die_errno("open " DEV_PATH);
	}
	alloc_buffers(c);
}

static void dev_prepare(struct client *c, const uint8_t *kmsg)
{
	kchan_prepare(c, kmsg);
	c->ioc = (struct kchan_ioc_call){
		.request = (uintptr_t)c->req,
		.reply = (uintptr_t)c->rep,
		.request_len = c->req_len,
		.reply_cap = c->rep_cap,
	};
}

static int dev_call(struct client *c, const uint8_t **attrs, size_t *alen,
		    const char **errmsg)
{
	if (ioctl(c->fd, KCHAN_IOC_CALL, &c->ioc))
		die("ioctl KCHAN_IOC_CALL %s: %s (errno %d)", cmd_name(c->cmd),
		    strerror(errno), errno);
	return kchan_reply(c, c->ioc.reply_len, attrs, alen, errmsg);
}

const struct door door_chardev = {
	.name = "chardev",
	.open = dev_open,
	.prepare = dev_prepare,
	.call = dev_call,
	.close = fd_close,
};

/* ---- the checks and the timed threads ----------------------------------- */

/* What one request is and how its reply is checked. */
struct work {
	const struct door *door;
	const uint8_t *kmsg;		/* the request, kchan form */
	uint16_t cmd;
	const uint8_t *payload;		/* ECHO: expected back */
	uint32_t size;			/* ECHO payload / GET value bytes */
};

static void check_reply(const struct work *w, int status, const uint8_t *attrs,
			size_t alen, const char *errmsg)
{
	const struct nlattr *a;
	uint16_t type;

	if (status)
		die("%s %s: status %d (%s)%s%s", w->door->name,
		    cmd_name(w->cmd), status, strerror(-status),
		    *errmsg ? ": " : "", errmsg);
	if (w->cmd == KCHAN_CMD_SET)
		return;
	type = w->cmd == KCHAN_CMD_ECHO ? KCHAN_ATTR_PAYLOAD : KCHAN_ATTR_VALUE;
	a = find_attr(attrs, alen, type);
	if (!a || attr_len(a) != w->size)
		die("%s %s: reply without a %u-byte %s", w->door->name,
		    cmd_name(w->cmd), w->size,
		    type == KCHAN_ATTR_PAYLOAD ? "PAYLOAD" : "VALUE");
	if (w->cmd == KCHAN_CMD_ECHO &&
	    memcmp((const uint8_t *)a + NLA_HDRLEN, w->payload, w->size))
		die("%s ECHO: the payload came back different", w->door->name);
}

struct worker {
	pthread_t thread;
	const struct work *w;
	struct client c;
	uint32_t *samples;
	size_t nsamples;
	uint64_t ops;
	uint64_t first, last;		/* ns: first counted send, last reply */
};

static pthread_barrier_t ready, go;
static uint64_t window_start, window_end;	/* ns, set between them */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	const struct work *w = wk->w;
	struct client *c = &wk->c;
	uint64_t ws, we, t0, t1;
	const uint8_t *attrs;
	const char *errmsg;
	size_t alen;
	int status;

	w->door->open(c);
	w->door->prepare(c, w->kmsg);
	wk->samples = xalloc(SAMPLES_MAX * sizeof(*wk->samples));
	/* Fault the pages in now, not inside the window. */
	memset(wk->samples, 1, SAMPLES_MAX * sizeof(*wk->samples));
	pthread_barrier_wait(&ready);
	pthread_barrier_wait(&go);
	ws = window_start;
	we = window_end;
	for (;;) {
		t0 = now_ns();
		status = w->door->call(c, &attrs, &alen, &errmsg);
		check_reply(w, status, attrs, alen, errmsg);
		t1 = now_ns();
		if (t1 >= we)
			break;
		if (t0 < ws)
			continue;
		if (!wk->ops++)
			wk->first = t0;
		wk->last = t1;
		if (wk->nsamples < SAMPLES_MAX)
			wk->samples[wk->nsamples++] =
				t1 - t0 > UINT32_MAX ? UINT32_MAX : t1 - t0;
	}
	w->door->close(c);
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest sample with at least @q of them at or below. */
static double percentile_us(const uint32_t *s, size_t n, double q)
{
	size_t rank = (size_t)(q * n + 0.999999);

	if (rank < 1)
		rank = 1;
	return s[rank - 1] / 1000.0;
}

static void run_timed(const struct bench_args *a, const struct work *w,
		      struct bench_result *r)
{
	struct worker *wk = xalloc(a->threads * sizeof(*wk));
	uint64_t first = UINT64_MAX, last = 0, t;
	size_t n = 0, i;
	uint32_t *all;
	int err;

	if (pthread_barrier_init(&ready, NULL, a->threads + 1) ||
	    pthread_barrier_init(&go, NULL, a->threads + 1))
		die("pthread_barrier_init failed");
	for (i = 0; i < a->threads; i++) {
		wk[i].w = w;
		err = pthread_create(&wk[i].thread, NULL, worker_main, &wk[i]);
		if (err)
			die("pthread_create: %s", strerror(err));
	}
	pthread_barrier_wait(&ready);
	t = now_ns();
	window_start = t + (uint64_t)(a->warmup * 1e9);
	window_end = window_start + (uint64_t)(a->seconds * 1e9);
	pthread_barrier_wait(&go);
	for (i = 0; i < a->threads; i++) {
		err = pthread_join(wk[i].thread, NULL);
		if (err)
			die("pthread_join: %s", strerror(err));
		r->ops += wk[i].ops;
		n += wk[i].nsamples;
		if (wk[i].ops && wk[i].first < first)
			first = wk[i].first;
		if (wk[i].ops && wk[i].last > last)
			last = wk[i].last;
		if (wk[i].nsamples == SAMPLES_MAX && wk[i].ops > SAMPLES_MAX)
			note("thread %zu: %llu calls, latency from its first %u",
			     i, (unsigned long long)wk[i].ops, SAMPLES_MAX);
	}
	if (!r->ops)
		die("%s %s: no call completed inside the %.3f s window",
		    w->door->name, cmd_name(w->cmd), a->seconds);
	all = xalloc(n * sizeof(*all));
	for (n = 0, i = 0; i < a->threads; i++) {
		memcpy(all + n, wk[i].samples,
		       wk[i].nsamples * sizeof(*all));
		n += wk[i].nsamples;
		free(wk[i].samples);
	}
	qsort(all, n, sizeof(*all), cmp_u32);
	r->seconds = (last - first) / 1e9;
	r->has_latency = 1;
	r->p50_us = percentile_us(all, n, 0.50);
	r->p99_us = percentile_us(all, n, 0.99);
	free(all);
	free(wk);
}

/* ---- the scenarios ------------------------------------------------------ */

void run_echo(const struct bench_args *a, const void *door,
	      struct bench_result *r)
{
	uint8_t *kmsg = xalloc(KCHAN_MSG_MAX);
	uint8_t *payload = xalloc(a->size + 1);
	struct work w = { .door = door, .cmd = KCHAN_CMD_ECHO,
			  .payload = payload, .size = a->size, .kmsg = kmsg };
	size_t len;
	uint32_t i;

	if (a->size > KCHAN_PAYLOAD_MAX)
		die("size=%u exceeds KCHAN_PAYLOAD_MAX (%u)", a->size,
		    KCHAN_PAYLOAD_MAX);
	for (i = 0; i < a->size; i++)
		payload[i] = (uint8_t)(i * 7 + 1);
	len = put_attr(kmsg, KCHAN_HDR_LEN, KCHAN_ATTR_PAYLOAD, payload,
		       a->size);
	kchan_finish(kmsg, KCHAN_CMD_ECHO, REQ_SEQ, len);
	run_timed(a, &w, r);
	free(payload);
	free(kmsg);
}

/* One call outside the clock, on a client of its own. */
static void call_once(const struct work *w, const uint8_t *kmsg,
		      const uint8_t *value)
{
	struct client c = { 0 };
	struct work once = *w;
	const uint8_t *attrs;
	const char *errmsg;
	size_t alen;
	int status;

	once.kmsg = kmsg;
	once.cmd = kchan_header(kmsg).cmd;
	w->door->open(&c);
	w->door->prepare(&c, kmsg);
	status = w->door->call(&c, &attrs, &alen, &errmsg);
	check_reply(&once, status, attrs, alen, errmsg);
	if (value) {
		const struct nlattr *v = find_attr(attrs, alen,
						   KCHAN_ATTR_VALUE);

		if (memcmp((const uint8_t *)v + NLA_HDRLEN, value, w->size))
			die("%s GET: the value came back different",
			    w->door->name);
	}
	w->door->close(&c);
}

void run_value(const struct bench_args *a, const void *door,
	       struct bench_result *r)
{
	uint8_t *set = xalloc(KCHAN_MSG_MAX), *get = xalloc(KCHAN_MSG_MAX);
	uint8_t *value = xalloc(a->size + 1);
	struct work w = { .door = door, .size = a->size };
	struct bench_args one = *a;
	size_t len;
	uint32_t i;

	if (strcmp(a->op, "set") && strcmp(a->op, "get"))
		die("op=%s: expected set or get", a->op);
	if (a->size > KCHAN_VALUE_MAX)
		die("size=%u exceeds KCHAN_VALUE_MAX (%u)", a->size,
		    KCHAN_VALUE_MAX);
	for (i = 0; i < a->size; i++)
		value[i] = (uint8_t)(i * 13 + 5);
	len = put_attr(set, KCHAN_HDR_LEN, KCHAN_ATTR_KEY, BENCH_KEY,
		       strlen(BENCH_KEY));
	len = put_attr(set, len, KCHAN_ATTR_VALUE, value, a->size);
	kchan_finish(set, KCHAN_CMD_SET, REQ_SEQ, len);
	len = put_attr(get, KCHAN_HDR_LEN, KCHAN_ATTR_KEY, BENCH_KEY,
		       strlen(BENCH_KEY));
	kchan_finish(get, KCHAN_CMD_GET, REQ_SEQ, len);

	if (!strcmp(a->op, "get")) {
		/* The key first, and its value back once, compared whole. */
		call_once(&w, set, NULL);
		call_once(&w, get, value);
		w.kmsg = get;
		w.cmd = KCHAN_CMD_GET;
	} else {
		w.kmsg = set;
		w.cmd = KCHAN_CMD_SET;
	}
	one.threads = 1;
	run_timed(&one, &w, r);
	r->has_bytes = 1;
	r->bytes = r->ops * a->size;
	free(value);
	free(get);
	free(set);
}
