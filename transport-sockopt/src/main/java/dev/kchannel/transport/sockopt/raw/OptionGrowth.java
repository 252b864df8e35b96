// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.sockopt.raw;

/**
 * How {@link InetSocket#getOptionGrowing} sizes its buffer: it starts at {@code initialSize} bytes
 * (or the request's length, if larger), and after each answer saying the option needs more (the
 * returned {@code *optlen} exceeds the buffer), it tries again with exactly that many bytes, at
 * most {@code maxSize}, for at most {@code maxAttempts} calls in all.
 *
 * <p>More than two attempts are needed only when the option grows between calls (a table gaining
 * rows); the attempts bound keeps a value that grows faster than it is read from looping for ever.
 *
 * @param initialSize bytes of the first buffer, at least 1
 * @param maxSize the most bytes a buffer may have, at least {@code initialSize}
 * @param maxAttempts calls made at most, at least 1
 */
public record OptionGrowth(int initialSize, int maxSize, int maxAttempts) {

    /** Attempts of {@link #upTo(int)}: the first call, one at the size asked, two for a growing option. */
    public static final int DEFAULT_ATTEMPTS = 4;
    /** Bytes of {@link #upTo(int)}'s first buffer. */
    public static final int DEFAULT_INITIAL_SIZE = 256;

    /** @throws IllegalArgumentException if a bound is out of range */
    public OptionGrowth {
        if (initialSize < 1) {
            throw new IllegalArgumentException("initial buffer size " + initialSize + " is below 1 byte");
        }
        if (maxSize < initialSize) {
            throw new IllegalArgumentException("largest buffer size " + maxSize + " is below the initial " + initialSize);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("attempts " + maxAttempts + " is below 1");
        }
    }

    /** Starts at {@value #DEFAULT_INITIAL_SIZE} bytes (or {@code maxSize} if smaller), grows up to {@code maxSize}. */
    public static OptionGrowth upTo(int maxSize) {
        return new OptionGrowth(Math.min(DEFAULT_INITIAL_SIZE, maxSize), maxSize, DEFAULT_ATTEMPTS);
    }

    /** The same bounds with another first buffer size. */
    public OptionGrowth withInitialSize(int size) {
        return new OptionGrowth(size, maxSize, maxAttempts);
    }
}
