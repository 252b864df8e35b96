// SPDX-License-Identifier: GPL-2.0
/*
 * hello_user: a tiny module of a kchannel user's own, tested from Java in
 * the kernel lab with @KernelLabTest (examples/user-module/README.md).
 *
 * /proc/hello_user reads back "<greeting>, <name>\n". Writing a name of 1 to
 * HELLO_NAME_MAX letters, digits, '-' or '_' (one trailing newline allowed)
 * changes the name; anything else is refused with -EINVAL and changes
 * nothing. The greeting is a load-time parameter.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#define HELLO_PROC_NAME "hello_user"
#define HELLO_NAME_MAX 32
#define HELLO_GREETING_MAX 32
/* "<greeting>, <name>\n" and its terminating NUL. */
#define HELLO_REPLY_MAX (HELLO_GREETING_MAX + 2 + HELLO_NAME_MAX + 2)

static char *greeting = "hello";
module_param(greeting, charp, 0444);
MODULE_PARM_DESC(greeting, "first word of every reply (default \"hello\")");

static DEFINE_MUTEX(hello_lock);
static char hello_name[HELLO_NAME_MAX + 1] = "world";
static struct proc_dir_entry *hello_entry;

static ssize_t hello_read(struct file *file, char __user *buf, size_t count,
			  loff_t *ppos)
{
	char reply[HELLO_REPLY_MAX];
	int len;

	mutex_lock(&hello_lock);
	len = scnprintf(reply, sizeof(reply), "%s, %s\n", greeting, hello_name);
	mutex_unlock(&hello_lock);
	return simple_read_from_buffer(buf, count, ppos, reply, len);
}

static bool hello_name_valid(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (!isalnum(name[i]) && name[i] != '-' && name[i] != '_')
			return false;
	}
	return len > 0;
}

static ssize_t hello_write(struct file *file, const char __user *buf,
			   size_t count, loff_t *ppos)
{
	char name[HELLO_NAME_MAX + 2];
	size_t len = count;

	/* The name plus one optional newline; checked before any copy. */
	if (count == 0 || count > HELLO_NAME_MAX + 1)
		return -EINVAL;
	if (copy_from_user(name, buf, count))
		return -EFAULT;
	if (name[len - 1] == '\n')
		len--;
	if (len > HELLO_NAME_MAX || !hello_name_valid(name, len))
		return -EINVAL;
	name[len] = '\0';

	mutex_lock(&hello_lock);
	strscpy(hello_name, name, sizeof(hello_name));
	mutex_unlock(&hello_lock);
	return count;
}

static const struct proc_ops hello_proc_ops = {
	.proc_read = hello_read,
	.proc_write = hello_write,
	.proc_lseek = default_llseek,
};

static int __init hello_init(void)
{
	if (strlen(greeting) > HELLO_GREETING_MAX) {
		pr_err("greeting is longer than %d characters\n",
		       HELLO_GREETING_MAX);
		return -EINVAL;
	}
	hello_entry = proc_create(HELLO_PROC_NAME, 0600, NULL, &hello_proc_ops);
	if (!hello_entry)
		return -ENOMEM;
	pr_info("ready at /proc/%s\n", HELLO_PROC_NAME);
	return 0;
}

static void __exit hello_exit(void)
{
	proc_remove(hello_entry);
}

module_init(hello_init);
module_exit(hello_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("A user's own /proc module, tested with @KernelLabTest");
