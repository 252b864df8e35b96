// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_core self-test, run at load time with selftest=1.
 *
 * It drives the service through the exported API, the way a transport
 * does: kchan_core_call() with messages built here byte by byte,
 * kchan_core_run() and kchan_core_exec() with parsed attributes,
 * subscribers, kchan_core_list_fill(), kchan_core_post_packet().  Every
 * reply is checked for form (header, length, attributes) as well as
 * content.  The store is empty again afterwards, no subscriber stays open
 * and the generator is stopped.
 *
 * On the first failed check it logs "selftest failed: <step>: <check>" and
 * module init fails with -EINVAL; on success it logs
 * "selftest passed (N checks)".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/skbuff.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>

#include "kchan_internal.h"

/* How long to wait for an event that must come. */
#define KST_TIMEOUT		(10 * HZ)
/* How long to watch for an event that must not come. */
#define KST_QUIET_MS		50
/* Request room for the small messages most steps send. */
#define KST_SMALL_ROOM		512
/* Room for a request carrying one attribute of @len bytes and a key. */
#define KST_ROOM(len)		(KST_SMALL_ROOM + KCHAN_ATTR_SPACE(len))

/* Multi-part LIST: entries with 8-byte keys "partNNNN" and these values. */
#define KST_PART_KEY_LEN	8
#define KST_PART_VAL_LEN	1000
#define KST_PART_MAX_ENTRIES	1024
/* Store events the events step queues before reading them. */
#define KST_EVENTS		3
/* Extra events offered to a full queue. */
#define KST_OVERFLOW		3
/* The max_subscribers check opens that many rings of at most this many slots. */
#define KST_SUB_SLOTS_MAX	SZ_1M
/* Generator run: a few paced events. */
#define KST_GEN_COUNT		5
#define KST_GEN_SIZE		100
#define KST_GEN_RATE		1000
/* Generator run that must still be running when stopped. */
#define KST_GEN_SLOW_COUNT	1000
#define KST_GEN_SLOW_RATE	1
#define KST_GEN_STOP_LATENCY	(HZ / 2)
/* Values of the small entries some steps write. */
#define KST_U32_LEN		sizeof(u32)

struct kst {
	unsigned int checks;
	const char *step;		/* what is being tested, for the log */
	u32 seq;			/* sequence of the last request */
	struct kchan_caller admin;	/* may mutate */
	struct kchan_caller guest;	/* may not */
	wait_queue_head_t wq;		/* woken by the subscriber callback */
	atomic_t wakes;
	u8 *buf;			/* KCHAN_PAYLOAD_MAX + 1 scratch bytes */
};

struct kst_reply {
	struct sk_buff *skb;
	struct kchan_hdr hdr;
	struct nlattr *tb[KCHAN_ATTR_MAX + 1];
};

struct kst_event {
	struct sk_buff *skb;
	struct nlattr *tb[KCHAN_ATTR_MAX + 1];
	u32 type;
	u64 seq;
	u64 dropped;
};

struct kst_stats {
	u64 entries;
	u64 bytes;
	u64 requests[KCHAN_TRANSPORT_MAX + 1];
	u64 errors[KCHAN_TRANSPORT_MAX + 1];
	u64 events[KCHAN_TRANSPORT_MAX + 1];
	u64 drops[KCHAN_TRANSPORT_MAX + 1];
};

static bool kst_ok(struct kst *t, bool ok, const char *check)
{
	if (!ok) {
		pr_err("selftest failed: %s: %s\n", t->step, check);
		return false;
	}
	t->checks++;
	return true;
}

static void kst_wake(void *ctx)
{
	struct kst *t = ctx;

	atomic_inc(&t->wakes);
	wake_up(&t->wq);
}

/* Byte i of test data number @n. */
static void kst_fill(u8 *buf, size_t len, unsigned int n)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (u8)(n + i);
}

static bool kst_is_filled(const u8 *buf, size_t len, unsigned int n)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != (u8)(n + i))
			return false;
	return true;
}

static bool kst_attr_is(const struct nlattr *nla, const void *data,
			size_t len)
{
	return nla && nla_len(nla) == len && !memcmp(nla_data(nla), data, len);
}

static int kst_key_cmp(const void *a, size_t a_len, const void *b,
		       size_t b_len)
{
	int diff = memcmp(a, b, min(a_len, b_len));

	if (diff || a_len == b_len)
		return diff;
	return a_len < b_len ? -1 : 1;
}

/* The attributes after the kchan header of a message in @skb. */
static struct nlattr *kst_attrs(const struct sk_buff *skb)
{
	return (struct nlattr *)(skb->data + KCHAN_HDR_LEN);
}

static int kst_attrs_len(const struct sk_buff *skb)
{
	return skb->len - KCHAN_HDR_LEN;
}

/* --- requests -------------------------------------------------------- */

static struct kchan_hdr *kst_hdr(struct sk_buff *skb)
{
	return (struct kchan_hdr *)skb->data;
}

static struct sk_buff *kst_req(struct kst *t, u16 cmd, size_t room)
{
	struct kchan_hdr *hdr;
	struct sk_buff *skb;

	skb = alloc_skb(KCHAN_HDR_LEN + room, GFP_KERNEL);
	if (!skb)
		return NULL;
	hdr = skb_put_zero(skb, sizeof(*hdr));
	hdr->cmd = cmd;
	hdr->seq = ++t->seq;
	return skb;
}

/* An attribute header saying @nla_len, followed by @bytes of zeroes. */
static void *kst_put_raw(struct sk_buff *skb, u16 type, u16 nla_len,
			 size_t bytes)
{
	struct nlattr *nla = skb_put_zero(skb, NLA_HDRLEN + bytes);

	nla->nla_len = nla_len;
	nla->nla_type = type;
	return nla_data(nla);
}

static struct sk_buff *kst_req_kv(struct kst *t, u16 cmd, const void *key,
				  size_t key_len, const void *val,
				  size_t val_len)
{
	struct sk_buff *skb = kst_req(t, cmd, KST_ROOM(val_len));

	if (!skb)
		return NULL;
	if ((key && nla_put(skb, KCHAN_ATTR_KEY, key_len, key)) ||
	    (val && nla_put(skb, KCHAN_ATTR_VALUE, val_len, val))) {
		kfree_skb(skb);
		return NULL;
	}
	return skb;
}

static struct sk_buff *kst_req_gen(struct kst *t, u64 count, u32 size,
				   u32 rate)
{
	struct sk_buff *skb = kst_req(t, KCHAN_CMD_GEN_START, KST_SMALL_ROOM);

	if (!skb)
		return NULL;
	if (nla_put_u64_64bit(skb, KCHAN_ATTR_COUNT, count, KCHAN_ATTR_PAD) ||
	    nla_put_u32(skb, KCHAN_ATTR_SIZE, size) ||
	    (rate && nla_put_u32(skb, KCHAN_ATTR_RATE, rate))) {
		kfree_skb(skb);
		return NULL;
	}
	return skb;
}

/* --- replies --------------------------------------------------------- */

static void kst_put(struct kst_reply *r)
{
	kfree_skb(r->skb);
	r->skb = NULL;
}

static bool kst_errmsg_ok(const struct nlattr *nla)
{
	const char *msg;
	int len;

	if (!nla)
		return false;
	msg = nla_data(nla);
	len = nla_len(nla);
	return len >= 2 && len <= KCHAN_ERRMSG_MAX && msg[len - 1] == '\0' &&
	       strlen(msg) == len - 1;
}

/* Check that @r->skb is one well-formed reply to (@cmd, @seq). */
static int kst_check_reply(struct kst *t, struct kst_reply *r, u16 cmd,
			   u32 seq)
{
	if (!kst_ok(t, !IS_ERR_OR_NULL(r->skb), "a reply comes back")) {
		r->skb = NULL;
		return -EINVAL;
	}
	if (!kst_ok(t, r->skb->len >= KCHAN_HDR_LEN, "reply has a header"))
		goto bad;
	memcpy(&r->hdr, r->skb->data, sizeof(r->hdr));
	if (!kst_ok(t, r->hdr.len == r->skb->len, "reply len is skb len") ||
	    !kst_ok(t, r->skb->len <= KCHAN_MSG_MAX, "reply within MSG_MAX") ||
	    !kst_ok(t, (r->hdr.flags & ~KCHAN_F_MORE) == KCHAN_F_REPLY,
		    "reply flags") ||
	    !kst_ok(t, r->hdr.cmd == cmd && r->hdr.seq == seq,
		    "reply cmd and seq") ||
	    !kst_ok(t, !nla_parse(r->tb, KCHAN_ATTR_MAX, kst_attrs(r->skb),
				  kst_attrs_len(r->skb), NULL, NULL),
		    "reply attributes parse"))
		goto bad;
	if (r->hdr.status &&
	    (!kst_ok(t, kst_errmsg_ok(r->tb[KCHAN_ATTR_ERRMSG]),
		     "error reply has an ERRMSG") ||
	     !kst_ok(t, !(r->hdr.flags & KCHAN_F_MORE), "no MORE on error")))
		goto bad;
	return 0;
bad:
	kst_put(r);
	return -EINVAL;
}

/*
 * Send @req (consumed) as @caller and expect @status and, for an error
 * with @errattr nonzero, that ERRATTR.  With @r the reply is kept there
 * for the caller to check further and kst_put().
 */
static int kst_expect(struct kst *t, const char *step,
		      const struct kchan_caller *caller, struct sk_buff *req,
		      int status, u32 errattr, struct kst_reply *r)
{
	struct kst_reply local;
	struct kchan_hdr *hdr;
	u16 cmd;
	u32 seq;

	if (!r)
		r = &local;
	r->skb = NULL;
	t->step = step;
	if (!kst_ok(t, !!req, "request built"))
		return -EINVAL;
	hdr = kst_hdr(req);
	hdr->len = req->len;
	cmd = hdr->cmd;
	seq = hdr->seq;
	r->skb = kchan_core_call(caller, req->data, req->len);
	consume_skb(req);
	if (kst_check_reply(t, r, cmd, seq))
		return -EINVAL;

	if (r->hdr.status != status) {
		pr_err("selftest: %s: status %d, expected %d (%s)\n", step,
		       r->hdr.status, status,
		       r->tb[KCHAN_ATTR_ERRMSG] ?
		       (char *)nla_data(r->tb[KCHAN_ATTR_ERRMSG]) : "");
		kst_ok(t, false, "status");
		goto bad;
	}
	if (status && errattr &&
	    !kst_ok(t, r->tb[KCHAN_ATTR_ERRATTR] &&
		    nla_get_u32(r->tb[KCHAN_ATTR_ERRATTR]) == errattr,
		    "ERRATTR names the attribute"))
		goto bad;
	if (r == &local)
		kst_put(r);
	return 0;
bad:
	kst_put(r);
	return -EINVAL;
}

/* Hand @len raw bytes to kchan_core_call() and expect an error reply. */
static int kst_expect_raw(struct kst *t, const char *step, const void *msg,
			  size_t len, u16 cmd, u32 seq, int status,
			  u32 errattr)
{
	struct kst_reply r = { .skb = kchan_core_call(&t->admin, msg, len) };

	t->step = step;
	if (kst_check_reply(t, &r, cmd, seq))
		return -EINVAL;
	if (!kst_ok(t, r.hdr.status == status, "status") ||
	    (errattr && !kst_ok(t, r.tb[KCHAN_ATTR_ERRATTR] &&
				nla_get_u32(r.tb[KCHAN_ATTR_ERRATTR]) ==
				errattr, "ERRATTR names the attribute"))) {
		pr_err("selftest: %s: status %d, expected %d\n", step,
		       r.hdr.status, status);
		kst_put(&r);
		return -EINVAL;
	}
	kst_put(&r);
	return 0;
}

static int kst_set(struct kst *t, const char *step, const void *key,
		   size_t key_len, const void *val, size_t val_len)
{
	return kst_expect(t, step, &t->admin,
			  kst_req_kv(t, KCHAN_CMD_SET, key, key_len, val,
				     val_len), 0, 0, NULL);
}

static int kst_delete(struct kst *t, const char *step, const void *key,
		      size_t key_len, int status)
{
	return kst_expect(t, step, &t->admin,
			  kst_req_kv(t, KCHAN_CMD_DELETE, key, key_len, NULL,
				     0), status, KCHAN_ATTR_KEY, NULL);
}

/* GET @key and expect @val, or -ENOENT when @val is NULL. */
static int kst_get(struct kst *t, const char *step, const void *key,
		   size_t key_len, const void *val, size_t val_len)
{
	struct kst_reply r;
	int err;

	err = kst_expect(t, step, &t->guest,
			 kst_req_kv(t, KCHAN_CMD_GET, key, key_len, NULL, 0),
			 val ? 0 : -ENOENT, KCHAN_ATTR_KEY, &r);
	if (err)
		return err;
	if (val && (!kst_ok(t, kst_attr_is(r.tb[KCHAN_ATTR_KEY], key,
					   key_len), "GET returns the KEY") ||
		    !kst_ok(t, kst_attr_is(r.tb[KCHAN_ATTR_VALUE], val,
					   val_len), "GET returns the VALUE")))
		err = -EINVAL;
	kst_put(&r);
	return err;
}

static int kst_read_stats(struct kst *t, const char *step,
			  struct kst_stats *s)
{
	struct nlattr *nla, *tb[KCHAN_ATTR_MAX + 1];
	unsigned int seen = 0;
	struct kst_reply r;
	int err, rem;
	u32 tr;

	memset(s, 0, sizeof(*s));
	err = kst_expect(t, step, &t->guest,
			 kst_req(t, KCHAN_CMD_STATS, 0), 0, 0, &r);
	if (err)
		return err;
	if (!kst_ok(t, r.tb[KCHAN_ATTR_STORE_ENTRIES] &&
		    r.tb[KCHAN_ATTR_STORE_BYTES], "STATS has store usage"))
		goto bad;
	s->entries = nla_get_u64(r.tb[KCHAN_ATTR_STORE_ENTRIES]);
	s->bytes = nla_get_u64(r.tb[KCHAN_ATTR_STORE_BYTES]);

	nla_for_each_attr(nla, kst_attrs(r.skb), kst_attrs_len(r.skb), rem) {
		if (nla_type(nla) != KCHAN_ATTR_TRANSPORT_STATS)
			continue;
		if (!kst_ok(t, !nla_parse_nested(tb, KCHAN_ATTR_MAX, nla,
						 NULL, NULL),
			    "TRANSPORT_STATS parses") ||
		    !kst_ok(t, tb[KCHAN_ATTR_TRANSPORT] &&
			    tb[KCHAN_ATTR_STAT_REQUESTS] &&
			    tb[KCHAN_ATTR_STAT_ERRORS] &&
			    tb[KCHAN_ATTR_STAT_EVENTS] &&
			    tb[KCHAN_ATTR_STAT_DROPS],
			    "TRANSPORT_STATS complete"))
			goto bad;
		tr = nla_get_u32(tb[KCHAN_ATTR_TRANSPORT]);
		if (!kst_ok(t, tr <= KCHAN_TRANSPORT_MAX && !(seen & BIT(tr)),
			    "each transport once"))
			goto bad;
		seen |= BIT(tr);
		s->requests[tr] = nla_get_u64(tb[KCHAN_ATTR_STAT_REQUESTS]);
		s->errors[tr] = nla_get_u64(tb[KCHAN_ATTR_STAT_ERRORS]);
		s->events[tr] = nla_get_u64(tb[KCHAN_ATTR_STAT_EVENTS]);
		s->drops[tr] = nla_get_u64(tb[KCHAN_ATTR_STAT_DROPS]);
	}
	if (!kst_ok(t, seen == GENMASK(KCHAN_TRANSPORT_MAX, 0),
		    "STATS covers every transport"))
		goto bad;
	kst_put(&r);
	return 0;
bad:
	kst_put(&r);
	return -EINVAL;
}

/* --- events ---------------------------------------------------------- */

static void kst_event_put(struct kst_event *ev)
{
	kfree_skb(ev->skb);
	ev->skb = NULL;
}

/* Whether @sub has nothing queued; an event found anyway is freed. */
static bool kst_queue_empty(struct kchan_sub *sub)
{
	struct sk_buff *skb;

	if (kchan_sub_pending(sub))
		return false;
	skb = kchan_sub_next(sub);
	if (IS_ERR_OR_NULL(skb))
		return !skb;
	kfree_skb(skb);
	return false;
}

/* Events of @body bytes a subscriber's empty queue takes before drops. */
static u32 kst_queue_fit(size_t body)
{
	return min_t(size_t, kchan_sub_queue_len,
		     kchan_sub_queue_bytes / body);
}

/*
 * Take the next event of @sub, waiting for it when @wait, and check its
 * form: the event header, then EVENT_TYPE, SEQ and DROPPED first.
 */
static int kst_take_event(struct kst *t, struct kchan_sub *sub, bool wait,
			  struct kst_event *ev)
{
	static const u16 first[] = {
		KCHAN_ATTR_EVENT_TYPE, KCHAN_ATTR_SEQ, KCHAN_ATTR_DROPPED,
	};
	struct kchan_hdr hdr;
	struct nlattr *nla;
	unsigned int n = 0;
	bool order_ok = true;
	int rem;

	if (wait)
		wait_event_timeout(t->wq, kchan_sub_pending(sub), KST_TIMEOUT);
	ev->skb = kchan_sub_next(sub);
	if (!kst_ok(t, !IS_ERR_OR_NULL(ev->skb), "an event is queued")) {
		ev->skb = NULL;
		return -EINVAL;
	}
	if (!kst_ok(t, ev->skb->len >= KCHAN_HDR_LEN, "event has a header"))
		goto bad;
	memcpy(&hdr, ev->skb->data, sizeof(hdr));
	if (!kst_ok(t, hdr.cmd == KCHAN_CMD_EVENT &&
		    hdr.flags == KCHAN_F_EVENT && !hdr.seq && !hdr.status,
		    "event header") ||
	    !kst_ok(t, hdr.len == ev->skb->len, "event len is skb len") ||
	    !kst_ok(t, !nla_parse(ev->tb, KCHAN_ATTR_MAX, kst_attrs(ev->skb),
				  kst_attrs_len(ev->skb), NULL, NULL),
		    "event attributes parse"))
		goto bad;

	nla_for_each_attr(nla, kst_attrs(ev->skb), kst_attrs_len(ev->skb),
			  rem) {
		if (nla_type(nla) == KCHAN_ATTR_PAD)
			continue;
		if (n < ARRAY_SIZE(first) && nla_type(nla) != first[n])
			order_ok = false;
		n++;
	}
	if (!kst_ok(t, order_ok && n >= ARRAY_SIZE(first),
		    "EVENT_TYPE, SEQ, DROPPED come first"))
		goto bad;
	ev->type = nla_get_u32(ev->tb[KCHAN_ATTR_EVENT_TYPE]);
	ev->seq = nla_get_u64(ev->tb[KCHAN_ATTR_SEQ]);
	ev->dropped = nla_get_u64(ev->tb[KCHAN_ATTR_DROPPED]);
	return 0;
bad:
	kst_event_put(ev);
	return -EINVAL;
}

/* --- steps ----------------------------------------------------------- */

static int kst_echo_one(struct kst *t, const char *step, const void *data,
			size_t len)
{
	struct kst_reply r;
	struct sk_buff *req;
	int err;

	req = kst_req(t, KCHAN_CMD_ECHO, KST_ROOM(len));
	if (req && data && nla_put(req, KCHAN_ATTR_PAYLOAD, len, data)) {
		kfree_skb(req);
		req = NULL;
	}
	err = kst_expect(t, step, &t->guest, req, 0, 0, &r);
	if (err)
		return err;
	if (data)
		err = kst_ok(t, kst_attr_is(r.tb[KCHAN_ATTR_PAYLOAD], data, len),
			     "PAYLOAD comes back") ? 0 : -EINVAL;
	else
		err = kst_ok(t, !r.tb[KCHAN_ATTR_PAYLOAD],
			     "no PAYLOAD, none back") ? 0 : -EINVAL;
	kst_put(&r);
	return err;
}

static int kst_echo(struct kst *t)
{
	static const char hello[] = "hello, kchan";

	kst_fill(t->buf, KCHAN_PAYLOAD_MAX, 7);
	if (kst_echo_one(t, "echo small", hello, sizeof(hello)) ||
	    kst_echo_one(t, "echo without payload", NULL, 0) ||
	    kst_echo_one(t, "echo empty payload", hello, 0) ||
	    kst_echo_one(t, "echo largest payload", t->buf,
			 KCHAN_PAYLOAD_MAX))
		return -EINVAL;
	return 0;
}

static int kst_store(struct kst *t)
{
	static const char key[] = "alpha";
	static const char v1[] = "one";
	static const char v2[] = "second value";
	u8 *big = t->buf;

	if (kst_get(t, "get absent key", key, sizeof(key), NULL, 0) ||
	    kst_set(t, "set", key, sizeof(key), v1, sizeof(v1)) ||
	    kst_get(t, "get", key, sizeof(key), v1, sizeof(v1)) ||
	    kst_set(t, "overwrite", key, sizeof(key), v2, sizeof(v2)) ||
	    kst_get(t, "get overwritten", key, sizeof(key), v2, sizeof(v2)) ||
	    kst_set(t, "set empty value", key, sizeof(key), v1, 0) ||
	    kst_get(t, "get empty value", key, sizeof(key), v1, 0) ||
	    kst_delete(t, "delete", key, sizeof(key), 0) ||
	    kst_get(t, "get deleted", key, sizeof(key), NULL, 0) ||
	    kst_delete(t, "delete again", key, sizeof(key), -ENOENT))
		return -EINVAL;

	/* A value past a page, as large as an ENTRY can carry. */
	kst_fill(big, KCHAN_VALUE_MAX, 3);
	if (kst_set(t, "set largest value", key, 1, big, KCHAN_VALUE_MAX) ||
	    kst_get(t, "get largest value", key, 1, big, KCHAN_VALUE_MAX) ||
	    kst_delete(t, "delete largest value", key, 1, 0))
		return -EINVAL;
	return 0;
}

/*
 * One LIST part from @cursor (NULL: from the start).  Check its entries
 * are in order after @prev and look like @check says; count them.
 */
struct kst_list {
	u8 prev[KCHAN_KEY_MAX];	/* last key seen */
	size_t prev_len;	/* 0: none yet */
	unsigned int entries;	/* entries seen so far */
	unsigned int in_part;	/* entries in the last part */
	bool more;		/* the last part had MORE */
	bool (*check)(struct kst *t, const struct nlattr *key,
		      const struct nlattr *val);
};

static int kst_list_part(struct kst *t, const char *step, struct kst_list *l,
			 bool resume)
{
	struct nlattr *nla, *tb[KCHAN_ATTR_MAX + 1];
	struct sk_buff *req;
	struct kst_reply r;
	int rem;

	req = kst_req(t, KCHAN_CMD_LIST, KST_SMALL_ROOM);
	if (req && resume &&
	    nla_put(req, KCHAN_ATTR_CURSOR, l->prev_len, l->prev)) {
		kfree_skb(req);
		req = NULL;
	}
	if (kst_expect(t, step, &t->guest, req, 0, 0, &r))
		return -EINVAL;

	l->in_part = 0;
	nla_for_each_attr(nla, kst_attrs(r.skb), kst_attrs_len(r.skb), rem) {
		if (nla_type(nla) != KCHAN_ATTR_ENTRY)
			continue;
		if (!kst_ok(t, !nla_parse_nested(tb, KCHAN_ATTR_MAX, nla,
						 NULL, NULL),
			    "ENTRY parses") ||
		    !kst_ok(t, tb[KCHAN_ATTR_KEY] && tb[KCHAN_ATTR_VALUE],
			    "ENTRY has KEY and VALUE") ||
		    !kst_ok(t, !l->prev_len ||
			    kst_key_cmp(l->prev, l->prev_len,
					nla_data(tb[KCHAN_ATTR_KEY]),
					nla_len(tb[KCHAN_ATTR_KEY])) < 0,
			    "entries in key order") ||
		    !kst_ok(t, l->check(t, tb[KCHAN_ATTR_KEY],
					tb[KCHAN_ATTR_VALUE]),
			    "entry holds what was set"))
			goto bad;
		l->prev_len = nla_len(tb[KCHAN_ATTR_KEY]);
		memcpy(l->prev, nla_data(tb[KCHAN_ATTR_KEY]), l->prev_len);
		l->in_part++;
		l->entries++;
	}

	l->more = r.hdr.flags & KCHAN_F_MORE;
	if (!kst_ok(t, !l->more || l->in_part, "a MORE part is not empty") ||
	    !kst_ok(t, r.skb->len <= kchan_list_reply_max || l->in_part == 1,
		    "part within list_reply_max unless one entry") ||
	    !kst_ok(t, l->more ? kst_attr_is(r.tb[KCHAN_ATTR_CURSOR], l->prev,
					     l->prev_len) :
		    !r.tb[KCHAN_ATTR_CURSOR], "CURSOR is the last key"))
		goto bad;
	kst_put(&r);
	return 0;
bad:
	kst_put(&r);
	return -EINVAL;
}

/* Small entries whose value is their key. */
static bool kst_check_self(struct kst *t, const struct nlattr *key,
			   const struct nlattr *val)
{
	return kst_attr_is(val, nla_data(key), nla_len(key));
}

static int kst_list_order(struct kst *t)
{
	/* In the order LIST must return them: bytes, then shorter first. */
	static const struct {
		const char *key;
		size_t len;
	} keys[] = {
		{ "a", 1 }, { "a\0", 2 }, { "aa", 2 }, { "ab", 2 }, { "b", 1 },
	};
	static const unsigned int set_order[] = { 4, 0, 3, 1, 2 };
	struct kst_list l = { .check = kst_check_self };
	unsigned int i;
	int err;

	if (kst_list_part(t, "list empty store", &l, false) ||
	    !kst_ok(t, !l.entries && !l.more, "empty store lists nothing"))
		return -EINVAL;

	for (i = 0; i < ARRAY_SIZE(set_order); i++) {
		unsigned int k = set_order[i];

		if (kst_set(t, "list order: set", keys[k].key, keys[k].len,
			    keys[k].key, keys[k].len))
			return -EINVAL;
	}

	err = kst_list_part(t, "list all", &l, false);
	if (!err && !kst_ok(t, l.entries == ARRAY_SIZE(keys) && !l.more,
			    "all five in one part"))
		err = -EINVAL;

	/* Resume after an existing key, an absent one and the last one. */
	if (!err) {
		memset(&l, 0, sizeof(l));
		l.check = kst_check_self;
		l.prev_len = 2;
		memcpy(l.prev, "a\0", 2);
		err = kst_list_part(t, "list after a\\0", &l, true);
		if (!err && !kst_ok(t, l.entries == 3, "three after a\\0"))
			err = -EINVAL;
	}
	if (!err) {
		memset(&l, 0, sizeof(l));
		l.check = kst_check_self;
		l.prev_len = 3;
		memcpy(l.prev, "aaa", 3);
		err = kst_list_part(t, "list after absent aaa", &l, true);
		if (!err && !kst_ok(t, l.entries == 2, "two after aaa"))
			err = -EINVAL;
	}
	if (!err) {
		memset(&l, 0, sizeof(l));
		l.check = kst_check_self;
		l.prev_len = 1;
		memcpy(l.prev, "b", 1);
		err = kst_list_part(t, "list after the last key", &l, true);
		if (!err && !kst_ok(t, !l.entries && !l.more,
				    "nothing after the last key"))
			err = -EINVAL;
	}

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (kst_delete(t, "list order: delete", keys[i].key,
			       keys[i].len, 0))
			err = -EINVAL;
	return err;
}

static void kst_part_key(char *key, unsigned int i)
{
	char tmp[KST_PART_KEY_LEN + 1];

	snprintf(tmp, sizeof(tmp), "part%04u", i);
	memcpy(key, tmp, KST_PART_KEY_LEN);
}

/* Sorts after every "partNNNN": '_' > '9'. */
static const char kst_part_big_key[] = "part_max";

static bool kst_check_part(struct kst *t, const struct nlattr *key,
			   const struct nlattr *val)
{
	const char *k = nla_data(key);
	unsigned int i;

	if (kst_attr_is(key, kst_part_big_key, KST_PART_KEY_LEN))
		return nla_len(val) == KCHAN_VALUE_MAX &&
		       kst_is_filled(nla_data(val), KCHAN_VALUE_MAX, 5);
	if (nla_len(key) != KST_PART_KEY_LEN || memcmp(k, "part", 4))
		return false;
	i = (k[4] - '0') * 1000 + (k[5] - '0') * 100 + (k[6] - '0') * 10 +
	    (k[7] - '0');
	return nla_len(val) == KST_PART_VAL_LEN &&
	       kst_is_filled(nla_data(val), KST_PART_VAL_LEN, i);
}

/* A CURSOR attribute of @len bytes in @skb, read back as a cursor. */
static int kst_cursor_attr(struct sk_buff *skb, size_t len,
			   struct kchan_list_cursor *cursor)
{
	struct nlattr *nla;

	skb_trim(skb, 0);
	nla = nla_reserve(skb, KCHAN_ATTR_CURSOR, len);
	if (!nla)
		return -EMSGSIZE;
	memset(nla_data(nla), 'c', len);
	return kchan_list_cursor_from_attr(cursor, nla);
}

static int kst_cursor_from_attr(struct kst *t)
{
	struct kchan_list_cursor cursor;
	struct sk_buff *skb;
	int err = -EINVAL;

	t->step = "cursor from attribute";
	skb = alloc_skb(KST_SMALL_ROOM, GFP_KERNEL);
	if (!kst_ok(t, !!skb, "skb allocated"))
		return -EINVAL;
	cursor.len = 1;
	if (!kst_ok(t, !kchan_list_cursor_from_attr(&cursor, NULL) &&
		    !cursor.len, "no CURSOR: from the first key") ||
	    !kst_ok(t, !kst_cursor_attr(skb, KCHAN_KEY_MAX, &cursor) &&
		    cursor.len == KCHAN_KEY_MAX && cursor.key[0] == 'c',
		    "64-byte CURSOR taken") ||
	    !kst_ok(t, kst_cursor_attr(skb, KCHAN_KEY_MAX + 1, &cursor) ==
		    -ERANGE && !cursor.len, "65-byte CURSOR: -ERANGE") ||
	    !kst_ok(t, kst_cursor_attr(skb, 0, &cursor) == -ERANGE,
		    "empty CURSOR: -ERANGE"))
		goto out;
	err = 0;
out:
	kfree_skb(skb);
	return err;
}

/* An skb with exactly @room bytes of tailroom, and maybe some data. */
static struct sk_buff *kst_skb_with_room(size_t room)
{
	struct sk_buff *skb = alloc_skb(room, GFP_KERNEL);

	/* alloc_skb() may round up: fill what is beyond @room. */
	if (skb)
		skb_put_zero(skb, skb_tailroom(skb) - room);
	return skb;
}

/*
 * The exported dump step: budgets and room, straight on an skb; with
 * @count entries "partNNNN" and then the largest one in the store.
 */
static int kst_list_fill(struct kst *t, unsigned int count)
{
	size_t one = kchan_entry_space(KST_PART_KEY_LEN, KST_PART_VAL_LEN);
	struct kchan_list_cursor cursor = { .len = 0 };
	char key[KST_PART_KEY_LEN];
	struct sk_buff *skb;
	bool more;
	int n;

	t->step = "list_fill";
	skb = kst_skb_with_room(2 * one + 1);
	if (!kst_ok(t, !!skb, "skb allocated"))
		return -EINVAL;

	/* A zero budget still gets one entry. */
	n = kchan_core_list_fill(skb, 0, &cursor, 0, &more);
	kst_part_key(key, 0);
	if (!kst_ok(t, n == 1 && more, "zero budget: one entry, more") ||
	    !kst_ok(t, cursor.len == KST_PART_KEY_LEN &&
		    !memcmp(cursor.key, key, KST_PART_KEY_LEN),
		    "cursor is the first key"))
		goto bad;

	/* The skb has room for one more only. */
	n = kchan_core_list_fill(skb, 0, &cursor, UINT_MAX, &more);
	kst_part_key(key, 1);
	if (!kst_ok(t, n == 1 && more, "room for one: one entry") ||
	    !kst_ok(t, !memcmp(cursor.key, key, KST_PART_KEY_LEN),
		    "cursor moves on"))
		goto bad;

	/*
	 * One byte left.  As the skb's only message the next entry can
	 * never fit; after earlier messages the skb is merely full.
	 */
	n = kchan_core_list_fill(skb, 0, &cursor, UINT_MAX, &more);
	if (!kst_ok(t, n == -E2BIG && more, "only message: -E2BIG") ||
	    !kst_ok(t, !memcmp(cursor.key, key, KST_PART_KEY_LEN),
		    "cursor unchanged"))
		goto bad;
	n = kchan_core_list_fill(skb, skb->len, &cursor, UINT_MAX, &more);
	if (!kst_ok(t, n == -EMSGSIZE && more,
		    "after other messages: -EMSGSIZE, skb full") ||
	    !kst_ok(t, !memcmp(cursor.key, key, KST_PART_KEY_LEN),
		    "cursor unchanged"))
		goto bad;
	n = kchan_core_list_fill(skb, skb->len + 1, &cursor, UINT_MAX, &more);
	if (!kst_ok(t, n == -EINVAL && !more, "msg_start past the data"))
		goto bad;
	kfree_skb(skb);

	/* The largest entry does not fit a small skb, wherever it starts. */
	skb = kst_skb_with_room(2 * one + 1);
	if (!kst_ok(t, !!skb, "skb allocated"))
		return -EINVAL;
	kst_part_key(key, count - 1);
	memcpy(cursor.key, key, KST_PART_KEY_LEN);
	n = kchan_core_list_fill(skb, skb->len, &cursor, UINT_MAX, &more);
	if (!kst_ok(t, n == -E2BIG && more, "entry above the skb: -E2BIG"))
		goto bad;

	/* A cursor longer than any key is refused, not read past its end. */
	cursor.len = KCHAN_KEY_MAX + 1;
	n = kchan_core_list_fill(skb, 0, &cursor, UINT_MAX, &more);
	if (!kst_ok(t, n == -EINVAL && !more, "65-byte cursor: -EINVAL"))
		goto bad;
	kfree_skb(skb);
	return kst_cursor_from_attr(t);
bad:
	kfree_skb(skb);
	return -EINVAL;
}

static unsigned int kst_part_entries(void)
{
	size_t one = kchan_entry_space(KST_PART_KEY_LEN, KST_PART_VAL_LEN);
	size_t per_part = (kchan_list_reply_max - KCHAN_HDR_LEN -
			   KCHAN_ATTR_SPACE(KCHAN_KEY_MAX)) / one;

	/* Enough for more than two full parts. */
	return min_t(size_t, 2 * per_part + 3, KST_PART_MAX_ENTRIES);
}

static int kst_list_parts(struct kst *t)
{
	unsigned int i, parts = 0, count = kst_part_entries();
	struct kst_list l = { .check = kst_check_part };
	char key[KST_PART_KEY_LEN];
	int err = 0;

	for (i = 0; i < count && !err; i++) {
		kst_part_key(key, i);
		kst_fill(t->buf, KST_PART_VAL_LEN, i);
		err = kst_set(t, "list parts: set", key, sizeof(key), t->buf,
			      KST_PART_VAL_LEN);
	}
	kst_fill(t->buf, KCHAN_VALUE_MAX, 5);
	if (!err)
		err = kst_set(t, "list parts: set largest", kst_part_big_key,
			      KST_PART_KEY_LEN, t->buf, KCHAN_VALUE_MAX);

	while (!err) {
		err = kst_list_part(t, "list parts", &l, parts > 0);
		parts++;
		if (err || !l.more)
			break;
		if (!kst_ok(t, parts <= count + 1, "LIST ends"))
			err = -EINVAL;
	}
	if (!err &&
	    (!kst_ok(t, l.entries == count + 1, "every entry listed once") ||
	     !kst_ok(t, parts > 2, "listed in several parts")))
		err = -EINVAL;
	if (!err)
		err = kst_list_fill(t, count);

	/* Whatever happened, leave no entry behind. */
	for (i = 0; i < count; i++) {
		kst_part_key(key, i);
		kst_delete(t, "list parts: delete", key, sizeof(key), 0);
	}
	kst_delete(t, "list parts: delete largest", kst_part_big_key,
		   KST_PART_KEY_LEN, 0);
	return err;
}

static int kst_stats(struct kst *t)
{
	static const char key[] = "counted";
	const unsigned int core = KCHAN_TRANSPORT_CORE;
	struct kst_stats s0, s1, s2;
	unsigned int tr;

	/*
	 * A request is counted after its reply is built: s1 counts the STATS
	 * that read s0, the echo and the failed GET.
	 */
	if (kst_read_stats(t, "stats before", &s0) ||
	    kst_echo_one(t, "stats: echo", key, sizeof(key)) ||
	    kst_get(t, "stats: failed get", key, sizeof(key), NULL, 0) ||
	    kst_read_stats(t, "stats after", &s1))
		return -EINVAL;
	if (!kst_ok(t, s1.requests[core] - s0.requests[core] == 3,
		    "requests counted") ||
	    !kst_ok(t, s1.errors[core] - s0.errors[core] == 1,
		    "errors counted"))
		return -EINVAL;
	for (tr = 0; tr <= KCHAN_TRANSPORT_MAX; tr++)
		if (tr != core &&
		    !kst_ok(t, !s1.requests[tr] && !s1.events[tr],
			    "no other transport counted yet"))
			return -EINVAL;

	if (kst_set(t, "stats: set", key, sizeof(key), key, 3) ||
	    kst_read_stats(t, "stats with an entry", &s2) ||
	    !kst_ok(t, s2.entries == s1.entries + 1 &&
		    s2.bytes == s1.bytes + kchan_store_entry_cost(3),
		    "store usage counted, entry overhead included") ||
	    kst_delete(t, "stats: delete", key, sizeof(key), 0) ||
	    kst_read_stats(t, "stats without it", &s2) ||
	    !kst_ok(t, s2.entries == s1.entries && s2.bytes == s1.bytes,
		    "store usage uncounted"))
		return -EINVAL;
	return 0;
}

static int kst_expect_store_event(struct kst *t, struct kchan_sub *sub,
				  u32 type, u64 seq, u64 dropped,
				  const void *key, size_t key_len,
				  const void *val, size_t val_len)
{
	struct kst_event ev;
	int err = 0;

	if (kst_take_event(t, sub, false, &ev))
		return -EINVAL;
	if (!kst_ok(t, ev.type == type, "event type") ||
	    !kst_ok(t, ev.seq == seq, "event SEQ") ||
	    !kst_ok(t, ev.dropped == dropped, "event DROPPED") ||
	    !kst_ok(t, kst_attr_is(ev.tb[KCHAN_ATTR_KEY], key, key_len),
		    "event KEY") ||
	    !kst_ok(t, val ? kst_attr_is(ev.tb[KCHAN_ATTR_VALUE], val,
					 val_len) :
		    !ev.tb[KCHAN_ATTR_VALUE], "event VALUE"))
		err = -EINVAL;
	kst_event_put(&ev);
	return err;
}

static int kst_events_run(struct kst *t, struct kchan_sub *sub)
{
	static const char key[] = "watched";
	static const char v1[] = "1";
	static const char v2[] = "22";
	struct kst_stats s0, s1;
	int wakes;

	t->step = "events";
	if (!kst_ok(t, kst_queue_empty(sub),
		    "a new subscriber has nothing queued") ||
	    kst_read_stats(t, "events: stats before", &s0))
		return -EINVAL;

	wakes = atomic_read(&t->wakes);
	if (kst_set(t, "events: set", key, sizeof(key), v1, sizeof(v1)) ||
	    kst_set(t, "events: overwrite", key, sizeof(key), v2,
		    sizeof(v2)) ||
	    kst_expect(t, "events: refused set", &t->guest,
		       kst_req_kv(t, KCHAN_CMD_SET, key, sizeof(key), v1,
				  sizeof(v1)), -EPERM, 0, NULL) ||
	    kst_delete(t, "events: delete", key, sizeof(key), 0) ||
	    kst_delete(t, "events: delete absent", key, sizeof(key),
		       -ENOENT))
		return -EINVAL;

	t->step = "events";
	if (!kst_ok(t, atomic_read(&t->wakes) - wakes == KST_EVENTS,
		    "woken once per event") ||
	    !kst_ok(t, kchan_sub_pending(sub), "events pending") ||
	    kst_expect_store_event(t, sub, KCHAN_EVENT_STORE_SET, 0, 0,
				   key, sizeof(key), v1, sizeof(v1)) ||
	    kst_expect_store_event(t, sub, KCHAN_EVENT_STORE_SET, 1, 0,
				   key, sizeof(key), v2, sizeof(v2)) ||
	    kst_expect_store_event(t, sub, KCHAN_EVENT_STORE_DELETE, 2, 0,
				   key, sizeof(key), NULL, 0) ||
	    !kst_ok(t, kst_queue_empty(sub), "only changes make events") ||
	    kst_read_stats(t, "events: stats after", &s1) ||
	    !kst_ok(t, s1.events[KCHAN_TRANSPORT_CORE] -
		    s0.events[KCHAN_TRANSPORT_CORE] == KST_EVENTS,
		    "events counted"))
		return -EINVAL;
	return 0;
}

static int kst_overflow_run(struct kst *t, struct kchan_sub *sub)
{
	static const char key[] = "flood";
	const unsigned int core = KCHAN_TRANSPORT_CORE;
	/* Usually sub_queue_len; sub_queue_bytes if that is tighter. */
	u32 i, qlen = kst_queue_fit(KCHAN_ATTR_SPACE(sizeof(key)) +
				    KCHAN_ATTR_SPACE(sizeof(i)));
	struct kst_stats s0, s1;
	struct kst_event ev;
	int err = 0;

	if (kst_read_stats(t, "overflow: stats before", &s0))
		return -EINVAL;

	/* Fill the queue and offer KST_OVERFLOW more. */
	for (i = 0; i < qlen + KST_OVERFLOW; i++)
		if (kst_set(t, "overflow: set", key, sizeof(key), &i,
			    sizeof(i)))
			return -EINVAL;

	t->step = "overflow: read";
	for (i = 0; i < qlen; i++)
		if (kst_expect_store_event(t, sub, KCHAN_EVENT_STORE_SET, i, 0,
					   key, sizeof(key), &i, sizeof(i)))
			return -EINVAL;
	if (!kst_ok(t, kst_queue_empty(sub), "the overflow was dropped"))
		return -EINVAL;

	/* The next event shows the gap: SEQ skips exactly the drops. */
	if (kst_delete(t, "overflow: delete", key, sizeof(key), 0) ||
	    kst_take_event(t, sub, false, &ev))
		return -EINVAL;
	if (!kst_ok(t, ev.seq == qlen + KST_OVERFLOW, "SEQ gap equals drops") ||
	    !kst_ok(t, ev.dropped == KST_OVERFLOW, "DROPPED counts them"))
		err = -EINVAL;
	kst_event_put(&ev);
	if (err)
		return err;

	if (kst_read_stats(t, "overflow: stats after", &s1) ||
	    !kst_ok(t, s1.drops[core] - s0.drops[core] == KST_OVERFLOW,
		    "drops counted") ||
	    !kst_ok(t, s1.events[core] - s0.events[core] == qlen + 1,
		    "queued events counted"))
		return -EINVAL;
	return 0;
}

static int kst_gen_run(struct kst *t, struct kchan_sub *sub)
{
	struct kst_event ev;
	unsigned long start;
	u64 i, slow_count;
	int err = 0;

	if (kst_expect(t, "generator start", &t->admin,
		       kst_req_gen(t, KST_GEN_COUNT, KST_GEN_SIZE,
				   KST_GEN_RATE), 0, 0, NULL))
		return -EINVAL;
	t->step = "generator events";
	for (i = 0; i < KST_GEN_COUNT && !err; i++) {
		if (kst_take_event(t, sub, true, &ev))
			return -EINVAL;
		if (!kst_ok(t, ev.type == KCHAN_EVENT_GENERATED,
			    "GENERATED type") ||
		    !kst_ok(t, ev.seq == i && !ev.dropped, "SEQ in order") ||
		    !kst_ok(t, ev.tb[KCHAN_ATTR_GEN_INDEX] &&
			    nla_get_u64(ev.tb[KCHAN_ATTR_GEN_INDEX]) == i,
			    "GEN_INDEX in order") ||
		    !kst_ok(t, ev.tb[KCHAN_ATTR_PAYLOAD] &&
			    nla_len(ev.tb[KCHAN_ATTR_PAYLOAD]) ==
			    KST_GEN_SIZE &&
			    kst_is_filled(nla_data(ev.tb[KCHAN_ATTR_PAYLOAD]),
					  KST_GEN_SIZE, i),
			    "PAYLOAD pattern"))
			err = -EINVAL;
		kst_event_put(&ev);
	}
	if (err)
		return err;

	/* COUNT reached: it stops by itself; GEN_STOP only reaps it. */
	msleep(KST_QUIET_MS);
	t->step = "generator done";
	if (!kst_ok(t, !kchan_sub_pending(sub), "no event past COUNT") ||
	    kst_expect(t, "generator stop after done", &t->admin,
		       kst_req(t, KCHAN_CMD_GEN_STOP, 0), 0, 0, NULL))
		return -EINVAL;

	/* A slow run: busy while it runs, stopped at once on request. */
	slow_count = min_t(u64, KST_GEN_SLOW_COUNT, kchan_gen_max_count);
	if (kst_expect(t, "slow generator start", &t->admin,
		       kst_req_gen(t, slow_count, 0, KST_GEN_SLOW_RATE),
		       0, 0, NULL) ||
	    kst_expect(t, "second generator", &t->admin,
		       kst_req_gen(t, 1, 0, 0), -EBUSY, 0, NULL) ||
	    kst_expect(t, "unprivileged stop", &t->guest,
		       kst_req(t, KCHAN_CMD_GEN_STOP, 0), -EPERM, 0, NULL))
		return -EINVAL;
	start = jiffies;
	if (kst_expect(t, "generator stop", &t->admin,
		       kst_req(t, KCHAN_CMD_GEN_STOP, 0), 0, 0, NULL) ||
	    !kst_ok(t, time_before(jiffies, start + KST_GEN_STOP_LATENCY),
		    "stop does not wait for the next event") ||
	    kst_expect(t, "generator stop again", &t->admin,
		       kst_req(t, KCHAN_CMD_GEN_STOP, 0), 0, 0, NULL))
		return -EINVAL;

	/* The slow run got out one or two events; drain them. */
	while (kchan_sub_pending(sub)) {
		if (kst_take_event(t, sub, false, &ev))
			return -EINVAL;
		err = kst_ok(t, ev.type == KCHAN_EVENT_GENERATED &&
			     ev.tb[KCHAN_ATTR_PAYLOAD] &&
			     !nla_len(ev.tb[KCHAN_ATTR_PAYLOAD]),
			     "slow run: empty PAYLOAD") ? 0 : -EINVAL;
		kst_event_put(&ev);
		if (err)
			return err;
	}

	if (kst_expect(t, "COUNT above gen_max_count", &t->admin,
		       kst_req_gen(t, (u64)kchan_gen_max_count + 1, 0, 0),
		       -ERANGE, KCHAN_ATTR_COUNT, NULL) ||
	    kst_expect(t, "COUNT zero", &t->admin, kst_req_gen(t, 0, 0, 0),
		       -ERANGE, KCHAN_ATTR_COUNT, NULL) ||
	    kst_expect(t, "SIZE above PAYLOAD_MAX", &t->admin,
		       kst_req_gen(t, 1, KCHAN_PAYLOAD_MAX + 1, 0),
		       -ERANGE, KCHAN_ATTR_SIZE, NULL))
		return -EINVAL;
	return 0;
}

/* Open a subscriber, run @fn with it, close it whatever happened. */
static int kst_with_sub(struct kst *t, const char *step,
			int (*fn)(struct kst *t, struct kchan_sub *sub))
{
	struct kchan_sub *sub;
	int err;

	t->step = step;
	sub = kchan_sub_open(KCHAN_TRANSPORT_CORE, kst_wake, t);
	if (!kst_ok(t, !IS_ERR(sub), "subscriber opens"))
		return -EINVAL;
	err = fn(t, sub);
	kchan_sub_close(sub);
	return err;
}

/*
 * Store events of the largest value until the byte budget (or the ring,
 * if that is tighter) is full: the rest is dropped with SEQ and DROPPED
 * exact, and reading frees the budget again.
 */
static int kst_bytecap_run(struct kst *t, struct kchan_sub *sub)
{
	static const char key[] = "big";
	const unsigned int core = KCHAN_TRANSPORT_CORE;
	u32 i, fit = kst_queue_fit(KCHAN_ATTR_SPACE(sizeof(key)) +
				   KCHAN_ATTR_SPACE(KCHAN_VALUE_MAX));
	struct kst_stats s0, s1;
	struct kst_event ev;
	int err = 0;

	if (kst_read_stats(t, "byte cap: stats before", &s0))
		return -EINVAL;
	for (i = 0; i < fit + KST_OVERFLOW; i++) {
		kst_fill(t->buf, KCHAN_VALUE_MAX, i);
		if (kst_set(t, "byte cap: set", key, sizeof(key), t->buf,
			    KCHAN_VALUE_MAX))
			return -EINVAL;
	}

	t->step = "byte cap: read";
	for (i = 0; i < fit && !err; i++) {
		if (kst_take_event(t, sub, false, &ev))
			return -EINVAL;
		if (!kst_ok(t, ev.seq == i && !ev.dropped,
			    "queued events in order, none lost") ||
		    !kst_ok(t, ev.tb[KCHAN_ATTR_VALUE] &&
			    nla_len(ev.tb[KCHAN_ATTR_VALUE]) ==
			    KCHAN_VALUE_MAX &&
			    kst_is_filled(nla_data(ev.tb[KCHAN_ATTR_VALUE]),
					  KCHAN_VALUE_MAX, i),
			    "event VALUE"))
			err = -EINVAL;
		kst_event_put(&ev);
	}
	if (err || !kst_ok(t, kst_queue_empty(sub), "the rest was dropped"))
		return -EINVAL;

	/* Read empty again, the budget takes an event again. */
	if (kst_delete(t, "byte cap: delete", key, sizeof(key), 0) ||
	    kst_take_event(t, sub, false, &ev))
		return -EINVAL;
	if (!kst_ok(t, ev.type == KCHAN_EVENT_STORE_DELETE &&
		    ev.seq == fit + KST_OVERFLOW, "SEQ gap equals drops") ||
	    !kst_ok(t, ev.dropped == KST_OVERFLOW, "DROPPED counts them"))
		err = -EINVAL;
	kst_event_put(&ev);
	if (err)
		return err;

	if (kst_read_stats(t, "byte cap: stats after", &s1) ||
	    !kst_ok(t, s1.drops[core] - s0.drops[core] == KST_OVERFLOW,
		    "drops counted") ||
	    !kst_ok(t, s1.events[core] - s0.events[core] == fit + 1,
		    "queued events counted"))
		return -EINVAL;
	return 0;
}

/*
 * After kchan_sub_detach() nothing is queued and nobody is woken; what
 * was queued before stays readable until the release.
 */
static int kst_detach_run(struct kst *t, struct kchan_sub *sub)
{
	static const char key[] = "detached";
	static const char v1[] = "before";
	static const char v2[] = "after";
	int wakes;

	if (kst_set(t, "detach: set", key, sizeof(key), v1, sizeof(v1)))
		return -EINVAL;
	kchan_sub_detach(sub);
	wakes = atomic_read(&t->wakes);
	if (kst_set(t, "detach: set after", key, sizeof(key), v2,
		    sizeof(v2)) ||
	    kst_delete(t, "detach: delete", key, sizeof(key), 0))
		return -EINVAL;

	t->step = "detach";
	if (!kst_ok(t, atomic_read(&t->wakes) == wakes,
		    "no wake after detach") ||
	    kst_expect_store_event(t, sub, KCHAN_EVENT_STORE_SET, 0, 0, key,
				   sizeof(key), v1, sizeof(v1)) ||
	    !kst_ok(t, kst_queue_empty(sub), "nothing queued after detach"))
		return -EINVAL;
	/* A second detach is harmless; kst_with_sub() closes it. */
	kchan_sub_detach(sub);
	return 0;
}

/*
 * max_subscribers: one more is -EMFILE; a detached subscriber keeps its
 * place until it is released.
 */
static int kst_subscribers(struct kst *t)
{
	unsigned int i, max = kchan_max_subscribers;
	struct kchan_sub **subs, *extra;
	int err = -EINVAL;

	t->step = "max_subscribers";
	if ((u64)max * kchan_sub_queue_len > KST_SUB_SLOTS_MAX) {
		pr_info("selftest: max_subscribers=%u too large to fill, its limit is not tested\n",
			max);
		return 0;
	}
	if (!kst_ok(t, !kchan_events_subscribers(), "none open before"))
		return -EINVAL;
	subs = kcalloc(max, sizeof(*subs), GFP_KERNEL);
	if (!kst_ok(t, !!subs, "array allocated"))
		return -EINVAL;

	for (i = 0; i < max; i++) {
		subs[i] = kchan_sub_open(KCHAN_TRANSPORT_CORE, NULL, NULL);
		if (IS_ERR(subs[i])) {
			kst_ok(t, false, "max_subscribers open");
			subs[i] = NULL;
			goto close;
		}
	}
	extra = kchan_sub_open(KCHAN_TRANSPORT_CORE, NULL, NULL);
	if (!kst_ok(t, PTR_ERR_OR_ZERO(extra) == -EMFILE,
		    "one more: -EMFILE"))
		goto close_extra;

	kchan_sub_detach(subs[0]);
	extra = kchan_sub_open(KCHAN_TRANSPORT_CORE, NULL, NULL);
	if (!kst_ok(t, PTR_ERR_OR_ZERO(extra) == -EMFILE,
		    "a detached subscriber keeps its place"))
		goto close_extra;

	kchan_sub_release(subs[0]);
	subs[0] = kchan_sub_open(KCHAN_TRANSPORT_CORE, NULL, NULL);
	if (!kst_ok(t, !IS_ERR(subs[0]), "a released one frees its place")) {
		subs[0] = NULL;
		goto close;
	}
	err = 0;
	goto close;

close_extra:
	kchan_sub_close(extra);
close:
	for (i = 0; i < max; i++)
		kchan_sub_close(subs[i]);
	kfree(subs);
	if (!kst_ok(t, !kchan_events_subscribers(), "all released"))
		err = -EINVAL;
	return err;
}

/* A PACKET event with @len bytes of @data as PAYLOAD. */
static int kst_expect_packet(struct kst *t, struct kchan_sub *sub, u64 seq,
			     u64 dropped, const void *data, size_t len)
{
	struct kst_event ev;
	int err = 0;

	if (kst_take_event(t, sub, false, &ev))
		return -EINVAL;
	if (!kst_ok(t, ev.type == KCHAN_EVENT_PACKET, "PACKET type") ||
	    !kst_ok(t, ev.seq == seq && ev.dropped == dropped,
		    "PACKET SEQ and DROPPED") ||
	    !kst_ok(t, kst_attr_is(ev.tb[KCHAN_ATTR_PAYLOAD], data, len),
		    "PACKET PAYLOAD"))
		err = -EINVAL;
	kst_event_put(&ev);
	return err;
}

/*
 * kchan_core_post_packet() from process context, with softirqs off and
 * with interrupts off; a lost event leaves an exact gap.
 */
static int kst_packet_run(struct kst *t, struct kchan_sub *sub)
{
	static const char pkt[] = "\x45\x00 an IPv4 header, say";
	unsigned long flags;
	int bh, irq, proc;

	t->step = "packets";
	if (!kst_ok(t, kchan_core_post_packet(t->buf, KCHAN_PAYLOAD_MAX + 1) ==
		    -EMSGSIZE, "oversized packet: -EMSGSIZE"))
		return -EINVAL;
	proc = kchan_core_post_packet(pkt, sizeof(pkt));
	local_bh_disable();
	bh = kchan_core_post_packet(pkt, 4);
	local_bh_enable();
	local_irq_save(flags);
	irq = kchan_core_post_packet(pkt, 0);
	local_irq_restore(flags);
	if (!kst_ok(t, !proc && !bh && !irq, "packets posted") ||
	    kst_expect_packet(t, sub, 0, 0, pkt, sizeof(pkt)) ||
	    kst_expect_packet(t, sub, 1, 0, pkt, 4) ||
	    kst_expect_packet(t, sub, 2, 0, pkt, 0))
		return -EINVAL;

	/* What a failed allocation (or a store race) does to SEQ. */
	kchan_events_lost();
	if (!kst_ok(t, kst_queue_empty(sub), "a lost event queues nothing") ||
	    !kst_ok(t, !kchan_core_post_packet(pkt, 1), "packet posted") ||
	    kst_expect_packet(t, sub, 4, 1, pkt, 1))
		return -EINVAL;
	return 0;
}

struct kst_alloc {
	unsigned int calls;
	size_t head;		/* bytes put before the reply attributes */
};

/*
 * kchan_core_run() allocator: a fake transport header, then exactly the
 * room asked for, except one byte short the first time.
 */
static struct sk_buff *kst_run_alloc(size_t size, void *ctx)
{
	struct kst_alloc *a = ctx;
	struct sk_buff *skb;
	size_t room = size;

	if (!a->calls++ && room)
		room--;
	skb = kst_skb_with_room(room);
	if (skb)
		a->head = skb->len;
	return skb;
}

/* Parse the attributes in @skb against kchan_policy, as genl would. */
static int kst_parse(struct nlattr **tb, struct sk_buff *skb)
{
	return nla_parse(tb, KCHAN_ATTR_MAX, (struct nlattr *)skb->data,
			 skb->len, kchan_policy, NULL);
}

/*
 * kchan_core_run() retries a GET sized too small and clears the extack of
 * the failed try; neither it nor kchan_core_exec() counts a request:
 * kchan_core_account() does, once.
 */
static int kst_accounting(struct kst *t)
{
	static const char key[] = "accounted";
	const unsigned int core = KCHAN_TRANSPORT_CORE;
	struct nlattr *tb[KCHAN_ATTR_MAX + 1], *rtb[KCHAN_ATTR_MAX + 1];
	struct netlink_ext_ack extack = {};
	struct kst_alloc a = {};
	struct kst_stats s0, s1;
	struct sk_buff *attrs, *reply;
	u16 flags = 0;
	int err = -EINVAL;

	kst_fill(t->buf, KST_PART_VAL_LEN, 1);
	if (kst_set(t, "accounting: set", key, sizeof(key), t->buf,
		    KST_PART_VAL_LEN) ||
	    kst_read_stats(t, "accounting: stats before", &s0))
		return -EINVAL;

	t->step = "accounting";
	attrs = alloc_skb(KST_SMALL_ROOM, GFP_KERNEL);
	if (!kst_ok(t, attrs &&
		    !nla_put(attrs, KCHAN_ATTR_KEY, sizeof(key), key) &&
		    !kst_parse(tb, attrs), "GET attributes built"))
		goto out;

	reply = kchan_core_run(&t->guest, KCHAN_CMD_GET, tb, kst_run_alloc,
			       &a, &flags, &extack);
	if (!kst_ok(t, !IS_ERR(reply), "GET through kchan_core_run()"))
		goto out;
	if (!kst_ok(t, a.calls == 2, "retried once, worst case") ||
	    !kst_ok(t, !extack._msg && !extack.bad_attr && !extack.miss_type,
		    "extack of the failed try cleared") ||
	    !kst_ok(t, !nla_parse(rtb, KCHAN_ATTR_MAX,
				  (struct nlattr *)(reply->data + a.head),
				  reply->len - a.head, NULL, NULL) &&
		    kst_attr_is(rtb[KCHAN_ATTR_KEY], key, sizeof(key)) &&
		    kst_attr_is(rtb[KCHAN_ATTR_VALUE], t->buf,
				KST_PART_VAL_LEN), "GET reply holds the entry")) {
		kfree_skb(reply);
		goto out;
	}
	kfree_skb(reply);

	/* A failure comes back as ERR_PTR with its reason. */
	reply = kchan_core_run(&t->guest, KCHAN_CMD_DELETE, tb, kst_run_alloc,
			       &a, &flags, &extack);
	if (!kst_ok(t, PTR_ERR_OR_ZERO(reply) == -EPERM && extack._msg,
		    "refused DELETE: -EPERM with a message")) {
		if (!IS_ERR(reply))
			kfree_skb(reply);
		goto out;
	}

	/* kchan_core_exec() on its own: a ping. */
	memset(tb, 0, sizeof(tb));
	reply = alloc_skb(KST_SMALL_ROOM, GFP_KERNEL);
	if (!kst_ok(t, reply &&
		    !kchan_core_exec(&t->guest, KCHAN_CMD_ECHO, tb, reply,
				     &flags, &extack) &&
		    !reply->len, "ECHO through kchan_core_exec()")) {
		kfree_skb(reply);
		goto out;
	}
	kfree_skb(reply);

	kchan_core_account(core, 0);
	kchan_core_account(core, -ENOENT);
	/* s1 counts the STATS that read s0 and the two accounted. */
	if (kst_read_stats(t, "accounting: stats after", &s1) ||
	    !kst_ok(t, s1.requests[core] - s0.requests[core] == 3,
		    "only kchan_core_account() counts") ||
	    !kst_ok(t, s1.errors[core] - s0.errors[core] == 1,
		    "an accounted failure is an error"))
		goto out;
	err = 0;
out:
	kfree_skb(attrs);
	if (kst_delete(t, "accounting: delete", key, sizeof(key), 0))
		err = -EINVAL;
	return err;
}

/* Requests that must fail, each with its errno, and change nothing. */
static int kst_bad_headers(struct kst *t)
{
	struct kchan_hdr hdr = {
		.cmd = KCHAN_CMD_ECHO,
		.seq = 77,
		.len = KCHAN_HDR_LEN,
	};
	struct kchan_hdr *big;
	int err;

	if (kst_expect_raw(t, "empty message", NULL, 0, 0, 0, -EINVAL, 0) ||
	    kst_expect_raw(t, "truncated header", &hdr, KCHAN_HDR_LEN / 2,
			   0, 0, -EINVAL, 0))
		return -EINVAL;

	hdr.len = KCHAN_HDR_LEN + 4;
	if (kst_expect_raw(t, "len mismatch", &hdr, KCHAN_HDR_LEN,
			   KCHAN_CMD_ECHO, 77, -EINVAL, 0))
		return -EINVAL;
	hdr.len = KCHAN_HDR_LEN;

	hdr.flags = KCHAN_F_REPLY;
	if (kst_expect_raw(t, "REPLY flag in a request", &hdr, KCHAN_HDR_LEN,
			   KCHAN_CMD_ECHO, 77, -EINVAL, 0))
		return -EINVAL;
	hdr.flags = 0x100;
	if (kst_expect_raw(t, "unknown flag", &hdr, KCHAN_HDR_LEN,
			   KCHAN_CMD_ECHO, 77, -EOPNOTSUPP, 0))
		return -EINVAL;
	hdr.flags = 0;

	hdr.status = -EIO;
	if (kst_expect_raw(t, "status in a request", &hdr, KCHAN_HDR_LEN,
			   KCHAN_CMD_ECHO, 77, -EINVAL, 0))
		return -EINVAL;
	hdr.status = 0;

	hdr.cmd = KCHAN_CMD_MAX + 1;
	if (kst_expect_raw(t, "unknown command", &hdr, KCHAN_HDR_LEN,
			   KCHAN_CMD_MAX + 1, 77, -EOPNOTSUPP, 0))
		return -EINVAL;
	hdr.cmd = KCHAN_CMD_UNSPEC;
	if (kst_expect_raw(t, "command 0", &hdr, KCHAN_HDR_LEN,
			   KCHAN_CMD_UNSPEC, 77, -EOPNOTSUPP, 0))
		return -EINVAL;
	hdr.cmd = KCHAN_CMD_EVENT;
	if (kst_expect_raw(t, "EVENT as a request", &hdr, KCHAN_HDR_LEN,
			   KCHAN_CMD_EVENT, 77, -EOPNOTSUPP, 0))
		return -EINVAL;

	/* One byte more than any message may have. */
	big = kvzalloc(KCHAN_MSG_MAX + 1, GFP_KERNEL);
	t->step = "oversized message";
	if (!kst_ok(t, !!big, "buffer allocated"))
		return -EINVAL;
	big->cmd = KCHAN_CMD_ECHO;
	big->seq = 78;
	big->len = KCHAN_MSG_MAX + 1;
	err = kst_expect_raw(t, "oversized message", big, KCHAN_MSG_MAX + 1,
			     KCHAN_CMD_ECHO, 78, -EMSGSIZE, 0);
	kvfree(big);
	return err;
}

static int kst_bad_attrs(struct kst *t)
{
	static const char key[] = "never";
	u8 long_key[KCHAN_KEY_MAX + 1];
	struct sk_buff *req;
	u32 word = 1;

	memset(long_key, 'k', sizeof(long_key));
	kst_fill(t->buf, KCHAN_VALUE_MAX + 1, 9);
	if (kst_expect(t, "SET without KEY", &t->admin,
		       kst_req_kv(t, KCHAN_CMD_SET, NULL, 0, key, 1),
		       -EINVAL, KCHAN_ATTR_KEY, NULL) ||
	    kst_expect(t, "SET without VALUE", &t->admin,
		       kst_req_kv(t, KCHAN_CMD_SET, key, sizeof(key), NULL, 0),
		       -EINVAL, KCHAN_ATTR_VALUE, NULL) ||
	    kst_expect(t, "GET without KEY", &t->admin,
		       kst_req(t, KCHAN_CMD_GET, 0), -EINVAL, KCHAN_ATTR_KEY,
		       NULL) ||
	    kst_expect(t, "empty KEY", &t->admin,
		       kst_req_kv(t, KCHAN_CMD_SET, key, 0, key, 1),
		       -ERANGE, KCHAN_ATTR_KEY, NULL) ||
	    kst_expect(t, "65-byte KEY", &t->admin,
		       kst_req_kv(t, KCHAN_CMD_SET, long_key, sizeof(long_key),
				  key, 1), -ERANGE, KCHAN_ATTR_KEY, NULL) ||
	    kst_expect(t, "VALUE past KCHAN_VALUE_MAX", &t->admin,
		       kst_req_kv(t, KCHAN_CMD_SET, key, sizeof(key), t->buf,
				  KCHAN_VALUE_MAX + 1),
		       -ERANGE, KCHAN_ATTR_VALUE, NULL) ||
	    kst_expect(t, "SET without privilege", &t->guest,
		       kst_req_kv(t, KCHAN_CMD_SET, key, sizeof(key), key, 1),
		       -EPERM, 0, NULL) ||
	    kst_expect(t, "DELETE without privilege", &t->guest,
		       kst_req_kv(t, KCHAN_CMD_DELETE, key, sizeof(key), NULL,
				  0), -EPERM, 0, NULL) ||
	    kst_expect(t, "GEN_START without privilege", &t->guest,
		       kst_req_gen(t, 1, 0, 0), -EPERM, 0, NULL))
		return -EINVAL;

	/* Unknown attribute type. */
	req = kst_req_kv(t, KCHAN_CMD_SET, key, sizeof(key), key, 1);
	if (req && nla_put_u32(req, KCHAN_ATTR_MAX + 1, word)) {
		kfree_skb(req);
		req = NULL;
	}
	if (kst_expect(t, "unknown attribute type", &t->admin, req, -EINVAL,
		       KCHAN_ATTR_MAX + 1, NULL))
		return -EINVAL;

	/* A KEY claiming 20 bytes where 8 are left. */
	req = kst_req(t, KCHAN_CMD_SET, KST_SMALL_ROOM);
	if (req)
		kst_put_raw(req, KCHAN_ATTR_KEY, NLA_HDRLEN + 20, 8);
	if (kst_expect(t, "attribute past the end", &t->admin, req, -EINVAL,
		       0, NULL))
		return -EINVAL;

	/* Two bytes after the last attribute. */
	req = kst_req_kv(t, KCHAN_CMD_GET, key, sizeof(key), NULL, 0);
	if (req)
		skb_put_zero(req, 2);
	if (kst_expect(t, "trailing bytes", &t->admin, req, -EINVAL, 0, NULL))
		return -EINVAL;

	/* Attributes only the kernel sends. */
	req = kst_req(t, KCHAN_CMD_LIST, KST_SMALL_ROOM);
	if (req)
		kst_put_raw(req, KCHAN_ATTR_ENTRY, NLA_HDRLEN, 0);
	if (kst_expect(t, "ENTRY in a request", &t->admin, req, -EINVAL,
		       KCHAN_ATTR_ENTRY, NULL))
		return -EINVAL;
	req = kst_req(t, KCHAN_CMD_STATS, KST_SMALL_ROOM);
	if (req && nla_put_u64_64bit(req, KCHAN_ATTR_SEQ, 1, KCHAN_ATTR_PAD)) {
		kfree_skb(req);
		req = NULL;
	}
	if (kst_expect(t, "SEQ in a request", &t->admin, req, -EINVAL,
		       KCHAN_ATTR_SEQ, NULL))
		return -EINVAL;

	/* An attribute the command does not take. */
	req = kst_req_kv(t, KCHAN_CMD_GET, key, sizeof(key), NULL, 0);
	if (req && nla_put(req, KCHAN_ATTR_PAYLOAD, 1, key)) {
		kfree_skb(req);
		req = NULL;
	}
	if (kst_expect(t, "PAYLOAD in a GET", &t->admin, req, -EINVAL,
		       KCHAN_ATTR_PAYLOAD, NULL))
		return -EINVAL;

	/* A u32 that is two bytes long. */
	req = kst_req_gen(t, 1, 0, 0);
	if (req && nla_put(req, KCHAN_ATTR_RATE, 2, &word)) {
		kfree_skb(req);
		req = NULL;
	}
	if (kst_expect(t, "short RATE", &t->admin, req, -EINVAL,
		       KCHAN_ATTR_RATE, NULL))
		return -EINVAL;

	/* Nothing above reached the store. */
	return kst_get(t, "rejected SET stored nothing", key, sizeof(key),
		       NULL, 0);
}

static int kst_final(struct kst *t)
{
	struct kst_stats s;

	if (kst_read_stats(t, "final", &s) ||
	    !kst_ok(t, !s.entries && !s.bytes, "store left empty"))
		return -EINVAL;
	return 0;
}

/* The self-test needs room for its entries and a few generated events. */
static int kst_check_limits(void)
{
	unsigned long bytes = kst_part_entries() *
			      kchan_store_entry_cost(KST_PART_VAL_LEN) +
			      kchan_store_entry_cost(KCHAN_VALUE_MAX);
	unsigned int entries = kst_part_entries() + 1;

	if (kchan_max_entries < entries) {
		pr_err("selftest needs max_entries >= %u\n", entries);
		return -EINVAL;
	}
	if (kchan_max_store_bytes < bytes) {
		pr_err("selftest needs max_store_bytes >= %lu\n", bytes);
		return -EINVAL;
	}
	/* The generator step reads its events while they come. */
	if (kchan_sub_queue_len < max(KST_EVENTS, KST_GEN_COUNT)) {
		pr_err("selftest needs sub_queue_len >= %u\n",
		       max(KST_EVENTS, KST_GEN_COUNT));
		return -EINVAL;
	}
	if (kchan_gen_max_count < KST_GEN_COUNT) {
		pr_err("selftest needs gen_max_count >= %u\n", KST_GEN_COUNT);
		return -EINVAL;
	}
	return 0;
}

int kchan_selftest_run(void)
{
	struct kst *t;
	int err;

	err = kst_check_limits();
	if (err)
		return err;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	/* Room for one byte past the largest payload or value. */
	t->buf = kvmalloc(KCHAN_PAYLOAD_MAX + 1, GFP_KERNEL);
	if (!t->buf) {
		kfree(t);
		return -ENOMEM;
	}
	t->admin.transport = KCHAN_TRANSPORT_CORE;
	t->admin.may_mutate = true;
	t->guest.transport = KCHAN_TRANSPORT_CORE;
	t->guest.may_mutate = false;
	init_waitqueue_head(&t->wq);
	atomic_set(&t->wakes, 0);

	err = kst_echo(t);
	if (!err)
		err = kst_store(t);
	if (!err)
		err = kst_list_order(t);
	if (!err)
		err = kst_list_parts(t);
	if (!err)
		err = kst_stats(t);
	if (!err)
		err = kst_with_sub(t, "events", kst_events_run);
	if (!err)
		err = kst_with_sub(t, "overflow", kst_overflow_run);
	if (!err)
		err = kst_with_sub(t, "byte cap", kst_bytecap_run);
	if (!err)
		err = kst_with_sub(t, "generator", kst_gen_run);
	if (!err)
		err = kst_with_sub(t, "detach", kst_detach_run);
	if (!err)
		err = kst_with_sub(t, "packets", kst_packet_run);
	if (!err)
		err = kst_subscribers(t);
	if (!err)
		err = kst_accounting(t);
	if (!err)
		err = kst_bad_headers(t);
	if (!err)
		err = kst_bad_attrs(t);
	if (!err)
		err = kst_final(t);

	/* A failed step may leave the generator running: stop it here. */
	kchan_gen_stop();

	if (!err)
		pr_info("selftest passed (%u checks)\n", t->checks);
	kvfree(t->buf);
	kfree(t);
	return err ? -EINVAL : 0;
}
