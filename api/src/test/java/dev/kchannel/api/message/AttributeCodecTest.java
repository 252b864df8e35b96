// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.FieldLimitException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Attributes survive encoding and decoding bit for bit, padding is zero, limits hold. */
class AttributeCodecTest {

    private static Attributes roundTrip(Attributes attributes) {
        return AttributeCodec.decode(AttributeCodec.encode(attributes));
    }

    @Test
    void everyWireTypeRoundTrips() {
        Attributes original = Attributes.of(
                Attribute.flag(1),
                Attribute.u8(2, 0xFE),
                Attribute.u16(3, 0xFFFE),
                Attribute.u32(4, 0xFFFF_FFFEL),
                Attribute.u64(5, -2L),
                Attribute.s8(6, -7),
                Attribute.s16(7, (short) -300),
                Attribute.s32(8, Integer.MIN_VALUE),
                Attribute.s64(9, Long.MIN_VALUE),
                Attribute.string(10, "grüße"),
                Attribute.bytes(11, new byte[] {0, 1, 2, 3, 4}),
                Attribute.net16(12, 0x1234),
                Attribute.net32(13, 0x1234_5678L),
                Attribute.net64(14, 0x0102_0304_0506_0708L));

        Attributes decoded = roundTrip(original);

        assertThat(decoded).isEqualTo(original);
        assertThat(decoded.get(0).length()).isZero();
        assertThat(decoded.get(1).u8()).isEqualTo(0xFE);
        assertThat(decoded.get(2).u16()).isEqualTo(0xFFFE);
        assertThat(decoded.get(3).u32()).isEqualTo(0xFFFF_FFFEL);
        assertThat(decoded.get(4).u64()).isEqualTo(-2L);
        assertThat(decoded.get(5).s8()).isEqualTo((byte) -7);
        assertThat(decoded.get(6).s16()).isEqualTo((short) -300);
        assertThat(decoded.get(7).s32()).isEqualTo(Integer.MIN_VALUE);
        assertThat(decoded.get(8).s64()).isEqualTo(Long.MIN_VALUE);
        assertThat(decoded.get(9).string()).isEqualTo("grüße");
        assertThat(decoded.get(10).bytes()).containsExactly(0, 1, 2, 3, 4);
        assertThat(decoded.get(11).u16()).isEqualTo(0x1234);
        assertThat(decoded.get(12).u32()).isEqualTo(0x1234_5678L);
        assertThat(decoded.get(13).u64()).isEqualTo(0x0102_0304_0506_0708L);
    }

    @Test
    void integersUseHostByteOrderUnlessFlaggedNetworkOrder() {
        byte[] host = AttributeCodec.encode(Attributes.of(Attribute.u32(1, 0x0102_0304L)));
        byte[] network = AttributeCodec.encode(Attributes.of(Attribute.net32(1, 0x0102_0304L)));

        assertThat(ByteBuffer.wrap(host, 4, 4).order(ByteOrder.nativeOrder()).getInt()).isEqualTo(0x0102_0304);
        assertThat(Arrays.copyOfRange(network, 4, 8)).containsExactly(1, 2, 3, 4);
        int networkType = ByteBuffer.wrap(network, 2, 2).order(ByteOrder.nativeOrder()).getShort() & 0xFFFF;
        assertThat(networkType).isEqualTo(1 | AttributeCodec.NLA_F_NET_BYTEORDER);
    }

    @Test
    void nestedThreeLevelsDeepRoundTrips() {
        Attribute innermost = Attribute.nested(3, Attribute.u32(30, 42), Attribute.string(31, "deep"));
        Attribute middle = Attribute.nested(2, Attribute.u8(20, 7), innermost);
        Attribute outer = Attribute.nested(1, middle, Attribute.flag(10));

        Attributes decoded = roundTrip(Attributes.of(outer));

        Attribute level1 = decoded.require(1);
        assertThat(level1.isNested()).isTrue();
        Attribute level2 = level1.nested().require(2);
        assertThat(level2.nested().require(20).u8()).isEqualTo(7);
        Attributes level3 = level2.nested().require(3).nested();
        assertThat(level3.require(30).u32()).isEqualTo(42);
        assertThat(level3.require(31).string()).isEqualTo("deep");
        assertThat(level1.nested().require(10).length()).isZero();
        assertThat(decoded).isEqualTo(Attributes.of(outer));
    }

    @Test
    void emptyAttributesAndEmptyNestsRoundTrip() {
        assertThat(roundTrip(Attributes.empty())).isEqualTo(Attributes.empty());
        assertThat(AttributeCodec.encode(Attributes.empty())).isEmpty();

        Attributes original = Attributes.of(Attribute.bytes(2, new byte[0]), Attribute.nested(6), Attribute.string(13, ""));
        Attributes decoded = roundTrip(original);

        assertThat(decoded).isEqualTo(original);
        assertThat(decoded.get(0).length()).isZero();
        assertThat(decoded.get(1).nested().isEmpty()).isTrue();
        assertThat(decoded.get(2).string()).isEmpty();
    }

    @Test
    void largestPayloadRoundTripsAndOneMoreByteIsRefused() {
        byte[] value = new byte[AttributeCodec.MAX_PAYLOAD];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) (i * 31);
        }
        Attributes decoded = roundTrip(Attributes.of(Attribute.bytes(2, value)));

        assertThat(AttributeCodec.MAX_PAYLOAD).isEqualTo(65531).isEqualTo(KchanProtocol.PAYLOAD_MAX);
        assertThat(decoded.get(0).bytes()).isEqualTo(value);
        assertThat(AttributeCodec.encode(Attributes.of(Attribute.bytes(2, value)))).hasSize(65536);
        assertThatThrownBy(() -> Attribute.bytes(4, new byte[AttributeCodec.MAX_PAYLOAD + 1]))
                .isInstanceOf(FieldLimitException.class)
                .hasMessage("attribute 4 is 65532 bytes; it must be at most 65531 bytes");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 6, 7})
    void paddingBytesAreZeroEvenInADirtyBuffer(int payloadLength) {
        ByteBuffer dirty = ByteBuffer.allocateDirect(64);
        while (dirty.hasRemaining()) {
            dirty.put((byte) 0xFF);
        }
        dirty.clear();
        byte[] payload = new byte[payloadLength];
        Arrays.fill(payload, (byte) 0x11);

        AttributeCodec.encode(Attributes.of(Attribute.bytes(9, payload), Attribute.u8(1, 1)), dirty);

        int padded = AttributeCodec.align(4 + payloadLength);
        assertThat(dirty.position()).isEqualTo(padded + 8);
        for (int i = 4 + payloadLength; i < padded; i++) {
            assertThat(dirty.get(i)).as("padding byte %d", i).isZero();
        }
        assertThat(dirty.get(padded + 5)).isZero();
        assertThat(dirty.get(padded + 6)).isZero();
        assertThat(dirty.get(padded + 7)).isZero();
    }

    @Test
    void encodingIgnoresTheTargetBuffersOrderAndRestoresIt() {
        ByteBuffer bigEndian = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN);
        ByteBuffer littleEndian = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        Attributes attributes = Attributes.of(Attribute.u32(1, 0xA0B0C0D0L));

        AttributeCodec.encode(attributes, bigEndian);
        AttributeCodec.encode(attributes, littleEndian);

        assertThat(bigEndian.array()).isEqualTo(littleEndian.array());
        assertThat(bigEndian.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
    }

    @Test
    void encodingIntoTooSmallABufferWritesNothing() {
        ByteBuffer small = ByteBuffer.allocate(7);
        assertThatThrownBy(() -> AttributeCodec.encode(Attributes.of(Attribute.u32(1, 1)), small))
                .isInstanceOf(BufferOverflowException.class);
        assertThat(small.position()).isZero();
    }

    @Test
    void decodingFromADirectBufferReadsTheRemainingBytesAndAdvances() {
        byte[] encoded = AttributeCodec.encode(Attributes.of(Attribute.u16(1, 5), Attribute.string(2, "x")));
        ByteBuffer direct = ByteBuffer.allocateDirect(encoded.length + 3);
        direct.put(new byte[] {9, 9, 9}).put(encoded).flip().position(3);

        Attributes decoded = AttributeCodec.decode(direct);

        assertThat(decoded.require(1).u16()).isEqualTo(5);
        assertThat(decoded.require(2).string()).isEqualTo("x");
        assertThat(direct.hasRemaining()).isFalse();
    }

    @Test
    void decodedAttributesDoNotChangeWhenTheInputIsReused() {
        byte[] encoded = AttributeCodec.encode(Attributes.of(Attribute.u32(1, 7)));
        Attributes decoded = AttributeCodec.decode(encoded);
        Arrays.fill(encoded, (byte) 0);

        assertThat(decoded.require(1).u32()).isEqualTo(7);
    }

    @Test
    void lastAttributeMayLackItsPadding() {
        byte[] padded = AttributeCodec.encode(Attributes.of(Attribute.u32(1, 9), Attribute.u8(2, 3)));
        byte[] unpadded = Arrays.copyOf(padded, padded.length - 3);

        Attributes decoded = AttributeCodec.decode(unpadded);

        assertThat(decoded.require(2).u8()).isEqualTo(3);
        assertThat(decoded.size()).isEqualTo(2);
    }

    @Test
    void repeatedTypesKeepTheirOrder() {
        Attributes attributes = roundTrip(Attributes.of(
                Attribute.u8(6, 1), Attribute.u8(7, 9), Attribute.u8(6, 2), Attribute.u8(6, 3)));

        assertThat(attributes.all(6)).extracting(Attribute::u8).containsExactly(1, 2, 3);
        assertThat(attributes.first(6)).map(Attribute::u8).contains(1);
        assertThat(attributes.contains(8)).isFalse();
    }

    @Test
    void readOnlyBufferViewSharesThePayload() {
        Attribute attribute = AttributeCodec.decode(AttributeCodec.encode(Attributes.of(Attribute.u32(1, 77)))).get(0);
        ByteBuffer view = attribute.buffer();

        assertThat(view.isReadOnly()).isTrue();
        assertThat(view.remaining()).isEqualTo(4);
        assertThat(view.getInt(0)).isEqualTo(77);
    }

    @Test
    void typeRangeExcludesTheFlagBits() {
        assertThatThrownBy(() -> Attribute.u8(0x4000, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0..16383");
        assertThat(Attribute.raw(0x8005, new byte[0]).type()).isEqualTo(5);
        assertThat(Attribute.raw(0x8005, new byte[0]).isNested()).isTrue();
    }
}
