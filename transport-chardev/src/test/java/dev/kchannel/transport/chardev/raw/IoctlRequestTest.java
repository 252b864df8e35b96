// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.chardev.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.message.KchanProtocol;
import org.junit.jupiter.api.Test;

/** The request numbers agree with the kernel's macros, for our ioctls and for well-known ones. */
class IoctlRequestTest {

    @Test
    void kchanRequestsAreThoseOfTheUapiHeader() {
        assertThat(IoctlRequest.iowr(KchanProtocol.IOC_MAGIC, 1, 32)).isEqualTo(KchanProtocol.IOC_CALL);
        assertThat(IoctlRequest.io(KchanProtocol.IOC_MAGIC, 2)).isEqualTo(KchanProtocol.IOC_SUBSCRIBE);
        assertThat(IoctlRequest.io(KchanProtocol.IOC_MAGIC, 3)).isEqualTo(KchanProtocol.IOC_UNSUBSCRIBE);
        assertThat(IoctlRequest.iowr(KchanProtocol.IOC_MAGIC, 4, 24)).isEqualTo(KchanProtocol.IOC_RING_SETUP);
    }

    @Test
    void kernelRequestsMatchTheirKnownNumbers() {
        // RNDGETENTCNT = _IOR('R', 0x00, int) and RNDADDTOENTCNT = _IOW('R', 0x01, int), from <linux/random.h>.
        assertThat(IoctlRequest.ior('R', 0x00, 4)).isEqualTo(0x80045200L);
        assertThat(IoctlRequest.iow('R', 0x01, 4)).isEqualTo(0x40045201L);
        // FIONREAD is the legacy 0x541B, not built by the macros; TUNSETIFF = _IOW('T', 202, int).
        assertThat(IoctlRequest.iow('T', 202, 4)).isEqualTo(0x400454caL);
    }

    @Test
    void theSizeComesBackOutOfARequest() {
        assertThat(IoctlRequest.size(KchanProtocol.IOC_CALL)).isEqualTo(32);
        assertThat(IoctlRequest.size(KchanProtocol.IOC_SUBSCRIBE)).isZero();
    }

    @Test
    void fieldsThatDoNotFitAreRefused() {
        assertThatThrownBy(() -> IoctlRequest.ior(0x100, 0, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("type 256");
        assertThatThrownBy(() -> IoctlRequest.ior('R', 256, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("number 256");
        assertThatThrownBy(() -> IoctlRequest.iowr('R', 0, IoctlRequest.MAX_SIZE + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size 16384");
    }
}
