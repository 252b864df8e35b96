// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_bench: the event scenarios.
 *
 * stream: subscribe through one transport (the netlink "events" group,
 * /proc/kchan/events, /dev/kchan read or ring), then GEN_STOP (its error
 * ignored) and GEN_START COUNT SIZE RATE=0 through the same transport, and
 * receive GENERATED events until GEN_INDEX = count - 1 or no event for
 * `timeout` seconds.  swarm: `sockets` raw netlink sockets each registered
 * with HELLO, one epoll over them all, GEN_START through Generic Netlink.
 *
 * Every event is checked (EVENT_TYPE, GEN_INDEX below count, a PAYLOAD of
 * `size` bytes); other event types are skipped.  The clock is read once per
 * receiving system call, not per event: seconds = from the call that
 * brought the first event to the one that brought the last.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/genetlink.h>

#include "kchan_bench.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* The netlink stream's receive buffer. */
#define STREAM_RCVBUF	(4 << 20)
/* procfs hands out as many events per read as fit this. */
#define READ_BUF_LEN	(1 << 20)

/* One receiver's progress. */
struct stream {
	uint64_t count;
	uint32_t size;
	uint64_t ops;
	double first, last;
	int done;		/* GEN_INDEX count - 1 has arrived */
};

/* One event's attributes, received at @t. */
static void stream_event(struct stream *s, const uint8_t *attrs, size_t alen,
			 double t)
{
	const struct nlattr *payload;
	uint32_t type;
	uint64_t index;

	if (attr_u32(attrs, alen, KCHAN_ATTR_EVENT_TYPE, &type))
		die("event without EVENT_TYPE");
	if (type != KCHAN_EVENT_GENERATED)
		return;
	if (attr_u64(attrs, alen, KCHAN_ATTR_GEN_INDEX, &index))
		die("GENERATED event without GEN_INDEX");
	if (index >= s->count)
		die("GENERATED event with GEN_INDEX %llu, count is %llu",
		    (unsigned long long)index, (unsigned long long)s->count);
	payload = find_attr(attrs, alen, KCHAN_ATTR_PAYLOAD);
	if (!payload || attr_len(payload) != s->size)
		die("GENERATED event %llu without a %u-byte PAYLOAD",
		    (unsigned long long)index, s->size);
	if (!s->ops++)
		s->first = t;
	s->last = t;
	if (index == s->count - 1)
		s->done = 1;
}

/* A whole kchan event message (procfs, chardev): checked, then counted. */
static void stream_kchan_event(struct stream *s, const uint8_t *msg,
			       size_t len, double t)
{
	struct kchan_hdr hdr;

	if (len < KCHAN_HDR_LEN)
		die("event message of %zu bytes", len);
	hdr = kchan_header(msg);
	if (hdr.len != len || hdr.cmd != KCHAN_CMD_EVENT ||
	    !(hdr.flags & KCHAN_F_EVENT))
		die("not an event: cmd %u flags %#x len %u of %zu bytes",
		    hdr.cmd, hdr.flags, hdr.len, len);
	stream_event(s, msg + KCHAN_HDR_LEN, len - KCHAN_HDR_LEN, t);
}

/* Wait up to `timeout` for @fd to be readable: 0 when nothing came. */
static int wait_readable(int fd, double timeout, const char *what)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n;

	do
		n = poll(&p, 1, (int)(timeout * 1000));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		die("poll %s: %s (errno %d)", what, strerror(errno), errno);
	if (n && (p.revents & (POLLERR | POLLNVAL)) && !(p.revents & POLLIN))
		die("poll %s: revents %#x", what, p.revents);
	return n;
}

static void stream_result(const struct bench_args *a, const struct stream *s,
			  struct bench_result *r)
{
	r->ops = s->ops;
	r->seconds = s->ops ? s->last - s->first : 0;
	r->has_bytes = r->has_lost = 1;
	r->bytes = s->ops * a->size;
	r->lost = a->count - s->ops;
}

static void stream_init(const struct bench_args *a, struct stream *s)
{
	if (!a->count)
		die("count must be at least 1");
	*s = (struct stream){ .count = a->count, .size = a->size };
}

/* GEN_STOP and GEN_START through @call, a door's one-request function. */
static void start_generator(const struct bench_args *a, const char *door,
			    int (*call)(void *ctx, const uint8_t *kmsg,
					const char **errmsg), void *ctx)
{
	uint8_t kmsg[128];
	const char *errmsg;
	int err;

	kchan_finish(kmsg, KCHAN_CMD_GEN_STOP, 1, KCHAN_HDR_LEN);
	call(ctx, kmsg, &errmsg);
	kchan_gen_start(kmsg, a->count, a->size);
	err = call(ctx, kmsg, &errmsg);
	if (err)
		die("%s GEN_START count=%llu size=%u: status %d (%s)%s%s", door,
		    (unsigned long long)a->count, a->size, err, strerror(-err),
		    *errmsg ? ": " : "", errmsg);
}

static int genl_ctl(void *ctx, const uint8_t *kmsg, const char **errmsg)
{
	return genl_call_kchan(ctx, kmsg, errmsg);
}

/* ---- netlink: the "events" multicast group ------------------------------ */

void run_stream_netlink(const struct bench_args *a, const void *unused,
			struct bench_result *r)
{
	struct genl ev, ctl;
	uint64_t overruns = 0;
	struct stream s;
	ssize_t n;

	(void)unused;
	stream_init(a, &s);
	genl_open(&ev);
	nl_set_rcvbuf(ev.fd, STREAM_RCVBUF);
	if (setsockopt(ev.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &ev.events_group, sizeof(ev.events_group)))
		die_errno("setsockopt NETLINK_ADD_MEMBERSHIP events");
	genl_open(&ctl);
	start_generator(a, "netlink", genl_ctl, &ctl);

	while (!s.done) {
		const struct nlmsghdr *nlh;
		double t;
		int left;

		n = recv(ev.fd, ev.buf, NL_BUF_LEN, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN) {
				if (!wait_readable(ev.fd, a->timeout,
						   "the events socket"))
					break;
				continue;
			}
			/* The socket overran: those events are lost. */
			if (errno == ENOBUFS) {
				overruns++;
				continue;
			}
			if (errno == EINTR)
				continue;
			die_errno("recv on the events socket");
		}
		t = now();
		left = n;
		for (nlh = (const void *)ev.buf; NLMSG_OK(nlh, left);
		     nlh = NLMSG_NEXT(nlh, left)) {
			const struct genlmsghdr *gh = NLMSG_DATA(nlh);

			if (nlh->nlmsg_type != ev.family ||
			    nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
				die("events socket: message of type %u",
				    nlh->nlmsg_type);
			if (gh->cmd != KCHAN_CMD_EVENT)
				die("events socket: genl cmd %u", gh->cmd);
			stream_event(&s, (const uint8_t *)gh + GENL_HDRLEN,
				     nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN,
				     t);
		}
	}
	if (overruns)
		note("netlink: %llu receive buffer overruns (ENOBUFS)",
		     (unsigned long long)overruns);
	genl_close(&ctl);
	genl_close(&ev);
	stream_result(a, &s, r);
}

/* ---- procfs: /proc/kchan/events ----------------------------------------- */

/* One request through /proc/kchan/call: write, read the reply. */
static int proc_ctl(void *ctx, const uint8_t *kmsg, const char **errmsg)
{
	int fd = *(int *)ctx;
	uint8_t rep[4096];
	struct kchan_hdr hdr = kchan_header(kmsg);
	ssize_t n;

	if (write(fd, kmsg, hdr.len) != hdr.len)
		die_errno("write " PROC_CALL);
	n = read(fd, rep, sizeof(rep));
	if (n < 0)
		die_errno("read " PROC_CALL);
	if (n < KCHAN_HDR_LEN || kchan_header(rep).len != n)
		die("read " PROC_CALL ": a reply of %zd bytes", n);
	hdr = kchan_header(rep);
	*errmsg = kchan_errmsg(rep + KCHAN_HDR_LEN, n - KCHAN_HDR_LEN);
	return hdr.status;
}

static int open_or_die(const char *path, int flags, const char *module)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		die("open %s: %s (is %s loaded?)", path, strerror(errno),
		    module);
	if (fd < 0)
		die("open %s: %s (errno %d)", path, strerror(errno), errno);
	return fd;
}

void run_stream_procfs(const struct bench_args *a, const void *unused,
		       struct bench_result *r)
{
	uint8_t *buf = xalloc(READ_BUF_LEN);
	struct stream s;
	int fd, ctl;
	ssize_t n;

	(void)unused;
	stream_init(a, &s);
	fd = open_or_die(PROC_EVENTS, O_RDONLY | O_NONBLOCK, "kchan_procfs");
	ctl = open_or_die(PROC_CALL, O_RDWR, "kchan_procfs");
	start_generator(a, "procfs", proc_ctl, &ctl);

	while (!s.done) {
		size_t off = 0;
		double t;

		n = read(fd, buf, READ_BUF_LEN);
		if (n < 0) {
			if (errno == EAGAIN) {
				if (!wait_readable(fd, a->timeout, PROC_EVENTS))
					break;
				continue;
			}
			if (errno == EINTR)
				continue;
			die_errno("read " PROC_EVENTS);
		}
		t = now();
		/* As many whole events as fit. */
		while (off + KCHAN_HDR_LEN <= (size_t)n) {
			uint32_t len = kchan_header(buf + off).len;

			if (len < KCHAN_HDR_LEN || off + len > (size_t)n)
				die("read " PROC_EVENTS ": event of %u bytes at %zu of %zd",
				    len, off, n);
			stream_kchan_event(&s, buf + off, len, t);
			off += len;
		}
		if (off != (size_t)n)
			die("read " PROC_EVENTS ": %zd bytes, a partial event", n);
	}
	if (close(ctl) || close(fd))
		die_errno("close");
	free(buf);
	stream_result(a, &s, r);
}

/* ---- chardev: /dev/kchan, read(2) or the mmap'd ring -------------------- */

/* One request through KCHAN_IOC_CALL on the subscribed file itself. */
static int dev_ctl(void *ctx, const uint8_t *kmsg, const char **errmsg)
{
	uint8_t rep[KCHAN_IOC_REPLY_MIN * 4];
	struct kchan_ioc_call c = {
		.request = (uintptr_t)kmsg,
		.reply = (uintptr_t)rep,
		.request_len = kchan_header(kmsg).len,
		.reply_cap = sizeof(rep),
	};

	if (ioctl(*(int *)ctx, KCHAN_IOC_CALL, &c))
		die_errno("ioctl KCHAN_IOC_CALL");
	if (c.reply_len < KCHAN_HDR_LEN)
		die("ioctl KCHAN_IOC_CALL: a reply of %u bytes", c.reply_len);
	*errmsg = kchan_errmsg(rep + KCHAN_HDR_LEN, c.reply_len - KCHAN_HDR_LEN);
	return kchan_header(rep).status;
}

static void stream_dev_read(const struct bench_args *a, int fd,
			    struct stream *s)
{
	uint8_t *buf = xalloc(KCHAN_MSG_MAX);
	ssize_t n;

	if (ioctl(fd, KCHAN_IOC_SUBSCRIBE))
		die_errno("ioctl KCHAN_IOC_SUBSCRIBE");
	start_generator(a, "chardev", dev_ctl, &fd);
	while (!s->done) {
		/* One whole message per read. */
		n = read(fd, buf, KCHAN_MSG_MAX);
		if (n < 0) {
			if (errno == EAGAIN) {
				if (!wait_readable(fd, a->timeout, DEV_PATH))
					break;
				continue;
			}
			if (errno == EINTR)
				continue;
			die_errno("read " DEV_PATH);
		}
		stream_kchan_event(s, buf, n, now());
	}
	free(buf);
}

/*
 * The ring: records from CONSUMER to PRODUCER (loaded with acquire), each
 * a kchan message or a RING_PAD filler, hdr.len rounded up to
 * KCHAN_RING_ALIGN; CONSUMER stored with release once they are consumed.
 * poll(2) also moves queued events into the ring.
 */
static void stream_dev_ring(const struct bench_args *a, int fd,
			    struct stream *s)
{
	struct kchan_ring_setup setup = { .data_size = a->ring };
	uint64_t *producer, *consumer, head, tail;
	const uint8_t *data;
	uint8_t *map;
	uint32_t mask;

	if (ioctl(fd, KCHAN_IOC_RING_SETUP, &setup))
		die("ioctl KCHAN_IOC_RING_SETUP ring=%u: %s (errno %d)",
		    a->ring, strerror(errno), errno);
	map = mmap(NULL, setup.mmap_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	if (map == MAP_FAILED)
		die_errno("mmap the ring");
	producer = (uint64_t *)(map + KCHAN_RING_PRODUCER);
	consumer = (uint64_t *)(map + KCHAN_RING_CONSUMER);
	data = map + setup.data_offset;
	mask = setup.data_size - 1;
	tail = __atomic_load_n(consumer, __ATOMIC_RELAXED);
	start_generator(a, "chardev", dev_ctl, &fd);

	while (!s->done) {
		double t;

		head = __atomic_load_n(producer, __ATOMIC_ACQUIRE);
		if (head == tail) {
			if (!wait_readable(fd, a->timeout, "the ring"))
				break;
			continue;
		}
		t = now();
		while (tail != head) {
			const uint8_t *rec = data + (tail & mask);
			struct kchan_hdr hdr = kchan_header(rec);

			if (hdr.len < KCHAN_HDR_LEN ||
			    (tail & mask) + hdr.len > setup.data_size)
				die("ring: record of %u bytes at %llu", hdr.len,
				    (unsigned long long)tail);
			if (!(hdr.flags & KCHAN_F_RING_PAD))
				stream_kchan_event(s, rec, hdr.len, t);
			tail += (hdr.len + KCHAN_RING_ALIGN - 1) &
				~(uint64_t)(KCHAN_RING_ALIGN - 1);
		}
		__atomic_store_n(consumer, tail, __ATOMIC_RELEASE);
	}
	if (munmap(map, setup.mmap_len))
		die_errno("munmap the ring");
}

void run_stream_chardev(const struct bench_args *a, const void *unused,
			struct bench_result *r)
{
	struct stream s;
	int fd;

	(void)unused;
	stream_init(a, &s);
	if (strcmp(a->mode, "read") && strcmp(a->mode, "ring"))
		die("mode=%s: expected read or ring", a->mode);
	fd = open_or_die(DEV_PATH, O_RDWR | O_NONBLOCK, "kchan_chardev");
	if (!strcmp(a->mode, "ring"))
		stream_dev_ring(a, fd, &s);
	else
		stream_dev_read(a, fd, &s);
	if (close(fd))
		die_errno("close " DEV_PATH);
	stream_result(a, &s, r);
}

/* ---- swarm: raw netlink endpoints --------------------------------------- */

/* A message of @type without payload on raw socket @fd. */
static void raw_send(int fd, uint16_t type, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr nlh = {
		.nlmsg_len = NLMSG_HDRLEN,
		.nlmsg_type = type,
		.nlmsg_flags = NLM_F_REQUEST | flags,
		.nlmsg_seq = seq,
	};

	if (send(fd, &nlh, sizeof(nlh), 0) != sizeof(nlh))
		die("send %s on the raw unit: %s (errno %d)",
		    type == KCHAN_RAW_MSG_HELLO ? "HELLO" : "BYE",
		    strerror(errno), errno);
}

/* HELLO with NLM_F_ACK, and its ack. */
static void raw_hello(int fd, uint8_t *buf)
{
	const struct nlmsghdr *nlh = (const void *)buf;
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	ssize_t n;

	raw_send(fd, KCHAN_RAW_MSG_HELLO, NLM_F_ACK, 1);
	n = recv(fd, buf, NL_BUF_LEN, 0);
	if (n < 0)
		die_errno("recv the HELLO ack");
	if (n < (ssize_t)(NLMSG_HDRLEN + sizeof(*e)) ||
	    nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_seq != 1)
		die("HELLO: answered by a message of type %u", nlh->nlmsg_type);
	if (e->error)
		die("HELLO: %s (errno %d)%s%s", strerror(-e->error), -e->error,
		    *nlerr_msg(nlh) ? ": " : "", nlerr_msg(nlh));
}

/* Everything waiting on socket @i; returns 1 when it just finished. */
static int swarm_drain(int fd, struct stream *s, uint8_t *buf,
		       uint64_t *overruns)
{
	int was_done = s->done;
	ssize_t n;

	for (;;) {
		const struct nlmsghdr *nlh;
		double t;
		int left;

		n = recv(fd, buf, NL_BUF_LEN, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN)
				break;
			/*
			 * The endpoint's thread found the buffer full: netlink
			 * flags that as an overrun, but the thread keeps the
			 * event and offers it again, so nothing is lost here.
			 */
			if (errno == ENOBUFS) {
				(*overruns)++;
				continue;
			}
			if (errno == EINTR)
				continue;
			die_errno("recv on a raw socket");
		}
		t = now();
		left = n;
		for (nlh = (const void *)buf; NLMSG_OK(nlh, left);
		     nlh = NLMSG_NEXT(nlh, left)) {
			if (nlh->nlmsg_type != KCHAN_RAW_MSG_EVENT)
				die("raw socket: message of type %u",
				    nlh->nlmsg_type);
			stream_kchan_event(s, NLMSG_DATA(nlh),
					   nlh->nlmsg_len - NLMSG_HDRLEN, t);
		}
	}
	return !was_done && s->done;
}

void run_swarm_netlink(const struct bench_args *a, const void *unused,
		       struct bench_result *r)
{
	struct epoll_event evs[64];
	uint8_t *buf = xalloc(NL_BUF_LEN);
	struct stream *s;
	unsigned int i, finished = 0;
	struct genl ctl;
	int *fds, ep, one = 1;
	double first = 0, last = 0;
	uint64_t ops = 0, overruns = 0;

	(void)unused;
	if (!a->sockets || !a->count)
		die("sockets and count must be at least 1");
	s = xalloc(a->sockets * sizeof(*s));
	fds = xalloc(a->sockets * sizeof(*fds));
	genl_open(&ctl);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die_errno("epoll_create1");
	for (i = 0; i < a->sockets; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };

		stream_init(a, &s[i]);
		fds[i] = nl_socket(KCHAN_RAW_UNIT_DEFAULT);
		/*
		 * As the Java SDK's raw endpoints: 4 MiB, and no ENOBUFS,
		 * since the endpoint's thread keeps an event it could not
		 * deliver and offers it again.
		 */
		nl_set_rcvbuf(fds[i], STREAM_RCVBUF);
		if (setsockopt(fds[i], SOL_NETLINK, NETLINK_NO_ENOBUFS, &one,
			       sizeof(one)))
			die_errno("setsockopt NETLINK_NO_ENOBUFS");
		raw_hello(fds[i], buf);
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev))
			die_errno("epoll_ctl EPOLL_CTL_ADD");
	}
	start_generator(a, "netlink", genl_ctl, &ctl);

	while (finished < a->sockets) {
		int n = epoll_wait(ep, evs, 64, (int)(a->timeout * 1000));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno("epoll_wait");
		if (!n)
			break;
		while (n--)
			finished += swarm_drain(fds[evs[n].data.u32],
						&s[evs[n].data.u32], buf,
						&overruns);
	}
	for (i = 0; i < a->sockets; i++) {
		raw_send(fds[i], KCHAN_RAW_MSG_BYE, 0, 2);
		if (close(fds[i]))
			die_errno("close a raw socket");
		if (!s[i].ops)
			continue;
		if (!ops || s[i].first < first)
			first = s[i].first;
		if (s[i].last > last)
			last = s[i].last;
		ops += s[i].ops;
	}
	if (overruns)
		note("swarm: %llu full receive buffers (ENOBUFS; the kernel retries)",
		     (unsigned long long)overruns);
	if (close(ep))
		die_errno("close the epoll");
	genl_close(&ctl);
	r->ops = ops;
	r->seconds = ops ? last - first : 0;
	r->has_bytes = r->has_lost = 1;
	r->bytes = ops * a->size;
	r->lost = (uint64_t)a->sockets * a->count - ops;
	free(fds);
	free(s);
	free(buf);
}
