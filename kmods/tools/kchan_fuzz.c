// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_fuzz: arguments, the random source, mutations and the tally that
 * every per-transport fuzzer shares (kchan_fuzz.h says what they do).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kchan_fuzz.h"

static uint64_t parse_count(const char *key, const char *v)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end || end == v)
		die("%s=%s is not a whole number", key, v);
	return n;
}

void fuzz_parse_args(int argc, char **argv, struct fuzz_args *a)
{
	int i;

	a->inputs = 10000;
	a->seed = 1;
	a->probe_every = 100;
	for (i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq)
			die("argument '%s' is not key=value (inputs=N seed=S probe_every=K)",
			    argv[i]);
		*eq = '\0';
		if (!strcmp(argv[i], "inputs"))
			a->inputs = parse_count("inputs", eq + 1);
		else if (!strcmp(argv[i], "seed"))
			a->seed = parse_count("seed", eq + 1);
		else if (!strcmp(argv[i], "probe_every"))
			a->probe_every = parse_count("probe_every", eq + 1);
		else
			die("unknown argument '%s' (inputs=N seed=S probe_every=K)",
			    argv[i]);
	}
	if (!a->probe_every)
		die("probe_every must be at least 1");
}

void fuzz_seed(struct fuzz_rng *r, uint64_t seed)
{
	/*
	 * splitmix64's finaliser: every seed its own state (a plain "| 1"
	 * made seeds 2k and 2k + 1 the same run), and never 0, which
	 * xorshift could not leave.
	 */
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	r->state = z ? z : 0x9e3779b97f4a7c15ULL;
}

uint64_t fuzz_next(struct fuzz_rng *r)
{
	uint64_t x = r->state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

uint32_t fuzz_below(struct fuzz_rng *r, uint32_t n)
{
	return (uint32_t)((fuzz_next(r) >> 32) % n);
}

uint32_t fuzz_boundary(struct fuzz_rng *r)
{
	static const uint32_t fixed[] = {
		0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256,
		4095, 4096, 4097, 0x7fff, 0x8000, 0xfffe, 0xffff, 0x10000,
		0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
		KCHAN_KEY_MAX - 1, KCHAN_KEY_MAX, KCHAN_KEY_MAX + 1,
		KCHAN_VALUE_MAX - 1, KCHAN_VALUE_MAX, KCHAN_VALUE_MAX + 1,
		KCHAN_MSG_MAX - 1, KCHAN_MSG_MAX, KCHAN_MSG_MAX + 1,
	};

	return fixed[fuzz_below(r, sizeof(fixed) / sizeof(fixed[0]))];
}

void fuzz_fill(struct fuzz_rng *r, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)fuzz_next(r);
}

static void put_field(struct fuzz_rng *r, uint8_t *buf, size_t len)
{
	uint32_t v = fuzz_boundary(r);
	size_t width = fuzz_below(r, 2) ? 4 : 2;
	size_t at;

	if (len < width)
		return;
	at = fuzz_below(r, (uint32_t)(len - width + 1));
	if (width == 2) {
		uint16_t v16 = (uint16_t)v;

		memcpy(buf + at, &v16, 2);
	} else {
		memcpy(buf + at, &v, 4);
	}
}

static size_t mutate_once(struct fuzz_rng *r, uint8_t *buf, size_t len,
			  size_t cap)
{
	static const uint8_t bytes[] = { 0, 0x7f, 0x80, 0xff };
	size_t at, n;

	switch (fuzz_below(r, 7)) {
	case 0:
		if (len)
			buf[fuzz_below(r, (uint32_t)len)] ^= 1u << fuzz_below(r, 8);
		return len;
	case 1:
		if (len)
			buf[fuzz_below(r, (uint32_t)len)] = bytes[fuzz_below(r, 4)];
		return len;
	case 2:
		put_field(r, buf, len);
		return len;
	case 3:	/* duplicate a chunk in place of what follows it */
		if (len < 2)
			return len;
		at = fuzz_below(r, (uint32_t)len);
		n = 1 + fuzz_below(r, (uint32_t)(len - at));
		if (len + n > cap)
			return len;
		memmove(buf + at + n, buf + at, len - at);
		return len + n;
	case 4:	/* remove a chunk */
		if (!len)
			return len;
		at = fuzz_below(r, (uint32_t)len);
		n = 1 + fuzz_below(r, (uint32_t)(len - at));
		memmove(buf + at, buf + at + n, len - at - n);
		return len - n;
	case 5:
		return len ? fuzz_below(r, (uint32_t)len) : 0;
	default:
		n = 1 + fuzz_below(r, 64);
		if (len + n > cap)
			n = cap - len;
		fuzz_fill(r, buf + len, n);
		return len + n;
	}
}

size_t fuzz_mutate(struct fuzz_rng *r, uint8_t *buf, size_t len, size_t cap)
{
	uint32_t rounds = 1 + fuzz_below(r, 4);

	while (rounds--)
		len = mutate_once(r, buf, len, cap);
	return len;
}

void fuzz_count(struct fuzz_tally *t, int ret)
{
	t->inputs++;
	if (ret >= 0) {
		t->accepted++;
		return;
	}
	t->refused++;
	if (-ret < FUZZ_ERRNO_MAX)
		t->errnos[-ret]++;
	else
		t->errnos[0]++;
}

void fuzz_report(const struct fuzz_tally *t, const struct fuzz_args *a)
{
	const char *sep = "";
	int e;

	printf("result inputs=%llu accepted=%llu refused=%llu probes=%llu seed=%llu errnos=",
	       (unsigned long long)t->inputs, (unsigned long long)t->accepted,
	       (unsigned long long)t->refused, (unsigned long long)t->probes,
	       (unsigned long long)a->seed);
	for (e = 0; e < FUZZ_ERRNO_MAX; e++) {
		if (!t->errnos[e])
			continue;
		printf("%s%s:%llu", sep, e ? strerrorname_np(e) : "other",
		       (unsigned long long)t->errnos[e]);
		sep = ",";
	}
	printf("%s\n", *sep ? "" : "none");
}

/* ---- kchan requests ----------------------------------------------------- */

/* An attribute of @len random bytes at @off; returns the next offset. */
static size_t put_random(struct fuzz_rng *r, uint8_t *buf, size_t off,
			 uint16_t type, size_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len),
			    .nla_type = type };
	size_t end = off + NLA_ALIGN(NLA_HDRLEN + len);

	memcpy(buf + off, &a, sizeof(a));
	fuzz_fill(r, buf + off + NLA_HDRLEN, len);
	memset(buf + off + NLA_HDRLEN + len, 0, end - (off + NLA_HDRLEN + len));
	return end;
}

/* Mostly a few hundred bytes at most; now and then anything up to @max. */
static size_t small_len(struct fuzz_rng *r, size_t max)
{
	if (fuzz_below(r, 64))
		return fuzz_below(r, (uint32_t)(max < 256 ? max + 1 : 257));
	return fuzz_below(r, (uint32_t)max + 1);
}

static size_t put_key(struct fuzz_rng *r, uint8_t *buf, size_t off,
		      uint16_t type)
{
	char key[16];
	int n = snprintf(key, sizeof(key), "fuzz-%02u",
			 fuzz_below(r, FUZZ_KEYS));

	return put_attr(buf, off, type, key, (size_t)n);
}

/* A command a request may carry, or one it may not. */
static uint16_t any_cmd(struct fuzz_rng *r)
{
	static const uint16_t odd[] = {
		KCHAN_CMD_UNSPEC, KCHAN_CMD_EVENT, KCHAN_CMD_MAX + 1, 0x7fff,
		0x8000, 0xffff,
	};

	if (fuzz_below(r, 8))
		return (uint16_t)(KCHAN_CMD_ECHO + fuzz_below(r, 8));
	return odd[fuzz_below(r, sizeof(odd) / sizeof(odd[0]))];
}

static size_t valid_request(struct fuzz_rng *r, uint8_t *buf, uint32_t seq)
{
	size_t off = KCHAN_HDR_LEN;
	uint16_t cmd;

	if (!fuzz_below(r, 8))
		off = put_attr(buf, off, KCHAN_ATTR_PAD, NULL, 0);
	switch (fuzz_below(r, 9)) {
	case 0:
		cmd = KCHAN_CMD_ECHO;
		off = put_random(r, buf, off, KCHAN_ATTR_PAYLOAD,
				 small_len(r, KCHAN_PAYLOAD_MAX));
		break;
	case 1:
		cmd = KCHAN_CMD_SET;
		off = put_key(r, buf, off, KCHAN_ATTR_KEY);
		off = put_random(r, buf, off, KCHAN_ATTR_VALUE,
				 small_len(r, KCHAN_VALUE_MAX));
		break;
	case 2:
		cmd = KCHAN_CMD_GET;
		off = put_key(r, buf, off, KCHAN_ATTR_KEY);
		break;
	case 3:
		cmd = KCHAN_CMD_DELETE;
		off = put_key(r, buf, off, KCHAN_ATTR_KEY);
		break;
	case 4:
		cmd = KCHAN_CMD_LIST;
		if (fuzz_below(r, 2))
			off = put_key(r, buf, off, KCHAN_ATTR_CURSOR);
		break;
	case 5:
		cmd = KCHAN_CMD_STATS;
		break;
	case 6:
		/* Few small events: a mutated one must not flood the guest. */
		cmd = KCHAN_CMD_GEN_START;
		off = put_u64(buf, off, KCHAN_ATTR_COUNT, 1 + fuzz_below(r, 8));
		off = put_u32(buf, off, KCHAN_ATTR_SIZE, fuzz_below(r, 128));
		if (fuzz_below(r, 2))
			off = put_u32(buf, off, KCHAN_ATTR_RATE,
				      fuzz_below(r, 2) ? 0 : 100000);
		break;
	case 7:
		cmd = KCHAN_CMD_GEN_STOP;
		break;
	default:
		cmd = any_cmd(r);
		if (fuzz_below(r, 2))
			off = put_random(r, buf, off, KCHAN_ATTR_PAYLOAD,
					 fuzz_below(r, 32));
		break;
	}
	return kchan_finish(buf, cmd, seq, off);
}

static void set_hdr_len(uint8_t *buf, uint32_t len)
{
	memcpy(buf + offsetof(struct kchan_hdr, len), &len, sizeof(len));
}

static size_t random_request(struct fuzz_rng *r, uint8_t *buf, uint32_t seq)
{
	size_t len;

	switch (fuzz_below(r, 32)) {
	case 0:	/* now and then anything, KCHAN_MSG_MAX and past it included */
		len = fuzz_boundary(r);
		if (len > FUZZ_MSG_CAP)
			len = FUZZ_MSG_CAP;
		break;
	case 1:
		len = fuzz_below(r, 4096);
		break;
	case 2:
		len = fuzz_below(r, KCHAN_HDR_LEN + 1);
		break;
	default:
		len = fuzz_below(r, 256);
		break;
	}
	fuzz_fill(r, buf, len);
	/* Half get past the header checks, into the attribute parser. */
	if (len >= KCHAN_HDR_LEN && fuzz_below(r, 2)) {
		kchan_finish(buf, any_cmd(r), seq, len);
		if (fuzz_below(r, 4))
			set_hdr_len(buf, (uint32_t)len);
	}
	return len;
}

static size_t mutated_request(struct fuzz_rng *r, uint8_t *buf, uint32_t seq)
{
	size_t len = valid_request(r, buf, seq);

	if (fuzz_below(r, 3))
		return fuzz_mutate(r, buf, len, FUZZ_MSG_CAP);
	/* The attributes only, the header made to agree again. */
	len = KCHAN_HDR_LEN + fuzz_mutate(r, buf + KCHAN_HDR_LEN,
					  len - KCHAN_HDR_LEN,
					  FUZZ_MSG_CAP - KCHAN_HDR_LEN);
	set_hdr_len(buf, (uint32_t)len);
	return len;
}

static size_t hdr_len_request(struct fuzz_rng *r, uint8_t *buf, uint32_t seq)
{
	size_t len = valid_request(r, buf, seq);
	struct kchan_hdr hdr = kchan_header(buf);

	switch (fuzz_below(r, 6)) {
	case 0:
		hdr.len = (uint32_t)len + 1 + fuzz_below(r, 8);
		break;
	case 1:
		hdr.len = (uint32_t)len - 1 - fuzz_below(r, KCHAN_HDR_LEN);
		break;
	case 2:	/* a header that lies in its other fields */
		hdr.flags = (uint16_t)(1u << fuzz_below(r, 16));
		break;
	case 3:
		hdr.status = (int32_t)fuzz_boundary(r);
		if (!hdr.status)
			hdr.status = -1;
		break;
	default:
		hdr.len = fuzz_boundary(r);
		break;
	}
	memcpy(buf, &hdr, sizeof(hdr));
	return len;
}

/* The offsets of the top-level attributes of a valid request. */
static size_t attr_offsets(const uint8_t *buf, size_t len, size_t *offs,
			   size_t max)
{
	size_t off = KCHAN_HDR_LEN, n = 0;
	struct nlattr a;

	while (off + NLA_HDRLEN <= len && n < max) {
		memcpy(&a, buf + off, sizeof(a));
		offs[n++] = off;
		off += NLA_ALIGN(a.nla_len);
	}
	return n;
}

static size_t attr_len_request(struct fuzz_rng *r, uint8_t *buf, uint32_t seq)
{
	size_t len = valid_request(r, buf, seq);
	size_t offs[8], n, at, rest;
	uint16_t nla_len;

	n = attr_offsets(buf, len, offs, 8);
	if (!n) {
		len = put_random(r, buf, len, KCHAN_ATTR_PAYLOAD,
				 fuzz_below(r, 16));
		offs[n++] = KCHAN_HDR_LEN;
	}
	at = offs[fuzz_below(r, (uint32_t)n)];
	rest = len - at;
	switch (fuzz_below(r, 6)) {
	case 0:
		nla_len = (uint16_t)fuzz_below(r, NLA_HDRLEN);
		break;
	case 1:
		nla_len = (uint16_t)(rest + 1 + fuzz_below(r, 8));
		break;
	case 2:
		nla_len = 0xffff;
		break;
	case 3:	/* the attribute ends in the middle of the next one */
		nla_len = (uint16_t)(rest > NLA_HDRLEN + 2 ? rest - 2 : 1);
		break;
	case 4:	/* cut inside the attribute header */
		len = at + 1 + fuzz_below(r, NLA_HDRLEN - 1);
		set_hdr_len(buf, (uint32_t)len);
		return len;
	default:
		nla_len = (uint16_t)fuzz_boundary(r);
		break;
	}
	memcpy(buf + at + offsetof(struct nlattr, nla_len), &nla_len,
	       sizeof(nla_len));
	return len;
}

/* Attribute types a nest may claim to be. */
static uint16_t nest_type(struct fuzz_rng *r)
{
	static const uint16_t types[] = {
		KCHAN_ATTR_ENTRY, KCHAN_ATTR_ENTRY | NLA_F_NESTED,
		KCHAN_ATTR_TRANSPORT_STATS | NLA_F_NESTED,
		KCHAN_ATTR_PAYLOAD, KCHAN_ATTR_VALUE, KCHAN_ATTR_CURSOR,
	};

	return types[fuzz_below(r, sizeof(types) / sizeof(types[0]))];
}

static size_t nest_bomb_request(struct fuzz_rng *r, uint8_t *buf, uint32_t seq)
{
	/* The outermost nla_len, a u16, covers every level and the KEY. */
	uint32_t depth = 1 + fuzz_below(r, fuzz_below(r, 8) ? 256 : 16000);
	uint16_t type = nest_type(r), same = fuzz_below(r, 2);
	size_t off = KCHAN_HDR_LEN;
	uint32_t k;

	for (k = 0; k < depth; k++) {
		struct nlattr a = {
			.nla_len = (uint16_t)((depth - k) * NLA_HDRLEN + 8),
			.nla_type = same ? type : nest_type(r),
		};

		memcpy(buf + off, &a, sizeof(a));
		off += NLA_HDRLEN;
	}
	off = put_attr(buf, off, KCHAN_ATTR_KEY, "k", 1);
	return kchan_finish(buf, any_cmd(r), seq, off);
}

static size_t tiny_attrs_request(struct fuzz_rng *r, uint8_t *buf, uint32_t seq)
{
	uint32_t n = 100 + fuzz_below(r, fuzz_below(r, 8) ? 1000 : 15000);
	uint32_t kind = fuzz_below(r, 3);
	size_t off = KCHAN_HDR_LEN;
	uint16_t cmd = any_cmd(r);
	uint32_t k;

	for (k = 0; k < n; k++) {
		switch (kind) {
		case 0:	/* empty PADs: each one valid */
			off = put_attr(buf, off, KCHAN_ATTR_PAD, NULL, 0);
			break;
		case 1:	/* empty attributes of any type */
			off = put_attr(buf, off,
				       (uint16_t)fuzz_below(r, KCHAN_ATTR_MAX + 4),
				       NULL, 0);
			break;
		default: /* the same one-byte KEY over and over */
			off = put_attr(buf, off, KCHAN_ATTR_KEY, "k", 1);
			break;
		}
	}
	if (cmd == KCHAN_CMD_ECHO && fuzz_below(r, 2))
		off = put_random(r, buf, off, KCHAN_ATTR_PAYLOAD,
				 fuzz_below(r, 64));
	return kchan_finish(buf, cmd, seq, off);
}

/* A reply-only attribute type. */
static uint16_t reply_only_type(struct fuzz_rng *r)
{
	if (!fuzz_below(r, 4))
		return KCHAN_ATTR_ENTRY;
	return (uint16_t)(KCHAN_ATTR_EVENT_TYPE +
			  fuzz_below(r, KCHAN_ATTR_MAX - KCHAN_ATTR_EVENT_TYPE + 1));
}

static size_t wrong_type_request(struct fuzz_rng *r, uint8_t *buf,
				 uint32_t seq)
{
	static const uint8_t u64_lens[] = { 0, 1, 3, 4, 7, 9, 16 };
	static const uint8_t u32_lens[] = { 0, 1, 2, 3, 5, 8 };
	size_t off = KCHAN_HDR_LEN;
	uint16_t cmd = KCHAN_CMD_GEN_START;
	char errmsg[32];

	switch (fuzz_below(r, 12)) {
	case 0:	/* a u64 of the wrong length */
		off = put_random(r, buf, off, KCHAN_ATTR_COUNT,
				 u64_lens[fuzz_below(r, sizeof(u64_lens))]);
		off = put_u32(buf, off, KCHAN_ATTR_SIZE, 8);
		break;
	case 1:	/* a u32 of the wrong length */
		off = put_u64(buf, off, KCHAN_ATTR_COUNT, 1);
		off = put_random(r, buf, off, fuzz_below(r, 2) ?
				 KCHAN_ATTR_SIZE : KCHAN_ATTR_RATE,
				 u32_lens[fuzz_below(r, sizeof(u32_lens))]);
		break;
	case 2:	/* a KEY of 0 or 65 bytes */
		cmd = (uint16_t)(KCHAN_CMD_SET + fuzz_below(r, 3));
		off = put_random(r, buf, off, KCHAN_ATTR_KEY,
				 fuzz_below(r, 2) ? 0 : KCHAN_KEY_MAX + 1);
		if (cmd == KCHAN_CMD_SET)
			off = put_random(r, buf, off, KCHAN_ATTR_VALUE, 4);
		break;
	case 3:	/* a CURSOR of 0 or 65 bytes */
		cmd = KCHAN_CMD_LIST;
		off = put_random(r, buf, off, KCHAN_ATTR_CURSOR,
				 fuzz_below(r, 2) ? 0 : KCHAN_KEY_MAX + 1);
		break;
	case 4:	/* a VALUE one byte too long now and then (64 KiB), else empty */
		cmd = KCHAN_CMD_SET;
		off = put_key(r, buf, off, KCHAN_ATTR_KEY);
		off = put_random(r, buf, off, KCHAN_ATTR_VALUE,
				 fuzz_below(r, 4) ? 0 : KCHAN_VALUE_MAX + 1);
		break;
	case 5:	/* PAYLOAD: the maximum, one more (nla_len wraps), or empty */
		cmd = KCHAN_CMD_ECHO;
		if (fuzz_below(r, 4))
			off = put_attr(buf, off, KCHAN_ATTR_PAYLOAD, NULL, 0);
		else
			off = put_random(r, buf, off, KCHAN_ATTR_PAYLOAD,
					 KCHAN_PAYLOAD_MAX + fuzz_below(r, 2));
		break;
	case 6:	/* a reply-only attribute; ERRMSG a string without its NUL */
		cmd = any_cmd(r);
		if (fuzz_below(r, 2)) {
			memset(errmsg, 'e', sizeof(errmsg));
			off = put_attr(buf, off, KCHAN_ATTR_ERRMSG, errmsg,
				       sizeof(errmsg));
		} else {
			off = put_random(r, buf, off, reply_only_type(r),
					 fuzz_below(r, 17));
		}
		break;
	case 7:	/* a type beyond KCHAN_ATTR_MAX */
		cmd = any_cmd(r);
		off = put_random(r, buf, off,
				 (uint16_t)(KCHAN_ATTR_MAX + 1 +
					    fuzz_below(r, NLA_TYPE_MASK - KCHAN_ATTR_MAX)),
				 fuzz_below(r, 9));
		break;
	case 8:	/* the nested or byte-order flag on a plain attribute */
		off = put_u64(buf, off, KCHAN_ATTR_COUNT |
			      (fuzz_below(r, 2) ? NLA_F_NESTED :
			       NLA_F_NET_BYTEORDER), 1);
		off = put_u32(buf, off, KCHAN_ATTR_SIZE, 8);
		break;
	case 9:	/* values out of range */
		off = put_u64(buf, off, KCHAN_ATTR_COUNT,
			      fuzz_below(r, 2) ? 0 : ~0ULL);
		off = put_u32(buf, off, KCHAN_ATTR_SIZE,
			      fuzz_below(r, 2) ? KCHAN_PAYLOAD_MAX + 1 : ~0U);
		break;
	case 10: /* another command's attribute */
		cmd = any_cmd(r);
		off = put_key(r, buf, off, fuzz_below(r, 2) ? KCHAN_ATTR_KEY :
			      KCHAN_ATTR_PAYLOAD);
		break;
	default: /* the same attribute twice */
		cmd = (uint16_t)(KCHAN_CMD_GET + fuzz_below(r, 2));
		off = put_key(r, buf, off, KCHAN_ATTR_KEY);
		off = put_key(r, buf, off, KCHAN_ATTR_KEY);
		break;
	}
	return kchan_finish(buf, cmd, seq, off);
}

size_t fuzz_request(struct fuzz_rng *r, uint8_t *buf, uint32_t seq,
		    enum fuzz_req_kind kind)
{
	switch (kind) {
	case FUZZ_REQ_VALID:
		return valid_request(r, buf, seq);
	case FUZZ_REQ_MUTATED:
		return mutated_request(r, buf, seq);
	case FUZZ_REQ_RANDOM:
		return random_request(r, buf, seq);
	case FUZZ_REQ_HDR_LEN:
		return hdr_len_request(r, buf, seq);
	case FUZZ_REQ_ATTR_LEN:
		return attr_len_request(r, buf, seq);
	case FUZZ_REQ_NEST_BOMB:
		return nest_bomb_request(r, buf, seq);
	case FUZZ_REQ_TINY_ATTRS:
		return tiny_attrs_request(r, buf, seq);
	default:
		return wrong_type_request(r, buf, seq);
	}
}

static size_t probe_len(uint64_t i)
{
	return 1 + (size_t)((i * 7919) % 1500);
}

static uint8_t probe_byte(uint64_t i, size_t j)
{
	return (uint8_t)(i * 131 + j * 7 + (i >> 8));
}

size_t fuzz_echo_probe(uint8_t *buf, uint64_t i, uint32_t seq)
{
	size_t len = probe_len(i), j;
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len),
			    .nla_type = KCHAN_ATTR_PAYLOAD };
	uint8_t *p = buf + KCHAN_HDR_LEN + NLA_HDRLEN;

	memcpy(buf + KCHAN_HDR_LEN, &a, sizeof(a));
	for (j = 0; j < NLA_ALIGN(len); j++)
		p[j] = j < len ? probe_byte(i, j) : 0;
	return kchan_finish(buf, KCHAN_CMD_ECHO, seq,
			    KCHAN_HDR_LEN + NLA_HDRLEN + NLA_ALIGN(len));
}

const char *fuzz_echo_check(const uint8_t *attrs, size_t alen, uint64_t i)
{
	const struct nlattr *a = find_attr(attrs, alen, KCHAN_ATTR_PAYLOAD);
	const uint8_t *p;
	size_t j;

	if (!a)
		return "the reply has no PAYLOAD";
	if (attr_len(a) != probe_len(i))
		return "the PAYLOAD's length differs from the request's";
	p = (const uint8_t *)a + NLA_HDRLEN;
	for (j = 0; j < probe_len(i); j++)
		if (p[j] != probe_byte(i, j))
			return "the PAYLOAD's bytes differ from the request's";
	return NULL;
}

/* ---- the store's keys --------------------------------------------------- */

size_t fuzz_list_request(uint8_t *buf, const struct fuzz_key *cursor,
			 uint32_t seq)
{
	size_t off = KCHAN_HDR_LEN;

	if (cursor && cursor->len)
		off = put_attr(buf, off, KCHAN_ATTR_CURSOR, cursor->key,
			       cursor->len);
	return kchan_finish(buf, KCHAN_CMD_LIST, seq, off);
}

/* A KEY or CURSOR attribute as a key; 0 when it is no key. */
static int attr_key(const struct nlattr *a, struct fuzz_key *key)
{
	uint32_t len = attr_len(a);

	if (!len || len > KCHAN_KEY_MAX)
		return 0;
	key->len = (uint8_t)len;
	memcpy(key->key, (const uint8_t *)a + NLA_HDRLEN, len);
	return 1;
}

static void keys_add(struct fuzz_keys *ks, const struct fuzz_key *key)
{
	if (ks->n == ks->cap) {
		ks->cap = ks->cap ? 2 * ks->cap : 256;
		ks->k = realloc(ks->k, ks->cap * sizeof(*ks->k));
		if (!ks->k)
			die("realloc %zu keys: out of memory", ks->cap);
	}
	ks->k[ks->n++] = *key;
}

int fuzz_keys_collect(const uint8_t *attrs, size_t alen, struct fuzz_keys *ks,
		      struct fuzz_key *cursor)
{
	size_t off = 0;
	int more = 0;

	while (off + NLA_HDRLEN <= alen) {
		const struct nlattr *a = (const void *)(attrs + off);
		uint16_t type = a->nla_type & NLA_TYPE_MASK;
		struct fuzz_key key;

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > alen)
			die("a LIST reply with a broken attribute at %zu", off);
		if (type == KCHAN_ATTR_ENTRY) {
			const struct nlattr *k = find_attr((const uint8_t *)a + NLA_HDRLEN,
							   attr_len(a),
							   KCHAN_ATTR_KEY);

			if (!k || !attr_key(k, &key))
				die("a LIST reply's ENTRY without a KEY");
			keys_add(ks, &key);
		} else if (type == KCHAN_ATTR_CURSOR) {
			if (!attr_key(a, cursor))
				die("a LIST reply with a CURSOR of %u bytes",
				    attr_len(a));
			more = 1;
		}
		off += NLA_ALIGN(a->nla_len);
	}
	return more;
}

int fuzz_keys_has(const struct fuzz_keys *ks, const struct fuzz_key *key)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		if (ks->k[i].len == key->len &&
		    !memcmp(ks->k[i].key, key->key, key->len))
			return 1;
	return 0;
}

size_t fuzz_key_delete_of(uint8_t *buf, const struct fuzz_key *key,
			  uint32_t seq)
{
	return kchan_finish(buf, KCHAN_CMD_DELETE, seq,
			    put_attr(buf, KCHAN_HDR_LEN, KCHAN_ATTR_KEY,
				     key->key, key->len));
}

void fuzz_keys_free(struct fuzz_keys *ks)
{
	free(ks->k);
	memset(ks, 0, sizeof(*ks));
}

void fuzz_store_list(uint8_t *kmsg, fuzz_exchange_fn exchange,
		     struct fuzz_keys *ks)
{
	struct fuzz_key cursor = { 0 };
	const uint8_t *attrs;
	size_t alen;
	int err;

	do {
		fuzz_list_request(kmsg, &cursor, 1);
		err = exchange(kmsg, &attrs, &alen);
		if (err)
			die("LIST of the store: %s", strerror(-err));
	} while (fuzz_keys_collect(attrs, alen, ks, &cursor));
}

void fuzz_store_restore(uint8_t *kmsg, fuzz_exchange_fn exchange,
			const struct fuzz_keys *before)
{
	struct fuzz_keys now = { 0 };
	const uint8_t *attrs;
	size_t i, alen;
	int err;

	fuzz_store_list(kmsg, exchange, &now);
	for (i = 0; i < now.n; i++) {
		if (fuzz_keys_has(before, &now.k[i]))
			continue;
		fuzz_key_delete_of(kmsg, &now.k[i], 1);
		err = exchange(kmsg, &attrs, &alen);
		if (err && err != -ENOENT)
			die("DELETE of a key the fuzzer made: %s",
			    strerror(-err));
	}
	fuzz_keys_free(&now);
}

void fuzz_round_trip(uint8_t *kmsg, fuzz_exchange_fn exchange,
		     const char *door, const struct fuzz_args *a,
		     uint64_t inputs)
{
	char key[32], value[64];
	const struct nlattr *v;
	const uint8_t *attrs;
	size_t off, alen;
	int klen, vlen, err;

	klen = snprintf(key, sizeof(key), "fuzz-own-%llu",
			(unsigned long long)a->seed);
	vlen = snprintf(value, sizeof(value), "%s after %llu inputs", door,
			(unsigned long long)inputs);

	off = put_attr(kmsg, KCHAN_HDR_LEN, KCHAN_ATTR_KEY, key, klen);
	off = put_attr(kmsg, off, KCHAN_ATTR_VALUE, value, vlen);
	kchan_finish(kmsg, KCHAN_CMD_SET, 1, off);
	err = exchange(kmsg, &attrs, &alen);
	if (err)
		die("seed=%llu %s: SET of our own key: %s",
		    (unsigned long long)a->seed, door, strerror(-err));

	off = put_attr(kmsg, KCHAN_HDR_LEN, KCHAN_ATTR_KEY, key, klen);
	kchan_finish(kmsg, KCHAN_CMD_GET, 1, off);
	err = exchange(kmsg, &attrs, &alen);
	if (err)
		die("seed=%llu %s: GET of our own key: %s",
		    (unsigned long long)a->seed, door, strerror(-err));
	v = find_attr(attrs, alen, KCHAN_ATTR_VALUE);
	if (!v || attr_len(v) != (uint32_t)vlen ||
	    memcmp((const uint8_t *)v + NLA_HDRLEN, value, vlen))
		die("seed=%llu %s: GET of our own key: not the value SET",
		    (unsigned long long)a->seed, door);

	kchan_finish(kmsg, KCHAN_CMD_DELETE, 1, off);
	err = exchange(kmsg, &attrs, &alen);
	if (err)
		die("seed=%llu %s: DELETE of our own key: %s",
		    (unsigned long long)a->seed, door, strerror(-err));

	kchan_finish(kmsg, KCHAN_CMD_GET, 1, off);
	err = exchange(kmsg, &attrs, &alen);
	if (err != -ENOENT)
		die("seed=%llu %s: GET after DELETE: %s, expected ENOENT",
		    (unsigned long long)a->seed, door,
		    err ? strerror(-err) : "found");
}
