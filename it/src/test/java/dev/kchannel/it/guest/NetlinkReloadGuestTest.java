// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.transport.netlink.NetlinkTransport;
import dev.kchannel.transport.netlink.genl.GenericFamily;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kchan_netlink unloaded and loaded again under an open channel: calls fail with a clear "gone"
 * error during the gap, then work again on the same channel, which finds the family's new id.
 */
class NetlinkReloadGuestTest {

    private static final List<String> MODULES = GuestShell.NETLINK_MODULES;

    @BeforeAll
    static void loadModules() {
        GuestShell.loadMissing(MODULES);
    }

    @AfterAll
    static void unloadModules() {
        GuestShell.unloadAll(MODULES);
    }

    @Test
    void callsFailClearlyWhileTheModuleIsGoneAndWorkAgainWithoutReopening() {
        byte[] hello = "still here".getBytes(StandardCharsets.UTF_8);
        try (KernelChannel channel = new NetlinkTransport().open(KchannelConfig.builder().transport("netlink").build())) {
            assertThat(KchanReplies.payload(channel.call(KchanRequests.echo(hello)))).isEqualTo(hello);
            int idBefore = channel.unwrap(GenericFamily.class).orElseThrow().id();

            GuestShell.Result removed = GuestShell.rmmod("kchan_netlink");
            assertThat(removed.ok()).as("rmmod kchan_netlink: %s", removed.output()).isTrue();

            assertThatThrownBy(() -> channel.call(KchanRequests.echo(hello)))
                    .isInstanceOfSatisfying(TransportUnavailableException.class, e -> assertThat(e.getMessage())
                            .contains("kchan_netlink was unloaded"));

            GuestShell.Result loaded = GuestShell.insmod("kchan_netlink");
            assertThat(loaded.ok()).as("insmod kchan_netlink: %s", loaded.output()).isTrue();

            assertThat(KchanReplies.payload(channel.call(KchanRequests.echo(hello)))).isEqualTo(hello);
            assertThat(channel.unwrap(GenericFamily.class).orElseThrow().id())
                    .as("the family's id after the reload (genl hands out a new one)").isNotEqualTo(idBefore);
        }
    }
}
