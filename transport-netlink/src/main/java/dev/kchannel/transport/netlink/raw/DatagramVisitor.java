// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import java.nio.ByteBuffer;

/**
 * Reads a received datagram in place, for {@link NetlinkSocket#receive(java.time.Duration,
 * DatagramVisitor)}: the bytes are the socket's own reused receive buffer, lent for the length of
 * the call, so receiving copies nothing until the visitor copies what it keeps.
 */
@FunctionalInterface
public interface DatagramVisitor {

    /**
     * One datagram.
     *
     * @param senderPort 0 when the kernel sent it, else the sending socket's port id
     * @param groups the multicast group mask, 0 for unicast (see {@link Datagram#groups()})
     * @param bytes the datagram from index 0 to its limit, in host byte order; valid only until
     *     this method returns, and not to be written
     */
    void visit(int senderPort, int groups, ByteBuffer bytes);
}
