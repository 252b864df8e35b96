// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.contract;

import dev.kchannel.api.EventListener;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.message.KchanEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Records everything a subscription delivers (events, gaps, errors) and lets a test wait for
 * the events it expects, failing with everything that did arrive when they do not.
 */
final class RecordingEventListener implements EventListener {

    private final BlockingQueue<KchanEvent> pending = new LinkedBlockingQueue<>();
    private final List<KchanEvent> received = new CopyOnWriteArrayList<>();
    private final List<Long> gaps = new CopyOnWriteArrayList<>();
    private final List<KchannelException> errors = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(KchanEvent event) {
        received.add(event);
        pending.add(event);
    }

    @Override
    public void onGap(long lostCount) {
        gaps.add(lostCount);
    }

    @Override
    public void onError(KchannelException error) {
        errors.add(error);
    }

    /** The first not yet awaited event that {@code matches}, waiting up to {@code timeout}. */
    KchanEvent awaitEvent(Predicate<KchanEvent> matches, Duration timeout) throws InterruptedException {
        return awaitEvents(matches, 1, timeout).get(0);
    }

    /** The next {@code count} not yet awaited events that match, waiting up to {@code timeout} in all. */
    List<KchanEvent> awaitEvents(Predicate<KchanEvent> matches, int count, Duration timeout)
            throws InterruptedException {
        List<KchanEvent> matched = new ArrayList<>(count);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (matched.size() < count) {
            long left = deadline - System.nanoTime();
            KchanEvent event = left > 0 ? pending.poll(left, TimeUnit.NANOSECONDS) : null;
            if (event == null) {
                throw new AssertionError("waited " + timeout.toMillis() + " ms for " + count + " matching events, got "
                        + matched.size() + "; received " + received.size() + " events in all, gaps " + gaps
                        + ", errors " + errors + "; last received: "
                        + received.subList(Math.max(0, received.size() - 5), received.size()));
            }
            if (matches.test(event)) {
                matched.add(event);
            }
        }
        return matched;
    }

    /** Every event delivered so far, in order. */
    List<KchanEvent> received() {
        return List.copyOf(received);
    }

    /** Every gap reported so far. */
    List<Long> gaps() {
        return List.copyOf(gaps);
    }

    /** Every error reported so far. */
    List<KchannelException> errors() {
        return List.copyOf(errors);
    }
}
