// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.FieldLimitException;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.EventType;
import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.transport.netlink.genl.GenericFamily;
import dev.kchannel.transport.netlink.raw.NetlinkCodec;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;
import dev.kchannel.transport.netlink.raw.Wire;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** kchan messages to and from Generic Netlink bytes written by hand from the C layouts. */
class KchanGenlCodecTest {

    static final int FAMILY_ID = 0x1f;
    static final GenericFamily FAMILY = new GenericFamily("kchan", FAMILY_ID, 1, 0, KchanProtocol.ATTR_MAX,
            List.of(), Map.of("events", 9));

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] u64(long value) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(value).array();
    }

    @Test
    void requestIsGenlHeaderThenTheAttributesWithNoKchanHeader() {
        byte[] encoded = KchanGenlCodec.toNetlink(KchanRequests.set("k", "v"), FAMILY).withSeqAndPid(7, 99).encode();

        byte[] expected = Wire.bytes().nlmsghdr(16 + 4 + 8 + 8, FAMILY_ID, 0, 7, 99)
                .u8(KchanProtocol.CMD_SET).u8(KchanProtocol.GENL_VERSION).u16(0)
                .attr(KchanProtocol.ATTR_KEY, utf8("k"))
                .attr(KchanProtocol.ATTR_VALUE, utf8("v"))
                .toArray();
        assertThat(encoded).isEqualTo(expected);
    }

    @Test
    void commandBeyondGenlsU8IsRefusedBeforeSending() {
        KchanMessage request = KchanMessage.builder(256).build();

        assertThatThrownBy(() -> KchanGenlCodec.toNetlink(request, FAMILY)).isInstanceOf(FieldLimitException.class);
    }

    @Test
    void replyBecomesAKchanReplyWithTheRequestsSeq() {
        byte[] bytes = Wire.message(FAMILY_ID, 0, 42, 99, Wire.bytes()
                .u8(KchanProtocol.CMD_ECHO).u8(1).u16(0)
                .attr(KchanProtocol.ATTR_PAYLOAD, utf8("hi")).toArray());

        KchanMessage reply = KchanGenlCodec.toReply(single(bytes), KchanRequests.echo(utf8("hi")), FAMILY);

        assertThat(reply.isReply()).isTrue();
        assertThat(reply.hasMore()).isFalse();
        assertThat(reply.isEvent()).isFalse();
        assertThat(reply.command()).isEqualTo(Command.ECHO);
        assertThat(reply.seq()).isEqualTo(42);
        assertThat(reply.status()).isZero();
        assertThat(KchanReplies.payload(reply)).isEqualTo(utf8("hi"));
    }

    @Test
    void listReplyWithACursorSaysMore() {
        byte[] entry = Wire.bytes().attr(KchanProtocol.ATTR_KEY, utf8("a")).attr(KchanProtocol.ATTR_VALUE, utf8("1"))
                .toArray();
        byte[] bytes = Wire.message(FAMILY_ID, 0, 3, 99, Wire.bytes()
                .u8(KchanProtocol.CMD_LIST).u8(1).u16(0)
                .u16(4 + entry.length).u16(KchanProtocol.ATTR_ENTRY | 0x8000).raw(entry)
                .attr(KchanProtocol.ATTR_CURSOR, utf8("a")).toArray());

        KchanMessage reply = KchanGenlCodec.toReply(single(bytes), KchanRequests.list(), FAMILY);

        assertThat(reply.isReply()).isTrue();
        assertThat(reply.hasMore()).isTrue();
        assertThat(reply.attributes().require(KchanProtocol.ATTR_ENTRY).nested()
                .require(KchanProtocol.ATTR_KEY).bytes()).isEqualTo(utf8("a"));
    }

    @Test
    void lastListReplyHasNoCursorAndNoMore() {
        byte[] bytes = Wire.message(FAMILY_ID, 0, 3, 99, Wire.bytes().u8(KchanProtocol.CMD_LIST).u8(1).u16(0).toArray());

        KchanMessage reply = KchanGenlCodec.toReply(single(bytes), KchanRequests.list(), FAMILY);

        assertThat(reply.hasMore()).isFalse();
        assertThat(reply.attributes().isEmpty()).isTrue();
    }

    @Test
    void bareAcknowledgementIsAnEmptyReplyToTheRequestsCommand() {
        byte[] ack = Wire.message(2 /* NLMSG_ERROR */, 0x100, 5, 99,
                Wire.bytes().u32(0).nlmsghdr(20, FAMILY_ID, 5, 5, 99).toArray());

        KchanMessage reply = KchanGenlCodec.toReply(single(ack), KchanRequests.genStop(), FAMILY);

        assertThat(reply.command()).isEqualTo(Command.GEN_STOP);
        assertThat(reply.isReply()).isTrue();
        assertThat(reply.seq()).isEqualTo(5);
        assertThat(reply.attributes().isEmpty()).isTrue();
    }

    @Test
    void replyOfAnotherFamilyIsMalformed() {
        byte[] bytes = Wire.message(FAMILY_ID + 1, 0, 3, 99, Wire.bytes().u8(1).u8(1).u16(0).toArray());

        assertThatThrownBy(() -> KchanGenlCodec.toReply(single(bytes), KchanRequests.echo(new byte[0]), FAMILY))
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.transport()).contains("netlink"));
    }

    @Test
    void eventBecomesAKchanEventWithItsSeq() {
        byte[] bytes = Wire.message(FAMILY_ID, 0, 0, 0, Wire.bytes()
                .u8(KchanProtocol.CMD_EVENT).u8(1).u16(0)
                .attrU32(KchanProtocol.ATTR_EVENT_TYPE, KchanProtocol.EVENT_STORE_SET)
                .attr(KchanProtocol.ATTR_SEQ, u64(0x1_0000_0005L))
                .attr(KchanProtocol.ATTR_DROPPED, u64(2))
                .attr(KchanProtocol.ATTR_KEY, utf8("k"))
                .attr(KchanProtocol.ATTR_VALUE, utf8("v")).toArray());

        KchanMessage message = KchanGenlCodec.toEvent(single(bytes), FAMILY);
        KchanEvent event = KchanEvent.from(message);

        assertThat(message.isEvent()).isTrue();
        assertThat(message.isReply()).isFalse();
        assertThat(message.seq()).isEqualTo(5);
        assertThat(event.type()).isEqualTo(EventType.STORE_SET);
        assertThat(event.seq()).isEqualTo(0x1_0000_0005L);
        assertThat(event.dropped()).isEqualTo(2);
        assertThat(event.keyAsString()).contains("k");
        assertThat(event.value()).hasValue(utf8("v"));
    }

    @Test
    void otherCommandsAndFamiliesOnTheGroupAreNotEvents() {
        byte[] notEvent = Wire.message(FAMILY_ID, 0, 0, 0, Wire.bytes().u8(KchanProtocol.CMD_ECHO).u8(1).u16(0).toArray());
        byte[] otherFamily = Wire.message(0x10, 0, 0, 0, Wire.bytes().u8(KchanProtocol.CMD_EVENT).u8(1).u16(0).toArray());

        assertThat(KchanGenlCodec.toEvent(single(notEvent), FAMILY)).isNull();
        assertThat(KchanGenlCodec.toEvent(single(otherFamily), FAMILY)).isNull();
    }

    private static NetlinkMessage single(byte[] datagram) {
        List<NetlinkMessage> messages = NetlinkCodec.decode(datagram);
        assertThat(messages).hasSize(1);
        return messages.get(0);
    }
}
