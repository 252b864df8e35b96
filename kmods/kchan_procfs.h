/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kchan_procfs internals shared between its source files: the proc_ops of
 * each entry under /proc/KCHAN_PROC_DIR, which kchan_procfs_main.c
 * registers at load and removes at unload.
 */
#ifndef _KCHAN_PROCFS_H
#define _KCHAN_PROCFS_H

#include <linux/proc_fs.h>

#include "kchan_core.h"

/* kchan_procfs_call.c: KCHAN_PROC_CALL, one request, then its reply. */
extern const struct proc_ops kchan_proc_call_ops;

/* kchan_procfs_events.c: KCHAN_PROC_EVENTS, one subscriber per open. */
extern const struct proc_ops kchan_proc_events_ops;

/* kchan_procfs_store.c: KCHAN_PROC_STORE, every entry as a text line. */
extern const struct proc_ops kchan_proc_store_ops;

/* kchan_procfs_stats.c: KCHAN_PROC_STATS, the counters as text lines. */
extern const struct proc_ops kchan_proc_stats_ops;

#endif /* _KCHAN_PROCFS_H */
