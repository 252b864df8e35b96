// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import dev.kchannel.api.error.FieldLimitException;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.message.AttributeCodec;
import dev.kchannel.api.message.Attributes;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One netlink message: a {@code struct nlmsghdr} (type, flags, sequence number, port id; its length
 * is derived) and a payload. Immutable.
 *
 * <p>The payload is whatever the protocol puts there, usually a fixed family header (Generic
 * Netlink's 4-byte {@code genlmsghdr}, rtnetlink's {@code ifinfomsg}, ...) followed by netlink
 * attributes, which {@link #attributes(int)} decodes with the api's {@link AttributeCodec}.
 *
 * <p>Unsigned header fields are held in {@code int}s: type and flags as 0..65535, sequence number
 * and port id as their 32 bits (print them with {@link Integer#toUnsignedString(int)}).
 */
public final class NetlinkMessage {

    private static final byte[] NO_BYTES = new byte[0];
    /** Keeps {@code nlmsg_len} and the padded length within an {@code int}. */
    private static final int MAX_PAYLOAD = Integer.MAX_VALUE - Netlink.NLMSG_HDRLEN - Netlink.NLMSG_ALIGNTO;

    private final int type;
    private final int flags;
    private final int seq;
    private final int pid;
    private final byte[] bytes;
    private final int offset;
    private final int length;

    /** A view of a payload in a shared array: decoded messages share their datagram's copy. */
    NetlinkMessage(int type, int flags, int seq, int pid, byte[] bytes, int offset, int length) {
        this.type = type;
        this.flags = flags;
        this.seq = seq;
        this.pid = pid;
        this.bytes = bytes;
        this.offset = offset;
        this.length = length;
    }

    /**
     * A copy of the message whose {@code nlmsghdr} starts at {@code position} of {@code datagram}
     * (host byte order, absolute reads), whose length {@link NetlinkCodec#validate} has checked:
     * the one copy a received message costs, made only for messages someone keeps.
     */
    static NetlinkMessage copyOf(ByteBuffer datagram, int position) {
        int length = datagram.getInt(position) - Netlink.NLMSG_HDRLEN;
        byte[] payload = new byte[length];
        datagram.get(position + Netlink.NLMSG_HDRLEN, payload);
        return new NetlinkMessage(Short.toUnsignedInt(datagram.getShort(position + 4)),
                Short.toUnsignedInt(datagram.getShort(position + 6)), datagram.getInt(position + 8),
                datagram.getInt(position + 12), payload, 0, length);
    }

    /** Starts a message of {@code type} (0..65535) with no flags, sequence 0, port 0, no payload. */
    public static Builder builder(int type) {
        return new Builder(type);
    }

    /** The message type: a control type below {@link Netlink#NLMSG_MIN_TYPE} or the protocol's own. */
    public int type() {
        return type;
    }

    /** {@code nlmsg_flags}, 0..65535. */
    public int flags() {
        return flags;
    }

    /** Whether every bit of {@code mask} is set in the flags. */
    public boolean hasFlags(int mask) {
        return (flags & mask) == mask;
    }

    /** {@code nlmsg_seq}: matches replies to requests; 0 in most kernel notifications. */
    public int seq() {
        return seq;
    }

    /** {@code nlmsg_pid}: the port id of the requester the message concerns, 0 for the kernel. */
    public int pid() {
        return pid;
    }

    /** {@code nlmsg_len}: the header's 16 bytes plus the payload, padding excluded. */
    public int length() {
        return Netlink.NLMSG_HDRLEN + length;
    }

    /** Bytes of payload. */
    public int payloadLength() {
        return length;
    }

    /** The payload as a read-only buffer in host byte order, sharing this message's bytes. */
    public ByteBuffer payload() {
        return ByteBuffer.wrap(bytes, offset, length).slice().asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }

    /** A copy of the payload. */
    public byte[] payloadBytes() {
        return Arrays.copyOfRange(bytes, offset, offset + length);
    }

    /** Whether this is an {@link Netlink#NLMSG_ERROR}: an error or an acknowledgement. */
    public boolean isError() {
        return type == Netlink.NLMSG_ERROR;
    }

    /** Whether this is the {@link Netlink#NLMSG_DONE} that ends a dump. */
    public boolean isDone() {
        return type == Netlink.NLMSG_DONE;
    }

    /**
     * The attributes after a fixed family header of {@code familyHeaderLength} bytes (0 if the
     * protocol has none; {@code GENL_HDRLEN} is 4), which is padded to 4 bytes as
     * {@code NLMSG_ALIGN} does.
     *
     * @throws MalformedMessageException naming the netlink transport, if the payload is shorter
     *     than the family header ({@link Reason#TRUNCATED_HEADER}) or the attributes are malformed;
     *     offsets count from the first byte of this message's {@code nlmsghdr}
     */
    public Attributes attributes(int familyHeaderLength) {
        if (familyHeaderLength < 0) {
            throw new IllegalArgumentException("family header length " + familyHeaderLength + " is negative");
        }
        int start = Netlink.align(familyHeaderLength);
        if (length < start) {
            throw new MalformedMessageException(Reason.TRUNCATED_HEADER, Netlink.NLMSG_HDRLEN,
                    "payload of message type " + type + " is " + length + " bytes, shorter than its "
                            + familyHeaderLength + "-byte family header").withTransport(Syscalls.TRANSPORT);
        }
        try {
            return AttributeCodec.decode(ByteBuffer.wrap(bytes, offset + start, length - start));
        } catch (MalformedMessageException e) {
            // The codec counts from the first attribute; callers hold the whole message.
            int shift = Netlink.NLMSG_HDRLEN + start;
            throw new MalformedMessageException(e.reason(), e.offset().isPresent() ? e.offset().getAsInt() + shift : -1,
                    e.detail(), e.offendingAttribute().orElse(-1)).withTransport(Syscalls.TRANSPORT);
        }
    }

    /** The same message with another sequence number and port id, sharing the payload. */
    public NetlinkMessage withSeqAndPid(int newSeq, int newPid) {
        return new NetlinkMessage(type, flags, newSeq, newPid, bytes, offset, length);
    }

    /** The same message with other flags, sharing the payload. */
    public NetlinkMessage withFlags(int newFlags) {
        return new NetlinkMessage(type, checkU16("flags", newFlags), seq, pid, bytes, offset, length);
    }

    /** Bytes {@link #encode(ByteBuffer)} writes: {@link #length()} padded to a multiple of 4. */
    public int encodedLength() {
        return Netlink.align(length());
    }

    /**
     * Writes header, payload and zero padding at the position of {@code target}, in host byte
     * order whatever the buffer's order, and advances the position.
     *
     * @throws BufferOverflowException if fewer than {@link #encodedLength()} bytes remain; nothing
     *     is written then
     */
    public void encode(ByteBuffer target) {
        if (target.remaining() < encodedLength()) {
            throw new BufferOverflowException();
        }
        ByteOrder order = target.order();
        target.order(ByteOrder.nativeOrder());
        try {
            target.putInt(length());
            target.putShort((short) type);
            target.putShort((short) flags);
            target.putInt(seq);
            target.putInt(pid);
            target.put(bytes, offset, length);
            for (int pad = encodedLength() - length(); pad > 0; pad--) {
                target.put((byte) 0);
            }
        } finally {
            target.order(order);
        }
    }

    /** The encoded message in a new array of {@link #encodedLength()} bytes. */
    public byte[] encode() {
        ByteBuffer buffer = ByteBuffer.allocate(encodedLength());
        encode(buffer);
        return buffer.array();
    }

    /** Equal when every header field and the payload bytes are equal. */
    @Override
    public boolean equals(Object other) {
        if (!(other instanceof NetlinkMessage)) {
            return false;
        }
        NetlinkMessage that = (NetlinkMessage) other;
        return type == that.type && flags == that.flags && seq == that.seq && pid == that.pid
                && Arrays.equals(bytes, offset, offset + length, that.bytes, that.offset, that.offset + that.length);
    }

    @Override
    public int hashCode() {
        int hash = ((type * 31 + flags) * 31 + seq) * 31 + pid;
        for (int i = offset; i < offset + length; i++) {
            hash = 31 * hash + bytes[i];
        }
        return hash;
    }

    @Override
    public String toString() {
        return "nlmsg type " + type + " flags 0x" + Integer.toHexString(flags) + " seq "
                + Integer.toUnsignedString(seq) + " pid " + Integer.toUnsignedString(pid) + ", " + length
                + " bytes of payload";
    }

    private static int checkU16(String field, int value) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException(field + " " + value + " is not a u16 (0..65535)");
        }
        return value;
    }

    /** Builds a {@link NetlinkMessage}; every field but the type is optional. */
    public static final class Builder {
        private final int type;
        private int flags;
        private int seq;
        private int pid;
        private byte[] payload = NO_BYTES;

        private Builder(int type) {
            this.type = checkU16("message type", type);
        }

        /** {@code nlmsg_flags}, such as {@code NLM_F_REQUEST | NLM_F_DUMP}. */
        public Builder flags(int value) {
            this.flags = checkU16("flags", value);
            return this;
        }

        /** {@code nlmsg_seq}; {@link NetlinkConnection} sets its own on requests. */
        public Builder seq(int value) {
            this.seq = value;
            return this;
        }

        /** {@code nlmsg_pid}; {@link NetlinkConnection} sets its own port id on requests. */
        public Builder pid(int value) {
            this.pid = value;
            return this;
        }

        /** The payload, copied. */
        public Builder payload(byte[] value) {
            this.payload = value.clone();
            return this;
        }

        /** The remaining bytes of {@code value}, copied; its position does not move. */
        public Builder payload(ByteBuffer value) {
            byte[] copy = new byte[value.remaining()];
            value.get(value.position(), copy);
            this.payload = copy;
            return this;
        }

        /**
         * A fixed family header (padded to 4 bytes with zeros, as {@code NLMSG_ALIGN} does)
         * followed by {@code attributes}: the usual shape of a netlink payload.
         */
        public Builder payload(byte[] familyHeader, Attributes attributes) {
            int start = Netlink.align(familyHeader.length);
            ByteBuffer buffer = ByteBuffer.allocate(start + attributes.encodedLength());
            buffer.put(familyHeader);
            buffer.position(start);
            AttributeCodec.encode(attributes, buffer);
            this.payload = buffer.array();
            return this;
        }

        /**
         * The message.
         *
         * @throws FieldLimitException if the payload is too large for {@code nlmsg_len}
         */
        public NetlinkMessage build() {
            FieldLimitException.check("netlink payload", payload.length, 0, MAX_PAYLOAD);
            return new NetlinkMessage(type, flags, seq, pid, payload, 0, payload.length);
        }
    }
}
