// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/kchan events through read(2) and poll(2).
 *
 * KCHAN_IOC_SUBSCRIBE makes the open file a kchan_core subscriber (SEQ
 * from 0, DROPPED counting this file's losses in kchan_core's bounded
 * queue); read(2) then returns, once no reply is waiting, the oldest event
 * whole, and poll(2) reports it.  It needs the file's opener to have had
 * CAP_NET_ADMIN in the initial user namespace (file_ns_capable(), checked
 * at the ioctl), as /proc/kchan/events asks at open (events carry
 * traffic), and fails with -EBUSY when the file is
 * subscribed already, with or without a ring.  KCHAN_IOC_UNSUBSCRIBE stops
 * the events and drops what is queued; a ring set up stays mapped, with no
 * new events.  Release does the same.
 *
 * The wake callback runs with kchan_core's spinlock held and interrupts
 * off; it only wakes the file's wait queue, so a subscriber for read(2)
 * is torn down with kchan_sub_close().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/skbuff.h>
#include <linux/uaccess.h>

#include "kchan_chardev.h"

/* Any context, kchan_core's spinlock held, interrupts off. */
void kchan_dev_event_wake(void *ctx)
{
	struct kchan_dev_file *df = ctx;

	wake_up_interruptible_poll(&df->wait, EPOLLIN | EPOLLRDNORM);
}

long kchan_dev_ioc_subscribe(struct file *file)
{
	struct kchan_dev_file *df = file->private_data;
	struct kchan_sub *sub;
	int err;

	if (!file_ns_capable(file, &init_user_ns, CAP_NET_ADMIN))
		return -EPERM;
	err = mutex_lock_interruptible(&df->read_lock);
	if (err)
		return err;
	if (df->sub || df->ring) {
		err = -EBUSY;
		goto unlock;
	}
	/* The wake callback may run from here on: df->wait is ready. */
	sub = kchan_sub_open(KCHAN_TRANSPORT_CHARDEV, kchan_dev_event_wake, df);
	if (IS_ERR(sub)) {
		/* -EMFILE: kchan_core's max_subscribers are taken. */
		err = PTR_ERR(sub);
		goto unlock;
	}
	spin_lock(&df->sub_lock);
	df->sub = sub;
	spin_unlock(&df->sub_lock);
	/* A reader woken before @sub was stored went back to sleep. */
	wake_up_interruptible_poll(&df->wait, EPOLLIN | EPOLLRDNORM);
unlock:
	mutex_unlock(&df->read_lock);
	return err;
}

/* Call with df->read_lock held; leaves @df unsubscribed. */
static void kchan_dev_events_stop(struct kchan_dev_file *df)
{
	struct kchan_sub *sub = df->sub;
	struct sk_buff *held;

	if (!sub)
		return;
	/* From now on poll(2) and read(2)'s wait see no subscriber. */
	spin_lock(&df->sub_lock);
	df->sub = NULL;
	spin_unlock(&df->sub_lock);
	if (df->ring) {
		/* Detaches, stops the ring's work, then releases. */
		kchan_dev_ring_stop(df->ring);
	} else {
		/* The wake callback leaves nothing behind. */
		kchan_sub_close(sub);
	}
	held = df->held;
	WRITE_ONCE(df->held, NULL);
	consume_skb(held);
}

long kchan_dev_ioc_unsubscribe(struct kchan_dev_file *df)
{
	int err;

	err = mutex_lock_interruptible(&df->read_lock);
	if (err)
		return err;
	kchan_dev_events_stop(df);
	mutex_unlock(&df->read_lock);
	return 0;
}

/* The last close: nothing else runs on the file. */
void kchan_dev_events_release(struct kchan_dev_file *df)
{
	mutex_lock(&df->read_lock);
	kchan_dev_events_stop(df);
	mutex_unlock(&df->read_lock);
	/* Only now: poll(2) and mmap(2) are over too. */
	if (df->ring)
		kchan_dev_ring_free(df->ring);
}

bool kchan_dev_event_ready(struct kchan_dev_file *df)
{
	bool ready;

	if (READ_ONCE(df->held))
		return true;
	/* The subscriber is not released while sub_lock is held. */
	spin_lock(&df->sub_lock);
	ready = df->sub && !df->ring && kchan_sub_pending(df->sub);
	spin_unlock(&df->sub_lock);
	return ready;
}

/*
 * Hand out the oldest event whole.  The caller holds df->read_lock, across
 * the copy too, as for replies (kchan_chardev_call.c): so events leave in
 * order and one whose copy failed stays first in line.
 *
 * Return: the event's length, -EAGAIN when there is none (or the file is
 * not subscribed, or its events go to a ring), -EMSGSIZE when it does not
 * fit @count, -EFAULT (it stays first in both cases), or -ENOMEM when it
 * could not be built (it stays queued).
 */
int kchan_dev_read_event(struct kchan_dev_file *df, char __user *ubuf,
			 size_t count)
{
	struct sk_buff *event;
	int len;

	if (!df->sub || df->ring)
		return -EAGAIN;
	event = df->held;
	if (!event) {
		event = kchan_sub_next(df->sub);
		if (!event)
			return -EAGAIN;
		if (IS_ERR(event))
			return PTR_ERR(event);
		WRITE_ONCE(df->held, event);
	}
	/* Events are linear skbs, each one whole kchan message. */
	if (event->len > count)
		return -EMSGSIZE;
	if (copy_to_user(ubuf, event->data, event->len))
		return -EFAULT;
	WRITE_ONCE(df->held, NULL);
	len = event->len;
	consume_skb(event);
	return len;
}
