// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_core: the reference service behind every kchannel transport.
 *
 * Module parameters, their checks, and module init and exit.  The service
 * itself lives in kchan_msg.c (messages), kchan_store.c (key-value store),
 * kchan_events.c (subscribers), kchan_gen.c (event generator) and
 * kchan_stats.c (counters); kchan_selftest.c exercises it at load time.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>

#include "kchan_internal.h"

#define KCHAN_MAX_ENTRIES_DEFAULT	65536
#define KCHAN_MAX_ENTRIES_LIMIT		16777216U
#define KCHAN_STORE_BYTES_DEFAULT	SZ_64M
#define KCHAN_STORE_BYTES_LIMIT		SZ_1G
#define KCHAN_SUB_QUEUE_DEFAULT		1024
#define KCHAN_SUB_QUEUE_LIMIT		65536
#define KCHAN_SUB_BYTES_DEFAULT		SZ_4M
/* The largest event body (a PAYLOAD of KCHAN_PAYLOAD_MAX) always fits. */
#define KCHAN_SUB_BYTES_MIN		KCHAN_ATTR_SPACE(KCHAN_PAYLOAD_MAX)
#define KCHAN_SUB_BYTES_LIMIT		SZ_1G
#define KCHAN_SUBSCRIBERS_DEFAULT	256
#define KCHAN_SUBSCRIBERS_LIMIT		65536
#define KCHAN_LIST_REPLY_DEFAULT	32768
/* Room for the header, the CURSOR and a few small entries. */
#define KCHAN_LIST_REPLY_MIN		256
/* Keeps a LIST reply buffer at order 5 (128 KiB) or below. */
#define KCHAN_LIST_REPLY_LIMIT		SZ_64K
#define KCHAN_GEN_COUNT_DEFAULT		10000000UL
/* Keeps index * NSEC_PER_SEC within a u64 when pacing the generator. */
#define KCHAN_GEN_COUNT_LIMIT		1000000000UL

unsigned int kchan_max_entries = KCHAN_MAX_ENTRIES_DEFAULT;
module_param_named(max_entries, kchan_max_entries, uint, 0444);
MODULE_PARM_DESC(max_entries,
		 "Most keys the store holds (1..16777216, default 65536)");

unsigned long kchan_max_store_bytes = KCHAN_STORE_BYTES_DEFAULT;
module_param_named(max_store_bytes, kchan_max_store_bytes, ulong, 0444);
MODULE_PARM_DESC(max_store_bytes,
		 "Most bytes the store accounts, value plus entry overhead per key (1..1 GiB, default 64 MiB)");

unsigned int kchan_sub_queue_len = KCHAN_SUB_QUEUE_DEFAULT;
module_param_named(sub_queue_len, kchan_sub_queue_len, uint, 0444);
MODULE_PARM_DESC(sub_queue_len,
		 "Events queued per subscriber before drops (1..65536, default 1024)");

unsigned int kchan_sub_queue_bytes = KCHAN_SUB_BYTES_DEFAULT;
module_param_named(sub_queue_bytes, kchan_sub_queue_bytes, uint, 0444);
MODULE_PARM_DESC(sub_queue_bytes,
		 "Event body bytes queued per subscriber before drops (65536..1 GiB, default 4 MiB)");

unsigned int kchan_max_subscribers = KCHAN_SUBSCRIBERS_DEFAULT;
module_param_named(max_subscribers, kchan_max_subscribers, uint, 0444);
MODULE_PARM_DESC(max_subscribers,
		 "Most event subscribers at a time (1..65536, default 256)");

unsigned int kchan_list_reply_max = KCHAN_LIST_REPLY_DEFAULT;
module_param_named(list_reply_max, kchan_list_reply_max, uint, 0444);
MODULE_PARM_DESC(list_reply_max,
		 "Bytes per LIST reply part, one entry always fits (256..65536, default 32768)");

unsigned long kchan_gen_max_count = KCHAN_GEN_COUNT_DEFAULT;
module_param_named(gen_max_count, kchan_gen_max_count, ulong, 0444);
MODULE_PARM_DESC(gen_max_count,
		 "Largest COUNT for GEN_START (1..1000000000, default 10000000)");

static bool kchan_selftest;
module_param_named(selftest, kchan_selftest, bool, 0444);
MODULE_PARM_DESC(selftest, "Run the self-test at load time (default off)");

static int __init kchan_check_params(void)
{
	int err = 0;

	if (!kchan_max_entries || kchan_max_entries > KCHAN_MAX_ENTRIES_LIMIT) {
		pr_err("max_entries=%u is outside 1..%u\n",
		       kchan_max_entries, KCHAN_MAX_ENTRIES_LIMIT);
		err = -EINVAL;
	}
	if (!kchan_max_store_bytes ||
	    kchan_max_store_bytes > KCHAN_STORE_BYTES_LIMIT) {
		pr_err("max_store_bytes=%lu is outside 1..%lu\n",
		       kchan_max_store_bytes,
		       (unsigned long)KCHAN_STORE_BYTES_LIMIT);
		err = -EINVAL;
	}
	if (!kchan_sub_queue_len ||
	    kchan_sub_queue_len > KCHAN_SUB_QUEUE_LIMIT) {
		pr_err("sub_queue_len=%u is outside 1..%u\n",
		       kchan_sub_queue_len, KCHAN_SUB_QUEUE_LIMIT);
		err = -EINVAL;
	}
	if (kchan_sub_queue_bytes < KCHAN_SUB_BYTES_MIN ||
	    kchan_sub_queue_bytes > KCHAN_SUB_BYTES_LIMIT) {
		pr_err("sub_queue_bytes=%u is outside %u..%u\n",
		       kchan_sub_queue_bytes, KCHAN_SUB_BYTES_MIN,
		       KCHAN_SUB_BYTES_LIMIT);
		err = -EINVAL;
	}
	if (!kchan_max_subscribers ||
	    kchan_max_subscribers > KCHAN_SUBSCRIBERS_LIMIT) {
		pr_err("max_subscribers=%u is outside 1..%u\n",
		       kchan_max_subscribers, KCHAN_SUBSCRIBERS_LIMIT);
		err = -EINVAL;
	}
	if (kchan_list_reply_max < KCHAN_LIST_REPLY_MIN ||
	    kchan_list_reply_max > KCHAN_LIST_REPLY_LIMIT) {
		pr_err("list_reply_max=%u is outside %u..%u\n",
		       kchan_list_reply_max, KCHAN_LIST_REPLY_MIN,
		       KCHAN_LIST_REPLY_LIMIT);
		err = -EINVAL;
	}
	if (!kchan_gen_max_count ||
	    kchan_gen_max_count > KCHAN_GEN_COUNT_LIMIT) {
		pr_err("gen_max_count=%lu is outside 1..%lu\n",
		       kchan_gen_max_count, KCHAN_GEN_COUNT_LIMIT);
		err = -EINVAL;
	}
	return err;
}

/* Undo everything init set up; also what exit does. */
static void kchan_core_teardown(void)
{
	kchan_gen_stop();
	kchan_events_exit();
	kchan_store_exit();
}

static int __init kchan_core_init(void)
{
	int err;

	err = kchan_check_params();
	if (err)
		return err;

	err = kchan_store_init();
	if (err)
		return err;

	if (kchan_selftest) {
		err = kchan_selftest_run();
		if (err)
			goto teardown;
	}

	pr_info("ready (protocol %u)\n", KCHAN_PROTOCOL_VERSION);
	return 0;

teardown:
	kchan_core_teardown();
	return err;
}

static void __exit kchan_core_exit(void)
{
	kchan_core_teardown();
}

module_init(kchan_core_init);
module_exit(kchan_core_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kchan reference service: echo, key-value store, events");
MODULE_AUTHOR("The kchannel authors");
