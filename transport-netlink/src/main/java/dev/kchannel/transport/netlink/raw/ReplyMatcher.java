// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

/**
 * Decides whether what a socket received answers the request in progress. A reply comes from the
 * kernel (sender port 0) by unicast (no group), and carries the request's sequence number and this
 * socket's port id, or port 0. The port id matters as much as the sequence number: a notification
 * caused by another program's request carries that program's sequence number and port id, and
 * sequence numbers of different sockets collide all the time.
 */
final class ReplyMatcher {

    private ReplyMatcher() {
    }

    /** Whether {@code datagram} can hold replies at all: a unicast from the kernel. */
    static boolean mayHoldReplies(Datagram datagram) {
        return datagram.fromKernel() && datagram.groups() == 0;
    }

    /** Whether {@code message} answers the request numbered {@code seq} sent from {@code portId}. */
    static boolean answers(NetlinkMessage message, int seq, int portId) {
        return message.seq() == seq && (message.pid() == 0 || message.pid() == portId);
    }
}
