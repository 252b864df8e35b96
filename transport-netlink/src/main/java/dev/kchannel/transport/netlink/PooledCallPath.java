// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import dev.kchannel.api.error.CallTimeoutException;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.transport.netlink.genl.GenericNetlink;
import dev.kchannel.transport.netlink.raw.NetlinkConnection;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Each call on a socket of its own, borrowed from a {@link ConnectionPool} for the length of the
 * call, so replies cannot cross; {@code kchannel.netlink.sockets=pooled}. A call the caller waits
 * for runs on the caller's thread; an asynchronous one on the channel's daemon threads
 * {@code kchan-netlink-call-N} (at most {@code kchannel.netlink.connections} of them, idle ones
 * time out), each blocked for the length of its call. Cancelling an asynchronous call before it
 * starts sends nothing; afterwards its thread waits for the answer and drops it.
 *
 * <p>kchan_netlink's raw unit uses the same path with its own exchange (no ack, one reply per
 * request: {@link NetlinkConnection#exchange}) and threads {@code kchan-raw-call-N}.
 */
final class PooledCallPath implements CallPath {

    /** How one request goes out and its answer comes back on a borrowed connection. */
    @FunctionalInterface
    interface Exchange {
        NetlinkMessage apply(NetlinkConnection connection, NetlinkMessage request, String operation);
    }

    private final ConnectionPool connections;
    private final Exchange exchange;
    private final ThreadPoolExecutor asyncThreads;

    /**
     * kchan's Generic Netlink doits, each answered by one message, so exchanged without an ack
     * ({@link NetlinkConnection#exchange}), on threads {@code kchan-netlink-call-N}.
     */
    PooledCallPath(ConnectionPool connections, int threads) {
        this(connections, threads, NetlinkConnection::exchange, "kchan-netlink-call-");
    }

    PooledCallPath(ConnectionPool connections, int threads, Exchange exchange, String threadPrefix) {
        this.connections = connections;
        this.exchange = exchange;
        this.asyncThreads = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                daemonThreads(threadPrefix));
        asyncThreads.allowCoreThreadTimeOut(true);
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    ConnectionPool connections() {
        return connections;
    }

    @Override
    public CompletableFuture<NetlinkMessage> request(NetlinkMessage request, String operation, Duration timeout,
            long deadline, boolean callerWaits) {
        if (callerWaits) {
            try {
                return CompletableFuture.completedFuture(requestNow(request, operation, timeout));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        CompletableFuture<NetlinkMessage> answer = new CompletableFuture<>();
        // The deadline runs from submission: a call queued behind busy threads gets no more time.
        try {
            asyncThreads.execute(() -> {
                if (answer.isDone()) {
                    return; // cancelled (or the channel closed) before it started: send nothing
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    answer.completeExceptionally(new CallTimeoutException(NetlinkTransport.NAME, operation, timeout));
                    return;
                }
                try {
                    answer.complete(requestNow(request, operation, Duration.ofNanos(left)));
                } catch (Throwable e) {
                    // Errors too: a future left incomplete would hang its caller until close().
                    answer.completeExceptionally(e);
                    if (e instanceof Error) {
                        throw (Error) e;
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            answer.completeExceptionally(new ChannelClosedException(NetlinkTransport.NAME, e));
        }
        return answer;
    }

    private NetlinkMessage requestNow(NetlinkMessage request, String operation, Duration timeout) {
        NetlinkConnection connection = connections.borrow();
        boolean reusable = false;
        try {
            connection.setTimeout(timeout);
            NetlinkMessage answer = exchange.apply(connection, request, operation);
            reusable = true;
            return answer;
        } catch (KernelErrorException e) {
            // The kernel's refusal leaves the socket in step; a failed system call may not.
            reusable = e.operation().filter(operation::equals).isPresent();
            throw e;
        } finally {
            if (reusable) {
                connections.giveBack(connection);
            } else {
                // After a timeout, bad bytes or a failed syscall, a fresh socket is cheaper than doubt.
                connections.discard(connection);
            }
        }
    }

    /** One of the pool's connections, kept by the caller until it closes it. */
    @Override
    public GenericNetlink openGenericNetlink() {
        return GenericNetlink.over(connections.borrow());
    }

    @Override
    public <T> Optional<T> unwrap(Class<T> type) {
        return Optional.empty();
    }

    /** Closes every socket, which wakes calls blocked in a receive, and stops the async threads. */
    @Override
    public void close() {
        connections.close();
        asyncThreads.shutdownNow();
    }

    @Override
    public String toString() {
        return "a socket per call from a pool of " + connections.openConnections();
    }
}
