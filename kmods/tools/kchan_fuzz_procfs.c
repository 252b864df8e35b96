// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_fuzz_procfs: malformed and mutated inputs through kchan_procfs's
 * files (kchan_fuzz.h has the contract, arguments and result line).
 *
 * /proc/kchan/call: the kchan requests of kchan_fuzz.c written whole and
 * their replies read back with buffers of every size (one byte at a time,
 * odd chunks, a zero-length read in between, a huge buffer); writes too
 * short, split in two, oversized (> KCHAN_MSG_MAX), from a bad address;
 * pwrite and pread at odd offsets (no position: ESPIPE); a read before any
 * write (ENODATA); two writes before a read (EBUSY); a reply read into a
 * bad address and then read again.
 * /proc/kchan/events: writes (refused), non-blocking reads of odd sizes
 * (whole events, EMSGSIZE when the next one does not fit, EAGAIN), poll,
 * opening and closing subscribers.
 * Every other file in /proc/kchan (store, stats): writes (refused), pread
 * at odd offsets and sizes, lseek, and the stats text checked line by line.
 *
 * What the kernel promises is checked as it goes: a refused write leaves
 * no reply, an accepted one leaves exactly one whole kchan reply (hdr.len
 * bytes, the REPLY flag, a status of 0 or an errno) followed by one end of
 * file; events are whole kchan event messages.  Anything else fails the
 * run, naming the seed and the input.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kchan_fuzz.h"

const char *prog = "kchan_fuzz_procfs";

#define PROC_DIR	"/proc/" KCHAN_PROC_DIR
#define PROC_STATS	PROC_DIR "/" KCHAN_PROC_STATS
/* Room for any reply, and for reads larger than any. */
#define READ_CAP	(2 * KCHAN_MSG_MAX)
/* The views: every file in PROC_DIR but call and events. */
#define VIEWS_MAX	8
/* store.entries, store.bytes, and four counters for each transport. */
#define STATS_LINES	(2 + 4 * (KCHAN_TRANSPORT_MAX + 1))

struct fuzzer {
	struct fuzz_args args;
	struct fuzz_rng rng;
	struct fuzz_tally tally;
	uint64_t input;
	int call;		/* /proc/kchan/call, no reply pending between inputs */
	int events;		/* /proc/kchan/events, O_NONBLOCK */
	uint8_t *kmsg;		/* FUZZ_MSG_CAP */
	uint8_t *rbuf;		/* READ_CAP */
	char views[VIEWS_MAX][sizeof(PROC_DIR) + 256];
	unsigned int n_views;
};

static struct fuzzer fz;

static void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	die("seed=%llu input %llu: %s", (unsigned long long)fz.args.seed,
	    (unsigned long long)fz.input, text);
}

static int open_or_die(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			die("open %s: %s (is kchan_procfs loaded?)", path,
			    strerror(errno));
		die("open %s: %s", path, strerror(errno));
	}
	return fd;
}

static void close_or_die(int fd, const char *what)
{
	if (close(fd))
		fail("close %s: %s", what, strerror(errno));
}

/* write(2): the bytes written, or the negative errno. */
static ssize_t xwrite(int fd, const void *buf, size_t len)
{
	ssize_t n = write(fd, buf, len);

	return n < 0 ? -errno : n;
}

static ssize_t xread(int fd, void *buf, size_t len)
{
	ssize_t n = read(fd, buf, len);

	return n < 0 ? -errno : n;
}

/* ---- /proc/kchan/call --------------------------------------------------- */

/* A chunk size for reading a reply: tiny, odd, or huge. */
static size_t chunk_size(uint32_t style)
{
	switch (style) {
	case 0:
		return 1;
	case 1:
		return 1 + fuzz_below(&fz.rng, 17);
	case 2:
		return 1 + fuzz_below(&fz.rng, 4096);
	default:
		return READ_CAP;
	}
}

/*
 * Read the reply pending on @fd up to its end of file, in chunks of some
 * style, into fz.rbuf; check it is one whole kchan reply.  Returns its
 * status (0 or a negative errno).
 */
static int read_reply(int fd)
{
	uint32_t style = fuzz_below(&fz.rng, 4);
	size_t got = 0;
	struct kchan_hdr hdr;
	bool zero_read = !fuzz_below(&fz.rng, 8);

	/* Tiny chunks over a large reply would cost too much under TCG. */
	for (;;) {
		size_t want = chunk_size(style);
		ssize_t n;

		if (got >= KCHAN_HDR_LEN && style < 2) {
			memcpy(&hdr, fz.rbuf, sizeof(hdr));
			if (hdr.len > 512)
				style = 3;
		}
		if (zero_read && got) {
			/* Reads nothing, consumes nothing. */
			n = xread(fd, fz.rbuf + got, 0);
			if (n != 0)
				fail("a read of 0 bytes of a reply returned %zd", n);
			zero_read = false;
		}
		if (want > READ_CAP - got)
			want = READ_CAP - got;
		if (!want)
			fail("a reply longer than %d bytes", READ_CAP);
		n = xread(fd, fz.rbuf + got, want);
		if (n < 0)
			fail("read of a reply (%zu bytes in): %s", got,
			     strerror((int)-n));
		if (!n)
			break;
		got += (size_t)n;
	}
	if (got < KCHAN_HDR_LEN)
		fail("a reply of %zu bytes, shorter than the kchan header", got);
	memcpy(&hdr, fz.rbuf, sizeof(hdr));
	if (hdr.len != got || !(hdr.flags & KCHAN_F_REPLY) || hdr.status > 0)
		fail("a reply of %zu bytes with hdr.len %u, flags %#x, status %d",
		     got, hdr.len, hdr.flags, hdr.status);
	return hdr.status;
}

/*
 * After a refused write nothing is pending: no reply, and no end of file
 * either, since every reply is read up to its end of file here.
 */
static void expect_nothing_pending(int fd)
{
	ssize_t n = xread(fd, fz.rbuf, 64);

	if (n != -ENODATA)
		fail("a read after a refused write: %s, expected ENODATA",
		     n > 0 ? "bytes" : n ? strerror((int)-n) : "end of file");
}

/* Write @len bytes of @buf as one request and read whatever it leaves. */
static int call_write(int fd, const void *buf, size_t len)
{
	ssize_t n = xwrite(fd, buf, len);

	if (n < 0) {
		expect_nothing_pending(fd);
		return (int)n;
	}
	if ((size_t)n != len)
		fail("a write of %zu bytes returned %zd", len, n);
	return read_reply(fd);
}

static void call_request(void)
{
	struct fuzz_rng *r = &fz.rng;
	size_t len = fuzz_request(r, fz.kmsg, (uint32_t)fz.input,
				  fuzz_below(r, FUZZ_REQ_N));

	fuzz_count(&fz.tally, call_write(fz.call, fz.kmsg, len));
}

/* A write that must be refused: @what says why. */
static int must_refuse(int fd, const void *buf, size_t len, const char *what)
{
	ssize_t n = xwrite(fd, buf, len);

	if (n >= 0) {
		/* Read what it left, so the next input starts clean. */
		read_reply(fd);
		fail("%s of %zu bytes was accepted", what, len);
	}
	expect_nothing_pending(fd);
	return (int)n;
}

static void call_short(void)
{
	size_t len = fuzz_below(&fz.rng, KCHAN_HDR_LEN);

	fuzz_fill(&fz.rng, fz.kmsg, len);
	fuzz_count(&fz.tally, must_refuse(fz.call, fz.kmsg, len,
					  "a write shorter than the header"));
}

static void call_split(void)
{
	struct fuzz_rng *r = &fz.rng;
	size_t len = fuzz_request(r, fz.kmsg, (uint32_t)fz.input,
				  FUZZ_REQ_VALID);
	size_t first = 1 + fuzz_below(r, (uint32_t)len - 1);
	int err;

	err = must_refuse(fz.call, fz.kmsg, first, "the first part of a split write");
	/* The rest may by chance be a request of its own. */
	call_write(fz.call, fz.kmsg + first, len - first);
	fuzz_count(&fz.tally, err);
}

static void call_oversized(void)
{
	struct fuzz_rng *r = &fz.rng;
	size_t len = KCHAN_MSG_MAX + 1 + fuzz_below(r, KCHAN_MSG_MAX);
	int ret;

	if (!fuzz_below(r, 4))
		len = KCHAN_MSG_MAX + 1;
	/* Refused on its length alone: the bytes are never copied. */
	kchan_finish(fz.kmsg, KCHAN_CMD_ECHO, 1, len);
	ret = must_refuse(fz.call, fz.kmsg, len, "an oversized write");
	if (ret != -EMSGSIZE)
		fail("an oversized write: %s, expected EMSGSIZE",
		     strerror(-ret));
	fuzz_count(&fz.tally, ret);
}

/* KCHAN_MSG_MAX exactly: an ECHO padded out with empty PADs. */
static void call_largest(void)
{
	size_t off = KCHAN_HDR_LEN;
	int ret;

	off = put_attr(fz.kmsg, off, KCHAN_ATTR_PAYLOAD, "x", 1);
	while (off < KCHAN_MSG_MAX)
		off = put_attr(fz.kmsg, off, KCHAN_ATTR_PAD, NULL, 0);
	kchan_finish(fz.kmsg, KCHAN_CMD_ECHO, 1, off);
	ret = call_write(fz.call, fz.kmsg, off);
	if (ret)
		fail("an ECHO of exactly KCHAN_MSG_MAX bytes: %s",
		     strerror(-ret));
	fuzz_count(&fz.tally, ret);
}

static void call_positioned(void)
{
	struct fuzz_rng *r = &fz.rng;
	size_t len = fuzz_request(r, fz.kmsg, (uint32_t)fz.input,
				  FUZZ_REQ_VALID);
	off_t off = fuzz_below(r, 2) ? (off_t)fuzz_boundary(r) & 0x7fffffff :
		1 + fuzz_below(r, 4096);
	ssize_t n;

	if (fuzz_below(r, 2))
		n = pwrite(fz.call, fz.kmsg, len, off);
	else
		n = pread(fz.call, fz.rbuf, 1 + fuzz_below(r, 4096), off);
	if (n >= 0)
		fail("pwrite or pread at offset %lld succeeded", (long long)off);
	if (errno != ESPIPE)
		fail("pwrite or pread at offset %lld: %s, expected ESPIPE",
		     (long long)off, strerror(errno));
	fuzz_count(&fz.tally, -errno);
}

static void call_read_first(void)
{
	int fd = open_or_die(PROC_CALL, O_RDWR);
	ssize_t n = xread(fd, fz.rbuf, 1 + fuzz_below(&fz.rng, 4096));

	if (n != -ENODATA)
		fail("a read before any write: %s, expected ENODATA",
		     n >= 0 ? "bytes or end of file" : strerror((int)-n));
	close_or_die(fd, PROC_CALL);
	fuzz_count(&fz.tally, (int)n);
}

static void call_two_writes(void)
{
	struct fuzz_rng *r = &fz.rng;
	size_t len = fuzz_request(r, fz.kmsg, (uint32_t)fz.input,
				  FUZZ_REQ_VALID);
	ssize_t n = xwrite(fz.call, fz.kmsg, len), second;

	if (n < 0)
		fail("a valid request (cmd %u) refused: %s",
		     kchan_header(fz.kmsg).cmd, strerror((int)-n));
	second = xwrite(fz.call, fz.kmsg, len);
	if (second != -EBUSY)
		fail("a second write before the reply was read: %s, expected EBUSY",
		     second >= 0 ? "accepted" : strerror((int)-second));
	read_reply(fz.call);
	fuzz_count(&fz.tally, (int)second);
}

static void call_bad_address(void)
{
	struct fuzz_rng *r = &fz.rng;
	void *bad = (void *)(uintptr_t)(fuzz_below(r, 2) ? 16 : 0xffffffffff000000ULL);
	size_t len;
	ssize_t n;

	if (fuzz_below(r, 2)) {
		n = must_refuse(fz.call, bad, 16 + fuzz_below(r, 4096),
				"a write from a bad address");
		if (n != -EFAULT)
			fail("a write from a bad address: %s, expected EFAULT",
			     strerror((int)-n));
		fuzz_count(&fz.tally, (int)n);
		return;
	}
	/* A reply read into a bad address stays there to be read again. */
	len = fuzz_request(r, fz.kmsg, (uint32_t)fz.input, FUZZ_REQ_VALID);
	if (xwrite(fz.call, fz.kmsg, len) < 0)
		fail("a valid request (cmd %u) refused: %s",
		     kchan_header(fz.kmsg).cmd, strerror(errno));
	n = xread(fz.call, bad, 64);
	if (n != -EFAULT)
		fail("a read into a bad address: %s, expected EFAULT",
		     n >= 0 ? "bytes" : strerror((int)-n));
	read_reply(fz.call);
	fuzz_count(&fz.tally, (int)n);
}

static void call_input(void)
{
	switch (fuzz_below(&fz.rng, 16)) {
	case 0:
		call_short();
		break;
	case 1:
		call_split();
		break;
	case 2:
		if (fuzz_below(&fz.rng, 50))
			call_oversized();
		else
			call_largest();
		break;
	case 3:
		call_positioned();
		break;
	case 4:
		call_read_first();
		break;
	case 5:
		call_two_writes();
		break;
	case 6:
		call_bad_address();
		break;
	default:
		call_request();
		break;
	}
}

/* ---- /proc/kchan/events ------------------------------------------------- */

/* @n bytes of events at fz.rbuf: whole kchan event messages. */
static void check_events(size_t n)
{
	size_t off = 0;

	while (off < n) {
		struct kchan_hdr hdr;

		if (n - off < KCHAN_HDR_LEN)
			fail("events read: %zu bytes left, less than a header",
			     n - off);
		memcpy(&hdr, fz.rbuf + off, sizeof(hdr));
		if (hdr.len < KCHAN_HDR_LEN || hdr.len > n - off ||
		    hdr.cmd != KCHAN_CMD_EVENT || !(hdr.flags & KCHAN_F_EVENT))
			fail("events read: a message of cmd %u, flags %#x, len %u at %zu of %zu",
			     hdr.cmd, hdr.flags, hdr.len, off, n);
		off += hdr.len;
	}
}

static int events_read(int fd, size_t len)
{
	ssize_t n = xread(fd, fz.rbuf, len);

	if (n > 0)
		check_events((size_t)n);
	else if (n == 0 && len)
		fail("an events read of %zu bytes returned end of file", len);
	else if (n < 0 && n != -EAGAIN && n != -EMSGSIZE)
		fail("an events read of %zu bytes: %s", len,
		     strerror((int)-n));
	return n < 0 ? (int)n : 0;
}

static void events_drain(int fd)
{
	while (events_read(fd, READ_CAP) == 0)
		;
}

static void events_input(void)
{
	struct fuzz_rng *r = &fz.rng;
	struct pollfd p = { .fd = fz.events, .events = POLLIN };
	int fd, ret;

	switch (fuzz_below(r, 5)) {
	case 0:
		fuzz_fill(r, fz.kmsg, 64);
		ret = (int)xwrite(fz.events, fz.kmsg, fuzz_below(r, 65));
		if (ret >= 0)
			fail("a write to " PROC_EVENTS " was accepted");
		break;
	case 1:
		ret = poll(&p, 1, 0);
		if (ret < 0)
			fail("poll " PROC_EVENTS ": %s", strerror(errno));
		if (ret && (p.revents & ~(POLLIN | POLLRDNORM)))
			fail("poll " PROC_EVENTS ": revents %#x", p.revents);
		ret = 0;
		break;
	case 2:	/* subscribe, maybe read, unsubscribe */
		fd = open_or_die(PROC_EVENTS, O_RDONLY | O_NONBLOCK);
		ret = fuzz_below(r, 2) ? events_read(fd, fuzz_boundary(r) % READ_CAP) : 0;
		close_or_die(fd, PROC_EVENTS);
		break;
	default:
		ret = events_read(fz.events, fuzz_below(r, 4) ?
				  fuzz_below(r, 256) :
				  fuzz_boundary(r) % READ_CAP);
		break;
	}
	fuzz_count(&fz.tally, ret);
}

/* ---- the views ---------------------------------------------------------- */

/* The whole of /proc/kchan/stats: STATS_LINES "name<TAB>number" lines. */
static void check_stats(void)
{
	int fd = open_or_die(PROC_STATS, O_RDONLY);
	ssize_t n = xread(fd, fz.rbuf, READ_CAP - 1);
	unsigned int lines = 0;
	char *line, *save = NULL;

	if (n <= 0)
		fail("read " PROC_STATS ": %s",
		     n ? strerror((int)-n) : "empty");
	fz.rbuf[n] = '\0';
	for (line = strtok_r((char *)fz.rbuf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t'), *end;

		if (!tab || tab == line)
			fail(PROC_STATS ": line '%s' is not name<TAB>number", line);
		strtoull(tab + 1, &end, 10);
		if (end == tab + 1 || *end)
			fail(PROC_STATS ": line '%s' is not name<TAB>number", line);
		lines++;
	}
	if (lines != STATS_LINES)
		fail(PROC_STATS ": %u lines, expected %d", lines, STATS_LINES);
	close_or_die(fd, PROC_STATS);
}

static void view_input(void)
{
	struct fuzz_rng *r = &fz.rng;
	const char *path = fz.views[fuzz_below(r, fz.n_views)];
	int fd, ret;
	off_t off;

	switch (fuzz_below(r, 4)) {
	case 0:	/* the views are read-only: root may open them, not write */
		fd = open_or_die(path, fuzz_below(r, 2) ? O_WRONLY : O_RDWR);
		fuzz_fill(r, fz.kmsg, 64);
		ret = (int)xwrite(fd, fz.kmsg, fuzz_below(r, 65));
		if (ret >= 0)
			fail("a write to %s was accepted", path);
		close_or_die(fd, path);
		break;
	case 1:
		check_stats();
		ret = 0;
		break;
	case 2:	/* lseek anywhere, then read */
		fd = open_or_die(path, O_RDONLY);
		off = lseek(fd, fuzz_below(r, 2) ? (off_t)fuzz_boundary(r) :
			    -(off_t)fuzz_below(r, 64), (int)fuzz_below(r, 3));
		ret = off < 0 ? -errno : (int)xread(fd, fz.rbuf,
						     1 + fuzz_below(r, 512));
		if (ret < 0 && ret != -EINVAL)
			fail("lseek and read %s: %s", path, strerror(-ret));
		close_or_die(fd, path);
		break;
	default: /* pread at odd offsets and sizes */
		fd = open_or_die(path, O_RDONLY);
		off = fuzz_below(r, 4) ? (off_t)fuzz_below(r, 2048) :
			(off_t)fuzz_boundary(r);
		if (!fuzz_below(r, 16))
			off = -1 - (off_t)fuzz_below(r, 8);
		ret = (int)pread(fd, fz.rbuf, fuzz_below(r, 4) ?
				 fuzz_below(r, 64) : fuzz_boundary(r) % READ_CAP,
				 off);
		if (ret < 0) {
			ret = -errno;
			if (ret != -EINVAL || off >= 0)
				fail("pread %s at %lld: %s", path,
				     (long long)off, strerror(-ret));
		}
		close_or_die(fd, path);
		break;
	}
	fuzz_count(&fz.tally, ret);
}

/* Every file in /proc/kchan but call and events. */
static void find_views(void)
{
	DIR *d = opendir(PROC_DIR);
	struct dirent *e;

	if (!d)
		die("opendir " PROC_DIR ": %s (is kchan_procfs loaded?)",
		    strerror(errno));
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, KCHAN_PROC_CALL) ||
		    !strcmp(e->d_name, KCHAN_PROC_EVENTS))
			continue;
		if (fz.n_views == VIEWS_MAX)
			die(PROC_DIR " holds more than %d views", VIEWS_MAX);
		snprintf(fz.views[fz.n_views++], sizeof(fz.views[0]),
			 PROC_DIR "/%s", e->d_name);
	}
	closedir(d);
	if (!fz.n_views)
		die(PROC_DIR " has no view besides call and events");
}

/* ---- probes and the end ------------------------------------------------- */

/* A valid request on a fresh open of call: its status, the reply in rbuf. */
static int exchange(const uint8_t *kmsg)
{
	int fd = open_or_die(PROC_CALL, O_RDWR);
	int ret = call_write(fd, kmsg, kchan_header(kmsg).len);

	close_or_die(fd, PROC_CALL);
	return ret;
}

static void gen_stop(void)
{
	int ret;

	kchan_finish(fz.kmsg, KCHAN_CMD_GEN_STOP, 1, KCHAN_HDR_LEN);
	ret = exchange(fz.kmsg);
	if (ret)
		fail("GEN_STOP: %s", strerror(-ret));
}

static void probe(void)
{
	struct kchan_hdr hdr;
	const char *wrong;
	int ret;

	fuzz_echo_probe(fz.kmsg, fz.input, (uint32_t)fz.input);
	ret = exchange(fz.kmsg);
	if (ret)
		die("seed=%llu probe after input %llu: ECHO failed: %s",
		    (unsigned long long)fz.args.seed,
		    (unsigned long long)fz.input, strerror(-ret));
	memcpy(&hdr, fz.rbuf, sizeof(hdr));
	wrong = fuzz_echo_check(fz.rbuf + KCHAN_HDR_LEN,
				hdr.len - KCHAN_HDR_LEN, fz.input);
	if (wrong || hdr.cmd != KCHAN_CMD_ECHO ||
	    hdr.seq != (uint32_t)fz.input)
		die("seed=%llu probe after input %llu: ECHO: %s",
		    (unsigned long long)fz.args.seed,
		    (unsigned long long)fz.input,
		    wrong ? wrong : "the reply's cmd or seq differ");
	/* A mutated GEN_START may have started a long run: keep it short. */
	gen_stop();
	events_drain(fz.events);
	fz.tally.probes++;
}

/* exchange() of @kmsg, the reply's attributes at *@attrs. */
static int exchange_attrs(const uint8_t *kmsg, const uint8_t **attrs,
			  size_t *alen)
{
	int ret = exchange(kmsg);
	struct kchan_hdr hdr;

	memcpy(&hdr, fz.rbuf, sizeof(hdr));
	*attrs = fz.rbuf + KCHAN_HDR_LEN;
	*alen = hdr.len - KCHAN_HDR_LEN;
	return ret;
}

int main(int argc, char **argv)
{
	struct fuzz_keys before = { 0 };
	uint64_t i;

	fuzz_parse_args(argc, argv, &fz.args);
	fuzz_seed(&fz.rng, fz.args.seed);
	fz.kmsg = xalloc(FUZZ_MSG_CAP);
	fz.rbuf = xalloc(READ_CAP);
	find_views();
	fz.call = open_or_die(PROC_CALL, O_RDWR);
	fz.events = open_or_die(PROC_EVENTS, O_RDWR | O_NONBLOCK);
	fuzz_store_list(fz.kmsg, exchange_attrs, &before);

	for (i = 0; i < fz.args.inputs; i++) {
		uint32_t file = fuzz_below(&fz.rng, 10);

		fz.input = i;
		if (file < 7)
			call_input();
		else if (file < 8)
			events_input();
		else
			view_input();
		if ((i + 1) % fz.args.probe_every == 0)
			probe();
	}

	fz.input = fz.args.inputs;
	fuzz_round_trip(fz.kmsg, exchange_attrs, "procfs", &fz.args,
			fz.tally.inputs);
	gen_stop();
	fuzz_store_restore(fz.kmsg, exchange_attrs, &before);
	fuzz_keys_free(&before);
	events_drain(fz.events);
	close_or_die(fz.events, PROC_EVENTS);
	close_or_die(fz.call, PROC_CALL);
	fuzz_report(&fz.tally, &fz.args);
	return 0;
}
