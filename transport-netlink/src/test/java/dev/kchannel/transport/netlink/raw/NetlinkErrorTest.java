// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.error.PermissionDeniedException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * NLMSG_ERROR and NLMSG_DONE, built by hand from {@code struct nlmsgerr} and
 * {@code enum nlmsgerr_attrs}, decoded into acks and typed exceptions.
 */
class NetlinkErrorTest {

    private static final int SEQ = 9;
    private static final int PORT = 1234;

    /**
     * The request the errors answer: a Generic Netlink GETFAMILY whose CTRL_ATTR_FAMILY_ID (type 1)
     * is 1 byte where a u16 belongs. The attribute header starts at offset 16 + 4 = 20.
     */
    private static final byte[] REQUEST = Wire.bytes()
            .nlmsghdr(25, 16, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, SEQ, PORT)
            .u8(3).u8(2).u16(0)
            .u16(5).u16(1).u8(7)
            .toArray();

    @Test
    void errorZeroIsAnAcknowledgement() {
        NetlinkError status = NetlinkError.of(errorMessage(0, Netlink.NLM_F_CAPPED, header(REQUEST), new byte[0]));

        assertThat(status.isAck()).isTrue();
        assertThat(status.isSuccess()).isTrue();
        assertThat(status.extendedAck().isEmpty()).isTrue();
        assertThat(status.requestHeader()).hasValueSatisfying(h -> {
            assertThat(h.type()).isEqualTo(16);
            assertThat(h.seq()).isEqualTo(SEQ);
            assertThat(h.pid()).isEqualTo(PORT);
        });
        assertThatThrownBy(() -> status.toException(null, REQUEST)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void ackMayCarryAWarning() {
        byte[] tlvs = Wire.bytes().attrString(Netlink.NLMSGERR_ATTR_MSG, "deprecated attribute").toArray();

        NetlinkError status = NetlinkError.of(
                errorMessage(0, Netlink.NLM_F_CAPPED | Netlink.NLM_F_ACK_TLVS, header(REQUEST), tlvs));

        assertThat(status.isAck()).isTrue();
        assertThat(status.extendedAck().message()).hasValue("deprecated attribute");
    }

    @Test
    void cappedErrorWithExtAckBecomesATypedExceptionWithMessageOffsetAndAttribute() {
        byte[] tlvs = Wire.bytes()
                .attrString(Netlink.NLMSGERR_ATTR_MSG, "Attribute failed policy validation")
                .attrU32(Netlink.NLMSGERR_ATTR_OFFS, 20)
                .toArray();

        NetlinkError status = NetlinkError.of(
                errorMessage(-22, Netlink.NLM_F_CAPPED | Netlink.NLM_F_ACK_TLVS, header(REQUEST), tlvs));
        KernelErrorException error = status.toException("CTRL_CMD_GETFAMILY", REQUEST);

        assertThat(status.echoedRequest()).isEmpty();
        assertThat(error.getClass()).isEqualTo(KernelErrorException.class);
        assertThat(error.errno()).isEqualTo(Errno.EINVAL);
        assertThat(error.transport()).hasValue("netlink");
        assertThat(error.extAckMessage()).hasValue("Attribute failed policy validation");
        assertThat(error.offendingOffset()).hasValue(20);
        assertThat(error.offendingAttribute()).hasValue(1);
        assertThat(error).hasMessage("netlink: CTRL_CMD_GETFAMILY failed: EINVAL (22): "
                + "Attribute failed policy validation [attribute 1 at offset 20]");
    }

    @Test
    void uncappedErrorEchoesTheRequestAndTheAttributesFollowItsPadding() {
        // REQUEST is 25 bytes: the kernel echoes it padded to 28, so the TLVs start at 4 + 28.
        byte[] echoed = Wire.bytes().raw(REQUEST).pad().toArray();
        byte[] tlvs = Wire.bytes().attrU32(Netlink.NLMSGERR_ATTR_OFFS, 20)
                .attrString(Netlink.NLMSGERR_ATTR_MSG, "bad id").toArray();

        NetlinkError status = NetlinkError.of(errorMessage(-22, Netlink.NLM_F_ACK_TLVS, echoed, tlvs));
        // No request passed: the attribute type comes from the echo.
        KernelErrorException error = status.toException(null, null);

        assertThat(status.echoedRequest()).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(REQUEST));
        assertThat(error.extAckMessage()).hasValue("bad id");
        assertThat(error.offendingAttribute()).hasValue(1);
        assertThat(error.operation()).hasValue("request type 16");
    }

    @ParameterizedTest(name = "-{0} -> {1}")
    @CsvSource({"1, PermissionDeniedException", "13, PermissionDeniedException", "2, NoSuchEntryException",
        "16, KernelErrorException"})
    void errnoPicksTheExceptionType(int errno, String type) {
        KernelErrorException error = NetlinkError.of(errorMessage(-errno, Netlink.NLM_F_CAPPED, header(REQUEST),
                new byte[0])).toException("op", null);

        assertThat(error.getClass().getSimpleName()).isEqualTo(type);
        assertThat(error.errnoNumber()).isEqualTo(errno);
        assertThat(error).isInstanceOf(KernelErrorException.class);
        if (errno == 1) {
            assertThat(error).isInstanceOf(PermissionDeniedException.class);
        } else if (errno == 2) {
            assertThat(error).isInstanceOf(NoSuchEntryException.class);
        }
    }

    @Test
    void missingAttributeIsBlamedWhenThereIsNoOffset() {
        byte[] tlvs = Wire.bytes().attrString(Netlink.NLMSGERR_ATTR_MSG, "Missing attribute")
                .attrU32(Netlink.NLMSGERR_ATTR_MISS_TYPE, 2).toArray();

        KernelErrorException error = NetlinkError.of(errorMessage(-22,
                Netlink.NLM_F_CAPPED | Netlink.NLM_F_ACK_TLVS, header(REQUEST), tlvs)).toException("op", REQUEST);

        assertThat(error.offendingAttribute()).hasValue(2);
        assertThat(error.offendingOffset()).isEmpty();
    }

    @Test
    void offsetOutsideTheRequestKeepsTheOffsetButNamesNoType() {
        byte[] tlvs = Wire.bytes().attrU32(Netlink.NLMSGERR_ATTR_OFFS, 400).toArray();

        KernelErrorException error = NetlinkError.of(errorMessage(-22,
                Netlink.NLM_F_CAPPED | Netlink.NLM_F_ACK_TLVS, header(REQUEST), tlvs)).toException("op", REQUEST);

        assertThat(error.offendingOffset()).hasValue(400);
        assertThat(error.offendingAttribute()).isEmpty();
    }

    @Test
    void damagedExtAckIsLeftOutRatherThanHidingTheErrno() {
        byte[] broken = Wire.bytes().u16(200).u16(Netlink.NLMSGERR_ATTR_MSG).raw("abc".getBytes(StandardCharsets.UTF_8))
                .toArray();

        KernelErrorException error = NetlinkError.of(errorMessage(-95,
                Netlink.NLM_F_CAPPED | Netlink.NLM_F_ACK_TLVS, header(REQUEST), broken)).toException("op", REQUEST);

        assertThat(error.errno()).isEqualTo(Errno.EOPNOTSUPP);
        assertThat(error.extAckMessage()).isEmpty();
    }

    @Test
    void echoedLengthThatDoesNotFitIsLeftOut() {
        // Claims a 400-byte request was echoed where only its header is.
        byte[] lying = Wire.bytes().nlmsghdr(400, 16, 5, SEQ, PORT).toArray();

        NetlinkError status = NetlinkError.of(errorMessage(-22, Netlink.NLM_F_ACK_TLVS, lying, new byte[0]));

        assertThat(status.error()).isEqualTo(-22);
        assertThat(status.echoedRequest()).isEmpty();
    }

    @Test
    void payloadTooShortForTheErrorNumberIsMalformed() {
        NetlinkMessage message = NetlinkCodec.decode(Wire.message(Netlink.NLMSG_ERROR, 0, SEQ, PORT, new byte[3]))
                .get(0);

        assertThatThrownBy(() -> NetlinkError.of(message)).isInstanceOfSatisfying(MalformedMessageException.class,
                e -> {
                    assertThat(e.reason()).isEqualTo(Reason.TRUNCATED_HEADER);
                    assertThat(e.transport()).hasValue("netlink");
                });
    }

    @Test
    void positiveErrorNumberIsMalformed() {
        assertThatThrownBy(() -> NetlinkError.of(errorMessage(22, 0, header(REQUEST), new byte[0])))
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNEXPECTED_MESSAGE));
    }

    @Test
    void doneCarriesTheDumpStatusAndItsExtAck() {
        byte[] failed = Wire.bytes().u32(-90)
                .attrString(Netlink.NLMSGERR_ATTR_MSG, "dump too big").toArray();
        NetlinkMessage done = NetlinkCodec.decode(Wire.message(Netlink.NLMSG_DONE,
                Netlink.NLM_F_MULTI | Netlink.NLM_F_ACK_TLVS, SEQ, PORT, failed)).get(0);
        NetlinkMessage empty = NetlinkCodec.decode(Wire.message(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI, SEQ, PORT,
                new byte[0])).get(0);

        NetlinkError status = NetlinkError.of(done);
        KernelErrorException error = status.toException("dump", null);

        assertThat(status.isDone()).isTrue();
        assertThat(status.isAck()).isFalse();
        assertThat(error.errno()).isEqualTo(Errno.EMSGSIZE);
        assertThat(error.extAckMessage()).hasValue("dump too big");
        assertThat(NetlinkError.of(empty).isSuccess()).isTrue();
    }

    @Test
    void otherMessageTypesAreRefused() {
        NetlinkMessage data = NetlinkMessage.builder(16).build();

        assertThatThrownBy(() -> NetlinkError.of(data)).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] header(byte[] request) {
        return java.util.Arrays.copyOf(request, 16);
    }

    /** NLMSG_ERROR: nlmsghdr, then s32 error, the echoed request (header or all), the TLVs. */
    private static NetlinkMessage errorMessage(int error, int flags, byte[] echoed, byte[] tlvs) {
        byte[] payload = Wire.bytes().u32(error).raw(echoed).raw(tlvs).toArray();
        return NetlinkCodec.decode(Wire.message(Netlink.NLMSG_ERROR, flags, SEQ, PORT, payload)).get(0);
    }
}
