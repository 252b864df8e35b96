// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.select;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.KernelChannelFactory;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.ConfigurationException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.testing.AvailableTestTransport;
import dev.kchannel.api.testing.UnavailableTestTransport;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * ServiceLoader selection, against the two test transports registered in this module's test
 * resources ({@code META-INF/services/dev.kchannel.api.KernelTransport}).
 */
class KernelTransportsTest {

    private static KchannelConfig transport(String name) {
        return KchannelConfig.builder().transport(name).build();
    }

    @Test
    void discoversRegisteredTransportsSortedByName() {
        assertThat(KernelTransports.discover().keySet())
                .containsExactly(AvailableTestTransport.NAME, UnavailableTestTransport.NAME);
    }

    @Test
    void selectsTheNamedAvailableTransport() {
        KernelTransport transport = KernelTransports.select(transport(AvailableTestTransport.NAME));

        assertThat(transport).isInstanceOf(AvailableTestTransport.class);
    }

    @Test
    void unavailableTransportFailsWithItsReason() {
        assertThatThrownBy(() -> KernelTransports.select(transport(UnavailableTestTransport.NAME)))
                .isInstanceOfSatisfying(TransportUnavailableException.class, e -> {
                    assertThat(e.reason()).isEqualTo(UnavailableTestTransport.REASON);
                    assertThat(e.errno()).isEqualTo(Errno.ENOENT);
                    assertThat(e.transport()).contains(UnavailableTestTransport.NAME);
                })
                .hasMessage("kernel transport 'test-unavailable' is unavailable: kernel module kchan_test is not loaded");
    }

    @Test
    void unknownNameListsTheKnownNames() {
        assertThatThrownBy(() -> KernelTransports.select(transport("foo")))
                .isInstanceOfSatisfying(ConfigurationException.class,
                        e -> assertThat(e.key()).contains(KchannelConfig.TRANSPORT))
                .hasMessage("unknown kernel transport 'foo' (kchannel.transport); known: test-available, test-unavailable");
    }

    @Test
    void missingNameListsTheKnownNames() {
        assertThatThrownBy(() -> KernelTransports.select(KchannelConfig.builder().build()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("no kernel transport configured: set kchannel.transport (or KCHANNEL_TRANSPORT) "
                        + "to one of: test-available, test-unavailable");
    }

    @Test
    void emptyClasspathSaysSo() throws IOException {
        try (URLClassLoader nothing = new URLClassLoader(new URL[0], null)) {
            assertThat(KernelTransports.discover(nothing)).isEmpty();
            assertThatThrownBy(() -> KernelTransports.select(transport("netlink"), nothing))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessage("unknown kernel transport 'netlink' (kchannel.transport); "
                            + "no transport modules are on the classpath");
            assertThatThrownBy(() -> KernelTransports.select(KchannelConfig.builder().build(), nothing))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageEndingWith("no transport modules are on the classpath");
        }
    }

    @Test
    void factoryOpensANewChannelEachTimeAndOwnsNone() {
        KchannelConfig config = transport(AvailableTestTransport.NAME);
        KernelChannelFactory factory = KernelTransports.channelFactory(config);

        KernelChannel first = factory.open();
        try (KernelChannel second = factory.open()) {
            assertThat(first).isNotSameAs(second);
            assertThat(first.transportName()).isEqualTo(AvailableTestTransport.NAME);
            first.close();
            assertThat(first.isOpen()).isFalse();
            assertThat(second.isOpen()).isTrue();
        }
        assertThat(factory.transport().name()).isEqualTo(AvailableTestTransport.NAME);
    }

    @Test
    void openUsesTheConfiguredTimeout() {
        KchannelConfig config = KchannelConfig.builder().transport(AvailableTestTransport.NAME)
                .callTimeout(Duration.ofMillis(321)).build();

        try (KernelChannel channel = KernelTransports.open(config)) {
            assertThat(channel.callTimeout()).isEqualTo(Duration.ofMillis(321));
        }
    }
}
