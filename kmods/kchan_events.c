// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_core event subscribers and fan-out.
 *
 * An event is built once, refcounted, and queued by reference on every
 * subscriber.  Each subscriber owns a fixed ring of sub_queue_len slots
 * and may hold at most sub_queue_bytes of event bodies; a slot remembers
 * the event plus the subscriber's sequence number and drop total at the
 * time it was offered, so the message a subscriber finally reads tells
 * exactly how many events it lost before this one.  At most
 * max_subscribers subscribers exist at a time.
 *
 * Events may be posted from any context (the netfilter hook runs in
 * softirq), so one irq-safe spinlock guards the subscriber list and every
 * ring.  Nothing under it sleeps or frees memory: the last reference to an
 * event is always dropped outside it, because a vmalloc()ed body must not
 * be vfree()d in atomic context.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/export.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "kchan_internal.h"

struct kchan_slot {
	struct kchan_event *ev;
	u64 seq;		/* this subscriber's number for the event */
	u64 dropped;		/* its drop total when the event was queued */
};

struct kchan_sub {
	struct list_head node;		/* in kchan_subs; empty once detached */
	enum kchan_transport transport;
	void (*wake)(void *ctx);
	void *ctx;
	struct mutex read_lock;		/* serialises kchan_sub_next() */

	/* Under kchan_events_lock; @count is also read locklessly. */
	struct kchan_slot *ring;
	u32 cap;			/* ring slots */
	u32 head;			/* oldest queued slot */
	u32 count;			/* queued slots */
	u32 bytes;			/* body bytes of the queued events */
	u64 next_seq;			/* number of the next event offered */
	u64 dropped;			/* events lost so far */
};

static DEFINE_SPINLOCK(kchan_events_lock);
static LIST_HEAD(kchan_subs);
/* Subscribers opened and not yet released, detached ones included. */
static unsigned int kchan_subs_open;	/* under kchan_events_lock */

/*
 * Whether anyone listens: producers skip building events nobody would
 * get.  Unlocked, so a subscriber that arrives meanwhile may be missed:
 * generated events simply start later for it; the store, which must not
 * lose a change silently, checks again under its own lock.
 */
bool kchan_events_wanted(void)
{
	return !list_empty(&kchan_subs);
}

/* Subscribers that hold memory now (opened and not yet released). */
unsigned int kchan_events_subscribers(void)
{
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&kchan_events_lock, flags);
	n = kchan_subs_open;
	spin_unlock_irqrestore(&kchan_events_lock, flags);
	return n;
}

struct kchan_event *kchan_event_alloc(u32 type, size_t body_size, gfp_t gfp)
{
	struct kchan_event *ev;

	if (body_size > KCHAN_MSG_MAX)
		return NULL;
	ev = kvmalloc(struct_size(ev, body, body_size), gfp);
	if (!ev)
		return NULL;
	refcount_set(&ev->ref, 1);
	ev->type = type;
	ev->has_index = false;
	ev->index = 0;
	ev->body_len = 0;
	ev->body_size = body_size;
	return ev;
}

/*
 * Append an attribute header for @len bytes to the body and return where
 * its payload goes; the padding is already zeroed.
 */
void *kchan_event_reserve_attr(struct kchan_event *ev, u16 type, size_t len)
{
	size_t space = KCHAN_ATTR_SPACE(len);
	struct nlattr *nla;

	/* The caller sized the body: running out is a bug in kchan_core. */
	if (WARN_ON_ONCE(len > KCHAN_PAYLOAD_MAX ||
			 space > ev->body_size - ev->body_len))
		return NULL;

	nla = (struct nlattr *)(ev->body + ev->body_len);
	nla->nla_len = nla_attr_size(len);
	nla->nla_type = type;
	memset((u8 *)nla + nla->nla_len, 0, space - nla->nla_len);
	ev->body_len += space;
	return nla_data(nla);
}

void kchan_event_add_attr(struct kchan_event *ev, u16 type, const void *data,
			  size_t len)
{
	void *dst = kchan_event_reserve_attr(ev, type, len);

	if (dst && len)
		memcpy(dst, data, len);
}

void kchan_event_put(struct kchan_event *ev)
{
	if (ev && refcount_dec_and_test(&ev->ref))
		kvfree(ev);
}

/*
 * Offer @ev to every subscriber.  The caller keeps its own reference.  An
 * event that would overfill a subscriber's ring or its byte budget is
 * dropped for that subscriber only; either way it takes a sequence number.
 */
void kchan_event_post(struct kchan_event *ev)
{
	struct kchan_sub *sub;
	unsigned long flags;

	spin_lock_irqsave(&kchan_events_lock, flags);
	list_for_each_entry(sub, &kchan_subs, node) {
		u64 seq = sub->next_seq++;
		struct kchan_slot *slot;

		/* bytes <= kchan_sub_queue_bytes <= 1 GiB: no overflow. */
		if (sub->count == sub->cap ||
		    sub->bytes + ev->body_len > kchan_sub_queue_bytes) {
			sub->dropped++;
			kchan_stats_event(sub->transport, true);
			continue;
		}
		slot = &sub->ring[(sub->head + sub->count) % sub->cap];
		refcount_inc(&ev->ref);
		slot->ev = ev;
		slot->seq = seq;
		slot->dropped = sub->dropped;
		sub->bytes += ev->body_len;
		WRITE_ONCE(sub->count, sub->count + 1);
		kchan_stats_event(sub->transport, false);
		if (sub->wake)
			sub->wake(sub->ctx);
	}
	spin_unlock_irqrestore(&kchan_events_lock, flags);
}

/*
 * An event every subscriber should have been offered but that could not
 * be built (or, for the store, was not built because nobody seemed to
 * listen): count it as dropped everywhere so the SEQ gaps stay exact.
 * Nothing is queued, so nobody is woken: the gap shows at the next event.
 */
void kchan_events_lost(void)
{
	struct kchan_sub *sub;
	unsigned long flags;

	spin_lock_irqsave(&kchan_events_lock, flags);
	list_for_each_entry(sub, &kchan_subs, node) {
		sub->next_seq++;
		sub->dropped++;
		kchan_stats_event(sub->transport, true);
	}
	spin_unlock_irqrestore(&kchan_events_lock, flags);
}

/* Take one of the max_subscribers places; false when none is left. */
static bool kchan_sub_reserve(void)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&kchan_events_lock, flags);
	ok = kchan_subs_open < kchan_max_subscribers;
	if (ok)
		kchan_subs_open++;
	spin_unlock_irqrestore(&kchan_events_lock, flags);
	return ok;
}

static void kchan_sub_unreserve(void)
{
	unsigned long flags;

	spin_lock_irqsave(&kchan_events_lock, flags);
	kchan_subs_open--;
	spin_unlock_irqrestore(&kchan_events_lock, flags);
}

struct kchan_sub *kchan_sub_open(enum kchan_transport transport,
				 void (*wake)(void *ctx), void *ctx)
{
	struct kchan_sub *sub;
	unsigned long flags;

	if ((unsigned int)transport > KCHAN_TRANSPORT_MAX)
		return ERR_PTR(-EINVAL);
	if (!kchan_sub_reserve())
		return ERR_PTR(-EMFILE);

	/* Charged to the opener: a subscriber lives as long as its file. */
	sub = kzalloc(sizeof(*sub), GFP_KERNEL_ACCOUNT);
	if (!sub)
		goto unreserve;
	sub->cap = kchan_sub_queue_len;
	sub->ring = kvcalloc(sub->cap, sizeof(*sub->ring), GFP_KERNEL_ACCOUNT);
	if (!sub->ring)
		goto free_sub;
	sub->transport = transport;
	sub->wake = wake;
	sub->ctx = ctx;
	mutex_init(&sub->read_lock);

	spin_lock_irqsave(&kchan_events_lock, flags);
	list_add_tail(&sub->node, &kchan_subs);
	spin_unlock_irqrestore(&kchan_events_lock, flags);
	return sub;

free_sub:
	kfree(sub);
unreserve:
	kchan_sub_unreserve();
	return ERR_PTR(-ENOMEM);
}
EXPORT_SYMBOL_GPL(kchan_sub_open);

/* Free a detached subscriber and what is still queued; give its place. */
static void kchan_sub_free(struct kchan_sub *sub)
{
	u32 i;

	/* Unlinked: no producer can reach the ring any more. */
	for (i = 0; i < sub->count; i++)
		kchan_event_put(sub->ring[(sub->head + i) % sub->cap].ev);
	mutex_destroy(&sub->read_lock);
	kvfree(sub->ring);
	kfree(sub);
	kchan_sub_unreserve();
}

void kchan_sub_detach(struct kchan_sub *sub)
{
	unsigned long flags;

	if (IS_ERR_OR_NULL(sub))
		return;
	/*
	 * Producers call wake() with this lock held, so once it has been
	 * taken here after the unlink, no wake() runs or will run.
	 * list_del_init() makes a second detach harmless.
	 */
	spin_lock_irqsave(&kchan_events_lock, flags);
	list_del_init(&sub->node);
	spin_unlock_irqrestore(&kchan_events_lock, flags);
}
EXPORT_SYMBOL_GPL(kchan_sub_detach);

void kchan_sub_release(struct kchan_sub *sub)
{
	if (IS_ERR_OR_NULL(sub))
		return;
	kchan_sub_detach(sub);
	kchan_sub_free(sub);
}
EXPORT_SYMBOL_GPL(kchan_sub_release);

void kchan_sub_close(struct kchan_sub *sub)
{
	kchan_sub_detach(sub);
	kchan_sub_release(sub);
}
EXPORT_SYMBOL_GPL(kchan_sub_close);

bool kchan_sub_pending(struct kchan_sub *sub)
{
	return READ_ONCE(sub->count) != 0;
}
EXPORT_SYMBOL_GPL(kchan_sub_pending);

/* One event as a kchan message for one subscriber. */
static struct sk_buff *kchan_event_msg(const struct kchan_event *ev,
				       const struct kchan_slot *slot)
{
	size_t size = KCHAN_HDR_LEN + KCHAN_ATTR_SPACE(sizeof(u32)) +
		      3 * KCHAN_U64_SPACE + ev->body_len;
	struct sk_buff *skb;

	skb = kchan_msg_alloc(size, KCHAN_CMD_EVENT, KCHAN_F_EVENT, 0);
	if (!skb)
		return NULL;

	/* Sized above: these cannot run out of room. */
	if (nla_put_u32(skb, KCHAN_ATTR_EVENT_TYPE, ev->type) ||
	    nla_put_u64_64bit(skb, KCHAN_ATTR_SEQ, slot->seq,
			      KCHAN_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, KCHAN_ATTR_DROPPED, slot->dropped,
			      KCHAN_ATTR_PAD) ||
	    (ev->has_index &&
	     nla_put_u64_64bit(skb, KCHAN_ATTR_GEN_INDEX, ev->index,
			       KCHAN_ATTR_PAD))) {
		kfree_skb(skb);
		return NULL;
	}
	skb_put_data(skb, ev->body, ev->body_len);
	((struct kchan_hdr *)skb->data)->len = skb->len;
	return skb;
}

struct sk_buff *kchan_sub_next(struct kchan_sub *sub)
{
	struct kchan_slot slot;
	struct sk_buff *skb;
	unsigned long flags;

	mutex_lock(&sub->read_lock);

	/*
	 * Only readers remove slots and they are serialised by read_lock,
	 * so the head slot stays put while the message is built unlocked.
	 */
	spin_lock_irqsave(&kchan_events_lock, flags);
	if (!sub->count) {
		spin_unlock_irqrestore(&kchan_events_lock, flags);
		mutex_unlock(&sub->read_lock);
		return NULL;
	}
	slot = sub->ring[sub->head];
	spin_unlock_irqrestore(&kchan_events_lock, flags);

	skb = kchan_event_msg(slot.ev, &slot);
	if (!skb) {
		mutex_unlock(&sub->read_lock);
		return ERR_PTR(-ENOMEM);
	}

	spin_lock_irqsave(&kchan_events_lock, flags);
	sub->ring[sub->head].ev = NULL;
	sub->head = (sub->head + 1) % sub->cap;
	sub->bytes -= slot.ev->body_len;
	WRITE_ONCE(sub->count, sub->count - 1);
	spin_unlock_irqrestore(&kchan_events_lock, flags);
	mutex_unlock(&sub->read_lock);

	kchan_event_put(slot.ev);
	return skb;
}
EXPORT_SYMBOL_GPL(kchan_sub_next);

/*
 * Transports close their subscribers before they unload, and they cannot
 * unload after kchan_core, so none should be left.  Free any that are.
 */
void kchan_events_exit(void)
{
	struct kchan_sub *sub, *tmp;
	unsigned long flags;
	LIST_HEAD(left);

	spin_lock_irqsave(&kchan_events_lock, flags);
	list_splice_init(&kchan_subs, &left);
	spin_unlock_irqrestore(&kchan_events_lock, flags);

	list_for_each_entry_safe(sub, tmp, &left, node) {
		pr_err("subscriber of transport %u left open, freeing it\n",
		       sub->transport);
		list_del_init(&sub->node);
		kchan_sub_free(sub);
	}
}

int kchan_core_post_packet(const void *data, size_t len)
{
	struct kchan_event *ev;

	if (len > KCHAN_PAYLOAD_MAX)
		return -EMSGSIZE;
	if (!kchan_events_wanted())
		return 0;

	/* Any context: never sleep, never vmalloc, stay quiet on failure. */
	ev = kchan_event_alloc(KCHAN_EVENT_PACKET, KCHAN_ATTR_SPACE(len),
			       GFP_ATOMIC | __GFP_NOWARN);
	if (!ev) {
		kchan_events_lost();
		return -ENOMEM;
	}
	kchan_event_add_attr(ev, KCHAN_ATTR_PAYLOAD, data, len);
	kchan_event_post(ev);
	kchan_event_put(ev);
	return 0;
}
EXPORT_SYMBOL_GPL(kchan_core_post_packet);
