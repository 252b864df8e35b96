// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import dev.kchannel.transport.netlink.genl.GenericNetlink;
import dev.kchannel.transport.netlink.raw.MultiplexedConnection;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Every call of the channel on one socket, matched by sequence number
 * ({@link MultiplexedConnection}): asynchronous from end to end, so a pending {@code callAsync}
 * holds no thread, and a thousand concurrent callers cost one socket.
 */
final class SharedCallPath implements CallPath {

    private final MultiplexedConnection connection;

    SharedCallPath(MultiplexedConnection connection) {
        this.connection = connection;
    }

    MultiplexedConnection connection() {
        return connection;
    }

    @Override
    public CompletableFuture<NetlinkMessage> request(NetlinkMessage request, String operation, Duration timeout,
            long deadline, boolean callerWaits) {
        // kchan's doits answer every request with one message (a reply, or NLMSG_ERROR), so no
        // ack is asked for: one datagram per call instead of two. A caller that waits takes its
        // own reply off the socket when it is there already.
        return callerWaits ? connection.exchangeWaiting(request, operation, timeout, deadline)
                : connection.exchangeAsync(request, operation, timeout, deadline);
    }

    /** A connection of its own: a {@link GenericNetlink} runs one operation at a time. */
    @Override
    public GenericNetlink openGenericNetlink() {
        return GenericNetlink.open();
    }

    @Override
    public <T> Optional<T> unwrap(Class<T> type) {
        return type == MultiplexedConnection.class ? Optional.of(type.cast(connection)) : Optional.empty();
    }

    @Override
    public void close() {
        connection.close();
    }

    @Override
    public String toString() {
        return "one shared socket, " + connection;
    }
}
