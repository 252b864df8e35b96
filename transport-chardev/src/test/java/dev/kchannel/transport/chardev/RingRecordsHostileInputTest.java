// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.chardev;

import dev.kchannel.api.message.Attribute;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.MessageCodec;
import dev.kchannel.api.testing.HostileInputs;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The event ring's records are in pages user space can write, so the reader trusts nothing there:
 * hostile bytes laid out as a ring's data area ({@link HostileInputs}), drained up to a PRODUCER
 * as long as the bytes (which may lie beyond the area), give MalformedMessageException or events,
 * nothing else.
 */
class RingRecordsHostileInputTest {

    private static final int DATA_SIZE = 4096;

    @Test
    void drainingHostileRingBytesOnlyEverThrowsMalformedMessageException() {
        HostileInputs.assertOnlyMalformed("the event ring reader", samples(), bytes -> {
            ByteBuffer data = ByteBuffer.allocate(DATA_SIZE);
            data.put(bytes, 0, Math.min(bytes.length, DATA_SIZE));
            new RingRecords(data, DATA_SIZE).drain(0, bytes.length, event -> event.attributes().size(), () -> true);
        });
    }

    private static List<byte[]> samples() {
        byte[] event = MessageCodec.toByteArray(KchanMessage.builder(Command.EVENT).flags(KchanProtocol.F_EVENT)
                .attribute(Attribute.u32(KchanProtocol.ATTR_EVENT_TYPE, 3))
                .attribute(Attribute.u64(KchanProtocol.ATTR_SEQ, 1))
                .bytes(KchanProtocol.ATTR_PAYLOAD, new byte[21]).build());
        byte[] two = new byte[(int) (2 * RingRecords.align(event.length))];
        System.arraycopy(event, 0, two, 0, event.length);
        System.arraycopy(event, 0, two, (int) RingRecords.align(event.length), event.length);
        return List.of(event, two);
    }
}
