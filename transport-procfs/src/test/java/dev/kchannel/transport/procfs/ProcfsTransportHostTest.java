// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import dev.kchannel.api.Availability;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.ConfigurationException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.TransportUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport on this host, whose kernel has no kchan_procfs (it is loaded only in the lab
 * guest): the probe must say so and opening must fail the same way; a directory that has a call
 * file is available. Also its settings and its registration with ServiceLoader and Guice.
 */
class ProcfsTransportHostTest {

    private static final String NOT_LOADED = Availability.moduleNotLoaded("kchan_procfs", "no /proc/kchan/call");

    private static KchannelConfig dir(Path dir) {
        return KchannelConfig.builder().setting("procfs", "dir", dir.toString()).build();
    }

    @Test
    void withoutTheModuleTheTransportIsUnavailableNamingIt() {
        Availability availability = new ProcfsTransport(KchannelConfig.builder().build()).availability();

        assertThat(availability.isAvailable()).isFalse();
        assertThat(availability.reason()).isEqualTo(NOT_LOADED);
        assertThat(availability.errno()).contains(Errno.ENOENT);
    }

    @Test
    void openingWithoutTheModuleThrowsUnavailableWithTheSameReason() {
        assertThatThrownBy(() -> new ProcfsTransport().open(KchannelConfig.builder().build()))
                .isInstanceOfSatisfying(TransportUnavailableException.class, e -> {
                    assertThat(e.reason()).isEqualTo(NOT_LOADED);
                    assertThat(e.transport()).contains("procfs");
                    assertThat(e.errno()).isEqualTo(Errno.ENOENT);
                });
    }

    @Test
    void theConfiguredDirectoryIsTheOneProbed(@TempDir Path dir) throws IOException {
        assertThat(new ProcfsTransport(dir(dir)).availability().reason())
                .isEqualTo(Availability.moduleNotLoaded("kchan_procfs", "no " + dir.resolve("call") + ""));

        Files.createFile(dir.resolve("call"));

        assertThat(new ProcfsTransport(dir(dir)).availability().isAvailable()).isTrue();
    }

    @Test
    void invalidSettingsNameTheirKey() {
        KchannelConfig relative = KchannelConfig.builder().setting("procfs", "dir", "proc/kchan").build();
        KchannelConfig handles = KchannelConfig.builder().setting("procfs", "handles", "0").build();
        KchannelConfig buffer = KchannelConfig.builder().setting("procfs", "event-buffer", "100").build();

        assertThatThrownBy(() -> new ProcfsTransport().open(relative)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("kchannel.procfs.dir").hasMessageContaining("absolute path");
        assertThatThrownBy(() -> new ProcfsTransport().open(handles)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("kchannel.procfs.handles").hasMessageContaining("1..1024");
        assertThatThrownBy(() -> new ProcfsTransport().open(buffer)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("kchannel.procfs.event-buffer").hasMessageContaining("4096..");
        assertThat(new ProcfsTransport(relative).availability().reason()).startsWith("invalid configuration: ");
    }

    @Test
    void defaultsAreDocumented() {
        ProcfsSettings settings = ProcfsSettings.from(KchannelConfig.builder().build());

        assertThat(settings.dir()).isEqualTo(Path.of("/proc/kchan"));
        assertThat(settings.callFile()).isEqualTo(Path.of("/proc/kchan/call"));
        assertThat(settings.eventsFile()).isEqualTo(Path.of("/proc/kchan/events"));
        assertThat(settings.handles()).isEqualTo(8);
        assertThat(settings.eventBuffer()).isEqualTo(65536);
    }

    @Test
    void serviceLoaderFindsItByName() {
        assertThat(ServiceLoader.load(KernelTransport.class).stream().map(ServiceLoader.Provider::get)
                .map(KernelTransport::name)).contains("procfs");
    }

    @Test
    void guiceModuleRegistersItByName() {
        Map<String, KernelTransport> transports = Guice.createInjector(new ProcfsTransportModule())
                .getInstance(Key.get(new TypeLiteral<Map<String, KernelTransport>>() { }));

        assertThat(transports.get("procfs")).isInstanceOf(ProcfsTransport.class);
    }
}
