// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.genl;

/**
 * The numbers of {@code <linux/genetlink.h>}: the Generic Netlink header and the {@code nlctrl}
 * family, through which every other family is found by name. Names follow the C header.
 */
public final class Nlctrl {

    /** Bytes in {@code struct genlmsghdr}: u8 cmd, u8 version, u16 reserved. */
    public static final int GENL_HDRLEN = 4;
    /** The longest family name, NUL included. */
    public static final int GENL_NAMSIZ = 16;
    /** nlctrl's own, fixed, family id (the message type of its messages). */
    public static final int GENL_ID_CTRL = 0x10;
    /** nlctrl's name. */
    public static final String FAMILY_NAME = "nlctrl";
    /** nlctrl's multicast group announcing families and groups as they come and go. */
    public static final String NOTIFY_GROUP = "notify";
    /** The version nlctrl requests carry. */
    public static final int CTRL_VERSION = 2;

    /** A family appeared (notification on the {@code notify} group). */
    public static final int CTRL_CMD_NEWFAMILY = 1;
    /** A family went away. */
    public static final int CTRL_CMD_DELFAMILY = 2;
    /** Look a family up by name or id, or dump them all. */
    public static final int CTRL_CMD_GETFAMILY = 3;
    /** Dump a family's attribute policies. */
    public static final int CTRL_CMD_GETPOLICY = 10;

    /** u16: the family id. */
    public static final int CTRL_ATTR_FAMILY_ID = 1;
    /** NUL-terminated string: the family name. */
    public static final int CTRL_ATTR_FAMILY_NAME = 2;
    /** u32: the family's version. */
    public static final int CTRL_ATTR_VERSION = 3;
    /** u32: bytes of family header after {@code genlmsghdr}. */
    public static final int CTRL_ATTR_HDRSIZE = 4;
    /** u32: the family's highest attribute type. */
    public static final int CTRL_ATTR_MAXATTR = 5;
    /** Nested array: one nest per operation, holding {@link #CTRL_ATTR_OP_ID} and flags. */
    public static final int CTRL_ATTR_OPS = 6;
    /** Nested array: one nest per group, holding its name and id. */
    public static final int CTRL_ATTR_MCAST_GROUPS = 7;

    /** u32: an operation's command number. */
    public static final int CTRL_ATTR_OP_ID = 1;
    /** u32: an operation's {@code GENL_*} flags, such as {@link #GENL_ADMIN_PERM}. */
    public static final int CTRL_ATTR_OP_FLAGS = 2;

    /** NUL-terminated string: a multicast group's name. */
    public static final int CTRL_ATTR_MCAST_GRP_NAME = 1;
    /** u32: a multicast group's id, the number to join. */
    public static final int CTRL_ATTR_MCAST_GRP_ID = 2;

    /** Operation flag: needs {@code CAP_NET_ADMIN}. */
    public static final int GENL_ADMIN_PERM = 0x01;
    /** Operation flag: can be requested. */
    public static final int GENL_CMD_CAP_DO = 0x02;
    /** Operation flag: can be dumped. */
    public static final int GENL_CMD_CAP_DUMP = 0x04;
    /** Operation flag: has an attribute policy. */
    public static final int GENL_CMD_CAP_HASPOL = 0x08;
    /** Operation flag: needs {@code CAP_NET_ADMIN} in the socket's user namespace. */
    public static final int GENL_UNS_ADMIN_PERM = 0x10;

    private Nlctrl() {
    }
}
