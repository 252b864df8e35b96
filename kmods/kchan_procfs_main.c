// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_procfs: the /proc transport of kchan_core.
 *
 * One directory, /proc/KCHAN_PROC_DIR, in the one global /proc (not a
 * per-namespace /proc/net entry: there is one kchan_core), with four
 * entries:
 *
 *   call    0600  write one kchan request, read its reply (binary)
 *   events  0600  read() and poll() this open file's event subscriber
 *   store   0444  every store entry as a "key<TAB>value" text line
 *   stats   0444  the counters as "name<TAB>number" text lines
 *
 * Files that change state or carry events are for root only; the views
 * are for everyone.  Each entry only moves bytes between user space and
 * kchan_core; validation, the service and the counters are kchan_core's.
 * This file registers the entries in that order and removes them at exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/stat.h>

#include "kchan_procfs.h"

/* Entries that change state or hand out events; read-only views. */
#define KCHAN_PROC_MODE_PRIVATE	0600
#define KCHAN_PROC_MODE_VIEW	0444

struct kchan_proc_entry {
	const char *name;
	umode_t mode;
	const struct proc_ops *ops;
};

/*
 * events comes last: nothing may fail once it exists, since removing it
 * from under a task asleep in poll() on it would free the wait queue that
 * task is on (kchan_procfs_events.c).
 */
static const struct kchan_proc_entry kchan_proc_entries[] = {
	{ KCHAN_PROC_CALL,   KCHAN_PROC_MODE_PRIVATE, &kchan_proc_call_ops },
	{ KCHAN_PROC_STORE,  KCHAN_PROC_MODE_VIEW,    &kchan_proc_store_ops },
	{ KCHAN_PROC_STATS,  KCHAN_PROC_MODE_VIEW,    &kchan_proc_stats_ops },
	{ KCHAN_PROC_EVENTS, KCHAN_PROC_MODE_PRIVATE, &kchan_proc_events_ops },
};

static struct proc_dir_entry *kchan_proc_dir;

static int __init kchan_proc_init(void)
{
	const struct kchan_proc_entry *e;
	unsigned int i;

	kchan_proc_dir = proc_mkdir(KCHAN_PROC_DIR, NULL);
	if (!kchan_proc_dir) {
		pr_err("cannot create /proc/%s\n", KCHAN_PROC_DIR);
		return -ENOMEM;
	}
	for (i = 0; i < ARRAY_SIZE(kchan_proc_entries); i++) {
		e = &kchan_proc_entries[i];
		if (!proc_create(e->name, e->mode, kchan_proc_dir, e->ops)) {
			pr_err("cannot create /proc/%s/%s\n", KCHAN_PROC_DIR,
			       e->name);
			goto remove_dir;
		}
	}
	pr_info("ready (/proc/%s: %s, %s, %s, %s)\n", KCHAN_PROC_DIR,
		KCHAN_PROC_CALL, KCHAN_PROC_EVENTS, KCHAN_PROC_STORE,
		KCHAN_PROC_STATS);
	return 0;

remove_dir:
	/* Removes the entries created so far with their directory. */
	proc_remove(kchan_proc_dir);
	return -ENOMEM;
}

/*
 * proc_remove() waits for every read, write and poll running in an entry
 * and then releases each file still open on call, store and stats (later
 * calls on them fail with -EIO), so nothing of this module runs once it
 * returns.  An open events file holds a reference on the module instead
 * (kchan_procfs_events.c says why), so none is open here.  The module
 * keeps no other state.
 */
static void __exit kchan_proc_exit(void)
{
	proc_remove(kchan_proc_dir);
}

module_init(kchan_proc_init);
module_exit(kchan_proc_exit);

MODULE_DESCRIPTION("kchannel /proc transport: request/reply, events with poll, store and stats views");
MODULE_LICENSE("GPL");
