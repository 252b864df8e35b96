// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.genl;

import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.message.Attribute;
import dev.kchannel.api.message.Attributes;
import dev.kchannel.transport.netlink.raw.Netlink;
import dev.kchannel.transport.netlink.raw.NetlinkConnection;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Generic Netlink connection ({@link Netlink#NETLINK_GENERIC}) that finds families by name
 * through {@code nlctrl}, then sends their requests and dumps.
 *
 * <pre>{@code
 * try (GenericNetlink genl = GenericNetlink.open()) {
 *     GenericFamily family = genl.family("nlctrl");          // id 16, groups {notify=16}
 *     NetlinkMessage reply = genl.request(new GenericMessage(family.id(), cmd, family.version(), attrs));
 * }
 * }</pre>
 *
 * Threads: as {@link NetlinkConnection}, one operation at a time, and {@link #close()} from any
 * thread.
 */
public final class GenericNetlink implements AutoCloseable {

    private final NetlinkConnection connection;

    private GenericNetlink(NetlinkConnection connection) {
        this.connection = connection;
    }

    /** Opens a Generic Netlink socket with extended acks on (see {@link NetlinkConnection#open}). */
    public static GenericNetlink open() {
        return new GenericNetlink(NetlinkConnection.open(Netlink.NETLINK_GENERIC));
    }

    /** Generic Netlink over {@code connection}, which must be on {@code NETLINK_GENERIC}; closes it. */
    public static GenericNetlink over(NetlinkConnection connection) {
        if (connection.socket().protocol() != Netlink.NETLINK_GENERIC) {
            throw new IllegalArgumentException("Generic Netlink needs protocol " + Netlink.NETLINK_GENERIC
                    + ", not " + connection.socket().protocol());
        }
        return new GenericNetlink(connection);
    }

    /** The connection underneath: timeouts, socket options, counters. */
    public NetlinkConnection connection() {
        return connection;
    }

    /**
     * The family registered as {@code name} ({@code CTRL_CMD_GETFAMILY}). A kernel built with
     * modules may load the family's module on the way.
     *
     * @throws NoSuchEntryException if no such family is registered (the kernel answers
     *     {@code ENOENT}), with the kernel's extended-ack message when it gives one
     * @throws IllegalArgumentException if the name cannot be a family name (empty, or longer than
     *     {@code GENL_NAMSIZ - 1} bytes)
     */
    public GenericFamily family(String name) {
        NetlinkMessage reply = connection.request(familyQuery(name), "CTRL_CMD_GETFAMILY " + name);
        return GenericFamily.parse(reply);
    }

    /**
     * The {@code CTRL_CMD_GETFAMILY} request for family {@code name}, for connections other than
     * this class's (a {@link dev.kchannel.transport.netlink.raw.MultiplexedConnection}); its answer
     * reads with {@link GenericFamily#parse(NetlinkMessage)}.
     *
     * @throws IllegalArgumentException if the name cannot be a family name
     */
    public static NetlinkMessage familyQuery(String name) {
        Objects.requireNonNull(name, "name");
        int bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes >= Nlctrl.GENL_NAMSIZ) {
            throw new IllegalArgumentException("Generic Netlink family name '" + name + "' is " + bytes
                    + " bytes; names are 1.." + (Nlctrl.GENL_NAMSIZ - 1) + " bytes");
        }
        return new GenericMessage(Nlctrl.GENL_ID_CTRL, Nlctrl.CTRL_CMD_GETFAMILY, Nlctrl.CTRL_VERSION,
                Attributes.of(Attribute.string(Nlctrl.CTRL_ATTR_FAMILY_NAME, name))).toNetlink(0);
    }

    /** Every registered family, in the kernel's order ({@code CTRL_CMD_GETFAMILY} dump). */
    public List<GenericFamily> families() {
        GenericMessage request = new GenericMessage(Nlctrl.GENL_ID_CTRL, Nlctrl.CTRL_CMD_GETFAMILY,
                Nlctrl.CTRL_VERSION, Attributes.empty());
        try (Stream<NetlinkMessage> parts = connection.dump(request.toNetlink(0), "CTRL_CMD_GETFAMILY dump")) {
            return parts.map(GenericFamily::parse).collect(Collectors.toUnmodifiableList());
        }
    }

    /**
     * Sends {@code message} as a request ({@link NetlinkConnection#request(NetlinkMessage, String)})
     * and returns the reply, or the acknowledgement when there is none.
     */
    public NetlinkMessage request(GenericMessage message) {
        return connection.request(message.toNetlink(0), describe(message));
    }

    /** Dumps with {@code message} ({@link NetlinkConnection#dump(NetlinkMessage, String)}). */
    public Stream<NetlinkMessage> dump(GenericMessage message) {
        return connection.dump(message.toNetlink(0), describe(message) + " dump");
    }

    private static String describe(GenericMessage message) {
        return "genl family " + message.familyId() + " command " + message.command();
    }

    /** Closes the connection; see {@link NetlinkConnection#close()}. */
    @Override
    public void close() {
        connection.close();
    }
}
