// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

/**
 * The constants of {@code kmods/include/uapi/kchan.h}, one Java field per C constant: the C name
 * without its {@code KCHAN_} prefix ({@code KCHAN_ATTR_KEY} is {@link #ATTR_KEY}).
 *
 * <p>The C header is the source of truth. {@code UapiHeaderTest} parses it and fails when a value
 * here differs, when the header gains a {@code KCHAN_} constant with no field here, or when a field
 * here has no constant there; so this class holds header twins and nothing else. The enums
 * {@link Command}, {@link KchanAttribute}, {@link EventType} and {@link TransportId} give the same
 * numbers names and types.
 */
public final class KchanProtocol {

    /** {@code KCHAN_PROTOCOL_VERSION}. */
    public static final int PROTOCOL_VERSION = 1;

    /** {@code KCHAN_GENL_NAME}: the Generic Netlink family name. */
    public static final String GENL_NAME = "kchan";
    /** {@code KCHAN_GENL_VERSION}: the Generic Netlink family version. */
    public static final int GENL_VERSION = 1;
    /** {@code KCHAN_MCGRP_EVENTS}: the Generic Netlink multicast group of events. */
    public static final String MCGRP_EVENTS = "events";

    /** {@code KCHAN_PROC_DIR}: kchan_procfs's directory under /proc. */
    public static final String PROC_DIR = "kchan";
    /** {@code KCHAN_PROC_CALL}: the binary request/reply file. */
    public static final String PROC_CALL = "call";
    /** {@code KCHAN_PROC_EVENTS}: the events file, read and polled. */
    public static final String PROC_EVENTS = "events";
    /** {@code KCHAN_PROC_STORE}: the text listing of every entry. */
    public static final String PROC_STORE = "store";
    /** {@code KCHAN_PROC_STATS}: the text listing of the counters. */
    public static final String PROC_STATS = "stats";

    /** {@code KCHAN_HDR_LEN}: bytes in {@code struct kchan_hdr}. */
    public static final int HDR_LEN = 16;

    /** {@code KCHAN_F_REPLY}: the message is a reply. */
    public static final int F_REPLY = 0x0001;
    /** {@code KCHAN_F_MORE}: a list reply that has more parts. */
    public static final int F_MORE = 0x0002;
    /** {@code KCHAN_F_EVENT}: a kernel-pushed event. */
    public static final int F_EVENT = 0x0004;
    /** {@code KCHAN_F_RING_PAD}: a chardev ring record that only fills the data area's end: skip it. */
    public static final int F_RING_PAD = 0x0008;

    /** {@code KCHAN_KEY_MAX}: keys are 1 to 64 bytes. */
    public static final int KEY_MAX = 64;
    /**
     * {@code KCHAN_VALUE_MAX}: values are at most 65456 bytes, so that a LIST reply's ENTRY nest
     * (nest header, a 64-byte KEY and the padded VALUE) still fits the nest's {@code u16 nla_len}.
     */
    public static final int VALUE_MAX = 65456;
    /** {@code KCHAN_PAYLOAD_MAX}: echo and event payloads, same limit as values. */
    public static final int PAYLOAD_MAX = 65531;
    /** {@code KCHAN_ERRMSG_MAX}: bytes of extended-ack text a reply carries. */
    public static final int ERRMSG_MAX = 128;
    /** {@code KCHAN_MSG_MAX}: the largest message accepted or sent, header included. */
    public static final int MSG_MAX = 262144;

    /** {@code KCHAN_CMD_UNSPEC}. */
    public static final int CMD_UNSPEC = 0;
    /** {@code KCHAN_CMD_ECHO}: PAYLOAD, answered with the same PAYLOAD. */
    public static final int CMD_ECHO = 1;
    /** {@code KCHAN_CMD_SET}: KEY, VALUE. */
    public static final int CMD_SET = 2;
    /** {@code KCHAN_CMD_GET}: KEY, answered with KEY, VALUE. */
    public static final int CMD_GET = 3;
    /** {@code KCHAN_CMD_DELETE}: KEY. */
    public static final int CMD_DELETE = 4;
    /** {@code KCHAN_CMD_LIST}: [CURSOR], answered with ENTRY..., [CURSOR]. */
    public static final int CMD_LIST = 5;
    /** {@code KCHAN_CMD_STATS}: answered with STORE_*, TRANSPORT_STATS.... */
    public static final int CMD_STATS = 6;
    /** {@code KCHAN_CMD_GEN_START}: COUNT, SIZE, [RATE]. */
    public static final int CMD_GEN_START = 7;
    /** {@code KCHAN_CMD_GEN_STOP}. */
    public static final int CMD_GEN_STOP = 8;
    /** {@code KCHAN_CMD_EVENT}: kernel to user only. */
    public static final int CMD_EVENT = 9;
    /** {@code KCHAN_CMD_MAX}: the largest command. */
    public static final int CMD_MAX = 9;

    /** {@code KCHAN_ATTR_UNSPEC}. */
    public static final int ATTR_UNSPEC = 0;
    /** {@code KCHAN_ATTR_PAD}: alignment for 64-bit attributes. */
    public static final int ATTR_PAD = 1;
    /** {@code KCHAN_ATTR_PAYLOAD}: binary, up to {@link #PAYLOAD_MAX}. */
    public static final int ATTR_PAYLOAD = 2;
    /** {@code KCHAN_ATTR_KEY}: binary, 1 to {@link #KEY_MAX}. */
    public static final int ATTR_KEY = 3;
    /** {@code KCHAN_ATTR_VALUE}: binary, up to {@link #VALUE_MAX}. */
    public static final int ATTR_VALUE = 4;
    /** {@code KCHAN_ATTR_CURSOR}: binary key; a list resumes after it. */
    public static final int ATTR_CURSOR = 5;
    /** {@code KCHAN_ATTR_ENTRY}: nested KEY, VALUE. */
    public static final int ATTR_ENTRY = 6;
    /** {@code KCHAN_ATTR_COUNT}: u64, generator event count. */
    public static final int ATTR_COUNT = 7;
    /** {@code KCHAN_ATTR_SIZE}: u32, generator payload size. */
    public static final int ATTR_SIZE = 8;
    /** {@code KCHAN_ATTR_RATE}: u32, generator events per second, 0 for flat out. */
    public static final int ATTR_RATE = 9;
    /** {@code KCHAN_ATTR_EVENT_TYPE}: u32, an {@link EventType}. */
    public static final int ATTR_EVENT_TYPE = 10;
    /** {@code KCHAN_ATTR_SEQ}: u64, per-subscriber event sequence. */
    public static final int ATTR_SEQ = 11;
    /** {@code KCHAN_ATTR_DROPPED}: u64, events this subscriber lost. */
    public static final int ATTR_DROPPED = 12;
    /** {@code KCHAN_ATTR_ERRMSG}: string, extended-ack message. */
    public static final int ATTR_ERRMSG = 13;
    /** {@code KCHAN_ATTR_ERRATTR}: u32, type of the offending attribute. */
    public static final int ATTR_ERRATTR = 14;
    /** {@code KCHAN_ATTR_STORE_ENTRIES}: u64. */
    public static final int ATTR_STORE_ENTRIES = 15;
    /** {@code KCHAN_ATTR_STORE_BYTES}: u64. */
    public static final int ATTR_STORE_BYTES = 16;
    /** {@code KCHAN_ATTR_TRANSPORT_STATS}: nested TRANSPORT, STAT_*. */
    public static final int ATTR_TRANSPORT_STATS = 17;
    /** {@code KCHAN_ATTR_TRANSPORT}: u32, a {@link TransportId}. */
    public static final int ATTR_TRANSPORT = 18;
    /** {@code KCHAN_ATTR_STAT_REQUESTS}: u64. */
    public static final int ATTR_STAT_REQUESTS = 19;
    /** {@code KCHAN_ATTR_STAT_ERRORS}: u64. */
    public static final int ATTR_STAT_ERRORS = 20;
    /** {@code KCHAN_ATTR_STAT_EVENTS}: u64, events queued for subscribers of this transport. */
    public static final int ATTR_STAT_EVENTS = 21;
    /** {@code KCHAN_ATTR_STAT_DROPS}: u64, events dropped. */
    public static final int ATTR_STAT_DROPS = 22;
    /** {@code KCHAN_ATTR_GEN_INDEX}: u64, generator event number. */
    public static final int ATTR_GEN_INDEX = 23;
    /** {@code KCHAN_ATTR_MAX}: the largest attribute type. */
    public static final int ATTR_MAX = 23;

    /** {@code KCHAN_TRANSPORT_CORE}: in-kernel callers (self-test). */
    public static final int TRANSPORT_CORE = 0;
    /** {@code KCHAN_TRANSPORT_NETLINK}. */
    public static final int TRANSPORT_NETLINK = 1;
    /** {@code KCHAN_TRANSPORT_PROCFS}. */
    public static final int TRANSPORT_PROCFS = 2;
    /** {@code KCHAN_TRANSPORT_SOCKOPT}. */
    public static final int TRANSPORT_SOCKOPT = 3;
    /** {@code KCHAN_TRANSPORT_CHARDEV}. */
    public static final int TRANSPORT_CHARDEV = 4;
    /** {@code KCHAN_TRANSPORT_MAX}: the largest transport id. */
    public static final int TRANSPORT_MAX = 4;

    /** {@code KCHAN_EVENT_UNSPEC}. */
    public static final int EVENT_UNSPEC = 0;
    /** {@code KCHAN_EVENT_STORE_SET}: KEY, VALUE. */
    public static final int EVENT_STORE_SET = 1;
    /** {@code KCHAN_EVENT_STORE_DELETE}: KEY. */
    public static final int EVENT_STORE_DELETE = 2;
    /** {@code KCHAN_EVENT_GENERATED}: GEN_INDEX, PAYLOAD. */
    public static final int EVENT_GENERATED = 3;
    /** {@code KCHAN_EVENT_PACKET}: a packet seen by the netfilter hook (posted by transports). */
    public static final int EVENT_PACKET = 4;
    /** {@code KCHAN_EVENT_MAX}: the largest event type. */
    public static final int EVENT_MAX = 4;

    /** {@code KCHAN_RAW_UNIT_DEFAULT}: kchan_netlink's raw protocol unit unless its raw_unit parameter says otherwise. */
    public static final int RAW_UNIT_DEFAULT = 25;
    /** {@code KCHAN_RAW_MSG_REQUEST}: nlmsg_type of a kchan request on the raw unit. */
    public static final int RAW_MSG_REQUEST = 0x10;
    /** {@code KCHAN_RAW_MSG_REPLY}: nlmsg_type of the kernel's reply to one request. */
    public static final int RAW_MSG_REPLY = 0x11;
    /** {@code KCHAN_RAW_MSG_HELLO}: nlmsg_type registering the sending socket as an event endpoint. */
    public static final int RAW_MSG_HELLO = 0x12;
    /** {@code KCHAN_RAW_MSG_BYE}: nlmsg_type unregistering the sending socket. */
    public static final int RAW_MSG_BYE = 0x13;
    /** {@code KCHAN_RAW_MSG_EVENT}: nlmsg_type of a kernel-pushed event to an endpoint. */
    public static final int RAW_MSG_EVENT = 0x14;

    /** {@code KCHAN_PACKET_ICMP}: first byte of an ICMP hook PACKET event's payload. */
    public static final int PACKET_ICMP = 1;
    /** {@code KCHAN_PACKET_ICMP_LEN}: bytes in an ICMP hook PACKET event's payload. */
    public static final int PACKET_ICMP_LEN = 16;

    /** {@code KCHAN_SO_BASE_CTL}: kchan_sockopt's option numbers are this plus the kchan command. */
    public static final int SO_BASE_CTL = 3072;
    /** {@code KCHAN_SO_ECHO}: getsockopt option running ECHO. */
    public static final int SO_ECHO = SO_BASE_CTL + 1;
    /** {@code KCHAN_SO_SET}: setsockopt option running SET. */
    public static final int SO_SET = SO_BASE_CTL + 2;
    /** {@code KCHAN_SO_GET}: getsockopt option running GET. */
    public static final int SO_GET = SO_BASE_CTL + 3;
    /** {@code KCHAN_SO_DELETE}: setsockopt option running DELETE. */
    public static final int SO_DELETE = SO_BASE_CTL + 4;
    /** {@code KCHAN_SO_LIST}: getsockopt option running one LIST part. */
    public static final int SO_LIST = SO_BASE_CTL + 5;
    /** {@code KCHAN_SO_STATS}: getsockopt option running STATS. */
    public static final int SO_STATS = SO_BASE_CTL + 6;
    /** {@code KCHAN_SO_GEN_START}: setsockopt option running GEN_START. */
    public static final int SO_GEN_START = SO_BASE_CTL + 7;
    /** {@code KCHAN_SO_GEN_STOP}: setsockopt option running GEN_STOP. */
    public static final int SO_GEN_STOP = SO_BASE_CTL + 8;
    /** {@code KCHAN_SO_MAX}: the last kchan_sockopt option number. */
    public static final int SO_MAX = SO_GEN_STOP;

    /** {@code KCHAN_DEV_NAME}: kchan_chardev's node under /dev. */
    public static final String DEV_NAME = "kchan";
    /** {@code KCHAN_IOC_MAGIC}: the ioctl type of kchan_chardev's requests. */
    public static final int IOC_MAGIC = 0xBA;
    /** {@code KCHAN_IOC_REPLY_MIN}: the smallest reply buffer KCHAN_IOC_CALL accepts. */
    public static final int IOC_REPLY_MIN = 256;
    /** {@code KCHAN_IOC_CALL}: {@code _IOWR(0xBA, 1, struct kchan_ioc_call)}, 32 bytes. */
    public static final long IOC_CALL = 0xC020BA01L;
    /** {@code KCHAN_IOC_SUBSCRIBE}: {@code _IO(0xBA, 2)}. */
    public static final long IOC_SUBSCRIBE = 0x0000BA02L;
    /** {@code KCHAN_IOC_UNSUBSCRIBE}: {@code _IO(0xBA, 3)}. */
    public static final long IOC_UNSUBSCRIBE = 0x0000BA03L;
    /** {@code KCHAN_IOC_RING_SETUP}: {@code _IOWR(0xBA, 4, struct kchan_ring_setup)}, 24 bytes. */
    public static final long IOC_RING_SETUP = 0xC018BA04L;

    /** {@code KCHAN_RING_DATA_MIN}: the smallest ring data area, room for any event. */
    public static final int RING_DATA_MIN = 262144;
    /** {@code KCHAN_RING_DATA_MAX}: the largest ring data area. */
    public static final int RING_DATA_MAX = 67108864;
    /** {@code KCHAN_RING_ALIGN}: every ring record starts at a multiple of this. */
    public static final int RING_ALIGN = 16;
    /** {@code KCHAN_RING_PRODUCER}: control-page offset of the kernel's u64 byte count. */
    public static final int RING_PRODUCER = 0;
    /** {@code KCHAN_RING_CONSUMER}: control-page offset of the reader's u64 byte count. */
    public static final int RING_CONSUMER = 64;
    /** {@code KCHAN_RING_FLAGS}: control-page offset of the kernel's u32 flags. */
    public static final int RING_FLAGS = 128;
    /** {@code KCHAN_RING_F_BROKEN}: the kernel saw an impossible consumer count and stopped the ring. */
    public static final int RING_F_BROKEN = 0x0001;

    private KchanProtocol() {
    }
}
