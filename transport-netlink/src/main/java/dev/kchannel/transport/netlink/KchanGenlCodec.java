// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import dev.kchannel.api.error.FieldLimitException;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.transport.netlink.genl.GenericFamily;
import dev.kchannel.transport.netlink.genl.GenericMessage;
import dev.kchannel.transport.netlink.genl.Nlctrl;
import dev.kchannel.transport.netlink.raw.Netlink;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;

/**
 * Maps kchan messages to and from the Generic Netlink family {@code kchan}. The family has no
 * header of its own (hdrsize 0), so there is no {@code struct kchan_hdr} on this door: the kchan
 * command is {@code genlmsghdr.cmd}, the sequence number is {@code nlmsghdr.nlmsg_seq}, the status
 * travels as {@code NLMSG_ERROR}, and the attributes follow the {@code genlmsghdr} unchanged.
 * What the kchan header's flags would say is rebuilt on the way in: REPLY for replies, MORE for a
 * reply that carries a CURSOR (the kernel adds one iff entries remain), EVENT for events.
 */
final class KchanGenlCodec {

    /** The largest genl command: {@code genlmsghdr.cmd} is a u8. */
    static final int GENL_CMD_MAX = 0xFF;
    /**
     * The largest datagram the kchan family sends: a netlink and a genl header, then attributes
     * that are at most a whole kchan message (KCHAN_MSG_MAX); sockets declare it so that each
     * receive is one system call ({@code NetlinkSocket.setLargestDatagram}).
     */
    static final int LARGEST_DATAGRAM = Netlink.NLMSG_HDRLEN + Nlctrl.GENL_HDRLEN + KchanProtocol.MSG_MAX;

    private KchanGenlCodec() {
    }

    /**
     * {@code request} as a Generic Netlink message of {@code family}; its kchan flags, seq and
     * status have no place on this door and are dropped (the connection numbers requests).
     *
     * @throws FieldLimitException if the command does not fit genl's u8; nothing is sent then
     */
    static NetlinkMessage toNetlink(KchanMessage request, GenericFamily family) {
        FieldLimitException.check("genl command", request.commandId(), 0, GENL_CMD_MAX);
        return new GenericMessage(family.id(), request.commandId(), family.version(), request.attributes())
                .toNetlink(0);
    }

    /**
     * The kernel's answer to a request as a kchan reply: REPLY set, MORE set when it carries a
     * CURSOR, the netlink sequence number, status 0 (failures never get here: they arrive as
     * {@code NLMSG_ERROR} and are thrown by the connection).
     *
     * @param answer the genl reply, or the bare acknowledgement of a command that sent none
     * @param request the request, whose command an acknowledgement answers
     * @throws MalformedMessageException if the answer is from another family or malformed
     */
    static KchanMessage toReply(NetlinkMessage answer, KchanMessage request, GenericFamily family) {
        if (answer.isError()) {
            // Only an ack gets here: the kernel had nothing to say beyond success.
            return KchanMessage.builder(request.commandId()).flags(KchanProtocol.F_REPLY).seq(answer.seq()).build();
        }
        GenericMessage genl = decode(answer, family, "reply to " + Command.describe(request.commandId()));
        int flags = KchanProtocol.F_REPLY;
        if (genl.attributes().contains(KchanProtocol.ATTR_CURSOR)) {
            flags |= KchanProtocol.F_MORE;
        }
        return KchanMessage.builder(genl.command()).flags(flags).seq(answer.seq())
                .attributes(genl.attributes()).build();
    }

    /**
     * A multicast message of the events group as a kchan EVENT message (flag EVENT, header seq the
     * low 32 bits of the SEQ attribute), or null if it is some other command of the family.
     */
    static KchanMessage toEvent(NetlinkMessage message, GenericFamily family) {
        if (message.type() != family.id()) {
            return null;
        }
        GenericMessage genl = decode(message, family, "event");
        if (genl.command() != KchanProtocol.CMD_EVENT) {
            return null;
        }
        int seq = genl.attributes().first(KchanProtocol.ATTR_SEQ)
                .filter(attribute -> attribute.length() == Long.BYTES)
                .map(attribute -> (int) attribute.u64()).orElse(0);
        return KchanMessage.builder(Command.EVENT).flags(KchanProtocol.F_EVENT).seq(seq)
                .attributes(genl.attributes()).build();
    }

    private static GenericMessage decode(NetlinkMessage message, GenericFamily family, String what) {
        if (message.type() != family.id()) {
            throw new MalformedMessageException(Reason.UNEXPECTED_MESSAGE, 0, what + " has netlink type "
                    + message.type() + ", not family " + family.name() + " (" + family.id() + ")")
                    .withTransport(NetlinkTransport.NAME);
        }
        try {
            return GenericMessage.decode(message, family.headerSize());
        } catch (MalformedMessageException e) {
            throw e.transport().isPresent() ? e : e.withTransport(NetlinkTransport.NAME);
        }
    }
}
