// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Splitting datagrams into messages, and refusing datagrams that are not whole messages. */
class NetlinkCodecTest {

    @Test
    void splitsAMultiMessageDatagramAtAlignedBoundaries() {
        byte[] datagram = Wire.concat(
                Wire.message(16, Netlink.NLM_F_MULTI, 5, 99, new byte[] {1, 2, 3}),  // len 19, padded to 20
                Wire.message(16, Netlink.NLM_F_MULTI, 5, 99, new byte[] {4}),        // len 17, padded to 20
                Wire.message(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI, 5, 99, new byte[4]));

        List<NetlinkMessage> messages = NetlinkCodec.decode(datagram);

        assertThat(messages).hasSize(3);
        assertThat(messages.get(0).payloadBytes()).containsExactly(1, 2, 3);
        assertThat(messages.get(1).payloadBytes()).containsExactly(4);
        assertThat(messages.get(2).isDone()).isTrue();
        assertThat(messages).allSatisfy(m -> {
            assertThat(m.seq()).isEqualTo(5);
            assertThat(m.pid()).isEqualTo(99);
            assertThat(m.hasFlags(Netlink.NLM_F_MULTI)).isTrue();
        });
    }

    @Test
    void lastMessageMayLackItsPadding() {
        byte[] unpadded = Wire.bytes().nlmsghdr(18, 20, 0, 1, 0).u16(0xABCD).toArray();

        assertThat(NetlinkCodec.decode(unpadded)).singleElement()
                .satisfies(m -> assertThat(m.payloadLength()).isEqualTo(2));
    }

    @Test
    void decodedMessagesDoNotSeeLaterChangesToTheInput() {
        byte[] datagram = Wire.message(20, 0, 1, 0, new byte[] {42});
        List<NetlinkMessage> messages = NetlinkCodec.decode(datagram);

        datagram[16] = 0;

        assertThat(messages.get(0).payloadBytes()).containsExactly(42);
    }

    @Test
    void encodeWritesMessagesBackToBack() {
        NetlinkMessage first = NetlinkMessage.builder(20).payload(new byte[] {1}).build();
        NetlinkMessage second = NetlinkMessage.builder(21).build();

        byte[] datagram = NetlinkCodec.encode(List.of(first, second));

        assertThat(datagram).hasSize(20 + 16);
        assertThat(NetlinkCodec.decode(datagram)).containsExactly(first, second);
    }

    @Test
    void emptyDatagramIsATruncatedHeader() {
        assertMalformed(new byte[0], Reason.TRUNCATED_HEADER, 0);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1, 4, 15})
    void fewerBytesThanAHeaderIsATruncatedHeader(int size) {
        assertMalformed(new byte[size], Reason.TRUNCATED_HEADER, 0);
    }

    @Test
    void bytesAfterTheLastMessageTooShortForAHeaderAreATruncatedHeader() {
        byte[] datagram = Wire.concat(Wire.message(20, 0, 1, 0, new byte[4]), new byte[8]);

        assertMalformed(datagram, Reason.TRUNCATED_HEADER, 20);
    }

    @ParameterizedTest(name = "nlmsg_len {0}")
    @ValueSource(ints = {0, 1, 15})
    void lengthBelowTheHeaderIsRefusedRatherThanLoopingForever(int length) {
        byte[] datagram = Wire.bytes().nlmsghdr(length, 20, 0, 1, 0).raw(new byte[16]).toArray();

        assertMalformed(datagram, Reason.LENGTH_BELOW_HEADER, 0);
    }

    @ParameterizedTest(name = "nlmsg_len {0}")
    @ValueSource(longs = {33, 4096, 0x7FFF_FFFFL, 0xFFFF_FFF0L})
    void lengthPastTheDatagramIsRefused(long length) {
        byte[] datagram = Wire.concat(Wire.message(20, 0, 1, 0, new byte[0]),
                Wire.bytes().nlmsghdr(length, 20, 0, 1, 0).raw(new byte[16]).toArray());

        assertMalformed(datagram, Reason.LENGTH_PAST_END, 16);
    }

    @Test
    void datagramErrorsNameTheNetlinkTransport() {
        Datagram datagram = Datagram.of(0, 0, new byte[3]);

        assertThatThrownBy(datagram::messages).isInstanceOfSatisfying(MalformedMessageException.class, e -> {
            assertThat(e.transport()).hasValue("netlink");
            assertThat(e.reason()).isEqualTo(Reason.TRUNCATED_HEADER);
        });
    }

    @Test
    void randomAndDamagedDatagramsEndInMessagesOrMalformedMessageExceptionOnly() {
        Random random = new Random(20240917L);
        byte[] good = Wire.concat(Wire.message(16, 2, 1, 1, new byte[] {8, 0, 1, 0, 'a', 'b', 'c', 0}),
                Wire.message(3, 2, 1, 1, new byte[4]));
        for (int round = 0; round < 10_000; round++) {
            byte[] input;
            switch (round % 3) {
                case 0 -> {
                    input = new byte[random.nextInt(80)];
                    random.nextBytes(input);
                }
                case 1 -> input = java.util.Arrays.copyOf(good, random.nextInt(good.length + 1));
                default -> {
                    input = good.clone();
                    input[random.nextInt(input.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            Integer inPlace;
            try {
                inPlace = NetlinkCodec.validate(inPlace(input));
            } catch (MalformedMessageException e) {
                inPlace = null;
            }
            List<NetlinkMessage> messages;
            try {
                messages = NetlinkCodec.decode(input);
            } catch (MalformedMessageException expected) {
                assertThat(expected.reason()).isNotNull();
                assertThat(inPlace).as("the in-place check refuses it too").isNull();
                continue;
            }
            assertThat(inPlace).as("the in-place check agrees with the decoder").isEqualTo(messages.size());
            try {
                for (NetlinkMessage message : messages) {
                    if (message.isError() || message.isDone()) {
                        NetlinkError.of(message);
                    }
                    message.attributes(0);
                }
            } catch (MalformedMessageException expected) {
                assertThat(expected.reason()).isNotNull();
            }
        }
    }

    /** Both readers, the copying decoder and the in-place check, refuse it the same way. */
    private static void assertMalformed(byte[] datagram, Reason reason, int offset) {
        assertThatThrownBy(() -> NetlinkCodec.decode(datagram))
                .isInstanceOfSatisfying(MalformedMessageException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.offset()).hasValue(offset);
                });
        assertThatThrownBy(() -> NetlinkCodec.validate(inPlace(datagram)))
                .isInstanceOfSatisfying(MalformedMessageException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.offset()).hasValue(offset);
                });
    }

    /** The bytes as a direct buffer in host order, as a socket's receive buffer holds them. */
    private static java.nio.ByteBuffer inPlace(byte[] datagram) {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocateDirect(datagram.length + 64)
                .order(java.nio.ByteOrder.nativeOrder());
        buffer.put(datagram).flip();
        return buffer;
    }

    @Test
    void inPlaceReadingFindsTheSameMessagesAndCopiesOnlyTheOneAskedFor() {
        byte[] datagram = Wire.concat(
                Wire.message(16, Netlink.NLM_F_MULTI, 5, 99, new byte[] {1, 2, 3}),
                Wire.message(17, 0, 6, 99, new byte[] {4, 5, 6, 7}));
        java.nio.ByteBuffer buffer = inPlace(datagram);

        assertThat(NetlinkCodec.validate(buffer)).isEqualTo(2);
        int second = NetlinkCodec.next(0, buffer.getInt(0), buffer.limit());
        assertThat(second).isEqualTo(20);
        assertThat(NetlinkCodec.next(second, buffer.getInt(second), buffer.limit())).isEqualTo(buffer.limit());
        assertThat(NetlinkMessage.copyOf(buffer, second)).isEqualTo(NetlinkCodec.decode(datagram).get(1));
    }
}
