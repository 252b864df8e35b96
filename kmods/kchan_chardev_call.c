// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/kchan requests: write(2) one request and read(2) its reply, or both
 * in one KCHAN_IOC_CALL.
 *
 * write(2) takes exactly one whole kchan message (hdr.len == count,
 * KCHAN_HDR_LEN..KCHAN_MSG_MAX bytes; the count is checked before anything
 * is copied), runs it through kchan_core_call() and appends the reply to
 * the open file's FIFO, which holds at most reply_queue_len unread
 * replies: beyond that the write fails with -EBUSY and nothing runs.
 * Writers take turns (write_lock) from the room check to the enqueue, so
 * replies queue in the order their requests ran.  read(2) returns the
 * oldest reply whole (kchan_chardev_main.c first asks here, then for an
 * event).  Every write counts once in STATS: in kchan_core_call(), or here
 * through kchan_core_account() when refused before it.
 *
 * KCHAN_IOC_CALL runs one request and copies its reply out in the same
 * call, apart from the FIFO and without any lock of the file: any number
 * may run at once on one file.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "kchan_chardev.h"

/*
 * Copy one request of @len bytes in from @ureq and check its header.
 * @len is in KCHAN_HDR_LEN..KCHAN_MSG_MAX already.
 *
 * Return: the kvmalloc()ed copy, or ERR_PTR(-ENOMEM, -EFAULT, or -EINVAL
 * when hdr.len is not @len).
 */
static void *kchan_dev_copy_request(const void __user *ureq, size_t len)
{
	struct kchan_hdr hdr;
	void *msg;

	/* Charged to the caller; up to KCHAN_MSG_MAX, so maybe vmalloc(). */
	msg = kvmalloc(len, GFP_KERNEL_ACCOUNT);
	if (!msg)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(msg, ureq, len)) {
		kvfree(msg);
		return ERR_PTR(-EFAULT);
	}
	/* The buffer need not be aligned for the header: copy it out. */
	memcpy(&hdr, msg, sizeof(hdr));
	if (hdr.len != len) {
		kvfree(msg);
		return ERR_PTR(-EINVAL);
	}
	return msg;
}

/* Framing by length alone, before anything is copied. */
static int kchan_dev_check_len(size_t len)
{
	if (len < KCHAN_HDR_LEN)
		return -EINVAL;
	if (len > KCHAN_MSG_MAX)
		return -EMSGSIZE;
	return 0;
}

ssize_t kchan_dev_write(struct file *file, const char __user *ubuf,
			size_t count, loff_t *ppos)
{
	struct kchan_dev_file *df = file->private_data;
	const struct kchan_caller caller = {
		.transport = KCHAN_TRANSPORT_CHARDEV,
		.may_mutate = df->may_mutate,
	};
	struct sk_buff *reply;
	bool counted = false;
	void *msg;
	int err;

	err = kchan_dev_check_len(count);
	if (err)
		goto account;
	msg = kchan_dev_copy_request(ubuf, count);
	if (IS_ERR(msg)) {
		err = PTR_ERR(msg);
		goto account;
	}

	err = mutex_lock_interruptible(&df->write_lock);
	if (err)
		goto free_msg;
	/* Only writers add replies, and they take turns: room stays room. */
	if (skb_queue_len(&df->replies) >= kchan_dev_reply_queue_len) {
		err = -EBUSY;
		goto unlock;
	}
	/* Validates, runs and counts; a bad request gets an error reply. */
	reply = kchan_core_call(&caller, msg, count);
	counted = true;
	if (IS_ERR(reply)) {
		err = PTR_ERR(reply);
		goto unlock;
	}
	skb_queue_tail(&df->replies, reply);
	wake_up_interruptible_poll(&df->wait, EPOLLIN | EPOLLRDNORM);
unlock:
	mutex_unlock(&df->write_lock);
free_msg:
	kvfree(msg);
account:
	/* Every write is one request: count those kchan_core never saw. */
	if (!counted)
		kchan_core_account(KCHAN_TRANSPORT_CHARDEV, err);
	return err ? err : count;
}

/*
 * Hand out the oldest reply whole.  The caller holds df->read_lock, across
 * the copy to user space too: that keeps replies in order and a reply
 * whose copy faulted first in line.  It is safe: a fault may sleep, but
 * only other readers of this open file wait for read_lock, and no path
 * takes it with mmap_lock or any other lock held (mmap(2) takes no lock
 * of the file), so a fault cannot wait for a holder of read_lock.
 *
 * Return: the reply's length, -EAGAIN when there is none, -EMSGSIZE when
 * it does not fit @count, -EFAULT; in the last two cases it stays first.
 */
int kchan_dev_read_reply(struct kchan_dev_file *df, char __user *ubuf,
			 size_t count)
{
	struct sk_buff *reply;
	unsigned long flags;
	int len;

	spin_lock_irqsave(&df->replies.lock, flags);
	reply = skb_peek(&df->replies);
	spin_unlock_irqrestore(&df->replies.lock, flags);
	if (!reply)
		return -EAGAIN;
	/* Only readers unlink, and they hold read_lock: @reply stays. */
	if (reply->len > count)
		return -EMSGSIZE;
	/* kchan_core_call()'s reply is one linear skb: copy from ->data. */
	if (copy_to_user(ubuf, reply->data, reply->len))
		return -EFAULT;
	skb_unlink(reply, &df->replies);
	len = reply->len;
	consume_skb(reply);
	/* A writer waiting in poll for room may write again. */
	wake_up_interruptible_poll(&df->wait, EPOLLOUT | EPOLLWRNORM);
	return len;
}

long kchan_dev_ioc_call(struct kchan_dev_file *df, void __user *uarg)
{
	const struct kchan_caller caller = {
		.transport = KCHAN_TRANSPORT_CHARDEV,
		.may_mutate = df->may_mutate,
	};
	struct kchan_ioc_call __user *ucall = uarg;
	struct kchan_ioc_call call;
	struct sk_buff *reply;
	bool counted = false;
	void *msg;
	int err;

	if (copy_from_user(&call, ucall, sizeof(call))) {
		err = -EFAULT;
		goto account;
	}
	if (call.flags || call.reply_cap < KCHAN_IOC_REPLY_MIN) {
		err = -EINVAL;
		goto account;
	}
	err = kchan_dev_check_len(call.request_len);
	if (err)
		goto account;
	msg = kchan_dev_copy_request(u64_to_user_ptr(call.request),
				     call.request_len);
	if (IS_ERR(msg)) {
		err = PTR_ERR(msg);
		goto account;
	}

	reply = kchan_core_call(&caller, msg, call.request_len);
	counted = true;
	if (IS_ERR(reply)) {
		err = PTR_ERR(reply);
		goto free_msg;
	}
	/* reply_len goes back in every case: the length needed on -ERANGE. */
	call.reply_len = reply->len;
	if (reply->len > call.reply_cap) {
		/* Nothing written at call.reply; the request did run. */
		err = -ERANGE;
	} else if (copy_to_user(u64_to_user_ptr(call.reply), reply->data,
				reply->len)) {
		err = -EFAULT;
		goto free_reply;
	}
	if (put_user(call.reply_len, &ucall->reply_len))
		err = -EFAULT;
free_reply:
	consume_skb(reply);
free_msg:
	kvfree(msg);
account:
	/* Every call is one request: count those kchan_core never saw. */
	if (!counted)
		kchan_core_account(KCHAN_TRANSPORT_CHARDEV, err);
	return err;
}
