// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** ListPart, StatsReply and KchanEvent read the replies the header describes, after a round trip. */
class ReplyViewsTest {

    private static KchanMessage wire(KchanMessage message) {
        return MessageCodec.decode(MessageCodec.encode(message));
    }

    private static Attribute entry(String key, String value) {
        return Attribute.nested(KchanProtocol.ATTR_ENTRY,
                Attribute.bytes(KchanProtocol.ATTR_KEY, key.getBytes(StandardCharsets.UTF_8)),
                Attribute.bytes(KchanProtocol.ATTR_VALUE, value.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void listPartReadsEntriesCursorAndMore() {
        KchanMessage reply = wire(KchanMessage.builder(Command.LIST)
                .flags(KchanProtocol.F_REPLY | KchanProtocol.F_MORE)
                .attribute(entry("a", "1"))
                .attribute(entry("b", "22"))
                .bytes(KchanProtocol.ATTR_CURSOR, new byte[] {'b'})
                .build());

        ListPart part = ListPart.from(reply);

        assertThat(part.entries()).extracting(ListEntry::keyAsString).containsExactly("a", "b");
        assertThat(part.entries().get(1).value()).isEqualTo("22".getBytes(StandardCharsets.UTF_8));
        assertThat(part.cursor()).hasValueSatisfying(cursor -> assertThat(cursor).containsExactly('b'));
        assertThat(part.hasMore()).isTrue();
    }

    @Test
    void lastListPartHasNoMore() {
        ListPart part = ListPart.from(wire(KchanMessage.builder(Command.LIST).flags(KchanProtocol.F_REPLY).build()));

        assertThat(part.entries()).isEmpty();
        assertThat(part.hasMore()).isFalse();
        assertThat(part.cursor()).isEmpty();
    }

    @Test
    void listEntryWithoutValueIsMalformed() {
        KchanMessage reply = KchanMessage.builder(Command.LIST).flags(KchanProtocol.F_REPLY)
                .nested(KchanProtocol.ATTR_ENTRY, Attribute.bytes(KchanProtocol.ATTR_KEY, new byte[] {'a'}))
                .build();

        assertThatThrownBy(() -> ListPart.from(reply)).isInstanceOfSatisfying(MalformedMessageException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.MISSING_ATTRIBUTE));
    }

    @Test
    void viewsRefuseTheWrongCommand() {
        assertThatThrownBy(() -> ListPart.from(KchanRequests.stats()))
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNEXPECTED_MESSAGE));
        assertThatThrownBy(() -> StatsReply.from(KchanRequests.list())).isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> KchanEvent.from(KchanRequests.list())).isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void statsReplyReadsStoreTotalsAndPerTransportCounters() {
        KchanMessage reply = wire(KchanMessage.builder(Command.STATS).flags(KchanProtocol.F_REPLY)
                .u64(KchanProtocol.ATTR_STORE_ENTRIES, 3)
                .u64(KchanProtocol.ATTR_STORE_BYTES, 99)
                .nested(KchanProtocol.ATTR_TRANSPORT_STATS,
                        Attribute.u32(KchanProtocol.ATTR_TRANSPORT, KchanProtocol.TRANSPORT_NETLINK),
                        Attribute.u64(KchanProtocol.ATTR_STAT_REQUESTS, 10),
                        Attribute.u64(KchanProtocol.ATTR_STAT_ERRORS, 1),
                        Attribute.u64(KchanProtocol.ATTR_STAT_EVENTS, 5),
                        Attribute.u64(KchanProtocol.ATTR_STAT_DROPS, 2))
                .nested(KchanProtocol.ATTR_TRANSPORT_STATS,
                        Attribute.u32(KchanProtocol.ATTR_TRANSPORT, KchanProtocol.TRANSPORT_PROCFS),
                        Attribute.u64(KchanProtocol.ATTR_STAT_REQUESTS, 4))
                .build());

        StatsReply stats = StatsReply.from(reply);

        assertThat(stats.storeEntries()).isEqualTo(3);
        assertThat(stats.storeBytes()).isEqualTo(99);
        assertThat(stats.transport(TransportId.NETLINK))
                .contains(new TransportStats(TransportId.NETLINK, 1, 10, 1, 5, 2));
        assertThat(stats.transport(TransportId.PROCFS)).hasValueSatisfying(procfs -> {
            assertThat(procfs.requests()).isEqualTo(4);
            assertThat(procfs.drops()).isZero();
        });
        assertThat(stats.transport(TransportId.CHARDEV)).isEmpty();
    }

    @Test
    void eventReadsTypeSeqAndItsAttributes() {
        KchanEvent set = KchanEvent.from(wire(KchanMessage.builder(Command.EVENT).flags(KchanProtocol.F_EVENT)
                .u32(KchanProtocol.ATTR_EVENT_TYPE, KchanProtocol.EVENT_STORE_SET)
                .u64(KchanProtocol.ATTR_SEQ, 41)
                .u64(KchanProtocol.ATTR_DROPPED, 2)
                .bytes(KchanProtocol.ATTR_KEY, "k".getBytes(StandardCharsets.UTF_8))
                .bytes(KchanProtocol.ATTR_VALUE, new byte[] {7})
                .build()));
        KchanEvent generated = KchanEvent.from(KchanMessage.builder(Command.EVENT)
                .u32(KchanProtocol.ATTR_EVENT_TYPE, KchanProtocol.EVENT_GENERATED)
                .u64(KchanProtocol.ATTR_SEQ, 42)
                .u64(KchanProtocol.ATTR_GEN_INDEX, 0)
                .bytes(KchanProtocol.ATTR_PAYLOAD, new byte[3])
                .build());

        assertThat(set.type()).isEqualTo(EventType.STORE_SET);
        assertThat(set.seq()).isEqualTo(41);
        assertThat(set.dropped()).isEqualTo(2);
        assertThat(set.keyAsString()).contains("k");
        assertThat(set.value()).hasValueSatisfying(value -> assertThat(value).containsExactly(7));
        assertThat(set.genIndex()).isEmpty();
        assertThat(generated.type()).isEqualTo(EventType.GENERATED);
        assertThat(generated.genIndex()).hasValue(0);
        assertThat(generated.payload()).hasValueSatisfying(payload -> assertThat(payload).hasSize(3));
        assertThat(generated.dropped()).isZero();
    }

    @Test
    void eventWithoutSeqIsMalformedAndUnknownTypesAreUnrecognized() {
        assertThatThrownBy(() -> KchanEvent.from(KchanMessage.builder(Command.EVENT)
                .u32(KchanProtocol.ATTR_EVENT_TYPE, 1).build()))
                .isInstanceOfSatisfying(MalformedMessageException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.MISSING_ATTRIBUTE);
                    assertThat(e.offendingAttribute()).hasValue(KchanProtocol.ATTR_SEQ);
                });
        KchanEvent future = KchanEvent.from(KchanMessage.builder(Command.EVENT)
                .u32(KchanProtocol.ATTR_EVENT_TYPE, 77).u64(KchanProtocol.ATTR_SEQ, 1).build());
        assertThat(future.type()).isEqualTo(EventType.UNRECOGNIZED);
    }
}
