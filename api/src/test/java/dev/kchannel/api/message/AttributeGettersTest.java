// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Typed getters demand the exact size of their type and say so precisely when it is wrong. */
class AttributeGettersTest {

    static Stream<Arguments> getters() {
        return Stream.of(
                Arguments.of("u8", 1, (Consumer<Attribute>) Attribute::u8),
                Arguments.of("u16", 2, (Consumer<Attribute>) Attribute::u16),
                Arguments.of("u32", 4, (Consumer<Attribute>) Attribute::u32),
                Arguments.of("u64", 8, (Consumer<Attribute>) Attribute::u64),
                Arguments.of("s8", 1, (Consumer<Attribute>) Attribute::s8),
                Arguments.of("s16", 2, (Consumer<Attribute>) Attribute::s16),
                Arguments.of("s32", 4, (Consumer<Attribute>) Attribute::s32),
                Arguments.of("s64", 8, (Consumer<Attribute>) Attribute::s64));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("getters")
    void integerGetterRejectsEveryOtherSize(String wireType, int size, Consumer<Attribute> getter) {
        for (int wrong : new int[] {0, size - 1, size + 1, 3, 16}) {
            if (wrong == size || wrong < 0) {
                continue;
            }
            Attribute attribute = decodedWithPayload(7, new byte[wrong]);
            assertThatThrownBy(() -> getter.accept(attribute))
                    .isInstanceOfSatisfying(MalformedMessageException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.WRONG_ATTRIBUTE_SIZE);
                        assertThat(e.offendingAttribute()).hasValue(7);
                        assertThat(e.offset()).hasValue(0);
                    })
                    .hasMessageContaining("a " + wireType + " needs " + size);
        }
        getter.accept(decodedWithPayload(7, new byte[size]));
    }

    @Test
    void unsignedGettersReturnTheFullUnsignedRange() {
        assertThat(decodedWithPayload(1, new byte[] {(byte) 0xFF}).u8()).isEqualTo(255);
        assertThat(decodedWithPayload(1, new byte[] {(byte) 0xFF, (byte) 0xFF}).u16()).isEqualTo(65535);
        assertThat(decodedWithPayload(1, new byte[] {-1, -1, -1, -1}).u32()).isEqualTo(4294967295L);
        assertThat(decodedWithPayload(1, new byte[] {-1, -1, -1, -1}).s32()).isEqualTo(-1);
    }

    @Test
    void stringsReadUpToTheFirstNulOrTheEnd() {
        assertThat(decodedWithPayload(13, "abc\0".getBytes(StandardCharsets.UTF_8)).string()).isEqualTo("abc");
        assertThat(decodedWithPayload(13, "abc".getBytes(StandardCharsets.UTF_8)).string()).isEqualTo("abc");
        assertThat(decodedWithPayload(13, "ab\0cd\0".getBytes(StandardCharsets.UTF_8)).string()).isEqualTo("ab");
        assertThat(decodedWithPayload(13, new byte[0]).string()).isEmpty();
    }

    @Test
    void stringFactoryAppendsOneNulAndRefusesEmbeddedNul() {
        assertThat(Attribute.string(13, "hi").bytes()).containsExactly('h', 'i', 0);
        assertThatThrownBy(() -> Attribute.string(13, "a\0b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void factoriesRefuseValuesOutsideTheirType() {
        assertThatThrownBy(() -> Attribute.u8(1, 256)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("256 does not fit a u8 (0..255)");
        assertThatThrownBy(() -> Attribute.u16(1, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Attribute.u32(1, 1L << 32)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Attribute.s8(1, 128)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bytesAreDefensiveCopies() {
        byte[] source = {1, 2, 3};
        Attribute attribute = Attribute.bytes(2, source);
        source[0] = 9;
        attribute.bytes()[1] = 9;

        assertThat(attribute.bytes()).containsExactly(1, 2, 3);
        assertThat(attribute.contentEquals(new byte[] {1, 2, 3})).isTrue();
    }

    @Test
    void nestedReadsUnflaggedAttributesToo() {
        byte[] children = AttributeCodec.encode(Attributes.of(Attribute.u32(3, 5)));
        Attribute unflagged = decodedWithPayload(6, children);

        assertThat(unflagged.isNested()).isFalse();
        assertThat(unflagged.nested().require(3).u32()).isEqualTo(5);
    }

    @Test
    void missingAttributeIsNamed() {
        assertThatThrownBy(() -> Attributes.empty().require(KchanProtocol.ATTR_VALUE))
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.MISSING_ATTRIBUTE))
                .hasMessageContaining("attribute VALUE (4) is missing");
    }

    private static Attribute decodedWithPayload(int type, byte[] payload) {
        return AttributeCodec.decode(AttributeCodec.encode(Attributes.of(Attribute.raw(type, payload)))).get(0);
    }
}
