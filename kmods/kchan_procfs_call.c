// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/kchan/call: one kchan request per write(2), its reply by read(2)
 * on the same open file.
 *
 * Each open file holds at most one reply.  A write must carry exactly one
 * whole kchan message (hdr.len == count, 16..KCHAN_MSG_MAX bytes); its
 * length is checked before anything is copied.  kchan_core_call() then
 * validates, runs and counts it and builds the reply, which reads return
 * from where the last read stopped; once its last byte has been read, the
 * next read returns 0 (end of file) and a new write may follow.  Writes
 * that are no kchan message, and a write while a reply is still unread,
 * fail with an errno and leave the open file as it was.
 *
 * Privilege is decided at open from the opener's credentials: a caller
 * with CAP_NET_ADMIN in the initial user namespace may SET, DELETE,
 * GEN_START and GEN_STOP.  Like any file permission it stays with the
 * open file, whoever writes to it later.
 *
 * Locking: a mutex per open file guards its reply and is held for a whole
 * write or read, copies to and from user space included, so that two
 * threads sharing the file never run two requests at once or read the
 * same bytes twice.  No other path takes it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "kchan_procfs.h"

struct kchan_proc_call {
	struct mutex lock;	/* guards the fields below */
	struct sk_buff *reply;	/* the reply being read, NULL when none */
	loff_t off;		/* bytes of @reply read so far */
	bool eof_due;		/* a reply was read whole, its EOF not yet */
	bool may_mutate;	/* the opener had CAP_NET_ADMIN */
};

static int kchan_proc_call_open(struct inode *inode, struct file *file)
{
	struct kchan_proc_call *call;

	/* Lives as long as the open file: charged to the opener. */
	call = kzalloc(sizeof(*call), GFP_KERNEL_ACCOUNT);
	if (!call)
		return -ENOMEM;
	mutex_init(&call->lock);
	call->may_mutate = file_ns_capable(file, &init_user_ns, CAP_NET_ADMIN);
	file->private_data = call;
	/* No position: lseek, pread and pwrite fail with -ESPIPE. */
	return stream_open(inode, file);
}

/*
 * Copy in and run one request; the caller holds call->lock and has
 * checked @count against the header and KCHAN_MSG_MAX.
 *
 * Return: 0 with the reply stored, or -errno with nothing stored; *@counted
 * says whether kchan_core_call() has counted the request already.
 */
static int kchan_proc_call_run(struct kchan_proc_call *call,
			       const char __user *ubuf, size_t count,
			       bool *counted)
{
	const struct kchan_caller caller = {
		.transport = KCHAN_TRANSPORT_PROCFS,
		.may_mutate = call->may_mutate,
	};
	struct kchan_hdr hdr;
	struct sk_buff *reply;
	void *msg;
	int err = 0;

	/* Charged to the writer; up to KCHAN_MSG_MAX, so maybe vmalloc(). */
	msg = kvmalloc(count, GFP_KERNEL_ACCOUNT);
	if (!msg)
		return -ENOMEM;
	if (copy_from_user(msg, ubuf, count)) {
		err = -EFAULT;
		goto free_msg;
	}
	/* The buffer need not be aligned for the header: copy it out. */
	memcpy(&hdr, msg, sizeof(hdr));
	if (hdr.len != count) {
		err = -EINVAL;
		goto free_msg;
	}

	/* Validates, runs and counts; a bad request gets an error reply. */
	reply = kchan_core_call(&caller, msg, count);
	*counted = true;
	if (IS_ERR(reply)) {
		err = PTR_ERR(reply);
		goto free_msg;
	}
	/* kchan_core_call()'s reply is one linear skb: read from ->data. */
	call->reply = reply;
	call->off = 0;
	call->eof_due = false;

free_msg:
	kvfree(msg);
	return err;
}

static ssize_t kchan_proc_call_write(struct file *file,
				     const char __user *ubuf, size_t count,
				     loff_t *ppos)
{
	struct kchan_proc_call *call = file->private_data;
	bool counted = false;
	int err;

	/* Framing by length alone, before anything is copied. */
	if (count < KCHAN_HDR_LEN) {
		err = -EINVAL;
		goto account;
	}
	if (count > KCHAN_MSG_MAX) {
		err = -EMSGSIZE;
		goto account;
	}

	err = mutex_lock_interruptible(&call->lock);
	if (err)
		goto account;
	/* One request at a time: its reply must be read first. */
	if (call->reply)
		err = -EBUSY;
	else
		err = kchan_proc_call_run(call, ubuf, count, &counted);
	mutex_unlock(&call->lock);

account:
	/* Every write is one request: count those kchan_core never saw. */
	if (!counted)
		kchan_core_account(KCHAN_TRANSPORT_PROCFS, err);
	if (err)
		return err;
	return count;
}

static ssize_t kchan_proc_call_read(struct file *file, char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	struct kchan_proc_call *call = file->private_data;
	struct sk_buff *reply;
	ssize_t ret;

	ret = mutex_lock_interruptible(&call->lock);
	if (ret)
		return ret;

	reply = call->reply;
	if (!reply) {
		/* The end of the last reply, once; else there is nothing. */
		if (!call->eof_due)
			ret = -ENODATA;
		else if (count)
			call->eof_due = false;
		goto unlock;
	}
	/* Returns what it copied, -EFAULT only when that is nothing. */
	ret = simple_read_from_buffer(ubuf, count, &call->off, reply->data,
				      reply->len);
	if (call->off == reply->len) {
		/* Read whole: the next write may come, the next read is EOF. */
		consume_skb(reply);
		call->reply = NULL;
		call->eof_due = true;
	}
unlock:
	mutex_unlock(&call->lock);
	return ret;
}

static int kchan_proc_call_release(struct inode *inode, struct file *file)
{
	struct kchan_proc_call *call = file->private_data;

	/* A reply nobody read: the request was served and counted anyway. */
	consume_skb(call->reply);
	mutex_destroy(&call->lock);
	kfree(call);
	return 0;
}

/* No proc_lseek: the proc core clears FMODE_LSEEK, as stream_open() does. */
const struct proc_ops kchan_proc_call_ops = {
	.proc_open	= kchan_proc_call_open,
	.proc_read	= kchan_proc_call_read,
	.proc_write	= kchan_proc_call_write,
	.proc_release	= kchan_proc_call_release,
};
