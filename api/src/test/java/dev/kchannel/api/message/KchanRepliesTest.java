// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.error.PermissionDeniedException;
import org.junit.jupiter.api.Test;

/** A failed reply becomes the exception its status, ERRMSG and ERRATTR describe. */
class KchanRepliesTest {

    private static KchanMessage.Builder reply(Command command, int status) {
        return KchanMessage.builder(command).flags(KchanProtocol.F_REPLY).status(status);
    }

    @Test
    void successfulRepliesPassThrough() {
        KchanMessage ok = reply(Command.SET, 0).build();

        assertThat(KchanReplies.error(ok, "netlink")).isEmpty();
        assertThat(KchanReplies.requireSuccess(ok, "netlink")).isSameAs(ok);
    }

    @Test
    void errorReplyCarriesErrnoExtAckAndAttribute() {
        KchanMessage failed = MessageCodec.decode(MessageCodec.encode(reply(Command.SET, -22)
                .string(KchanProtocol.ATTR_ERRMSG, "key longer than 64 bytes")
                .u32(KchanProtocol.ATTR_ERRATTR, KchanProtocol.ATTR_KEY)
                .build()));

        assertThatThrownBy(() -> KchanReplies.requireSuccess(failed, "netlink"))
                .isExactlyInstanceOf(KernelErrorException.class)
                .hasMessage("netlink: SET failed: EINVAL (22): key longer than 64 bytes [attribute KEY]")
                .isInstanceOfSatisfying(KernelErrorException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.EINVAL);
                    assertThat(e.errnoNumber()).isEqualTo(22);
                    assertThat(e.extAckMessage()).contains("key longer than 64 bytes");
                    assertThat(e.offendingAttribute()).hasValue(KchanProtocol.ATTR_KEY);
                    assertThat(e.transport()).contains("netlink");
                    assertThat(e.operation()).contains("SET");
                });
    }

    @Test
    void errorReplyWithoutExtAckUsesTheErrnoDescription() {
        KernelErrorException error = KchanReplies.error(reply(Command.GET, -2).build(), "procfs").orElseThrow();

        assertThat(error).isInstanceOf(NoSuchEntryException.class)
                .hasMessage("procfs: GET failed: ENOENT (2): No such file or directory");
        assertThat(error.extAckMessage()).isEmpty();
        assertThat(error.offendingAttribute()).isEmpty();
    }

    @Test
    void permissionErrorsGetTheirOwnType() {
        assertThat(KchanReplies.error(reply(Command.SET, -1).build(), "sockopt").orElseThrow())
                .isInstanceOf(PermissionDeniedException.class);
        assertThat(KchanReplies.error(reply(Command.SET, -13).build(), "chardev").orElseThrow())
                .isInstanceOf(PermissionDeniedException.class);
    }

    @Test
    void unknownErrnoAndUnknownAttributeKeepTheirNumbers() {
        KernelErrorException error = KchanReplies.error(reply(Command.ECHO, -600)
                .u32(KchanProtocol.ATTR_ERRATTR, 999).build(), "netlink").orElseThrow();

        assertThat(error.errno()).isEqualTo(Errno.UNKNOWN);
        assertThat(error.errnoNumber()).isEqualTo(600);
        assertThat(error).hasMessage("netlink: ECHO failed: errno 600 [attribute 999]");
    }

    @Test
    void damagedErrAttrIsLeftOutRatherThanHidingTheError() {
        KchanMessage failed = reply(Command.SET, -22)
                .attribute(Attribute.u16(KchanProtocol.ATTR_ERRATTR, 3)).build();

        KernelErrorException error = KchanReplies.error(failed, "netlink").orElseThrow();

        assertThat(error.errno()).isEqualTo(Errno.EINVAL);
        assertThat(error.offendingAttribute()).isEmpty();
    }

    @Test
    void requireAnswersChecksReplyFlagCommandAndSeq() {
        KchanMessage request = KchanRequests.get("k").withSeq(5);

        KchanReplies.requireAnswers(request, reply(Command.GET, 0).seq(5).build());
        for (KchanMessage wrong : new KchanMessage[] {
                KchanMessage.builder(Command.GET).seq(5).build(),
                reply(Command.SET, 0).seq(5).build(),
                reply(Command.GET, 0).seq(6).build()}) {
            assertThatThrownBy(() -> KchanReplies.requireAnswers(request, wrong))
                    .isInstanceOfSatisfying(MalformedMessageException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.UNEXPECTED_MESSAGE));
        }
    }

    @Test
    void payloadAndValueReadTheSimpleReplies() {
        assertThat(KchanReplies.payload(reply(Command.ECHO, 0).bytes(KchanProtocol.ATTR_PAYLOAD, new byte[] {4}).build()))
                .containsExactly(4);
        assertThat(KchanReplies.value(reply(Command.GET, 0).bytes(KchanProtocol.ATTR_VALUE, new byte[] {5}).build()))
                .containsExactly(5);
    }
}
