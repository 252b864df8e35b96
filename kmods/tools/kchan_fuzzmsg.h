/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kchan_fuzzmsg: malformed and mutated kchan messages, and the checks on
 * what comes back, for the fuzzers whose doors carry whole kchan messages
 * (sockopt, chardev).  kchan_fuzz.h is the harness; this is one layer up:
 * it knows the kchan wire format.
 */
#ifndef KCHAN_FUZZMSG_H
#define KCHAN_FUZZMSG_H

#include <stddef.h>
#include <stdint.h>

#include "kchan_fuzz.h"

/* The kinds of message fuzz_msg() builds, each a share of the inputs. */
enum fuzz_msg_kind {
	FUZZ_MSG_RANDOM,	/* random bytes, random length */
	FUZZ_MSG_MUTATED,	/* a valid request, fuzz_mutate()d */
	FUZZ_MSG_LENGTHS,	/* hdr.len or an nla_len at a boundary */
	FUZZ_MSG_NESTED,	/* ENTRY in ENTRY, deep; or many tiny attrs */
	FUZZ_MSG_WRONG_TYPE,	/* an attribute of the wrong size or kind */
	FUZZ_MSG_VALID,		/* a valid request, untouched */
	FUZZ_MSG_KINDS,
};

/* The key the fuzzers set, get and delete at the end. */
#define FUZZ_OWN_KEY	"kchan-fuzz-own-key"

/*
 * A valid request of @cmd (any value: unknown commands get a plausible
 * body too) with seq @seq into @buf, which has room for @cap >= 256 bytes.
 * Small most of the time.  Returns its length.
 */
size_t fuzz_valid_request(struct fuzz_rng *r, uint8_t *buf, size_t cap,
			  uint16_t cmd, uint32_t seq);
/* A command: mostly a real one, sometimes 0, EVENT or beyond the last. */
uint16_t fuzz_cmd(struct fuzz_rng *r);
/*
 * One message of @kind for @cmd into @buf (room for @cap bytes, at least
 * 64 KiB for the nested kind to reach depth), its header's cmd and len
 * set as the kind leaves them.  Returns its length (0 is possible).
 */
size_t fuzz_msg(struct fuzz_rng *r, enum fuzz_msg_kind kind, uint8_t *buf,
		size_t cap, uint16_t cmd);
/* A kind drawn with the shares the fuzzers use. */
enum fuzz_msg_kind fuzz_msg_kind(struct fuzz_rng *r);
/* Writes the header's cmd and len so the door's framing accepts it. */
void fuzz_frame(uint8_t *buf, size_t len, uint16_t cmd);

/*
 * An ECHO request whose PAYLOAD depends on @i; fuzz_probe_check() says
 * whether @reply (@len bytes) is its exact answer (NULL) or what is wrong.
 */
size_t fuzz_probe_request(uint8_t *buf, uint64_t i);
const char *fuzz_probe_check(const uint8_t *reply, size_t len, uint64_t i);
/*
 * Whether @len bytes are a well-formed kchan reply: header whole, len
 * agrees, REPLY flag (or EVENT for an event).  NULL or what is wrong.
 */
const char *fuzz_reply_check(const uint8_t *msg, size_t len);
/* Counts an input that got a reply: its status, 0 or a negative errno. */
void fuzz_count_reply(struct fuzz_tally *t, const uint8_t *reply);

/*
 * One request through a door, for the fuzzer's own bookkeeping: the
 * reply's length (0 for a door that answers with an errno only, as
 * setsockopt does) or a negative errno.
 */
typedef long (*fuzz_call_fn)(void *door, const uint8_t *req, size_t len,
			     uint8_t *reply, size_t cap);

/* The keys in the store, so that the fuzzer can leave it as it was. */
#define FUZZ_KEYS_MAX	4096
struct fuzz_key_list {
	size_t count;
	uint8_t len[FUZZ_KEYS_MAX];
	uint8_t key[FUZZ_KEYS_MAX][KCHAN_KEY_MAX];
};

/* Lists the store through @call into @keys; dies when it cannot. */
void fuzz_store_keys(fuzz_call_fn call, void *door, struct fuzz_key_list *keys);
/*
 * The end of a run: SET, GET and DELETE of FUZZ_OWN_KEY must round-trip,
 * GEN_STOP, and every key not in @before is deleted (mutated SETs store
 * keys of their own).  Dies naming what failed.
 */
void fuzz_finish(fuzz_call_fn call, void *door, const struct fuzz_key_list *before);

#endif /* KCHAN_FUZZMSG_H */
