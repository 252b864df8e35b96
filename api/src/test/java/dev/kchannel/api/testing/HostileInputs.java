// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.testing;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kchannel.api.error.MalformedMessageException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Hostile bytes for a decoder, and the one outcome allowed: it returns, or throws
 * {@link MalformedMessageException}. Anything else (an IndexOutOfBounds, a NegativeArraySize, an
 * OutOfMemoryError from an allocation sized by a lying length, a StackOverflowError from nesting)
 * fails the test with the seed, the input's number and its bytes in hex, so it can be replayed.
 *
 * <p>Each run feeds every truncation of every valid sample, then {@link #ITERATIONS} inputs drawn
 * from a seeded generator: random bytes of random length, and samples mutated by bit flips, bytes
 * set to 0/0x7f/0x80/0xff, 16- and 32-bit fields (lengths, counts) set to boundary values such as
 * 0xffff and 0x7fffffff, chunks cut out or repeated. A hang guard bounds the whole batch.
 *
 * <p>{@code -Dkchannel.fuzz.decode.iterations} (10,000 by default, 100,000 for the full run in
 * RELIABILITY.md) and {@code -Dkchannel.fuzz.decode.seed} (1 by default) tune it.
 */
public final class HostileInputs {

    /** Inputs per decoder besides the truncations. */
    public static final int ITERATIONS = Integer.getInteger("kchannel.fuzz.decode.iterations", 10_000);
    private static final long SEED = Long.getLong("kchannel.fuzz.decode.seed", 1);
    /** Far beyond what a batch takes on any machine: only a decoder that loops forever reaches it. */
    private static final Duration HANG_GUARD = Duration.ofMinutes(5);
    private static final int[] BOUNDARIES = {0, 1, 3, 4, 15, 16, 17, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000,
        0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff};

    private HostileInputs() {
    }

    /** Feeds {@code decode} hostile variants of {@code valid}; see the class comment. */
    public static void assertOnlyMalformed(String decoder, List<byte[]> valid, Consumer<byte[]> decode) {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            for (byte[] sample : valid) {
                for (int length = 0; length < sample.length; length++) {
                    feed(decoder, "truncated to " + length, java.util.Arrays.copyOf(sample, length), decode);
                }
            }
            Random random = new Random(SEED);
            for (int i = 0; i < ITERATIONS; i++) {
                byte[] input = random.nextInt(4) == 0 ? randomBytes(random)
                        : mutate(random, valid.get(random.nextInt(valid.size())));
                feed(decoder, "input " + i + " of seed " + SEED, input, decode);
            }
        }, () -> decoder + ": a batch of hostile inputs did not finish in " + HANG_GUARD + " (a decoder looping?)");
    }

    private static void feed(String decoder, String which, byte[] input, Consumer<byte[]> decode) {
        try {
            decode.accept(input);
        } catch (MalformedMessageException expected) {
            // The one typed refusal.
        } catch (Throwable other) {
            fail(decoder + " threw " + other + " instead of MalformedMessageException for " + which + ": "
                    + HexFormat.of().formatHex(input), other);
        }
    }

    private static byte[] randomBytes(Random random) {
        byte[] bytes = new byte[random.nextInt(4) == 0 ? random.nextInt(4096) : random.nextInt(64)];
        random.nextBytes(bytes);
        return bytes;
    }

    /** One to four mutations of a copy of {@code sample}. */
    static byte[] mutate(Random random, byte[] sample) {
        byte[] bytes = sample.clone();
        for (int rounds = 1 + random.nextInt(4); rounds > 0; rounds--) {
            bytes = mutateOnce(random, bytes);
        }
        return bytes;
    }

    private static byte[] mutateOnce(Random random, byte[] bytes) {
        if (bytes.length == 0) {
            return new byte[] {(byte) random.nextInt()};
        }
        int at = random.nextInt(bytes.length);
        switch (random.nextInt(6)) {
            case 0 -> bytes[at] ^= (byte) (1 << random.nextInt(8));
            case 1 -> bytes[at] = (byte) new int[] {0, 0x7f, 0x80, 0xff}[random.nextInt(4)];
            case 2 -> putLittleEndian(bytes, at, random.nextBoolean() ? 2 : 4, BOUNDARIES[random.nextInt(BOUNDARIES.length)]);
            case 3 -> {
                int from = at + random.nextInt(bytes.length - at);
                byte[] cut = new byte[bytes.length - (from - at + 1)];
                System.arraycopy(bytes, 0, cut, 0, at);
                System.arraycopy(bytes, from + 1, cut, at, bytes.length - from - 1);
                return cut;
            }
            case 4 -> {
                int length = 1 + random.nextInt(Math.min(64, bytes.length - at));
                byte[] grown = new byte[bytes.length + length];
                System.arraycopy(bytes, 0, grown, 0, at + length);
                System.arraycopy(bytes, at, grown, at + length, bytes.length - at);
                return grown;
            }
            default -> {
                return java.util.Arrays.copyOf(bytes, at);
            }
        }
        return bytes;
    }

    /** Host byte order is little-endian on every machine kchannel supports (x86_64). */
    private static void putLittleEndian(byte[] bytes, int at, int width, int value) {
        for (int i = 0; i < width && at + i < bytes.length; i++) {
            bytes[at + i] = (byte) (value >>> (8 * i));
        }
    }
}
