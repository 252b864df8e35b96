// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;

/**
 * The part of a {@link NetlinkSocket} that {@link NetlinkConnection} and
 * {@link MultiplexedConnection} use. It exists so the
 * connection's logic (matching replies, acks, dumps, errors) can be tested against scripted kernel
 * answers, which a real kernel cannot be made to send (a reply for another port, an interrupted
 * dump, a malformed datagram).
 */
interface DatagramIo {

    /** The port id the kernel assigned. */
    int portId();

    /** Sends the remaining bytes of {@code datagram} to the kernel. */
    void send(ByteBuffer datagram);

    /** The next datagram within {@code timeout}, or empty. */
    Optional<Datagram> receive(Duration timeout);

    /**
     * The next datagram within {@code timeout}, handed to {@code visitor}; false if none came.
     * {@link NetlinkSocket} lends its receive buffer without copying; this default copies.
     */
    default boolean receive(Duration timeout, DatagramVisitor visitor) {
        Optional<Datagram> datagram = receive(timeout);
        datagram.ifPresent(d -> visitor.visit(d.senderPort(), d.groups(), d.bytes()));
        return datagram.isPresent();
    }

    /**
     * Waits up to {@code timeout} until a datagram can be received, without taking it or holding
     * up {@link #tryReceive} in other threads; see {@link NetlinkSocket#awaitReadable}. A timeout
     * too long to count in nanoseconds ({@code ChronoUnit.FOREVER.getDuration()}) waits for ever.
     */
    boolean awaitReadable(Duration timeout);

    /**
     * Takes the datagram waiting now if {@code filter} wants it, without waiting; see
     * {@link NetlinkSocket#tryReceive}.
     *
     * @return {@link NetlinkSocket#TAKEN}, {@link NetlinkSocket#LEFT} or {@link NetlinkSocket#EMPTY}
     */
    int tryReceive(DatagramVisitor visitor, DatagramFilter filter);

    /** Joins multicast group {@code group}; see {@link NetlinkSocket#joinGroup(int)}. */
    void joinGroup(int group);

    /** Closes; waiting receives wake with {@link dev.kchannel.api.error.ChannelClosedException}. */
    void close();
}
