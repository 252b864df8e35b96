/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kchan_core internals shared between its source files.  Nothing here is
 * exported to the transport modules: see include/kchan_core.h for that.
 */
#ifndef _KCHAN_INTERNAL_H
#define _KCHAN_INTERNAL_H

#include <linux/gfp.h>
#include <linux/refcount.h>
#include <linux/types.h>

#include "kchan_core.h"

/* Module parameters (kchan_core_main.c), read-only after init. */
extern unsigned int kchan_max_entries;
extern unsigned long kchan_max_store_bytes;
extern unsigned int kchan_sub_queue_len;
extern unsigned int kchan_sub_queue_bytes;
extern unsigned int kchan_max_subscribers;
extern unsigned int kchan_list_reply_max;
extern unsigned long kchan_gen_max_count;

/* Bytes of a nlattr with a payload of @len, padding included. */
#define KCHAN_ATTR_SPACE(len)	NLA_ALIGN(NLA_HDRLEN + (len))

/* Bytes of a u64 attribute, with the PAD attribute it may need. */
#define KCHAN_U64_SPACE		(KCHAN_ATTR_SPACE(sizeof(u64)) + \
				 KCHAN_ATTR_SPACE(0))

/* Bytes of one ENTRY nest holding a key and a value. */
static inline size_t kchan_entry_space(size_t key_len, size_t val_len)
{
	return KCHAN_ATTR_SPACE(0) + KCHAN_ATTR_SPACE(key_len) +
	       KCHAN_ATTR_SPACE(val_len);
}

/* kchan_stats.c */
void kchan_stats_request(enum kchan_transport transport, int status);
void kchan_stats_event(enum kchan_transport transport, bool dropped);
size_t kchan_stats_reply_size(void);
int kchan_stats_fill(struct sk_buff *skb);

/* kchan_store.c */
int kchan_store_init(void);
void kchan_store_exit(void);
int kchan_store_set(const void *key, size_t key_len, const void *val,
		    size_t val_len, struct netlink_ext_ack *extack);
int kchan_store_get(const void *key, size_t key_len, struct sk_buff *reply,
		    struct netlink_ext_ack *extack);
int kchan_store_delete(const void *key, size_t key_len,
		       struct netlink_ext_ack *extack);
long kchan_store_value_len(const void *key, size_t key_len);
size_t kchan_store_entry_cost(size_t val_len);
size_t kchan_store_list_space(const struct kchan_list_cursor *cursor,
			      size_t budget);
void kchan_store_usage(u64 *entries, u64 *bytes);

/*
 * kchan_events.c
 *
 * An event body is built once and shared by reference between the queues
 * of every subscriber.  @body holds ready-made attributes (4-byte aligned,
 * none of them 64-bit, so they stay valid wherever they are copied); the
 * per-subscriber SEQ and DROPPED, and GEN_INDEX, are added when a
 * subscriber takes the event.
 */
struct kchan_event {
	refcount_t ref;
	u32 type;		/* enum kchan_event_type */
	bool has_index;		/* GENERATED: carries GEN_INDEX */
	u64 index;
	u32 body_len;		/* bytes used in @body */
	u32 body_size;		/* bytes allocated for @body */
	u8 body[];
};

void kchan_events_exit(void);
bool kchan_events_wanted(void);
unsigned int kchan_events_subscribers(void);
struct kchan_event *kchan_event_alloc(u32 type, size_t body_size, gfp_t gfp);
void *kchan_event_reserve_attr(struct kchan_event *ev, u16 type, size_t len);
void kchan_event_add_attr(struct kchan_event *ev, u16 type, const void *data,
			  size_t len);
void kchan_event_post(struct kchan_event *ev);
void kchan_event_put(struct kchan_event *ev);
void kchan_events_lost(void);

/* kchan_msg.c */
struct sk_buff *kchan_msg_alloc(size_t size, u16 cmd, u16 flags, u32 seq);

/* kchan_gen.c */
int kchan_gen_start(u64 count, u32 size, u32 rate,
		    struct netlink_ext_ack *extack);
void kchan_gen_stop(void);

/* kchan_selftest.c */
int kchan_selftest_run(void);

#endif /* _KCHAN_INTERNAL_H */
