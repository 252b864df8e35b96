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

#include <linux/ioctl.h>
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
#define KCHAN_F_RING_PAD	0x0008	/* ring padding: skip len bytes */

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

/*
 * kchan_sockopt: netfilter sockopts (nf_register_sockopt) at level
 * IPPROTO_IP of any AF_INET socket (a UDP socket will do).  The option
 * number less KCHAN_SO_BASE_CTL is the kchan command it carries, and the
 * option buffer is one whole kchan message of that command (hdr.cmd and
 * hdr.len must agree with the option and the length).
 *
 * setsockopt(2) runs the commands that change state (SET, DELETE,
 * GEN_START, GEN_STOP) and returns 0 or -1 with errno; nothing else comes
 * back.  They need CAP_NET_ADMIN over the socket's network namespace, and
 * that namespace must be the initial one, since the store is not kept per
 * namespace: -EPERM otherwise, nothing changed.
 *
 * getsockopt(2) runs the reads (ECHO, GET, LIST, STATS), open to anyone.
 * The buffer holds the request (hdr.len bytes, hdr.len <= *optlen) and
 * receives the reply; *optlen becomes the reply's length.  When the reply
 * is longer than *optlen, only its header is written, with status -ERANGE
 * and len the reply's full length, getsockopt returns 0 and *optlen is set
 * to that length (so it exceeds the buffer given): run the request again
 * with a buffer that large.  (The IPv4 stack copies *optlen back only when
 * the call succeeds, so "too small" is a success with a larger *optlen.)
 * A LIST reply holds as many entries as fit list_reply_max and a CURSOR
 * when more follow: a listing is a series of gets.
 *
 * Errors: a command on the wrong call (ECHO through setsockopt, SET through
 * getsockopt) -ENOPROTOOPT; a length outside the command's table entry
 * (kmods/README.md) or a header disagreeing with the option or the length
 * -EINVAL, checked before anything is copied beyond the header.
 *
 * Ranges at this level already taken in-tree, avoided: ip_tables 64..,
 * SO_ORIGINAL_DST 80, ipset 83, arp_tables 96.., ebtables 128.., the
 * multicast routing options 200.. (never passed to netfilter), IPVS 1152..
 */
#define KCHAN_SO_BASE_CTL	3072
#define KCHAN_SO_ECHO		(KCHAN_SO_BASE_CTL + 1)	/* get */
#define KCHAN_SO_SET		(KCHAN_SO_BASE_CTL + 2)	/* set */
#define KCHAN_SO_GET		(KCHAN_SO_BASE_CTL + 3)	/* get */
#define KCHAN_SO_DELETE		(KCHAN_SO_BASE_CTL + 4)	/* set */
#define KCHAN_SO_LIST		(KCHAN_SO_BASE_CTL + 5)	/* get */
#define KCHAN_SO_STATS		(KCHAN_SO_BASE_CTL + 6)	/* get */
#define KCHAN_SO_GEN_START	(KCHAN_SO_BASE_CTL + 7)	/* set */
#define KCHAN_SO_GEN_STOP	(KCHAN_SO_BASE_CTL + 8)	/* set */
#define KCHAN_SO_MAX		KCHAN_SO_GEN_STOP

/*
 * kchan_chardev: the character device /dev/KCHAN_DEV_NAME (mode and group
 * are module parameters; 0600 root:root by default).  Privilege to change
 * state is CAP_NET_ADMIN of the opener, decided at open(2) and kept with
 * the open file.
 *
 * write(2) one whole kchan request (count == hdr.len, 16..KCHAN_MSG_MAX)
 * and read(2) its reply on the same open file: replies come back in
 * request order, at most reply_queue_len unread (-EBUSY beyond).  A read
 * returns one whole message, the oldest reply, else the oldest event when
 * the file is subscribed without a ring; a buffer too small for it gives
 * -EMSGSIZE and consumes nothing (KCHAN_MSG_MAX bytes always suffice).
 * read blocks until there is a message, or gives -EAGAIN under
 * O_NONBLOCK; poll reports POLLIN | POLLRDNORM when read would not block.
 */
#define KCHAN_DEV_NAME		"kchan"

/* The ioctl type: 0xBA has no entry in ioctl-number.rst up to 6.12. */
#define KCHAN_IOC_MAGIC		0xBA

/*
 * KCHAN_IOC_CALL: one request and its reply in one system call, apart
 * from the write/read queue; any number may run at once on one file.
 * @request:     user address of one whole kchan request
 * @reply:       user address of the reply buffer
 * @request_len: bytes at @request, equal to its hdr.len
 * @reply_cap:   bytes at @reply, at least KCHAN_IOC_REPLY_MIN (checked
 *		 before the request runs, so that the reply of a request
 *		 that changes state always fits)
 * @reply_len:   out: the reply's length.  When it exceeds @reply_cap the
 *		 call fails with -ERANGE and nothing is written at @reply:
 *		 repeat the request (a read) with a buffer that large.
 * @flags:       0
 */
struct kchan_ioc_call {
	__u64	request;
	__u64	reply;
	__u32	request_len;
	__u32	reply_cap;
	__u32	reply_len;
	__u32	flags;
};

#define KCHAN_IOC_REPLY_MIN	256

/*
 * KCHAN_IOC_RING_SETUP: subscribe this open file to events delivered into
 * a ring shared with user space, then mmap(2) it: mmap_len bytes at
 * offset 0, MAP_SHARED.
 * @data_size:   in: bytes of event data, a power of two,
 *		 KCHAN_RING_DATA_MIN..KCHAN_RING_DATA_MAX
 * @flags:       in: 0
 * @mmap_len:    out: the length to map: a control page, then the data
 * @data_offset: out: where the data starts in the mapping
 */
struct kchan_ring_setup {
	__u32	data_size;
	__u32	flags;
	__u64	mmap_len;
	__u64	data_offset;
};

/*
 * Control ioctls; unknown ones give -ENOTTY.
 * SUBSCRIBE:   queue events for read(2) on this file (CAP_NET_ADMIN);
 *		-EBUSY when it is subscribed already, ring or not.
 * UNSUBSCRIBE: stop and drop what is queued; no error when not subscribed.
 */
#define KCHAN_IOC_CALL		_IOWR(KCHAN_IOC_MAGIC, 1, struct kchan_ioc_call)
#define KCHAN_IOC_SUBSCRIBE	_IO(KCHAN_IOC_MAGIC, 2)
#define KCHAN_IOC_UNSUBSCRIBE	_IO(KCHAN_IOC_MAGIC, 3)
#define KCHAN_IOC_RING_SETUP	_IOWR(KCHAN_IOC_MAGIC, 4, struct kchan_ring_setup)

/*
 * The event ring.  The control page holds, at these byte offsets:
 *   KCHAN_RING_PRODUCER __u64 bytes of data the kernel has written, ever;
 *		the kernel stores it with release semantics after the
 *		records: load it with acquire
 *   KCHAN_RING_CONSUMER __u64 bytes the reader has consumed, ever; the
 *		reader stores it with release semantics once done with the
 *		records.  A value behind the previous one or past PRODUCER
 *		stops the ring: KCHAN_RING_F_BROKEN, poll reports POLLERR.
 *   KCHAN_RING_FLAGS    __u32 KCHAN_RING_F_* set by the kernel
 * Each record is one kchan message at data offset
 * (CONSUMER & (data_size - 1)), hdr.len bytes, taking hdr.len rounded up
 * to KCHAN_RING_ALIGN.  A record never wraps: when the next event does
 * not fit before the end, a record with flags KCHAN_F_RING_PAD fills the
 * rest and the event starts at offset 0.  Events are the messages read(2)
 * would return, SEQ and DROPPED included: a full ring leaves events in the
 * subscriber's bounded queue, and only that queue drops, counted.  The
 * kernel moves queued events into the ring when they arrive and on every
 * poll(2), waking the reader once per batch; poll reports POLLIN when
 * PRODUCER differs from CONSUMER.
 */
#define KCHAN_RING_DATA_MIN	262144		/* KCHAN_MSG_MAX: any event fits */
#define KCHAN_RING_DATA_MAX	67108864
#define KCHAN_RING_ALIGN	16
#define KCHAN_RING_PRODUCER	0
#define KCHAN_RING_CONSUMER	64
#define KCHAN_RING_FLAGS	128
#define KCHAN_RING_F_BROKEN	0x0001

#endif /* _UAPI_LINUX_KCHAN_H */
