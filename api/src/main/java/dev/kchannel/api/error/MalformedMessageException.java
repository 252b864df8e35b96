// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.error;

import java.util.OptionalInt;

/**
 * Bytes that are not a valid kchan message or netlink attribute stream, or a message that does
 * not have the shape its reader needs. The {@link Reason} says precisely what is wrong and the
 * offset says where, counted in bytes from the start of the decoded buffer.
 *
 * <p>Its errno is {@link Errno#EBADMSG}. The decoder throws nothing else for bad input, whatever
 * the bytes: no index errors, no huge allocations, no endless loops.
 */
public class MalformedMessageException extends KchannelException {

    private static final long serialVersionUID = 1L;

    /** What is wrong with the bytes. */
    public enum Reason {
        /** Fewer bytes than the fixed 16-byte kchan header. */
        TRUNCATED_HEADER,
        /** A length field (kchan header or {@code nla_len}) claims more bytes than are there. */
        LENGTH_PAST_END,
        /** A length smaller than its own header: kchan {@code len} below 16, {@code nla_len} 1..3. */
        LENGTH_BELOW_HEADER,
        /** An {@code nla_len} of zero: rejected on its own because it would never advance a parser. */
        ZERO_LENGTH,
        /** The kchan header length differs from the number of bytes handed to the decoder. */
        LENGTH_MISMATCH,
        /** The kchan header length exceeds {@code KCHAN_MSG_MAX}. */
        MESSAGE_TOO_LARGE,
        /** An attribute inside a nested attribute extends past the end of its parent. */
        NESTED_LENGTH_OVERFLOW,
        /** Nested attributes deeper than the decoder follows. */
        NESTING_TOO_DEEP,
        /** 1 to 3 bytes left after the last attribute: too short to be one. */
        UNALIGNED_TAIL,
        /** An attribute whose payload size does not fit the type it is read as (a u32 of 3 bytes). */
        WRONG_ATTRIBUTE_SIZE,
        /** An attribute the message must carry is absent. */
        MISSING_ATTRIBUTE,
        /**
         * A well-formed message that does not answer what was asked: wrong sequence number, wrong
         * command, or a reply flag missing.
         */
        UNEXPECTED_MESSAGE
    }

    private final Reason reason;
    private final int offset;
    private final String detail;

    /**
     * @param reason what is wrong
     * @param offset where, in bytes from the start of the decoded buffer, or -1 when no single
     *     place is to blame
     * @param detail the specifics, such as {@code "nla_len 300 but 12 bytes remain"}
     */
    public MalformedMessageException(Reason reason, int offset, String detail) {
        this(reason, offset, detail, -1, null, null);
    }

    /** As {@link #MalformedMessageException(Reason, int, String)}, blaming an attribute type. */
    public MalformedMessageException(Reason reason, int offset, String detail, int attributeType) {
        this(reason, offset, detail, attributeType, null, null);
    }

    private MalformedMessageException(
            Reason reason, int offset, String detail, int attributeType, String transport, Throwable cause) {
        super(message(reason, offset, detail, transport), Errno.EBADMSG.number(), transport, null, attributeType, cause);
        this.reason = reason;
        this.offset = offset;
        this.detail = detail;
    }

    /** What is wrong. */
    public Reason reason() {
        return reason;
    }

    /** Where, in bytes from the start of the decoded buffer, when one place is to blame. */
    public OptionalInt offset() {
        return offset < 0 ? OptionalInt.empty() : OptionalInt.of(offset);
    }

    /** The specifics, without reason, offset or transport. */
    public String detail() {
        return detail;
    }

    /**
     * The same failure, named after the transport that received the bytes. The codec knows no
     * transport; transports call this before rethrowing.
     */
    public MalformedMessageException withTransport(String transport) {
        return new MalformedMessageException(
                reason, offset, detail, offendingAttribute().orElse(-1), transport, this);
    }

    private static String message(Reason reason, int offset, String detail, String transport) {
        String where = offset < 0 ? "" : " at offset " + offset;
        return prefixed(transport, "malformed kchan message: " + reason + where + ": " + detail);
    }
}
