// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_sockopt: the kchan service behind netfilter sockopts.
 *
 * nf_register_sockopt() claims option numbers at level IPPROTO_IP of
 * every AF_INET socket: ip_setsockopt() and ip_getsockopt() pass an
 * option they do not know themselves on to netfilter.  The option number
 * less KCHAN_SO_BASE_CTL is the kchan command, and the option buffer is
 * one whole kchan message of that command (see the uapi header).
 *
 * setsockopt() runs the commands that change state and answers with an
 * errno only; getsockopt() runs the reads and writes the reply over the
 * request.  Every length is checked against the command's entry in
 * kchan_so_cmds[] before anything past the header is copied: the unchecked
 * copy of a user-sized buffer is what CVE-2024-35896 fixed in the kernel's
 * own sockopt handlers.
 *
 * The module keeps no state of its own (the store and the counters live
 * in kchan_core), so unloading only has to unregister: nf_sockopt_find()
 * holds a reference on this module while a handler runs, so no handler
 * can be running once the exit function is called.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/sockptr.h>
#include <linux/uaccess.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "kchan_core.h"

/*
 * The largest request each command can be: its header and attributes.
 * nla_total_size() is a function, not a constant expression, hence these.
 */
#define KCHAN_SO_ATTR(payload)	NLA_ALIGN(NLA_HDRLEN + (payload))
#define KCHAN_SO_ECHO_MAX	(KCHAN_HDR_LEN + KCHAN_SO_ATTR(KCHAN_PAYLOAD_MAX))
#define KCHAN_SO_KEY_MAX	(KCHAN_HDR_LEN + KCHAN_SO_ATTR(KCHAN_KEY_MAX))
#define KCHAN_SO_SET_MAX	(KCHAN_SO_KEY_MAX + KCHAN_SO_ATTR(KCHAN_VALUE_MAX))
/* COUNT (u64) may follow a PAD attribute that aligns it; SIZE, RATE u32. */
#define KCHAN_SO_GEN_START_MAX	(KCHAN_HDR_LEN + KCHAN_SO_ATTR(0) + \
				 KCHAN_SO_ATTR(sizeof(u64)) + \
				 2 * KCHAN_SO_ATTR(sizeof(u32)))

/**
 * struct kchan_so_cmd - what one option number accepts
 * @set:     true for a setsockopt() option, false for a getsockopt() one
 * @max_len: the longest request, its header included; every request is
 *	     at least KCHAN_HDR_LEN long, and kchan_core's policy checks
 *	     the attributes within those bounds
 */
struct kchan_so_cmd {
	bool set;
	unsigned int max_len;
};

/* Indexed by kchan command, which is the option number less the base. */
static const struct kchan_so_cmd kchan_so_cmds[] = {
	[KCHAN_CMD_ECHO]	= { .set = false, .max_len = KCHAN_SO_ECHO_MAX },
	[KCHAN_CMD_SET]		= { .set = true,  .max_len = KCHAN_SO_SET_MAX },
	[KCHAN_CMD_GET]		= { .set = false, .max_len = KCHAN_SO_KEY_MAX },
	[KCHAN_CMD_DELETE]	= { .set = true,  .max_len = KCHAN_SO_KEY_MAX },
	[KCHAN_CMD_LIST]	= { .set = false, .max_len = KCHAN_SO_KEY_MAX },
	[KCHAN_CMD_STATS]	= { .set = false, .max_len = KCHAN_HDR_LEN },
	[KCHAN_CMD_GEN_START]	= { .set = true,  .max_len = KCHAN_SO_GEN_START_MAX },
	[KCHAN_CMD_GEN_STOP]	= { .set = true,  .max_len = KCHAN_HDR_LEN },
};

static_assert(ARRAY_SIZE(kchan_so_cmds) == KCHAN_SO_MAX - KCHAN_SO_BASE_CTL + 1);
static_assert(KCHAN_SO_ECHO_MAX <= KCHAN_MSG_MAX && KCHAN_SO_SET_MAX <= KCHAN_MSG_MAX);

/*
 * The table entry of an option for the call it came through, or NULL when
 * that call does not run it (-ENOPROTOOPT, as for an option nobody has).
 */
static const struct kchan_so_cmd *kchan_so_lookup(int optval, bool set,
						  u16 *cmd)
{
	const struct kchan_so_cmd *entry;
	int index = optval - KCHAN_SO_BASE_CTL;

	if (index <= KCHAN_CMD_UNSPEC || index >= ARRAY_SIZE(kchan_so_cmds))
		return NULL;
	entry = &kchan_so_cmds[index];
	if (entry->set != set)
		return NULL;
	*cmd = index;
	return entry;
}

/* @len bytes copied in: a header that agrees with the option and length. */
static bool kchan_so_header_agrees(const void *msg, u16 cmd, unsigned int len)
{
	struct kchan_hdr hdr;

	/* The buffer need not be aligned for the header: copy it out. */
	memcpy(&hdr, msg, sizeof(hdr));
	return hdr.cmd == cmd && hdr.len == len;
}

/*
 * The store is global, not per network namespace: a CAP_NET_ADMIN that
 * comes from owning a namespace of one's own must not change it, so the
 * socket must also live in the initial namespace.
 */
static bool kchan_so_may_mutate(const struct sock *sk)
{
	struct net *net = sock_net(sk);

	return ns_capable(net->user_ns, CAP_NET_ADMIN) && net_eq(net, &init_net);
}

static int kchan_so_reply_status(const struct sk_buff *reply)
{
	struct kchan_hdr hdr;

	memcpy(&hdr, reply->data, sizeof(hdr));
	return hdr.status;
}

/* Copy in, run one state-changing request; its status is the answer. */
static int kchan_so_set_run(sockptr_t arg, u16 cmd, unsigned int len,
			    bool *counted)
{
	const struct kchan_caller caller = {
		.transport = KCHAN_TRANSPORT_SOCKOPT,
		.may_mutate = true,
	};
	struct sk_buff *reply;
	void *msg;
	int err;

	msg = kvmalloc(len, GFP_KERNEL_ACCOUNT);
	if (!msg)
		return -ENOMEM;
	if (copy_from_sockptr(msg, arg, len)) {
		err = -EFAULT;
		goto free_msg;
	}
	if (!kchan_so_header_agrees(msg, cmd, len)) {
		err = -EINVAL;
		goto free_msg;
	}
	reply = kchan_core_call(&caller, msg, len);
	*counted = true;
	if (IS_ERR(reply)) {
		err = PTR_ERR(reply);
		goto free_msg;
	}
	err = kchan_so_reply_status(reply);
	kfree_skb(reply);
free_msg:
	kvfree(msg);
	return err;
}

static int kchan_so_set(struct sock *sk, int optval, sockptr_t arg,
			unsigned int len)
{
	const struct kchan_so_cmd *entry;
	bool counted = false;
	u16 cmd;
	int err;

	entry = kchan_so_lookup(optval, true, &cmd);
	if (!entry)
		err = -ENOPROTOOPT;
	else if (!kchan_so_may_mutate(sk))
		err = -EPERM;
	else if (len < KCHAN_HDR_LEN || len > entry->max_len)
		err = -EINVAL;
	else
		err = kchan_so_set_run(arg, cmd, len, &counted);

	/* Every call is one request: count those kchan_core never saw. */
	if (!counted)
		kchan_core_account(KCHAN_TRANSPORT_SOCKOPT, err);
	return err;
}

/*
 * Write the reply over the request, or, when it is longer than the
 * caller's buffer, only its header with status -ERANGE and the length it
 * needs.  The IPv4 stack copies *@len back to user space only when this
 * returns 0, hence 0 in both cases.
 */
static int kchan_so_get_reply(const struct sk_buff *reply, void __user *user,
			      int *len)
{
	struct kchan_hdr hdr;

	if (reply->len > (unsigned int)*len) {
		memcpy(&hdr, reply->data, sizeof(hdr));
		hdr.status = -ERANGE;
		if (copy_to_user(user, &hdr, sizeof(hdr)))
			return -EFAULT;
	} else if (copy_to_user(user, reply->data, reply->len)) {
		return -EFAULT;
	}
	*len = reply->len;
	return 0;
}

/* Copy in and run one read; the caller checked *@len >= KCHAN_HDR_LEN. */
static int kchan_so_get_run(void __user *user, int *len, u16 cmd,
			    const struct kchan_so_cmd *entry, bool *counted)
{
	const struct kchan_caller caller = {
		.transport = KCHAN_TRANSPORT_SOCKOPT,
		.may_mutate = false,
	};
	struct kchan_hdr hdr;
	struct sk_buff *reply;
	void *msg;
	int err;

	/* The request is hdr.len bytes of a buffer that may be larger. */
	if (copy_from_user(&hdr, user, sizeof(hdr)))
		return -EFAULT;
	if (hdr.cmd != cmd || hdr.len < KCHAN_HDR_LEN ||
	    hdr.len > entry->max_len || hdr.len > *len)
		return -EINVAL;

	msg = kvmalloc(hdr.len, GFP_KERNEL_ACCOUNT);
	if (!msg)
		return -ENOMEM;
	if (copy_from_user(msg, user, hdr.len)) {
		err = -EFAULT;
		goto free_msg;
	}
	/* Another thread may have rewritten the header in between. */
	if (!kchan_so_header_agrees(msg, cmd, hdr.len)) {
		err = -EINVAL;
		goto free_msg;
	}
	reply = kchan_core_call(&caller, msg, hdr.len);
	*counted = true;
	if (IS_ERR(reply)) {
		err = PTR_ERR(reply);
		goto free_msg;
	}
	err = kchan_so_get_reply(reply, user, len);
	kfree_skb(reply);
free_msg:
	kvfree(msg);
	return err;
}

static int kchan_so_get(struct sock *sk, int optval, void __user *user,
			int *len)
{
	const struct kchan_so_cmd *entry;
	bool counted = false;
	u16 cmd;
	int err;

	entry = kchan_so_lookup(optval, false, &cmd);
	if (!entry)
		err = -ENOPROTOOPT;
	else if (*len < KCHAN_HDR_LEN)	/* negative included */
		err = -EINVAL;
	else
		err = kchan_so_get_run(user, len, cmd, entry, &counted);

	if (!counted)
		kchan_core_account(KCHAN_TRANSPORT_SOCKOPT, err);
	return err;
}

/*
 * Option numbers taken at this level in-tree, all below ours: ip_tables
 * 64.. (IPT_BASE_CTL), SO_ORIGINAL_DST 80, ipset 83 (SO_IP_SET),
 * arp_tables 96.. (ARPT_BASE_CTL), ebtables 128.. (EBT_BASE_CTL), the
 * multicast routing options 200.. (MRT_BASE, never passed to netfilter),
 * IPVS 1152.. (IP_VS_BASE_CTL).  nf_register_sockopt() refuses an overlap
 * with -EBUSY.  The ranges are half-open.
 */
static struct nf_sockopt_ops kchan_so_ops = {
	.pf		= PF_INET,
	.set_optmin	= KCHAN_SO_BASE_CTL + 1,
	.set_optmax	= KCHAN_SO_MAX + 1,
	.set		= kchan_so_set,
	.get_optmin	= KCHAN_SO_BASE_CTL + 1,
	.get_optmax	= KCHAN_SO_MAX + 1,
	.get		= kchan_so_get,
	.owner		= THIS_MODULE,
};

static int __init kchan_so_init(void)
{
	int err;

	err = nf_register_sockopt(&kchan_so_ops);
	if (err) {
		pr_err("cannot register options %d..%d: %d (another module has them?)\n",
		       KCHAN_SO_BASE_CTL + 1, KCHAN_SO_MAX, err);
		return err;
	}
	pr_info("options %d..%d at level IPPROTO_IP\n",
		KCHAN_SO_BASE_CTL + 1, KCHAN_SO_MAX);
	return 0;
}

static void __exit kchan_so_exit(void)
{
	/* No handler runs now (see the top); there is no state to free. */
	nf_unregister_sockopt(&kchan_so_ops);
}

module_init(kchan_so_init);
module_exit(kchan_so_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kchan service over netfilter sockopts");
