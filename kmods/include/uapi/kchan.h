/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kchan: the one wire format shared by every kchannel transport.
 *
 * A kchan message is a fixed header (struct kchan_hdr) followed by netlink
 * attributes (struct nlattr: 4-byte aligned, nestable).  The same bytes
 * travel through /proc, the character device and the netfilter sockopts;
 * on Generic Netlink the attributes follow the genl header.  kchan_core
 * validates every message once, against one strict policy, whichever door
 * it came through.
 *
 * The Java SDK parses this file in a test to prove its constants agree:
 * keep every constant a plain "#define NAME number" or an enum member with
 * an explicit value.
 */
#ifndef _UAPI_LINUX_KCHAN_H
#define _UAPI_LINUX_KCHAN_H

#include <linux/types.h>

#define KCHAN_PROTOCOL_VERSION	1

/* Generic Netlink family and multicast group names (transport-netlink). */
#define KCHAN_GENL_NAME		"kchan"
#define KCHAN_GENL_VERSION	1
#define KCHAN_MCGRP_EVENTS	"events"

/*
 * kchan_procfs: the directory /proc/KCHAN_PROC_DIR and its entries.
 * KCHAN_PROC_CALL   0600  write one kchan request, read its reply (binary)
 * KCHAN_PROC_EVENTS 0600  read() and poll() the events queued for this open
 * KCHAN_PROC_STORE  0444  every entry, one "key<TAB>value" line each (text)
 * KCHAN_PROC_STATS  0444  the counters, one "name<TAB>number" line each
 */
#define KCHAN_PROC_DIR		"kchan"
#define KCHAN_PROC_CALL		"call"
#define KCHAN_PROC_EVENTS	"events"
#define KCHAN_PROC_STORE	"store"
#define KCHAN_PROC_STATS	"stats"

/*
 * Fixed message header, host byte order like every netlink header.
 * @cmd:    enum kchan_cmd
 * @flags:  KCHAN_F_* bits
 * @seq:    chosen by the sender of a request, copied into its reply
 * @status: 0 or a negative errno (replies only; requests send 0)
 * @len:    total length in bytes, this header included
 */
struct kchan_hdr {
	__u16	cmd;
	__u16	flags;
	__u32	seq;
	__s32	status;
	__u32	len;
};

#define KCHAN_HDR_LEN		16

/* Header flags. */
#define KCHAN_F_REPLY		0x0001	/* message is a reply */
#define KCHAN_F_MORE		0x0002	/* a list reply that has more parts */
#define KCHAN_F_EVENT		0x0004	/* kernel-pushed event */

/* Limits. */
#define KCHAN_KEY_MAX		64	/* bytes; keys are 1..64 bytes */
/*
 * A value must also fit a LIST reply's ENTRY nest, whose u16 nla_len covers
 * the nest header, a 64-byte KEY attribute and the padded VALUE attribute:
 * 4 + 68 + NLA_ALIGN(4 + 65456) = 65532 <= U16_MAX; 65457 would not fit.
 */
#define KCHAN_VALUE_MAX		65456	/* bytes; see above */
#define KCHAN_PAYLOAD_MAX	65531	/* bytes; U16_MAX less an nlattr header */
#define KCHAN_ERRMSG_MAX	128	/* extended-ack text carried in replies */
#define KCHAN_MSG_MAX		262144	/* largest message accepted or sent */

enum kchan_cmd {
	KCHAN_CMD_UNSPEC	= 0,
	KCHAN_CMD_ECHO		= 1,	/* PAYLOAD -> PAYLOAD */
	KCHAN_CMD_SET		= 2,	/* KEY, VALUE -> (status) */
	KCHAN_CMD_GET		= 3,	/* KEY -> KEY, VALUE */
	KCHAN_CMD_DELETE	= 4,	/* KEY -> (status) */
	KCHAN_CMD_LIST		= 5,	/* [CURSOR] -> ENTRY..., [CURSOR] */
	KCHAN_CMD_STATS		= 6,	/* -> STORE_*, TRANSPORT_STATS... */
	KCHAN_CMD_GEN_START	= 7,	/* COUNT, SIZE, [RATE] -> (status) */
	KCHAN_CMD_GEN_STOP	= 8,	/* -> (status) */
	KCHAN_CMD_EVENT		= 9,	/* kernel -> user only */
	__KCHAN_CMD_MAX,
};

#define KCHAN_CMD_MAX		(__KCHAN_CMD_MAX - 1)

enum kchan_attr {
	KCHAN_ATTR_UNSPEC	= 0,
	KCHAN_ATTR_PAD		= 1,	/* alignment for 64-bit attributes */
	KCHAN_ATTR_PAYLOAD	= 2,	/* binary, up to KCHAN_PAYLOAD_MAX */
	KCHAN_ATTR_KEY		= 3,	/* binary, 1..KCHAN_KEY_MAX */
	KCHAN_ATTR_VALUE	= 4,	/* binary, up to KCHAN_VALUE_MAX */
	KCHAN_ATTR_CURSOR	= 5,	/* binary key: list resumes after it */
	KCHAN_ATTR_ENTRY	= 6,	/* nested: KEY, VALUE */
	KCHAN_ATTR_COUNT	= 7,	/* u64: generator event count */
	KCHAN_ATTR_SIZE		= 8,	/* u32: generator payload size */
	KCHAN_ATTR_RATE		= 9,	/* u32: generator events/s, 0 = flat out */
	KCHAN_ATTR_EVENT_TYPE	= 10,	/* u32: enum kchan_event_type */
	KCHAN_ATTR_SEQ		= 11,	/* u64: per-subscriber event sequence */
	KCHAN_ATTR_DROPPED	= 12,	/* u64: events this subscriber lost */
	KCHAN_ATTR_ERRMSG	= 13,	/* string: extended-ack message */
	KCHAN_ATTR_ERRATTR	= 14,	/* u32: type of the offending attr */
	KCHAN_ATTR_STORE_ENTRIES = 15,	/* u64 */
	KCHAN_ATTR_STORE_BYTES	= 16,	/* u64: values plus entry overhead */
	KCHAN_ATTR_TRANSPORT_STATS = 17, /* nested: TRANSPORT, STAT_* */
	KCHAN_ATTR_TRANSPORT	= 18,	/* u32: enum kchan_transport */
	KCHAN_ATTR_STAT_REQUESTS = 19,	/* u64 */
	KCHAN_ATTR_STAT_ERRORS	= 20,	/* u64 */
	KCHAN_ATTR_STAT_EVENTS	= 21,	/* u64: events queued to subscribers */
	KCHAN_ATTR_STAT_DROPS	= 22,	/* u64: events subscribers lost */
	KCHAN_ATTR_GEN_INDEX	= 23,	/* u64: generator event number */
	__KCHAN_ATTR_MAX,
};

#define KCHAN_ATTR_MAX		(__KCHAN_ATTR_MAX - 1)

enum kchan_transport {
	KCHAN_TRANSPORT_CORE	= 0,	/* in-kernel callers (self-test) */
	KCHAN_TRANSPORT_NETLINK	= 1,
	KCHAN_TRANSPORT_PROCFS	= 2,
	KCHAN_TRANSPORT_SOCKOPT	= 3,
	KCHAN_TRANSPORT_CHARDEV	= 4,
	__KCHAN_TRANSPORT_MAX,
};

#define KCHAN_TRANSPORT_MAX	(__KCHAN_TRANSPORT_MAX - 1)

enum kchan_event_type {
	KCHAN_EVENT_UNSPEC	= 0,
	KCHAN_EVENT_STORE_SET	= 1,	/* KEY, VALUE */
	KCHAN_EVENT_STORE_DELETE = 2,	/* KEY */
	KCHAN_EVENT_GENERATED	= 3,	/* GEN_INDEX, PAYLOAD */
	KCHAN_EVENT_PACKET	= 4,	/* PAYLOAD (posted by a transport) */
	__KCHAN_EVENT_MAX,
};

#define KCHAN_EVENT_MAX		(__KCHAN_EVENT_MAX - 1)

/*
 * The raw netlink protocol unit (kchan_netlink's raw_unit parameter; no
 * in-tree protocol uses 23..31).  Each netlink message carries exactly one
 * whole kchan message (struct kchan_hdr included) as its payload;
 * nlmsg_type says what it is for:
 *
 * KCHAN_RAW_MSG_REQUEST  user -> kernel: a kchan request.  The kernel
 *	queues it and answers with one KCHAN_RAW_MSG_REPLY carrying the
 *	request's nlmsg_seq, whose kchan message holds the status (and
 *	ERRMSG/ERRATTR on failure).  A request refused before it is queued
 *	(a payload that is no kchan message by its length or header len,
 *	queue full) is answered with NLMSG_ERROR and an extended ack
 *	instead.  Replies to several requests may come in any order.
 * KCHAN_RAW_MSG_HELLO    user -> kernel, no payload: register the sending
 *	socket's port id as an event endpoint (CAP_NET_ADMIN; -EMFILE when
 *	the kernel has no room for one more).  Registering twice is no
 *	error.  The kernel acks it when NLM_F_ACK is set.
 * KCHAN_RAW_MSG_BYE      user -> kernel, no payload: forget the endpoint
 *	(no error if there is none); closing the socket does the same.
 *	Nothing is pushed to it once that has returned.
 * KCHAN_RAW_MSG_EVENT    kernel -> user: one kchan event (SEQ, DROPPED,
 *	EVENT_TYPE...), pushed to every endpoint by a kernel thread of its
 *	own; SEQ and DROPPED are the endpoint's own, from 0 at HELLO.
 */
#define KCHAN_RAW_UNIT_DEFAULT	25
#define KCHAN_RAW_MSG_REQUEST	0x10
#define KCHAN_RAW_MSG_REPLY	0x11
#define KCHAN_RAW_MSG_HELLO	0x12
#define KCHAN_RAW_MSG_BYE	0x13
#define KCHAN_RAW_MSG_EVENT	0x14

/*
 * The PAYLOAD of a PACKET event from kchan_netlink's ICMP hook (icmp_events
 * parameter): one IPv4 ICMP packet seen at NF_INET_LOCAL_IN, 16 bytes,
 * addresses and the echo id and sequence in network byte order.
 *
 *	offset 0  __u8   KCHAN_PACKET_ICMP
 *	offset 1  __u8   ICMP type (8 echo request, 0 echo reply, ...)
 *	offset 2  __u8   ICMP code
 *	offset 3  __u8   0
 *	offset 4  __be32 source address
 *	offset 8  __be32 destination address
 *	offset 12 __be16 echo identifier (0 for other types)
 *	offset 14 __be16 echo sequence number (0 for other types)
 */
#define KCHAN_PACKET_ICMP	1
#define KCHAN_PACKET_ICMP_LEN	16

#endif /* _UAPI_LINUX_KCHAN_H */
