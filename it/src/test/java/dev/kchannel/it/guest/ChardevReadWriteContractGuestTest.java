// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kchannel.api.Capability;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.it.contract.KernelChannelContract;
import dev.kchannel.transport.chardev.ChardevKernelChannel;
import dev.kchannel.transport.chardev.ChardevTransport;
import dev.kchannel.transport.chardev.raw.DeviceFile;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract kit against the chardev transport's fallbacks: {@code kchannel.chardev.call=readwrite}
 * (write(2) the request, read(2) the reply, on pooled open files) and
 * {@code kchannel.chardev.events=read} (KCHAN_IOC_SUBSCRIBE, then poll(2) and read(2)).
 */
class ChardevReadWriteContractGuestTest extends KernelChannelContract {

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

    @Override
    protected KchannelConfig config() {
        return KchannelConfig.builder().setting("chardev", "call", "readwrite").setting("chardev", "events", "read")
                .build();
    }

    @Test
    void theChannelHasNoSharedFileAndNoRing() {
        assertThat(channel()).isInstanceOf(ChardevKernelChannel.class);
        assertThat(channel().unwrap(DeviceFile.class)).isEmpty();
        assertThat(channel().capabilities().asSet()).containsExactlyInAnyOrder(Capability.REQUEST_REPLY,
                Capability.DUMP, Capability.KERNEL_PUSH);
    }
}
