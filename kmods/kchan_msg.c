// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_core messages: header checks, the one strict attribute policy,
 * command dispatch and reply building.
 *
 * Every transport ends up here.  Byte transports (procfs, sockopt,
 * chardev) hand over a whole message to kchan_core_call().  The Generic
 * Netlink transport lets genl validate the attributes against kchan_policy
 * and calls kchan_core_run() (or kchan_core_exec()) with them, so the
 * handlers and their extended-ack messages are the same on every door.
 * Only kchan_core_call() counts requests in STATS by itself; everyone else
 * calls kchan_core_account() once per request.
 *
 * Failures and their errno (the first failing check wins):
 *
 *   header
 *     message longer than KCHAN_MSG_MAX          -EMSGSIZE
 *     message shorter than the kchan header      -EINVAL
 *     hdr.len differs from the message length    -EINVAL
 *     REPLY, MORE or EVENT flag in a request     -EINVAL
 *     any other flag bit                         -EOPNOTSUPP
 *     nonzero status in a request                -EINVAL
 *     cmd EVENT (kernel to user only)            -EOPNOTSUPP
 *     cmd UNSPEC or above KCHAN_CMD_MAX          -EOPNOTSUPP
 *   attributes (nla_parse, strict)
 *     unknown type, trailing or truncated bytes  -EINVAL
 *     a reply-only attribute in a request        -EINVAL
 *     wrong length for u32/u64, NLA_F_NESTED     -EINVAL
 *     KEY/CURSOR not 1..64 bytes, VALUE too big,
 *     COUNT 0, SIZE over KCHAN_PAYLOAD_MAX       -ERANGE
 *   command
 *     SET/DELETE/GEN_* without may_mutate        -EPERM
 *     attribute the command does not take        -EINVAL
 *     required attribute missing                 -EINVAL
 *     GET/DELETE of an absent key                -ENOENT
 *     SET beyond max_entries/max_store_bytes     -ENOSPC
 *     COUNT above gen_max_count                  -ERANGE
 *     GEN_START while a generator runs           -EBUSY
 *     out of memory                              -ENOMEM
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/minmax.h>
#include <linux/skbuff.h>
#include <linux/string.h>

#include "kchan_internal.h"

/* Flags a request may carry: none so far. */
#define KCHAN_REQ_FLAGS		0
#define KCHAN_REPLY_FLAGS	(KCHAN_F_REPLY | KCHAN_F_MORE | KCHAN_F_EVENT)

/* Room for ERRMSG and ERRATTR, reserved in every reply. */
#define KCHAN_ERR_SPACE		(KCHAN_ATTR_SPACE(KCHAN_ERRMSG_MAX) + \
				 KCHAN_ATTR_SPACE(sizeof(u32)))

#define KCHAN_REPLY_ONLY {						\
	.type = NLA_REJECT,						\
	.reject_message = "attribute only valid in kernel messages",	\
}

/*
 * SIZE is a u32 whose bound does not fit the s16 of NLA_POLICY_MAX().
 * nla_policy points to its range without const before Linux 6.7 ("netlink:
 * make range pointers in policies const"); the core only ever reads it, so
 * the range stays const and the policy casts that away for older kernels.
 */
static const struct netlink_range_validation kchan_size_range = {
	.min = 0,
	.max = KCHAN_PAYLOAD_MAX,
};

const struct nla_policy kchan_policy[KCHAN_ATTR_MAX + 1] = {
	/* A sender aligning a u64 may put an empty PAD first. */
	[KCHAN_ATTR_PAD]		= NLA_POLICY_EXACT_LEN(0),
	[KCHAN_ATTR_PAYLOAD]		= { .type = NLA_BINARY,
					    .len = KCHAN_PAYLOAD_MAX },
	[KCHAN_ATTR_KEY]		= NLA_POLICY_RANGE(NLA_BINARY, 1,
							   KCHAN_KEY_MAX),
	[KCHAN_ATTR_VALUE]		= { .type = NLA_BINARY,
					    .len = KCHAN_VALUE_MAX },
	[KCHAN_ATTR_CURSOR]		= NLA_POLICY_RANGE(NLA_BINARY, 1,
							   KCHAN_KEY_MAX),
	[KCHAN_ATTR_ENTRY]		= KCHAN_REPLY_ONLY,
	[KCHAN_ATTR_COUNT]		= NLA_POLICY_MIN(NLA_U64, 1),
	[KCHAN_ATTR_SIZE]		= NLA_POLICY_FULL_RANGE(NLA_U32,
		(struct netlink_range_validation *)&kchan_size_range),
	[KCHAN_ATTR_RATE]		= { .type = NLA_U32 },
	[KCHAN_ATTR_EVENT_TYPE]		= KCHAN_REPLY_ONLY,
	[KCHAN_ATTR_SEQ]		= KCHAN_REPLY_ONLY,
	[KCHAN_ATTR_DROPPED]		= KCHAN_REPLY_ONLY,
	[KCHAN_ATTR_ERRMSG]		= KCHAN_REPLY_ONLY,
	[KCHAN_ATTR_ERRATTR]		= KCHAN_REPLY_ONLY,
	[KCHAN_ATTR_STORE_ENTRIES]	= KCHAN_REPLY_ONLY,
	[KCHAN_ATTR_STORE_BYTES]	= KCHAN_REPLY_ONLY,
	[KCHAN_ATTR_TRANSPORT_STATS]	= KCHAN_REPLY_ONLY,
	[KCHAN_ATTR_TRANSPORT]		= KCHAN_REPLY_ONLY,
	[KCHAN_ATTR_STAT_REQUESTS]	= KCHAN_REPLY_ONLY,
	[KCHAN_ATTR_STAT_ERRORS]	= KCHAN_REPLY_ONLY,
	[KCHAN_ATTR_STAT_EVENTS]	= KCHAN_REPLY_ONLY,
	[KCHAN_ATTR_STAT_DROPS]		= KCHAN_REPLY_ONLY,
	[KCHAN_ATTR_GEN_INDEX]		= KCHAN_REPLY_ONLY,
};
EXPORT_SYMBOL_GPL(kchan_policy);

/* The attributes each command takes; PAD is welcome everywhere. */
static const u32 kchan_cmd_attrs[KCHAN_CMD_MAX + 1] = {
	[KCHAN_CMD_ECHO]	= BIT(KCHAN_ATTR_PAYLOAD),
	[KCHAN_CMD_SET]		= BIT(KCHAN_ATTR_KEY) | BIT(KCHAN_ATTR_VALUE),
	[KCHAN_CMD_GET]		= BIT(KCHAN_ATTR_KEY),
	[KCHAN_CMD_DELETE]	= BIT(KCHAN_ATTR_KEY),
	[KCHAN_CMD_LIST]	= BIT(KCHAN_ATTR_CURSOR),
	[KCHAN_CMD_STATS]	= 0,
	[KCHAN_CMD_GEN_START]	= BIT(KCHAN_ATTR_COUNT) | BIT(KCHAN_ATTR_SIZE) |
				  BIT(KCHAN_ATTR_RATE),
	[KCHAN_CMD_GEN_STOP]	= 0,
};

/* Whether @type is absent; if so, say which and @msg in @extack. */
#define KCHAN_ATTR_MISSING(extack, tb, type, msg) ({			\
	struct netlink_ext_ack *kchan_ea_ = (extack);			\
	bool kchan_missing_ = NL_REQ_ATTR_CHECK(kchan_ea_, NULL, tb, type); \
									\
	if (kchan_missing_)						\
		NL_SET_ERR_MSG(kchan_ea_, msg);				\
	kchan_missing_;							\
})

static bool kchan_cmd_is_request(u16 cmd)
{
	return cmd >= KCHAN_CMD_ECHO && cmd <= KCHAN_CMD_MAX &&
	       cmd != KCHAN_CMD_EVENT;
}

static int kchan_check_hdr(const struct kchan_hdr *hdr, size_t len,
			   struct netlink_ext_ack *extack)
{
	if (len > KCHAN_MSG_MAX) {
		NL_SET_ERR_MSG(extack, "message longer than KCHAN_MSG_MAX");
		return -EMSGSIZE;
	}
	if (len < KCHAN_HDR_LEN) {
		NL_SET_ERR_MSG(extack, "message shorter than the kchan header");
		return -EINVAL;
	}
	if (hdr->len != len) {
		NL_SET_ERR_MSG(extack, "header len differs from message length");
		return -EINVAL;
	}
	if (hdr->flags & KCHAN_REPLY_FLAGS) {
		NL_SET_ERR_MSG(extack, "reply or event flag set in a request");
		return -EINVAL;
	}
	if (hdr->flags & ~KCHAN_REQ_FLAGS) {
		NL_SET_ERR_MSG(extack, "unknown header flags");
		return -EOPNOTSUPP;
	}
	if (hdr->status) {
		NL_SET_ERR_MSG(extack, "status must be 0 in a request");
		return -EINVAL;
	}
	if (hdr->cmd == KCHAN_CMD_EVENT) {
		NL_SET_ERR_MSG(extack, "EVENT is only sent by the kernel");
		return -EOPNOTSUPP;
	}
	if (!kchan_cmd_is_request(hdr->cmd)) {
		NL_SET_ERR_MSG(extack, "unknown command");
		return -EOPNOTSUPP;
	}
	return 0;
}

int kchan_core_parse(const void *msg, size_t len, struct kchan_hdr *hdr,
		     struct nlattr **tb, struct netlink_ext_ack *extack)
{
	int err;

	BUILD_BUG_ON(sizeof(struct kchan_hdr) != KCHAN_HDR_LEN);

	memset(tb, 0, sizeof(*tb) * (KCHAN_ATTR_MAX + 1));
	memset(hdr, 0, sizeof(*hdr));
	/* The buffer need not be aligned for the header: copy it. */
	if (len >= KCHAN_HDR_LEN)
		memcpy(hdr, msg, sizeof(*hdr));

	err = kchan_check_hdr(hdr, len, extack);
	if (err)
		return err;

	/* len <= KCHAN_MSG_MAX now, so it fits nla_parse()'s int. */
	return nla_parse(tb, KCHAN_ATTR_MAX,
			 (const struct nlattr *)((const u8 *)msg + KCHAN_HDR_LEN),
			 len - KCHAN_HDR_LEN, kchan_policy, extack);
}
EXPORT_SYMBOL_GPL(kchan_core_parse);

int kchan_list_cursor_from_attr(struct kchan_list_cursor *cursor,
				const struct nlattr *attr)
{
	int len;

	cursor->len = 0;
	if (!attr)
		return 0;
	len = nla_len(attr);
	if (len < 1 || len > KCHAN_KEY_MAX)
		return -ERANGE;
	memcpy(cursor->key, nla_data(attr), len);
	cursor->len = len;
	return 0;
}
EXPORT_SYMBOL_GPL(kchan_list_cursor_from_attr);

static size_t kchan_get_reply_size(struct nlattr **tb, bool worst_case)
{
	const struct nlattr *key = tb[KCHAN_ATTR_KEY];
	long val_len = KCHAN_VALUE_MAX;

	if (!key)
		return 0;
	if (!worst_case)
		val_len = kchan_store_value_len(nla_data(key), nla_len(key));
	if (val_len < 0)
		return 0;
	return KCHAN_ATTR_SPACE(nla_len(key)) + KCHAN_ATTR_SPACE(val_len);
}

/*
 * A LIST part stays within list_reply_max, less room for the CURSOR that
 * follows when there are more parts, but always holds one entry.
 */
static size_t kchan_list_budget(void)
{
	return kchan_list_reply_max - KCHAN_ATTR_SPACE(KCHAN_KEY_MAX);
}

static size_t kchan_list_reply_size(struct nlattr **tb, bool worst_case)
{
	struct kchan_list_cursor cursor;
	size_t entries;

	if (worst_case) {
		entries = max(kchan_list_budget(),
			      kchan_entry_space(KCHAN_KEY_MAX,
						KCHAN_VALUE_MAX));
	} else if (kchan_list_cursor_from_attr(&cursor,
					       tb[KCHAN_ATTR_CURSOR])) {
		/* kchan_do_list() refuses it: no entries. */
		entries = 0;
	} else {
		entries = kchan_store_list_space(&cursor, kchan_list_budget());
	}
	return entries + KCHAN_ATTR_SPACE(KCHAN_KEY_MAX);
}

size_t kchan_core_reply_size(u16 cmd, struct nlattr **tb, bool worst_case)
{
	const struct nlattr *payload;

	switch (cmd) {
	case KCHAN_CMD_ECHO:
		payload = tb[KCHAN_ATTR_PAYLOAD];
		return payload ? KCHAN_ATTR_SPACE(nla_len(payload)) : 0;
	case KCHAN_CMD_GET:
		return kchan_get_reply_size(tb, worst_case);
	case KCHAN_CMD_LIST:
		return kchan_list_reply_size(tb, worst_case);
	case KCHAN_CMD_STATS:
		return kchan_stats_reply_size();
	default:
		return 0;
	}
}
EXPORT_SYMBOL_GPL(kchan_core_reply_size);

static int kchan_check_cmd_attrs(u16 cmd, struct nlattr **tb,
				 struct netlink_ext_ack *extack)
{
	u32 allowed = kchan_cmd_attrs[cmd] | BIT(KCHAN_ATTR_PAD);
	int type;

	/* One bit per attribute type in a u32. */
	BUILD_BUG_ON(KCHAN_ATTR_MAX >= 32);

	for (type = 1; type <= KCHAN_ATTR_MAX; type++) {
		if (tb[type] && !(allowed & BIT(type))) {
			NL_SET_ERR_MSG_ATTR(extack, tb[type],
					    "attribute not valid for this command");
			return -EINVAL;
		}
	}
	return 0;
}

static int kchan_do_echo(struct nlattr **tb, struct sk_buff *reply,
			 struct netlink_ext_ack *extack)
{
	const struct nlattr *payload = tb[KCHAN_ATTR_PAYLOAD];

	/* An echo without PAYLOAD is a ping: the reply has none either. */
	if (payload && nla_put(reply, KCHAN_ATTR_PAYLOAD, nla_len(payload),
			       nla_data(payload))) {
		NL_SET_ERR_MSG(extack, "reply buffer too small");
		return -EMSGSIZE;
	}
	return 0;
}

static int kchan_do_set(struct nlattr **tb, struct netlink_ext_ack *extack)
{
	const struct nlattr *key = tb[KCHAN_ATTR_KEY];
	const struct nlattr *val = tb[KCHAN_ATTR_VALUE];

	if (KCHAN_ATTR_MISSING(extack, tb, KCHAN_ATTR_KEY, "missing KEY") ||
	    KCHAN_ATTR_MISSING(extack, tb, KCHAN_ATTR_VALUE, "missing VALUE"))
		return -EINVAL;
	return kchan_store_set(nla_data(key), nla_len(key), nla_data(val),
			       nla_len(val), extack);
}

static int kchan_do_get(struct nlattr **tb, struct sk_buff *reply,
			struct netlink_ext_ack *extack)
{
	const struct nlattr *key = tb[KCHAN_ATTR_KEY];
	int err;

	if (KCHAN_ATTR_MISSING(extack, tb, KCHAN_ATTR_KEY, "missing KEY"))
		return -EINVAL;
	err = kchan_store_get(nla_data(key), nla_len(key), reply, extack);
	if (err == -ENOENT)
		NL_SET_BAD_ATTR(extack, key);
	return err;
}

static int kchan_do_delete(struct nlattr **tb, struct netlink_ext_ack *extack)
{
	const struct nlattr *key = tb[KCHAN_ATTR_KEY];
	int err;

	if (KCHAN_ATTR_MISSING(extack, tb, KCHAN_ATTR_KEY, "missing KEY"))
		return -EINVAL;
	err = kchan_store_delete(nla_data(key), nla_len(key), extack);
	if (err == -ENOENT)
		NL_SET_BAD_ATTR(extack, key);
	return err;
}

static int kchan_do_list(struct nlattr **tb, struct sk_buff *reply,
			 u16 *reply_flags, struct netlink_ext_ack *extack)
{
	const struct nlattr *attr = tb[KCHAN_ATTR_CURSOR];
	struct kchan_list_cursor cursor;
	bool more;
	int count;

	if (kchan_list_cursor_from_attr(&cursor, attr)) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "CURSOR must be 1..64 bytes");
		return -ERANGE;
	}
	/* The reply is the only message in its skb. */
	count = kchan_core_list_fill(reply, 0, &cursor, kchan_list_budget(),
				     &more);
	if (count == -EMSGSIZE || count == -E2BIG) {
		/* Sized for a smaller store: the caller retries. */
		NL_SET_ERR_MSG(extack, "reply buffer too small");
		return -EMSGSIZE;
	}
	if (count < 0) {
		NL_SET_ERR_MSG(extack, "invalid list cursor");
		return count;
	}
	if (more) {
		if (nla_put(reply, KCHAN_ATTR_CURSOR, cursor.len, cursor.key)) {
			NL_SET_ERR_MSG(extack, "reply buffer too small");
			return -EMSGSIZE;
		}
		*reply_flags |= KCHAN_F_MORE;
	}
	return 0;
}

static int kchan_do_stats(struct sk_buff *reply,
			  struct netlink_ext_ack *extack)
{
	int err = kchan_stats_fill(reply);

	if (err)
		NL_SET_ERR_MSG(extack, "reply buffer too small");
	return err;
}

static int kchan_do_gen_start(struct nlattr **tb,
			      struct netlink_ext_ack *extack)
{
	u32 rate = 0;
	u64 count;

	if (KCHAN_ATTR_MISSING(extack, tb, KCHAN_ATTR_COUNT, "missing COUNT") ||
	    KCHAN_ATTR_MISSING(extack, tb, KCHAN_ATTR_SIZE, "missing SIZE"))
		return -EINVAL;
	count = nla_get_u64(tb[KCHAN_ATTR_COUNT]);
	if (count > kchan_gen_max_count) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KCHAN_ATTR_COUNT],
				    "COUNT exceeds gen_max_count");
		return -ERANGE;
	}
	if (tb[KCHAN_ATTR_RATE])
		rate = nla_get_u32(tb[KCHAN_ATTR_RATE]);
	return kchan_gen_start(count, nla_get_u32(tb[KCHAN_ATTR_SIZE]), rate,
			       extack);
}

/* Run one validated request; the caller counts it. */
static int kchan_exec_cmd(const struct kchan_caller *caller, u16 cmd,
			  struct nlattr **tb, struct sk_buff *reply,
			  u16 *reply_flags, struct netlink_ext_ack *extack)
{
	int err;

	if (!kchan_cmd_is_request(cmd)) {
		NL_SET_ERR_MSG(extack, "unknown command");
		return -EOPNOTSUPP;
	}
	if (kchan_cmd_mutates(cmd) && !caller->may_mutate) {
		NL_SET_ERR_MSG(extack, "command needs a privileged caller");
		return -EPERM;
	}
	err = kchan_check_cmd_attrs(cmd, tb, extack);
	if (err)
		return err;

	switch (cmd) {
	case KCHAN_CMD_ECHO:
		return kchan_do_echo(tb, reply, extack);
	case KCHAN_CMD_SET:
		return kchan_do_set(tb, extack);
	case KCHAN_CMD_GET:
		return kchan_do_get(tb, reply, extack);
	case KCHAN_CMD_DELETE:
		return kchan_do_delete(tb, extack);
	case KCHAN_CMD_LIST:
		return kchan_do_list(tb, reply, reply_flags, extack);
	case KCHAN_CMD_STATS:
		return kchan_do_stats(reply, extack);
	case KCHAN_CMD_GEN_START:
		return kchan_do_gen_start(tb, extack);
	case KCHAN_CMD_GEN_STOP:
		kchan_gen_stop();
		return 0;
	default:
		NL_SET_ERR_MSG(extack, "unknown command");
		return -EOPNOTSUPP;
	}
}

int kchan_core_exec(const struct kchan_caller *caller, u16 cmd,
		    struct nlattr **tb, struct sk_buff *reply,
		    u16 *reply_flags, struct netlink_ext_ack *extack)
{
	return kchan_exec_cmd(caller, cmd, tb, reply, reply_flags, extack);
}
EXPORT_SYMBOL_GPL(kchan_core_exec);

/* GET and LIST change nothing, so they can run again in a larger skb. */
static bool kchan_cmd_retryable(u16 cmd)
{
	return cmd == KCHAN_CMD_GET || cmd == KCHAN_CMD_LIST;
}

/* Forget what a failed try reported before the next one runs. */
static void kchan_extack_reset(struct netlink_ext_ack *extack)
{
	if (!extack)
		return;
	extack->_msg = NULL;
	extack->bad_attr = NULL;
	extack->policy = NULL;
	extack->miss_nest = NULL;
	extack->miss_type = 0;
}

/*
 * Size, allocate and run, once more with the worst-case size when the
 * store grew in between.  *@skbp is the last skb allocated, NULL when an
 * allocation failed; on error it holds whatever the command appended.
 * Counts nothing.
 */
static int kchan_run(const struct kchan_caller *caller, u16 cmd,
		     struct nlattr **tb,
		     struct sk_buff *(*alloc)(size_t size, void *ctx),
		     void *ctx, struct sk_buff **skbp, u16 *reply_flags,
		     struct netlink_ext_ack *extack)
{
	bool worst_case = false;
	struct sk_buff *skb;
	u16 flags;
	int err;

	for (;;) {
		skb = alloc(kchan_core_reply_size(cmd, tb, worst_case), ctx);
		if (!skb) {
			NL_SET_ERR_MSG(extack, "out of memory for the reply");
			err = -ENOMEM;
			break;
		}
		flags = 0;
		err = kchan_exec_cmd(caller, cmd, tb, skb, &flags, extack);
		if (err != -EMSGSIZE || worst_case ||
		    !kchan_cmd_retryable(cmd))
			break;
		/* The store grew since it was sized: try the largest size. */
		consume_skb(skb);
		kchan_extack_reset(extack);
		worst_case = true;
	}
	*skbp = skb;
	if (!err)
		*reply_flags |= flags;
	return err;
}

struct sk_buff *kchan_core_run(const struct kchan_caller *caller, u16 cmd,
			       struct nlattr **tb,
			       struct sk_buff *(*alloc)(size_t size, void *ctx),
			       void *ctx, u16 *reply_flags,
			       struct netlink_ext_ack *extack)
{
	struct sk_buff *skb;
	int err;

	err = kchan_run(caller, cmd, tb, alloc, ctx, &skb, reply_flags,
			extack);
	if (err) {
		kfree_skb(skb);
		return ERR_PTR(err);
	}
	return skb;
}
EXPORT_SYMBOL_GPL(kchan_core_run);

/*
 * An skb of @size bytes that holds so far only a kchan header with @cmd,
 * @flags and @seq (status and len are filled in when the message is done).
 */
struct sk_buff *kchan_msg_alloc(size_t size, u16 cmd, u16 flags, u32 seq)
{
	struct kchan_hdr *hdr;
	struct sk_buff *skb;

	skb = alloc_skb(size, GFP_KERNEL);
	if (!skb)
		return NULL;
	hdr = skb_put_zero(skb, sizeof(*hdr));
	hdr->cmd = cmd;
	hdr->flags = flags;
	hdr->seq = seq;
	return skb;
}

/* A reply skb of @size bytes holding the header for @req so far. */
static struct sk_buff *kchan_reply_alloc(const struct kchan_hdr *req,
					 size_t size)
{
	return kchan_msg_alloc(size, req->cmd, 0, req->seq);
}

/* Drop whatever a failed command appended; add ERRMSG and ERRATTR. */
static void kchan_reply_error(struct sk_buff *skb,
			      const struct netlink_ext_ack *extack)
{
	/* No accessor exists for the message; af_netlink reads it too. */
	const char *msg = extack->_msg ?: "request failed";
	size_t msg_len = strnlen(msg, KCHAN_ERRMSG_MAX - 1);
	struct nlattr *nla;
	u32 bad = 0;

	skb_trim(skb, KCHAN_HDR_LEN);

	/* Reserved in every reply: neither put can run out of room. */
	nla = nla_reserve(skb, KCHAN_ATTR_ERRMSG, msg_len + 1);
	if (nla) {
		memcpy(nla_data(nla), msg, msg_len);
		((char *)nla_data(nla))[msg_len] = '\0';
	}
	if (extack->bad_attr)
		bad = nla_type(extack->bad_attr);
	else if (extack->miss_type)
		bad = extack->miss_type;
	if (bad)
		nla_put_u32(skb, KCHAN_ATTR_ERRATTR, bad);
}

static struct sk_buff *kchan_reply_finish(struct sk_buff *skb, int status,
					  u16 flags)
{
	struct kchan_hdr *hdr = (struct kchan_hdr *)skb->data;

	hdr->flags = KCHAN_F_REPLY | (status ? 0 : flags);
	hdr->status = status;
	hdr->len = skb->len;
	return skb;
}

/* kchan_run() allocator for kchan_core_call(): @ctx is the request. */
static struct sk_buff *kchan_call_alloc(size_t size, void *ctx)
{
	return kchan_reply_alloc(ctx, KCHAN_HDR_LEN + KCHAN_ERR_SPACE + size);
}

struct sk_buff *kchan_core_call(const struct kchan_caller *caller,
				const void *msg, size_t len)
{
	struct nlattr *tb[KCHAN_ATTR_MAX + 1];
	struct netlink_ext_ack extack = {};
	struct sk_buff *skb = NULL;
	struct kchan_hdr req;
	u16 flags = 0;
	int err;

	err = kchan_core_parse(msg, len, &req, tb, &extack);
	if (!err)
		err = kchan_run(caller, req.cmd, tb, kchan_call_alloc, &req,
				&skb, &flags, &extack);
	/* Once per request, whatever happened. */
	kchan_stats_request(caller->transport, err);
	if (!err)
		return kchan_reply_finish(skb, 0, flags);

	if (!skb) {
		/* Rejected before a reply existed, or out of memory. */
		skb = kchan_reply_alloc(&req, KCHAN_HDR_LEN + KCHAN_ERR_SPACE);
		if (!skb)
			return ERR_PTR(-ENOMEM);
	}
	kchan_reply_error(skb, &extack);
	return kchan_reply_finish(skb, err, 0);
}
EXPORT_SYMBOL_GPL(kchan_core_call);
