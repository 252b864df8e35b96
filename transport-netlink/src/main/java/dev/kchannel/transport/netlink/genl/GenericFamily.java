// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.genl;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.message.Attribute;
import dev.kchannel.api.message.Attributes;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A Generic Netlink family as {@code nlctrl} describes it: the id its messages use as their
 * netlink type, its version, header size and highest attribute, its operations, and its multicast
 * groups by name.
 *
 * @param name the family name, such as {@code nlctrl}
 * @param id the family id: the netlink message type of its messages
 * @param version the family's version
 * @param headerSize bytes of family header after {@code genlmsghdr}, usually 0
 * @param maxAttribute the highest attribute type the family accepts (0 when its operations each
 *     have their own policy)
 * @param operations the commands it supports, in the kernel's order
 * @param multicastGroups group name to group id (the number to join), in the kernel's order
 */
public record GenericFamily(String name, int id, int version, int headerSize, int maxAttribute,
        List<Operation> operations, Map<String, Integer> multicastGroups) {

    /**
     * One command a family supports.
     *
     * @param command the command number
     * @param flags {@code GENL_*} flags, such as {@link Nlctrl#GENL_ADMIN_PERM}
     */
    public record Operation(int command, int flags) {

        /** Whether the command needs {@code CAP_NET_ADMIN}. */
        public boolean needsAdmin() {
            return (flags & Nlctrl.GENL_ADMIN_PERM) != 0;
        }
    }

    /** Copies the collections; the groups keep their order. */
    public GenericFamily {
        Objects.requireNonNull(name, "name");
        operations = List.copyOf(operations);
        multicastGroups = Collections.unmodifiableMap(new LinkedHashMap<>(multicastGroups));
    }

    /** The id of multicast group {@code groupName}, if the family has one by that name. */
    public OptionalInt multicastGroup(String groupName) {
        Integer group = multicastGroups.get(groupName);
        return group == null ? OptionalInt.empty() : OptionalInt.of(group);
    }

    /**
     * Reads a {@code CTRL_CMD_NEWFAMILY} message, the answer to {@code CTRL_CMD_GETFAMILY}.
     *
     * @throws MalformedMessageException if the name or id is missing, or an attribute is malformed
     */
    public static GenericFamily parse(NetlinkMessage message) {
        return parse(GenericMessage.decode(message).attributes());
    }

    /** Reads the attributes of a {@code CTRL_CMD_NEWFAMILY} message. */
    public static GenericFamily parse(Attributes attributes) {
        try {
            return read(attributes);
        } catch (MalformedMessageException e) {
            throw e.transport().isPresent() ? e : e.withTransport("netlink");
        }
    }

    private static GenericFamily read(Attributes attributes) {
        String name = require(attributes, Nlctrl.CTRL_ATTR_FAMILY_NAME, "CTRL_ATTR_FAMILY_NAME").string();
        int id = require(attributes, Nlctrl.CTRL_ATTR_FAMILY_ID, "CTRL_ATTR_FAMILY_ID").u16();
        return new GenericFamily(name, id,
                u32(attributes, Nlctrl.CTRL_ATTR_VERSION),
                u32(attributes, Nlctrl.CTRL_ATTR_HDRSIZE),
                u32(attributes, Nlctrl.CTRL_ATTR_MAXATTR),
                operations(attributes),
                groups(attributes));
    }

    /** Each nest in CTRL_ATTR_OPS is one operation; the nest's own type is only an index. */
    private static List<Operation> operations(Attributes attributes) {
        List<Operation> operations = new ArrayList<>();
        for (Attribute entry : nestedOrEmpty(attributes, Nlctrl.CTRL_ATTR_OPS)) {
            Attributes op = entry.nested();
            operations.add(new Operation(u32(op, Nlctrl.CTRL_ATTR_OP_ID), u32(op, Nlctrl.CTRL_ATTR_OP_FLAGS)));
        }
        return operations;
    }

    /** Each nest in CTRL_ATTR_MCAST_GROUPS is one group, with a name and an id. */
    private static Map<String, Integer> groups(Attributes attributes) {
        Map<String, Integer> groups = new LinkedHashMap<>();
        for (Attribute entry : nestedOrEmpty(attributes, Nlctrl.CTRL_ATTR_MCAST_GROUPS)) {
            Attributes group = entry.nested();
            groups.put(require(group, Nlctrl.CTRL_ATTR_MCAST_GRP_NAME, "CTRL_ATTR_MCAST_GRP_NAME").string(),
                    u32(require(group, Nlctrl.CTRL_ATTR_MCAST_GRP_ID, "CTRL_ATTR_MCAST_GRP_ID")));
        }
        return groups;
    }

    private static Attributes nestedOrEmpty(Attributes attributes, int type) {
        return attributes.first(type).map(Attribute::nested).orElse(Attributes.empty());
    }

    private static Attribute require(Attributes attributes, int type, String name) {
        // Not Attributes.require: its message would name the kchan attribute of the same number.
        return attributes.first(type).orElseThrow(() -> new MalformedMessageException(Reason.MISSING_ATTRIBUTE, -1,
                "nlctrl family message has no " + name + " (" + type + ")", type));
    }

    private static int u32(Attributes attributes, int type) {
        return attributes.first(type).map(GenericFamily::u32).orElse(0);
    }

    private static int u32(Attribute attribute) {
        long value = attribute.u32();
        if (value > Integer.MAX_VALUE) {
            throw new MalformedMessageException(Reason.WRONG_ATTRIBUTE_SIZE, -1, "nlctrl attribute "
                    + attribute.type() + " holds " + value + ", beyond what a family can have", attribute.type());
        }
        return (int) value;
    }
}
