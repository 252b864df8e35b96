// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_fuzzmsg: malformed and mutated kchan messages for the fuzzers of
 * the doors that carry whole kchan messages (kchan_fuzzmsg.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kchan_fuzzmsg.h"

/* Keys come from a small pool, so valid SETs do not grow the store. */
#define FUZZ_KEY_POOL	16

static size_t put_key(struct fuzz_rng *r, uint8_t *buf, size_t off,
		      uint16_t type)
{
	char key[KCHAN_KEY_MAX + 1];
	int n;

	n = snprintf(key, sizeof(key), "kchan-fuzz-%u",
		     fuzz_below(r, FUZZ_KEY_POOL));
	return put_attr(buf, off, type, key, (size_t)n);
}

/* A length that is small most of the time. */
static size_t small_len(struct fuzz_rng *r, size_t max)
{
	size_t n;

	switch (fuzz_below(r, 16)) {
	case 0:
		n = fuzz_below(r, 4097);
		break;
	case 1:
		n = fuzz_boundary(r);
		break;
	default:
		n = fuzz_below(r, 257);
		break;
	}
	return n > max ? max : n;
}

uint16_t fuzz_cmd(struct fuzz_rng *r)
{
	switch (fuzz_below(r, 20)) {
	case 0:
		return KCHAN_CMD_UNSPEC;
	case 1:
		return KCHAN_CMD_EVENT;
	case 2:
		return (uint16_t)(KCHAN_CMD_MAX + 1 + fuzz_below(r, 4));
	case 3:
		return (uint16_t)fuzz_next(r);
	default:
		return (uint16_t)(KCHAN_CMD_ECHO +
				  fuzz_below(r, KCHAN_CMD_GEN_STOP));
	}
}

size_t fuzz_valid_request(struct fuzz_rng *r, uint8_t *buf, size_t cap,
			  uint16_t cmd, uint32_t seq)
{
	size_t off = KCHAN_HDR_LEN, n;
	/* Room for the header, a key attribute and some slack. */
	size_t room = cap - KCHAN_HDR_LEN - 2 * NLA_HDRLEN - KCHAN_KEY_MAX - 8;

	switch (cmd) {
	case KCHAN_CMD_ECHO:
		n = small_len(r, room < KCHAN_PAYLOAD_MAX ? room : KCHAN_PAYLOAD_MAX);
		fuzz_fill(r, buf + off + NLA_HDRLEN, n);
		off = put_attr(buf, off, KCHAN_ATTR_PAYLOAD, buf + off + NLA_HDRLEN, n);
		break;
	case KCHAN_CMD_SET:
		off = put_key(r, buf, off, KCHAN_ATTR_KEY);
		/* Values stay small: the store keeps them until the end. */
		n = fuzz_below(r, 8) ? fuzz_below(r, 65) : fuzz_below(r, 1025);
		if (n > room)
			n = room;
		fuzz_fill(r, buf + off + NLA_HDRLEN, n);
		off = put_attr(buf, off, KCHAN_ATTR_VALUE, buf + off + NLA_HDRLEN, n);
		break;
	case KCHAN_CMD_GET:
	case KCHAN_CMD_DELETE:
		off = put_key(r, buf, off, KCHAN_ATTR_KEY);
		break;
	case KCHAN_CMD_LIST:
		if (fuzz_below(r, 2))
			off = put_key(r, buf, off, KCHAN_ATTR_CURSOR);
		break;
	case KCHAN_CMD_GEN_START:
		/* Few events: the generator must not flood the guest. */
		off = put_u64(buf, off, KCHAN_ATTR_COUNT, 1 + fuzz_below(r, 16));
		off = put_u32(buf, off, KCHAN_ATTR_SIZE, fuzz_below(r, 129));
		if (fuzz_below(r, 2))
			off = put_u32(buf, off, KCHAN_ATTR_RATE, fuzz_below(r, 1000));
		break;
	case KCHAN_CMD_STATS:
	case KCHAN_CMD_GEN_STOP:
		break;
	default:
		/* Something attribute-shaped for commands nobody knows. */
		n = fuzz_below(r, 4);
		while (n--)
			off = put_u32(buf, off, (uint16_t)fuzz_below(r, 30),
				      (uint32_t)fuzz_next(r));
		break;
	}
	return kchan_finish(buf, cmd, seq, off);
}

void fuzz_frame(uint8_t *buf, size_t len, uint16_t cmd)
{
	struct kchan_hdr hdr;

	if (len < KCHAN_HDR_LEN)
		return;
	memcpy(&hdr, buf, sizeof(hdr));
	hdr.cmd = cmd;
	hdr.len = (uint32_t)len;
	memcpy(buf, &hdr, sizeof(hdr));
}

/* The offsets of the top-level attributes of a valid request. */
static size_t attr_offsets(const uint8_t *buf, size_t len, size_t *offs,
			   size_t max)
{
	size_t off = KCHAN_HDR_LEN, n = 0;

	while (off + NLA_HDRLEN <= len && n < max) {
		struct nlattr a;

		memcpy(&a, buf + off, sizeof(a));
		if (a.nla_len < NLA_HDRLEN)
			break;
		offs[n++] = off;
		off += NLA_ALIGN(a.nla_len);
	}
	return n;
}

static size_t msg_lengths(struct fuzz_rng *r, uint8_t *buf, size_t cap,
			  uint16_t cmd)
{
	static const uint16_t nla_lens[] = { 0, 1, 2, 3, 4, 5, 0x7fff, 0xfffe, 0xffff };
	size_t len = fuzz_valid_request(r, buf, cap, cmd, (uint32_t)fuzz_next(r));
	size_t offs[16], n = attr_offsets(buf, len, offs, 16);
	struct kchan_hdr hdr;
	struct nlattr a;
	size_t at;

	if (!n || !fuzz_below(r, 4)) {
		memcpy(&hdr, buf, sizeof(hdr));
		hdr.len = fuzz_below(r, 2) ? fuzz_boundary(r) :
			  (uint32_t)(len + fuzz_below(r, 9)) - 4;
		memcpy(buf, &hdr, sizeof(hdr));
		return len;
	}
	at = offs[fuzz_below(r, (uint32_t)n)];
	memcpy(&a, buf + at, sizeof(a));
	switch (fuzz_below(r, 3)) {
	case 0:
		a.nla_len = nla_lens[fuzz_below(r, sizeof(nla_lens) / 2)];
		break;
	case 1:	/* just past the end of the message */
		a.nla_len = (uint16_t)(len + 1 + fuzz_below(r, 8));
		break;
	default:
		a.nla_len = (uint16_t)fuzz_boundary(r);
		break;
	}
	memcpy(buf + at, &a, sizeof(a));
	return len;
}

static size_t msg_nested(struct fuzz_rng *r, uint8_t *buf, size_t cap,
			 uint16_t cmd)
{
	size_t max = cap < 65536 ? cap : 65536;
	size_t off = KCHAN_HDR_LEN, depth, k;
	uint16_t type;

	if (fuzz_below(r, 2)) {
		/* Thousands of tiny attributes, all the same or mixed. */
		size_t count = 1 + fuzz_below(r, (uint32_t)((max - off) / 8));

		type = (uint16_t)fuzz_below(r, KCHAN_ATTR_MAX + 2);
		for (k = 0; k < count; k++) {
			uint8_t b = (uint8_t)k;

			if (fuzz_below(r, 8) == 0)
				type = (uint16_t)fuzz_below(r, KCHAN_ATTR_MAX + 2);
			off = put_attr(buf, off, type, &b, fuzz_below(r, 5));
			if (off + 12 > max)
				break;
		}
		return kchan_finish(buf, cmd, 1, off);
	}
	/* ENTRY in ENTRY, each header covering all that is inside it. */
	depth = 1 + fuzz_below(r, (uint32_t)((max - off) / NLA_HDRLEN - 1));
	if (depth > 0x3fff)
		depth = 0x3fff;
	type = fuzz_below(r, 4) ? KCHAN_ATTR_ENTRY :
	       (uint16_t)fuzz_below(r, KCHAN_ATTR_MAX + 2);
	for (k = 0; k < depth; k++) {
		struct nlattr a = {
			.nla_len = (uint16_t)((depth - k) * NLA_HDRLEN),
			.nla_type = type | (fuzz_below(r, 2) ? NLA_F_NESTED : 0),
		};

		memcpy(buf + off + k * NLA_HDRLEN, &a, sizeof(a));
	}
	return kchan_finish(buf, cmd, 1, off + depth * NLA_HDRLEN);
}

static size_t msg_wrong_type(struct fuzz_rng *r, uint8_t *buf, size_t cap,
			     uint16_t cmd)
{
	static const uint16_t types[] = {
		KCHAN_ATTR_COUNT, KCHAN_ATTR_SIZE, KCHAN_ATTR_RATE,
		KCHAN_ATTR_KEY, KCHAN_ATTR_CURSOR, KCHAN_ATTR_VALUE,
		KCHAN_ATTR_PAYLOAD, KCHAN_ATTR_ERRMSG, KCHAN_ATTR_ERRATTR,
		KCHAN_ATTR_ENTRY, KCHAN_ATTR_SEQ, KCHAN_ATTR_TRANSPORT_STATS,
		KCHAN_ATTR_UNSPEC, KCHAN_ATTR_PAD, KCHAN_ATTR_MAX + 1, 0x3fff,
	};
	static const size_t lens[] = {
		0, 1, 3, 5, 7, 9, KCHAN_KEY_MAX + 1, 255,
	};
	size_t off = KCHAN_HDR_LEN, n, k;
	uint16_t type;

	/* Often a valid request's first attributes, then the wrong one. */
	if (fuzz_below(r, 2)) {
		off = fuzz_valid_request(r, buf, cap / 2, cmd, 1);
		if (off > cap / 2)
			off = KCHAN_HDR_LEN;
	}
	n = 1 + fuzz_below(r, 3);
	for (k = 0; k < n; k++) {
		size_t len = lens[fuzz_below(r, sizeof(lens) / sizeof(lens[0]))];

		type = types[fuzz_below(r, sizeof(types) / sizeof(types[0]))];
		if (!fuzz_below(r, 4))
			type |= fuzz_below(r, 2) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER;
		if (!fuzz_below(r, 16))
			len = KCHAN_VALUE_MAX + 1;
		if (off + NLA_HDRLEN + len + 8 > cap)
			break;
		/* Printable and without NUL: strings that never end. */
		memset(buf + off + NLA_HDRLEN, 'k', len);
		off = put_attr(buf, off, type, buf + off + NLA_HDRLEN, len);
	}
	return kchan_finish(buf, cmd, 1, off);
}

size_t fuzz_msg(struct fuzz_rng *r, enum fuzz_msg_kind kind, uint8_t *buf,
		size_t cap, uint16_t cmd)
{
	size_t len;

	switch (kind) {
	case FUZZ_MSG_RANDOM:
		len = fuzz_below(r, 8) ? fuzz_below(r, 97) : small_len(r, cap);
		fuzz_fill(r, buf, len);
		return len;
	case FUZZ_MSG_MUTATED:
		len = fuzz_valid_request(r, buf, cap, cmd, (uint32_t)fuzz_next(r));
		return fuzz_mutate(r, buf, len, cap);
	case FUZZ_MSG_LENGTHS:
		return msg_lengths(r, buf, cap, cmd);
	case FUZZ_MSG_NESTED:
		return msg_nested(r, buf, cap, cmd);
	case FUZZ_MSG_WRONG_TYPE:
		return msg_wrong_type(r, buf, cap, cmd);
	default:
		return fuzz_valid_request(r, buf, cap, cmd, (uint32_t)fuzz_next(r));
	}
}

enum fuzz_msg_kind fuzz_msg_kind(struct fuzz_rng *r)
{
	/* Out of 32: nested bombs are the big ones, so fewer of them. */
	static const uint8_t shares[FUZZ_MSG_KINDS] = { 6, 10, 6, 2, 5, 3 };
	uint32_t pick = fuzz_below(r, 32);
	int k;

	for (k = 0; k < FUZZ_MSG_KINDS - 1; k++) {
		if (pick < shares[k])
			return (enum fuzz_msg_kind)k;
		pick -= shares[k];
	}
	return FUZZ_MSG_VALID;
}

static size_t probe_payload(uint8_t *p, uint64_t i)
{
	size_t n = 1 + i % 200, k;

	for (k = 0; k < n; k++)
		p[k] = (uint8_t)(i * 31 + k * 7 + (i >> 8));
	return n;
}

size_t fuzz_probe_request(uint8_t *buf, uint64_t i)
{
	uint8_t payload[256];
	size_t n = probe_payload(payload, i);

	return kchan_finish(buf, KCHAN_CMD_ECHO, (uint32_t)i,
			    put_attr(buf, KCHAN_HDR_LEN, KCHAN_ATTR_PAYLOAD,
				     payload, n));
}

const char *fuzz_probe_check(const uint8_t *reply, size_t len, uint64_t i)
{
	uint8_t payload[256];
	size_t n = probe_payload(payload, i);
	const struct nlattr *a;
	struct kchan_hdr hdr;
	const char *bad = fuzz_reply_check(reply, len);

	if (bad)
		return bad;
	hdr = kchan_header(reply);
	if (hdr.cmd != KCHAN_CMD_ECHO || hdr.seq != (uint32_t)i)
		return "the reply's cmd or seq is not the probe's";
	if (hdr.status)
		return "ECHO failed";
	a = find_attr(reply + KCHAN_HDR_LEN, len - KCHAN_HDR_LEN,
		      KCHAN_ATTR_PAYLOAD);
	if (!a || attr_len(a) != n ||
	    memcmp((const uint8_t *)a + NLA_HDRLEN, payload, n))
		return "the PAYLOAD came back different";
	return NULL;
}

const char *fuzz_reply_check(const uint8_t *msg, size_t len)
{
	struct kchan_hdr hdr;

	if (len < KCHAN_HDR_LEN)
		return "a reply shorter than the kchan header";
	hdr = kchan_header(msg);
	if (hdr.len != len)
		return "a reply whose hdr.len is not its length";
	if (!(hdr.flags & (KCHAN_F_REPLY | KCHAN_F_EVENT)))
		return "a reply without the REPLY flag";
	if (hdr.status > 0 || hdr.status < -4095)
		return "a reply whose status is no errno";
	return NULL;
}

void fuzz_count_reply(struct fuzz_tally *t, const uint8_t *reply)
{
	fuzz_count(t, kchan_header(reply).status);
}

/* ---- the fuzzer's own requests: the store before and after -------------- */

static uint8_t call_buf[KCHAN_MSG_MAX];
static uint8_t call_reply[KCHAN_MSG_MAX];

/* One request whose reply must be there with status 0; returns its length. */
static size_t call_ok(fuzz_call_fn call, void *door, size_t len,
		      const char *what)
{
	long n = call(door, call_buf, len, call_reply, sizeof(call_reply));
	const char *bad;

	if (n < 0)
		die("%s: %s (errno %ld)", what, strerror((int)-n), -n);
	if (!n)
		return 0;
	bad = fuzz_reply_check(call_reply, (size_t)n);
	if (bad)
		die("%s: %s", what, bad);
	if (kchan_header(call_reply).status)
		die("%s: status %d (%s)", what, kchan_header(call_reply).status,
		    kchan_errmsg(call_reply + KCHAN_HDR_LEN,
				 (size_t)n - KCHAN_HDR_LEN));
	return (size_t)n;
}

static int keys_has(const struct fuzz_key_list *keys, const uint8_t *key,
		    size_t len)
{
	size_t k;

	for (k = 0; k < keys->count; k++)
		if (keys->len[k] == len && !memcmp(keys->key[k], key, len))
			return 1;
	return 0;
}

void fuzz_store_keys(fuzz_call_fn call, void *door, struct fuzz_key_list *keys)
{
	uint8_t cursor[KCHAN_KEY_MAX];
	size_t cursor_len = 0, rounds;

	keys->count = 0;
	for (rounds = 0; rounds < 100000; rounds++) {
		size_t off = KCHAN_HDR_LEN, n, at;
		const struct nlattr *c;

		if (cursor_len)
			off = put_attr(call_buf, off, KCHAN_ATTR_CURSOR, cursor,
				       cursor_len);
		kchan_finish(call_buf, KCHAN_CMD_LIST, 1, off);
		n = call_ok(call, door, off, "LIST of the store");
		for (at = KCHAN_HDR_LEN; at + NLA_HDRLEN <= n;) {
			const struct nlattr *a = (const void *)(call_reply + at);
			const struct nlattr *key;

			if (a->nla_len < NLA_HDRLEN || at + a->nla_len > n)
				die("LIST of the store: a malformed attribute at %zu", at);
			key = find_attr((const uint8_t *)a + NLA_HDRLEN,
					attr_len(a), KCHAN_ATTR_KEY);
			if ((a->nla_type & NLA_TYPE_MASK) == KCHAN_ATTR_ENTRY &&
			    key && attr_len(key) <= KCHAN_KEY_MAX &&
			    keys->count < FUZZ_KEYS_MAX) {
				keys->len[keys->count] = (uint8_t)attr_len(key);
				memcpy(keys->key[keys->count],
				       (const uint8_t *)key + NLA_HDRLEN,
				       attr_len(key));
				keys->count++;
			}
			at += NLA_ALIGN(a->nla_len);
		}
		c = find_attr(call_reply + KCHAN_HDR_LEN, n - KCHAN_HDR_LEN,
			      KCHAN_ATTR_CURSOR);
		if (!c)
			return;
		if (attr_len(c) > KCHAN_KEY_MAX)
			die("LIST of the store: a CURSOR of %u bytes", attr_len(c));
		cursor_len = attr_len(c);
		memcpy(cursor, (const uint8_t *)c + NLA_HDRLEN, cursor_len);
	}
	die("LIST of the store: no end after %zu parts", rounds);
}

static void delete_key(fuzz_call_fn call, void *door, const uint8_t *key,
		       size_t len)
{
	size_t off = put_attr(call_buf, KCHAN_HDR_LEN, KCHAN_ATTR_KEY, key, len);
	long n;

	kchan_finish(call_buf, KCHAN_CMD_DELETE, 1, off);
	n = call(door, call_buf, off, call_reply, sizeof(call_reply));
	/* Gone already is fine: a generator or another run may race. */
	if (n < 0 && n != -ENOENT)
		die("DELETE of a key the fuzzer stored: %s", strerror((int)-n));
}

void fuzz_finish(fuzz_call_fn call, void *door, const struct fuzz_key_list *before)
{
	static struct fuzz_key_list after;
	static const char value[] = "kchan fuzz value that must come back";
	const struct nlattr *v;
	size_t off, n, k;

	off = put_attr(call_buf, KCHAN_HDR_LEN, KCHAN_ATTR_KEY, FUZZ_OWN_KEY,
		       strlen(FUZZ_OWN_KEY));
	off = put_attr(call_buf, off, KCHAN_ATTR_VALUE, value, sizeof(value));
	call_ok(call, door, kchan_finish(call_buf, KCHAN_CMD_SET, 1, off),
		"SET of the fuzzer's own key");

	off = put_attr(call_buf, KCHAN_HDR_LEN, KCHAN_ATTR_KEY, FUZZ_OWN_KEY,
		       strlen(FUZZ_OWN_KEY));
	n = call_ok(call, door, kchan_finish(call_buf, KCHAN_CMD_GET, 2, off),
		    "GET of the fuzzer's own key");
	v = find_attr(call_reply + KCHAN_HDR_LEN, n - KCHAN_HDR_LEN,
		      KCHAN_ATTR_VALUE);
	if (!v || attr_len(v) != sizeof(value) ||
	    memcmp((const uint8_t *)v + NLA_HDRLEN, value, sizeof(value)))
		die("GET of the fuzzer's own key: not the value SET stored");

	off = put_attr(call_buf, KCHAN_HDR_LEN, KCHAN_ATTR_KEY, FUZZ_OWN_KEY,
		       strlen(FUZZ_OWN_KEY));
	call_ok(call, door, kchan_finish(call_buf, KCHAN_CMD_DELETE, 3, off),
		"DELETE of the fuzzer's own key");
	off = put_attr(call_buf, KCHAN_HDR_LEN, KCHAN_ATTR_KEY, FUZZ_OWN_KEY,
		       strlen(FUZZ_OWN_KEY));
	n = (size_t)call(door, call_buf,
			 kchan_finish(call_buf, KCHAN_CMD_GET, 4, off),
			 call_reply, sizeof(call_reply));
	if ((long)n >= 0 && kchan_header(call_reply).status != -ENOENT)
		die("GET after DELETE of the fuzzer's own key: status %d, not ENOENT",
		    kchan_header(call_reply).status);

	call_ok(call, door, kchan_finish(call_buf, KCHAN_CMD_GEN_STOP, 5,
					 KCHAN_HDR_LEN), "GEN_STOP");

	fuzz_store_keys(call, door, &after);
	for (k = 0; k < after.count; k++)
		if (!keys_has(before, after.key[k], after.len[k]))
			delete_key(call, door, after.key[k], after.len[k]);
	/* The store holds what it held before the run, no more. */
	fuzz_store_keys(call, door, &after);
	for (k = 0; k < after.count; k++)
		if (!keys_has(before, after.key[k], after.len[k]))
			die("the store still holds a key of the run after its DELETE");
}
