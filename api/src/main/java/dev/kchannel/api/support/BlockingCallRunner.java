// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.support;

import dev.kchannel.api.error.CallTimeoutException;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.KchanMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * {@code KernelChannel.callAsync} for transports whose calls are blocking system calls that no
 * timeout can cut short (a write then a read on a /proc file, a {@code getsockopt}, an
 * {@code ioctl}): each call runs on one of a few daemon threads the channel owns, and the future
 * keeps {@code callAsync}'s promise of completing within the call timeout whatever the thread is
 * doing.
 *
 * <ul>
 *   <li>The deadline runs from submission: a call still queued behind busy threads when it passes
 *       completes with {@link CallTimeoutException} and is never sent.</li>
 *   <li>A call that has started and is still running at the deadline completes its future with
 *       {@link CallTimeoutException} too; the system call finishes in its thread and its reply is
 *       dropped (the kernel may have carried the request out, as {@code CallTimeoutException}
 *       says).</li>
 *   <li>A future cancelled before its call starts sends nothing.</li>
 *   <li>{@link #close()} stops the threads and fails every future not yet complete with
 *       {@link ChannelClosedException}.</li>
 * </ul>
 *
 * <p>The deadlines share one daemon timer thread per JVM, {@value #TIMER_THREAD}; a future that
 * completes first cancels its timer, which is then forgotten at once.
 */
public final class BlockingCallRunner implements AutoCloseable {

    static final String TIMER_THREAD = "kchan-call-deadlines";

    private final String transport;
    private final ThreadPoolExecutor threads;
    private final Set<CompletableFuture<KchanMessage>> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** One timer for every runner: deadlines are cheap, threads are not. */
    private static final class Timer {
        static final ScheduledThreadPoolExecutor DEADLINES = deadlines();

        private static ScheduledThreadPoolExecutor deadlines() {
            ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> {
                Thread thread = new Thread(task, TIMER_THREAD);
                thread.setDaemon(true);
                return thread;
            });
            timer.setRemoveOnCancelPolicy(true);
            return timer;
        }
    }

    /**
     * @param transport the transport name the exceptions carry
     * @param threadName the threads' name, numbered: {@code threadName-1}, ...
     * @param maxThreads how many calls run at once; more wait in a queue. Idle threads end after
     *     30 seconds.
     */
    public BlockingCallRunner(String transport, String threadName, int maxThreads) {
        this.transport = Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(threadName, "threadName");
        if (maxThreads < 1) {
            throw new IllegalArgumentException("maxThreads " + maxThreads + " is below 1");
        }
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
     * Runs {@code call} on one of the threads, with what is left of {@code timeout} once it
     * starts.
     *
     * @param call the blocking call: the request and the time it may take, to the successful
     *     reply; what it throws completes the future exceptionally
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public CompletableFuture<KchanMessage> submit(KchanMessage request, Duration timeout,
            BiFunction<KchanMessage, Duration, KchanMessage> call) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(call, "call");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("call timeout " + timeout + " is not positive");
        }
        CompletableFuture<KchanMessage> reply = new CompletableFuture<>();
        pending.add(reply);
        long deadline = System.nanoTime() + timeout.toNanos();
        ScheduledFuture<?> timer = Timer.DEADLINES.schedule(() -> reply.completeExceptionally(timedOut(request, timeout)),
                timeout.toNanos(), TimeUnit.NANOSECONDS);
        reply.whenComplete((value, error) -> {
            pending.remove(reply);
            timer.cancel(false);
        });
        try {
            threads.execute(() -> run(reply, request, timeout, deadline, call));
        } catch (RejectedExecutionException e) {
            reply.completeExceptionally(new ChannelClosedException(transport, e));
        }
        if (closed) {
            reply.completeExceptionally(new ChannelClosedException(transport));
        }
        return reply;
    }

    private void run(CompletableFuture<KchanMessage> reply, KchanMessage request, Duration timeout, long deadline,
            BiFunction<KchanMessage, Duration, KchanMessage> call) {
        if (reply.isDone()) {
            return; // cancelled, timed out or the channel closed before it started: send nothing
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            reply.completeExceptionally(timedOut(request, timeout));
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
    }

    private CallTimeoutException timedOut(KchanMessage request, Duration timeout) {
        return new CallTimeoutException(transport, Command.describe(request.commandId()), timeout);
    }

    /** Futures not yet complete. */
    public int pendingCalls() {
        return pending.size();
    }

    /** Stops the threads and fails every call not yet complete with {@link ChannelClosedException}. */
    @Override
    public void close() {
        closed = true;
        // Futures first: a call woken by the threads' interruption must not complete one normally.
        for (CompletableFuture<KchanMessage> reply : new ArrayList<>(pending)) {
            reply.completeExceptionally(new ChannelClosedException(transport));
        }
        threads.shutdownNow();
    }

    /** Deadlines the shared timer holds; lets tests see that completed calls cancel theirs. */
    static int queuedDeadlines() {
        return Timer.DEADLINES.getQueue().size();
    }
}
