// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import java.util.Optional;

/**
 * Reading kchan replies: turning a failed reply into the right exception, checking that a reply
 * answers its request, and the payloads of the simple replies.
 *
 * <p>Transports call {@link #requireSuccess} on every reply before handing it to the user, so
 * every transport reports kernel errors the same way:
 * {@code netlink: SET failed: EINVAL (22): key longer than 64 bytes [attribute KEY]}.
 */
public final class KchanReplies {

    private KchanReplies() {
    }

    /**
     * The exception a reply stands for, if its status is negative: the errno from the status, the
     * extended-ack text from {@link KchanProtocol#ATTR_ERRMSG} and the blamed attribute from
     * {@link KchanProtocol#ATTR_ERRATTR}. A damaged ERRMSG or ERRATTR is left out rather than
     * hiding the kernel's error behind a decoding one.
     *
     * @param transport the transport name that heads the message
     */
    public static Optional<KernelErrorException> error(KchanMessage reply, String transport) {
        if (reply.status() >= 0) {
            return Optional.empty();
        }
        KernelErrorException.Builder error = KernelErrorException.forStatus(reply.status())
                .transport(transport)
                .operation(Command.describe(reply.commandId()));
        reply.attributes().first(KchanProtocol.ATTR_ERRMSG)
                .map(Attribute::string)
                .ifPresent(error::extAckMessage);
        reply.attributes().first(KchanProtocol.ATTR_ERRATTR)
                .filter(attribute -> attribute.length() == 4)
                .map(Attribute::u32)
                .filter(type -> type <= AttributeCodec.NLA_TYPE_MASK)
                .ifPresent(type -> error.offendingAttribute(type.intValue(), KchanAttribute.describe(type.intValue())));
        return Optional.of(error.build());
    }

    /**
     * {@code reply} itself when its status is not negative.
     *
     * @throws KernelErrorException (or a subclass chosen by errno) built by {@link #error}
     */
    public static KchanMessage requireSuccess(KchanMessage reply, String transport) {
        Optional<KernelErrorException> error = error(reply, transport);
        if (error.isPresent()) {
            throw error.get();
        }
        return reply;
    }

    /**
     * Checks that {@code reply} answers {@code request}: the reply flag is set, and the command
     * and sequence number are the request's.
     *
     * @throws MalformedMessageException with {@link Reason#UNEXPECTED_MESSAGE} otherwise
     */
    public static void requireAnswers(KchanMessage request, KchanMessage reply) {
        String problem = null;
        if (!reply.isReply()) {
            problem = "the REPLY flag is not set";
        } else if (reply.commandId() != request.commandId()) {
            problem = "it answers " + Command.describe(reply.commandId()) + ", not " + Command.describe(request.commandId());
        } else if (reply.seq() != request.seq()) {
            problem = "its seq " + Integer.toUnsignedString(reply.seq()) + " is not the request's "
                    + Integer.toUnsignedString(request.seq());
        }
        if (problem != null) {
            throw new MalformedMessageException(Reason.UNEXPECTED_MESSAGE, -1, "not a reply to the request: " + problem);
        }
    }

    /** The PAYLOAD of an ECHO reply. */
    public static byte[] payload(KchanMessage echoReply) {
        return echoReply.attributes().require(KchanProtocol.ATTR_PAYLOAD).bytes();
    }

    /** The VALUE of a GET reply. */
    public static byte[] value(KchanMessage getReply) {
        return getReply.attributes().require(KchanProtocol.ATTR_VALUE).bytes();
    }
}
