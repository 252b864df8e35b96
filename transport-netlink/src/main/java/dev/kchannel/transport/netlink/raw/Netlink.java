// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

/**
 * The numbers of {@code <linux/netlink.h>} that a netlink client needs: protocol units, the
 * {@code nlmsghdr} layout, message types, header flags, socket options and the extended-ack
 * attributes. Names follow the C header, so a reader can look each one up there. These are part of
 * the kernel's userspace ABI and the same on every architecture.
 */
public final class Netlink {

    // ---- protocol units: the third argument of socket(AF_NETLINK, SOCK_RAW, protocol) -------

    /** Routing and device configuration: links, addresses, routes (rtnetlink). */
    public static final int NETLINK_ROUTE = 0;
    /** Reserved for protocols between userspace programs. */
    public static final int NETLINK_USERSOCK = 2;
    /** Socket monitoring ({@code ss}). */
    public static final int NETLINK_SOCK_DIAG = 4;
    /** IPsec. */
    public static final int NETLINK_XFRM = 6;
    /** The audit subsystem. */
    public static final int NETLINK_AUDIT = 9;
    /** The kernel connector. */
    public static final int NETLINK_CONNECTOR = 11;
    /** nfnetlink: conntrack, nftables, queues, logs. */
    public static final int NETLINK_NETFILTER = 12;
    /** Device events ({@code udev}). */
    public static final int NETLINK_KOBJECT_UEVENT = 15;
    /** Generic Netlink: families registered by name, resolved through {@code nlctrl}. */
    public static final int NETLINK_GENERIC = 16;
    /** The crypto layer's configuration interface. */
    public static final int NETLINK_CRYPTO = 21;
    /** The highest protocol unit the kernel accepts ({@code MAX_LINKS - 1}). */
    public static final int MAX_PROTOCOL = 31;

    // ---- struct nlmsghdr ---------------------------------------------------------------------

    /** Bytes in {@code struct nlmsghdr}: u32 len, u16 type, u16 flags, u32 seq, u32 pid. */
    public static final int NLMSG_HDRLEN = 16;
    /** Messages in one datagram start on multiples of this. */
    public static final int NLMSG_ALIGNTO = 4;

    // ---- message types below NLMSG_MIN_TYPE are control messages ---------------------------

    /** Nothing; to be ignored. */
    public static final int NLMSG_NOOP = 1;
    /** An error, or an acknowledgement when its error number is 0. */
    public static final int NLMSG_ERROR = 2;
    /** The end of a multi-part message (a dump). */
    public static final int NLMSG_DONE = 3;
    /** Data was lost. */
    public static final int NLMSG_OVERRUN = 4;
    /** The first type a protocol may use for its own messages. */
    public static final int NLMSG_MIN_TYPE = 0x10;

    // ---- nlmsg_flags -------------------------------------------------------------------------

    /** A request to the kernel; without it the kernel ignores the message. */
    public static final int NLM_F_REQUEST = 0x01;
    /** One part of a multi-part message, terminated by {@link #NLMSG_DONE}. */
    public static final int NLM_F_MULTI = 0x02;
    /** Asks for an acknowledgement: an {@link #NLMSG_ERROR} with error 0 on success. */
    public static final int NLM_F_ACK = 0x04;
    /** Asks for the resulting notifications to be sent to the requester too. */
    public static final int NLM_F_ECHO = 0x08;
    /** The dump was inconsistent: the kernel's data changed while it was being dumped. */
    public static final int NLM_F_DUMP_INTR = 0x10;
    /** The dump was filtered as the request asked. */
    public static final int NLM_F_DUMP_FILTERED = 0x20;
    /** GET modifier: return the whole table. */
    public static final int NLM_F_ROOT = 0x100;
    /** GET modifier: return all matching entries. */
    public static final int NLM_F_MATCH = 0x200;
    /** GET modifier: an atomic snapshot. */
    public static final int NLM_F_ATOMIC = 0x400;
    /** GET modifier: a dump, {@code NLM_F_ROOT | NLM_F_MATCH}. */
    public static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    /** NEW modifier: replace an existing object. */
    public static final int NLM_F_REPLACE = 0x100;
    /** NEW modifier: fail if the object exists. */
    public static final int NLM_F_EXCL = 0x200;
    /** NEW modifier: create the object if it does not exist. */
    public static final int NLM_F_CREATE = 0x400;
    /** NEW modifier: add to the end of a list. */
    public static final int NLM_F_APPEND = 0x800;
    /** Acknowledgement flag: the original request is not echoed in full (only its header). */
    public static final int NLM_F_CAPPED = 0x100;
    /** Acknowledgement flag: extended-ack attributes follow. */
    public static final int NLM_F_ACK_TLVS = 0x200;

    // ---- socket options ----------------------------------------------------------------------

    /** {@code setsockopt} level of the options below. */
    public static final int SOL_NETLINK = 270;
    /** Join a multicast group by number. */
    public static final int NETLINK_ADD_MEMBERSHIP = 1;
    /** Leave a multicast group. */
    public static final int NETLINK_DROP_MEMBERSHIP = 2;
    /** Deliver the destination group of each message as a control message. */
    public static final int NETLINK_PKTINFO = 3;
    /** Report delivery failures of broadcasts to the sender. */
    public static final int NETLINK_BROADCAST_ERROR = 4;
    /** Do not report receive-queue overruns ({@code ENOBUFS}); messages are still lost. */
    public static final int NETLINK_NO_ENOBUFS = 5;
    /** Receive messages from every network namespace. */
    public static final int NETLINK_LISTEN_ALL_NSID = 8;
    /** The joined groups, as an array of u32 bit masks (read only). */
    public static final int NETLINK_LIST_MEMBERSHIPS = 9;
    /** Errors echo only the request's header, not the whole request. */
    public static final int NETLINK_CAP_ACK = 10;
    /** Errors (and acks) carry extended-ack attributes: a message and the offending attribute. */
    public static final int NETLINK_EXT_ACK = 11;
    /** The kernel checks GET requests strictly instead of ignoring what it does not understand. */
    public static final int NETLINK_GET_STRICT_CHK = 12;

    // ---- extended-ack attributes after struct nlmsgerr (enum nlmsgerr_attrs) ----------------

    /** The error (or warning) message, a NUL-terminated string. */
    public static final int NLMSGERR_ATTR_MSG = 1;
    /** u32: where the offending attribute starts, counted from the request's {@code nlmsghdr}. */
    public static final int NLMSGERR_ATTR_OFFS = 2;
    /** Binary: a family-specific cookie, e.g. naming what a successful request created. */
    public static final int NLMSGERR_ATTR_COOKIE = 3;
    /** Nested: the policy the rejected attribute failed. */
    public static final int NLMSGERR_ATTR_POLICY = 4;
    /** u32: the type of a required attribute that was missing. */
    public static final int NLMSGERR_ATTR_MISS_TYPE = 5;
    /** u32: the offset of the nest the missing attribute belonged in. */
    public static final int NLMSGERR_ATTR_MISS_NEST = 6;

    private Netlink() {
    }

    /** {@code length} rounded up to a multiple of {@link #NLMSG_ALIGNTO}, as {@code NLMSG_ALIGN} does. */
    public static int align(int length) {
        return (length + NLMSG_ALIGNTO - 1) & -NLMSG_ALIGNTO;
    }
}
