// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_core statistics: requests, errors, events and drops per transport.
 *
 * Plain atomic counters: they are bumped on every request and every event,
 * from any context, and only read by STATS, which needs no snapshot across
 * counters.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/export.h>

#include "kchan_internal.h"

struct kchan_transport_stats {
	atomic64_t requests;	/* requests seen, failed ones included */
	atomic64_t errors;	/* requests answered with a nonzero status */
	atomic64_t events;	/* events queued for a subscriber */
	atomic64_t drops;	/* events lost to a full subscriber queue */
};

static struct kchan_transport_stats kchan_stats[KCHAN_TRANSPORT_MAX + 1];

static struct kchan_transport_stats *kchan_stats_of(enum kchan_transport t)
{
	if ((unsigned int)t > KCHAN_TRANSPORT_MAX)
		return NULL;
	return &kchan_stats[t];
}

void kchan_stats_request(enum kchan_transport transport, int status)
{
	struct kchan_transport_stats *st = kchan_stats_of(transport);

	if (!st)
		return;
	atomic64_inc(&st->requests);
	if (status)
		atomic64_inc(&st->errors);
}

void kchan_core_account(enum kchan_transport transport, int status)
{
	kchan_stats_request(transport, status);
}
EXPORT_SYMBOL_GPL(kchan_core_account);

void kchan_stats_event(enum kchan_transport transport, bool dropped)
{
	struct kchan_transport_stats *st = kchan_stats_of(transport);

	if (!st)
		return;
	atomic64_inc(dropped ? &st->drops : &st->events);
}

/* Per transport: the nest, TRANSPORT and four u64 counters. */
#define KCHAN_STATS_NEST_SPACE	(KCHAN_ATTR_SPACE(0) + \
				 KCHAN_ATTR_SPACE(sizeof(u32)) + \
				 4 * KCHAN_U64_SPACE)

size_t kchan_stats_reply_size(void)
{
	return 2 * KCHAN_U64_SPACE +
	       (KCHAN_TRANSPORT_MAX + 1) * KCHAN_STATS_NEST_SPACE;
}

static int kchan_stats_put_u64(struct sk_buff *skb, int type, atomic64_t *v)
{
	return nla_put_u64_64bit(skb, type, atomic64_read(v), KCHAN_ATTR_PAD);
}

static int kchan_stats_fill_transport(struct sk_buff *skb, unsigned int t)
{
	struct kchan_transport_stats *st = &kchan_stats[t];
	struct nlattr *nest;

	nest = nla_nest_start(skb, KCHAN_ATTR_TRANSPORT_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, KCHAN_ATTR_TRANSPORT, t) ||
	    kchan_stats_put_u64(skb, KCHAN_ATTR_STAT_REQUESTS, &st->requests) ||
	    kchan_stats_put_u64(skb, KCHAN_ATTR_STAT_ERRORS, &st->errors) ||
	    kchan_stats_put_u64(skb, KCHAN_ATTR_STAT_EVENTS, &st->events) ||
	    kchan_stats_put_u64(skb, KCHAN_ATTR_STAT_DROPS, &st->drops)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* STATS reply: STORE_ENTRIES, STORE_BYTES, then one nest per transport. */
int kchan_stats_fill(struct sk_buff *skb)
{
	u64 entries, bytes;
	unsigned int t;
	int err;

	kchan_store_usage(&entries, &bytes);
	if (nla_put_u64_64bit(skb, KCHAN_ATTR_STORE_ENTRIES, entries,
			      KCHAN_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, KCHAN_ATTR_STORE_BYTES, bytes,
			      KCHAN_ATTR_PAD))
		return -EMSGSIZE;

	for (t = 0; t <= KCHAN_TRANSPORT_MAX; t++) {
		err = kchan_stats_fill_transport(skb, t);
		if (err)
			return err;
	}
	return 0;
}
