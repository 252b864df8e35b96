// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_fuzz_sockopt: the fuzzer of kchan_sockopt (kchan_fuzz.h says what
 * every fuzzer does and prints).
 *
 * Each input is one setsockopt(2) or getsockopt(2) at level IPPROTO_IP of
 * an AF_INET UDP or TCP socket: every KCHAN_SO_* option and a few on each
 * side of the range, each through both calls (a command on the wrong call
 * included), carrying a malformed or mutated kchan message (kchan_fuzzmsg.c)
 * whose header agrees with the option and length three times in four; the
 * length and pointers lie as often: optlen against hdr.len, getsockopt's
 * *optlen of 0, 1, less than the header or hdr.len, huge, or larger than
 * the buffer really given, NULL and unmapped optval and optlen pointers.
 *
 * The buffer really given always ends where a PROT_NONE page starts, so a
 * kernel that copied more than it was promised would fault (and must
 * answer EFAULT) instead of overrunning in silence, and the bytes between
 * the *optlen promised and that end are checked to be untouched.  A
 * getsockopt that succeeds must leave a well-formed reply of *optlen bytes,
 * or, when *optlen grew past what was given, a header with status -ERANGE
 * and len equal to the new *optlen.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kchan_fuzzmsg.h"

const char *prog = "kchan_fuzz_sockopt";

/* The longest request any option takes (ECHO), with room to spare. */
#define AREA_LEN	(80 * 1024)
/* A new pair of sockets this often, on average. */
#define SOCKETS_EVERY	500

struct so_fuzz {
	struct fuzz_rng rng;
	struct fuzz_tally tally;
	uint64_t seed;
	uint64_t input;
	int fd[2];		/* UDP, TCP */
	uint8_t *area;		/* AREA_LEN bytes, then the guard page */
	uint8_t *guard;		/* PROT_NONE */
	uint8_t *ro;		/* a read-only page */
	uint8_t *msg;		/* where inputs are built */
	uint8_t *saved;		/* the buffer as given, to find overruns */
	uint8_t *probe;		/* probes' buffer */
};

static void open_sockets(struct so_fuzz *f)
{
	f->fd[0] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	f->fd[1] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (f->fd[0] < 0 || f->fd[1] < 0)
		die_errno("socket AF_INET");
}

static void close_sockets(struct so_fuzz *f)
{
	close(f->fd[0]);
	close(f->fd[1]);
}

static void map_areas(struct so_fuzz *f)
{
	long page = sysconf(_SC_PAGESIZE);
	uint8_t *m;

	m = mmap(NULL, AREA_LEN + 2 * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		die_errno("mmap the fuzzing area");
	f->area = m;
	f->guard = m + AREA_LEN;
	f->ro = f->guard + page;
	if (mprotect(f->guard, page, PROT_NONE) ||
	    mprotect(f->ro, page, PROT_READ))
		die_errno("mprotect the guard pages");
	f->msg = xalloc(KCHAN_MSG_MAX);
	f->saved = xalloc(AREA_LEN);
	f->probe = xalloc(AREA_LEN);
}

/* One line naming the seed and the input, then exit 1. */
#define fail(f, fmt, ...) \
	die("seed=%llu input=%llu: " fmt, (unsigned long long)(f)->seed, \
	    (unsigned long long)(f)->input, ##__VA_ARGS__)

/* An option number: the command's mostly, else any near the range. */
static int pick_option(struct so_fuzz *f, uint16_t cmd)
{
	if (fuzz_below(&f->rng, 8))
		return KCHAN_SO_BASE_CTL + (cmd <= KCHAN_CMD_MAX + 3 ? cmd : 0);
	return KCHAN_SO_BASE_CTL - 3 +
	       (int)fuzz_below(&f->rng, KCHAN_SO_MAX - KCHAN_SO_BASE_CTL + 7);
}

/* A pointer the kernel must refuse: NULL, unmapped, no access, kernel. */
static void *bad_pointer(struct so_fuzz *f)
{
	switch (fuzz_below(&f->rng, 5)) {
	case 0:
		return NULL;
	case 1:
		return (void *)1;
	case 2:
		return f->guard;
	case 3:
		return f->guard - 3;	/* starts mapped, runs into the guard */
	default:
		return (void *)0xffff888000000000ULL;
	}
}

/* The real buffer: @len bytes that end where the guard page starts. */
static uint8_t *place(struct so_fuzz *f, size_t len)
{
	return f->guard - len;
}

/* Is the option number one setsockopt should run? */
static int is_set_option(int opt)
{
	switch (opt) {
	case KCHAN_SO_SET:
	case KCHAN_SO_DELETE:
	case KCHAN_SO_GEN_START:
	case KCHAN_SO_GEN_STOP:
		return 1;
	default:
		return 0;
	}
}

static void fuzz_set(struct so_fuzz *f, int fd, int opt, size_t len)
{
	uint8_t *buf = place(f, len);
	const void *optval = buf;
	int optlen = (int)len;

	memcpy(buf, f->msg, len);
	switch (fuzz_below(&f->rng, 8)) {
	case 0:
		optlen = (int)fuzz_boundary(&f->rng);
		break;
	case 1:
		optlen = (int)len + (int)fuzz_below(&f->rng, 9) - 4;
		break;
	case 2:
		optval = bad_pointer(f);
		break;
	case 3:
		optval = f->ro;	/* readable, zeroes: a valid source */
		break;
	default:
		break;
	}
	if (setsockopt(fd, IPPROTO_IP, opt, optval, (socklen_t)optlen))
		fuzz_count(&f->tally, -errno);
	else
		fuzz_count(&f->tally, 0);
}

/* *optlen as getsockopt is told it, against the real buffer of @real. */
static int lying_len(struct so_fuzz *f, size_t msg_len, size_t real)
{
	switch (fuzz_below(&f->rng, 10)) {
	case 0:
		return (int)fuzz_below(&f->rng, 2);	/* 0 or 1 */
	case 1:
		return (int)fuzz_below(&f->rng, KCHAN_HDR_LEN);
	case 2:		/* smaller than hdr.len */
		if (msg_len <= KCHAN_HDR_LEN)
			return (int)msg_len;
		return KCHAN_HDR_LEN +
		       (int)fuzz_below(&f->rng, (uint32_t)(msg_len - KCHAN_HDR_LEN));
	case 3:
		return (int)fuzz_boundary(&f->rng);	/* huge and negative too */
	case 4:		/* more than the buffer really has */
		return (int)(real + 1 + fuzz_below(&f->rng, 2 * 4096));
	default:
		return (int)real;
	}
}

static void fuzz_get(struct so_fuzz *f, int fd, int opt, size_t len)
{
	size_t real = len;
	uint8_t *buf;
	void *optval;
	socklen_t given, optlen, *lenp = &optlen;
	int ret, err;

	/* Room for the reply, or not: often the request's own length. */
	switch (fuzz_below(&f->rng, 4)) {
	case 0:
		real = len + fuzz_below(&f->rng, 512);
		break;
	case 1:
		real = len > 4096 ? len : 4096;
		break;
	default:
		break;
	}
	if (real > AREA_LEN)
		real = AREA_LEN;
	if (len > real)
		len = real;
	buf = place(f, real);
	memcpy(buf, f->msg, len);
	fuzz_fill(&f->rng, buf + len, real - len);
	memcpy(f->saved, buf, real);
	optval = buf;
	given = (socklen_t)lying_len(f, len, real);
	switch (fuzz_below(&f->rng, 12)) {
	case 0:
		optval = bad_pointer(f);
		break;
	case 1:
		optval = f->ro;
		break;
	case 2:
		lenp = fuzz_below(&f->rng, 2) ? NULL : (socklen_t *)f->ro;
		break;
	default:
		break;
	}
	optlen = given;
	ret = getsockopt(fd, IPPROTO_IP, opt, optval, lenp);
	err = errno;

	/* Whatever happened, nothing past what was promised changed. */
	if (optval == buf && (int)given >= 0 && given < real &&
	    memcmp(buf + given, f->saved + given, real - given))
		fail(f, "getsockopt %d wrote past *optlen %u", opt, given);
	if (ret) {
		fuzz_count(&f->tally, -err);
		return;
	}
	if (optval != buf || lenp != &optlen)
		fail(f, "getsockopt %d succeeded with a bad pointer", opt);
	if (optlen <= given) {
		const char *bad = fuzz_reply_check(buf, optlen);

		if (bad)
			fail(f, "getsockopt %d: %s", opt, bad);
		fuzz_count_reply(&f->tally, buf);
		return;
	}
	/* Too small: only the header, with -ERANGE and the length needed. */
	if (kchan_header(buf).status != -ERANGE || kchan_header(buf).len != optlen)
		fail(f, "getsockopt %d grew *optlen %u to %u, no -ERANGE header of that len",
		     opt, given, optlen);
	fuzz_count(&f->tally, -ERANGE);
}

static void one_input(struct so_fuzz *f)
{
	/* Mostly a command with an option: the others are pick_option's. */
	uint16_t cmd = fuzz_below(&f->rng, 10) ?
		       (uint16_t)(1 + fuzz_below(&f->rng, KCHAN_CMD_GEN_STOP)) :
		       fuzz_cmd(&f->rng);
	int opt = pick_option(f, cmd);
	int fd = f->fd[fuzz_below(&f->rng, 2)];
	size_t len;
	int set;

	len = fuzz_msg(&f->rng, fuzz_msg_kind(&f->rng), f->msg,
		       AREA_LEN - 4096, cmd);
	if (fuzz_below(&f->rng, 4))
		fuzz_frame(f->msg, len, (uint16_t)(opt - KCHAN_SO_BASE_CTL));
	/* The option's own call mostly, the other one sometimes. */
	set = is_set_option(opt);
	if (!fuzz_below(&f->rng, 10))
		set = !set;
	if (set)
		fuzz_set(f, fd, opt, len);
	else
		fuzz_get(f, fd, opt, len);
}

/* The door for the fuzzer's own requests: getsockopt or setsockopt. */
static long so_call(void *door, const uint8_t *req, size_t len,
		    uint8_t *reply, size_t cap)
{
	struct so_fuzz *f = door;
	struct kchan_hdr hdr = kchan_header(req);
	int opt = KCHAN_SO_BASE_CTL + hdr.cmd;
	socklen_t n = (socklen_t)cap;

	if (is_set_option(opt))
		return setsockopt(f->fd[0], IPPROTO_IP, opt, req, (socklen_t)len) ?
		       -errno : 0;
	memcpy(reply, req, len);
	if (getsockopt(f->fd[0], IPPROTO_IP, opt, reply, &n))
		return -errno;
	if (n > cap)
		return -ERANGE;
	return (long)n;
}

static void probe(struct so_fuzz *f, uint64_t i)
{
	static const struct kchan_hdr stop = {
		.cmd = KCHAN_CMD_GEN_STOP, .len = KCHAN_HDR_LEN,
	};
	socklen_t n = AREA_LEN;
	const char *bad;

	fuzz_probe_request(f->probe, i);
	if (getsockopt(f->fd[fuzz_below(&f->rng, 2)], IPPROTO_IP, KCHAN_SO_ECHO,
		       f->probe, &n))
		fail(f, "probe after input: getsockopt ECHO: %s", strerror(errno));
	bad = fuzz_probe_check(f->probe, n, i);
	if (bad)
		fail(f, "probe after input: %s", bad);
	/* Mutated GEN_STARTs may have started the generator: stop it. */
	if (setsockopt(f->fd[0], IPPROTO_IP, KCHAN_SO_GEN_STOP, &stop,
		       sizeof(stop)))
		fail(f, "probe after input: GEN_STOP: %s", strerror(errno));
	f->tally.probes++;
}

int main(int argc, char **argv)
{
	static struct fuzz_key_list before;
	struct fuzz_args a;
	struct so_fuzz f = { 0 };
	uint64_t i;

	fuzz_parse_args(argc, argv, &a);
	fuzz_seed(&f.rng, a.seed);
	f.seed = a.seed;
	map_areas(&f);
	open_sockets(&f);
	fuzz_store_keys(so_call, &f, &before);

	for (i = 0; i < a.inputs; i++) {
		f.input = i;
		one_input(&f);
		if ((i + 1) % a.probe_every == 0)
			probe(&f, i);
		if (!fuzz_below(&f.rng, SOCKETS_EVERY)) {
			close_sockets(&f);
			open_sockets(&f);
		}
	}
	f.input = a.inputs;	/* failures from here on are the ending's */
	fuzz_finish(so_call, &f, &before);
	close_sockets(&f);
	fuzz_report(&f.tally, &a);
	return 0;
}
