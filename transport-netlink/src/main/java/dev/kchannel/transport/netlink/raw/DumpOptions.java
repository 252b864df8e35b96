// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import java.util.Objects;

/**
 * How a dump deals with {@link Netlink#NLM_F_DUMP_INTR}, the kernel's flag for a dump whose data
 * changed while it was being dumped (a route added, a family registered), so its parts may miss
 * entries or repeat them.
 *
 * <p>An interrupted attempt is dumped again from the start, up to {@link #attempts()} attempts in
 * all ({@value #DEFAULT_ATTEMPTS} by default); when every attempt was interrupted the stream throws
 * {@link DumpInterruptedException}. What the stream hands out meanwhile is the {@link Delivery}'s
 * business: by default nothing of an attempt before the kernel has finished it without the flag.
 *
 * @param attempts how many times the dump is sent at most, 1..{@value #MAX_ATTEMPTS} (1: never
 *     again)
 * @param delivery when parts are handed out
 */
public record DumpOptions(int attempts, Delivery delivery) {

    /** Attempts unless told otherwise: an interruption is rare, three in a row means churn. */
    public static final int DEFAULT_ATTEMPTS = 3;
    /** A bound on {@link #attempts()}, so that a typo cannot dump for ever. */
    public static final int MAX_ATTEMPTS = 100;

    private static final DumpOptions DEFAULTS = new DumpOptions(DEFAULT_ATTEMPTS, Delivery.WHOLE_ATTEMPT);

    /** When a dump's parts are handed to its reader. */
    public enum Delivery {
        /**
         * The parts of an attempt are held back until the kernel has ended it ({@code NLMSG_DONE})
         * without {@code NLM_F_DUMP_INTR}, then handed out in order: the reader sees one complete,
         * consistent dump or an exception, never parts of an interrupted attempt, and every
         * interruption can be retried. Costs memory for one attempt's parts. The default.
         */
        WHOLE_ATTEMPT,
        /**
         * Each part is handed out as it arrives, for dumps too large to hold. An attempt the kernel
         * flags before the reader took any part is retried as usual; once the reader has taken
         * parts it cannot be, so the parts after the flag are dropped and the stream ends in
         * {@link DumpInterruptedException} after the last good one, telling the reader to discard
         * what it took ({@link DumpInterruptedException#parts()}).
         */
        AS_RECEIVED
    }

    /** Checks the range of {@code attempts}. */
    public DumpOptions {
        if (attempts < 1 || attempts > MAX_ATTEMPTS) {
            throw new IllegalArgumentException("dump attempts " + attempts + " is outside 1.." + MAX_ATTEMPTS);
        }
        Objects.requireNonNull(delivery, "delivery");
    }

    /** {@value #DEFAULT_ATTEMPTS} attempts, {@link Delivery#WHOLE_ATTEMPT}. */
    public static DumpOptions defaults() {
        return DEFAULTS;
    }

    /** These options with {@code value} attempts at most. */
    public DumpOptions withAttempts(int value) {
        return new DumpOptions(value, delivery);
    }

    /** These options delivering parts as {@code value} says. */
    public DumpOptions withDelivery(Delivery value) {
        return new DumpOptions(attempts, value);
    }
}
