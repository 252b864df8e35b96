// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.sockopt;

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
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.transport.sockopt.raw.InetSocket;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * The transport on this host, whose kernel has no kchan_sockopt (it is loaded only in the lab
 * guest), so its options give ENOPROTOOPT: the probe and a call must say the module is not loaded.
 * Also its settings and its registration with ServiceLoader and Guice.
 */
class SockoptTransportHostTest {

    @Test
    void withoutTheModuleTheTransportIsUnavailableNamingItAndTheFix() {
        Availability availability = new SockoptTransport().availability();

        assertThat(availability.isAvailable()).isFalse();
        assertThat(availability.reason()).startsWith("kernel module kchan_sockopt is not loaded")
                .contains("3073..3080", "modprobe kchan_sockopt");
        assertThat(availability.errno()).contains(Errno.ENOPROTOOPT);
    }

    @Test
    void aCallWithoutTheModuleThrowsUnavailable() {
        try (KernelChannel channel = new SockoptTransport().open(KchannelConfig.builder().build())) {
            assertThatThrownBy(() -> channel.call(KchanRequests.stats()))
                    .isInstanceOfSatisfying(TransportUnavailableException.class, e -> {
                        assertThat(e.reason()).startsWith("kernel module kchan_sockopt is not loaded");
                        assertThat(e.transport()).contains("sockopt");
                    });
            assertThatThrownBy(() -> channel.call(KchanRequests.set("k", new byte[1])))
                    .isInstanceOf(TransportUnavailableException.class);
        }
    }

    @Test
    void theChannelOffersItsSocketToTheRawLayer() {
        try (KernelChannel channel = new SockoptTransport().open(KchannelConfig.builder().build())) {
            InetSocket socket = channel.unwrap(InetSocket.class).orElseThrow();

            assertThat(socket.getIntOption(InetSocket.SOL_SOCKET, InetSocket.SO_TYPE)).isEqualTo(2);
        }
    }

    @Test
    void invalidSettingsNameTheirKey() {
        KchannelConfig small = KchannelConfig.builder().setting("sockopt", "initial-buffer", "15").build();
        KchannelConfig large = KchannelConfig.builder().setting("sockopt", "initial-buffer", "262145").build();
        KchannelConfig threads = KchannelConfig.builder().setting("sockopt", "async-threads", "0").build();

        assertThatThrownBy(() -> new SockoptTransport().open(small)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("kchannel.sockopt.initial-buffer").hasMessageContaining("16..262144");
        assertThatThrownBy(() -> new SockoptTransport().open(large)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("kchannel.sockopt.initial-buffer");
        assertThatThrownBy(() -> new SockoptTransport().open(threads)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("kchannel.sockopt.async-threads").hasMessageContaining("1..1024");
    }

    @Test
    void defaultsAreDocumented() {
        SockoptSettings settings = SockoptSettings.from(KchannelConfig.builder().build());

        assertThat(settings.initialBuffer()).isEqualTo(4096);
        assertThat(settings.asyncThreads()).isEqualTo(8);
        assertThat(settings.callTimeout()).isEqualTo(KchannelConfig.DEFAULT_CALL_TIMEOUT);
    }

    @Test
    void serviceLoaderFindsItByName() {
        assertThat(ServiceLoader.load(KernelTransport.class).stream().map(ServiceLoader.Provider::get)
                .map(KernelTransport::name)).contains("sockopt");
    }

    @Test
    void guiceModuleRegistersItByName() {
        Map<String, KernelTransport> transports = Guice.createInjector(new SockoptTransportModule())
                .getInstance(Key.get(new TypeLiteral<Map<String, KernelTransport>>() { }));

        assertThat(transports.get("sockopt")).isInstanceOf(SockoptTransport.class);
    }
}
