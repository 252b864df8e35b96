// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.error.PermissionDeniedException;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.MessageCodec;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The raw unit's framing: one whole kchan message per netlink message, typed by nlmsg_type. */
class RawUnitCodecTest {

    @Test
    void aRequestTravelsWholeHeaderIncludedAsARequestMessage() {
        KchanMessage request = KchanRequests.set("k", "v").withSeq(7);

        NetlinkMessage outgoing = RawUnitCodec.toNetlink(request);

        assertThat(outgoing.type()).isEqualTo(KchanProtocol.RAW_MSG_REQUEST);
        assertThat(outgoing.payloadBytes()).isEqualTo(MessageCodec.toByteArray(request));
    }

    @Test
    void aSuccessfulReplyIsTheKchanMessageItCarries() {
        KchanMessage request = KchanRequests.get("k");
        KchanMessage reply = KchanMessage.builder(Command.GET).flags(KchanProtocol.F_REPLY)
                .bytes(KchanProtocol.ATTR_KEY, bytes("k")).bytes(KchanProtocol.ATTR_VALUE, bytes("v")).build();

        assertThat(RawUnitCodec.toReply(carrying(KchanProtocol.RAW_MSG_REPLY, reply), request)).isEqualTo(reply);
    }

    @Test
    void aFailedReplyBecomesTheTypedExceptionWithTheKernelsText() {
        KchanMessage denied = KchanMessage.builder(Command.SET).flags(KchanProtocol.F_REPLY)
                .status(-Errno.EPERM.number()).string(KchanProtocol.ATTR_ERRMSG, "SET needs CAP_NET_ADMIN").build();
        KchanMessage missing = KchanMessage.builder(Command.GET).flags(KchanProtocol.F_REPLY)
                .status(-Errno.ENOENT.number()).string(KchanProtocol.ATTR_ERRMSG, "no such key")
                .u32(KchanProtocol.ATTR_ERRATTR, KchanProtocol.ATTR_KEY).build();

        assertThatThrownBy(() -> RawUnitCodec.toReply(carrying(KchanProtocol.RAW_MSG_REPLY, denied),
                KchanRequests.set("k", "v")))
                .isInstanceOfSatisfying(PermissionDeniedException.class, e -> {
                    assertThat(e.extAckMessage()).contains("SET needs CAP_NET_ADMIN");
                    assertThat(e.transport()).contains(NetlinkTransport.NAME);
                });
        assertThatThrownBy(() -> RawUnitCodec.toReply(carrying(KchanProtocol.RAW_MSG_REPLY, missing),
                KchanRequests.get("k")))
                .isInstanceOfSatisfying(NoSuchEntryException.class,
                        e -> assertThat(e.getMessage()).contains("no such key").contains("KEY"));
    }

    @Test
    void aReplyOfTheWrongTypeOrCommandIsMalformed() {
        KchanMessage echoReply = KchanMessage.builder(Command.ECHO).flags(KchanProtocol.F_REPLY).build();

        assertThatThrownBy(() -> RawUnitCodec.toReply(carrying(KchanProtocol.RAW_MSG_EVENT, echoReply),
                KchanRequests.echo(new byte[1])))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("netlink type 20, expected 17");
        assertThatThrownBy(() -> RawUnitCodec.toReply(carrying(KchanProtocol.RAW_MSG_REPLY, echoReply),
                KchanRequests.get("k")))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("reply to GET");
    }

    @Test
    void aTruncatedKchanMessageIsMalformedNotAnIndexError() {
        NetlinkMessage cut = NetlinkMessage.builder(KchanProtocol.RAW_MSG_REPLY).payload(new byte[10]).build();

        assertThatThrownBy(() -> RawUnitCodec.toReply(cut, KchanRequests.get("k")))
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.transport()).contains(NetlinkTransport.NAME));
    }

    @Test
    void eventsAreTheEventMessagesOnlyOthersAreSkipped() {
        KchanMessage event = KchanMessage.builder(Command.EVENT).flags(KchanProtocol.F_EVENT)
                .u64(KchanProtocol.ATTR_SEQ, 3).u64(KchanProtocol.ATTR_DROPPED, 0).build();

        assertThat(RawUnitCodec.toEvent(carrying(KchanProtocol.RAW_MSG_EVENT, event))).isEqualTo(event);
        assertThat(RawUnitCodec.toEvent(carrying(KchanProtocol.RAW_MSG_REPLY, event))).isNull();
        assertThatThrownBy(() -> RawUnitCodec.toEvent(carrying(KchanProtocol.RAW_MSG_EVENT,
                KchanMessage.builder(Command.ECHO).flags(KchanProtocol.F_REPLY).build())))
                .isInstanceOf(MalformedMessageException.class);
    }

    private static NetlinkMessage carrying(int type, KchanMessage message) {
        return NetlinkMessage.builder(type).payload(MessageCodec.toByteArray(message)).build();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
