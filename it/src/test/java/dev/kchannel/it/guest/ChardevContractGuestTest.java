// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kchannel.api.Capability;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.it.contract.KernelChannelContract;
import dev.kchannel.transport.chardev.ChardevKernelChannel;
import dev.kchannel.transport.chardev.ChardevTransport;
import dev.kchannel.transport.chardev.raw.DeviceFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract kit against the chardev transport and {@code kchan_chardev} in the guest kernel,
 * with the default settings: calls through {@code KCHAN_IOC_CALL}, events through the mmap'd ring.
 * {@link ChardevReadWriteContractGuestTest} runs the same scenarios through write/read and
 * read(2) events. The lab does not preload the project's modules, so this class loads kchan_core
 * and kchan_chardev itself.
 */
class ChardevContractGuestTest extends KernelChannelContract {

    private static final List<String> MODULES = GuestShell.CHARDEV_MODULES;

    @BeforeAll
    static void loadModules() {
        GuestShell.loadMissing(MODULES);
        assertThat(new ChardevTransport().availability().isAvailable())
                .as("chardev transport after loading %s: %s", MODULES, new ChardevTransport().availability())
                .isTrue();
    }

    @AfterAll
    static void unloadModules() {
        GuestShell.unloadAll(MODULES);
    }

    @Override
    protected KernelTransport transport() {
        return new ChardevTransport();
    }

    @Test
    void theChannelSharesOneOpenFileOfDevKchanAndOffersTheRing() {
        assertThat(channel()).isInstanceOf(ChardevKernelChannel.class);
        assertThat(channel().unwrap(DeviceFile.class).orElseThrow().path()).isEqualTo(Path.of("/dev/kchan"));
        assertThat(channel().capabilities().asSet()).containsExactlyInAnyOrder(Capability.REQUEST_REPLY,
                Capability.DUMP, Capability.KERNEL_PUSH, Capability.ZERO_COPY);
    }
}
