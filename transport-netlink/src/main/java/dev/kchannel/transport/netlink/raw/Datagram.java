// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import dev.kchannel.api.error.MalformedMessageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * One datagram as {@link NetlinkSocket#receive()} got it: who sent it, to which multicast groups,
 * and its bytes, which hold one or more netlink messages. Immutable; the bytes are this object's
 * own copy, never the socket's reused buffer.
 */
public final class Datagram {

    private final int senderPort;
    private final int groups;
    private final byte[] bytes;

    /** Takes ownership of {@code bytes}. */
    Datagram(int senderPort, int groups, byte[] bytes) {
        this.senderPort = senderPort;
        this.groups = groups;
        this.bytes = bytes;
    }

    /** A datagram made of these bytes, copied; for tests and replays. */
    public static Datagram of(int senderPort, int groups, byte[] bytes) {
        return new Datagram(senderPort, groups, bytes.clone());
    }

    /** The sender's port id: 0 when the kernel sent it, else a userspace socket's port id. */
    public int senderPort() {
        return senderPort;
    }

    /** Whether the kernel sent it (sender port 0), as opposed to another userspace socket. */
    public boolean fromKernel() {
        return senderPort == 0;
    }

    /**
     * The multicast group mask from the sender's address: bit {@code g - 1} set for a message
     * multicast to group {@code g}, 0 for unicast. The kernel reports groups 1..32 only; a message
     * to a higher group shows 0 here.
     */
    public int groups() {
        return groups;
    }

    /** Bytes in the datagram. */
    public int length() {
        return bytes.length;
    }

    /** The datagram as a read-only buffer in host byte order, sharing this object's bytes. */
    public ByteBuffer bytes() {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }

    /**
     * The messages in the datagram, split by {@link NetlinkCodec}.
     *
     * @throws MalformedMessageException naming the transport, if the bytes are not whole messages
     */
    public List<NetlinkMessage> messages() {
        try {
            return NetlinkCodec.decodeOwned(bytes);
        } catch (MalformedMessageException e) {
            throw e.withTransport(Syscalls.TRANSPORT);
        }
    }

    @Override
    public String toString() {
        return "datagram of " + bytes.length + " bytes from port " + Integer.toUnsignedString(senderPort)
                + (groups == 0 ? "" : ", groups 0x" + Integer.toHexString(groups));
    }
}
