// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.support;

/**
 * Counts lost events from per-subscriber sequence numbers, for transports that implement
 * {@link dev.kchannel.api.EventListener#onGap(long)}: kchan_core numbers each subscriber's events
 * consecutively and counts drops against that subscriber, so a jump from 7 to 10 means exactly two
 * events were lost, wherever they were lost (the kernel's bounded queue or a full socket buffer).
 *
 * <p>One instance per subscription, fed in delivery order by the one thread that delivers; not
 * thread-safe.
 */
public final class SequenceGapDetector {

    private final boolean knowsFirst;
    private long expected;
    private boolean started;
    private long totalLost;

    private SequenceGapDetector(boolean knowsFirst, long firstExpected) {
        this.knowsFirst = knowsFirst;
        this.expected = firstExpected;
    }

    /**
     * A detector for a stream whose first event is numbered {@code firstSeq} (kchan_core numbers a
     * new subscriber's events from 0), so
     * events lost before the first delivered one are counted too.
     */
    public static SequenceGapDetector startingAt(long firstSeq) {
        return new SequenceGapDetector(true, firstSeq);
    }

    /**
     * A detector that takes the first sequence number it sees as the start, for streams joined
     * part way through, where earlier numbers were never meant for this subscriber.
     */
    public static SequenceGapDetector joiningAnywhere() {
        return new SequenceGapDetector(false, 0);
    }

    /**
     * Records the event numbered {@code seq} and returns how many events were lost just before
     * it: 0 when it is the next one expected. A number at or below the last one seen (a kernel
     * restart of the numbering) starts counting afresh from it and returns 0, since nothing is
     * known to be lost.
     */
    public long observe(long seq) {
        long lost = 0;
        if (!started && !knowsFirst) {
            expected = seq;
        }
        if (Long.compareUnsigned(seq, expected) > 0) {
            lost = seq - expected;
            totalLost += lost;
        }
        started = true;
        expected = seq + 1;
        return lost;
    }

    /** Events lost so far. */
    public long totalLost() {
        return totalLost;
    }
}
