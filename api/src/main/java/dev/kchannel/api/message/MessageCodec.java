// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * kchan messages to and from bytes: {@code struct kchan_hdr} in host byte order, then attributes
 * as {@link AttributeCodec} writes them. Works on heap and direct buffers alike, whatever their
 * byte order setting, which it leaves as it found it.
 *
 * <h2>Decoding rules</h2>
 * The header is checked before anything is allocated, so a lying length costs nothing:
 * <ol>
 *   <li>fewer than 16 bytes: {@link Reason#TRUNCATED_HEADER};</li>
 *   <li>{@code len} below 16: {@link Reason#LENGTH_BELOW_HEADER};</li>
 *   <li>{@code len} above {@link KchanProtocol#MSG_MAX}: {@link Reason#MESSAGE_TOO_LARGE};</li>
 *   <li>{@code len} beyond the bytes there: {@link Reason#LENGTH_PAST_END};</li>
 *   <li>{@link #decode(ByteBuffer)} only: {@code len} short of the bytes there:
 *       {@link Reason#LENGTH_MISMATCH};</li>
 *   <li>then the attributes, by {@link AttributeCodec}'s rules.</li>
 * </ol>
 * The message's bytes are copied once, into one array its attributes share; offsets in errors
 * count from the first header byte.
 */
public final class MessageCodec {

    // struct kchan_hdr, field by field; UapiHeaderTest checks these against the C struct.
    static final int OFFSET_CMD = 0;
    static final int OFFSET_FLAGS = 2;
    static final int OFFSET_SEQ = 4;
    static final int OFFSET_STATUS = 8;
    static final int OFFSET_LEN = 12;

    private MessageCodec() {
    }

    /**
     * Decodes the remaining bytes of {@code source}, which must hold exactly one message, and
     * advances the position to the limit. On failure the position is unchanged.
     *
     * @throws MalformedMessageException for bytes that are not exactly one valid message
     */
    public static KchanMessage decode(ByteBuffer source) {
        int length = checkedLength(source);
        if (length != source.remaining()) {
            throw new MalformedMessageException(Reason.LENGTH_MISMATCH, OFFSET_LEN,
                    "header len " + length + " but " + source.remaining() + " bytes were received");
        }
        return decodeAndAdvance(source, length);
    }

    /** Decodes {@code bytes}, which must hold exactly one message. The array is not kept. */
    public static KchanMessage decode(byte[] bytes) {
        return decode(ByteBuffer.wrap(bytes));
    }

    /**
     * Decodes the message at the position of {@code source}, which more messages may follow, and
     * advances the position past it. On failure the position is unchanged.
     *
     * @throws MalformedMessageException if the bytes there are not a valid message
     */
    public static KchanMessage decodeNext(ByteBuffer source) {
        return decodeAndAdvance(source, checkedLength(source));
    }

    /**
     * The total length of the message starting at the position of {@code source}, read from its
     * header and checked; or -1 when fewer than 16 bytes are there yet. For stream readers that
     * need to know how much to read. The position does not move.
     *
     * @throws MalformedMessageException if the header's length is below 16 or above
     *     {@link KchanProtocol#MSG_MAX}
     */
    public static int frameLength(ByteBuffer source) {
        if (source.remaining() < KchanProtocol.HDR_LEN) {
            return -1;
        }
        return checkedHeaderLength(source);
    }

    /**
     * Writes {@code message} at the position of {@code target} and advances it by
     * {@link KchanMessage#length()}. Padding bytes are written as zeros.
     *
     * @throws BufferOverflowException if too few bytes remain; nothing is written then
     */
    public static void encode(KchanMessage message, ByteBuffer target) {
        int length = message.length();
        if (target.remaining() < length) {
            throw new BufferOverflowException();
        }
        ByteOrder order = target.order();
        target.order(ByteOrder.nativeOrder());
        try {
            target.putShort((short) message.commandId());
            target.putShort((short) message.flags());
            target.putInt(message.seq());
            target.putInt(message.status());
            target.putInt(length);
            for (Attribute attribute : message.attributes()) {
                attribute.writeTo(target);
            }
        } finally {
            target.order(order);
        }
    }

    /** The encoded message in a new heap buffer, host byte order, positioned at 0. */
    public static ByteBuffer encode(KchanMessage message) {
        ByteBuffer buffer = ByteBuffer.allocate(message.length()).order(ByteOrder.nativeOrder());
        encode(message, buffer);
        return buffer.flip();
    }

    /** The encoded message in a new array. */
    public static byte[] toByteArray(KchanMessage message) {
        return encode(message).array();
    }

    private static int checkedLength(ByteBuffer source) {
        if (source.remaining() < KchanProtocol.HDR_LEN) {
            throw new MalformedMessageException(Reason.TRUNCATED_HEADER, 0,
                    source.remaining() + " bytes, fewer than the " + KchanProtocol.HDR_LEN + "-byte header");
        }
        int length = checkedHeaderLength(source);
        if (length > source.remaining()) {
            throw new MalformedMessageException(Reason.LENGTH_PAST_END, OFFSET_LEN,
                    "header len " + length + " but only " + source.remaining() + " bytes are there");
        }
        return length;
    }

    private static int checkedHeaderLength(ByteBuffer source) {
        long length = Integer.toUnsignedLong(hostInt(source, source.position() + OFFSET_LEN));
        if (length < KchanProtocol.HDR_LEN) {
            throw new MalformedMessageException(Reason.LENGTH_BELOW_HEADER, OFFSET_LEN,
                    "header len " + length + " is less than the " + KchanProtocol.HDR_LEN + "-byte header");
        }
        if (length > KchanProtocol.MSG_MAX) {
            throw new MalformedMessageException(Reason.MESSAGE_TOO_LARGE, OFFSET_LEN,
                    "header len " + length + " exceeds KCHAN_MSG_MAX (" + KchanProtocol.MSG_MAX + ")");
        }
        return (int) length;
    }

    /** Reads a host-order int without touching the buffer's order, which may be shared. */
    private static int hostInt(ByteBuffer source, int index) {
        int raw = source.getInt(index);
        return source.order() == ByteOrder.nativeOrder() ? raw : Integer.reverseBytes(raw);
    }

    private static KchanMessage decodeAndAdvance(ByteBuffer source, int length) {
        byte[] bytes = new byte[length];
        source.get(source.position(), bytes);
        KchanMessage message = new KchanMessage(
                WireBytes.u16(bytes, OFFSET_CMD),
                WireBytes.u16(bytes, OFFSET_FLAGS),
                WireBytes.s32(bytes, OFFSET_SEQ),
                WireBytes.s32(bytes, OFFSET_STATUS),
                Attributes.wrapDecoded(AttributeCodec.parse(bytes, KchanProtocol.HDR_LEN, length, 0)));
        source.position(source.position() + length);
        return message;
    }
}
