// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_netlink's Generic Netlink family.
 *
 * Family "kchan" (KCHAN_GENL_NAME), version 1, no family header: the
 * attributes follow the genl header directly.  One operation per request
 * command, numbered like enum kchan_cmd; genl validates the attributes
 * against kchan_core's strict kchan_policy before a handler runs, and
 * GENL_ADMIN_PERM guards the commands that change state.  Every request is
 * a doit answered by one reply message with the request's cmd and seq and
 * exactly the attributes kchan_core builds for it (an empty one for SET,
 * DELETE, GEN_START and GEN_STOP); errors are the netlink error message
 * with the extended ack.  LIST is also a dump, for readers that want the
 * whole store in one request and can take large messages.
 *
 * Events: one kchan_core subscriber for the whole module; its wake
 * callback schedules work that drains the queue and multicasts every event
 * (cmd KCHAN_CMD_EVENT) to the "events" group, init_net only.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

#include "kchan_nl.h"

/* Events drained per work run before it yields to other work. */
#define KCHAN_NL_EVENT_BATCH		64
/* When an event could not be built for lack of memory, try again later. */
#define KCHAN_NL_RETRY_DELAY		(HZ / 10)

enum kchan_nl_mcgrp {
	KCHAN_NL_MCGRP_EVENTS,
};

/* Where a LIST dump resumes, and the status it ends with. */
struct kchan_nl_dump {
	struct kchan_list_cursor cursor;
	int status;
};

/* The reply being built for one doit. */
struct kchan_nl_reply {
	struct genl_info *info;
	void *hdr;
};

static struct genl_family kchan_nl_family __ro_after_init;

static struct kchan_sub *kchan_nl_sub;

static void kchan_nl_event_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(kchan_nl_events, kchan_nl_event_work);

/* kchan_core_run()'s allocator: a reply with the genl header put. */
static struct sk_buff *kchan_nl_reply_alloc(size_t size, void *ctx)
{
	struct kchan_nl_reply *reply = ctx;
	struct sk_buff *skb;

	skb = genlmsg_new(size, GFP_KERNEL);
	if (!skb)
		return NULL;
	reply->hdr = genlmsg_put_reply(skb, reply->info, &kchan_nl_family, 0,
				       reply->info->genlhdr->cmd);
	if (!reply->hdr) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static int kchan_nl_doit(struct sk_buff *skb, struct genl_info *info)
{
	const struct kchan_caller caller = {
		.transport = KCHAN_TRANSPORT_NETLINK,
		.may_mutate = netlink_capable(skb, CAP_NET_ADMIN),
	};
	struct kchan_nl_reply reply = { .info = info };
	struct sk_buff *msg;
	u16 reply_flags = 0;
	int err;

	/* On genl, CURSOR alone says that more LIST parts follow. */
	msg = kchan_core_run(&caller, info->genlhdr->cmd, info->attrs,
			     kchan_nl_reply_alloc, &reply, &reply_flags,
			     info->extack);
	if (IS_ERR(msg)) {
		err = PTR_ERR(msg);
		goto account;
	}
	genlmsg_end(msg, reply.hdr);
	err = genlmsg_reply(msg, info);
account:
	kchan_core_account(KCHAN_TRANSPORT_NETLINK, err);
	return err;
}

/*
 * LIST as a dump.  genl validated the attributes against kchan_policy;
 * LIST takes CURSOR (and PAD) only.
 */
static int kchan_nl_list_start(struct netlink_callback *cb)
{
	const struct genlmsghdr *gnlh = nlmsg_data(cb->nlh);
	const struct nlattr *cursor = NULL;
	const struct nlattr *attr;
	struct kchan_nl_dump *dump;
	int rem, err;

	nla_for_each_attr(attr, genlmsg_data(gnlh), genlmsg_len(gnlh), rem) {
		switch (nla_type(attr)) {
		case KCHAN_ATTR_CURSOR:
			cursor = attr;
			break;
		case KCHAN_ATTR_PAD:
			break;
		default:
			err = -EINVAL;
			goto account;
		}
	}
	dump = kzalloc(sizeof(*dump), GFP_KERNEL);
	if (!dump) {
		err = -ENOMEM;
		goto account;
	}
	err = kchan_list_cursor_from_attr(&dump->cursor, cursor);
	if (err)
		goto free_dump;
	cb->args[0] = (long)dump;
	/* Room for one message holding the largest entry. */
	cb->min_dump_alloc =
		nlmsg_total_size(GENL_HDRLEN +
				 nla_total_size(nla_total_size(KCHAN_KEY_MAX) +
						nla_total_size(KCHAN_VALUE_MAX)));
	return 0;

free_dump:
	kfree(dump);
account:
	kchan_core_account(KCHAN_TRANSPORT_NETLINK, err);
	return err;
}

/* One LIST message per call, as many entries as this skb holds. */
static int kchan_nl_list_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct kchan_nl_dump *dump = (struct kchan_nl_dump *)cb->args[0];
	unsigned int msg_start = skb->len;
	bool more;
	void *hdr;
	int count;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &kchan_nl_family, NLM_F_MULTI, KCHAN_CMD_LIST);
	if (!hdr) {
		dump->status = -EMSGSIZE;
		return dump->status;
	}
	count = kchan_core_list_fill(skb, msg_start, &dump->cursor,
				     skb->len + skb_tailroom(skb), &more);
	if (count > 0) {
		genlmsg_end(skb, hdr);
		return skb->len;
	}
	genlmsg_cancel(skb, hdr);
	if (!count)
		return 0;
	if (count == -EMSGSIZE || count == -E2BIG) {
		/* Each call has an skb of its own: this entry never fits. */
		NL_SET_ERR_MSG(cb->extack,
			       "entry too large for a dump: use the LIST request");
		count = -EMSGSIZE;
	}
	dump->status = count;
	return count;
}

static int kchan_nl_list_done(struct netlink_callback *cb)
{
	struct kchan_nl_dump *dump = (struct kchan_nl_dump *)cb->args[0];

	kchan_core_account(KCHAN_TRANSPORT_NETLINK, dump ? dump->status : 0);
	kfree(dump);
	return 0;
}

static const struct genl_ops kchan_nl_ops[] = {
	{
		.cmd = KCHAN_CMD_ECHO,
		.doit = kchan_nl_doit,
	},
	{
		.cmd = KCHAN_CMD_SET,
		.flags = GENL_ADMIN_PERM,
		.doit = kchan_nl_doit,
	},
	{
		.cmd = KCHAN_CMD_GET,
		.doit = kchan_nl_doit,
	},
	{
		.cmd = KCHAN_CMD_DELETE,
		.flags = GENL_ADMIN_PERM,
		.doit = kchan_nl_doit,
	},
	{
		.cmd = KCHAN_CMD_LIST,
		.doit = kchan_nl_doit,
		.start = kchan_nl_list_start,
		.dumpit = kchan_nl_list_dumpit,
		.done = kchan_nl_list_done,
	},
	{
		.cmd = KCHAN_CMD_STATS,
		.doit = kchan_nl_doit,
	},
	{
		.cmd = KCHAN_CMD_GEN_START,
		.flags = GENL_ADMIN_PERM,
		.doit = kchan_nl_doit,
	},
	{
		.cmd = KCHAN_CMD_GEN_STOP,
		.flags = GENL_ADMIN_PERM,
		.doit = kchan_nl_doit,
	},
};

static const struct genl_multicast_group kchan_nl_mcgrps[] = {
	/*
	 * CAP_NET_ADMIN to listen: packet events from the netfilter hook carry
	 * traffic that unprivileged users must not read.
	 */
	[KCHAN_NL_MCGRP_EVENTS] = {
		.name = KCHAN_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

static struct genl_family kchan_nl_family __ro_after_init = {
	.name		= KCHAN_GENL_NAME,
	.version	= KCHAN_GENL_VERSION,
	.hdrsize	= 0,
	.maxattr	= KCHAN_ATTR_MAX,
	.policy		= kchan_policy,
	.netnsok	= false,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= kchan_nl_ops,
	.n_ops		= ARRAY_SIZE(kchan_nl_ops),
	.mcgrps		= kchan_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(kchan_nl_mcgrps),
};

/*
 * Multicast one event: the core's message less its struct kchan_hdr.
 * Nobody listening, or no memory: the event is gone for this transport
 * and listeners see the SEQ gap at the next one.
 */
static void kchan_nl_send_event(const struct sk_buff *event)
{
	struct sk_buff *msg;
	unsigned int len;
	void *hdr;

	if (!genl_has_listeners(&kchan_nl_family, &init_net,
				KCHAN_NL_MCGRP_EVENTS))
		return;
	if (WARN_ON_ONCE(event->len < KCHAN_HDR_LEN))
		return;
	len = event->len - KCHAN_HDR_LEN;
	msg = genlmsg_new(len, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &kchan_nl_family, 0, KCHAN_CMD_EVENT);
	if (!hdr)
		goto free_msg;
	if (skb_copy_bits(event, KCHAN_HDR_LEN, skb_put(msg, len), len))
		goto free_msg;
	genlmsg_end(msg, hdr);
	/* -ESRCH (the last listener just left) is no failure. */
	genlmsg_multicast(&kchan_nl_family, msg, 0, KCHAN_NL_MCGRP_EVENTS,
			  GFP_KERNEL);
	return;

free_msg:
	nlmsg_free(msg);
}

static void kchan_nl_event_work(struct work_struct *work)
{
	struct kchan_sub *sub = READ_ONCE(kchan_nl_sub);
	struct sk_buff *event;
	int i;

	/* A wake before module init stored the subscriber: init kicks us. */
	if (IS_ERR_OR_NULL(sub))
		return;
	for (i = 0; i < KCHAN_NL_EVENT_BATCH; i++) {
		event = kchan_sub_next(sub);
		if (!event)
			return;
		if (IS_ERR(event)) {
			/* The event stays queued. */
			queue_delayed_work(system_wq, &kchan_nl_events,
					   KCHAN_NL_RETRY_DELAY);
			return;
		}
		kchan_nl_send_event(event);
		consume_skb(event);
	}
	/* Let other work run, then carry on. */
	if (kchan_sub_pending(sub))
		queue_delayed_work(system_wq, &kchan_nl_events, 0);
}

/* Any context, a spinlock held, interrupts off: only schedule the work. */
static void kchan_nl_wake(void *ctx)
{
	queue_delayed_work(system_wq, &kchan_nl_events, 0);
}

int __init kchan_nl_genl_init(void)
{
	struct kchan_sub *sub;
	int err;

	err = genl_register_family(&kchan_nl_family);
	if (err) {
		pr_err("cannot register the genl family: %d\n", err);
		return err;
	}
	sub = kchan_sub_open(KCHAN_TRANSPORT_NETLINK, kchan_nl_wake, NULL);
	if (IS_ERR(sub)) {
		err = PTR_ERR(sub);
		pr_err("cannot subscribe to kchan_core events: %d\n", err);
		goto unregister_family;
	}
	WRITE_ONCE(kchan_nl_sub, sub);
	/* Events queued before the store above. */
	queue_delayed_work(system_wq, &kchan_nl_events, 0);
	return 0;

unregister_family:
	genl_unregister_family(&kchan_nl_family);
	return err;
}

/*
 * The subscriber goes first (detach, then the work that may still use it,
 * then release), so that no event is multicast on a family (and group id)
 * that is already unregistered; requests do not use the subscriber.
 */
void kchan_nl_genl_exit(void)
{
	kchan_sub_detach(kchan_nl_sub);
	cancel_delayed_work_sync(&kchan_nl_events);
	kchan_sub_release(kchan_nl_sub);
	genl_unregister_family(&kchan_nl_family);
}
