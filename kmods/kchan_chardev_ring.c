// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/kchan events through a ring shared with user space (the layout is
 * in uapi/kchan.h, next to KCHAN_IOC_RING_SETUP).
 *
 * KCHAN_IOC_RING_SETUP allocates one control page and data_size bytes of
 * data with vmalloc_user() and makes the open file a kchan_core
 * subscriber; mmap(2) then maps exactly that, at offset 0, MAP_SHARED
 * (-EINVAL otherwise, -ENODEV before any setup).  Setup needs
 * CAP_NET_ADMIN, as KCHAN_IOC_SUBSCRIBE does, and gives -EBUSY when the
 * file is subscribed already or had a ring before.
 *
 * Events move from the subscriber's bounded queue into the ring in a work
 * item, scheduled by the subscriber's wake callback (which runs in atomic
 * context) and by poll(2) when events wait: that is how a ring that was
 * full resumes once the reader has made room.  An event that does not fit
 * stays with the ring (@held) for the next run, so the ring itself never
 * drops; only the subscriber's queue does, and counts it in SEQ and
 * DROPPED.  While an event waits like that, the work also runs again every
 * KCHAN_DEV_RING_RETRY_MS by itself: a full subscriber queue calls no wake
 * callback, and a reader in edge-triggered epoll calls no poll(2), so
 * without that retry such a reader would wait for ever on a ring it had
 * emptied.  Each run publishes PRODUCER once, with release semantics,
 * after its records, and wakes the reader once.
 *
 * User space owns the shared pages: the kernel never reads anything back
 * from them but CONSUMER, and checks that against its own copy of
 * PRODUCER.  A CONSUMER that goes backwards or past PRODUCER breaks the
 * ring: KCHAN_RING_F_BROKEN is set, no event moves any more and poll(2)
 * reports EPOLLERR.  The indices are 64-bit loads and stores, atomic on
 * the 64-bit machines this module is built for.
 *
 * Lifetime: a mapping holds a reference on its struct file (vma->vm_file),
 * so ->release, which frees the ring, runs only after the last munmap();
 * remap_vmalloc_range() also takes a reference on every page it maps.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/align.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "kchan_chardev.h"

/* How soon a ring that was full tries again by itself. */
#define KCHAN_DEV_RING_RETRY_MS	5

/**
 * struct kchan_dev_ring - the event ring of one open file
 * @df:        the open file, whose wait queue the reader sleeps on
 * @sub:       the subscriber filling the ring; NULL once stopped
 * @work:      moves events from @sub into the ring (delayed only for a
 *	       retry, see above)
 * @area:      control page, then @data_size bytes of data
 * @data:      @area + PAGE_SIZE
 * @data_size: a power of two
 * @mmap_len:  PAGE_SIZE + @data_size, the one length mmap(2) accepts
 * @producer:  bytes written, ever: the kernel's own copy, only the work
 *	       writes it
 * @published: @producer as last stored to PRODUCER, for poll(2)
 * @consumer:  the last CONSUMER the work accepted
 * @held:      an event taken from @sub that did not fit yet (work only)
 * @broken:    user space broke CONSUMER: no more events
 */
struct kchan_dev_ring {
	struct kchan_dev_file *df;
	struct kchan_sub *sub;
	struct delayed_work work;
	void *area;
	u8 *data;
	u32 data_size;
	size_t mmap_len;
	u64 producer;
	u64 published;
	u64 consumer;
	struct sk_buff *held;
	bool broken;
};

static u64 *kchan_dev_ring_index(struct kchan_dev_ring *ring,
				 unsigned int offset)
{
	return ring->area + offset;
}

/* Any context, kchan_core's spinlock held, interrupts off. */
static void kchan_dev_ring_wake(void *ctx)
{
	struct kchan_dev_ring *ring = ctx;

	/* Now, unless a run is queued already (a retry then comes soon). */
	schedule_delayed_work(&ring->work, 0);
}

/*
 * Accept the reader's CONSUMER, or break the ring when it is not between
 * the last one accepted and PRODUCER.
 */
static bool kchan_dev_ring_consume(struct kchan_dev_ring *ring)
{
	u64 consumer;

	/* Pairs with the reader's release: it is done with those records. */
	consumer = smp_load_acquire(kchan_dev_ring_index(ring,
							 KCHAN_RING_CONSUMER));
	if (consumer < ring->consumer || consumer > ring->producer) {
		WRITE_ONCE(ring->broken, true);
		WRITE_ONCE(*(u32 *)(ring->area + KCHAN_RING_FLAGS),
			   KCHAN_RING_F_BROKEN);
		pr_info_ratelimited("ring broken by its reader: consumer %llu, expected %llu..%llu\n",
				    consumer, ring->consumer, ring->producer);
		return false;
	}
	WRITE_ONCE(ring->consumer, consumer);
	return true;
}

/* A record that tells the reader to skip the @len bytes up to the end. */
static void kchan_dev_ring_pad(struct kchan_dev_ring *ring, u32 offset,
			       u32 len)
{
	struct kchan_hdr pad = {
		.flags = KCHAN_F_RING_PAD,
		.len = len,
	};

	memcpy(ring->data + offset, &pad, sizeof(pad));
	ring->producer += len;
}

/*
 * Write @event as the next record, after a pad record when it does not fit
 * before the end of the data.  A pad may go in alone: the event follows
 * once the reader has consumed what lies before it.
 *
 * Return: whether @event went in.
 */
static bool kchan_dev_ring_put(struct kchan_dev_ring *ring,
			       struct sk_buff *event)
{
	u32 need = ALIGN(event->len, KCHAN_RING_ALIGN);
	u32 offset = ring->producer & (ring->data_size - 1);
	u32 tail = ring->data_size - offset;
	u64 room = ring->data_size - (ring->producer - ring->consumer);

	if (need > tail) {
		if (tail > room)
			return false;
		kchan_dev_ring_pad(ring, offset, tail);
		room -= tail;
		offset = 0;
	}
	if (need > room)
		return false;
	/* kchan_sub_next() builds each event as one linear skb. */
	memcpy(ring->data + offset, event->data, event->len);
	ring->producer += need;
	return true;
}

/* Run again soon; cancel_delayed_work_sync() stops this too. */
static void kchan_dev_ring_retry(struct kchan_dev_ring *ring)
{
	schedule_delayed_work(&ring->work,
			      msecs_to_jiffies(KCHAN_DEV_RING_RETRY_MS));
}

static void kchan_dev_ring_work(struct work_struct *work)
{
	struct kchan_dev_ring *ring = container_of(to_delayed_work(work),
						   struct kchan_dev_ring, work);
	struct kchan_sub *sub = READ_ONCE(ring->sub);
	struct sk_buff *event;

	/* Woken before setup stored @sub: setup schedules another run. */
	if (!sub)
		return;
	if (READ_ONCE(ring->broken) || !kchan_dev_ring_consume(ring)) {
		wake_up_interruptible_poll(&ring->df->wait, EPOLLERR);
		return;
	}
	for (;;) {
		event = ring->held;
		if (!event) {
			event = kchan_sub_next(sub);
			if (!event)
				break;
			/* It stays queued: try again soon. */
			if (IS_ERR(event)) {
				kchan_dev_ring_retry(ring);
				break;
			}
		}
		if (!kchan_dev_ring_put(ring, event)) {
			WRITE_ONCE(ring->held, event);
			kchan_dev_ring_retry(ring);
			break;
		}
		WRITE_ONCE(ring->held, NULL);
		consume_skb(event);
	}
	if (ring->producer == ring->published)
		return;
	/* The records first, then the index that makes them visible. */
	smp_store_release(kchan_dev_ring_index(ring, KCHAN_RING_PRODUCER),
			  ring->producer);
	WRITE_ONCE(ring->published, ring->producer);
	wake_up_interruptible_poll(&ring->df->wait, EPOLLIN | EPOLLRDNORM);
}

long kchan_dev_ioc_ring_setup(struct file *file, void __user *uarg)
{
	struct kchan_dev_file *df = file->private_data;
	struct kchan_ring_setup setup;
	struct kchan_dev_ring *ring;
	struct kchan_sub *sub;
	int err;

	if (!file_ns_capable(file, &init_user_ns, CAP_NET_ADMIN))
		return -EPERM;
	if (copy_from_user(&setup, uarg, sizeof(setup)))
		return -EFAULT;
	if (setup.flags || !is_power_of_2(setup.data_size) ||
	    setup.data_size < KCHAN_RING_DATA_MIN ||
	    setup.data_size > KCHAN_RING_DATA_MAX)
		return -EINVAL;

	err = mutex_lock_interruptible(&df->read_lock);
	if (err)
		return err;
	/* One subscription per file, and one ring in its whole life. */
	if (df->sub || df->ring) {
		err = -EBUSY;
		goto unlock;
	}
	ring = kzalloc(sizeof(*ring), GFP_KERNEL_ACCOUNT);
	if (!ring) {
		err = -ENOMEM;
		goto unlock;
	}
	ring->df = df;
	ring->data_size = setup.data_size;
	ring->mmap_len = PAGE_SIZE + setup.data_size;
	INIT_DELAYED_WORK(&ring->work, kchan_dev_ring_work);
	/* Zeroed: PRODUCER, CONSUMER and FLAGS start at 0. */
	ring->area = vmalloc_user(ring->mmap_len);
	if (!ring->area) {
		err = -ENOMEM;
		goto free_ring;
	}
	ring->data = ring->area + PAGE_SIZE;

	/* Answer before subscribing: a fault then leaves nothing to undo. */
	setup.mmap_len = ring->mmap_len;
	setup.data_offset = PAGE_SIZE;
	if (copy_to_user(uarg, &setup, sizeof(setup))) {
		err = -EFAULT;
		goto free_area;
	}
	/* The wake callback may run from here on: the work is ready. */
	sub = kchan_sub_open(KCHAN_TRANSPORT_CHARDEV, kchan_dev_ring_wake,
			     ring);
	if (IS_ERR(sub)) {
		err = PTR_ERR(sub);
		goto free_area;
	}
	WRITE_ONCE(ring->sub, sub);
	/*
	 * Both at once for poll(2) and read(2), which look under sub_lock;
	 * the release also publishes a whole ring to mmap(2), which takes no
	 * lock of the file.
	 */
	spin_lock(&df->sub_lock);
	df->sub = sub;
	/* Pairs with the acquire in mmap(2) and poll(2). */
	smp_store_release(&df->ring, ring);
	spin_unlock(&df->sub_lock);
	/* Events that came before @sub was stored, then any waiter. */
	schedule_delayed_work(&ring->work, 0);
	wake_up_interruptible_poll(&df->wait, EPOLLIN | EPOLLRDNORM);
	mutex_unlock(&df->read_lock);
	return 0;

free_area:
	vfree(ring->area);
free_ring:
	kfree(ring);
unlock:
	mutex_unlock(&df->read_lock);
	return err;
}

static const struct vm_operations_struct kchan_dev_ring_vm_ops;

int kchan_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct kchan_dev_file *df = file->private_data;
	struct kchan_dev_ring *ring;

	/* Pairs with setup's release: the ring is whole once seen. */
	ring = smp_load_acquire(&df->ring);
	if (!ring)
		return -ENODEV;
	/*
	 * A private copy would never see another event.  VM_MAYSHARE, not
	 * VM_SHARED: do_mmap() clears VM_SHARED on a MAP_SHARED mapping of a
	 * file not open for writing, and a read-only reader is fine.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start != ring->mmap_len)
		return -EINVAL;
	/* Not anonymous memory: a fault after MADV_DONTNEED is SIGBUS. */
	vma->vm_ops = &kchan_dev_ring_vm_ops;
	/* Sets VM_DONTEXPAND: mremap() cannot grow it past the ring. */
	return remap_vmalloc_range(vma, ring->area, 0);
}

__poll_t kchan_dev_ring_poll(struct kchan_dev_file *df,
			     struct kchan_dev_ring *ring)
{
	u64 consumer;
	bool resume;

	if (READ_ONCE(ring->broken))
		return EPOLLERR;
	consumer = READ_ONCE(*kchan_dev_ring_index(ring, KCHAN_RING_CONSUMER));
	/*
	 * Run the work when events wait (the ring may have room now) or the
	 * reader moved CONSUMER (to check it).  Under sub_lock the subscriber
	 * is not stopped, so the work cannot be queued after its cancel.
	 */
	spin_lock(&df->sub_lock);
	resume = df->sub && (kchan_sub_pending(df->sub) ||
			     READ_ONCE(ring->held) ||
			     consumer != READ_ONCE(ring->consumer));
	if (resume)
		mod_delayed_work(system_wq, &ring->work, 0);
	spin_unlock(&df->sub_lock);
	/* Never PRODUCER from the shared page: user space may write it. */
	if (consumer != READ_ONCE(ring->published))
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

/*
 * Stop the events, in the order kchan_core.h asks for.  The caller holds
 * df->read_lock and has cleared df->sub.  What is in the ring stays.
 */
void kchan_dev_ring_stop(struct kchan_dev_ring *ring)
{
	kchan_sub_detach(ring->sub);
	/* Nothing queues the work now but itself, which this stops too. */
	cancel_delayed_work_sync(&ring->work);
	kchan_sub_release(ring->sub);
	WRITE_ONCE(ring->sub, NULL);
	consume_skb(ring->held);
	ring->held = NULL;
}

/* The last close: no mapping, poll or ioctl is left. */
void kchan_dev_ring_free(struct kchan_dev_ring *ring)
{
	vfree(ring->area);
	kfree(ring);
}
