// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.testing.HostileInputs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kchan message decoder and the readers built on it (LIST parts, STATS, events, error replies)
 * against hostile bytes ({@link HostileInputs}): they return or throw MalformedMessageException,
 * never anything else, never allocate what a lying length claims, never loop.
 */
class MessageCodecHostileInputTest {

    @Test
    void decodingAndReadingHostileBytesOnlyEverThrowsMalformedMessageException() {
        HostileInputs.assertOnlyMalformed("MessageCodec and the reply readers", samples(), bytes -> {
            KchanMessage message = MessageCodec.decode(bytes);
            readEverything(message);
        });
    }

    @Test
    void aHeaderClaimingTwoGibibytesIsRefusedBeforeAnythingIsAllocated() {
        byte[] bytes = new byte[20];
        ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putShort(0, (short) 1).putInt(12, Integer.MAX_VALUE);
        assertThatThrownBy(() -> MessageCodec.decode(bytes)).isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> MessageCodec.decodeNext(ByteBuffer.wrap(bytes)))
                .isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void entriesNestedThousandsDeepAreReadWithoutRecursingIntoAStackOverflow() {
        HostileInputs.assertOnlyMalformed("MessageCodec on a nest bomb", List.of(nestBomb(4000)),
                bytes -> readEverything(MessageCodec.decode(bytes)));
    }

    /** Everything a caller may read of a reply or event, each reader throwing only its typed error. */
    private static void readEverything(KchanMessage message) {
        walk(message.attributes(), 0);
        try {
            ListPart.from(message).entries().forEach(entry -> entry.key());
        } catch (MalformedMessageException expected) {
            // Not a LIST part: each reader is tried in turn.
        }
        try {
            StatsReply.from(message).transports();
        } catch (MalformedMessageException expected) {
            // Not a STATS reply.
        }
        try {
            KchanEvent event = KchanEvent.from(message);
            event.seq();
            event.dropped();
        } catch (MalformedMessageException expected) {
            // Not an event.
        }
        KchanReplies.error(message, "test");
    }

    /** Opens nests to a bounded depth, as the readers do; the bound is the point. */
    private static void walk(Attributes attributes, int depth) {
        for (Attribute attribute : attributes) {
            if (depth < 8 && attribute.isNested()) {
                walk(attribute.nested(), depth + 1);
            }
        }
    }

    private static List<byte[]> samples() {
        List<byte[]> samples = new ArrayList<>();
        samples.add(encode(KchanMessage.builder(Command.ECHO).flags(KchanProtocol.F_REPLY)
                .bytes(KchanProtocol.ATTR_PAYLOAD, "hello kernel".getBytes()).build()));
        samples.add(encode(KchanMessage.builder(Command.LIST).flags(KchanProtocol.F_REPLY | KchanProtocol.F_MORE)
                .attribute(entry("a", "1")).attribute(entry("bb", "22"))
                .bytes(KchanProtocol.ATTR_CURSOR, "bb".getBytes()).build()));
        samples.add(encode(KchanMessage.builder(Command.STATS).flags(KchanProtocol.F_REPLY)
                .attribute(Attribute.u64(KchanProtocol.ATTR_STORE_ENTRIES, 3))
                .attribute(Attribute.u64(KchanProtocol.ATTR_STORE_BYTES, 300))
                .attribute(Attribute.nested(KchanProtocol.ATTR_TRANSPORT_STATS,
                        Attribute.u32(KchanProtocol.ATTR_TRANSPORT, 1),
                        Attribute.u64(KchanProtocol.ATTR_STAT_REQUESTS, 10),
                        Attribute.u64(KchanProtocol.ATTR_STAT_ERRORS, 1)))
                .build()));
        samples.add(encode(KchanMessage.builder(Command.EVENT).flags(KchanProtocol.F_EVENT)
                .attribute(Attribute.u32(KchanProtocol.ATTR_EVENT_TYPE, 1))
                .attribute(Attribute.u64(KchanProtocol.ATTR_SEQ, 7))
                .attribute(Attribute.u64(KchanProtocol.ATTR_DROPPED, 2))
                .bytes(KchanProtocol.ATTR_KEY, "k".getBytes()).bytes(KchanProtocol.ATTR_VALUE, "v".getBytes())
                .build()));
        samples.add(encode(KchanMessage.builder(Command.SET).flags(KchanProtocol.F_REPLY).status(-22)
                .string(KchanProtocol.ATTR_ERRMSG, "key longer than KEY_MAX")
                .attribute(Attribute.u32(KchanProtocol.ATTR_ERRATTR, KchanProtocol.ATTR_KEY)).build()));
        return samples;
    }

    private static Attribute entry(String key, String value) {
        return Attribute.nested(KchanProtocol.ATTR_ENTRY, Attribute.bytes(KchanProtocol.ATTR_KEY, key.getBytes()),
                Attribute.bytes(KchanProtocol.ATTR_VALUE, value.getBytes()));
    }

    /** ENTRY in ENTRY {@code depth} deep, written by hand: the builder would refuse the nest's size. */
    private static byte[] nestBomb(int depth) {
        int length = KchanProtocol.HDR_LEN + depth * AttributeCodec.NLA_HDRLEN;
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        buffer.putShort((short) Command.LIST.id()).putShort((short) KchanProtocol.F_REPLY).putInt(0).putInt(0)
                .putInt(length);
        for (int level = 0; level < depth; level++) {
            buffer.putShort((short) (length - KchanProtocol.HDR_LEN - level * AttributeCodec.NLA_HDRLEN))
                    .putShort((short) (KchanProtocol.ATTR_ENTRY | AttributeCodec.NLA_F_NESTED));
        }
        return buffer.array();
    }

    private static byte[] encode(KchanMessage message) {
        return MessageCodec.toByteArray(message);
    }
}
