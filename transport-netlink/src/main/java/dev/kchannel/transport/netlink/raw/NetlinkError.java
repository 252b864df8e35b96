// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.message.AttributeCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The status an {@link Netlink#NLMSG_ERROR} or {@link Netlink#NLMSG_DONE} message carries: an
 * error number (0 for success, else a negative errno) and the {@link ExtendedAck} attributes.
 *
 * <p>An {@code NLMSG_ERROR} payload is {@code struct nlmsgerr}: the {@code int error}, then the
 * request's {@code nlmsghdr}, then, unless the message is flagged {@link Netlink#NLM_F_CAPPED},
 * the rest of the request padded to 4 bytes, then, if flagged {@link Netlink#NLM_F_ACK_TLVS}, the
 * extended-ack attributes. An error 0 is an acknowledgement. An {@code NLMSG_DONE} payload is the
 * dump's final {@code int} status, then extended-ack attributes if flagged.
 *
 * <p>A payload too short for the error number is a {@link MalformedMessageException}; anything
 * damaged after it (an echoed request whose length does not fit, broken attributes) is left out
 * rather than hiding the kernel's answer.
 */
public final class NetlinkError {

    private static final int ERROR_NUMBER_SIZE = 4;
    private static final int NLMSGERR_SIZE = ERROR_NUMBER_SIZE + Netlink.NLMSG_HDRLEN;

    private final int error;
    private final boolean done;
    private final NetlinkMessage requestHeader;
    private final byte[] echoedRequest;
    private final ExtendedAck extendedAck;

    private NetlinkError(int error, boolean done, NetlinkMessage requestHeader, byte[] echoedRequest,
            ExtendedAck extendedAck) {
        this.error = error;
        this.done = done;
        this.requestHeader = requestHeader;
        this.echoedRequest = echoedRequest;
        this.extendedAck = extendedAck;
    }

    /**
     * Decodes the status of an {@code NLMSG_ERROR} or {@code NLMSG_DONE} message.
     *
     * @throws IllegalArgumentException if {@code message} is of another type
     * @throws MalformedMessageException if an {@code NLMSG_ERROR} is too short for its error
     *     number, or the number is positive (errors are negative)
     */
    public static NetlinkError of(NetlinkMessage message) {
        if (message.isDone()) {
            return ofDone(message);
        }
        if (!message.isError()) {
            throw new IllegalArgumentException("message type " + message.type() + " is neither NLMSG_ERROR nor NLMSG_DONE");
        }
        ByteBuffer payload = message.payload();
        if (payload.remaining() < ERROR_NUMBER_SIZE) {
            throw malformed(Reason.TRUNCATED_HEADER, "NLMSG_ERROR payload of " + payload.remaining()
                    + " bytes has no room for its 4-byte error number");
        }
        int error = checkedError(payload.getInt(0), "NLMSG_ERROR");
        if (payload.remaining() < NLMSGERR_SIZE) {
            // Pre-2.6 kernels or a hand-made message: the error is all there is.
            return new NetlinkError(error, false, null, null, ExtendedAck.none());
        }
        NetlinkMessage header = echoedHeader(payload);
        long requestLength = Integer.toUnsignedLong(payload.getInt(ERROR_NUMBER_SIZE));
        // Acks never echo the request; kernels before 4.12 did not flag that with NLM_F_CAPPED.
        boolean capped = error == 0 || message.hasFlags(Netlink.NLM_F_CAPPED);
        byte[] echoed = null;
        int attributesStart = NLMSGERR_SIZE;
        if (!capped) {
            long padded = Netlink.NLMSG_HDRLEN + ((requestLength - Netlink.NLMSG_HDRLEN + 3) & ~3L);
            if (requestLength < Netlink.NLMSG_HDRLEN || ERROR_NUMBER_SIZE + padded > payload.remaining()) {
                return new NetlinkError(error, false, header, null, ExtendedAck.none());
            }
            echoed = new byte[(int) requestLength];
            payload.get(ERROR_NUMBER_SIZE, echoed);
            attributesStart = ERROR_NUMBER_SIZE + (int) padded;
        }
        ExtendedAck ack = message.hasFlags(Netlink.NLM_F_ACK_TLVS)
                ? ExtendedAck.decode(payload.position(attributesStart)) : ExtendedAck.none();
        return new NetlinkError(error, false, header, echoed, ack);
    }

    private static NetlinkError ofDone(NetlinkMessage message) {
        ByteBuffer payload = message.payload();
        if (payload.remaining() < ERROR_NUMBER_SIZE) {
            // Some protocol units end dumps with an empty NLMSG_DONE.
            return new NetlinkError(0, true, null, null, ExtendedAck.none());
        }
        int error = checkedError(payload.getInt(0), "NLMSG_DONE");
        ExtendedAck ack = message.hasFlags(Netlink.NLM_F_ACK_TLVS)
                ? ExtendedAck.decode(payload.position(ERROR_NUMBER_SIZE)) : ExtendedAck.none();
        return new NetlinkError(error, true, null, null, ack);
    }

    private static int checkedError(int error, String type) {
        if (error > 0) {
            throw malformed(Reason.UNEXPECTED_MESSAGE, type + " carries error " + error
                    + "; netlink errors are negative errnos");
        }
        return error;
    }

    private static NetlinkMessage echoedHeader(ByteBuffer payload) {
        ByteBuffer header = payload.duplicate().order(ByteOrder.nativeOrder());
        return NetlinkMessage.builder(Short.toUnsignedInt(header.getShort(ERROR_NUMBER_SIZE + 4)))
                .flags(Short.toUnsignedInt(header.getShort(ERROR_NUMBER_SIZE + 6)))
                .seq(header.getInt(ERROR_NUMBER_SIZE + 8))
                .pid(header.getInt(ERROR_NUMBER_SIZE + 12))
                .build();
    }

    private static MalformedMessageException malformed(Reason reason, String detail) {
        return new MalformedMessageException(reason, Netlink.NLMSG_HDRLEN, detail).withTransport(Syscalls.TRANSPORT);
    }

    /** 0 for success, else a negative errno such as -22. */
    public int error() {
        return error;
    }

    /** Whether this reports success: an acknowledgement, or a dump that ended well. */
    public boolean isSuccess() {
        return error == 0;
    }

    /** Whether this is an {@code NLMSG_ERROR} with error 0: an acknowledgement. */
    public boolean isAck() {
        return !done && error == 0;
    }

    /** Whether it came in an {@code NLMSG_DONE}. */
    public boolean isDone() {
        return done;
    }

    /**
     * The header of the request this answers, as the kernel echoed it (type, flags, seq, pid; no
     * payload). Empty for {@code NLMSG_DONE}.
     */
    public Optional<NetlinkMessage> requestHeader() {
        return Optional.ofNullable(requestHeader);
    }

    /** The whole request as the kernel echoed it, when not capped ({@code NETLINK_CAP_ACK} off). */
    public Optional<byte[]> echoedRequest() {
        return Optional.ofNullable(echoedRequest).map(byte[]::clone);
    }

    /** The extended-ack attributes; empty unless the socket has {@code NETLINK_EXT_ACK} on. */
    public ExtendedAck extendedAck() {
        return extendedAck;
    }

    /**
     * The exception this error stands for, from the api's builder so the errno picks the type
     * ({@code EPERM} gives a {@link dev.kchannel.api.error.PermissionDeniedException},
     * {@code ENOENT} a {@link dev.kchannel.api.error.NoSuchEntryException}, ...). It carries the
     * kernel's extended-ack message, the offset of the offending attribute and, when the request's
     * bytes are at hand (echoed by the kernel, or {@code sentRequest}), that attribute's type.
     *
     * @param operation what failed, such as {@code CTRL_CMD_GETFAMILY}; null to name the request's
     *     message type
     * @param sentRequest the encoded request as sent, or null
     * @throws IllegalStateException if this is a success
     */
    public KernelErrorException toException(String operation, byte[] sentRequest) {
        if (error == 0) {
            throw new IllegalStateException("netlink status 0 is a success, not an error");
        }
        KernelErrorException.Builder builder = KernelErrorException.forStatus(error)
                .transport(Syscalls.TRANSPORT)
                .operation(operation != null ? operation : defaultOperation());
        extendedAck.message().ifPresent(builder::extAckMessage);
        OptionalInt offset = extendedAck.offset();
        if (offset.isPresent()) {
            builder.offendingOffset(offset.getAsInt());
            attributeTypeAt(echoedRequest != null ? echoedRequest : sentRequest, offset.getAsInt())
                    .ifPresent(builder::offendingAttribute);
        } else {
            extendedAck.missingType().ifPresent(builder::offendingAttribute);
        }
        return builder.build();
    }

    private String defaultOperation() {
        if (done) {
            return "dump";
        }
        return requestHeader == null ? "request" : "request type " + requestHeader.type();
    }

    /** The type of the attribute whose header starts {@code offset} bytes into {@code request}. */
    static OptionalInt attributeTypeAt(byte[] request, int offset) {
        if (request == null || offset < Netlink.NLMSG_HDRLEN || offset > request.length - AttributeCodec.NLA_HDRLEN) {
            return OptionalInt.empty();
        }
        int rawType = ByteBuffer.wrap(request).order(ByteOrder.nativeOrder()).getShort(offset + 2) & 0xFFFF;
        return OptionalInt.of(rawType & AttributeCodec.NLA_TYPE_MASK);
    }

    @Override
    public String toString() {
        return (done ? "NLMSG_DONE" : "NLMSG_ERROR") + " error " + error
                + (extendedAck.isEmpty() ? "" : " " + extendedAck);
    }
}
