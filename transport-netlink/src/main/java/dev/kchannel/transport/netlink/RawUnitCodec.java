// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.MessageCodec;
import dev.kchannel.transport.netlink.raw.Netlink;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;

/**
 * Maps kchan messages to and from kchan_netlink's raw protocol unit, where, unlike Generic
 * Netlink, each netlink message carries one whole kchan message ({@code struct kchan_hdr} and the
 * attributes) and {@code nlmsg_type} says what it is for: {@code KCHAN_RAW_MSG_REQUEST},
 * {@code _REPLY}, {@code _HELLO}, {@code _BYE} or {@code _EVENT} (uapi {@code kchan.h}). A failed
 * request comes back as a REPLY whose kchan status is the errno and whose ERRMSG and ERRATTR carry
 * the extended ack; a request the kernel refuses before queueing it gets {@code NLMSG_ERROR}.
 */
final class RawUnitCodec {

    /** The largest datagram the raw unit sends: one netlink header and one whole kchan message. */
    static final int LARGEST_DATAGRAM = Netlink.NLMSG_HDRLEN + KchanProtocol.MSG_MAX;

    private RawUnitCodec() {
    }

    /** {@code request} whole, kchan header included, as a REQUEST; the connection numbers it. */
    static NetlinkMessage toNetlink(KchanMessage request) {
        return NetlinkMessage.builder(KchanProtocol.RAW_MSG_REQUEST)
                .payload(MessageCodec.toByteArray(request)).build();
    }

    /** A HELLO or BYE: no payload. */
    static NetlinkMessage control(int type) {
        return NetlinkMessage.builder(type).build();
    }

    /**
     * The kchan reply a REPLY carries.
     *
     * @throws dev.kchannel.api.error.KernelErrorException (or a subclass chosen by errno) when its
     *     status is an errno, with the kernel's ERRMSG text and the offending attribute
     * @throws MalformedMessageException if the answer is no REPLY, its payload is no kchan reply,
     *     or it answers another command
     */
    static KchanMessage toReply(NetlinkMessage answer, KchanMessage request) {
        String what = "reply to " + Command.describe(request.commandId());
        KchanMessage reply = decode(answer, KchanProtocol.RAW_MSG_REPLY, what);
        if (!reply.isReply() || reply.commandId() != request.commandId()) {
            throw new MalformedMessageException(Reason.UNEXPECTED_MESSAGE, 0, what + " is " + reply)
                    .withTransport(NetlinkTransport.NAME);
        }
        return KchanReplies.requireSuccess(reply, NetlinkTransport.NAME);
    }

    /** The kchan event an EVENT carries, or null for any other message type. */
    static KchanMessage toEvent(NetlinkMessage message) {
        if (message.type() != KchanProtocol.RAW_MSG_EVENT) {
            return null;
        }
        KchanMessage event = decode(message, KchanProtocol.RAW_MSG_EVENT, "event");
        if (!event.isEvent() || event.commandId() != KchanProtocol.CMD_EVENT) {
            throw new MalformedMessageException(Reason.UNEXPECTED_MESSAGE, 0, "raw unit event is " + event)
                    .withTransport(NetlinkTransport.NAME);
        }
        return event;
    }

    private static KchanMessage decode(NetlinkMessage message, int type, String what) {
        if (message.type() != type) {
            throw new MalformedMessageException(Reason.UNEXPECTED_MESSAGE, 0, what + " has netlink type "
                    + message.type() + ", expected " + type).withTransport(NetlinkTransport.NAME);
        }
        try {
            return MessageCodec.decode(message.payload());
        } catch (MalformedMessageException e) {
            throw e.transport().isPresent() ? e : e.withTransport(NetlinkTransport.NAME);
        }
    }
}
