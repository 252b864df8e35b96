/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kchan_core: the in-kernel API the kchan transport modules build on.
 *
 * A transport (netlink, procfs, sockopt, chardev) moves kchan messages
 * between user space and kchan_core.  It copies a request into a kernel
 * buffer, checks its length, decides whether the caller is privileged and
 * calls kchan_core_call(), which validates the message once, runs it and
 * returns the reply as one kchan message in an skb.
 *
 * The Generic Netlink transport lets genl validate the attributes against
 * kchan_policy and calls kchan_core_exec() with them instead, so both paths
 * share the policy, the handlers and the extended-ack messages.
 *
 * Kernel-pushed events reach a transport through a subscriber: a bounded
 * queue per subscriber with its own sequence numbers and drop counter.
 */
#ifndef _KCHAN_CORE_H
#define _KCHAN_CORE_H

#include <linux/netlink.h>
#include <linux/skbuff.h>
#include <linux/types.h>
#include <net/netlink.h>

#include "uapi/kchan.h"

/**
 * struct kchan_caller - who sent a request
 * @transport:  the door the request came through (counted in STATS)
 * @may_mutate: the transport found the caller privileged (for instance
 *		CAP_NET_ADMIN, or the device opened for writing).  Without it
 *		SET, DELETE, GEN_START and GEN_STOP fail with -EPERM and
 *		change nothing.
 */
struct kchan_caller {
	enum kchan_transport transport;
	bool may_mutate;
};

/**
 * struct kchan_list_cursor - where a LIST resumes
 * @key: the last key already returned
 * @len: its length; 0 starts from the first key
 */
struct kchan_list_cursor {
	u8 key[KCHAN_KEY_MAX];
	u8 len;
};

/* The one strict policy every kchan request is validated against. */
extern const struct nla_policy kchan_policy[KCHAN_ATTR_MAX + 1];

static inline bool kchan_cmd_mutates(u16 cmd)
{
	return cmd == KCHAN_CMD_SET || cmd == KCHAN_CMD_DELETE ||
	       cmd == KCHAN_CMD_GEN_START || cmd == KCHAN_CMD_GEN_STOP;
}

/*
 * kchan_core_call - run one request and build its reply.
 * @msg/@len: a kernel buffer holding one whole kchan message.
 *
 * Returns an skb whose data is exactly one kchan message: the header with
 * KCHAN_F_REPLY, the request's cmd and seq (0 when the header is
 * truncated), status 0 or -errno and len == skb->len, then the attributes.
 * A failed request carries KCHAN_ATTR_ERRMSG and, when one attribute is at
 * fault, KCHAN_ATTR_ERRATTR.  ERR_PTR(-ENOMEM) only when not even the
 * error reply could be allocated.  @caller must not be NULL.  Process
 * context; may sleep.
 */
struct sk_buff *kchan_core_call(const struct kchan_caller *caller,
				const void *msg, size_t len);

/*
 * kchan_core_parse - check a kchan header and parse the attributes.
 * @hdr: receives a copy of the header (zeroed when @len is too short)
 * @tb:  KCHAN_ATTR_MAX + 1 slots; they point into @msg afterwards
 *
 * Returns 0 or -errno with a message in @extack.  Does not count the
 * request in STATS (see kchan_core_account()).
 */
int kchan_core_parse(const void *msg, size_t len, struct kchan_hdr *hdr,
		     struct nlattr **tb, struct netlink_ext_ack *extack);

/*
 * kchan_core_reply_size - room kchan_core_exec() needs in the reply skb
 * for the attributes of @cmd, beyond what the skb already holds.
 * @worst_case: false sizes GET and LIST for the store as it is now; if
 *	kchan_core_exec() then fails with -EMSGSIZE the store changed in
 *	between: retry (GET and LIST change nothing) with true, which is
 *	always enough.
 */
size_t kchan_core_reply_size(u16 cmd, struct nlattr **tb, bool worst_case);

/*
 * kchan_core_exec - run one validated request.
 * @tb:          attributes validated against kchan_policy (info->attrs)
 * @reply:       the reply attributes are appended here
 * @reply_flags: KCHAN_F_MORE is or-ed in when a LIST has more parts
 *
 * Returns 0 or -errno with a message in @extack; on error the attributes
 * appended to @reply are meaningless.  Counts the request (and an error)
 * for @caller->transport in STATS.  Process context; may sleep.
 */
int kchan_core_exec(const struct kchan_caller *caller, u16 cmd,
		    struct nlattr **tb, struct sk_buff *reply,
		    u16 *reply_flags, struct netlink_ext_ack *extack);

/*
 * kchan_core_list_fill - append ENTRY nests (KEY, VALUE) in key order.
 * @cursor: in: start strictly after this key; out: the last key appended
 * @budget: stop before skb->len would pass it; the first entry is always
 *	    appended when the skb has room for it
 * @more:   set when entries remain after the last one appended
 *
 * Returns the number of entries appended, or -EMSGSIZE when the skb has no
 * room for even one.  Meant for a netlink dump: keep the cursor between
 * calls.  Does not count anything in STATS.
 */
int kchan_core_list_fill(struct sk_buff *skb, struct kchan_list_cursor *cursor,
			 unsigned int budget, bool *more);

/*
 * kchan_core_account - count a request a transport served without
 * kchan_core_call()/kchan_core_exec(), or rejected before (a netlink dump,
 * a genl policy failure).  @status is 0 or -errno.
 */
void kchan_core_account(enum kchan_transport transport, int status);

struct kchan_sub;

/*
 * kchan_sub_open - subscribe to kernel-pushed events.
 * @wake: called whenever an event is queued for this subscriber, possibly
 *	  from any context (softirq included) with a spinlock held and
 *	  interrupts off: it must not sleep and must not call back into
 *	  kchan_core; waking a wait queue or scheduling work is fine.  May
 *	  be NULL.  It is never called once kchan_sub_close() has returned.
 *
 * Each subscriber has a queue of sub_queue_len events.  When it is full a
 * new event is dropped for that subscriber only.  Its sequence number
 * advances for every event offered to it, queued or dropped, so a gap in
 * KCHAN_ATTR_SEQ equals the events lost and KCHAN_ATTR_DROPPED is the
 * running total.  Returns the subscriber or ERR_PTR(-errno).  Process
 * context.
 */
struct kchan_sub *kchan_sub_open(enum kchan_transport transport,
				 void (*wake)(void *ctx), void *ctx);

/*
 * kchan_sub_close - unsubscribe and free what is still queued.  The caller
 * makes sure no kchan_sub_next()/kchan_sub_pending() on @sub runs at the
 * same time or later.  Every subscriber must be closed before the
 * transport module that opened it unloads.  Process context.
 */
void kchan_sub_close(struct kchan_sub *sub);

/*
 * kchan_sub_next - take the oldest queued event as one kchan message:
 * header cmd KCHAN_CMD_EVENT, flags KCHAN_F_EVENT, seq 0, status 0, then
 * EVENT_TYPE, SEQ, DROPPED and the attributes of that event type.
 * Returns NULL when the queue is empty, or ERR_PTR(-ENOMEM) when the
 * message could not be allocated (the event stays queued: retry later).
 * Process context; may sleep.  Callers on one subscriber are serialised.
 */
struct sk_buff *kchan_sub_next(struct kchan_sub *sub);

/* kchan_sub_pending - whether an event is queued.  Any context. */
bool kchan_sub_pending(struct kchan_sub *sub);

#endif /* _KCHAN_CORE_H */
