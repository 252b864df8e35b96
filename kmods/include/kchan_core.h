/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kchan_core: the in-kernel API the kchan transport modules build on.
 *
 * A transport (netlink, procfs, sockopt, chardev) moves kchan messages
 * between user space and kchan_core.  It copies a request into a kernel
 * buffer, checks its length, decides whether the caller is privileged and
 * calls kchan_core_call(), which validates the message once, runs it,
 * counts it and returns the reply as one kchan message in an skb.
 *
 * The Generic Netlink transport lets genl validate the attributes against
 * kchan_policy and calls kchan_core_run() (or kchan_core_exec()) with them
 * instead, so both paths share the policy, the handlers and the
 * extended-ack messages.  Those functions count nothing: the transport
 * calls kchan_core_account() exactly once per request, with the status the
 * requester sees.  A request genl rejects itself before the doit runs
 * (policy validation, GENL_ADMIN_PERM) never reaches the transport and so
 * is not counted, unless the family leaves validation to its doit (no
 * per-op policy; genlmsg_parse() against kchan_policy in the doit) and
 * counts the failures there.
 *
 * Memory: a reply is one linear skb, so its buffer is physically
 * contiguous.  The largest replies (ECHO of a KCHAN_PAYLOAD_MAX payload,
 * GET of a KCHAN_VALUE_MAX value, a LIST part at the largest
 * list_reply_max) take an order-5 (128 KiB) allocation, a LIST part at the
 * default list_reply_max an order-4 one.  They may fail under
 * fragmentation; the request then fails with -ENOMEM.
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
 * @len: its length, 0..KCHAN_KEY_MAX; 0 starts from the first key
 */
struct kchan_list_cursor {
	u8 key[KCHAN_KEY_MAX];
	u8 len;
};

/* The one strict policy every kchan request is validated against. */
extern const struct nla_policy kchan_policy[KCHAN_ATTR_MAX + 1];

/**
 * kchan_cmd_mutates() - whether a command changes state
 * @cmd: enum kchan_cmd
 *
 * Return: true for SET, DELETE, GEN_START and GEN_STOP, which need
 * &kchan_caller.may_mutate.
 */
static inline bool kchan_cmd_mutates(u16 cmd)
{
	return cmd == KCHAN_CMD_SET || cmd == KCHAN_CMD_DELETE ||
	       cmd == KCHAN_CMD_GEN_START || cmd == KCHAN_CMD_GEN_STOP;
}

/**
 * kchan_core_call() - run one request and build its reply
 * @caller: who sent it; must not be NULL
 * @msg:    a kernel buffer holding one whole kchan message
 * @len:    its length in bytes
 *
 * The whole service for byte transports: validates, runs, and counts the
 * request once in STATS (an error too), whatever happens.
 *
 * Context: Process context; may sleep.
 * Return: an skb whose data is exactly one kchan message: the header with
 * KCHAN_F_REPLY, the request's cmd and seq (0 when the header is
 * truncated), status 0 or -errno and len == skb->len, then the attributes.
 * A failed request carries KCHAN_ATTR_ERRMSG and, when one attribute is at
 * fault, KCHAN_ATTR_ERRATTR.  ERR_PTR(-ENOMEM) only when not even the
 * error reply could be allocated.
 */
struct sk_buff *kchan_core_call(const struct kchan_caller *caller,
				const void *msg, size_t len);

/**
 * kchan_core_parse() - check a kchan header and parse the attributes
 * @msg:    a kernel buffer holding one whole kchan message
 * @len:    its length in bytes
 * @hdr:    receives a copy of the header (zeroed when @len is too short)
 * @tb:     KCHAN_ATTR_MAX + 1 slots; they point into @msg afterwards
 * @extack: receives the reason for a failure
 *
 * Does not count the request in STATS (see kchan_core_account()).
 *
 * Context: Any context.
 * Return: 0, or -errno with a message in @extack.
 */
int kchan_core_parse(const void *msg, size_t len, struct kchan_hdr *hdr,
		     struct nlattr **tb, struct netlink_ext_ack *extack);

/**
 * kchan_core_reply_size() - room the reply attributes of a request need
 * @cmd:        the request's command
 * @tb:         its attributes, validated against kchan_policy
 * @worst_case: false sizes GET and LIST for the store as it is now; if
 *		kchan_core_exec() then fails with -EMSGSIZE the store
 *		changed in between: retry (GET and LIST change nothing) with
 *		true, which is always enough.  kchan_core_run() does this.
 *
 * Context: Process context; may sleep.
 * Return: bytes kchan_core_exec() may append to the reply skb, beyond what
 * the skb already holds.
 */
size_t kchan_core_reply_size(u16 cmd, struct nlattr **tb, bool worst_case);

/**
 * kchan_core_exec() - run one validated request
 * @caller:      who sent it; must not be NULL
 * @cmd:         the request's command
 * @tb:          attributes validated against kchan_policy (info->attrs)
 * @reply:       the reply attributes are appended here
 * @reply_flags: KCHAN_F_MORE is or-ed in when a LIST has more parts
 * @extack:      receives the reason for a failure
 *
 * The building block under kchan_core_run(), which most transports want
 * instead.  Counts nothing: call kchan_core_account() once per request.
 *
 * Context: Process context; may sleep.
 * Return: 0, or -errno with a message in @extack; on error the attributes
 * appended to @reply are meaningless.  -EMSGSIZE for GET or LIST means
 * @reply was too small: see kchan_core_reply_size().
 */
int kchan_core_exec(const struct kchan_caller *caller, u16 cmd,
		    struct nlattr **tb, struct sk_buff *reply,
		    u16 *reply_flags, struct netlink_ext_ack *extack);

/**
 * kchan_core_run() - size, allocate and run one validated request
 * @caller:      who sent it; must not be NULL
 * @cmd:         the request's command
 * @tb:          attributes validated against kchan_policy (info->attrs)
 * @alloc:       returns a reply skb with room for @size bytes of
 *		 attributes after whatever header the transport puts first
 *		 (genlmsg_new() plus genlmsg_put_reply(), say), or NULL; it
 *		 is called once, or twice when a retry is needed
 * @ctx:         passed to @alloc
 * @reply_flags: KCHAN_F_MORE is or-ed in when a LIST has more parts
 * @extack:      receives the reason for a failure
 *
 * kchan_core_reply_size(), @alloc, kchan_core_exec(); when GET or LIST
 * then fail with -EMSGSIZE (the store grew in between) it frees the skb,
 * clears the message, attribute and policy of @extack and runs once more
 * at the worst-case size.  Counts nothing: call kchan_core_account() once
 * per request.  A LIST reply holds at most list_reply_max bytes of
 * entries but always one entry, so every entry can be read this way (a
 * netlink dump cannot promise that: see kchan_core_list_fill()).
 *
 * Context: Process context; may sleep.
 * Return: the skb @alloc returned, holding the reply attributes, or
 * ERR_PTR(-errno) with a message in @extack (the skb is then freed).
 * -ENOMEM when @alloc returned NULL.
 */
struct sk_buff *kchan_core_run(const struct kchan_caller *caller, u16 cmd,
			       struct nlattr **tb,
			       struct sk_buff *(*alloc)(size_t size, void *ctx),
			       void *ctx, u16 *reply_flags,
			       struct netlink_ext_ack *extack);

/**
 * kchan_list_cursor_from_attr() - set a cursor from a CURSOR attribute
 * @cursor: the cursor to set
 * @attr:   KCHAN_ATTR_CURSOR, or NULL to start from the first key
 *
 * Context: Any context.
 * Return: 0, or -ERANGE (@cursor then starts from the first key) when
 * @attr does not hold 1..KCHAN_KEY_MAX bytes, which kchan_policy rejects
 * anyway.
 */
int kchan_list_cursor_from_attr(struct kchan_list_cursor *cursor,
				const struct nlattr *attr);

/**
 * kchan_core_list_fill() - append ENTRY nests (KEY, VALUE) in key order
 * @skb:       where the nests go, at skb->len
 * @msg_start: offset in @skb of the message the nests belong to (its
 *	       header included): 0 when it is the first message in @skb
 * @cursor:    in: start strictly after this key; out: the last key
 *	       appended
 * @budget:    stop before skb->len would pass it; the first entry is
 *	       appended whenever @skb has room for it
 * @more:      set when entries remain after the last one appended
 *
 * Meant for a netlink dump: keep the cursor between calls.  Counts nothing
 * in STATS.  A dump skb is small: netlink sizes it at most
 * SKB_WITH_OVERHEAD(32768) bytes (32448 on x86-64, before the netlink and
 * genl headers), and only NLMSG_GOODSIZE (about 3.7 KiB) until the reader
 * has called recvmsg() with a larger buffer or when the larger allocation
 * fails; genl sets no min_dump_alloc.  So an entry whose value is above
 * about 32 KiB never fits a dump, and a smaller one may not fit this one.
 * The Generic Netlink transport should therefore serve LIST as a plain
 * request through kchan_core_run(), whose reply always holds one entry,
 * and pages by CURSOR (present exactly when more parts follow).  A
 * transport that also offers LIST as a dump puts one message per dumpit
 * call and returns skb->len after a call that appended entries (on 6.1 a
 * dumpit returning -EMSGSIZE ends the dump with that error).  When it gets
 * -E2BIG the entry after @cursor cannot be dumped in skbs of this size:
 * it ends the dump with -EMSGSIZE and an extack message, and the reader
 * fetches that entry (and the rest) with the LIST request from the last
 * key it got, or with GET.
 *
 * Context: Process context; may sleep.
 * Return: the number of entries appended (*@more as above), 0 when no
 * entry follows @cursor (*@more false), or, with *@more true and @cursor
 * unchanged:
 * -EMSGSIZE when the next entry does not fit the room left in @skb but
 * would fit an skb of this size holding only the current message: the skb
 * is full, continue in the next one;
 * -E2BIG when the next entry does not fit even then: it can never fit an
 * skb of this size;
 * -EINVAL when @cursor->len is above KCHAN_KEY_MAX or @msg_start above
 * skb->len (*@more false).
 */
int kchan_core_list_fill(struct sk_buff *skb, unsigned int msg_start,
			 struct kchan_list_cursor *cursor, unsigned int budget,
			 bool *more);

/**
 * kchan_core_account() - count one request in STATS
 * @transport: the door it came through
 * @status:    0 or the -errno the requester sees
 *
 * Every request served without kchan_core_call() (through
 * kchan_core_run() or kchan_core_exec(), a netlink dump) or rejected by
 * the transport is counted exactly once this way: requests, and errors
 * when @status is nonzero.
 *
 * Context: Any context.
 */
void kchan_core_account(enum kchan_transport transport, int status);

/**
 * kchan_core_post_packet() - offer a PACKET event to every subscriber
 * @data: the bytes the event carries as KCHAN_ATTR_PAYLOAD
 * @len:  how many, at most KCHAN_PAYLOAD_MAX; keep it small (a header
 *	  snapshot), since the copy is an atomic allocation
 *
 * For the netfilter hook and other transports that see traffic.  The
 * event is built with GFP_ATOMIC: when that fails every subscriber counts
 * it as dropped (SEQ and DROPPED stay exact).  Nothing happens when
 * nobody subscribes.
 *
 * Context: Any context but NMI, softirq and hard irq included; not from a
 * subscriber's wake callback.
 * Return: 0 when the event was offered (or nobody listens), -ENOMEM when
 * it could not be built, -EMSGSIZE when @len is above KCHAN_PAYLOAD_MAX
 * (nothing offered, nothing counted).
 */
int kchan_core_post_packet(const void *data, size_t len);

struct kchan_sub;

/**
 * kchan_sub_open() - subscribe to kernel-pushed events
 * @transport: the door the events leave by (counted in STATS)
 * @wake:      called whenever an event is queued for this subscriber,
 *	       possibly from any context (softirq included) with a spinlock
 *	       held and interrupts off: it must not sleep and must not call
 *	       back into kchan_core; waking a wait queue or scheduling work
 *	       is fine.  May be NULL.  Never called once kchan_sub_detach()
 *	       has returned.
 * @ctx:       passed to @wake
 *
 * Each subscriber has a queue of at most sub_queue_len events and
 * sub_queue_bytes bytes of event bodies (the attributes after DROPPED).
 * An event that would overfill either is dropped for that subscriber only.
 * Its sequence number advances for every event offered to it, queued or
 * dropped, so between two events it reads, SEQ grows by one plus the
 * number of events lost in between, and KCHAN_ATTR_DROPPED, its running
 * total of lost events, grows by that number.  An event lost while the
 * queue is empty shows at the next event read.  At most max_subscribers
 * subscribers exist at a time, detached ones until they are released.
 * Memory is charged to the caller's memory cgroup.
 *
 * Context: Process context; may sleep.
 * Return: the subscriber, or ERR_PTR(-EMFILE) when max_subscribers are
 * open, ERR_PTR(-ENOMEM), ERR_PTR(-EINVAL) for a bad @transport.  Never
 * NULL: check with IS_ERR().
 */
struct kchan_sub *kchan_sub_open(enum kchan_transport transport,
				 void (*wake)(void *ctx), void *ctx);

/**
 * kchan_sub_detach() - stop events for a subscriber
 * @sub: from kchan_sub_open()
 *
 * Unlinks @sub: no event is queued for it and its wake callback does not
 * run once this returns (a call in progress has finished).  What is queued
 * stays readable with kchan_sub_next() until kchan_sub_release().
 * Calling it again is harmless.  A transport whose wake callback schedules
 * work tears a subscriber down in this order: kchan_sub_detach(), then
 * cancel_work_sync()/flush_work() on that work (nothing can requeue it
 * now), then kchan_sub_release().
 *
 * Context: Any context but NMI; not from a wake callback.
 */
void kchan_sub_detach(struct kchan_sub *sub);

/**
 * kchan_sub_release() - free a subscriber and what is still queued
 * @sub: from kchan_sub_open(); NULL and ERR_PTR values are ignored
 *
 * Detaches @sub first if that has not happened.  The caller makes sure
 * nothing uses @sub any more: no kchan_sub_next()/kchan_sub_pending() runs
 * at the same time or later, and work its wake callback scheduled has
 * been cancelled or flushed.  Frees its place among max_subscribers.
 * Every subscriber must be released before the transport module that
 * opened it unloads.
 *
 * Context: Process context; may sleep.
 */
void kchan_sub_release(struct kchan_sub *sub);

/**
 * kchan_sub_close() - kchan_sub_detach() then kchan_sub_release()
 * @sub: from kchan_sub_open(); NULL and ERR_PTR values are ignored
 *
 * For transports whose wake callback leaves nothing behind that could
 * still use @sub (a wait queue wake-up, say).
 *
 * Context: Process context; may sleep.
 */
void kchan_sub_close(struct kchan_sub *sub);

/**
 * kchan_sub_next() - take the oldest queued event
 * @sub: from kchan_sub_open(), detached or not, not released
 *
 * Builds one kchan message: header cmd KCHAN_CMD_EVENT, flags
 * KCHAN_F_EVENT, seq 0, status 0, then EVENT_TYPE, SEQ, DROPPED and the
 * attributes of that event type.  Callers on one subscriber are
 * serialised.
 *
 * Context: Process context; may sleep.
 * Return: the message, NULL when the queue is empty, or ERR_PTR(-ENOMEM)
 * when it could not be allocated (the event stays queued: retry later).
 */
struct sk_buff *kchan_sub_next(struct kchan_sub *sub);

/**
 * kchan_sub_pending() - whether an event is queued
 * @sub: from kchan_sub_open(), not released
 *
 * Context: Any context.
 * Return: true when kchan_sub_next() has an event to return.
 */
bool kchan_sub_pending(struct kchan_sub *sub);

#endif /* _KCHAN_CORE_H */
