// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import dev.kchannel.api.error.ChannelClosedException;

/**
 * Counts the calls in progress on a socket's descriptors, so that {@code close()} never frees a
 * descriptor another thread is still using.
 *
 * <p>Why: a descriptor number is reused by the next {@code open} anywhere in the process. If
 * {@code close(fd)} ran while another thread was between its check and its {@code recvfrom(fd)},
 * that thread could read from (or write to) an unrelated file that got the same number. So close
 * only marks the gate closed; the descriptors are freed by whichever call leaves last.
 */
final class CallGate {

    private int inFlight;
    private boolean closed;
    private boolean freed;

    /**
     * Enters a call.
     *
     * @throws ChannelClosedException if the socket is closed
     */
    synchronized void enter() {
        if (closed) {
            throw new ChannelClosedException(Syscalls.TRANSPORT);
        }
        inFlight++;
    }

    /**
     * Enters the closing call: marks the gate closed and counts the closer as a call in progress,
     * so the descriptors stay valid while it wakes the waiters.
     *
     * @return false if the gate was already closed; the caller then has nothing to do
     */
    synchronized boolean enterToClose() {
        if (closed) {
            return false;
        }
        closed = true;
        inFlight++;
        return true;
    }

    /**
     * Leaves a call.
     *
     * @return true exactly once: for the last call to leave after the gate closed; that caller
     *     frees the descriptors
     */
    synchronized boolean exit() {
        inFlight--;
        if (closed && inFlight == 0 && !freed) {
            freed = true;
            return true;
        }
        return false;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    synchronized int inFlight() {
        return inFlight;
    }
}
