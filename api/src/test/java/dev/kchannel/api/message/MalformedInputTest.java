// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad input is rejected with its own {@link Reason} and the offset of the fault,
 * before anything is allocated from a length the input claims.
 */
class MalformedInputTest {

    /** A little builder of raw bytes in host order, for inputs the codec would never write. */
    private static final class Raw {
        private final ByteBuffer buffer = ByteBuffer.allocate(1024).order(ByteOrder.nativeOrder());

        Raw header(int cmd, int flags, int seq, int status, long len) {
            buffer.putShort((short) cmd).putShort((short) flags).putInt(seq).putInt(status).putInt((int) len);
            return this;
        }

        Raw attribute(int nlaLen, int type) {
            buffer.putShort((short) nlaLen).putShort((short) type);
            return this;
        }

        Raw bytes(int... values) {
            for (int value : values) {
                buffer.put((byte) value);
            }
            return this;
        }

        byte[] toArray() {
            byte[] bytes = new byte[buffer.position()];
            buffer.duplicate().flip().get(bytes);
            return bytes;
        }

        /** A message whose header len is patched to the final size. */
        byte[] message() {
            byte[] bytes = toArray();
            ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putInt(MessageCodec.OFFSET_LEN, bytes.length);
            return bytes;
        }
    }

    private static void assertRejected(ThrowingCallable decode, Reason reason, int offset) {
        assertThatThrownBy(decode).isInstanceOfSatisfying(MalformedMessageException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.offset()).hasValue(offset);
            assertThat(e.errno()).isEqualTo(Errno.EBADMSG);
            assertThat(e.getMessage()).contains(reason.name(), "at offset " + offset);
        });
    }

    @Test
    void truncatedHeader() {
        assertRejected(() -> MessageCodec.decode(new byte[15]), Reason.TRUNCATED_HEADER, 0);
        assertRejected(() -> MessageCodec.decode(new byte[0]), Reason.TRUNCATED_HEADER, 0);
    }

    @Test
    void headerLengthBelowTheHeader() {
        byte[] bytes = new Raw().header(1, 0, 0, 0, 8).bytes(0, 0, 0, 0, 0, 0, 0, 0).toArray();
        assertRejected(() -> MessageCodec.decode(bytes), Reason.LENGTH_BELOW_HEADER, 12);
        byte[] zero = new Raw().header(1, 0, 0, 0, 0).toArray();
        assertRejected(() -> MessageCodec.decode(zero), Reason.LENGTH_BELOW_HEADER, 12);
    }

    @Test
    void headerLengthPastTheEnd() {
        byte[] bytes = new Raw().header(1, 0, 0, 0, 40).attribute(8, 2).bytes(1, 2, 3, 4).toArray();
        assertRejected(() -> MessageCodec.decode(bytes), Reason.LENGTH_PAST_END, 12);
        assertRejected(() -> MessageCodec.decodeNext(ByteBuffer.wrap(bytes)), Reason.LENGTH_PAST_END, 12);
    }

    @Test
    void headerLengthShortOfTheBytesReceived() {
        byte[] bytes = new Raw().header(1, 0, 0, 0, 16).attribute(8, 2).bytes(1, 2, 3, 4).toArray();
        assertRejected(() -> MessageCodec.decode(bytes), Reason.LENGTH_MISMATCH, 12);
    }

    @Test
    void headerLengthAboveMsgMax() {
        byte[] bytes = new Raw().header(1, 0, 0, 0, KchanProtocol.MSG_MAX + 4L).toArray();
        assertRejected(() -> MessageCodec.decode(bytes), Reason.MESSAGE_TOO_LARGE, 12);
    }

    @Test
    void attributeLengthBelowItsHeader() {
        for (int nlaLen = 1; nlaLen < 4; nlaLen++) {
            byte[] bytes = new Raw().header(1, 0, 0, 0, 0).attribute(nlaLen, 2).bytes(0, 0, 0, 0).message();
            assertRejected(() -> MessageCodec.decode(bytes), Reason.LENGTH_BELOW_HEADER, 16);
        }
    }

    @Test
    void zeroLengthAttribute() {
        byte[] bytes = new Raw().header(1, 0, 0, 0, 0).attribute(8, 2).bytes(1, 2, 3, 4).attribute(0, 3).message();
        assertRejected(() -> MessageCodec.decode(bytes), Reason.ZERO_LENGTH, 24);
    }

    @Test
    void attributeLengthPastTheEnd() {
        byte[] bytes = new Raw().header(1, 0, 0, 0, 0).attribute(300, 2).bytes(1, 2, 3, 4).message();
        assertRejected(() -> MessageCodec.decode(bytes), Reason.LENGTH_PAST_END, 16);
    }

    @Test
    void nestedAttributeOverflowingItsParent() {
        // ENTRY (nested, 12 bytes: header + one child header + 4 bytes) whose child claims 20 bytes;
        // the message goes on past the parent, so only the parent bound catches it.
        byte[] bytes = new Raw().header(5, 0, 0, 0, 0)
                .attribute(12, KchanProtocol.ATTR_ENTRY | AttributeCodec.NLA_F_NESTED)
                .attribute(20, KchanProtocol.ATTR_KEY).bytes(1, 2, 3, 4)
                .attribute(8, KchanProtocol.ATTR_VALUE).bytes(5, 6, 7, 8)
                .attribute(8, KchanProtocol.ATTR_VALUE).bytes(5, 6, 7, 8)
                .message();
        assertRejected(() -> MessageCodec.decode(bytes), Reason.NESTED_LENGTH_OVERFLOW, 20);
    }

    @Test
    void nestedOverflowInAnUnflaggedAttributeIsCaughtWhenReadAsNested() {
        byte[] bytes = new Raw().header(5, 0, 0, 0, 0)
                .attribute(12, KchanProtocol.ATTR_ENTRY)
                .attribute(20, KchanProtocol.ATTR_KEY).bytes(1, 2, 3, 4)
                .message();
        KchanMessage message = MessageCodec.decode(bytes);
        assertRejected(() -> message.attributes().require(KchanProtocol.ATTR_ENTRY).nested(),
                Reason.NESTED_LENGTH_OVERFLOW, 20);
    }

    @Test
    void unalignedTail() {
        for (int tail = 1; tail <= 3; tail++) {
            Raw raw = new Raw().header(1, 0, 0, 0, 0).attribute(8, 2).bytes(1, 2, 3, 4);
            for (int i = 0; i < tail; i++) {
                raw.bytes(0);
            }
            byte[] bytes = raw.message();
            assertRejected(() -> MessageCodec.decode(bytes), Reason.UNALIGNED_TAIL, 24);
        }
    }

    @Test
    void nestingDeeperThanTheLimit() {
        Attribute nest = Attribute.u8(1, 1);
        for (int depth = 0; depth <= AttributeCodec.MAX_NESTING_DEPTH; depth++) {
            nest = Attribute.nested(2, nest);
        }
        byte[] bytes = AttributeCodec.encode(Attributes.of(nest));
        assertThatThrownBy(() -> AttributeCodec.decode(bytes))
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.NESTING_TOO_DEEP));
    }

    @Test
    void failedDecodingLeavesTheBufferPositionAlone() {
        byte[] bytes = new Raw().header(1, 0, 0, 0, 0).attribute(300, 2).message();
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        assertThatThrownBy(() -> MessageCodec.decode(buffer)).isInstanceOf(MalformedMessageException.class);
        assertThat(buffer.position()).isZero();
    }

    @Test
    void lyingLengthsAllocateNothingOfTheirSize() {
        // A header claiming 2 GB, and one claiming 4 GB - 1, followed by only a few bytes.
        byte[] twoGigabytes = new Raw().header(1, 0, 0, 0, 0x8000_0000L).bytes(1, 2, 3, 4).toArray();
        byte[] fourGigabytes = new Raw().header(1, 0, 0, 0, 0xFFFF_FFFFL).toArray();
        byte[] hugeButUnderMax = new Raw().header(1, 0, 0, 0, KchanProtocol.MSG_MAX).toArray();

        long allocated = allocatedBytesWhile(() -> {
            for (int i = 0; i < 20; i++) {
                for (byte[] bytes : new byte[][] {twoGigabytes, fourGigabytes, hugeButUnderMax}) {
                    try {
                        MessageCodec.decode(bytes);
                    } catch (MalformedMessageException expected) {
                        // Each must fail without allocating what it claims.
                    }
                }
            }
        });

        // 60 exceptions with their stack traces, but nowhere near even one claimed 256 KiB.
        assertThat(allocated).isLessThan(KchanProtocol.MSG_MAX);
        assertRejected(() -> MessageCodec.decode(twoGigabytes), Reason.MESSAGE_TOO_LARGE, 12);
        assertRejected(() -> MessageCodec.decode(hugeButUnderMax), Reason.LENGTH_PAST_END, 12);
    }

    private static long allocatedBytesWhile(Runnable work) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        work.run(); // warm up, so class loading is not counted
        long before = threads.getThreadAllocatedBytes(thread);
        work.run();
        return threads.getThreadAllocatedBytes(thread) - before;
    }
}
