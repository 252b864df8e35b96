// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kchannel.api.KernelTransport;
import dev.kchannel.it.contract.KernelChannelContract;
import dev.kchannel.transport.netlink.NetlinkTransport;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The contract kit against the netlink transport and {@code kchan_netlink} in the guest kernel.
 * The lab does not preload the project's modules, so this class loads kchan_core and
 * kchan_netlink itself; {@code @BeforeAll} runs before the kit's {@code @BeforeEach} opens each
 * test's channel.
 */
class NetlinkContractGuestTest extends KernelChannelContract {

    private static final List<String> MODULES = GuestShell.NETLINK_MODULES;

    @BeforeAll
    static void loadModules() {
        GuestShell.loadMissing(MODULES);
        assertThat(new NetlinkTransport().availability().isAvailable())
                .as("netlink transport after loading %s: %s", MODULES, new NetlinkTransport().availability())
                .isTrue();
    }

    @AfterAll
    static void unloadModules() {
        GuestShell.unloadAll(MODULES);
    }

    @Override
    protected KernelTransport transport() {
        return new NetlinkTransport();
    }
}
