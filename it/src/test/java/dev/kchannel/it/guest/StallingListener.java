// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import dev.kchannel.api.EventListener;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.message.EventType;
import dev.kchannel.api.message.KchanEvent;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The slowest listener there is: it blocks in its first GENERATED event until the test lets it
 * go, so everything the kernel pushes meanwhile must be held by a bounded buffer or dropped and
 * counted. It keeps what it saw in a compact form (no payloads), so that its own memory does not
 * blur the suite's heap measurement.
 */
final class StallingListener implements EventListener {

    /**
     * What was delivered, in order: a gap ({@code lost > 0}, the rest unset) or an event.
     *
     * @param lost events lost before the next one, or 0 for an event
     * @param type the event's type
     * @param seq its SEQ
     * @param dropped its DROPPED
     * @param genIndex its GEN_INDEX, or -1
     * @param payloadLength bytes of PAYLOAD, or -1
     * @param key its KEY as text, or null
     */
    record Delivery(long lost, EventType type, long seq, long dropped, long genIndex, int payloadLength, String key) {

        boolean isGap() {
            return lost > 0;
        }

        boolean isStoreSetOf(String wanted) {
            return type == EventType.STORE_SET && wanted.equals(key);
        }
    }

    private static final long WAIT_MINUTES = 5;

    final List<Delivery> delivered = new CopyOnWriteArrayList<>();
    final List<KchannelException> errors = new CopyOnWriteArrayList<>();
    private final CountDownLatch stalled = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile long lastDelivery = System.nanoTime();

    @Override
    public void onEvent(KchanEvent event) {
        lastDelivery = System.nanoTime();
        delivered.add(new Delivery(0, event.type(), event.seq(), event.dropped(), event.genIndex().orElse(-1),
                event.payload().map(p -> p.length).orElse(-1), event.keyAsString().orElse(null)));
        if (event.type() == EventType.GENERATED && stalled.getCount() > 0) {
            stalled.countDown();
            try {
                if (!released.await(WAIT_MINUTES, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("the stalled listener was never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void onGap(long lostCount) {
        lastDelivery = System.nanoTime();
        delivered.add(new Delivery(lostCount, null, -1, -1, -1, -1, null));
    }

    @Override
    public void onError(KchannelException error) {
        errors.add(error);
    }

    /** Waits until the listener is blocked in its first GENERATED event. */
    void awaitStalled() throws InterruptedException {
        if (!stalled.await(WAIT_MINUTES, TimeUnit.MINUTES)) {
            throw new AssertionError("no GENERATED event reached the listener; delivered " + delivered.size()
                    + ", errors " + errors);
        }
    }

    /**
     * Lets the stalled listener go. It counts as a delivery: before the release nothing was
     * delivered because the listener was stalled, not because everything was taken, so a quiet
     * pause (see {@link EndMarkers}) is measured from here at the earliest.
     */
    void release() {
        lastDelivery = System.nanoTime();
        released.countDown();
    }

    /** When the last event or gap was delivered, or the listener released, by System.nanoTime. */
    long lastDeliveryNanos() {
        return lastDelivery;
    }

    /** The place in {@link #delivered} of the first STORE_SET whose key {@code markers} made. */
    OptionalInt firstMarker(EndMarkers markers) {
        for (int i = 0; i < delivered.size(); i++) {
            Delivery item = delivered.get(i);
            if (item.type() == EventType.STORE_SET && markers.isMarker(item.key())) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }

    /** Waits for the STORE_SET event of {@code key}; returns its place in {@link #delivered}. */
    int awaitStoreSetOf(String key) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(WAIT_MINUTES);
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < delivered.size(); i++) {
                if (delivered.get(i).isStoreSetOf(key)) {
                    return i;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no STORE_SET event of " + key + "; delivered " + delivered.size() + ", errors "
                + errors);
    }
}
