// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Netlink attributes ({@code struct nlattr}) to and from bytes: a {@code u16 nla_len} that counts
 * the 4-byte header, a {@code u16 nla_type} whose top two bits are flags, the payload, then zero
 * padding to a multiple of 4. Host byte order, as netlink uses.
 *
 * <p>{@link MessageCodec} uses this for the attributes after a kchan header; the netlink transport
 * uses it directly for the attributes after a Generic Netlink header.
 *
 * <h2>Decoding rules</h2>
 * Decoding checks every length against the bytes actually there before using it, so hostile input
 * costs no more than its own size and always ends in a value or a
 * {@link MalformedMessageException}:
 * <ul>
 *   <li>{@code nla_len} 0: {@link Reason#ZERO_LENGTH}; 1 to 3: {@link Reason#LENGTH_BELOW_HEADER}.</li>
 *   <li>{@code nla_len} past the end: {@link Reason#LENGTH_PAST_END}, or
 *       {@link Reason#NESTED_LENGTH_OVERFLOW} inside a nested attribute.</li>
 *   <li>1 to 3 bytes after the last attribute: {@link Reason#UNALIGNED_TAIL}. Only the last
 *       attribute may lack its padding, as the kernel's {@code nla_parse} allows.</li>
 *   <li>Attributes flagged {@link #NLA_F_NESTED} are checked recursively at decode time, at most
 *       {@link #MAX_NESTING_DEPTH} levels deep ({@link Reason#NESTING_TOO_DEEP}). Unflagged ones can
 *       still be read as nested with {@link Attribute#nested()}, which checks them then.</li>
 * </ul>
 * The decoded attributes share one copy of the input bytes: decoding copies once, so the result
 * is immutable whatever the caller does with its buffer later, and reading attributes copies
 * nothing more unless asked to.
 */
public final class AttributeCodec {

    /** Bytes in {@code struct nlattr}. */
    public static final int NLA_HDRLEN = 4;
    /** Attributes start on multiples of this. */
    public static final int NLA_ALIGNTO = 4;
    /** Type flag: the payload is itself attributes. */
    public static final int NLA_F_NESTED = 0x8000;
    /** Type flag: integers in the payload are big-endian. */
    public static final int NLA_F_NET_BYTEORDER = 0x4000;
    /** The type bits of {@code nla_type}, without the two flags. */
    public static final int NLA_TYPE_MASK = 0x3FFF;
    /** The largest {@code nla_len}: it is a {@code u16}. */
    public static final int MAX_ATTRIBUTE_LENGTH = 0xFFFF;
    /** The largest payload of one attribute: 65531. */
    public static final int MAX_PAYLOAD = MAX_ATTRIBUTE_LENGTH - NLA_HDRLEN;
    /** How many levels of nested attributes the decoder follows. */
    public static final int MAX_NESTING_DEPTH = 16;

    private AttributeCodec() {
    }

    /** {@code length} rounded up to a multiple of {@link #NLA_ALIGNTO}, as {@code NLA_ALIGN} does. */
    public static int align(int length) {
        return (length + NLA_ALIGNTO - 1) & -NLA_ALIGNTO;
    }

    /**
     * Decodes all remaining bytes of {@code source} as attributes and advances its position to the
     * limit. On failure the position is unchanged.
     *
     * @throws MalformedMessageException with offsets counted from the position on entry
     */
    public static Attributes decode(ByteBuffer source) {
        byte[] bytes = new byte[source.remaining()];
        source.get(source.position(), bytes);
        Attributes attributes = decode(bytes);
        source.position(source.limit());
        return attributes;
    }

    /**
     * Decodes {@code bytes} as attributes. The array is copied, so later changes to it do not
     * reach the result.
     */
    public static Attributes decode(byte[] bytes) {
        byte[] copy = bytes.clone();
        return Attributes.wrapDecoded(parse(copy, 0, copy.length, 0));
    }

    /** Bytes {@link #encode(Attributes, ByteBuffer)} writes, padding of the last attribute included. */
    public static int encodedLength(Attributes attributes) {
        return attributes.encodedLength();
    }

    /**
     * Writes {@code attributes} at the position of {@code target}, in host byte order whatever the
     * buffer's order, and advances the position. Padding bytes are written as zeros.
     *
     * @throws BufferOverflowException if fewer than {@link #encodedLength} bytes remain;
     *     nothing is written then
     */
    public static void encode(Attributes attributes, ByteBuffer target) {
        if (target.remaining() < attributes.encodedLength()) {
            throw new BufferOverflowException();
        }
        ByteOrder order = target.order();
        target.order(ByteOrder.nativeOrder());
        try {
            for (Attribute attribute : attributes) {
                attribute.writeTo(target);
            }
        } finally {
            target.order(order);
        }
    }

    /** The encoded bytes of {@code attributes}, in a new array. */
    public static byte[] encode(Attributes attributes) {
        ByteBuffer buffer = ByteBuffer.allocate(attributes.encodedLength());
        encode(attributes, buffer);
        return buffer.array();
    }

    /**
     * Parses the attributes in {@code bytes[start, end)}, which the result shares.
     *
     * @param depth 0 for a top-level stream, 1 or more inside a nested attribute
     */
    static List<Attribute> parse(byte[] bytes, int start, int end, int depth) {
        List<Attribute> out = new ArrayList<>();
        walk(bytes, start, end, depth, out);
        return out;
    }

    /** Checks, and collects into {@code out} unless it is null, the attributes in {@code [start, end)}. */
    private static void walk(byte[] bytes, int start, int end, int depth, List<Attribute> out) {
        if (depth > MAX_NESTING_DEPTH) {
            throw new MalformedMessageException(Reason.NESTING_TOO_DEEP, start,
                    "attributes nested more than " + MAX_NESTING_DEPTH + " levels deep");
        }
        int position = start;
        while (position < end) {
            int left = end - position;
            if (left < NLA_HDRLEN) {
                throw new MalformedMessageException(Reason.UNALIGNED_TAIL, position,
                        left + " bytes after the last attribute, fewer than the " + NLA_HDRLEN
                                + " an attribute header needs");
            }
            int length = WireBytes.u16(bytes, position);
            int rawType = WireBytes.u16(bytes, position + 2);
            int type = rawType & NLA_TYPE_MASK;
            if (length == 0) {
                throw new MalformedMessageException(Reason.ZERO_LENGTH, position,
                        "attribute type " + type + " has nla_len 0", type);
            }
            if (length < NLA_HDRLEN) {
                throw new MalformedMessageException(Reason.LENGTH_BELOW_HEADER, position,
                        "attribute type " + type + " has nla_len " + length + ", less than its "
                                + NLA_HDRLEN + "-byte header", type);
            }
            if (length > left) {
                throw new MalformedMessageException(
                        depth > 0 ? Reason.NESTED_LENGTH_OVERFLOW : Reason.LENGTH_PAST_END, position,
                        "attribute type " + type + " has nla_len " + length + " but only " + left
                                + (depth > 0 ? " bytes remain in its parent" : " bytes remain"), type);
            }
            if ((rawType & NLA_F_NESTED) != 0) {
                walk(bytes, position + NLA_HDRLEN, position + length, depth + 1, null);
            }
            if (out != null) {
                out.add(new Attribute(rawType, bytes, position + NLA_HDRLEN, length - NLA_HDRLEN, position));
            }
            // Past the end by up to 3 when the last attribute's padding was left off: allowed.
            position += align(length);
        }
    }
}
