// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_core key-value store.
 *
 * Keys are 1..KCHAN_KEY_MAX bytes, values 0..KCHAN_VALUE_MAX bytes.  The
 * entries live in an rbtree ordered by key bytes (memcmp, and a key sorts
 * before every longer key it is a prefix of) so that LIST can resume
 * strictly after any key, even one deleted meanwhile.  Values larger than a
 * page come from kvmalloc().
 *
 * One rwsem guards the tree and the usage counters.  Everything that can
 * sleep for long (allocation, freeing) happens outside it; only kernel
 * buffers are ever copied under it.  Store events are posted while the
 * writer still holds it, so subscribers see changes in store order, and
 * every subscriber linked when a change commits either gets its event or
 * sees it counted as lost.
 *
 * Usage is accounted as real memory, not payload: each entry costs its
 * value bytes plus sizeof(struct kchan_entry), which holds the key.  So
 * max_store_bytes bounds what the store allocates, give or take the
 * allocator's rounding.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/rbtree.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kchan_internal.h"

struct kchan_entry {
	struct rb_node node;
	u8 *val;		/* kvmalloc()ed; NULL when val_len is 0 */
	u32 val_len;
	u8 key_len;
	u8 key[KCHAN_KEY_MAX];
};

static struct rb_root kchan_store_root = RB_ROOT;
static DECLARE_RWSEM(kchan_store_lock);
static u64 kchan_store_entries;	/* under kchan_store_lock */
static u64 kchan_store_bytes;	/* kchan_store_entry_cost()s, same lock */

static int kchan_key_cmp(const u8 *a, size_t a_len, const u8 *b, size_t b_len)
{
	int diff = memcmp(a, b, min(a_len, b_len));

	if (diff)
		return diff;
	if (a_len == b_len)
		return 0;
	return a_len < b_len ? -1 : 1;
}

/* Bytes an entry with a value of @val_len bytes counts in the store. */
size_t kchan_store_entry_cost(size_t val_len)
{
	return sizeof(struct kchan_entry) + val_len;
}

static void kchan_entry_free(struct kchan_entry *e)
{
	if (!e)
		return;
	kvfree(e->val);
	kfree(e);
}

/*
 * Find @key.  When it is absent and @link is given, *@link and *@parent
 * say where rb_link_node() puts a new entry for it.
 */
static struct kchan_entry *kchan_store_find(const u8 *key, size_t key_len,
					    struct rb_node ***link,
					    struct rb_node **parent)
{
	struct rb_node **pos = &kchan_store_root.rb_node;
	struct rb_node *up = NULL;

	while (*pos) {
		struct kchan_entry *e = rb_entry(*pos, struct kchan_entry, node);
		int cmp = kchan_key_cmp(key, key_len, e->key, e->key_len);

		up = *pos;
		if (cmp < 0)
			pos = &(*pos)->rb_left;
		else if (cmp > 0)
			pos = &(*pos)->rb_right;
		else
			return e;
	}
	if (link) {
		*link = pos;
		*parent = up;
	}
	return NULL;
}

/* The first entry whose key sorts strictly after the cursor. */
static struct kchan_entry *
kchan_store_after(const struct kchan_list_cursor *cursor)
{
	struct rb_node *pos = kchan_store_root.rb_node;
	struct kchan_entry *best = NULL;

	if (!cursor->len) {
		pos = rb_first(&kchan_store_root);
		return pos ? rb_entry(pos, struct kchan_entry, node) : NULL;
	}

	while (pos) {
		struct kchan_entry *e = rb_entry(pos, struct kchan_entry, node);

		if (kchan_key_cmp(e->key, e->key_len,
				  cursor->key, cursor->len) > 0) {
			best = e;
			pos = pos->rb_left;
		} else {
			pos = pos->rb_right;
		}
	}
	return best;
}

static struct kchan_entry *kchan_store_next(struct kchan_entry *e)
{
	struct rb_node *next = rb_next(&e->node);

	return next ? rb_entry(next, struct kchan_entry, node) : NULL;
}

static struct kchan_event *kchan_store_event(u32 type, const void *key,
					     size_t key_len, const void *val,
					     size_t val_len)
{
	size_t body = KCHAN_ATTR_SPACE(key_len);
	struct kchan_event *ev;

	if (type == KCHAN_EVENT_STORE_SET)
		body += KCHAN_ATTR_SPACE(val_len);
	ev = kchan_event_alloc(type, body, GFP_KERNEL);
	if (!ev)
		return NULL;
	kchan_event_add_attr(ev, KCHAN_ATTR_KEY, key, key_len);
	if (type == KCHAN_EVENT_STORE_SET)
		kchan_event_add_attr(ev, KCHAN_ATTR_VALUE, val, val_len);
	return ev;
}

/*
 * A change has committed; the writer still holds kchan_store_lock.  Post
 * its event, or, when none was built because nobody listened before the
 * lock was taken, count it as lost for whoever subscribed since: such a
 * subscriber may already have read the old value with LIST, and the SEQ
 * gap tells it to read again.  The unlocked check below is enough: a
 * subscriber it misses was linked so late that its LIST, which needs
 * kchan_store_lock, sees this change.
 */
static void kchan_store_notify(struct kchan_event *ev)
{
	if (ev)
		kchan_event_post(ev);
	else if (kchan_events_wanted())
		kchan_events_lost();
}

int kchan_store_set(const void *key, size_t key_len, const void *val,
		    size_t val_len, struct netlink_ext_ack *extack)
{
	struct kchan_entry *fresh, *e;
	struct kchan_event *ev = NULL;
	struct rb_node **link, *parent;
	u8 *old_val = NULL;
	u8 *new_val = NULL;
	int err = 0;

	if (!key_len || key_len > KCHAN_KEY_MAX || val_len > KCHAN_VALUE_MAX) {
		NL_SET_ERR_MSG(extack, "key or value size out of range");
		return -EINVAL;
	}

	/* Allocate everything first: under the lock nothing can fail. */
	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
	if (!fresh)
		goto nomem;
	if (val_len) {
		new_val = kvmalloc(val_len, GFP_KERNEL);
		if (!new_val)
			goto free_fresh;
		memcpy(new_val, val, val_len);
	}
	if (kchan_events_wanted()) {
		ev = kchan_store_event(KCHAN_EVENT_STORE_SET, key, key_len,
				       val, val_len);
		if (!ev)
			goto free_val;
	}

	down_write(&kchan_store_lock);
	e = kchan_store_find(key, key_len, &link, &parent);
	if (e) {
		u64 bytes = kchan_store_bytes - e->val_len + val_len;

		if (bytes > kchan_max_store_bytes) {
			NL_SET_ERR_MSG(extack,
				       "store full: max_store_bytes reached");
			err = -ENOSPC;
			goto unlock;
		}
		old_val = e->val;
		e->val = new_val;
		e->val_len = val_len;
		new_val = NULL;
		kchan_store_bytes = bytes;
	} else {
		if (kchan_store_entries >= kchan_max_entries) {
			NL_SET_ERR_MSG(extack,
				       "store full: max_entries reached");
			err = -ENOSPC;
			goto unlock;
		}
		if (kchan_store_bytes + kchan_store_entry_cost(val_len) >
		    kchan_max_store_bytes) {
			NL_SET_ERR_MSG(extack,
				       "store full: max_store_bytes reached");
			err = -ENOSPC;
			goto unlock;
		}
		memcpy(fresh->key, key, key_len);
		fresh->key_len = key_len;
		fresh->val = new_val;
		fresh->val_len = val_len;
		rb_link_node(&fresh->node, parent, link);
		rb_insert_color(&fresh->node, &kchan_store_root);
		kchan_store_entries++;
		kchan_store_bytes += kchan_store_entry_cost(val_len);
		fresh = NULL;
		new_val = NULL;
	}
	kchan_store_notify(ev);
unlock:
	up_write(&kchan_store_lock);

	kchan_event_put(ev);
	kvfree(old_val);
	kvfree(new_val);
	kfree(fresh);
	return err;

free_val:
	kvfree(new_val);
free_fresh:
	kfree(fresh);
nomem:
	NL_SET_ERR_MSG(extack, "out of memory");
	return -ENOMEM;
}

int kchan_store_get(const void *key, size_t key_len, struct sk_buff *reply,
		    struct netlink_ext_ack *extack)
{
	struct kchan_entry *e;
	int err = 0;

	down_read(&kchan_store_lock);
	e = kchan_store_find(key, key_len, NULL, NULL);
	if (!e) {
		NL_SET_ERR_MSG(extack, "key not found");
		err = -ENOENT;
	} else if (nla_put(reply, KCHAN_ATTR_KEY, e->key_len, e->key) ||
		   nla_put(reply, KCHAN_ATTR_VALUE, e->val_len, e->val)) {
		NL_SET_ERR_MSG(extack, "reply buffer too small");
		err = -EMSGSIZE;
	}
	up_read(&kchan_store_lock);
	return err;
}

int kchan_store_delete(const void *key, size_t key_len,
		       struct netlink_ext_ack *extack)
{
	struct kchan_event *ev = NULL;
	struct kchan_entry *e;
	int err = 0;

	if (kchan_events_wanted()) {
		ev = kchan_store_event(KCHAN_EVENT_STORE_DELETE, key, key_len,
				       NULL, 0);
		if (!ev) {
			NL_SET_ERR_MSG(extack, "out of memory");
			return -ENOMEM;
		}
	}

	down_write(&kchan_store_lock);
	e = kchan_store_find(key, key_len, NULL, NULL);
	if (e) {
		rb_erase(&e->node, &kchan_store_root);
		kchan_store_entries--;
		kchan_store_bytes -= kchan_store_entry_cost(e->val_len);
		kchan_store_notify(ev);
	} else {
		NL_SET_ERR_MSG(extack, "key not found");
		err = -ENOENT;
	}
	up_write(&kchan_store_lock);

	kchan_event_put(ev);
	kchan_entry_free(e);
	return err;
}

/* Length of the value stored under @key, or -ENOENT. */
long kchan_store_value_len(const void *key, size_t key_len)
{
	struct kchan_entry *e;
	long len = -ENOENT;

	down_read(&kchan_store_lock);
	e = kchan_store_find(key, key_len, NULL, NULL);
	if (e)
		len = e->val_len;
	up_read(&kchan_store_lock);
	return len;
}

/*
 * Bytes of the ENTRY nests a LIST part after @cursor takes, filled the way
 * kchan_core_list_fill() does with @budget for the nests alone: the first
 * entry always, then as long as they stay within @budget.  Since the real
 * budget also covers the header, this is never less than it appends.
 */
size_t kchan_store_list_space(const struct kchan_list_cursor *cursor,
			      size_t budget)
{
	struct kchan_entry *e;
	size_t total = 0;

	down_read(&kchan_store_lock);
	for (e = kchan_store_after(cursor); e; e = kchan_store_next(e)) {
		size_t space = kchan_entry_space(e->key_len, e->val_len);

		if (total && total + space > budget)
			break;
		total += space;
	}
	up_read(&kchan_store_lock);
	return total;
}

void kchan_store_usage(u64 *entries, u64 *bytes)
{
	down_read(&kchan_store_lock);
	*entries = kchan_store_entries;
	*bytes = kchan_store_bytes;
	up_read(&kchan_store_lock);
}

static int kchan_entry_put(struct sk_buff *skb, const struct kchan_entry *e)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, KCHAN_ATTR_ENTRY);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put(skb, KCHAN_ATTR_KEY, e->key_len, e->key) ||
	    nla_put(skb, KCHAN_ATTR_VALUE, e->val_len, e->val)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

int kchan_core_list_fill(struct sk_buff *skb, unsigned int msg_start,
			 struct kchan_list_cursor *cursor, unsigned int budget,
			 bool *more)
{
	unsigned int room = skb_tailroom(skb);
	size_t space = 0;
	struct kchan_entry *e;
	int count = 0;

	*more = false;
	if (cursor->len > KCHAN_KEY_MAX || msg_start > skb->len)
		return -EINVAL;

	down_read(&kchan_store_lock);
	for (e = kchan_store_after(cursor); e; e = kchan_store_next(e)) {
		space = kchan_entry_space(e->key_len, e->val_len);
		if (count && skb->len + space > budget)
			break;
		if (space > skb_tailroom(skb) || kchan_entry_put(skb, e))
			break;
		memcpy(cursor->key, e->key, e->key_len);
		cursor->len = e->key_len;
		count++;
	}
	*more = !!e;
	up_read(&kchan_store_lock);

	if (count || !*more)
		return count;
	/*
	 * Not even the first entry fits.  A fresh skb of this size holds the
	 * caller's current message (from msg_start on) and the entries, not
	 * what precedes msg_start: does the entry fit that room?
	 */
	if (space > (size_t)room + msg_start)
		return -E2BIG;
	return -EMSGSIZE;
}
EXPORT_SYMBOL_GPL(kchan_core_list_fill);

int kchan_store_init(void)
{
	kchan_store_root = RB_ROOT;
	kchan_store_entries = 0;
	kchan_store_bytes = 0;
	return 0;
}

void kchan_store_exit(void)
{
	struct kchan_entry *e, *tmp;

	down_write(&kchan_store_lock);
	rbtree_postorder_for_each_entry_safe(e, tmp, &kchan_store_root, node)
		kchan_entry_free(e);
	kchan_store_root = RB_ROOT;
	kchan_store_entries = 0;
	kchan_store_bytes = 0;
	up_write(&kchan_store_lock);
}
