// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import dev.kchannel.api.EventListener;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.message.EventType;
import dev.kchannel.api.message.KchanEvent;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A listener cheap enough to sit under the generator for minutes: it counts GENERATED events and
 * lost ones, keeps only the keys of STORE_SET events, and records restarts and errors. (Keeping
 * every event, as {@link RecordingListener} does, costs a copy of the whole list per event.)
 */
final class EventCounter implements EventListener {
    final AtomicLong generated = new AtomicLong();
    final AtomicLong lost = new AtomicLong();
    final Set<String> storeSetKeys = ConcurrentHashMap.newKeySet();
    final List<String> restarts = new CopyOnWriteArrayList<>();
    final List<KchannelException> errors = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(KchanEvent event) {
        if (event.type() == EventType.GENERATED) {
            generated.incrementAndGet();
        } else if (event.type() == EventType.STORE_SET) {
            event.keyAsString().ifPresent(storeSetKeys::add);
        }
    }

    @Override
    public void onGap(long lostCount) {
        lost.addAndGet(lostCount);
    }

    @Override
    public void onRestart(String reason) {
        restarts.add(reason);
    }

    @Override
    public void onError(KchannelException error) {
        errors.add(error);
    }

    /** Waits up to {@code limit} for the STORE_SET event of {@code key}. */
    void awaitStoreSet(String key, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!storeSetKeys.contains(key)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no STORE_SET event of " + key + " within " + limit + ": " + this);
            }
            Thread.sleep(20);
        }
    }

    /** Waits up to {@code limit} until the subscription was told its stream restarted. */
    void awaitRestart(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (restarts.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no restart within " + limit + ": " + this);
            }
            Thread.sleep(20);
        }
    }

    @Override
    public String toString() {
        return generated.get() + " GENERATED, " + lost.get() + " lost, restarts " + restarts + ", errors " + errors;
    }
}
