// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_fuzz_netlink: malformed and mutated inputs through kchan_netlink's
 * two doors (kchan_fuzz.h has the contract, arguments and result line).
 *
 * Generic Netlink, family "kchan": the kchan requests of kchan_fuzz.c as
 * genl attributes, with the genl header's cmd and version and the netlink
 * header's length, flags and type fuzzed too (NLM_F_DUMP on operations
 * that have no dump, another family's type, a length past the datagram, a
 * genl header cut short).
 *
 * The raw unit (KCHAN_RAW_UNIT_DEFAULT): the same kchan requests as the
 * payload of REQUEST messages, other message types, lying lengths and
 * flags; and event endpoints: sockets of their own that send HELLO and
 * BYE (with and without payload, twice, not at all) and close.
 *
 * Every input is followed by a barrier on its socket: an NLMSG_NOOP with
 * NLM_F_ACK of a sequence number of its own.  Both doors handle input in
 * the sender's context, so everything the input gets back directly (its
 * reply, error or ack) comes before the barrier's ack; a raw REQUEST that
 * was queued is answered later by its REPLY, which is then waited for.
 * Dump parts that follow the barrier (a dump continues as it is read) are
 * read up to their NLMSG_DONE.  Messages with other sequence numbers come
 * from netlink messages hidden in the rest of a datagram whose first
 * nlmsg_len was cut short, or from a dump such a message started: they are
 * read and left uncounted.  So nothing stale is ever taken for an answer.
 * Sockets have a receive timeout: an answer that does not come fails the
 * run, naming the input.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kchan_fuzz.h"

const char *prog = "kchan_fuzz_netlink";

/* Under TCG a busy guest may take a while; no answer at all is a bug. */
#define RECV_TIMEOUT_S		10
#define SOCK_BUF_BYTES		(4 << 20)
/* Room for any datagram built here: headers and the largest request. */
#define OUT_CAP			(FUZZ_MSG_CAP + 64)
/* raw_send()'s nlmsg_len that stands for the true one (no lie is 0). */
#define TRUE_LEN		0xfffffff0u

struct fuzzer {
	struct fuzz_args args;
	struct fuzz_rng rng;
	struct fuzz_tally tally;
	struct genl genl;
	int raw;
	uint32_t seq;
	uint64_t input;		/* the input being sent, for failures */
	uint64_t strays;	/* answers to hidden messages, uncounted */
	uint8_t *kmsg;		/* a kchan request, FUZZ_MSG_CAP */
	uint8_t *out;		/* the datagram sent, OUT_CAP */
	uint8_t *in;		/* a datagram received, NL_BUF_LEN */
	uint8_t *reply;		/* the answer's payload, NL_BUF_LEN */
};

/* What one input got back. */
struct answer {
	int err;		/* the first errno, negative; 0 if none */
	bool replied;		/* a reply (genl message, raw REPLY) came */
	size_t reply_len;	/* its payload, copied to fuzzer.reply */
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

static uint32_t next_seq(void)
{
	/* 0 is what a kchan header hidden in a datagram reads as its seq. */
	if (++fz.seq == 0)
		fz.seq = 1;
	return fz.seq;
}

static void sock_setup(int fd)
{
	struct timeval tv = { .tv_sec = RECV_TIMEOUT_S };
	int bytes = SOCK_BUF_BYTES;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		die_errno("setsockopt SO_RCVTIMEO");
	/* Lets requests up to (and past) KCHAN_MSG_MAX reach the kernel. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof(bytes)))
		die_errno("setsockopt SO_SNDBUFFORCE (run as root)");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)))
		die_errno("setsockopt SO_RCVBUFFORCE (run as root)");
}

static int raw_socket(void)
{
	int fd = nl_socket(KCHAN_RAW_UNIT_DEFAULT);

	sock_setup(fd);
	return fd;
}

/* 0, or the negative errno send() failed with. */
static int send_dgram(int fd, const void *buf, size_t len)
{
	if (send(fd, buf, len, 0) < 0)
		return -errno;
	return 0;
}

static void send_barrier(int fd, uint32_t seq)
{
	struct nlmsghdr nlh = {
		.nlmsg_len = NLMSG_HDRLEN,
		.nlmsg_type = NLMSG_NOOP,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
		.nlmsg_seq = seq,
	};

	if (send(fd, &nlh, sizeof(nlh), 0) < 0)
		fail("send the barrier: %s", strerror(errno));
}

static void keep_reply(struct answer *ans, const void *payload, size_t len)
{
	if (ans->replied)
		return;
	ans->replied = true;
	ans->reply_len = len;
	memcpy(fz.reply, payload, len);
}

/* A raw REPLY must be one whole kchan reply. */
static int check_raw_reply(const struct nlmsghdr *nlh, struct answer *ans)
{
	size_t len = nlh->nlmsg_len - NLMSG_HDRLEN;
	struct kchan_hdr hdr;

	if (len < KCHAN_HDR_LEN)
		fail("a raw REPLY of %zu bytes, shorter than the kchan header",
		     len);
	memcpy(&hdr, NLMSG_DATA(nlh), sizeof(hdr));
	if (hdr.len != len || !(hdr.flags & KCHAN_F_REPLY) || hdr.status > 0)
		fail("a raw REPLY with hdr.len %u (payload %zu), flags %#x, status %d",
		     hdr.len, len, hdr.flags, hdr.status);
	keep_reply(ans, NLMSG_DATA(nlh), len);
	return hdr.status;
}

/*
 * Read until the barrier @bseq is acked, a dump of @seq is done and, when
 * @want_reply (a queued raw REQUEST), its REPLY has come.
 */
static void collect(int fd, bool raw, uint32_t seq, uint32_t bseq,
		    bool want_reply, struct answer *ans)
{
	bool barrier = false, dump = false;

	memset(ans, 0, sizeof(*ans));
	while (!barrier || dump || (want_reply && !ans->replied && !ans->err)) {
		ssize_t n = recv(fd, fz.in, NL_BUF_LEN, 0);
		struct nlmsghdr *nlh;
		int left;

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				fail("no answer within %d s (%s%s%s)",
				     RECV_TIMEOUT_S,
				     barrier ? "" : "barrier not acked ",
				     dump ? "dump not done " : "",
				     want_reply ? "raw REPLY awaited" : "");
			/*
			 * Overrun by events pushed to an endpoint that a
			 * hidden HELLO registered: a lost answer shows as a
			 * timeout above.
			 */
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			fail("recv: %s", strerror(errno));
		}
		left = (int)n;
		for (nlh = (void *)fz.in; NLMSG_OK(nlh, left);
		     nlh = NLMSG_NEXT(nlh, left)) {
			const struct nlmsgerr *e = NLMSG_DATA(nlh);

			if (nlh->nlmsg_type == NLMSG_ERROR &&
			    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
				fail("an NLMSG_ERROR of %u bytes", nlh->nlmsg_len);
			if (nlh->nlmsg_seq == bseq &&
			    nlh->nlmsg_type == NLMSG_ERROR) {
				if (e->error)
					fail("the barrier NOOP got %s",
					     strerror(-e->error));
				barrier = true;
				continue;
			}
			if (nlh->nlmsg_seq != seq ||
			    (raw && nlh->nlmsg_type == KCHAN_RAW_MSG_EVENT)) {
				fz.strays++;
				continue;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				if (e->error > 0)
					fail("an NLMSG_ERROR with error %d",
					     e->error);
				if (e->error && !ans->err)
					ans->err = e->error;
				continue;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				int done = 0;

				if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(done))
					memcpy(&done, NLMSG_DATA(nlh),
					       sizeof(done));
				if (done && !ans->err)
					ans->err = done;
				dump = false;
				continue;
			}
			if (nlh->nlmsg_flags & NLM_F_MULTI)
				dump = true;
			if (raw && nlh->nlmsg_type == KCHAN_RAW_MSG_REPLY) {
				int status = check_raw_reply(nlh, ans);

				if (status && !ans->err)
					ans->err = status;
			} else if (!raw) {
				keep_reply(ans, NLMSG_DATA(nlh),
					   nlh->nlmsg_len - NLMSG_HDRLEN);
			}
		}
	}
}

/* ---- Generic Netlink ---------------------------------------------------- */

static uint16_t other_type(void)
{
	const uint16_t types[] = {
		GENL_ID_CTRL, (uint16_t)(fz.genl.family + 1),
		(uint16_t)(fz.genl.family - 1), NLMSG_NOOP, NLMSG_ERROR,
		NLMSG_DONE, NLMSG_OVERRUN, 0, (uint16_t)fuzz_next(&fz.rng),
	};

	return types[fuzz_below(&fz.rng, sizeof(types) / sizeof(types[0]))];
}

static uint16_t fuzz_flags(void)
{
	struct fuzz_rng *r = &fz.rng;
	uint16_t flags = NLM_F_REQUEST;

	if (!fuzz_below(r, 8))
		flags |= NLM_F_ACK;
	if (!fuzz_below(r, 10))
		flags |= NLM_F_DUMP;
	if (!fuzz_below(r, 30))
		flags |= NLM_F_ECHO;
	if (!fuzz_below(r, 40))
		flags = (uint16_t)fuzz_next(r);
	if (!fuzz_below(r, 50))
		flags = 0;
	return flags;
}

/* nlmsg_len as built, or now and then a lie about it. */
static uint32_t fuzz_nlmsg_len(uint32_t len)
{
	struct fuzz_rng *r = &fz.rng;

	if (fuzz_below(r, 16))
		return len;
	switch (fuzz_below(r, 5)) {
	case 0:		/* past the datagram */
		return len + 1 + fuzz_below(r, 8);
	case 1:		/* shorter than the netlink header */
		return fuzz_below(r, NLMSG_HDRLEN);
	case 2:		/* cut short: the rest reads as more messages */
		return len > NLMSG_HDRLEN ?
			NLMSG_HDRLEN + fuzz_below(r, len - NLMSG_HDRLEN) : len;
	default:
		return fuzz_boundary(r);
	}
}

/* One input through Generic Netlink. */
static void genl_input(void)
{
	struct fuzz_rng *r = &fz.rng;
	uint32_t seq = next_seq(), bseq;
	size_t klen = fuzz_request(r, fz.kmsg, seq, fuzz_below(r, FUZZ_REQ_N));
	const uint8_t *attrs = fz.kmsg;
	size_t alen = klen, len;
	struct genlmsghdr gh = { .version = KCHAN_GENL_VERSION };
	struct nlmsghdr nlh = { .nlmsg_seq = seq };
	struct answer ans;
	int err;

	if (klen >= KCHAN_HDR_LEN) {
		gh.cmd = (uint8_t)kchan_header(fz.kmsg).cmd;
		attrs += KCHAN_HDR_LEN;
		alen -= KCHAN_HDR_LEN;
	} else {
		gh.cmd = (uint8_t)fuzz_next(r);
	}
	if (!fuzz_below(r, 12))
		gh.cmd = (uint8_t)fuzz_next(r);
	if (!fuzz_below(r, 10))
		gh.version = (uint8_t)fuzz_next(r);
	if (!fuzz_below(r, 20))
		gh.reserved = (uint16_t)fuzz_next(r);
	nlh.nlmsg_type = fuzz_below(r, 16) ? fz.genl.family : other_type();
	nlh.nlmsg_flags = fuzz_flags();

	memcpy(fz.out + NLMSG_HDRLEN, &gh, sizeof(gh));
	if (!fuzz_below(r, 20)) {
		/* A genl header cut short, nothing after it. */
		len = NLMSG_HDRLEN + fuzz_below(r, GENL_HDRLEN);
	} else {
		memcpy(fz.out + NLMSG_HDRLEN + GENL_HDRLEN, attrs, alen);
		len = NLMSG_HDRLEN + GENL_HDRLEN + alen;
	}
	nlh.nlmsg_len = fuzz_nlmsg_len((uint32_t)len);
	memcpy(fz.out, &nlh, sizeof(nlh));

	err = send_dgram(fz.genl.fd, fz.out, len);
	if (err) {
		fuzz_count(&fz.tally, err);
		return;
	}
	bseq = next_seq();
	send_barrier(fz.genl.fd, bseq);
	collect(fz.genl.fd, false, seq, bseq, false, &ans);
	fuzz_count(&fz.tally, ans.err);
}

/*
 * A valid kchan request @kmsg through Generic Netlink: its error, or 0
 * with the reply's attributes at *@attrs.
 */
static int genl_exchange(const uint8_t *kmsg, const uint8_t **attrs,
			 size_t *alen)
{
	uint32_t seq = next_seq(), bseq;
	size_t len = genl_from_kchan(&fz.genl, fz.out, kmsg, seq);
	struct answer ans;
	int err;

	err = send_dgram(fz.genl.fd, fz.out, len);
	if (err)
		return err;
	bseq = next_seq();
	send_barrier(fz.genl.fd, bseq);
	collect(fz.genl.fd, false, seq, bseq, false, &ans);
	if (ans.err)
		return ans.err;
	if (!ans.replied || ans.reply_len < GENL_HDRLEN)
		fail("Generic Netlink: no reply and no error");
	*attrs = fz.reply + GENL_HDRLEN;
	*alen = ans.reply_len - GENL_HDRLEN;
	return 0;
}

/* ---- the raw unit ------------------------------------------------------- */

static uint16_t raw_type(void)
{
	const uint16_t types[] = {
		KCHAN_RAW_MSG_BYE, KCHAN_RAW_MSG_REPLY, KCHAN_RAW_MSG_EVENT,
		KCHAN_RAW_MSG_EVENT + 1, KCHAN_RAW_MSG_REQUEST - 1, NLMSG_NOOP,
		NLMSG_DONE, (uint16_t)fuzz_next(&fz.rng),
	};
	uint16_t type;

	if (fuzz_below(&fz.rng, 10))
		return KCHAN_RAW_MSG_REQUEST;
	type = types[fuzz_below(&fz.rng, sizeof(types) / sizeof(types[0]))];
	/* HELLO belongs to the endpoint sockets: this one takes no events. */
	return type == KCHAN_RAW_MSG_HELLO ? KCHAN_RAW_MSG_BYE : type;
}

/*
 * Send @klen bytes of @kmsg on @fd as a raw message of @type with @flags
 * and nlmsg_len @nlen (its true length when @nlen is TRUE_LEN); count
 * nothing.  Returns what came back: an errno,
 * a REPLY's negative status, or 0.
 */
static int raw_send(int fd, const uint8_t *kmsg, size_t klen, uint16_t type,
		    uint16_t flags, uint32_t nlen, struct answer *ans)
{
	size_t len = NLMSG_HDRLEN + klen;
	uint32_t seq = next_seq(), bseq;
	struct nlmsghdr nlh = {
		.nlmsg_len = nlen == TRUE_LEN ? (uint32_t)len : nlen,
		.nlmsg_type = type,
		.nlmsg_flags = flags,
		.nlmsg_seq = seq,
	};
	bool queued;
	int err;

	memcpy(fz.out, &nlh, sizeof(nlh));
	memcpy(fz.out + NLMSG_HDRLEN, kmsg, klen);
	err = send_dgram(fd, fz.out, len);
	if (err)
		return err;
	/* What the unit queues, and so answers with a REPLY, if no error. */
	queued = type == KCHAN_RAW_MSG_REQUEST && (flags & NLM_F_REQUEST) &&
		 nlh.nlmsg_len >= NLMSG_HDRLEN && nlh.nlmsg_len <= len;
	bseq = next_seq();
	send_barrier(fd, bseq);
	collect(fd, true, seq, bseq, queued, ans);
	return ans->err;
}

static void raw_input(void)
{
	struct fuzz_rng *r = &fz.rng;
	size_t klen = fuzz_request(r, fz.kmsg, fz.seq + 1,
				   fuzz_below(r, FUZZ_REQ_N));
	uint16_t type = raw_type();
	uint16_t flags = fuzz_flags();
	uint32_t nlen = fuzz_nlmsg_len((uint32_t)(NLMSG_HDRLEN + klen));
	struct answer ans;

	fuzz_count(&fz.tally, raw_send(fz.raw, fz.kmsg, klen, type, flags,
				       nlen, &ans));
}

/* HELLO and BYE on a socket of its own, in any order, then close it. */
static void endpoint_input(void)
{
	struct fuzz_rng *r = &fz.rng;
	uint32_t steps = 1 + fuzz_below(r, 4), k;
	int fd = raw_socket(), first = 1, err = 0;
	struct answer ans;

	for (k = 0; k < steps; k++) {
		uint16_t type = fuzz_below(r, 3) ? KCHAN_RAW_MSG_HELLO :
			KCHAN_RAW_MSG_BYE;
		uint16_t flags = NLM_F_REQUEST |
			(fuzz_below(r, 2) ? NLM_F_ACK : 0);
		size_t plen = fuzz_below(r, 4) ? 0 : 1 + fuzz_below(r, 16);
		int ret;

		fuzz_fill(r, fz.kmsg, plen);
		ret = raw_send(fd, fz.kmsg, plen, type, flags, TRUE_LEN, &ans);
		if (first) {
			err = ret;
			first = 0;
		}
	}
	/* Closing forgets the endpoint; now and then after a last request. */
	if (!fuzz_below(r, 4)) {
		size_t klen = fuzz_request(r, fz.kmsg, fz.seq + 1,
					   FUZZ_REQ_VALID);

		raw_send(fd, fz.kmsg, klen, KCHAN_RAW_MSG_REQUEST,
			 NLM_F_REQUEST, TRUE_LEN, &ans);
	}
	if (close(fd))
		fail("close an endpoint socket: %s", strerror(errno));
	fuzz_count(&fz.tally, err);
}

/* A valid kchan request through the raw unit: as genl_exchange(). */
static int raw_exchange(const uint8_t *kmsg, const uint8_t **attrs,
			size_t *alen)
{
	size_t klen = kchan_header(kmsg).len;
	struct answer ans;
	int err;

	err = raw_send(fz.raw, kmsg, klen, KCHAN_RAW_MSG_REQUEST,
		       NLM_F_REQUEST, TRUE_LEN, &ans);
	if (err)
		return err;
	if (!ans.replied)
		fail("raw unit: no REPLY and no error");
	*attrs = fz.reply + KCHAN_HDR_LEN;
	*alen = ans.reply_len - KCHAN_HDR_LEN;
	return 0;
}

/* ---- probes and the end ------------------------------------------------- */

static void probe_door(const char *door, fuzz_exchange_fn exchange)
{
	const uint8_t *attrs;
	const char *wrong;
	size_t alen;
	int err;

	fuzz_echo_probe(fz.kmsg, fz.input, fz.seq + 1);
	err = exchange(fz.kmsg, &attrs, &alen);
	if (err)
		die("seed=%llu probe after input %llu: %s ECHO failed: %s",
		    (unsigned long long)fz.args.seed,
		    (unsigned long long)fz.input, door, strerror(-err));
	wrong = fuzz_echo_check(attrs, alen, fz.input);
	if (wrong)
		die("seed=%llu probe after input %llu: %s ECHO: %s",
		    (unsigned long long)fz.args.seed,
		    (unsigned long long)fz.input, door, wrong);
}

/* Stops whatever generator a mutated GEN_START started; always 0. */
static void gen_stop(void)
{
	const uint8_t *attrs;
	size_t alen;
	int err;

	kchan_finish(fz.kmsg, KCHAN_CMD_GEN_STOP, 1, KCHAN_HDR_LEN);
	err = genl_exchange(fz.kmsg, &attrs, &alen);
	if (err)
		fail("GEN_STOP: %s", strerror(-err));
}

/*
 * A HELLO hidden in a cut-short datagram may have made the raw socket an
 * endpoint: forget it, so that events do not pile up in its buffer.
 */
static void raw_bye(void)
{
	struct answer ans;
	int err;

	err = raw_send(fz.raw, fz.kmsg, 0, KCHAN_RAW_MSG_BYE, NLM_F_REQUEST,
		       TRUE_LEN, &ans);
	if (err)
		fail("BYE on the raw socket: %s", strerror(-err));
}

static void probe(void)
{
	probe_door("Generic Netlink", genl_exchange);
	probe_door("raw unit", raw_exchange);
	raw_bye();
	/* A mutated GEN_START may have started a long run: keep it short. */
	gen_stop();
	fz.tally.probes++;
}

int main(int argc, char **argv)
{
	struct fuzz_keys before = { 0 };
	uint64_t i;

	fuzz_parse_args(argc, argv, &fz.args);
	fuzz_seed(&fz.rng, fz.args.seed);
	fz.kmsg = xalloc(FUZZ_MSG_CAP);
	fz.out = xalloc(OUT_CAP);
	fz.in = xalloc(NL_BUF_LEN);
	fz.reply = xalloc(NL_BUF_LEN);
	genl_open(&fz.genl);
	sock_setup(fz.genl.fd);
	fz.seq = fz.genl.seq;
	fz.raw = raw_socket();
	fuzz_store_list(fz.kmsg, genl_exchange, &before);

	for (i = 0; i < fz.args.inputs; i++) {
		uint32_t door = fuzz_below(&fz.rng, 20);

		fz.input = i;
		if (door < 11)
			genl_input();
		else if (door < 19)
			raw_input();
		else
			endpoint_input();
		if ((i + 1) % fz.args.probe_every == 0)
			probe();
	}

	fz.input = fz.args.inputs;
	fuzz_round_trip(fz.kmsg, genl_exchange, "Generic Netlink", &fz.args,
			fz.tally.inputs);
	fuzz_round_trip(fz.kmsg, raw_exchange, "raw unit", &fz.args,
			fz.tally.inputs);
	gen_stop();
	fuzz_store_restore(fz.kmsg, genl_exchange, &before);
	fuzz_keys_free(&before);
	if (close(fz.raw))
		die_errno("close the raw socket");
	genl_close(&fz.genl);
	if (fz.strays)
		note("%llu answers to netlink messages hidden in cut-short datagrams (not counted)",
		     (unsigned long long)fz.strays);
	fuzz_report(&fz.tally, &fz.args);
	return 0;
}
