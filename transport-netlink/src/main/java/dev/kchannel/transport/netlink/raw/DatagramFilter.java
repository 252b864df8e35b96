// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

/**
 * Decides, before a datagram is taken off the socket, whether this thread takes it
 * ({@link NetlinkSocket#tryReceive}): from what the kernel says without consuming it, the sender's
 * address and the first message's header.
 */
@FunctionalInterface
public interface DatagramFilter {

    /** Takes every datagram. */
    DatagramFilter ALL = (senderPort, groups, firstSeq) -> true;

    /**
     * @param senderPort 0 when the kernel sent it
     * @param groups the multicast group mask, 0 for unicast
     * @param firstSeq the first message's {@code nlmsg_seq}, or 0 if the datagram is shorter than
     *     a header
     */
    boolean takes(int senderPort, int groups, int firstSeq);
}
