// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.support;

import dev.kchannel.api.error.ChannelClosedException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The life of one open file descriptor that many threads use, for the raw layers that own one
 * (procfs's {@code ProcFile}, chardev's {@code DeviceFile}): every call {@link #enter()}s and
 * {@link #leave()}s; {@link #close()} may come from any thread at any time, wakes a blocked
 * {@link #poll} through an eventfd made on the first poll, and the descriptor is freed exactly
 * once, by whoever leaves last. So no call ever touches a descriptor number that was closed and
 * perhaps given to another file.
 *
 * <p>The system calls stay with the raw layer, behind {@link Descriptors}: this class holds only
 * the bookkeeping and the poll loop, which are the same for every file.
 */
public final class DescriptorGate {

    /** Bytes of one {@code struct pollfd}: int fd, short events, short revents. */
    static final int POLLFD_SIZE = 8;
    /** A deadline that never passes. */
    private static final long FOREVER = -1L;

    /** What the gate asks of the raw layer's system calls. */
    public interface Descriptors {

        /** Makes the wake-up eventfd (non-blocking, close-on-exec); called once, on the first poll. */
        int newEventFd();

        /** Makes {@code eventFd} readable for good, waking every poller. */
        void signal(int eventFd);

        /**
         * One {@code poll(2)} over {@code count} pollfds.
         *
         * @return the number ready, 0 on timeout, -1 when a signal interrupted it
         */
        int poll(ByteBuffer pollFds, int count, int timeoutMillis);

        /**
         * Frees the file: closes its descriptor (and whatever else it owns), and {@code eventFd}
         * when it is not -1. Called once, outside the gate's lock.
         */
        void free(int eventFd);
    }

    private final String transport;
    private final int fd;
    private final Descriptors descriptors;

    private final ReentrantLock pollLock = new ReentrantLock();
    private final ByteBuffer pollFds = ByteBuffer.allocateDirect(2 * POLLFD_SIZE).order(ByteOrder.nativeOrder());

    // Calls in flight, and whether close() has run; guarded by "this".
    private int eventFd = -1;
    private int inFlight;
    private boolean closed;
    private boolean freed;

    /**
     * @param transport names the transport in {@link ChannelClosedException}
     * @param fd the open descriptor, owned by the gate from now on
     */
    public DescriptorGate(String transport, int fd, Descriptors descriptors) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.fd = fd;
        this.descriptors = Objects.requireNonNull(descriptors, "descriptors");
    }

    /** The descriptor; use it only between {@link #enter()} and {@link #leave()}. */
    public int fd() {
        return fd;
    }

    /**
     * Starts a call.
     *
     * @throws ChannelClosedException if {@link #close()} has run
     */
    public synchronized void enter() {
        if (closed) {
            throw new ChannelClosedException(transport);
        }
        inFlight++;
    }

    /** Ends a call; the last one out after {@link #close()} frees the file. */
    public void leave() {
        int wake;
        synchronized (this) {
            inFlight--;
            if (!closed || inFlight != 0 || freed) {
                return;
            }
            freed = true;
            wake = eventFd;
        }
        descriptors.free(wake);
    }

    /** Whether {@link #close()} has run. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /** Calls in progress, a closer's included; lets tests see that a poll is under way. */
    public synchronized int callsInFlight() {
        return inFlight;
    }

    /**
     * Closes the file. Idempotent, and safe from any thread: polls blocked in other threads wake
     * and throw {@link ChannelClosedException}; the file is freed once the last call has left.
     */
    public void close() {
        int wake;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            inFlight++;
            wake = eventFd;
        }
        try {
            if (wake >= 0) {
                descriptors.signal(wake);
            }
        } finally {
            leave();
        }
    }

    /**
     * Waits up to {@code timeout} until the file reports one of {@code interest} (or an error or
     * hang-up, which are always reported); {@code null} waits for ever.
     *
     * @return what the file reported, empty when the timeout passed first
     * @throws ChannelClosedException if the file is closed, before or during the wait
     */
    public Set<PollEvent> poll(Set<PollEvent> interest, Duration timeout) {
        Objects.requireNonNull(interest, "interest");
        long deadline = timeout == null ? FOREVER : deadlineOf(timeout);
        int wake = enterToPoll();
        pollLock.lock();
        try {
            pollFds.putInt(0, fd);
            pollFds.putShort(4, (short) PollEvent.toBits(interest));
            pollFds.putInt(POLLFD_SIZE, wake);
            pollFds.putShort(POLLFD_SIZE + 4, (short) PollEvent.IN.bit());
            while (true) {
                if (isClosed()) {
                    throw new ChannelClosedException(transport);
                }
                pollFds.putShort(6, (short) 0);
                pollFds.putShort(POLLFD_SIZE + 6, (short) 0);
                int ready = descriptors.poll(pollFds, 2, timeoutMillis(deadline));
                if (pollFds.getShort(POLLFD_SIZE + 6) != 0 || isClosed()) {
                    throw new ChannelClosedException(transport);
                }
                if (ready > 0) {
                    return PollEvent.fromBits(pollFds.getShort(6) & 0xffff);
                }
                if (ready == 0 && deadline != FOREVER && System.nanoTime() - deadline >= 0) {
                    return EnumSet.noneOf(PollEvent.class);
                }
                // A signal interrupted the wait, or poll woke a little early: wait for what is left.
            }
        } finally {
            pollLock.unlock();
            leave();
        }
    }

    /** Enters a poll, making the wake-up eventfd on first use; returns it. */
    private synchronized int enterToPoll() {
        if (closed) {
            throw new ChannelClosedException(transport);
        }
        if (eventFd < 0) {
            eventFd = descriptors.newEventFd();
        }
        inFlight++;
        return eventFd;
    }

    private static long deadlineOf(Duration timeout) {
        long nanos;
        try {
            nanos = Math.max(0, timeout.toNanos());
        } catch (ArithmeticException tooLong) {
            return FOREVER;
        }
        long deadline = System.nanoTime() + nanos;
        // FOREVER is -1; a real deadline landing exactly there moves by a nanosecond.
        return deadline == FOREVER ? 0L : deadline;
    }

    /** poll's timeout for {@code deadline}: -1 for ever, else the milliseconds left, rounded up. */
    private static int timeoutMillis(long deadline) {
        if (deadline == FOREVER) {
            return -1;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return 0;
        }
        return (int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000);
    }
}
