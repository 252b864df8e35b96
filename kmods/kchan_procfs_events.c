// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/kchan/events: kernel-pushed events, one kchan_core subscriber per
 * open file.
 *
 * Opening subscribes (SEQ from 0, DROPPED counting this file's losses in
 * kchan_core's bounded queue); closing unsubscribes.  read(2) returns as
 * many whole kchan event messages as fit the buffer, at least one; when
 * the next event does not fit at all, -EMSGSIZE and nothing is consumed.
 * Without events it waits (interruptibly), or fails with -EAGAIN under
 * O_NONBLOCK.  poll(2) reports EPOLLIN | EPOLLRDNORM while an event is
 * there.  Events carry traffic (PACKET), so opening needs CAP_NET_ADMIN in
 * the initial user namespace, as the netlink transport's events do.
 *
 * Module lifetime: the proc core lets a module unload while its files are
 * open, releasing them under their users.  That is unsafe here: a task
 * sleeping in poll(2), select(2) or epoll keeps an entry on the open
 * file's wait queue, which release would free.  So an open events file
 * holds a reference on this module: rmmod fails with "in use" until it is
 * closed, and release only ever runs at the last close, after every poller
 * has let go of the wait queue.
 *
 * Locking: kchan_core calls the wake callback with its spinlock held and
 * interrupts off; it only wakes the wait queue.  A mutex per open file
 * serialises readers (so events leave in order) and guards the event a
 * reader has taken from the subscriber but not yet copied out; it is not
 * held while a reader sleeps.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "kchan_procfs.h"

struct kchan_proc_events {
	struct kchan_sub *sub;
	wait_queue_head_t wait;	/* readers and pollers wait for events */
	struct mutex lock;	/* serialises readers; guards @held */
	/*
	 * An event taken from @sub that the last read could not hand out
	 * (no room left, or a fault): the next read starts with it.
	 * Also read without the lock, to tell whether an event is there.
	 */
	struct sk_buff *held;
};

/* Any context, kchan_core's spinlock held, interrupts off. */
static void kchan_proc_events_wake(void *ctx)
{
	struct kchan_proc_events *ev = ctx;

	wake_up_interruptible_poll(&ev->wait, EPOLLIN | EPOLLRDNORM);
}

static bool kchan_proc_events_ready(struct kchan_proc_events *ev)
{
	return READ_ONCE(ev->held) || kchan_sub_pending(ev->sub);
}

static int kchan_proc_events_open(struct inode *inode, struct file *file)
{
	struct kchan_proc_events *ev;
	int err;

	if (!file_ns_capable(file, &init_user_ns, CAP_NET_ADMIN))
		return -EPERM;
	/* Fails once rmmod has begun: the module is going. */
	if (!try_module_get(THIS_MODULE))
		return -ENODEV;

	/* Charged to the opener, like its subscriber. */
	ev = kzalloc(sizeof(*ev), GFP_KERNEL_ACCOUNT);
	if (!ev) {
		err = -ENOMEM;
		goto put_module;
	}
	init_waitqueue_head(&ev->wait);
	mutex_init(&ev->lock);
	/* The wake callback may run from here on: ev->wait is ready. */
	ev->sub = kchan_sub_open(KCHAN_TRANSPORT_PROCFS, kchan_proc_events_wake,
				 ev);
	if (IS_ERR(ev->sub)) {
		/* -EMFILE: kchan_core's max_subscribers are taken. */
		err = PTR_ERR(ev->sub);
		goto free_ev;
	}
	file->private_data = ev;
	/* No position: lseek, pread and pwrite fail with -ESPIPE. */
	return stream_open(inode, file);

free_ev:
	mutex_destroy(&ev->lock);
	kfree(ev);
put_module:
	module_put(THIS_MODULE);
	return err;
}

/*
 * Hand out whole events into @ubuf from *@copied on, as long as they fit,
 * without waiting.  Call with ev->lock held.
 *
 * Return: -EAGAIN when no event is left, -EMSGSIZE when the next one does
 * not fit the room left, -EFAULT when copying it faulted (it stays held
 * in both cases), -ENOMEM when it could not be built (it stays queued).
 * *@copied has grown by the bytes handed out.
 */
static int kchan_proc_events_fill(struct kchan_proc_events *ev,
				  char __user *ubuf, size_t count,
				  size_t *copied)
{
	struct sk_buff *event;

	for (;;) {
		event = ev->held;
		if (!event) {
			event = kchan_sub_next(ev->sub);
			if (!event)
				return -EAGAIN;
			if (IS_ERR(event))
				return PTR_ERR(event);
			WRITE_ONCE(ev->held, event);
		}
		/* Events are linear skbs, each one whole kchan message. */
		if (event->len > count - *copied)
			return -EMSGSIZE;
		if (copy_to_user(ubuf + *copied, event->data, event->len))
			return -EFAULT;
		*copied += event->len;
		WRITE_ONCE(ev->held, NULL);
		consume_skb(event);
		/* A large buffer and a busy generator: let others run. */
		cond_resched();
	}
}

static ssize_t kchan_proc_events_read(struct file *file, char __user *ubuf,
				      size_t count, loff_t *ppos)
{
	struct kchan_proc_events *ev = file->private_data;
	size_t copied = 0;
	int err;

	if (!count)
		return 0;
	for (;;) {
		err = mutex_lock_interruptible(&ev->lock);
		if (err)
			return err;
		err = kchan_proc_events_fill(ev, ubuf, count, &copied);
		mutex_unlock(&ev->lock);
		/* Whatever stopped the fill, what was handed out counts. */
		if (copied)
			return copied;
		if (err != -EAGAIN)
			return err;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		/* -ERESTARTSYS on a signal: restarted or -EINTR. */
		err = wait_event_interruptible(ev->wait,
					       kchan_proc_events_ready(ev));
		if (err)
			return err;
	}
}

static __poll_t kchan_proc_events_poll(struct file *file, poll_table *wait)
{
	struct kchan_proc_events *ev = file->private_data;

	poll_wait(file, &ev->wait, wait);
	return kchan_proc_events_ready(ev) ? EPOLLIN | EPOLLRDNORM : 0;
}

/* The last close only: the open file pins the module (see above). */
static int kchan_proc_events_release(struct inode *inode, struct file *file)
{
	struct kchan_proc_events *ev = file->private_data;

	/* The wake callback leaves nothing behind: detach and release. */
	kchan_sub_close(ev->sub);
	consume_skb(ev->held);
	mutex_destroy(&ev->lock);
	kfree(ev);
	/*
	 * The proc core calls release with the entry still registered and
	 * its removal waits for release to return, so this code stays until
	 * it has.
	 */
	module_put(THIS_MODULE);
	return 0;
}

/* No proc_write: a write fails with -EIO (the proc core's answer). */
const struct proc_ops kchan_proc_events_ops = {
	.proc_open	= kchan_proc_events_open,
	.proc_read	= kchan_proc_events_read,
	.proc_poll	= kchan_proc_events_poll,
	.proc_release	= kchan_proc_events_release,
};
