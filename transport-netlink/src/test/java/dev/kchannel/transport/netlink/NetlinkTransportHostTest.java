// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import dev.kchannel.api.Availability;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.ConfigurationException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.transport.netlink.genl.GenericFamily;
import dev.kchannel.transport.netlink.genl.Nlctrl;
import dev.kchannel.transport.netlink.raw.MultiplexedConnection;
import dev.kchannel.transport.netlink.raw.Netlink;
import dev.kchannel.transport.netlink.raw.ProcessSockets;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * The transport against this host's running kernel, which has no {@code kchan} Generic Netlink
 * family (kchan_netlink is loaded only in the lab guest): the probe must say so, and opening must
 * fail the same way. Also its registration with ServiceLoader and Guice.
 */
class NetlinkTransportHostTest {

    private static final String NOT_LOADED =
            Availability.moduleNotLoaded("kchan_netlink", "Generic Netlink family 'kchan' not found");

    @Test
    void withoutTheFamilyTheTransportIsUnavailableNamingTheModule() {
        Availability availability = new NetlinkTransport(KchannelConfig.builder().build()).availability();

        assertThat(availability.isAvailable()).isFalse();
        assertThat(availability.reason()).isEqualTo(NOT_LOADED);
        assertThat(availability.errno()).contains(Errno.ENOENT);
    }

    @Test
    void theConfiguredFamilyNameIsTheOneLookedUp() {
        KchannelConfig config = KchannelConfig.builder().setting("netlink", "family", "kchan_nosuch").build();

        assertThat(new NetlinkTransport(config).availability().reason())
                .isEqualTo(Availability.moduleNotLoaded("kchan_netlink", "Generic Netlink family 'kchan_nosuch' not found"));
    }

    @Test
    void anExistingFamilyIsAvailable() {
        // nlctrl is always registered, so the probe's success path runs against the real kernel too.
        KchannelConfig config = KchannelConfig.builder().setting("netlink", "family", "nlctrl").build();

        assertThat(new NetlinkTransport(config).availability().isAvailable()).isTrue();
    }

    @Test
    void openingWithoutTheFamilyThrowsUnavailable() {
        NetlinkTransport transport = new NetlinkTransport();

        assertThatThrownBy(() -> transport.open(KchannelConfig.builder().build()))
                .isInstanceOfSatisfying(TransportUnavailableException.class, e -> {
                    assertThat(e.reason()).isEqualTo(NOT_LOADED);
                    assertThat(e.transport()).contains("netlink");
                });
    }

    @Test
    void invalidSettingsNameTheirKey() {
        KchannelConfig config = KchannelConfig.builder().setting("netlink", "connections", "0").build();

        assertThatThrownBy(() -> new NetlinkTransport().open(config))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("kchannel.netlink.connections");
    }

    @Test
    void theRawUnitWithoutTheModuleIsUnavailableNamingTheModuleAndUnit() {
        // No kernel module registers unit 25 on this host: socket() fails with EPROTONOSUPPORT.
        KchannelConfig config = KchannelConfig.builder().setting("netlink", "protocol", "raw").build();
        String reason = Availability.moduleNotLoaded("kchan_netlink", "no netlink protocol unit 25; its raw_unit"
                + " parameter must match kchannel.netlink.unit");

        Availability availability = new NetlinkTransport(config).availability();
        assertThat(availability.isAvailable()).isFalse();
        assertThat(availability.reason()).isEqualTo(reason);
        assertThat(availability.errno()).contains(Errno.EPROTONOSUPPORT);
        assertThatThrownBy(() -> new NetlinkTransport().open(config))
                .isInstanceOfSatisfying(TransportUnavailableException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    @Test
    void aRawUnitTheKernelHasIsAvailable() {
        // NETLINK_ROUTE (0) always exists, so the raw probe's success path runs against the real kernel.
        KchannelConfig config = KchannelConfig.builder().setting("netlink", "protocol", "raw")
                .setting("netlink", "unit", "0").build();

        assertThat(new NetlinkTransport(config).availability().isAvailable()).isTrue();
    }

    @Test
    void anUnknownProtocolOrUnitNamesItsKey() {
        KchannelConfig protocol = KchannelConfig.builder().setting("netlink", "protocol", "rtnl").build();
        KchannelConfig unit = KchannelConfig.builder().setting("netlink", "protocol", "raw")
                .setting("netlink", "unit", "32").build();

        assertThatThrownBy(() -> new NetlinkTransport().open(protocol))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("kchannel.netlink.protocol").hasMessageContaining("expected genl or raw");
        assertThatThrownBy(() -> new NetlinkTransport().open(unit))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("kchannel.netlink.unit").hasMessageContaining("0..31");
        assertThat(new NetlinkTransport(protocol).availability().reason()).startsWith("invalid configuration: ");
    }

    @Test
    void theSocketsSettingTakesSharedOrPooledAndNamesItsKeyOtherwise() {
        KchannelConfig config = KchannelConfig.builder().setting("netlink", "sockets", "one-each").build();

        assertThatThrownBy(() -> new NetlinkTransport().open(config))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.key()).hasValue("kchannel.netlink.sockets");
                    assertThat(e.getMessage()).contains("'one-each'").contains("shared").contains("pooled");
                });
        assertThat(NetlinkSettings.from(KchannelConfig.builder().build()).sockets())
                .isEqualTo(NetlinkSettings.Sockets.SHARED);
        assertThat(NetlinkSettings.from(KchannelConfig.builder().setting("netlink", "sockets", "pooled").build())
                .sockets()).isEqualTo(NetlinkSettings.Sockets.POOLED);
    }

    @Test
    void aChannelOnAnExistingFamilyOpensOneSharedSocketByDefaultAndAPoolOnRequest() {
        // nlctrl stands in for kchan: the host has no kchan family, and nlctrl is always there.
        int before = ProcessSockets.netlink(Netlink.NETLINK_GENERIC);
        KchannelConfig shared = KchannelConfig.builder().setting("netlink", "family", "nlctrl").build();
        try (KernelChannel channel = new NetlinkTransport().open(shared)) {
            MultiplexedConnection socket = channel.unwrap(MultiplexedConnection.class).orElseThrow();

            assertThat(channel.unwrap(GenericFamily.class).orElseThrow().id()).isEqualTo(Nlctrl.GENL_ID_CTRL);
            assertThat(ProcessSockets.netlink(Netlink.NETLINK_GENERIC) - before).isEqualTo(1);
            assertThat(socket.socketsOpened()).isEqualTo(1);
            assertThat(socket.groups()).as("nlctrl's notify group joined").containsExactly(16);
        }
        assertThat(ProcessSockets.netlink(Netlink.NETLINK_GENERIC)).isEqualTo(before);
        KchannelConfig pooled = KchannelConfig.builder().setting("netlink", "family", "nlctrl")
                .setting("netlink", "sockets", "pooled").build();
        try (KernelChannel channel = new NetlinkTransport().open(pooled)) {
            assertThat(channel.unwrap(MultiplexedConnection.class)).isEmpty();
            assertThat(channel.unwrap(GenericFamily.class).orElseThrow().id()).isEqualTo(Nlctrl.GENL_ID_CTRL);
        }
    }

    @Test
    void serviceLoaderFindsItByName() {
        assertThat(ServiceLoader.load(KernelTransport.class).stream().map(ServiceLoader.Provider::get)
                .map(KernelTransport::name)).contains("netlink");
    }

    @Test
    void guiceModuleRegistersItByName() {
        Map<String, KernelTransport> transports = Guice.createInjector(new NetlinkTransportModule())
                .getInstance(Key.get(new TypeLiteral<Map<String, KernelTransport>>() { }));

        assertThat(transports.get("netlink")).isInstanceOf(NetlinkTransport.class);
    }
}
