// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.kchannel.api.error.MalformedMessageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Random, truncated and bit-flipped inputs only ever decode or throw
 * {@link MalformedMessageException}: never an index error, an out-of-memory, or a hang. The seed is
 * fixed so a failure reproduces; the iteration that failed is in the message.
 */
class CodecFuzzTest {

    private static final long SEED = 0x6B6368616EL;
    private static final int ITERATIONS = 10_000;

    /** Every typed read, nested included, since getters on hostile bytes must fail cleanly too. */
    private static final List<Consumer<Attribute>> GETTERS = List.of(
            Attribute::u8, Attribute::u16, Attribute::u32, Attribute::u64,
            Attribute::s8, Attribute::s16, Attribute::s32, Attribute::s64,
            attribute -> exercise(attribute.nested()));

    private final Random random = new Random(SEED);

    @Test
    void randomBytesOnlyEverDecodeOrFailAsMalformed() {
        int decoded = fuzz(iteration -> {
            byte[] bytes = new byte[random.nextInt(200)];
            random.nextBytes(bytes);
            if (bytes.length >= 16 && random.nextBoolean()) {
                // Make the header length plausible half the time, so attribute parsing is reached.
                ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putInt(MessageCodec.OFFSET_LEN, bytes.length);
            }
            return bytes;
        });
        assertThat(decoded).as("random inputs that decoded (the header-length fix-up makes some)").isPositive();
    }

    @Test
    void truncatedAndBitFlippedValidMessagesOnlyEverDecodeOrFailAsMalformed() {
        byte[] valid = MessageCodec.toByteArray(sample());
        fuzz(iteration -> {
            byte[] bytes = iteration % 2 == 0
                    ? Arrays.copyOf(valid, random.nextInt(valid.length + 1))
                    : valid.clone();
            int flips = 1 + random.nextInt(4);
            for (int i = 0; i < flips && bytes.length > 0; i++) {
                bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
            }
            return bytes;
        });
    }

    @Test
    void everyTruncationOfAValidMessageIsRejected() {
        byte[] valid = MessageCodec.toByteArray(sample());
        for (int length = 0; length < valid.length; length++) {
            byte[] truncated = Arrays.copyOf(valid, length);
            try {
                MessageCodec.decode(truncated);
                fail("a message truncated to " + length + " of " + valid.length + " bytes decoded");
            } catch (MalformedMessageException expected) {
                // Every truncation is shorter than the header's len.
            }
        }
    }

    /** Decodes {@link #ITERATIONS} inputs, exercising every decoded attribute; returns how many decoded. */
    private int fuzz(IntFunction<byte[]> inputs) {
        int decoded = 0;
        for (int iteration = 0; iteration < ITERATIONS; iteration++) {
            byte[] bytes = inputs.apply(iteration);
            try {
                KchanMessage message = MessageCodec.decode(bytes);
                exercise(message.attributes());
                decoded++;
            } catch (MalformedMessageException expected) {
                // The only acceptable failure.
            } catch (RuntimeException | Error unexpected) {
                throw new AssertionError("iteration " + iteration + " threw " + unexpected + " for "
                        + Arrays.toString(bytes), unexpected);
            }
            try {
                AttributeCodec.decode(bytes);
            } catch (MalformedMessageException expected) {
                // Same rule for bare attribute streams.
            }
        }
        return decoded;
    }

    /** Reads every attribute every way. */
    private static void exercise(Attributes attributes) {
        for (Attribute attribute : attributes) {
            attribute.string();
            attribute.bytes();
            for (Consumer<Attribute> getter : GETTERS) {
                try {
                    getter.accept(attribute);
                } catch (MalformedMessageException expected) {
                    // Wrong sizes are reported, not crashed on.
                }
            }
        }
    }

    private static KchanMessage sample() {
        return KchanMessage.builder(Command.LIST)
                .flags(KchanProtocol.F_REPLY | KchanProtocol.F_MORE)
                .seq(12)
                .nested(KchanProtocol.ATTR_ENTRY,
                        Attribute.bytes(KchanProtocol.ATTR_KEY, new byte[] {'a'}),
                        Attribute.bytes(KchanProtocol.ATTR_VALUE, new byte[] {1, 2, 3}))
                .nested(KchanProtocol.ATTR_ENTRY,
                        Attribute.bytes(KchanProtocol.ATTR_KEY, new byte[] {'b', 'c'}),
                        Attribute.nested(KchanProtocol.ATTR_VALUE, Attribute.u64(1, 5)))
                .bytes(KchanProtocol.ATTR_CURSOR, new byte[] {'b', 'c'})
                .u32(KchanProtocol.ATTR_ERRATTR, 3)
                .build();
    }
}
