// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_chardev: the character-device transport of kchan_core.
 *
 * One device node, /dev/KCHAN_DEV_NAME, whose open files each carry:
 *   write(2)/read(2)  one kchan request, then its reply, in order, through
 *		       a bounded reply FIFO (kchan_chardev_call.c)
 *   KCHAN_IOC_CALL    request and reply in one ioctl (kchan_chardev_call.c)
 *   KCHAN_IOC_SUBSCRIBE events for read(2) and poll(2)
 *		       (kchan_chardev_events.c)
 *   KCHAN_IOC_RING_SETUP + mmap(2) events in a ring shared with user
 *		       space (kchan_chardev_ring.c)
 *
 * Why no misc device: the node's mode and group are module parameters,
 * and devtmpfs creates a misc node with what misc_class's devnode callback
 * returns, a mode only.  The driver core asks dev->type->devnode first
 * (device_get_devnode(), drivers/base/core.c), which may set uid and gid
 * too, but misc_register() builds its device with device_create(), giving
 * no chance to set a type before device_add().  So this module registers
 * one minor of a dynamic major, a cdev, a class and a device of its own
 * type, and device_add()s the device once the type is set.
 *
 * Which open mode each operation needs: write(2) and KCHAN_IOC_CALL need
 * the file opened for writing, read(2), KCHAN_IOC_SUBSCRIBE,
 * KCHAN_IOC_RING_SETUP and mmap(2) for reading (-EBADF otherwise; the VFS
 * checks read, write and mmap itself, mmap with -EACCES); KCHAN_IOC_UNSUBSCRIBE and poll(2) work on
 * any open file.  Mapping the ring writable (to store CONSUMER) needs
 * O_RDWR, as any shared writable file mapping does.
 *
 * Module lifetime: the file operations and the cdev name THIS_MODULE, so
 * every open file pins the module (rmmod reports "in use"); a mapping of
 * the ring holds its file, so it pins the module too.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cdev.h>
#include <linux/cred.h>
#include <linux/device.h>
#include <linux/init.h>
#include <linux/kdev_t.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/stat.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>

#include "kchan_chardev.h"

#define KCHAN_DEV_MODE_DEFAULT		0600
#define KCHAN_DEV_REPLY_QUEUE_DEFAULT	64
#define KCHAN_DEV_REPLY_QUEUE_MAX	4096

static unsigned int mode = KCHAN_DEV_MODE_DEFAULT;
module_param(mode, uint, 0444);
MODULE_PARM_DESC(mode, "permission bits of /dev/kchan (default 0600)");

static unsigned int gid;
module_param(gid, uint, 0444);
MODULE_PARM_DESC(gid, "group of /dev/kchan, in the initial user namespace (default 0)");

unsigned int kchan_dev_reply_queue_len = KCHAN_DEV_REPLY_QUEUE_DEFAULT;
module_param_named(reply_queue_len, kchan_dev_reply_queue_len, uint, 0444);
MODULE_PARM_DESC(reply_queue_len, "unread replies one open file may hold, 1..4096 (default 64)");

static kgid_t kchan_dev_kgid;
static dev_t kchan_dev_devt;
static struct cdev kchan_dev_cdev;
static struct device *kchan_dev_device;

static int kchan_dev_open(struct inode *inode, struct file *file)
{
	struct kchan_dev_file *df;

	/* Lives as long as the open file: charged to the opener. */
	df = kzalloc(sizeof(*df), GFP_KERNEL_ACCOUNT);
	if (!df)
		return -ENOMEM;
	/* Decided once, from the opener, like a file permission. */
	df->may_mutate = file_ns_capable(file, &init_user_ns, CAP_NET_ADMIN);
	init_waitqueue_head(&df->wait);
	skb_queue_head_init(&df->replies);
	mutex_init(&df->read_lock);
	mutex_init(&df->write_lock);
	spin_lock_init(&df->sub_lock);
	file->private_data = df;
	/* No position: lseek, pread and pwrite fail with -ESPIPE. */
	return stream_open(inode, file);
}

/* Whether read(2) has something to return without waiting. */
static bool kchan_dev_readable(struct kchan_dev_file *df)
{
	return !skb_queue_empty_lockless(&df->replies) ||
	       kchan_dev_event_ready(df);
}

static ssize_t kchan_dev_read(struct file *file, char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct kchan_dev_file *df = file->private_data;
	int ret;

	for (;;) {
		ret = mutex_lock_interruptible(&df->read_lock);
		if (ret)
			return ret;
		/* The oldest reply first, then the oldest event. */
		ret = kchan_dev_read_reply(df, ubuf, count);
		if (ret == -EAGAIN)
			ret = kchan_dev_read_event(df, ubuf, count);
		mutex_unlock(&df->read_lock);
		if (ret != -EAGAIN)
			return ret;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		/* No lock held while waiting; a signal gives -ERESTARTSYS. */
		ret = wait_event_interruptible(df->wait,
					       kchan_dev_readable(df));
		if (ret)
			return ret;
	}
}

static __poll_t kchan_dev_poll(struct file *file, poll_table *wait)
{
	struct kchan_dev_file *df = file->private_data;
	struct kchan_dev_ring *ring;
	__poll_t mask = 0;

	poll_wait(file, &df->wait, wait);
	if (!skb_queue_empty_lockless(&df->replies))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (skb_queue_len_lockless(&df->replies) < kchan_dev_reply_queue_len)
		mask |= EPOLLOUT | EPOLLWRNORM;
	/* Published once set up, never freed before release. */
	ring = smp_load_acquire(&df->ring);
	if (ring)
		mask |= kchan_dev_ring_poll(df, ring);
	else if (kchan_dev_event_ready(df))
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

static long kchan_dev_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct kchan_dev_file *df = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case KCHAN_IOC_CALL:
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		return kchan_dev_ioc_call(df, uarg);
	case KCHAN_IOC_SUBSCRIBE:
		if (!(file->f_mode & FMODE_READ))
			return -EBADF;
		return kchan_dev_ioc_subscribe(file);
	case KCHAN_IOC_UNSUBSCRIBE:
		return kchan_dev_ioc_unsubscribe(df);
	case KCHAN_IOC_RING_SETUP:
		if (!(file->f_mode & FMODE_READ))
			return -EBADF;
		return kchan_dev_ioc_ring_setup(file, uarg);
	default:
		return -ENOTTY;
	}
}

/* The last close: no read, write, ioctl, poll or mapping is left. */
static int kchan_dev_release(struct inode *inode, struct file *file)
{
	struct kchan_dev_file *df = file->private_data;

	/* Stops and frees the subscriber, and the ring if there is one. */
	kchan_dev_events_release(df);
	/* Replies nobody read: their requests ran and were counted. */
	skb_queue_purge(&df->replies);
	mutex_destroy(&df->write_lock);
	mutex_destroy(&df->read_lock);
	kfree(df);
	return 0;
}

static const struct file_operations kchan_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= kchan_dev_open,
	.read		= kchan_dev_read,
	.write		= kchan_dev_write,
	.poll		= kchan_dev_poll,
	.unlocked_ioctl	= kchan_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= kchan_dev_mmap,
	.release	= kchan_dev_release,
};

/*
 * The node's mode and group for devtmpfs (and DEVMODE/DEVGID for udev).
 * Kbuild tells whether this kernel passes the device as const (6.2 on).
 */
#ifdef KCHAN_DEVNODE_CONST_DEVICE
static char *kchan_dev_devnode(const struct device *dev, umode_t *modep,
			       kuid_t *uidp, kgid_t *gidp)
#else
static char *kchan_dev_devnode(struct device *dev, umode_t *modep,
			       kuid_t *uidp, kgid_t *gidp)
#endif
{
	if (modep)
		*modep = mode;
	if (gidp)
		*gidp = kchan_dev_kgid;
	/* NULL: the node is named after the device, /dev/KCHAN_DEV_NAME. */
	return NULL;
}

static const struct device_type kchan_dev_type = {
	.name		= KCHAN_DEV_NAME,
	.devnode	= kchan_dev_devnode,
};

static struct class kchan_dev_class = {
	.name		= KCHAN_DEV_NAME,
};

static void kchan_dev_device_release(struct device *dev)
{
	kfree(dev);
}

static int __init kchan_dev_check_params(void)
{
	/* devtmpfs would turn 0 into 0600 behind the user's back. */
	if (!mode || mode & ~0777) {
		pr_err("mode %#o: only permission bits (1..0777) are allowed\n",
		       mode);
		return -EINVAL;
	}
	kchan_dev_kgid = make_kgid(&init_user_ns, gid);
	if (!gid_valid(kchan_dev_kgid)) {
		pr_err("gid %u is no valid group\n", gid);
		return -EINVAL;
	}
	if (!kchan_dev_reply_queue_len ||
	    kchan_dev_reply_queue_len > KCHAN_DEV_REPLY_QUEUE_MAX) {
		pr_err("reply_queue_len %u: must be 1..%u\n",
		       kchan_dev_reply_queue_len, KCHAN_DEV_REPLY_QUEUE_MAX);
		return -EINVAL;
	}
	return 0;
}

static int __init kchan_dev_init(void)
{
	struct device *dev;
	int err;

	err = kchan_dev_check_params();
	if (err)
		return err;

	err = alloc_chrdev_region(&kchan_dev_devt, 0, 1, KCHAN_DEV_NAME);
	if (err) {
		pr_err("cannot allocate a device number: %d\n", err);
		return err;
	}
	/* A static class: class_create() changed its arguments in 6.4. */
	err = class_register(&kchan_dev_class);
	if (err) {
		pr_err("cannot register class %s: %d\n", KCHAN_DEV_NAME, err);
		goto unregister_region;
	}

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev) {
		err = -ENOMEM;
		goto unregister_class;
	}
	/* From here on put_device() frees it, through the release below. */
	device_initialize(dev);
	dev->devt = kchan_dev_devt;
	dev->class = &kchan_dev_class;
	dev->type = &kchan_dev_type;
	dev->release = kchan_dev_device_release;
	err = dev_set_name(dev, KCHAN_DEV_NAME);
	if (err)
		goto put_device;

	cdev_init(&kchan_dev_cdev, &kchan_dev_fops);
	kchan_dev_cdev.owner = THIS_MODULE;
	/* Last: the node appears, and opens may come, once this returns. */
	err = cdev_device_add(&kchan_dev_cdev, dev);
	if (err) {
		pr_err("cannot add /dev/%s: %d\n", KCHAN_DEV_NAME, err);
		goto put_device;
	}
	kchan_dev_device = dev;
	pr_info("ready (/dev/%s %u:%u, mode %#o, gid %u, reply_queue_len %u)\n",
		KCHAN_DEV_NAME, MAJOR(kchan_dev_devt), MINOR(kchan_dev_devt),
		mode, gid, kchan_dev_reply_queue_len);
	return 0;

put_device:
	put_device(dev);
unregister_class:
	class_unregister(&kchan_dev_class);
unregister_region:
	unregister_chrdev_region(kchan_dev_devt, 1);
	return err;
}

/* No file is open: each one pins the module. */
static void __exit kchan_dev_exit(void)
{
	/* The node vanishes here. */
	cdev_device_del(&kchan_dev_cdev, kchan_dev_device);
	put_device(kchan_dev_device);
	class_unregister(&kchan_dev_class);
	unregister_chrdev_region(kchan_dev_devt, 1);
}

module_init(kchan_dev_init);
module_exit(kchan_dev_exit);

MODULE_DESCRIPTION("kchannel character-device transport: read/write, ioctl, poll, mmap event ring");
MODULE_LICENSE("GPL");
