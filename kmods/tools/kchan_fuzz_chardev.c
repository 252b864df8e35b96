// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_fuzz_chardev: the fuzzer of kchan_chardev, /dev/kchan (kchan_fuzz.h
 * says what every fuzzer does and prints).
 *
 * Three open files at a time (slot 0 O_RDWR, slot 1 O_RDWR | O_NONBLOCK,
 * slot 2 any mode), one of them closed and opened again every few hundred
 * inputs, so that release runs with replies queued, subscriptions and
 * rings live, and mappings outliving their file.  Each input is one of:
 *   KCHAN_IOC_CALL with a malformed or mutated request (kchan_fuzzmsg.c);
 *   KCHAN_IOC_CALL whose request_len, reply_cap or flags lie, or whose
 *	request, reply or argument pointer is NULL, unmapped, read-only or
 *	runs into a PROT_NONE page;
 *   an unknown ioctl number, a kchan one with the wrong size or direction,
 *	or a kchan one with a NULL argument;
 *   KCHAN_IOC_RING_SETUP with odd data_size and flags, twice on a file;
 *   mmap(2) of odd lengths, offsets, flags and protections, before and
 *	after the setup, through a duplicate closed before the mapping is
 *	used;
 *   write(2) of a request with a lying count, a short or huge count, a bad
 *	pointer, or a burst past reply_queue_len;
 *   read(2) into tiny, bad or guarded buffers, O_NONBLOCK on empty queues;
 *   poll(2).
 * Meanwhile a second thread races the inputs on the same files with what
 * leaves the main thread's bookkeeping alone: IOC_CALL ECHO (whose answer
 * it checks) and small GEN_STARTs, poll(2), SUBSCRIBE and UNSUBSCRIBE, so
 * that subscriptions come and go under rings, reads, mappings and releases.
 * What comes back is checked where the uapi promises something: an
 * IOC_CALL reply is well formed, fits reply_cap and leaves the rest of the
 * reply buffer alone, -ERANGE writes nothing; a read returns one whole
 * message; a write beyond reply_queue_len unread replies is refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kchan_fuzzmsg.h"

const char *prog = "kchan_fuzz_chardev";

#define SLOTS		3
/* Room for any request the fuzzer builds, and the guard after it. */
#define AREA_LEN	(KCHAN_MSG_MAX + 8192)
/* One open file is closed and opened again this often, on average. */
#define REOPEN_EVERY	300
/* The largest reply buffer an input gives IOC_CALL: two pages. */
#define RBUF_LEN	8192
#define QUEUE_LEN_PARAM	"/sys/module/kchan_chardev/parameters/reply_queue_len"

struct slot {
	int fd;
	int flags;		/* open(2) flags */
	unsigned int queued;	/* replies written and not read */
	size_t mmap_len;	/* of its ring, 0 before setup */
	void *kept;		/* a mapping left to outlive the file */
	size_t kept_len;
};

struct dev_fuzz {
	struct fuzz_rng rng;
	struct fuzz_tally tally;
	uint64_t seed;
	uint64_t input;
	long page;
	unsigned int queue_len;	/* reply_queue_len of the module */
	struct slot slot[SLOTS];
	uint8_t *area;		/* AREA_LEN bytes, then the guard page */
	uint8_t *guard;		/* PROT_NONE */
	uint8_t *ro;		/* read-only page */
	uint8_t *msg;		/* where inputs are built */
	uint8_t *rguard;	/* reply buffers end here, a PROT_NONE page */
	int stop;		/* tells the racer to finish */
	uint8_t *saved;		/* a reply buffer as given */
};

/* One line naming the seed and the input, then exit 1. */
#define fail(f, fmt, ...) \
	die("seed=%llu input=%llu: " fmt, (unsigned long long)(f)->seed, \
	    (unsigned long long)(f)->input, ##__VA_ARGS__)

static void count_errno(struct dev_fuzz *f, long ret)
{
	fuzz_count(&f->tally, ret < 0 ? -errno : 0);
}

static void touch_and_unmap(struct dev_fuzz *f, void *map, size_t len)
{
	volatile uint64_t *producer = map;

	/* A mapping that outlived its file still shows the ring. */
	(void)*producer;
	if (munmap(map, len))
		fail(f, "munmap of the ring: %s", strerror(errno));
}

static void open_slot(struct dev_fuzz *f, int s)
{
	static const int modes[] = { O_RDONLY, O_WRONLY, O_RDWR, O_RDWR };
	struct slot *sl = &f->slot[s];

	if (s == 0)
		sl->flags = O_RDWR;
	else if (s == 1)
		sl->flags = O_RDWR | O_NONBLOCK;
	else
		sl->flags = modes[fuzz_below(&f->rng, 4)] |
			    (fuzz_below(&f->rng, 2) ? O_NONBLOCK : 0);
	sl->fd = open(DEV_PATH, sl->flags | O_CLOEXEC);
	if (sl->fd < 0)
		die("open " DEV_PATH ": %s (is kchan_chardev loaded?)",
		    strerror(errno));
	sl->queued = 0;
	sl->mmap_len = 0;
}

/* Close with whatever is queued, subscribed or mapped, and open again. */
static void reopen_slot(struct dev_fuzz *f, int s)
{
	struct slot *sl = &f->slot[s];

	if (close(sl->fd))
		fail(f, "close " DEV_PATH ": %s", strerror(errno));
	if (sl->kept) {
		touch_and_unmap(f, sl->kept, sl->kept_len);
		sl->kept = NULL;
	}
	open_slot(f, s);
}

static void map_areas(struct dev_fuzz *f)
{
	uint8_t *m;

	f->page = sysconf(_SC_PAGESIZE);
	m = mmap(NULL, AREA_LEN + 2 * f->page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		die_errno("mmap the fuzzing area");
	f->area = m;
	f->guard = m + AREA_LEN;
	f->ro = f->guard + f->page;
	if (mprotect(f->guard, f->page, PROT_NONE) ||
	    mprotect(f->ro, f->page, PROT_READ))
		die_errno("mprotect the guard pages");
	f->msg = xalloc(KCHAN_MSG_MAX);
	/* Replies apart from requests, and guarded too: see reply_buffer(). */
	m = mmap(NULL, RBUF_LEN + f->page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		die_errno("mmap the reply area");
	f->rguard = m + RBUF_LEN;
	if (mprotect(f->rguard, f->page, PROT_NONE))
		die_errno("mprotect the reply guard page");
	f->saved = xalloc(RBUF_LEN);
}

static unsigned int read_queue_len(void)
{
	FILE *p = fopen(QUEUE_LEN_PARAM, "r");
	unsigned int n;

	if (!p)
		die("open " QUEUE_LEN_PARAM ": %s (is kchan_chardev loaded?)",
		    strerror(errno));
	if (fscanf(p, "%u", &n) != 1 || !n)
		die(QUEUE_LEN_PARAM ": no number in it");
	fclose(p);
	return n;
}

/* @len bytes of @src in the read-only page (made writable a moment). */
static void *read_only_copy(struct dev_fuzz *f, const void *src, size_t len)
{
	if (mprotect(f->ro, f->page, PROT_READ | PROT_WRITE))
		fail(f, "mprotect: %s", strerror(errno));
	memcpy(f->ro, src, len);
	if (mprotect(f->ro, f->page, PROT_READ))
		fail(f, "mprotect: %s", strerror(errno));
	return f->ro;
}

/* A pointer the kernel must refuse: NULL, unmapped, no access, kernel. */
static uint64_t bad_pointer(struct dev_fuzz *f)
{
	switch (fuzz_below(&f->rng, 4)) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return (uintptr_t)f->guard;
	default:
		return 0xffff888000000000ULL;
	}
}

/* A request built into f->msg: usually framed so the door takes it. */
static size_t build_request(struct dev_fuzz *f)
{
	size_t len = fuzz_msg(&f->rng, fuzz_msg_kind(&f->rng), f->msg,
			      KCHAN_MSG_MAX, fuzz_cmd(&f->rng));

	if (fuzz_below(&f->rng, 4))
		fuzz_frame(f->msg, len, kchan_header(f->msg).cmd);
	return len;
}

/* @len bytes of f->msg copied to end where the guard page starts. */
static uint8_t *place(struct dev_fuzz *f, size_t len)
{
	uint8_t *p = f->guard - len;

	memcpy(p, f->msg, len);
	return p;
}

/*
 * A reply buffer of @cap <= RBUF_LEN bytes, remembered as given.  It ends
 * where a PROT_NONE page starts: a reply_cap that promises more than the
 * buffer has makes a long reply fault (EFAULT) instead of overrunning.
 */
static uint8_t *reply_buffer(struct dev_fuzz *f, size_t cap)
{
	uint8_t *p = f->rguard - cap;

	fuzz_fill(&f->rng, p, cap);
	memcpy(f->saved, p, cap);
	return p;
}

static void check_call(struct dev_fuzz *f, int ret, int err,
		       const struct kchan_ioc_call *c, const uint8_t *reply,
		       size_t real)
{
	size_t kept = 0;
	const char *bad;

	if (!ret) {
		if (c->reply_len > c->reply_cap)
			fail(f, "IOC_CALL succeeded with reply_len %u > reply_cap %u",
			     c->reply_len, c->reply_cap);
		bad = fuzz_reply_check(reply, c->reply_len);
		if (bad)
			fail(f, "IOC_CALL: %s", bad);
		kept = c->reply_len;
		fuzz_count_reply(&f->tally, reply);
	} else {
		if (err == ERANGE && c->reply_len <= c->reply_cap)
			fail(f, "IOC_CALL -ERANGE with reply_len %u <= reply_cap %u",
			     c->reply_len, c->reply_cap);
		fuzz_count(&f->tally, -err);
	}
	/* Nothing past the reply, nothing at all on a failure but EFAULT. */
	if (err != EFAULT && kept < real &&
	    memcmp(reply + kept, f->saved + kept, real - kept))
		fail(f, "IOC_CALL wrote past its reply (reply_len %u, ret %d errno %d)",
		     c->reply_len, ret, ret ? err : 0);
}

/* A well-formed IOC_CALL of a malformed request. */
static void in_call(struct dev_fuzz *f, int fd)
{
	size_t len = build_request(f);
	size_t cap = KCHAN_IOC_REPLY_MIN + fuzz_below(&f->rng, 4096);
	uint8_t *reply = reply_buffer(f, cap);
	struct kchan_ioc_call c = {
		.request = (uintptr_t)place(f, len),
		.reply = (uintptr_t)reply,
		.request_len = (uint32_t)len,
		.reply_cap = (uint32_t)cap,
	};
	int ret = ioctl(fd, KCHAN_IOC_CALL, &c);

	check_call(f, ret, ret ? errno : 0, &c, reply, cap);
}

/* An IOC_CALL whose lengths, flags or pointers lie. */
static void in_call_lying(struct dev_fuzz *f, int fd)
{
	size_t len = build_request(f);
	size_t real = KCHAN_IOC_REPLY_MIN + fuzz_below(&f->rng, 1024);
	uint8_t *reply = reply_buffer(f, real);
	struct kchan_ioc_call c = {
		.request = (uintptr_t)place(f, len),
		.reply = (uintptr_t)reply,
		.request_len = (uint32_t)len,
		.reply_cap = (uint32_t)real,
	};
	struct kchan_ioc_call *arg = &c;
	int ret, err, checked = 1;

	switch (fuzz_below(&f->rng, 10)) {
	case 0:
		c.request_len = fuzz_boundary(&f->rng);
		break;
	case 1:
		c.request_len = (uint32_t)len + fuzz_below(&f->rng, 9) - 4;
		break;
	case 2:
		c.reply_cap = fuzz_boundary(&f->rng);
		checked = c.reply_cap <= real;
		break;
	case 3:
		c.flags = fuzz_below(&f->rng, 2) ? 1u << fuzz_below(&f->rng, 32) :
			  (uint32_t)fuzz_next(&f->rng);
		break;
	case 4:
		c.request = bad_pointer(f);
		break;
	case 5:	/* a request whose end runs into the guard */
		c.request_len = (uint32_t)len + 1 + fuzz_below(&f->rng, 64);
		break;
	case 6:
		c.reply = fuzz_below(&f->rng, 2) ? bad_pointer(f) : (uintptr_t)f->ro;
		checked = 0;
		break;
	case 7:	/* a reply buffer that runs into the guard */
		c.reply = (uintptr_t)(f->guard - fuzz_below(&f->rng, 64));
		c.request = (uintptr_t)f->msg;
		checked = 0;
		break;
	case 8:	/* the argument NULL, half in the guard, or read-only */
		switch (fuzz_below(&f->rng, 3)) {
		case 0:
			arg = NULL;
			break;
		case 1:
			arg = (void *)(f->guard - sizeof(c) / 2);
			memcpy(arg, &c, sizeof(c) / 2);
			break;
		default:	/* the request runs, reply_len cannot go back */
			arg = read_only_copy(f, &c, sizeof(c));
			break;
		}
		checked = 0;
		break;
	default:
		c.reply_cap = KCHAN_IOC_REPLY_MIN - 1 - fuzz_below(&f->rng, 8);
		break;
	}
	ret = ioctl(fd, KCHAN_IOC_CALL, arg);
	err = ret ? errno : 0;
	if (checked) {
		check_call(f, ret, err, &c, reply, real);
		return;
	}
	if (!ret)
		fuzz_count_reply(&f->tally, (const uint8_t *)(uintptr_t)c.reply);
	else
		fuzz_count(&f->tally, -err);
}

/* Types whose numbers the VFS answers before the driver: left alone. */
static int vfs_type(unsigned int type)
{
	return type == 0x00 || type == 0x12 || type == 0x15 || type == 'T' ||
	       type == 'X' || type == 'f' || type == 0x94;
}

static void in_ioctl(struct dev_fuzz *f, int fd)
{
	static const unsigned int real[] = {
		KCHAN_IOC_CALL, KCHAN_IOC_SUBSCRIBE, KCHAN_IOC_UNSUBSCRIBE,
		KCHAN_IOC_RING_SETUP,
	};
	unsigned int cmd, type, size, dir, nr;
	unsigned long arg = (uintptr_t)f->area;

	memset(f->area, 0, 64);
	switch (fuzz_below(&f->rng, 4)) {
	case 0:	/* any number, of our type or another */
		type = fuzz_below(&f->rng, 2) ? KCHAN_IOC_MAGIC :
		       fuzz_below(&f->rng, 256);
		if (vfs_type(type))
			type = KCHAN_IOC_MAGIC;
		nr = fuzz_below(&f->rng, 2) ? fuzz_below(&f->rng, 8) :
		     fuzz_below(&f->rng, 256);
		cmd = _IOC(fuzz_below(&f->rng, 4), type, nr,
			   fuzz_below(&f->rng, 1u << _IOC_SIZEBITS));
		/* A real one slipped in: keep it as it is. */
		arg = fuzz_below(&f->rng, 2) ? (uintptr_t)f->area : bad_pointer(f);
		break;
	case 1:	/* a kchan number with the wrong size or direction */
		cmd = real[fuzz_below(&f->rng, 4)];
		size = _IOC_SIZE(cmd);
		dir = _IOC_DIR(cmd);
		if (fuzz_below(&f->rng, 2))
			size = fuzz_below(&f->rng, 2) ? size + 1 + fuzz_below(&f->rng, 8) :
			       (size ? size - 1 : 8);
		else
			dir = (dir + 1 + fuzz_below(&f->rng, 3)) & 3;
		cmd = _IOC(dir, KCHAN_IOC_MAGIC, _IOC_NR(cmd), size);
		break;
	case 2:	/* a kchan number with a NULL or bad argument */
		cmd = real[fuzz_below(&f->rng, 4)];
		arg = bad_pointer(f);
		break;
	default:	/* subscribe and unsubscribe, whatever the argument */
		cmd = fuzz_below(&f->rng, 2) ? KCHAN_IOC_SUBSCRIBE :
		      KCHAN_IOC_UNSUBSCRIBE;
		arg = fuzz_next(&f->rng);
		break;
	}
	count_errno(f, ioctl(fd, cmd, arg));
}

static void in_ring_setup(struct dev_fuzz *f, int s)
{
	static const uint32_t sizes[] = {
		0, 1, 4096, KCHAN_RING_DATA_MIN - 1, KCHAN_RING_DATA_MIN + 1,
		3 * KCHAN_RING_DATA_MIN, KCHAN_RING_DATA_MIN / 2,
		KCHAN_RING_DATA_MAX + 1, KCHAN_RING_DATA_MAX * 2, 0x80000000u,
		0xffffffffu, KCHAN_RING_DATA_MAX - KCHAN_RING_DATA_MIN,
	};
	struct slot *sl = &f->slot[s];
	struct kchan_ring_setup setup = { .data_size = KCHAN_RING_DATA_MIN };
	void *arg = &setup;
	uint32_t pick = fuzz_below(&f->rng, 16);
	int ret;

	if (pick < 6)
		setup.data_size = sizes[fuzz_below(&f->rng, sizeof(sizes) / 4)];
	else if (pick == 6)
		setup.flags = fuzz_below(&f->rng, 2) ? 1 : (uint32_t)fuzz_next(&f->rng);
	else if (pick == 7)	/* read-only: the answer cannot go back */
		arg = fuzz_below(&f->rng, 2) ?
		      read_only_copy(f, &setup, sizeof(setup)) :
		      (void *)(f->guard - sizeof(setup) / 2);
	else if (pick == 8)
		setup.data_size = fuzz_below(&f->rng, 64) ? 2 * KCHAN_RING_DATA_MIN :
				  KCHAN_RING_DATA_MAX;
	/* else a valid setup: the first on the file works, later ones EBUSY */
	ret = ioctl(sl->fd, KCHAN_IOC_RING_SETUP, arg);
	if (!ret && arg == &setup) {
		if (setup.mmap_len != (uint64_t)f->page + setup.data_size ||
		    setup.data_offset != (uint64_t)f->page)
			fail(f, "RING_SETUP answered mmap_len %llu data_offset %llu",
			     (unsigned long long)setup.mmap_len,
			     (unsigned long long)setup.data_offset);
		sl->mmap_len = setup.mmap_len;
	}
	count_errno(f, ret);
}

static void in_mmap(struct dev_fuzz *f, int s)
{
	static const int prots[] = {
		PROT_READ, PROT_READ, PROT_READ | PROT_WRITE, PROT_WRITE,
		PROT_READ | PROT_EXEC, PROT_NONE,
	};
	struct slot *sl = &f->slot[s];
	size_t ring = sl->mmap_len ? sl->mmap_len :
		      (size_t)f->page + KCHAN_RING_DATA_MIN;
	size_t lens[] = {
		0, 1, f->page - 1, f->page, ring - f->page, ring, ring + 1,
		ring + f->page, (size_t)1 << 40,
	};
	size_t len = ring;
	off_t off = 0;
	int prot = PROT_READ, flags = MAP_SHARED, fd = sl->fd, dup_fd = -1;
	void *map;

	switch (fuzz_below(&f->rng, 6)) {
	case 0:
		len = lens[fuzz_below(&f->rng, sizeof(lens) / sizeof(lens[0]))];
		break;
	case 1:
		off = fuzz_below(&f->rng, 2) ? f->page :
		      (fuzz_below(&f->rng, 2) ? (off_t)ring : 1);
		break;
	case 2:
		flags = MAP_PRIVATE;
		break;
	case 3:
		prot = prots[fuzz_below(&f->rng, sizeof(prots) / sizeof(prots[0]))];
		break;
	default:	/* through a duplicate, closed before the mapping is used */
		dup_fd = dup(sl->fd);
		if (dup_fd < 0)
			fail(f, "dup: %s", strerror(errno));
		fd = dup_fd;
		prot = (sl->flags & O_ACCMODE) == O_RDWR ?
		       PROT_READ | PROT_WRITE : PROT_READ;
		break;
	}
	map = mmap(NULL, len, prot, flags, fd, off);
	if (dup_fd >= 0)
		close(dup_fd);
	if (map == MAP_FAILED) {
		fuzz_count(&f->tally, -errno);
		return;
	}
	fuzz_count(&f->tally, 0);
	if (!sl->mmap_len || len != sl->mmap_len || off || flags != MAP_SHARED)
		fail(f, "mmap of %zu bytes at %lld flags %#x succeeded (ring %zu)",
		     len, (long long)off, flags, sl->mmap_len);
	/* A reader that lies about CONSUMER breaks only its own ring. */
	if ((prot & PROT_WRITE) && !fuzz_below(&f->rng, 4))
		*(volatile uint64_t *)((uint8_t *)map + KCHAN_RING_CONSUMER) =
			fuzz_below(&f->rng, 2) ? fuzz_next(&f->rng) : 0;
	if ((prot & PROT_READ) && !sl->kept && !fuzz_below(&f->rng, 4)) {
		sl->kept = map;	/* unmapped after its file is closed */
		sl->kept_len = len;
		return;
	}
	if (prot & PROT_READ)
		touch_and_unmap(f, map, len);
	else if (munmap(map, len))
		fail(f, "munmap: %s", strerror(errno));
}

static void in_write(struct dev_fuzz *f, int s)
{
	struct slot *sl = &f->slot[s];
	size_t len = build_request(f), count = len;
	const void *buf = place(f, len);
	unsigned int burst = 1, k;
	ssize_t n = 0;

	switch (fuzz_below(&f->rng, 8)) {
	case 0:
		count = fuzz_boundary(&f->rng);
		break;
	case 1:
		count = len + fuzz_below(&f->rng, 9) - 4;
		break;
	case 2:
		count = fuzz_below(&f->rng, KCHAN_HDR_LEN);
		break;
	case 3:
		buf = (const void *)(uintptr_t)bad_pointer(f);
		break;
	case 4:	/* past reply_queue_len unread replies */
		len = fuzz_probe_request(f->msg, f->input);
		buf = place(f, len);
		count = len;
		burst = f->queue_len + 1 + fuzz_below(&f->rng, 4);
		break;
	default:
		break;
	}
	for (k = 0; k < burst; k++) {
		unsigned int before = sl->queued;

		n = write(sl->fd, buf, count);
		if (n < 0)
			break;
		if ((size_t)n != count)
			fail(f, "write of %zu bytes returned %zd", count, n);
		if (before >= f->queue_len)
			fail(f, "write accepted with %u replies unread (reply_queue_len %u)",
			     before, f->queue_len);
		sl->queued++;
	}
	if (burst > 1 && n >= 0 && (sl->flags & O_ACCMODE) != O_RDONLY)
		fail(f, "%u writes without a read and no -EBUSY (reply_queue_len %u)",
		     burst, f->queue_len);
	count_errno(f, n);
}

static void in_read(struct dev_fuzz *f, int s)
{
	struct slot *sl = &f->slot[s];
	size_t cap = KCHAN_MSG_MAX;
	uint8_t *buf = f->area;
	struct pollfd p = { .fd = sl->fd, .events = POLLIN };
	ssize_t n;
	const char *bad;

	switch (fuzz_below(&f->rng, 6)) {
	case 0:
		cap = fuzz_below(&f->rng, KCHAN_HDR_LEN + 2);
		break;
	case 1:
		buf = (uint8_t *)(uintptr_t)bad_pointer(f);
		break;
	case 2:	/* ends in the guard page */
		buf = f->guard - fuzz_below(&f->rng, 64);
		break;
	default:
		break;
	}
	/*
	 * Never block on a file with no reply for us (a file with a ring
	 * reads nothing but replies, whatever poll says): poll instead.
	 */
	if (!(sl->flags & O_NONBLOCK) && !sl->queued) {
		count_errno(f, poll(&p, 1, 0));
		return;
	}
	n = read(sl->fd, buf, cap);
	if (n < 0) {
		count_errno(f, n);
		return;
	}
	bad = fuzz_reply_check(buf, (size_t)n);
	if (bad)
		fail(f, "read: %s", bad);
	if (kchan_header(buf).flags & KCHAN_F_REPLY) {
		if (!sl->queued)
			fail(f, "read returned a reply that nobody asked for");
		sl->queued--;
		fuzz_count_reply(&f->tally, buf);
	} else {
		fuzz_count(&f->tally, 0);
	}
}

static void in_poll(struct dev_fuzz *f)
{
	struct pollfd p[SLOTS];
	int s;

	for (s = 0; s < SLOTS; s++) {
		p[s].fd = f->slot[s].fd;
		p[s].events = (short)fuzz_next(&f->rng);
	}
	count_errno(f, poll(p, SLOTS, 0));
}

static void one_input(struct dev_fuzz *f)
{
	int s = (int)fuzz_below(&f->rng, SLOTS);
	uint32_t pick = fuzz_below(&f->rng, 100);

	if (pick < 30)
		in_call(f, f->slot[0].fd);
	else if (pick < 45)
		in_call(f, f->slot[s].fd);
	else if (pick < 58)
		in_call_lying(f, f->slot[fuzz_below(&f->rng, 2)].fd);
	else if (pick < 65)
		in_ioctl(f, f->slot[s].fd);
	else if (pick < 70)
		in_ring_setup(f, s);
	else if (pick < 76)
		in_mmap(f, s);
	else if (pick < 88)
		in_write(f, s);
	else if (pick < 97)
		in_read(f, s);
	else
		in_poll(f);
}

/* The door for the fuzzer's own requests: IOC_CALL on slot 0. */
static long dev_call(void *door, const uint8_t *req, size_t len,
		     uint8_t *reply, size_t cap)
{
	struct dev_fuzz *f = door;
	struct kchan_ioc_call c = {
		.request = (uintptr_t)req,
		.reply = (uintptr_t)reply,
		.request_len = (uint32_t)len,
		.reply_cap = (uint32_t)cap,
	};

	if (ioctl(f->slot[0].fd, KCHAN_IOC_CALL, &c))
		return -errno;
	return c.reply_len;
}

static void probe(struct dev_fuzz *f, uint64_t i)
{
	static uint8_t req[512], reply[512];
	static const struct kchan_hdr stop = {
		.cmd = KCHAN_CMD_GEN_STOP, .len = KCHAN_HDR_LEN,
	};
	size_t len = fuzz_probe_request(req, i);
	long n = dev_call(f, req, len, reply, sizeof(reply));
	const char *bad;

	if (n < 0)
		fail(f, "probe after input: IOC_CALL ECHO: %s", strerror((int)-n));
	bad = fuzz_probe_check(reply, (size_t)n, i);
	if (bad)
		fail(f, "probe after input: %s", bad);
	/* Mutated GEN_STARTs may have started the generator: stop it. */
	memcpy(req, &stop, sizeof(stop));
	n = dev_call(f, req, sizeof(stop), reply, sizeof(reply));
	if (n < 0 || kchan_header(reply).status)
		fail(f, "probe after input: GEN_STOP failed");
	f->tally.probes++;
}

/* The second thread: see the top of this file. */
static void *racer(void *arg)
{
	static uint8_t req[512], reply[512];
	struct dev_fuzz *f = arg;
	struct fuzz_rng rng;
	uint64_t k;

	fuzz_seed(&rng, f->seed ^ 0x5ac3);
	for (k = 0; !__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE); k++) {
		int fd = f->slot[fuzz_below(&rng, SLOTS)].fd;
		struct kchan_ioc_call c = {
			.request = (uintptr_t)req,
			.reply = (uintptr_t)reply,
			.reply_cap = sizeof(reply),
		};
		struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
		const char *bad;

		switch (fuzz_below(&rng, 8)) {
		case 0:
		case 1:
			c.request_len = (uint32_t)fuzz_probe_request(req, k);
			/* The file may be closed or read-only just now. */
			if (ioctl(fd, KCHAN_IOC_CALL, &c))
				break;
			bad = fuzz_probe_check(reply, c.reply_len, k);
			if (bad)
				fail(f, "racing ECHO %llu: %s", (unsigned long long)k, bad);
			break;
		case 2:
			c.request_len = (uint32_t)kchan_gen_start(req, 1 + fuzz_below(&rng, 8),
								  fuzz_below(&rng, 64));
			ioctl(fd, KCHAN_IOC_CALL, &c);
			break;
		case 3:
			ioctl(fd, KCHAN_IOC_SUBSCRIBE);
			break;
		case 4:
			ioctl(fd, KCHAN_IOC_UNSUBSCRIBE);
			break;
		default:
			poll(&p, 1, 0);
			break;
		}
		/* Give the main thread the CPU most of the time. */
		usleep(100 + fuzz_below(&rng, 400));
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static struct fuzz_key_list before;
	static struct dev_fuzz f;
	struct fuzz_args a;
	pthread_t race;
	uint64_t i;
	int s;

	fuzz_parse_args(argc, argv, &a);
	fuzz_seed(&f.rng, a.seed);
	f.seed = a.seed;
	map_areas(&f);
	f.queue_len = read_queue_len();
	for (s = 0; s < SLOTS; s++)
		open_slot(&f, s);
	fuzz_store_keys(dev_call, &f, &before);
	if (pthread_create(&race, NULL, racer, &f))
		die("pthread_create: cannot start the racing thread");

	for (i = 0; i < a.inputs; i++) {
		f.input = i;
		one_input(&f);
		if ((i + 1) % a.probe_every == 0)
			probe(&f, i);
		if (!fuzz_below(&f.rng, REOPEN_EVERY))
			reopen_slot(&f, (int)fuzz_below(&f.rng, SLOTS));
	}
	__atomic_store_n(&f.stop, 1, __ATOMIC_RELEASE);
	pthread_join(race, NULL);
	f.input = a.inputs;	/* failures from here on are the ending's */
	fuzz_finish(dev_call, &f, &before);
	for (s = 0; s < SLOTS; s++) {
		close(f.slot[s].fd);
		if (f.slot[s].kept)
			touch_and_unmap(&f, f.slot[s].kept, f.slot[s].kept_len);
	}
	fuzz_report(&f.tally, &a);
	return 0;
}
