// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_netlink: the netlink transport of kchan_core.
 *
 * Module parameters, their checks, and the order in which the parts start
 * and stop.  The parts: the Generic Netlink family "kchan"
 * (kchan_nl_genl.c), the raw protocol unit in the classic style of
 * crypto_user (kchan_nl_raw.c) and the netfilter hook that turns incoming
 * ICMP packets into PACKET events (kchan_nl_icmp.c).  Each only moves
 * messages between user space and kchan_core; the service is kchan_core's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netlink.h>
#include <linux/sizes.h>

#include "kchan_nl.h"

/*
 * Units below this belong to the kernel: NETLINK_SMC (22) is the highest
 * in 6.1 and 6.12, and a module must not take one that a kernel built
 * with other options may use.
 */
#define KCHAN_NL_RAW_UNIT_FIRST		23
#define KCHAN_NL_RAW_UNIT_LAST		(MAX_LINKS - 1)
#define KCHAN_NL_RAW_QUEUE_DEFAULT	1024
#define KCHAN_NL_RAW_QUEUE_LIMIT	65536
#define KCHAN_NL_RAW_BYTES_DEFAULT	SZ_16M
/* The largest message a request may be always fits. */
#define KCHAN_NL_RAW_BYTES_MIN		KCHAN_MSG_MAX
#define KCHAN_NL_RAW_BYTES_LIMIT	SZ_1G

int kchan_nl_raw_unit = KCHAN_RAW_UNIT_DEFAULT;
module_param_named(raw_unit, kchan_nl_raw_unit, int, 0444);
MODULE_PARM_DESC(raw_unit,
		 "Raw netlink protocol unit (23..31, default 25; -1: none)");

unsigned int kchan_nl_raw_queue_len = KCHAN_NL_RAW_QUEUE_DEFAULT;
module_param_named(raw_queue_len, kchan_nl_raw_queue_len, uint, 0444);
MODULE_PARM_DESC(raw_queue_len,
		 "Raw unit requests queued or running before ENOBUFS (1..65536, default 1024)");

unsigned int kchan_nl_raw_queue_bytes = KCHAN_NL_RAW_BYTES_DEFAULT;
module_param_named(raw_queue_bytes, kchan_nl_raw_queue_bytes, uint, 0444);
MODULE_PARM_DESC(raw_queue_bytes,
		 "Raw unit request bytes queued or running before ENOBUFS (262144..1 GiB, default 16 MiB)");

bool kchan_nl_icmp_events;
module_param_named(icmp_events, kchan_nl_icmp_events, bool, 0444);
MODULE_PARM_DESC(icmp_events,
		 "Post a PACKET event for every IPv4 ICMP packet received (default off)");

static int __init kchan_nl_check_params(void)
{
	int err = 0;

	if (kchan_nl_raw_unit != KCHAN_NL_RAW_UNIT_OFF &&
	    (kchan_nl_raw_unit < KCHAN_NL_RAW_UNIT_FIRST ||
	     kchan_nl_raw_unit > KCHAN_NL_RAW_UNIT_LAST)) {
		pr_err("raw_unit=%d is outside %d..%d (or %d for none)\n",
		       kchan_nl_raw_unit, KCHAN_NL_RAW_UNIT_FIRST,
		       KCHAN_NL_RAW_UNIT_LAST, KCHAN_NL_RAW_UNIT_OFF);
		err = -EINVAL;
	}
	if (!kchan_nl_raw_queue_len ||
	    kchan_nl_raw_queue_len > KCHAN_NL_RAW_QUEUE_LIMIT) {
		pr_err("raw_queue_len=%u is outside 1..%u\n",
		       kchan_nl_raw_queue_len, KCHAN_NL_RAW_QUEUE_LIMIT);
		err = -EINVAL;
	}
	if (kchan_nl_raw_queue_bytes < KCHAN_NL_RAW_BYTES_MIN ||
	    kchan_nl_raw_queue_bytes > KCHAN_NL_RAW_BYTES_LIMIT) {
		pr_err("raw_queue_bytes=%u is outside %u..%u\n",
		       kchan_nl_raw_queue_bytes, KCHAN_NL_RAW_BYTES_MIN,
		       KCHAN_NL_RAW_BYTES_LIMIT);
		err = -EINVAL;
	}
	return err;
}

static int __init kchan_nl_init(void)
{
	bool raw = kchan_nl_raw_unit != KCHAN_NL_RAW_UNIT_OFF;
	int err;

	err = kchan_nl_check_params();
	if (err)
		return err;

	err = kchan_nl_genl_init();
	if (err)
		return err;
	if (kchan_nl_icmp_events) {
		err = kchan_nl_icmp_init();
		if (err)
			goto genl_exit;
	}
	/*
	 * Last, since nothing may fail after it: a user socket on the unit
	 * takes a reference on this module, which a failed init would free
	 * whatever its count.
	 */
	if (raw) {
		err = kchan_nl_raw_init();
		if (err)
			goto icmp_exit;
	}
	if (raw)
		pr_info("ready (genl family %s, raw unit %d, icmp events %s)\n",
			KCHAN_GENL_NAME, kchan_nl_raw_unit,
			kchan_nl_icmp_events ? "on" : "off");
	else
		pr_info("ready (genl family %s, no raw unit, icmp events %s)\n",
			KCHAN_GENL_NAME, kchan_nl_icmp_events ? "on" : "off");
	return 0;

icmp_exit:
	if (kchan_nl_icmp_events)
		kchan_nl_icmp_exit();
genl_exit:
	kchan_nl_genl_exit();
	return err;
}

/*
 * The reverse of init.  Each part stops what calls into it (the hook is
 * unregistered, the raw unit's input and queue drained, the genl family
 * unregistered) before it frees what those calls use.
 */
static void __exit kchan_nl_exit(void)
{
	if (kchan_nl_icmp_events)
		kchan_nl_icmp_exit();
	if (kchan_nl_raw_unit != KCHAN_NL_RAW_UNIT_OFF)
		kchan_nl_raw_exit();
	kchan_nl_genl_exit();
}

module_init(kchan_nl_init);
module_exit(kchan_nl_exit);

MODULE_DESCRIPTION("kchannel netlink transport: Generic Netlink, a raw unit, an ICMP hook");
MODULE_LICENSE("GPL");
