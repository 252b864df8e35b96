// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import dev.kchannel.transport.netlink.raw.Datagram;
import dev.kchannel.transport.netlink.raw.NetlinkSocket;
import java.time.Duration;
import java.util.Optional;

/**
 * The part of a {@link NetlinkSocket} an {@link EventSubscription} uses, so that the subscription's
 * handling of events, losses and module reloads can be tested with scripted datagrams.
 */
interface EventSocket {

    /** The next datagram within {@code timeout}, or empty; see {@link NetlinkSocket#receive(Duration)}. */
    Optional<Datagram> receive(Duration timeout);

    /** See {@link NetlinkSocket#joinGroup(int)}. */
    void joinGroup(int group);

    /** Closes, waking a receive with {@code ChannelClosedException}. */
    void close();

    static EventSocket of(NetlinkSocket socket) {
        return new EventSocket() {
            @Override
            public Optional<Datagram> receive(Duration timeout) {
                return socket.receive(timeout);
            }

            @Override
            public void joinGroup(int group) {
                socket.joinGroup(group);
            }

            @Override
            public void close() {
                socket.close();
            }
        };
    }
}
