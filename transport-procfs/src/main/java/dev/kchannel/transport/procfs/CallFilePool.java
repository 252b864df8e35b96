// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs;

import dev.kchannel.api.error.ChannelClosedException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Open handles on {@code /proc/kchan/call}, one lent to each call in progress. The file keeps its
 * state (the reply waiting to be read) per open file, so two calls sharing a handle would read
 * each other's replies; a handle of one's own makes that impossible with no locking. Borrowing
 * never waits: when every kept handle is busy a new one is opened, and handles beyond
 * {@code keepIdle} are closed when returned, so a burst costs descriptors for its length only.
 *
 * <p>{@link #close()} closes every handle, lent ones included; a call between its write and its
 * read then fails with {@link ChannelClosedException}, and later borrows throw it.
 */
final class CallFilePool implements AutoCloseable {

    private final Supplier<CallHandle> opener;
    private final int keepIdle;
    private final Deque<CallHandle> idle = new ArrayDeque<>();
    private final Set<CallHandle> live = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    CallFilePool(Supplier<CallHandle> opener, int keepIdle) {
        this.opener = opener;
        this.keepIdle = keepIdle;
    }

    /** An idle handle, or a new one; the caller gives it back with {@link #giveBack} or {@link #discard}. */
    CallHandle borrow() {
        CallHandle file;
        synchronized (idle) {
            file = idle.pollFirst();
        }
        if (file == null) {
            requireOpen();
            file = opener.get();
            live.add(file);
        }
        if (closed) {
            // close() may have run between the check and the add; never hand out a leaked handle.
            discard(file);
            throw new ChannelClosedException(ProcfsTransport.NAME);
        }
        return file;
    }

    /** A new handle, never an idle one: for a retry that must not meet the handle that failed. */
    CallHandle borrowNew() {
        requireOpen();
        CallHandle file = opener.get();
        live.add(file);
        if (closed) {
            discard(file);
            throw new ChannelClosedException(ProcfsTransport.NAME);
        }
        return file;
    }

    /** Returns a handle whose reply was read to its end, or closes it when enough are kept. */
    void giveBack(CallHandle file) {
        synchronized (idle) {
            if (!closed && idle.size() < keepIdle) {
                idle.addFirst(file);
                return;
            }
        }
        discard(file);
    }

    /** Closes a handle whose state is in doubt (a failed read, bad bytes) instead of reusing it. */
    void discard(CallHandle file) {
        live.remove(file);
        file.close();
    }

    /** Closes every idle handle: after a module reload they all point at the old entry. */
    void discardIdle() {
        List<CallHandle> stale;
        synchronized (idle) {
            stale = new ArrayList<>(idle);
            idle.clear();
        }
        stale.forEach(this::discard);
    }

    /** Handles open now, lent or idle. */
    int openHandles() {
        return live.size();
    }

    private void requireOpen() {
        if (closed) {
            throw new ChannelClosedException(ProcfsTransport.NAME);
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (idle) {
            idle.clear();
        }
        List<CallHandle> all = new ArrayList<>(live);
        live.clear();
        for (CallHandle file : all) {
            file.close();
        }
    }
}
