// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/kchan/stats: kchan_core's counters as "name<TAB>number" lines.
 *
 *   store.entries, store.bytes, then for each transport (core, netlink,
 *   procfs, sockopt, chardev, in that order) <t>.requests, <t>.errors,
 *   <t>.events and <t>.drops.
 *
 * The numbers are those of a STATS reply, which kchan_core_exec() builds
 * without counting it: reading this file is a view, not a kchan request,
 * and leaves every counter as it was.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>

#include "kchan_procfs.h"

static const char *const kchan_proc_transport_names[KCHAN_TRANSPORT_MAX + 1] = {
	[KCHAN_TRANSPORT_CORE]		= "core",
	[KCHAN_TRANSPORT_NETLINK]	= "netlink",
	[KCHAN_TRANSPORT_PROCFS]	= "procfs",
	[KCHAN_TRANSPORT_SOCKOPT]	= "sockopt",
	[KCHAN_TRANSPORT_CHARDEV]	= "chardev",
};

/* One transport's counters, as the STAT_* attributes number them. */
struct kchan_proc_counters {
	u64 requests;
	u64 errors;
	u64 events;
	u64 drops;
};

struct kchan_proc_stats {
	u64 entries;
	u64 bytes;
	struct kchan_proc_counters t[KCHAN_TRANSPORT_MAX + 1];
};

static void kchan_proc_stats_transport(struct kchan_proc_stats *stats,
				       const struct nlattr *nest)
{
	struct kchan_proc_counters c = {};
	struct nlattr *attr;
	u32 t = U32_MAX;
	int rem;

	nla_for_each_nested(attr, nest, rem) {
		switch (nla_type(attr)) {
		case KCHAN_ATTR_TRANSPORT:
			t = nla_get_u32(attr);
			break;
		case KCHAN_ATTR_STAT_REQUESTS:
			c.requests = nla_get_u64(attr);
			break;
		case KCHAN_ATTR_STAT_ERRORS:
			c.errors = nla_get_u64(attr);
			break;
		case KCHAN_ATTR_STAT_EVENTS:
			c.events = nla_get_u64(attr);
			break;
		case KCHAN_ATTR_STAT_DROPS:
			c.drops = nla_get_u64(attr);
			break;
		}
	}
	if (t <= KCHAN_TRANSPORT_MAX)
		stats->t[t] = c;
}

/* Take a STATS reply from kchan_core apart; nothing is counted. */
static int kchan_proc_stats_read(struct kchan_proc_stats *stats)
{
	const struct kchan_caller caller = {
		.transport = KCHAN_TRANSPORT_PROCFS,
	};
	struct nlattr *tb[KCHAN_ATTR_MAX + 1] = {};
	struct netlink_ext_ack extack = {};
	struct sk_buff *skb;
	struct nlattr *attr;
	u16 flags = 0;
	int rem, err;

	skb = alloc_skb(kchan_core_reply_size(KCHAN_CMD_STATS, tb, false),
			GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	err = kchan_core_exec(&caller, KCHAN_CMD_STATS, tb, skb, &flags,
			      &extack);
	if (err)
		goto free_skb;

	nla_for_each_attr(attr, (struct nlattr *)skb->data, skb->len, rem) {
		switch (nla_type(attr)) {
		case KCHAN_ATTR_STORE_ENTRIES:
			stats->entries = nla_get_u64(attr);
			break;
		case KCHAN_ATTR_STORE_BYTES:
			stats->bytes = nla_get_u64(attr);
			break;
		case KCHAN_ATTR_TRANSPORT_STATS:
			kchan_proc_stats_transport(stats, attr);
			break;
		}
	}
free_skb:
	consume_skb(skb);
	return err;
}

static int kchan_proc_stats_show(struct seq_file *m, void *v)
{
	struct kchan_proc_stats stats = {};
	const struct kchan_proc_counters *c;
	const char *name;
	unsigned int t;
	int err;

	err = kchan_proc_stats_read(&stats);
	if (err)
		return err;
	seq_printf(m, "store.entries\t%llu\n", stats.entries);
	seq_printf(m, "store.bytes\t%llu\n", stats.bytes);
	for (t = 0; t <= KCHAN_TRANSPORT_MAX; t++) {
		name = kchan_proc_transport_names[t];
		c = &stats.t[t];
		seq_printf(m, "%s.requests\t%llu\n", name, c->requests);
		seq_printf(m, "%s.errors\t%llu\n", name, c->errors);
		seq_printf(m, "%s.events\t%llu\n", name, c->events);
		seq_printf(m, "%s.drops\t%llu\n", name, c->drops);
	}
	return 0;
}

static int kchan_proc_stats_open(struct inode *inode, struct file *file)
{
	return single_open(file, kchan_proc_stats_show, NULL);
}

const struct proc_ops kchan_proc_stats_ops = {
	.proc_open	= kchan_proc_stats_open,
	.proc_read_iter	= seq_read_iter,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
};
