// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.transport.netlink.raw.Netlink;
import dev.kchannel.transport.netlink.raw.NetlinkConnection;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Generic Netlink connections that concurrent calls borrow one each. A {@link NetlinkConnection}
 * runs one operation at a time, so giving each caller a connection of its own is the simplest way
 * to let many threads call at once: replies can never cross, because they arrive on different
 * sockets. Borrowing never waits: when every kept connection is busy a new one is opened, and
 * connections beyond {@code keepIdle} are closed when returned, so a burst costs sockets for the
 * length of the burst only.
 *
 * <p>{@link #close()} closes every connection, borrowed ones included, which wakes their blocked
 * receives with {@link ChannelClosedException}; later borrows throw it.
 */
final class ConnectionPool implements AutoCloseable {

    private final Supplier<NetlinkConnection> opener;
    private final int keepIdle;
    private final Deque<NetlinkConnection> idle = new ArrayDeque<>();
    private final Set<NetlinkConnection> live = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    ConnectionPool(Supplier<NetlinkConnection> opener, int keepIdle) {
        this.opener = opener;
        this.keepIdle = keepIdle;
    }

    /**
     * Opens {@link Netlink#NETLINK_GENERIC} connections with extended acks on, each declaring the
     * kchan family's largest datagram so that a reply takes one {@code recvfrom}.
     */
    static ConnectionPool generic(int keepIdle) {
        return new ConnectionPool(() -> NetlinkConnection.open(Netlink.NETLINK_GENERIC,
                KchanGenlCodec.LARGEST_DATAGRAM), keepIdle);
    }

    /** An idle connection, or a new one; the caller gives it back with {@link #giveBack} or {@link #discard}. */
    NetlinkConnection borrow() {
        NetlinkConnection connection;
        synchronized (idle) {
            connection = idle.pollFirst();
        }
        if (connection == null) {
            requireOpen();
            connection = opener.get();
            live.add(connection);
        }
        if (closed) {
            // close() may have run between the check and the add; never hand out a leaked socket.
            discard(connection);
            throw new ChannelClosedException(NetlinkTransport.NAME);
        }
        return connection;
    }

    /** Returns a healthy connection for reuse, or closes it when enough are kept. */
    void giveBack(NetlinkConnection connection) {
        synchronized (idle) {
            if (!closed && idle.size() < keepIdle) {
                idle.addFirst(connection);
                return;
            }
        }
        discard(connection);
    }

    /** Closes a connection whose state is in doubt (a timeout, bad bytes) instead of reusing it. */
    void discard(NetlinkConnection connection) {
        live.remove(connection);
        connection.close();
    }

    /** Connections open now, borrowed or idle. */
    int openConnections() {
        return live.size();
    }

    boolean isClosed() {
        return closed;
    }

    private void requireOpen() {
        if (closed) {
            throw new ChannelClosedException(NetlinkTransport.NAME);
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (idle) {
            idle.clear();
        }
        List<NetlinkConnection> all = new ArrayList<>(live);
        live.clear();
        for (NetlinkConnection connection : all) {
            connection.close();
        }
    }
}
