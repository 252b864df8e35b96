/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kchan_fuzz: what the per-transport fuzzers share.  Each fuzzer
 * (kchan_fuzz_netlink, _procfs, _sockopt, _chardev) is one program that
 * sends inputs=N malformed or mutated inputs through its transport's doors,
 * checks between them that the module still answers a valid request
 * correctly (a "probe"), and prints one result line:
 *
 *   result inputs=100000 accepted=812 refused=99188 probes=1001 seed=7 errnos=EINVAL:98000,EMSGSIZE:1188
 *
 * It exits 0 when every input got either a reply or an errno and every probe
 * got its correct answer; 1 (one line on stderr, with the seed and the input
 * number so the run can be replayed) when a probe fails, the module stops
 * answering, or a system call fails in a way no input can explain.
 *
 * Arguments: inputs=N (default 10000) seed=S (default 1) probe_every=K
 * (default 100).  The same seed gives the same inputs.
 */
#ifndef KCHAN_FUZZ_H
#define KCHAN_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "kchan_bench.h"

struct fuzz_args {
	uint64_t inputs;
	uint64_t seed;
	uint64_t probe_every;
};

/* xorshift64*: fast, and the same seed gives the same sequence. */
struct fuzz_rng {
	uint64_t state;
};

/* What the inputs got back: a reply, or which errno. */
#define FUZZ_ERRNO_MAX 134
struct fuzz_tally {
	uint64_t inputs;
	uint64_t accepted;
	uint64_t refused;
	uint64_t probes;
	uint64_t errnos[FUZZ_ERRNO_MAX];
};

void fuzz_parse_args(int argc, char **argv, struct fuzz_args *a);
void fuzz_seed(struct fuzz_rng *r, uint64_t seed);
uint64_t fuzz_next(struct fuzz_rng *r);
/* Uniform in [0, n); n > 0. */
uint32_t fuzz_below(struct fuzz_rng *r, uint32_t n);
/* A length or count a parser should fear: 0, 1, powers of two and their
 * neighbours, the type's maxima, and kchan's own limits plus and minus one.
 */
uint32_t fuzz_boundary(struct fuzz_rng *r);
void fuzz_fill(struct fuzz_rng *r, void *buf, size_t len);
/*
 * Mutates @len bytes of @buf in place (room for @cap) by one to four of:
 * bit flip, byte set to 0/0x7f/0x80/0xff, a 16- or 32-bit field set to a
 * boundary value, a chunk duplicated or removed, truncation, extension with
 * random bytes.  Returns the new length (at most @cap).
 */
size_t fuzz_mutate(struct fuzz_rng *r, uint8_t *buf, size_t len, size_t cap);
/* Counts one input: @ret >= 0 is accepted, < 0 is refused with -@ret. */
void fuzz_count(struct fuzz_tally *t, int ret);
/* Prints the result line on stdout. */
void fuzz_report(const struct fuzz_tally *t, const struct fuzz_args *a);

/*
 * kchan requests, malformed on purpose (added with the netlink and procfs
 * fuzzers; any fuzzer of a door that carries whole kchan messages may use
 * them).  Each builds one message at @buf (room for FUZZ_MSG_CAP bytes),
 * kchan header included, and returns its length.
 */
#define FUZZ_MSG_CAP		(2 * KCHAN_MSG_MAX)
/* How many keys the valid requests use ("fuzz-00".."fuzz-63"). */
#define FUZZ_KEYS		64

enum fuzz_req_kind {
	FUZZ_REQ_VALID,		/* a valid request of a random command */
	FUZZ_REQ_MUTATED,	/* the same through fuzz_mutate() */
	FUZZ_REQ_RANDOM,	/* random bytes of a random length */
	FUZZ_REQ_HDR_LEN,	/* hdr.len a boundary value or a lie */
	FUZZ_REQ_ATTR_LEN,	/* an nla_len of 0..3, past the end, 0xffff */
	FUZZ_REQ_NEST_BOMB,	/* ENTRY nested in ENTRY up to 16000 deep */
	FUZZ_REQ_TINY_ATTRS,	/* thousands of tiny attributes */
	FUZZ_REQ_WRONG_TYPE,	/* wrong lengths, types and flags */
	FUZZ_REQ_N,
};

/* A request of strategy @kind (fuzz_below(r, FUZZ_REQ_N) for any). */
size_t fuzz_request(struct fuzz_rng *r, uint8_t *buf, uint32_t seq,
		    enum fuzz_req_kind kind);
/* The probe of input @i: an ECHO whose PAYLOAD depends on @i. */
size_t fuzz_echo_probe(uint8_t *buf, uint64_t i, uint32_t seq);
/*
 * Whether @alen bytes of reply attributes hold exactly the PAYLOAD of
 * fuzz_echo_probe(@i): NULL when they do, else what is wrong.
 */
const char *fuzz_echo_check(const uint8_t *attrs, size_t alen, uint64_t i);

/*
 * The store as the fuzzer found it: fuzz_keys_collect() takes the keys of
 * a LIST reply, so that a fuzzer can list the store before its first
 * input and, at the end, DELETE every key that was not there (mutated
 * SETs make keys of their own).
 */
struct fuzz_key {
	uint8_t len;
	uint8_t key[KCHAN_KEY_MAX];
};

struct fuzz_keys {
	size_t n, cap;
	struct fuzz_key *k;
};

/* A LIST request, resuming after @cursor when it is a key (len not 0). */
size_t fuzz_list_request(uint8_t *buf, const struct fuzz_key *cursor,
			 uint32_t seq);
/*
 * Adds the KEY of every ENTRY among @alen bytes of LIST reply attributes
 * to @ks.  Returns 1 with the reply's CURSOR at *@cursor when more
 * follow, else 0.
 */
int fuzz_keys_collect(const uint8_t *attrs, size_t alen, struct fuzz_keys *ks,
		      struct fuzz_key *cursor);
int fuzz_keys_has(const struct fuzz_keys *ks, const struct fuzz_key *key);
/* A DELETE of @key. */
size_t fuzz_key_delete_of(uint8_t *buf, const struct fuzz_key *key,
			  uint32_t seq);
void fuzz_keys_free(struct fuzz_keys *ks);

/*
 * One valid request @kmsg through a door, synchronously: 0 with the
 * reply's attributes at *@attrs (@alen bytes, valid until the next
 * exchange), or -errno.  The request-layer fuzzers (netlink, procfs) end
 * their run through it with the helpers below.
 */
typedef int (*fuzz_exchange_fn)(const uint8_t *kmsg, const uint8_t **attrs,
				size_t *alen);

/* Every key in the store into @ks, by LIST requests built in @kmsg. */
void fuzz_store_list(uint8_t *kmsg, fuzz_exchange_fn exchange,
		     struct fuzz_keys *ks);
/*
 * DELETE every key that was not in the store before the first input
 * (@before): valid requests SET keys of a pool, mutated ones keys of
 * their own.
 */
void fuzz_store_restore(uint8_t *kmsg, fuzz_exchange_fn exchange,
			const struct fuzz_keys *before);
/*
 * After the last input: a key of the fuzzer's own is SET, read back
 * exactly by GET, DELETEd, and then missing (ENOENT), through @door.
 */
void fuzz_round_trip(uint8_t *kmsg, fuzz_exchange_fn exchange,
		     const char *door, const struct fuzz_args *a,
		     uint64_t inputs);

#endif /* KCHAN_FUZZ_H */
