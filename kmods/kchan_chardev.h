/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kchan_chardev internals shared between its source files: the state of
 * one open file of /dev/KCHAN_DEV_NAME and the functions each file
 * contributes to the file_operations in kchan_chardev_main.c.
 *
 * Locks of one open file, in the order they nest:
 *   read_lock  serialises read(2), so messages leave in order, and guards
 *	      the subscription (@sub, @held, @ring): the ioctls that change
 *	      it take it too.  Held across copy_to_user() by read(2)
 *	      (kchan_chardev_call.c says why that is safe)
 *   write_lock serialises write(2) from the room check to the enqueue, so
 *	      replies queue in the order their requests ran; never held
 *	      across a user copy
 *   sub_lock   a spinlock guarding @sub for poll(2) and the wait condition
 *	      of read(2), which cannot take read_lock
 * The reply FIFO is an sk_buff_head with its own spinlock.
 */
#ifndef _KCHAN_CHARDEV_H
#define _KCHAN_CHARDEV_H

#include <linux/fs.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "kchan_core.h"

struct kchan_dev_ring;

/**
 * struct kchan_dev_file - one open file of /dev/kchan
 * @may_mutate: the opener had CAP_NET_ADMIN in the initial user namespace
 * @wait:       readers and pollers wait here for replies and events
 * @replies:    replies not read yet, oldest first
 * @read_lock:  see the top of this file
 * @write_lock: see the top of this file
 * @sub_lock:   see the top of this file; @sub and @ring change under both
 *		read_lock and sub_lock, and are read under either
 * @sub:        the event subscriber (for read(2) or for the ring), NULL
 *		when not subscribed
 * @held:       an event taken from @sub that read(2) could not hand out
 *		yet (buffer too small, fault): the next read starts with it;
 *		also read locklessly, to tell whether an event is there
 * @ring:       the event ring, NULL when none was set up; once set up it
 *		stays until the file is released (published with
 *		smp_store_release() for poll(2) and mmap(2))
 */
struct kchan_dev_file {
	bool may_mutate;
	wait_queue_head_t wait;
	struct sk_buff_head replies;
	struct mutex read_lock;		/* see the top of this file */
	struct mutex write_lock;	/* see the top of this file */
	spinlock_t sub_lock;		/* see the top of this file */
	struct kchan_sub *sub;
	struct sk_buff *held;
	struct kchan_dev_ring *ring;
};

/* kchan_chardev_main.c: the reply_queue_len module parameter. */
extern unsigned int kchan_dev_reply_queue_len;

/* kchan_chardev_call.c: write(2), replies for read(2), KCHAN_IOC_CALL. */
ssize_t kchan_dev_write(struct file *file, const char __user *ubuf,
			size_t count, loff_t *ppos);
int kchan_dev_read_reply(struct kchan_dev_file *df, char __user *ubuf,
			 size_t count);
long kchan_dev_ioc_call(struct kchan_dev_file *df, void __user *uarg);

/* kchan_chardev_events.c: subscription and events for read(2). */
long kchan_dev_ioc_subscribe(struct file *file);
long kchan_dev_ioc_unsubscribe(struct kchan_dev_file *df);
void kchan_dev_event_wake(void *ctx);
int kchan_dev_read_event(struct kchan_dev_file *df, char __user *ubuf,
			 size_t count);
bool kchan_dev_event_ready(struct kchan_dev_file *df);
void kchan_dev_events_release(struct kchan_dev_file *df);

/* kchan_chardev_ring.c: the mmap'd event ring. */
long kchan_dev_ioc_ring_setup(struct file *file, void __user *uarg);
int kchan_dev_mmap(struct file *file, struct vm_area_struct *vma);
__poll_t kchan_dev_ring_poll(struct kchan_dev_file *df,
			     struct kchan_dev_ring *ring);
void kchan_dev_ring_stop(struct kchan_dev_ring *ring);
void kchan_dev_ring_free(struct kchan_dev_ring *ring);

#endif /* _KCHAN_CHARDEV_H */
