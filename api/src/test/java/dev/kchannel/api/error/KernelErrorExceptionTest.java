// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The builder picks the most specific exception for the errno and writes a readable message. */
class KernelErrorExceptionTest {

    @ParameterizedTest(name = "-{0} -> {1}")
    @CsvSource({
        "1, PermissionDeniedException",
        "13, PermissionDeniedException",
        "2, NoSuchEntryException",
        "22, KernelErrorException",
        "17, KernelErrorException",
        "600, KernelErrorException"
    })
    void statusMapsToTheMostSpecificType(int errno, String type) {
        KernelErrorException error = KernelErrorException.forStatus(-errno).build();

        assertThat(error.getClass().getSimpleName()).isEqualTo(type);
        assertThat(error.errnoNumber()).isEqualTo(errno);
        assertThat(error).isInstanceOf(KchannelException.class).isInstanceOf(RuntimeException.class);
    }

    @Test
    void fullMessageReadsLikeASentence() {
        KernelErrorException error = KernelErrorException.forStatus(-22)
                .transport("netlink")
                .operation("SET")
                .extAckMessage("key longer than 64 bytes")
                .offendingAttribute(3, "KEY")
                .build();

        assertThat(error).hasMessage("netlink: SET failed: EINVAL (22): key longer than 64 bytes [attribute KEY]");
    }

    @Test
    void minimalMessageStillNamesTheErrno() {
        assertThat(KernelErrorException.forErrno(Errno.EBUSY).build())
                .hasMessage("EBUSY (16): Device or resource busy");
        assertThat(KernelErrorException.forErrno(11).operation("recvmsg").offendingAttribute(9).build())
                .hasMessage("recvmsg failed: EAGAIN (11): Resource temporarily unavailable [attribute 9]");
    }

    @Test
    void offsetOfTheBlamedAttributeIsKeptAndShown() {
        KernelErrorException both = KernelErrorException.forStatus(-22).transport("netlink")
                .extAckMessage("bad name").offendingAttribute(2).offendingOffset(20).build();
        KernelErrorException offsetOnly = KernelErrorException.forStatus(-34).offendingOffset(36).build();

        assertThat(both).hasMessage("netlink: EINVAL (22): bad name [attribute 2 at offset 20]");
        assertThat(both.offendingOffset()).hasValue(20);
        assertThat(both.offendingAttribute()).hasValue(2);
        assertThat(offsetOnly).hasMessage("ERANGE (34): Numerical result out of range [attribute at offset 36]");
        assertThat(offsetOnly.offendingAttribute()).isEmpty();
        assertThat(KernelErrorException.forErrno(Errno.EINVAL).build().offendingOffset()).isEmpty();
        assertThatThrownBy(() -> KernelErrorException.forErrno(Errno.EINVAL).offendingOffset(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTransportThatKnowsTheAttributeSpaceNamesTheBlamedAttribute() {
        RuntimeException cause = new RuntimeException("underneath");
        KernelErrorException numbered = KernelErrorException.forStatus(-2).transport("netlink").operation("GET")
                .extAckMessage("key not found").offendingAttribute(3).offendingOffset(20).cause(cause).build();

        KernelErrorException named = numbered.withAttributeNames(type -> type == 3 ? "KEY" : null);

        assertThat(named).isInstanceOf(NoSuchEntryException.class)
                .hasMessage("netlink: GET failed: ENOENT (2): key not found [attribute KEY at offset 20]")
                .hasCause(cause);
        assertThat(named.offendingAttribute()).hasValue(3);
        assertThat(named.offendingOffset()).hasValue(20);
        assertThat(named.getStackTrace()).isEqualTo(numbered.getStackTrace());
        assertThat(numbered.withAttributeNames(type -> null)).isSameAs(numbered);
        KernelErrorException noAttribute = KernelErrorException.forErrno(Errno.EPERM).build();
        assertThat(noAttribute.withAttributeNames(type -> "KEY")).isSameAs(noAttribute);
    }

    @Test
    void emptyExtAckCountsAsNone() {
        KernelErrorException error = KernelErrorException.forErrno(Errno.EINVAL).extAckMessage("").build();

        assertThat(error.extAckMessage()).isEmpty();
    }

    @Test
    void statusWithNoPositiveTwinIsUnknown() {
        KernelErrorException error = KernelErrorException.forStatus(Integer.MIN_VALUE).build();

        assertThat(error.errno()).isEqualTo(Errno.UNKNOWN);
        assertThat(error.errnoNumber()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void nonErrorsAreRefused() {
        assertThatThrownBy(() -> KernelErrorException.forStatus(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KernelErrorException.forErrno(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KernelErrorException.forErrno(Errno.UNKNOWN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void causeIsKept() {
        IllegalStateException cause = new IllegalStateException("socket");
        assertThat(KernelErrorException.forErrno(5).cause(cause).build()).hasCause(cause);
    }
}
