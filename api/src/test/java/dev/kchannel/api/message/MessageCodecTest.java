// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.FieldLimitException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Whole messages: header fields, attributes, lengths, several messages in one buffer. */
class MessageCodecTest {

    @Test
    void headerAndAttributesRoundTrip() {
        KchanMessage original = KchanMessage.builder(Command.GET)
                .flags(KchanProtocol.F_REPLY | KchanProtocol.F_MORE)
                .seq(0xFFFF_FFFE)
                .status(-22)
                .bytes(KchanProtocol.ATTR_KEY, new byte[] {'k'})
                .string(KchanProtocol.ATTR_ERRMSG, "bad key")
                .u32(KchanProtocol.ATTR_ERRATTR, KchanProtocol.ATTR_KEY)
                .build();

        KchanMessage decoded = MessageCodec.decode(MessageCodec.toByteArray(original));

        assertThat(decoded).isEqualTo(original);
        assertThat(decoded.command()).isEqualTo(Command.GET);
        assertThat(decoded.isReply()).isTrue();
        assertThat(decoded.hasMore()).isTrue();
        assertThat(decoded.isEvent()).isFalse();
        assertThat(decoded.seq()).isEqualTo(0xFFFF_FFFE);
        assertThat(decoded.status()).isEqualTo(-22);
        assertThat(decoded.errno()).contains(Errno.EINVAL);
        assertThat(decoded.length()).isEqualTo(original.length());
    }

    @Test
    void lengthFieldCountsHeaderAndPaddedAttributes() {
        KchanMessage message = KchanRequests.set("abcde", "xyz");
        ByteBuffer bytes = MessageCodec.encode(message);

        // 16 header + align(4 + 5) + align(4 + 3)
        assertThat(message.length()).isEqualTo(16 + 12 + 8);
        assertThat(bytes.remaining()).isEqualTo(message.length());
        assertThat(bytes.order(ByteOrder.nativeOrder()).getInt(12)).isEqualTo(message.length());
    }

    @Test
    void emptyMessageIsJustTheHeader() {
        KchanMessage stats = KchanRequests.stats();
        byte[] bytes = MessageCodec.toByteArray(stats);

        assertThat(bytes).hasSize(KchanProtocol.HDR_LEN);
        assertThat(MessageCodec.decode(bytes)).isEqualTo(stats);
        assertThat(MessageCodec.decode(bytes).attributes().isEmpty()).isTrue();
    }

    @Test
    void largestEchoPayloadRoundTrips() {
        byte[] payload = new byte[KchanProtocol.PAYLOAD_MAX];
        payload[payload.length - 1] = 9;

        KchanMessage decoded = MessageCodec.decode(MessageCodec.encode(KchanRequests.echo(payload)));

        assertThat(KchanReplies.payload(decoded)).isEqualTo(payload);
    }

    @Test
    void largestValueRoundTrips() {
        byte[] value = new byte[KchanProtocol.VALUE_MAX];
        value[0] = 1;
        value[value.length - 1] = 2;
        KchanMessage set = KchanRequests.set("big", value);

        KchanMessage decoded = MessageCodec.decode(MessageCodec.encode(set));

        assertThat(decoded.attributes().require(KchanProtocol.ATTR_VALUE).bytes()).isEqualTo(value);
    }

    @Test
    void unknownCommandNumbersDecodeAndKeepTheirNumber() {
        KchanMessage future = KchanMessage.builder(4242).build();
        KchanMessage decoded = MessageCodec.decode(MessageCodec.toByteArray(future));

        assertThat(decoded.command()).isEqualTo(Command.UNRECOGNIZED);
        assertThat(decoded.commandId()).isEqualTo(4242);
    }

    @Test
    void decodeNextReadsMessagesBackToBackInADirectBuffer() {
        KchanMessage first = KchanRequests.echo(new byte[] {1, 2, 3});
        KchanMessage second = KchanRequests.get("k");
        ByteBuffer stream = ByteBuffer.allocateDirect(first.length() + second.length());
        MessageCodec.encode(first, stream);
        MessageCodec.encode(second, stream);
        stream.flip();

        assertThat(MessageCodec.frameLength(stream)).isEqualTo(first.length());
        assertThat(MessageCodec.decodeNext(stream)).isEqualTo(first);
        assertThat(MessageCodec.decodeNext(stream)).isEqualTo(second);
        assertThat(stream.hasRemaining()).isFalse();
        assertThat(MessageCodec.frameLength(stream)).isEqualTo(-1);
    }

    @Test
    void encodeReadsAndRestoresABigEndianBuffersOrder() {
        ByteBuffer target = ByteBuffer.allocate(64).order(ByteOrder.BIG_ENDIAN);
        KchanMessage message = KchanRequests.get("key");
        MessageCodec.encode(message, target);
        target.flip();

        assertThat(target.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
        assertThat(MessageCodec.decode(target)).isEqualTo(message);
    }

    @Test
    void withSeqChangesOnlyTheSequenceNumber() {
        KchanMessage request = KchanRequests.get("k");
        KchanMessage numbered = request.withSeq(77);

        assertThat(numbered.seq()).isEqualTo(77);
        assertThat(numbered.attributes()).isEqualTo(request.attributes());
        assertThat(numbered.toBuilder().build()).isEqualTo(numbered);
    }

    @Test
    void buildingAMessageOverMsgMaxIsRefusedNamingTheLimit() {
        KchanMessage.Builder builder = KchanMessage.builder(Command.ECHO);
        for (int i = 0; i < 5; i++) {
            builder.bytes(KchanProtocol.ATTR_PAYLOAD, new byte[KchanProtocol.PAYLOAD_MAX]);
        }
        assertThatThrownBy(builder::build)
                .isInstanceOfSatisfying(FieldLimitException.class, e -> {
                    assertThat(e.field()).isEqualTo("message");
                    assertThat(e.max()).isEqualTo(KchanProtocol.MSG_MAX);
                });
    }

    @Test
    void toStringNamesCommandFlagsAndAttributes() {
        KchanMessage reply = KchanMessage.builder(Command.SET).flags(KchanProtocol.F_REPLY).seq(3).status(-22)
                .bytes(KchanProtocol.ATTR_KEY, new byte[2]).build();

        assertThat(reply.toString()).contains("SET", "REPLY", "seq=3", "EINVAL (22)", "KEY(3)");
    }
}
