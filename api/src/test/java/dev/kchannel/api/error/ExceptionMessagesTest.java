// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.error;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kchannel.api.Availability;
import dev.kchannel.api.Capability;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every exception carries a meaningful errno and names its transport in its message. */
class ExceptionMessagesTest {

    @Test
    void transportUnavailable() {
        TransportUnavailableException error =
                new TransportUnavailableException("netlink", "kernel module kchan_netlink is not loaded", null, null);

        assertThat(error).hasMessage("kernel transport 'netlink' is unavailable: kernel module kchan_netlink is not loaded");
        assertThat(error.errno()).isEqualTo(Errno.ENODEV);
        assertThat(error.reason()).isEqualTo("kernel module kchan_netlink is not loaded");
        assertThat(new TransportUnavailableException("chardev", "no access", Errno.EACCES, null).errno())
                .isEqualTo(Errno.EACCES);
    }

    @Test
    void aMissingKernelModuleSaysHowToLoadIt() {
        assertThat(Availability.moduleNotLoaded("kchan_sockopt", "options 3073..3080 unknown"))
                .isEqualTo("kernel module kchan_sockopt is not loaded (options 3073..3080 unknown); load it with"
                        + " \"modprobe kchan_sockopt\", or \"insmod kchan_core.ko\" then \"insmod kchan_sockopt.ko\"");
    }

    @Test
    void permissionErrorsSayWhatToCheck() {
        KernelErrorException eperm = KernelErrorException.forErrno(1).transport("sockopt").operation("SET").build();
        KernelErrorException eacces = KernelErrorException.forErrno(13).transport("chardev").operation("open /dev/kchan").build();

        assertThat(eperm).isInstanceOf(PermissionDeniedException.class).hasMessage("sockopt: SET failed: EPERM (1):"
                + " Operation not permitted (the caller lacks a capability the kernel requires, CAP_NET_ADMIN for the"
                + " kchan modules: run as root or grant the process that capability)");
        assertThat(eacces).isInstanceOf(PermissionDeniedException.class).hasMessage("chardev: open /dev/kchan failed:"
                + " EACCES (13): Permission denied (the owner, group or mode of the file or device node forbids it)");
    }

    @Test
    void channelClosed() {
        assertThat(new ChannelClosedException("procfs")).hasMessage("procfs: channel is closed")
                .satisfies(e -> assertThat(e.errno()).isEqualTo(Errno.EBADF));
        assertThat(new ChannelClosedException("procfs", new IllegalStateException("reader died")))
                .hasMessage("procfs: channel was closed: reader died");
    }

    @Test
    void callTimeout() {
        CallTimeoutException error = new CallTimeoutException("sockopt", "GET", Duration.ofMillis(1500));

        assertThat(error).hasMessage("sockopt: GET got no reply within 1500 ms");
        assertThat(error.errno()).isEqualTo(Errno.ETIMEDOUT);
        assertThat(error.timeout()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void unsupportedCapability() {
        UnsupportedCapabilityException error = new UnsupportedCapabilityException("procfs", Capability.KERNEL_PUSH);

        assertThat(error).hasMessage("kernel transport 'procfs' does not support KERNEL_PUSH: check KernelChannel.capabilities() before calling, or set kchannel.transport to a transport that has it");
        assertThat(error.errno()).isEqualTo(Errno.EOPNOTSUPP);
        assertThat(error.capability()).isEqualTo(Capability.KERNEL_PUSH);
        assertThat(error.transport()).contains("procfs");
    }

    @Test
    void configurationInvalidValue() {
        ConfigurationException error = ConfigurationException.invalidValue(
                "kchannel.call-timeout", "soon", "environment variable KCHANNEL_CALL_TIMEOUT", "expected a duration");

        assertThat(error).hasMessage("invalid kchannel.call-timeout 'soon' from environment variable "
                + "KCHANNEL_CALL_TIMEOUT: expected a duration");
        assertThat(error.key()).contains("kchannel.call-timeout");
        assertThat(error.errno()).isEqualTo(Errno.EINVAL);
    }

    @Test
    void malformedMessageNamesReasonOffsetAndLaterTheTransport() {
        MalformedMessageException error = new MalformedMessageException(Reason.UNALIGNED_TAIL, 24, "2 bytes left", 6);
        MalformedMessageException onNetlink = error.withTransport("netlink");

        assertThat(error).hasMessage("malformed kchan message: UNALIGNED_TAIL at offset 24: 2 bytes left");
        assertThat(onNetlink).hasMessage("netlink: malformed kchan message: UNALIGNED_TAIL at offset 24: 2 bytes left")
                .hasCause(error);
        assertThat(onNetlink.reason()).isEqualTo(Reason.UNALIGNED_TAIL);
        assertThat(onNetlink.offset()).hasValue(24);
        assertThat(onNetlink.offendingAttribute()).hasValue(6);
        assertThat(onNetlink.errno()).isEqualTo(Errno.EBADMSG);
        assertThat(new MalformedMessageException(Reason.UNEXPECTED_MESSAGE, -1, "x").offset()).isEmpty();
    }

    @Test
    void fieldLimitIsAnIllegalArgument() {
        FieldLimitException error = new FieldLimitException("KEY", 65, 1, 64);

        assertThat(error).isInstanceOf(IllegalArgumentException.class).hasMessage("KEY is 65 bytes; it must be 1..64 bytes");
    }
}
