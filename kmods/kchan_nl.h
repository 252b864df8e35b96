/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kchan_netlink internals shared between its source files: the module
 * parameters (kchan_nl_main.c) and the start and stop of each part.
 * kchan_nl_main.c calls them in this order at load and in reverse at
 * unload: the Generic Netlink family, the raw protocol unit, the ICMP hook.
 */
#ifndef _KCHAN_NL_H
#define _KCHAN_NL_H

#include <linux/types.h>

#include "kchan_core.h"

/* raw_unit: this value leaves the raw protocol unit out. */
#define KCHAN_NL_RAW_UNIT_OFF		(-1)

/* Module parameters, checked by kchan_nl_main.c before any part starts. */
extern int kchan_nl_raw_unit;
extern unsigned int kchan_nl_raw_queue_len;
extern unsigned int kchan_nl_raw_queue_bytes;
extern bool kchan_nl_icmp_events;

/* kchan_nl_genl.c: the Generic Netlink family "kchan" and its events. */
int kchan_nl_genl_init(void);
void kchan_nl_genl_exit(void);

/* kchan_nl_raw.c: the raw protocol unit kchan_nl_raw_unit, not OFF. */
int kchan_nl_raw_init(void);
void kchan_nl_raw_exit(void);

/* kchan_nl_icmp.c: the netfilter hook posting ICMP PACKET events. */
int kchan_nl_icmp_init(void);
void kchan_nl_icmp_exit(void);

#endif /* _KCHAN_NL_H */
