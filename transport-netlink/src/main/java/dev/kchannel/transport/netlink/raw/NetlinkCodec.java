// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Splits a received datagram into its netlink messages. One datagram may hold several messages
 * (a dump packs as many as fit), each starting on a 4-byte boundary.
 *
 * <p>Every length is checked against the bytes actually received before it is used, so a lying
 * peer ends in a {@link MalformedMessageException} naming the reason and the offset from the first
 * byte of the datagram, never in an index error or a large allocation:
 * <ul>
 *   <li>an empty datagram, or 1..15 bytes where a header should start:
 *       {@link Reason#TRUNCATED_HEADER};</li>
 *   <li>{@code nlmsg_len} below 16: {@link Reason#LENGTH_BELOW_HEADER} (a length of 0 would never
 *       advance a parser);</li>
 *   <li>{@code nlmsg_len} beyond the end of the datagram: {@link Reason#LENGTH_PAST_END}.</li>
 * </ul>
 * The last message may lack its padding, as the kernel's {@code NLMSG_NEXT} allows.
 */
public final class NetlinkCodec {

    private static final VarHandle HOST_INT =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle HOST_SHORT =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.nativeOrder());

    private NetlinkCodec() {
    }

    /**
     * The messages in {@code datagram}, in order. The array is copied once; the messages share the
     * copy.
     *
     * @throws MalformedMessageException if the bytes are not a sequence of whole messages
     */
    public static List<NetlinkMessage> decode(byte[] datagram) {
        return decodeOwned(datagram.clone());
    }

    /** The messages in the remaining bytes of {@code datagram}; its position does not move. */
    public static List<NetlinkMessage> decode(ByteBuffer datagram) {
        byte[] copy = new byte[datagram.remaining()];
        datagram.get(datagram.position(), copy);
        return decodeOwned(copy);
    }

    /** Decodes an array nobody else holds; the messages keep it. */
    static List<NetlinkMessage> decodeOwned(byte[] bytes) {
        if (bytes.length == 0) {
            throw emptyDatagram();
        }
        List<NetlinkMessage> messages = new ArrayList<>();
        int position = 0;
        while (position < bytes.length) {
            int left = bytes.length - position;
            if (left < Netlink.NLMSG_HDRLEN) {
                throw truncatedHeader(position, left);
            }
            // nlmsg_len is a u32: read as unsigned so 0x80000000 and up count as "past the end".
            long length = Integer.toUnsignedLong((int) HOST_INT.get(bytes, position));
            int type = Short.toUnsignedInt((short) HOST_SHORT.get(bytes, position + 4));
            checkLength(position, left, length, type);
            int flags = Short.toUnsignedInt((short) HOST_SHORT.get(bytes, position + 6));
            int seq = (int) HOST_INT.get(bytes, position + 8);
            int pid = (int) HOST_INT.get(bytes, position + 12);
            messages.add(new NetlinkMessage(type, flags, seq, pid, bytes, position + Netlink.NLMSG_HDRLEN,
                    (int) length - Netlink.NLMSG_HDRLEN));
            position = next(position, length, bytes.length);
        }
        return Collections.unmodifiableList(messages);
    }

    /**
     * Checks that bytes {@code 0..limit} of {@code datagram} are whole messages, exactly as
     * {@link #decode(ByteBuffer)} would, without copying or allocating: for a reader that then
     * walks the headers in place ({@link #next}) and copies only the messages it keeps. Reads are
     * absolute; the buffer must be in host byte order.
     *
     * @return the number of messages
     * @throws MalformedMessageException as {@link #decode(ByteBuffer)} does
     */
    static int validate(ByteBuffer datagram) {
        int limit = datagram.limit();
        if (limit == 0) {
            throw emptyDatagram();
        }
        int count = 0;
        int position = 0;
        while (position < limit) {
            int left = limit - position;
            if (left < Netlink.NLMSG_HDRLEN) {
                throw truncatedHeader(position, left);
            }
            long length = Integer.toUnsignedLong(datagram.getInt(position));
            checkLength(position, left, length, Short.toUnsignedInt(datagram.getShort(position + 4)));
            count++;
            position = next(position, length, limit);
        }
        return count;
    }

    /**
     * Where the message after the one at {@code position} starts, or {@code limit} when it was
     * the last; {@code length} is its checked {@code nlmsg_len}.
     */
    static int next(int position, long length, int limit) {
        // Past the end by up to 3 when the last message's padding was left off: allowed.
        // In longs, so a length near 2^31 cannot wrap the position around.
        long next = position + ((length + Netlink.NLMSG_ALIGNTO - 1) & -Netlink.NLMSG_ALIGNTO);
        return next >= limit ? limit : (int) next;
    }

    private static void checkLength(int position, int left, long length, int type) {
        if (length < Netlink.NLMSG_HDRLEN) {
            throw new MalformedMessageException(Reason.LENGTH_BELOW_HEADER, position,
                    "message type " + type + " has nlmsg_len " + length + ", less than its "
                            + Netlink.NLMSG_HDRLEN + "-byte header");
        }
        if (length > left) {
            throw new MalformedMessageException(Reason.LENGTH_PAST_END, position,
                    "message type " + type + " has nlmsg_len " + length + " but only " + left
                            + " bytes remain in the datagram");
        }
    }

    private static MalformedMessageException emptyDatagram() {
        return new MalformedMessageException(Reason.TRUNCATED_HEADER, 0,
                "empty datagram: no room for a " + Netlink.NLMSG_HDRLEN + "-byte nlmsghdr");
    }

    private static MalformedMessageException truncatedHeader(int position, int left) {
        return new MalformedMessageException(Reason.TRUNCATED_HEADER, position,
                left + " bytes after the last message, fewer than a " + Netlink.NLMSG_HDRLEN + "-byte nlmsghdr");
    }

    /**
     * Encodes {@code messages} back to back, each padded to 4 bytes, as one datagram.
     */
    public static byte[] encode(List<NetlinkMessage> messages) {
        int total = 0;
        for (NetlinkMessage message : messages) {
            total = Math.addExact(total, message.encodedLength());
        }
        ByteBuffer buffer = ByteBuffer.allocate(total);
        for (NetlinkMessage message : messages) {
            message.encode(buffer);
        }
        return buffer.array();
    }
}
