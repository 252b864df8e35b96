// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

import dev.kchannel.api.EventListener;
import dev.kchannel.api.message.EventType;
import dev.kchannel.api.message.KchanEvent;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Counts the generator's events one subscription receives, as the stream and swarm scenarios
 * define it: GENERATED events only, the time of the first and the last, and done once the event
 * with the last index has arrived. Other event types (a store change by someone else) are not
 * counted.
 */
final class EventCounter implements EventListener {

    private final long lastIndex;
    private final CountDownLatch sawLast = new CountDownLatch(1);
    private volatile long received;
    private volatile long firstNanos;
    private volatile long lastNanos;
    private volatile RuntimeException failure;

    EventCounter(long count) {
        this.lastIndex = count - 1;
    }

    @Override
    public void onEvent(KchanEvent event) {
        if (event.type() != EventType.GENERATED) {
            return;
        }
        long now = System.nanoTime();
        // One reader thread per subscription calls this: plain increments are race-free.
        if (received == 0) {
            firstNanos = now;
        }
        received = received + 1;
        lastNanos = now;
        if (event.genIndex().orElse(-1) == lastIndex) {
            sawLast.countDown();
        }
    }

    @Override
    public void onGap(long lostCount) {
        // Counted as count - received at the end; the SDK's gap report is checked by the ITs.
    }

    @Override
    public void onError(dev.kchannel.api.error.KchannelException error) {
        failure = error;
        sawLast.countDown();
    }

    /**
     * Waits until the last event arrived, or no event arrived for {@code idleSeconds} (counted from
     * {@code startedNanos} until the first event).
     */
    void awaitEnd(long startedNanos, double idleSeconds) throws InterruptedException {
        long idleNanos = (long) (idleSeconds * 1e9);
        while (!sawLast.await(20, TimeUnit.MILLISECONDS)) {
            long reference = received == 0 ? startedNanos : lastNanos;
            if (System.nanoTime() - reference > idleNanos) {
                return;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    long received() {
        return received;
    }

    long firstNanos() {
        return firstNanos;
    }

    long lastNanos() {
        return lastNanos;
    }
}
