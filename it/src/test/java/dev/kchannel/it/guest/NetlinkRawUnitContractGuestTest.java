// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.it.contract.KernelChannelContract;
import dev.kchannel.transport.netlink.NetlinkTransport;
import dev.kchannel.transport.netlink.RawUnitKernelChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract kit against the netlink transport's other door, {@code kchan_netlink}'s raw
 * protocol unit ({@code kchannel.netlink.protocol=raw}): the same scenarios, only configuration
 * changed. Plus state crossing doors: what one door sets the other reads.
 */
class NetlinkRawUnitContractGuestTest extends KernelChannelContract {

    private static final List<String> MODULES = GuestShell.NETLINK_MODULES;

    @BeforeAll
    static void loadModules() {
        GuestShell.loadMissing(MODULES);
        assertThat(new NetlinkTransport(rawConfig()).availability().isAvailable())
                .as("raw unit after loading %s: %s", MODULES, new NetlinkTransport(rawConfig()).availability())
                .isTrue();
    }

    @AfterAll
    static void unloadModules() {
        GuestShell.unloadAll(MODULES);
    }

    private static KchannelConfig rawConfig() {
        return KchannelConfig.builder().setting("netlink", "protocol", "raw").build();
    }

    @Override
    protected KernelTransport transport() {
        return new NetlinkTransport();
    }

    @Override
    protected KchannelConfig config() {
        return rawConfig();
    }

    @Test
    void theChannelIsTheRawUnitOnItsDefaultNumber() {
        assertThat(channel()).isInstanceOfSatisfying(RawUnitKernelChannel.class,
                raw -> assertThat(raw.unit()).isEqualTo(25));
    }

    @Test
    void whatOneDoorSetsTheOtherReads() {
        String viaRaw = "raw-to-genl-" + ProcessHandle.current().pid();
        String viaGenl = "genl-to-raw-" + ProcessHandle.current().pid();
        try (KernelChannel genl = new NetlinkTransport().open(KchannelConfig.builder().build())) {
            try {
                channel().call(KchanRequests.set(viaRaw, "from the raw unit"));
                genl.call(KchanRequests.set(viaGenl, "from generic netlink"));

                assertThat(text(KchanReplies.value(genl.call(KchanRequests.get(viaRaw))))).isEqualTo("from the raw unit");
                assertThat(text(KchanReplies.value(channel().call(KchanRequests.get(viaGenl)))))
                        .isEqualTo("from generic netlink");
            } finally {
                genl.call(KchanRequests.delete(viaRaw));
                genl.call(KchanRequests.delete(viaGenl));
            }
        }
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
