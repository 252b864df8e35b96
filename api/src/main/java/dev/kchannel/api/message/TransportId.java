// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import java.util.Locale;
import java.util.Optional;

/**
 * The doors into kchan_core, mirroring {@code enum kchan_transport}: the kernel counts statistics
 * per door. The lowercase constant name is the Java transport's name ({@code netlink}, ...).
 */
public enum TransportId {
    /** {@code KCHAN_TRANSPORT_CORE}: in-kernel callers (self-test). */
    CORE(KchanProtocol.TRANSPORT_CORE),
    /** {@code KCHAN_TRANSPORT_NETLINK}. */
    NETLINK(KchanProtocol.TRANSPORT_NETLINK),
    /** {@code KCHAN_TRANSPORT_PROCFS}. */
    PROCFS(KchanProtocol.TRANSPORT_PROCFS),
    /** {@code KCHAN_TRANSPORT_SOCKOPT}. */
    SOCKOPT(KchanProtocol.TRANSPORT_SOCKOPT),
    /** {@code KCHAN_TRANSPORT_CHARDEV}. */
    CHARDEV(KchanProtocol.TRANSPORT_CHARDEV),
    /** A number not in the header this SDK was built against. */
    UNRECOGNIZED(-1);

    private static final TransportId[] BY_ID = ProtocolEnums.indexById(values(), TransportId::id);

    private final int id;

    TransportId(int id) {
        this.id = id;
    }

    /** The number on the wire, or -1 for {@link #UNRECOGNIZED}. */
    public int id() {
        return id;
    }

    /** The transport with this number, or {@link #UNRECOGNIZED}. */
    public static TransportId fromId(long id) {
        return id < 0 || id > Integer.MAX_VALUE ? UNRECOGNIZED : ProtocolEnums.lookup(BY_ID, (int) id, UNRECOGNIZED);
    }

    /** The id for a Java transport name such as {@code netlink}, if kchan_core counts it. */
    public static Optional<TransportId> forTransportName(String transportName) {
        for (TransportId transport : values()) {
            if (transport != UNRECOGNIZED && transport.name().toLowerCase(Locale.ROOT).equals(transportName)) {
                return Optional.of(transport);
            }
        }
        return Optional.empty();
    }
}
