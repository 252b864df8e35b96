// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.message.Attribute;
import dev.kchannel.api.message.Attributes;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Encoding a message gives exactly the documented nlmsghdr layout; decoding reads it back. */
class NetlinkMessageTest {

    @Test
    void encodesHeaderPayloadAndPaddingAsTheCLayout() {
        NetlinkMessage message = NetlinkMessage.builder(0x1234)
                .flags(Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK).seq(7).pid(0xCAFE)
                .payload(new byte[] {1, 2, 3, 4, 5})
                .build();

        byte[] expected = Wire.bytes().nlmsghdr(21, 0x1234, 0x05, 7, 0xCAFE).raw(new byte[] {1, 2, 3, 4, 5})
                .raw(new byte[3]).toArray();
        assertThat(message.encode()).isEqualTo(expected);
        assertThat(message.length()).isEqualTo(21);
        assertThat(message.encodedLength()).isEqualTo(24);
    }

    @Test
    void familyHeaderIsPaddedBeforeTheAttributes() {
        NetlinkMessage message = NetlinkMessage.builder(16)
                .payload(new byte[] {3, 2}, Attributes.of(Attribute.string(2, "nlctrl")))
                .build();

        byte[] expectedPayload = Wire.bytes().u8(3).u8(2).pad().attrString(2, "nlctrl").toArray();
        assertThat(message.payloadBytes()).isEqualTo(expectedPayload);
        assertThat(message.attributes(2).first(2)).map(Attribute::string).hasValue("nlctrl");
    }

    @Test
    void encodeWritesHostOrderWhateverTheBufferOrderAndRefusesShortBuffers() {
        NetlinkMessage message = NetlinkMessage.builder(20).seq(1).build();
        ByteBuffer wrongOrder = ByteBuffer.allocate(16).order(
                ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);

        message.encode(wrongOrder);

        assertThat(wrongOrder.array()).isEqualTo(Wire.bytes().nlmsghdr(16, 20, 0, 1, 0).toArray());
        assertThat(wrongOrder.order()).isNotEqualTo(ByteOrder.nativeOrder());
        ByteBuffer small = ByteBuffer.allocate(15);
        assertThatThrownBy(() -> message.encode(small)).isInstanceOf(BufferOverflowException.class);
        assertThat(small.position()).isZero();
    }

    @Test
    void roundTripsThroughTheCodec() {
        NetlinkMessage message = NetlinkMessage.builder(0xFFFF).flags(0xFFFF).seq(-1).pid(Integer.MIN_VALUE)
                .payload(new byte[] {9, 8, 7}).build();

        assertThat(NetlinkCodec.decode(message.encode())).containsExactly(message);
    }

    @Test
    void headerFieldsOutOfRangeAreRefused() {
        assertThatThrownBy(() -> NetlinkMessage.builder(0x10000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NetlinkMessage.builder(1).flags(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void attributeErrorsCountFromTheMessageStartAndNameTheTransport() {
        // family header of 4 bytes, then an attribute claiming 40 bytes where 8 are left
        byte[] payload = Wire.bytes().u32(0).u16(40).u16(1).u32(0).toArray();
        NetlinkMessage message = NetlinkMessage.builder(16).payload(payload).build();

        assertThatThrownBy(() -> message.attributes(4))
                .isInstanceOfSatisfying(MalformedMessageException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.LENGTH_PAST_END);
                    assertThat(e.offset()).hasValue(16 + 4);
                    assertThat(e.transport()).hasValue("netlink");
                });
    }

    @Test
    void payloadShorterThanTheFamilyHeaderIsATruncatedHeader() {
        NetlinkMessage message = NetlinkMessage.builder(16).payload(new byte[2]).build();

        assertThatThrownBy(() -> message.attributes(4))
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED_HEADER));
    }

    @Test
    void valueSemanticsCoverHeaderAndPayload() {
        NetlinkMessage a = NetlinkMessage.builder(1).seq(2).payload(new byte[] {1}).build();
        NetlinkMessage b = NetlinkMessage.builder(1).seq(2).payload(new byte[] {1}).build();

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(a.withSeqAndPid(3, 0)).isNotEqualTo(a.withFlags(1));
        assertThat(a.payload().isReadOnly()).isTrue();
    }
}
