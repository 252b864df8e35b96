// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import dev.kchannel.api.EventListener;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.message.EventType;
import dev.kchannel.api.message.KchanEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * What a subscription delivered, events and gaps, in order; slow on GENERATED events when asked.
 * Shared by the guest tests of the transports whose subscriptions read a file (procfs, chardev).
 */
final class RecordingListener implements EventListener {
    final List<Object> delivered = new CopyOnWriteArrayList<>();
    final List<KchannelException> errors = new CopyOnWriteArrayList<>();
    volatile boolean slow;

    @Override
    public void onEvent(KchanEvent event) {
        delivered.add(event);
        if (slow && event.type() == EventType.GENERATED) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void onGap(long lostCount) {
        delivered.add(lostCount);
    }

    @Override
    public void onError(KchannelException error) {
        errors.add(error);
    }

    long generated() {
        return delivered.stream().filter(item -> item instanceof KchanEvent event
                && event.type() == EventType.GENERATED).count();
    }

    KchanEvent await(Predicate<KchanEvent> matches) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            for (Object item : delivered) {
                if (item instanceof KchanEvent event && matches.test(event)) {
                    return event;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no matching event; delivered " + delivered.size() + " items, errors " + errors);
    }

    /** Matches the STORE_SET event of {@code key}. */
    static Predicate<KchanEvent> storeSetOf(String key) {
        return event -> event.type() == EventType.STORE_SET && event.keyAsString().filter(key::equals).isPresent();
    }
}
