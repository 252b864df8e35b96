// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.message.Attribute;
import dev.kchannel.api.message.Attributes;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.MessageCodec;
import dev.kchannel.api.testing.HostileInputs;
import dev.kchannel.transport.netlink.genl.GenericMessage;
import dev.kchannel.transport.netlink.raw.Netlink;
import dev.kchannel.transport.netlink.raw.NetlinkCodec;
import dev.kchannel.transport.netlink.raw.NetlinkError;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;
import dev.kchannel.transport.netlink.raw.ScriptedConnections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Everything the netlink transport decodes from a datagram (netlink headers, NLMSG_ERROR with its
 * extended-ack TLVs, Generic Netlink headers, kchan replies and events of the genl family and of
 * the raw unit) against hostile bytes ({@link HostileInputs}): MalformedMessageException, or a
 * kernel error reply's KernelErrorException, and nothing else.
 */
class NetlinkDecodeHostileInputTest {

    private static final KchanMessage ECHO = KchanRequests.echo("probe".getBytes());

    @Test
    void decodingHostileDatagramsOnlyEverThrowsTheTypedExceptions() {
        HostileInputs.assertOnlyMalformed("the netlink transport's decoders", samples(), bytes -> {
            for (NetlinkMessage message : NetlinkCodec.decode(bytes)) {
                readEverything(message);
            }
        });
    }

    private static void readEverything(NetlinkMessage message) {
        if (message.isError()) {
            NetlinkError.of(message);
        }
        KchanGenlCodec.toEvent(message, KchanGenlCodecTest.FAMILY);
        RawUnitCodec.toEvent(message);
        if (message.type() == KchanGenlCodecTest.FAMILY_ID) {
            GenericMessage.decode(message);
        }
        try {
            if (message.type() == KchanProtocol.RAW_MSG_REPLY) {
                RawUnitCodec.toReply(message, ECHO);
            }
        } catch (KernelErrorException kernelSaidNo) {
            // A reply carrying an errno is the kernel's answer, typed as such.
        }
    }

    private static List<byte[]> samples() {
        NetlinkMessage genlReply = KchanGenlCodec.toNetlink(KchanMessage.builder(Command.ECHO)
                .bytes(KchanProtocol.ATTR_PAYLOAD, "hello".getBytes()).build(), KchanGenlCodecTest.FAMILY);
        NetlinkMessage genlEvent = KchanGenlCodec.toNetlink(KchanMessage.builder(Command.EVENT)
                .attribute(Attribute.u32(KchanProtocol.ATTR_EVENT_TYPE, 3))
                .attribute(Attribute.u64(KchanProtocol.ATTR_SEQ, 5))
                .bytes(KchanProtocol.ATTR_PAYLOAD, new byte[40]).build(), KchanGenlCodecTest.FAMILY);
        NetlinkMessage rawReply = NetlinkMessage.builder(KchanProtocol.RAW_MSG_REPLY)
                .payload(MessageCodec.toByteArray(KchanMessage.builder(Command.ECHO).flags(KchanProtocol.F_REPLY)
                        .bytes(KchanProtocol.ATTR_PAYLOAD, "probe".getBytes()).build()))
                .build();
        NetlinkMessage rawEvent = NetlinkMessage.builder(KchanProtocol.RAW_MSG_EVENT)
                .payload(MessageCodec.toByteArray(KchanMessage.builder(Command.EVENT).flags(KchanProtocol.F_EVENT)
                        .attribute(Attribute.u64(KchanProtocol.ATTR_SEQ, 9))
                        .attribute(Attribute.u64(KchanProtocol.ATTR_DROPPED, 1)).build()))
                .build();
        // The extended-ack TLVs as the kernel appends them after the echoed request header.
        byte[] extAck = NetlinkMessage.builder(0).payload(new byte[0], Attributes.of(
                Attribute.string(Netlink.NLMSGERR_ATTR_MSG, "key longer than KEY_MAX"),
                Attribute.u32(Netlink.NLMSGERR_ATTR_OFFS, 36))).build().payloadBytes();
        return List.of(
                NetlinkCodec.encode(List.of(genlReply)),
                NetlinkCodec.encode(List.of(genlEvent, rawEvent)),
                NetlinkCodec.encode(List.of(rawReply)),
                ScriptedConnections.error(genlReply, -22, extAck),
                ScriptedConnections.ack(genlReply));
    }
}
