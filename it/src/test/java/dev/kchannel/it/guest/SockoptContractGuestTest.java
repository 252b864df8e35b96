// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kchannel.api.Capability;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.it.contract.KernelChannelContract;
import dev.kchannel.transport.sockopt.SockoptKernelChannel;
import dev.kchannel.transport.sockopt.SockoptTransport;
import dev.kchannel.transport.sockopt.raw.InetSocket;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract kit against the sockopt transport and {@code kchan_sockopt} in the guest kernel:
 * the same scenarios as every other transport, through getsockopt and setsockopt; the event
 * scenarios assert that subscribing is refused, since sockopt has no kernel push. The lab does not
 * preload the project's modules, so this class loads kchan_core and kchan_sockopt itself.
 */
class SockoptContractGuestTest extends KernelChannelContract {

    private static final List<String> MODULES = GuestShell.SOCKOPT_MODULES;

    @BeforeAll
    static void loadModules() {
        GuestShell.loadMissing(MODULES);
        assertThat(new SockoptTransport().availability().isAvailable())
                .as("sockopt transport after loading %s: %s", MODULES, new SockoptTransport().availability())
                .isTrue();
    }

    @AfterAll
    static void unloadModules() {
        GuestShell.unloadAll(MODULES);
    }

    @Override
    protected KernelTransport transport() {
        return new SockoptTransport();
    }

    /** setsockopt returns an errno and nothing else. */
    @Override
    protected boolean refusedChangesCarryTheKernelsMessage() {
        return false;
    }

    @Test
    void theChannelGoesThroughAnInetDatagramSocketWithoutPush() {
        assertThat(channel()).isInstanceOf(SockoptKernelChannel.class);
        InetSocket socket = channel().unwrap(InetSocket.class).orElseThrow();
        assertThat(socket.getIntOption(InetSocket.SOL_SOCKET, InetSocket.SO_TYPE)).as("SO_TYPE").isEqualTo(2);
        assertThat(channel().capabilities().asSet()).containsExactlyInAnyOrder(Capability.REQUEST_REPLY, Capability.DUMP);
    }
}
