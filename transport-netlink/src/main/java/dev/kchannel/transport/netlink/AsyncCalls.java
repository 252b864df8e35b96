// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import dev.kchannel.api.error.CallTimeoutException;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.message.KchanMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * {@code callAsync} for a channel whose calls block: each call runs on one of a few daemon threads
 * the channel owns, with a deadline that runs from submission (a call queued behind busy threads
 * must not get a whole call timeout more once it starts), and a future cancelled before its call
 * starts sends nothing. {@link #close()} fails every pending future with
 * {@link ChannelClosedException}.
 */
final class AsyncCalls implements AutoCloseable {

    private final ThreadPoolExecutor threads;
    private final Set<CompletableFuture<KchanMessage>> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param threadName the threads' name, numbered: {@code threadName-1}, ...
     * @param maxThreads how many calls run at once; more wait in a queue
     */
    AsyncCalls(String threadName, int maxThreads) {
        this.threads = new ThreadPoolExecutor(maxThreads, maxThreads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                daemonThreads(threadName));
        threads.allowCoreThreadTimeOut(true);
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Runs {@code call} with what is left of {@code timeout} once a thread is free.
     *
     * @param call the blocking call: request and the time it may take, to the reply
     */
    CompletableFuture<KchanMessage> submit(KchanMessage request, Duration timeout,
            BiFunction<KchanMessage, Duration, KchanMessage> call) {
        CompletableFuture<KchanMessage> reply = new CompletableFuture<>();
        pending.add(reply);
        reply.whenComplete((value, error) -> pending.remove(reply));
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            threads.execute(() -> {
                if (reply.isDone()) {
                    return; // cancelled (or the channel closed) before it started: send nothing
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    reply.completeExceptionally(new CallTimeoutException(NetlinkTransport.NAME, request.command().name(), timeout));
                    return;
                }
                try {
                    reply.complete(call.apply(request, Duration.ofNanos(left)));
                } catch (Throwable e) {
                    // Errors too: a future left incomplete would hang its caller until close().
                    reply.completeExceptionally(e);
                    if (e instanceof Error) {
                        throw (Error) e;
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            reply.completeExceptionally(new ChannelClosedException(NetlinkTransport.NAME, e));
        }
        if (closed) {
            reply.completeExceptionally(new ChannelClosedException(NetlinkTransport.NAME));
        }
        return reply;
    }

    /** Stops the threads and fails every call not yet answered. */
    @Override
    public void close() {
        closed = true;
        threads.shutdownNow();
        for (CompletableFuture<KchanMessage> reply : new ArrayList<>(pending)) {
            reply.completeExceptionally(new ChannelClosedException(NetlinkTransport.NAME));
        }
    }
}
