// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.message.KchanRequests;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The end of an event window after a flood: a STORE_SET of a numbered marker key, sent once the
 * listener has been quiet for a while, and again each time it stays quiet and no marker came,
 * until one arrives. The first marker that arrives closes the window.
 *
 * <p>Why not one end sentinel after a quiet pause: quiet does not prove the kernel's queue or the
 * socket has room. A guest stalled for a few seconds under TCG looks quiet too, and a sentinel
 * sent then is dropped like any event, with no later event to report the gap. Markers are sent
 * only after the flood was offered whole, so those lost before the one that arrived are the
 * window's last events, and {@link #lostBefore} says how many to account for.
 */
final class EndMarkers {

    private static final Duration WAIT = Duration.ofMinutes(5);

    private final String prefix;
    private int sent;

    EndMarkers(String prefix) {
        this.prefix = prefix;
    }

    /** Whether {@code key} is one of these markers. */
    boolean isMarker(String key) {
        return key != null && key.startsWith(prefix + ".");
    }

    /** Markers sent so far. */
    int sent() {
        return sent;
    }

    /** Markers sent before the one named {@code key}: lost, since events arrive in order. */
    int lostBefore(String key) {
        if (!isMarker(key)) {
            throw new IllegalArgumentException(key + " is not one of the markers " + prefix + ".N");
        }
        return Integer.parseInt(key.substring(prefix.length() + 1));
    }

    /**
     * Sends markers through {@code channel} until {@code arrived} finds one (its place among the
     * listener's deliveries): the first when nothing was delivered for {@code quiet}, by
     * {@code lastDeliveryNanos}, and another whenever that long passes again with no marker.
     *
     * @throws AssertionError when none arrived in 5 minutes
     */
    int await(KernelChannel channel, Supplier<OptionalInt> arrived, LongSupplier lastDeliveryNanos, Duration quiet)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long lastSent = System.nanoTime() - quiet.toNanos();
        while (true) {
            OptionalInt found = arrived.get();
            if (found.isPresent()) {
                return found.getAsInt();
            }
            long now = System.nanoTime();
            if (now - Math.max(lastSent, lastDeliveryNanos.getAsLong()) > quiet.toNanos()) {
                channel.call(KchanRequests.set(prefix + "." + sent, "end"));
                sent++;
                lastSent = System.nanoTime();
            }
            if (now > deadline) {
                throw new AssertionError("none of " + sent + " end markers " + prefix + ".N arrived in " + WAIT);
            }
            Thread.sleep(20);
        }
    }

    /** Deletes every marker sent, through {@code channel}. */
    void deleteAll(KernelChannel channel) {
        for (int i = 0; i < sent; i++) {
            channel.call(KchanRequests.delete(prefix + "." + i));
        }
    }
}
