// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Ctrl-C for commands that run until stopped. {@link Main#main} requests a stop from a JVM
 * shutdown hook (SIGINT, SIGTERM) and then waits, a bounded time, for every registered command to
 * clean up, so {@code watch} closes its subscription and prints its summary before the JVM halts.
 * Tests request the stop directly.
 *
 * <p>Thread-safe. A stop is final: once requested, commands registering later are stopped at once.
 */
final class StopSignal {

    /** One command's interest in the stop, until it is closed. */
    interface Registration extends AutoCloseable {
        /** The command has cleaned up; a waiting shutdown may go on. */
        @Override
        void close();
    }

    private final List<Runnable> onStop = new ArrayList<>();
    private boolean requested;

    /**
     * Calls {@code action} once when a stop is requested (at once if it already was) until the
     * registration is closed. The action runs on the requesting thread: it must only signal.
     */
    Registration register(Runnable action) {
        synchronized (this) {
            if (!requested) {
                onStop.add(action);
                return () -> unregister(action);
            }
        }
        action.run();
        return () -> { };
    }

    /** Requests the stop: every registered action runs once. */
    void request() {
        List<Runnable> actions;
        synchronized (this) {
            if (requested) {
                return;
            }
            requested = true;
            actions = List.copyOf(onStop);
        }
        actions.forEach(Runnable::run);
    }

    boolean isRequested() {
        synchronized (this) {
            return requested;
        }
    }

    /**
     * Requests the stop, then waits up to {@code limit} for every registered command to close its
     * registration; what the shutdown hook runs.
     *
     * @return whether every command cleaned up in time
     */
    boolean requestAndAwaitCleanup(Duration limit) {
        request();
        long deadline = System.nanoTime() + limit.toNanos();
        synchronized (this) {
            while (!onStop.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    private synchronized void unregister(Runnable action) {
        onStop.remove(action);
        notifyAll();
    }
}
