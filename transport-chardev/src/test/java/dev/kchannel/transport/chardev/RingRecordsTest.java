// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.chardev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.MessageCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ring's record layout as uapi/kchan.h describes it, written here the way kchan_chardev writes
 * it (records at count &amp; (size - 1), 16-byte aligned, a pad record where the next one would not
 * fit before the end), read back through {@link RingRecords}: wrap, pads, partial batches, and
 * records that break the layout.
 */
class RingRecordsTest {

    private static final int SIZE = 256;

    /** A ring writer like the kernel's, over a heap or direct buffer. */
    private static final class Writer {
        final ByteBuffer data;
        long producer;
        long consumer;

        Writer(ByteBuffer data) {
            this.data = data.order(ByteOrder.nativeOrder());
        }

        void put(KchanMessage event) {
            byte[] bytes = MessageCodec.toByteArray(event);
            int need = (int) RingRecords.align(bytes.length);
            int offset = (int) (producer & (SIZE - 1));
            int tail = SIZE - offset;
            if (need > tail) {
                data.putShort(offset, (short) 0);
                data.putShort(offset + 2, (short) KchanProtocol.F_RING_PAD);
                data.putInt(offset + 4, 0);
                data.putInt(offset + 8, 0);
                data.putInt(offset + 12, tail);
                producer += tail;
                offset = 0;
            }
            assertThat(SIZE - (producer - consumer)).as("room").isGreaterThanOrEqualTo(need);
            data.put(offset, bytes);
            producer += need;
        }
    }

    private static KchanMessage event(long seq, int payload) {
        return KchanMessage.builder(KchanProtocol.CMD_EVENT).flags(KchanProtocol.F_EVENT)
                .u64(KchanProtocol.ATTR_SEQ, seq).bytes(KchanProtocol.ATTR_PAYLOAD, new byte[payload]).build();
    }

    private static long seqOf(KchanMessage message) {
        return message.attributes().require(KchanProtocol.ATTR_SEQ)
                .u64();
    }

    @Test
    void readsEveryRecordAcrossPadsAndTheWrapInOrder() {
        for (ByteBuffer buffer : List.of(ByteBuffer.allocate(SIZE), ByteBuffer.allocateDirect(SIZE))) {
            Writer writer = new Writer(buffer);
            RingRecords records = new RingRecords(buffer, SIZE);
            List<Long> seen = new ArrayList<>();
            long seq = 0;
            // 40 events of 3 sizes (48, 64, 80 bytes as records): the ring wraps many times, with pads.
            while (seq < 40) {
                writer.put(event(seq, (int) (seq % 3) * 16 + 4));
                seq++;
                if (seq % 2 == 0) {
                    writer.consumer = records.drain(writer.consumer, writer.producer, m -> seen.add(seqOf(m)),
                            () -> true);
                    assertThat(writer.consumer).isEqualTo(writer.producer);
                }
            }
            writer.consumer = records.drain(writer.consumer, writer.producer, m -> seen.add(seqOf(m)), () -> true);

            assertThat(writer.producer).as("wrapped").isGreaterThan(4 * SIZE);
            assertThat(seen).hasSize(40);
            for (int i = 0; i < 40; i++) {
                assertThat(seen.get(i)).isEqualTo(i);
            }
        }
    }

    @Test
    void aPadRecordIsSkippedAndTheEventAfterItStartsAtZero() {
        ByteBuffer buffer = ByteBuffer.allocate(SIZE);
        Writer writer = new Writer(buffer);
        writer.put(event(0, 150)); // 16 + 12 + 156 = 184 -> 192 bytes
        long first = writer.producer;
        RingRecords records = new RingRecords(buffer, SIZE);
        List<Long> seen = new ArrayList<>();
        writer.consumer = records.drain(0, writer.producer, m -> seen.add(seqOf(m)), () -> true);
        long second = RingRecords.align(MessageCodec.toByteArray(event(1, 100)).length);
        assertThat(SIZE - first).as("the next record does not fit before the end").isLessThan(second);
        writer.put(event(1, 100)); // a pad of what is left, then the record at offset 0

        assertThat(writer.producer).isEqualTo(SIZE + second);
        long end = records.drain(writer.consumer, writer.producer, m -> seen.add(seqOf(m)), () -> true);

        assertThat(end).isEqualTo(writer.producer);
        assertThat(seen).containsExactly(0L, 1L);
    }

    @Test
    void aStoppedBatchEndsAtARecordBoundaryAndResumesThere() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(SIZE);
        Writer writer = new Writer(buffer);
        for (int i = 0; i < 4; i++) {
            writer.put(event(i, 4));
        }
        RingRecords records = new RingRecords(buffer, SIZE);
        List<Long> seen = new ArrayList<>();
        long first = records.drain(0, writer.producer, m -> seen.add(seqOf(m)), () -> seen.size() < 2);

        assertThat(seen).containsExactly(0L, 1L);
        assertThat(first).isEqualTo(2 * RingRecords.align(MessageCodec.toByteArray(event(0, 4)).length));

        long second = records.drain(first, writer.producer, m -> seen.add(seqOf(m)), () -> true);
        assertThat(second).isEqualTo(writer.producer);
        assertThat(seen).containsExactly(0L, 1L, 2L, 3L);
    }

    @Test
    void anEmptyRangeDeliversNothing() {
        RingRecords records = new RingRecords(ByteBuffer.allocate(SIZE), SIZE);
        List<KchanMessage> seen = new ArrayList<>();

        assertThat(records.drain(512, 512, seen::add, () -> true)).isEqualTo(512);
        assertThat(seen).isEmpty();
    }

    @Test
    void recordsThatBreakTheLayoutAreRefusedNamingWhere() {
        ByteBuffer buffer = ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder());
        RingRecords records = new RingRecords(buffer, SIZE);
        List<KchanMessage> seen = new ArrayList<>();

        buffer.putInt(12, 8); // a length below the header
        assertThatThrownBy(() -> records.drain(0, 32, seen::add, () -> true))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("record of 8 bytes");

        buffer.putInt(12, 64); // past PRODUCER
        assertThatThrownBy(() -> records.drain(0, 32, seen::add, () -> true))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("before PRODUCER");

        buffer.putInt(SIZE - 16 + 12, 32); // running past the end of the data
        assertThatThrownBy(() -> records.drain(SIZE - 16, SIZE + 32, seen::add, () -> true))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("before the end");

        assertThatThrownBy(() -> records.drain(0, SIZE + 16, seen::add, () -> true))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("not within 256 bytes");
        assertThatThrownBy(() -> records.drain(64, 32, seen::add, () -> true))
                .isInstanceOf(MalformedMessageException.class);
        assertThat(seen).isEmpty();
    }
}
