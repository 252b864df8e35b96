// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventLineTest {

    private static KchanEvent event(KchanMessage.Builder builder, long seq) {
        return KchanEvent.from(builder.u64(KchanProtocol.ATTR_SEQ, seq).build());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void storeEventsShowKeyAndValue() {
        KchanEvent set = event(FakeKernel.event(KchanProtocol.EVENT_STORE_SET)
                .bytes(KchanProtocol.ATTR_KEY, utf8("k")).bytes(KchanProtocol.ATTR_VALUE, new byte[] {0, 1}), 9);
        KchanEvent delete = event(FakeKernel.event(KchanProtocol.EVENT_STORE_DELETE)
                .bytes(KchanProtocol.ATTR_KEY, utf8("k")), 10);

        assertThat(EventLine.of(set, false)).isEqualTo("9\tSTORE_SET\tk\thex:0001");
        assertThat(EventLine.of(set, true)).isEqualTo("9\tSTORE_SET\t6b\t0001");
        assertThat(EventLine.of(delete, false)).isEqualTo("10\tSTORE_DELETE\tk");
    }

    @Test
    void generatedEventsShowIndexAndPayloadSize() {
        KchanEvent generated = event(FakeKernel.event(KchanProtocol.EVENT_GENERATED)
                .u64(KchanProtocol.ATTR_GEN_INDEX, 41).bytes(KchanProtocol.ATTR_PAYLOAD, new byte[128]), 42);

        assertThat(EventLine.of(generated, false)).isEqualTo("42\tGENERATED\t41\t128");
    }

    @Test
    void icmpPacketEventsAreSummarised() {
        byte[] icmp = {KchanProtocol.PACKET_ICMP, 8, 0, 0, 10, 0, 2, 15, (byte) 192, (byte) 168, 1, (byte) 254,
            (byte) 0x12, 0x34, 0, 7};
        KchanEvent packet = event(FakeKernel.event(KchanProtocol.EVENT_PACKET).bytes(KchanProtocol.ATTR_PAYLOAD, icmp), 3);

        assertThat(EventLine.of(packet, false))
                .isEqualTo("3\tPACKET\ticmp type 8 code 0 10.0.2.15 > 192.168.1.254 id 4660 seq 7");
    }

    @Test
    void packetsOfAnotherLayoutShowTheirBytes() {
        KchanEvent packet = event(FakeKernel.event(KchanProtocol.EVENT_PACKET)
                .bytes(KchanProtocol.ATTR_PAYLOAD, new byte[] {2, 0}), 4);

        assertThat(EventLine.of(packet, false)).isEqualTo("4\tPACKET\thex:0200");
    }

    @Test
    void anEventTypeThisSdkDoesNotKnowShowsItsNumber() {
        KchanEvent unknown = event(FakeKernel.event(77).bytes(KchanProtocol.ATTR_PAYLOAD, utf8("x")), 5);

        assertThat(EventLine.of(unknown, false)).isEqualTo("5\ttype-77\tx");
    }

    @Test
    void gapLines() {
        assertThat(EventLine.gap(1)).isEqualTo("lost 1 event");
        assertThat(EventLine.gap(12)).isEqualTo("lost 12 events");
    }
}
