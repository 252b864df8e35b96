// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_dev_check: a C walk through /dev/kchan, to check kchan_chardev
 * from outside Java (and the seed of issue 8's C reference client).
 *
 * Build on the host and run it in the lab, as root:
 *   gcc -static -O2 -Wall -I kmods/include/uapi -o /tmp/kchan_dev_check \
 *       kmods/tools/kchan_dev_check.c
 *   bash it/lab/kchan-lab run --load-all -- /tmp/kchan_dev_check
 * It prints one line per check and exits 1 when any failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "kchan.h"

#define DEV "/dev/" KCHAN_DEV_NAME

static int failures;
/* An address no process maps; volatile so the compiler cannot tell. */
static void *volatile bad_address = (void *)16;

static void check(const char *what, int ok)
{
	printf("%-60s %s\n", what, ok ? "ok" : "FAIL");
	if (!ok)
		failures++;
}

static size_t put_attr(uint8_t *msg, size_t off, int type, const void *data,
		       size_t len)
{
	struct nlattr attr = { .nla_len = NLA_HDRLEN + len, .nla_type = type };

	memcpy(msg + off, &attr, sizeof(attr));
	memcpy(msg + off + NLA_HDRLEN, data, len);
	return off + NLA_ALIGN(NLA_HDRLEN + len);
}

/* A request: @cmd with an optional KEY and VALUE; returns its length. */
static size_t request(uint8_t *msg, int cmd, const char *key,
		      const void *value, size_t value_len)
{
	struct kchan_hdr hdr = { .cmd = cmd, .seq = 42 };
	size_t off = KCHAN_HDR_LEN;

	if (key)
		off = put_attr(msg, off, KCHAN_ATTR_KEY, key, strlen(key));
	if (value)
		off = put_attr(msg, off, KCHAN_ATTR_VALUE, value, value_len);
	hdr.len = off;
	memcpy(msg, &hdr, sizeof(hdr));
	return off;
}

static size_t gen_start(uint8_t *msg, uint64_t count, uint32_t size)
{
	struct kchan_hdr hdr = { .cmd = KCHAN_CMD_GEN_START, .seq = 1 };
	uint32_t rate = 0;
	size_t off = KCHAN_HDR_LEN;

	off = put_attr(msg, off, KCHAN_ATTR_COUNT, &count, sizeof(count));
	off = put_attr(msg, off, KCHAN_ATTR_SIZE, &size, sizeof(size));
	off = put_attr(msg, off, KCHAN_ATTR_RATE, &rate, sizeof(rate));
	hdr.len = off;
	memcpy(msg, &hdr, sizeof(hdr));
	return off;
}

static struct kchan_hdr header(const uint8_t *msg)
{
	struct kchan_hdr hdr;

	memcpy(&hdr, msg, sizeof(hdr));
	return hdr;
}

/* The u64 attribute @type of message @msg, or -1. */
static int64_t attr_u64(const uint8_t *msg, int type)
{
	struct kchan_hdr hdr = header(msg);
	size_t off = KCHAN_HDR_LEN;
	struct nlattr attr;
	uint64_t value;

	while (off + NLA_HDRLEN <= hdr.len) {
		memcpy(&attr, msg + off, sizeof(attr));
		if (attr.nla_len < NLA_HDRLEN)
			break;
		if (attr.nla_type == type && attr.nla_len == NLA_HDRLEN + 8) {
			memcpy(&value, msg + off + NLA_HDRLEN, 8);
			return value;
		}
		off += NLA_ALIGN(attr.nla_len);
	}
	return -1;
}

static int call(int fd, const uint8_t *req, size_t req_len, uint8_t *reply,
		uint32_t cap, struct kchan_ioc_call *out)
{
	struct kchan_ioc_call c = {
		.request = (uintptr_t)req,
		.reply = (uintptr_t)reply,
		.request_len = req_len,
		.reply_cap = cap,
	};
	int ret = ioctl(fd, KCHAN_IOC_CALL, &c);

	if (out)
		*out = c;
	return ret;
}

static void check_calls(int fd)
{
	static uint8_t req[KCHAN_MSG_MAX], reply[KCHAN_MSG_MAX];
	static uint8_t value[60000];
	struct kchan_ioc_call c;
	size_t n;
	int ret;

	n = request(req, KCHAN_CMD_ECHO, NULL, NULL, 0);
	ret = call(fd, req, n, reply, sizeof(reply), &c);
	check("CALL ECHO", ret == 0 && header(reply).status == 0 &&
	      header(reply).seq == 42 && c.reply_len == header(reply).len);

	memset(value, 'v', sizeof(value));
	n = request(req, KCHAN_CMD_SET, "dev-big", value, sizeof(value));
	ret = call(fd, req, n, reply, sizeof(reply), NULL);
	check("CALL SET of a 60000-byte value", ret == 0 &&
	      header(reply).status == 0);

	n = request(req, KCHAN_CMD_GET, "dev-big", NULL, 0);
	memset(reply, 0xee, 512);
	ret = call(fd, req, n, reply, 512, &c);
	check("CALL GET into 512 bytes: ERANGE, reply_len = needed",
	      ret == -1 && errno == ERANGE && c.reply_len > 60000 &&
	      reply[0] == 0xee);
	ret = call(fd, req, n, reply, c.reply_len, &c);
	check("CALL GET again with reply_len bytes", ret == 0 &&
	      header(reply).status == 0 && header(reply).len == c.reply_len);

	ret = call(fd, req, n, reply, KCHAN_IOC_REPLY_MIN - 1, NULL);
	check("CALL with reply_cap below KCHAN_IOC_REPLY_MIN: EINVAL",
	      ret == -1 && errno == EINVAL);
	ret = call(fd, bad_address, n, reply, sizeof(reply), NULL);
	check("CALL with a bad request pointer: EFAULT",
	      ret == -1 && errno == EFAULT);
	ret = ioctl(fd, KCHAN_IOC_CALL, bad_address);
	check("CALL with a bad struct pointer: EFAULT",
	      ret == -1 && errno == EFAULT);
	n = request(req, KCHAN_CMD_SET, "dev-liar", "x", 1);
	ret = call(fd, req, n - 4, reply, sizeof(reply), NULL);
	check("CALL whose hdr.len lies: EINVAL", ret == -1 && errno == EINVAL);
	n = request(req, KCHAN_CMD_GET, "dev-liar", NULL, 0);
	ret = call(fd, req, n, reply, sizeof(reply), NULL);
	check("  and nothing was stored (GET: ENOENT reply)", ret == 0 &&
	      header(reply).status == -ENOENT);
	check("unknown ioctl: ENOTTY",
	      ioctl(fd, _IO(KCHAN_IOC_MAGIC, 99)) == -1 && errno == ENOTTY);
}

static void check_write_read(int fd)
{
	static uint8_t req[4096], reply[KCHAN_MSG_MAX];
	size_t n;
	ssize_t r;

	n = request(req, KCHAN_CMD_SET, "dev-a", "1", 1);
	r = write(fd, req, n);
	n = request(req, KCHAN_CMD_GET, "dev-a", NULL, 0);
	r = r > 0 ? write(fd, req, n) : r;
	check("write SET then GET", r == (ssize_t)n);
	r = read(fd, reply, 8);
	check("read into 8 bytes: EMSGSIZE", r == -1 && errno == EMSGSIZE);
	r = read(fd, reply, sizeof(reply));
	check("read: the SET's reply first", r > 0 &&
	      header(reply).status == 0 && header(reply).cmd == KCHAN_CMD_SET);
	r = read(fd, reply, sizeof(reply));
	check("read: then the GET's", r > 0 && header(reply).cmd == KCHAN_CMD_GET);
	r = read(fd, reply, sizeof(reply));
	check("read with nothing queued, O_NONBLOCK: EAGAIN",
	      r == -1 && errno == EAGAIN);
	n = request(req, KCHAN_CMD_SET, "dev-b", "1", 1);
	check("write of a lying hdr.len: EINVAL",
	      write(fd, req, n - 4) == -1 && errno == EINVAL);
	check("write of 8 bytes: EINVAL", write(fd, req, 8) == -1 &&
	      errno == EINVAL);
	check("write from a bad pointer: EFAULT",
	      write(fd, bad_address, 64) == -1 && errno == EFAULT);
}

static void check_events_read(void)
{
	static uint8_t req[256], msg[KCHAN_MSG_MAX];
	int fd = open(DEV, O_RDWR | O_NONBLOCK);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	unsigned int got = 0;
	size_t n;

	check("SUBSCRIBE", ioctl(fd, KCHAN_IOC_SUBSCRIBE) == 0);
	check("SUBSCRIBE again: EBUSY", ioctl(fd, KCHAN_IOC_SUBSCRIBE) == -1 &&
	      errno == EBUSY);
	n = gen_start(req, 5, 100);
	check("write GEN_START 5 events", write(fd, req, n) == (ssize_t)n &&
	      read(fd, msg, sizeof(msg)) > 0 && header(msg).status == 0);
	while (got < 5 && poll(&p, 1, 5000) == 1) {
		if (read(fd, msg, sizeof(msg)) > 0 &&
		    header(msg).cmd == KCHAN_CMD_EVENT &&
		    attr_u64(msg, KCHAN_ATTR_SEQ) == got)
			got++;
		else
			break;
	}
	check("poll + read: 5 events, SEQ 0..4", got == 5);
	check("UNSUBSCRIBE", ioctl(fd, KCHAN_IOC_UNSUBSCRIBE) == 0);
	close(fd);
}

static void check_ring(void)
{
	static uint8_t req[256], reply[4096];
	struct kchan_ring_setup setup = { .data_size = KCHAN_RING_DATA_MIN };
	const uint64_t count = 20000;
	uint64_t seen = 0, lost = 0, next_seq = 0, pads = 0;
	int64_t sentinel_seq = 0, dropped = -1;
	int fd = open(DEV, O_RDWR), stalls = 0;
	volatile uint64_t *producer, *consumer;
	uint8_t *map, *data;
	char line[120];
	size_t n;

	setup.data_size = 4096;
	check("RING_SETUP with 4096 bytes: EINVAL",
	      ioctl(fd, KCHAN_IOC_RING_SETUP, &setup) == -1 && errno == EINVAL);
	check("mmap before RING_SETUP: ENODEV",
	      mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED &&
	      errno == ENODEV);
	setup.data_size = KCHAN_RING_DATA_MIN;
	check("RING_SETUP", ioctl(fd, KCHAN_IOC_RING_SETUP, &setup) == 0 &&
	      setup.mmap_len == 4096 + KCHAN_RING_DATA_MIN &&
	      setup.data_offset == 4096);
	check("SUBSCRIBE after RING_SETUP: EBUSY",
	      ioctl(fd, KCHAN_IOC_SUBSCRIBE) == -1 && errno == EBUSY);
	check("mmap of the wrong length: EINVAL",
	      mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED &&
	      errno == EINVAL);
	check("mmap at a wrong offset: EINVAL",
	      mmap(NULL, setup.mmap_len, PROT_READ, MAP_SHARED, fd, 4096) ==
	      MAP_FAILED && errno == EINVAL);
	check("mmap MAP_PRIVATE: EINVAL",
	      mmap(NULL, setup.mmap_len, PROT_READ, MAP_PRIVATE, fd, 0) ==
	      MAP_FAILED && errno == EINVAL);
	map = mmap(NULL, setup.mmap_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	check("mmap", map != MAP_FAILED);
	if (map == MAP_FAILED)
		return;
	producer = (uint64_t *)(map + KCHAN_RING_PRODUCER);
	consumer = (uint64_t *)(map + KCHAN_RING_CONSUMER);
	data = map + setup.data_offset;

	n = gen_start(req, count, 768);
	check("CALL GEN_START 20000 x 768 bytes, flat out",
	      call(fd, req, n, reply, sizeof(reply), NULL) == 0 &&
	      header(reply).status == 0);
	/*
	 * A slow reader: the ring fills and the subscriber's queue drops.
	 * Once the flood is over, a SET's event is the sentinel: the SEQ
	 * gaps before it are every event lost, and its DROPPED their total.
	 */
	while (!sentinel_seq && stalls < 5) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t head = __atomic_load_n(producer, __ATOMIC_ACQUIRE);
		uint64_t tail = *consumer;

		if (head == tail) {
			if (poll(&p, 1, 1000) == 1)
				continue;
			stalls++;
			n = request(req, KCHAN_CMD_SET, "dev-sentinel", "s", 1);
			call(fd, req, n, reply, sizeof(reply), NULL);
			continue;
		}
		while (tail != head) {
			const uint8_t *rec = data + (tail & (setup.data_size - 1));
			struct kchan_hdr hdr = header(rec);

			if (hdr.flags & KCHAN_F_RING_PAD) {
				pads++;
			} else {
				int64_t seq = attr_u64(rec, KCHAN_ATTR_SEQ);

				lost += seq - next_seq;
				next_seq = seq + 1;
				if (attr_u64(rec, KCHAN_ATTR_GEN_INDEX) >= 0) {
					seen++;
				} else {
					sentinel_seq = seq;
					dropped = attr_u64(rec, KCHAN_ATTR_DROPPED);
				}
			}
			tail += (hdr.len + KCHAN_RING_ALIGN - 1) &
				~(uint64_t)(KCHAN_RING_ALIGN - 1);
		}
		__atomic_store_n(consumer, tail, __ATOMIC_RELEASE);
		usleep(2000);
	}
	snprintf(line, sizeof(line),
		 "ring: %llu events, %llu lost (DROPPED %lld), %llu pads",
		 (unsigned long long)seen, (unsigned long long)lost,
		 (long long)dropped, (unsigned long long)pads);
	check(line, seen + lost == count && sentinel_seq == (int64_t)count &&
	      dropped == (int64_t)lost && seen > 0 && lost > 0);
	*consumer = *consumer + (1 << 20);
	{
		struct pollfd p = { .fd = fd, .events = POLLIN };

		int tries = 50;

		/* The first poll asks the work to check CONSUMER. */
		while (tries-- && !(p.revents & POLLERR)) {
			poll(&p, 1, 100);
			if (!(p.revents & POLLERR))
				usleep(100000);
		}
		check("a CONSUMER past PRODUCER: POLLERR, RING_F_BROKEN",
		      (p.revents & POLLERR) &&
		      (*(volatile uint32_t *)(map + KCHAN_RING_FLAGS) &
		       KCHAN_RING_F_BROKEN));
	}
	munmap(map, setup.mmap_len);
	close(fd);
}

/* Set up a ring of KCHAN_RING_DATA_MIN on @fd and map it with @prot. */
static uint8_t *ring_map(int fd, int prot, struct kchan_ring_setup *setup)
{
	uint8_t *map;

	memset(setup, 0, sizeof(*setup));
	setup->data_size = KCHAN_RING_DATA_MIN;
	if (ioctl(fd, KCHAN_IOC_RING_SETUP, setup))
		return NULL;
	map = mmap(NULL, setup->mmap_len, prot, MAP_SHARED, fd, 0);
	return map == MAP_FAILED ? NULL : map;
}

static void check_ring_read_only(void)
{
	struct kchan_ring_setup setup;
	int fd = open(DEV, O_RDONLY);
	uint8_t *map = ring_map(fd, PROT_READ, &setup);

	check("a read-only file maps its ring read-only, MAP_SHARED", map != NULL);
	if (map)
		munmap(map, setup.mmap_len);
	close(fd);
}

/*
 * A reader in edge-triggered epoll calls no poll(2): once it has emptied a
 * ring that was full, with the subscriber's queue full too (so no wake
 * callback runs), only the kernel's own retry brings more events.
 */
static void check_ring_edge_triggered(void)
{
	static uint8_t req[256], reply[4096];
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, out;
	struct kchan_ring_setup setup;
	int fd = open(DEV, O_RDWR), ep = epoll_create1(0), ready;
	uint8_t *map = ring_map(fd, PROT_READ | PROT_WRITE, &setup);
	uint64_t head;
	size_t n;

	if (!map) {
		check("edge-triggered epoll: ring set up", 0);
		return;
	}
	n = gen_start(req, 20000, 768);
	call(fd, req, n, reply, sizeof(reply), NULL);
	/* Let the flood fill the ring and the queue, reading nothing. */
	sleep(1);
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	epoll_wait(ep, &out, 1, 1000);
	head = __atomic_load_n((uint64_t *)(map + KCHAN_RING_PRODUCER),
			       __ATOMIC_ACQUIRE);
	__atomic_store_n((uint64_t *)(map + KCHAN_RING_CONSUMER), head,
			 __ATOMIC_RELEASE);
	ready = epoll_wait(ep, &out, 1, 3000);
	check("edge-triggered epoll: an emptied full ring fills again",
	      ready == 1 && __atomic_load_n((uint64_t *)(map + KCHAN_RING_PRODUCER),
					    __ATOMIC_ACQUIRE) != head);
	munmap(map, setup.mmap_len);
	close(ep);
	close(fd);
}

int main(void)
{
	int fd = open(DEV, O_RDWR | O_NONBLOCK);

	check("open " DEV, fd >= 0);
	if (fd < 0)
		return 1;
	check_calls(fd);
	check_write_read(fd);
	close(fd);
	check_events_read();
	check_ring();
	check_ring_read_only();
	check_ring_edge_triggered();
	printf("%s: %d failed\n", failures ? "FAILED" : "PASSED", failures);
	return failures ? 1 : 0;
}
