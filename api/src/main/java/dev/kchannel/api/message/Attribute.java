// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import static dev.kchannel.api.message.AttributeCodec.NLA_F_NESTED;
import static dev.kchannel.api.message.AttributeCodec.NLA_F_NET_BYTEORDER;
import static dev.kchannel.api.message.AttributeCodec.NLA_HDRLEN;
import static dev.kchannel.api.message.AttributeCodec.NLA_TYPE_MASK;

import dev.kchannel.api.error.FieldLimitException;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One netlink attribute: a type, two flags and a payload of at most 65531 bytes. Immutable.
 *
 * <p>Build one with the static factories, one per wire type ({@link #u32(int, long)},
 * {@link #string(int, String)}, {@link #nested(int, Attribute...)}, ...), and read one with the
 * getter of the same name. Integer getters demand the exact payload size of their type and throw
 * {@link MalformedMessageException} with {@link Reason#WRONG_ATTRIBUTE_SIZE} otherwise, since a
 * kernel that sends 4 bytes where 8 were promised has a bug worth hearing about. Integers are in
 * host byte order unless the attribute carries {@link AttributeCodec#NLA_F_NET_BYTEORDER}.
 *
 * <p>Java has no unsigned types: {@link #u32()} returns a {@code long} holding 0 to 2^32-1, and
 * {@link #u64()} returns the 64 bits as a {@code long} (use {@link Long#toUnsignedString(long)} to
 * print values above {@link Long#MAX_VALUE}).
 */
public final class Attribute {

    private final int rawType;
    private final byte[] bytes;
    private final int offset;
    private final int length;
    private final int headerOffset;

    /** A view of a payload in a shared array; decoded attributes share the message's copy. */
    Attribute(int rawType, byte[] bytes, int offset, int length, int headerOffset) {
        this.rawType = rawType;
        this.bytes = bytes;
        this.offset = offset;
        this.length = length;
        this.headerOffset = headerOffset;
    }

    private static Attribute owning(int rawType, byte[] payload) {
        return new Attribute(rawType, payload, 0, payload.length, -1);
    }

    // ---- factories ------------------------------------------------------------------------

    /** An attribute with no payload ({@code NLA_FLAG}: present means true). */
    public static Attribute flag(int type) {
        return owning(checkType(type), new byte[0]);
    }

    /** A {@code u8}, 0 to 255. */
    public static Attribute u8(int type, int value) {
        checkRange("u8", value, 0, 0xFF);
        return owning(checkType(type), new byte[] {(byte) value});
    }

    /** A {@code u16}, 0 to 65535, in host byte order. */
    public static Attribute u16(int type, int value) {
        checkRange("u16", value, 0, 0xFFFF);
        byte[] payload = new byte[2];
        WireBytes.put16(payload, 0, value, false);
        return owning(checkType(type), payload);
    }

    /** A {@code u32}, 0 to 4294967295, in host byte order. */
    public static Attribute u32(int type, long value) {
        checkRange("u32", value, 0, 0xFFFF_FFFFL);
        byte[] payload = new byte[4];
        WireBytes.put32(payload, 0, (int) value, false);
        return owning(checkType(type), payload);
    }

    /** A {@code u64} holding the 64 bits of {@code value}, in host byte order. */
    public static Attribute u64(int type, long value) {
        byte[] payload = new byte[8];
        WireBytes.put64(payload, 0, value, false);
        return owning(checkType(type), payload);
    }

    /** An {@code s8}, -128 to 127. */
    public static Attribute s8(int type, int value) {
        checkRange("s8", value, Byte.MIN_VALUE, Byte.MAX_VALUE);
        return owning(checkType(type), new byte[] {(byte) value});
    }

    /** An {@code s16}, in host byte order. */
    public static Attribute s16(int type, short value) {
        byte[] payload = new byte[2];
        WireBytes.put16(payload, 0, value, false);
        return owning(checkType(type), payload);
    }

    /** An {@code s32}, in host byte order. */
    public static Attribute s32(int type, int value) {
        byte[] payload = new byte[4];
        WireBytes.put32(payload, 0, value, false);
        return owning(checkType(type), payload);
    }

    /** An {@code s64}, in host byte order. */
    public static Attribute s64(int type, long value) {
        return u64(type, value);
    }

    /** A big-endian {@code u16} flagged {@code NLA_F_NET_BYTEORDER}, as {@code nla_put_net16} writes. */
    public static Attribute net16(int type, int value) {
        checkRange("u16", value, 0, 0xFFFF);
        byte[] payload = new byte[2];
        WireBytes.put16(payload, 0, value, true);
        return owning(checkType(type) | NLA_F_NET_BYTEORDER, payload);
    }

    /** A big-endian {@code u32} flagged {@code NLA_F_NET_BYTEORDER}. */
    public static Attribute net32(int type, long value) {
        checkRange("u32", value, 0, 0xFFFF_FFFFL);
        byte[] payload = new byte[4];
        WireBytes.put32(payload, 0, (int) value, true);
        return owning(checkType(type) | NLA_F_NET_BYTEORDER, payload);
    }

    /** A big-endian {@code u64} flagged {@code NLA_F_NET_BYTEORDER}. */
    public static Attribute net64(int type, long value) {
        byte[] payload = new byte[8];
        WireBytes.put64(payload, 0, value, true);
        return owning(checkType(type) | NLA_F_NET_BYTEORDER, payload);
    }

    /**
     * A NUL-terminated UTF-8 string ({@code NLA_NUL_STRING}).
     *
     * @throws IllegalArgumentException if {@code value} contains NUL, which would cut it short
     * @throws FieldLimitException if it needs more than 65531 bytes with its NUL
     */
    public static Attribute string(int type, String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("attribute " + type + ": a NUL-terminated string cannot contain NUL");
        }
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        checkPayload(type, utf8.length + 1L);
        return owning(checkType(type), Arrays.copyOf(utf8, utf8.length + 1));
    }

    /** Binary data, copied. */
    public static Attribute bytes(int type, byte[] value) {
        checkPayload(type, value.length);
        return owning(checkType(type), value.clone());
    }

    /** Binary data: the remaining bytes of {@code value}, copied; its position does not move. */
    public static Attribute bytes(int type, ByteBuffer value) {
        checkPayload(type, value.remaining());
        byte[] payload = new byte[value.remaining()];
        value.get(value.position(), payload);
        return owning(checkType(type), payload);
    }

    /** Nested attributes, flagged {@code NLA_F_NESTED} as the kernel's {@code nla_nest_start} does. */
    public static Attribute nested(int type, Attribute... children) {
        return nested(type, Attributes.of(children));
    }

    /** Nested attributes, flagged {@code NLA_F_NESTED}. */
    public static Attribute nested(int type, Attributes children) {
        checkPayload(type, children.encodedLength());
        return owning(checkType(type) | NLA_F_NESTED, AttributeCodec.encode(children));
    }

    /**
     * Any attribute, flags included in {@code rawType}, with {@code payload} copied as is; for
     * other netlink families' conventions and for tests that need bytes the typed factories
     * refuse to make.
     */
    public static Attribute raw(int rawType, byte[] payload) {
        if (rawType < 0 || rawType > 0xFFFF) {
            throw new IllegalArgumentException("raw attribute type " + rawType + " is not a u16");
        }
        checkPayload(rawType & NLA_TYPE_MASK, payload.length);
        return owning(rawType, payload.clone());
    }

    // ---- header ---------------------------------------------------------------------------

    /** The type, flags removed. */
    public int type() {
        return rawType & NLA_TYPE_MASK;
    }

    /** {@code nla_type} as on the wire, flags included. */
    public int rawType() {
        return rawType;
    }

    /** Whether {@link AttributeCodec#NLA_F_NESTED} is set. */
    public boolean isNested() {
        return (rawType & NLA_F_NESTED) != 0;
    }

    /** Whether {@link AttributeCodec#NLA_F_NET_BYTEORDER} is set. */
    public boolean isNetByteOrder() {
        return (rawType & NLA_F_NET_BYTEORDER) != 0;
    }

    /** Payload bytes, header and padding excluded. */
    public int length() {
        return length;
    }

    /** Bytes this attribute takes when encoded: header, payload and padding. */
    public int encodedLength() {
        return AttributeCodec.align(NLA_HDRLEN + length);
    }

    // ---- getters --------------------------------------------------------------------------

    /** The payload as a {@code u8}, 0 to 255. */
    public int u8() {
        requireSize(1, "u8");
        return Byte.toUnsignedInt(bytes[offset]);
    }

    /** The payload as a {@code u16}, 0 to 65535. */
    public int u16() {
        requireSize(2, "u16");
        return Short.toUnsignedInt(WireBytes.s16(bytes, offset, isNetByteOrder()));
    }

    /** The payload as a {@code u32}, 0 to 4294967295. */
    public long u32() {
        requireSize(4, "u32");
        return Integer.toUnsignedLong(WireBytes.s32(bytes, offset, isNetByteOrder()));
    }

    /** The payload as a {@code u64}: the 64 bits, read as unsigned by the caller. */
    public long u64() {
        requireSize(8, "u64");
        return WireBytes.s64(bytes, offset, isNetByteOrder());
    }

    /** The payload as an {@code s8}. */
    public byte s8() {
        requireSize(1, "s8");
        return bytes[offset];
    }

    /** The payload as an {@code s16}. */
    public short s16() {
        requireSize(2, "s16");
        return WireBytes.s16(bytes, offset, isNetByteOrder());
    }

    /** The payload as an {@code s32}. */
    public int s32() {
        requireSize(4, "s32");
        return WireBytes.s32(bytes, offset, isNetByteOrder());
    }

    /** The payload as an {@code s64}. */
    public long s64() {
        requireSize(8, "s64");
        return WireBytes.s64(bytes, offset, isNetByteOrder());
    }

    /**
     * The payload as UTF-8 text up to the first NUL, or to the end if there is none: kernel
     * strings are usually NUL-terminated, but some interfaces leave the NUL off, and both read
     * the same way here. Invalid UTF-8 becomes U+FFFD.
     */
    public String string() {
        int end = offset;
        int limit = offset + length;
        while (end < limit && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
    }

    /** A copy of the payload. */
    public byte[] bytes() {
        return Arrays.copyOfRange(bytes, offset, offset + length);
    }

    /** The payload as a read-only buffer in host byte order, sharing this attribute's bytes. */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes, offset, length).slice().asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }

    /** Whether the payload equals {@code other}, without copying. */
    public boolean contentEquals(byte[] other) {
        return Arrays.equals(bytes, offset, offset + length, other, 0, other.length);
    }

    /**
     * The payload read as attributes. Works whether or not the attribute is flagged
     * {@code NLA_F_NESTED}, since not every kernel interface sets the flag.
     *
     * @throws MalformedMessageException if the payload is not a valid attribute stream
     */
    public Attributes nested() {
        return Attributes.wrapDecoded(AttributeCodec.parse(bytes, offset, offset + length, 1));
    }

    // ---- encoding -------------------------------------------------------------------------

    /** Writes header, payload and zero padding; the caller has set host byte order and checked room. */
    void writeTo(ByteBuffer target) {
        target.putShort((short) (NLA_HDRLEN + length));
        target.putShort((short) rawType);
        target.put(bytes, offset, length);
        for (int pad = encodedLength() - NLA_HDRLEN - length; pad > 0; pad--) {
            target.put((byte) 0);
        }
    }

    // ---- checks ---------------------------------------------------------------------------

    private void requireSize(int size, String wireType) {
        if (length != size) {
            throw new MalformedMessageException(Reason.WRONG_ATTRIBUTE_SIZE, headerOffset,
                    "attribute type " + type() + " has a " + length + "-byte payload; a " + wireType
                            + " needs " + size, type());
        }
    }

    private static int checkType(int type) {
        if (type < 0 || type > NLA_TYPE_MASK) {
            throw new IllegalArgumentException(
                    "attribute type " + type + " is outside 0.." + NLA_TYPE_MASK + " (the two top bits are flags)");
        }
        return type;
    }

    private static void checkRange(String wireType, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(value + " does not fit a " + wireType + " (" + min + ".." + max + ")");
        }
    }

    private static void checkPayload(int type, long size) {
        FieldLimitException.check("attribute " + type, size, 0, AttributeCodec.MAX_PAYLOAD);
    }

    // ---- value semantics ------------------------------------------------------------------

    /** Equal when the raw type (flags included) and payload bytes are equal. */
    @Override
    public boolean equals(Object other) {
        if (!(other instanceof Attribute)) {
            return false;
        }
        Attribute that = (Attribute) other;
        return rawType == that.rawType
                && Arrays.equals(bytes, offset, offset + length, that.bytes, that.offset, that.offset + that.length);
    }

    @Override
    public int hashCode() {
        int hash = rawType;
        for (int i = offset; i < offset + length; i++) {
            hash = 31 * hash + bytes[i];
        }
        return hash;
    }

    @Override
    public String toString() {
        return KchanAttribute.describe(type()) + "(" + type() + ")"
                + (isNested() ? " nested" : "")
                + (isNetByteOrder() ? " net-order" : "")
                + " " + length + " bytes";
    }
}
