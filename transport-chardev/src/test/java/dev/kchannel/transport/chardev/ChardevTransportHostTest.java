// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.chardev;

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
import dev.kchannel.api.guice.KernelTransportModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport on this host, whose kernel has no kchan_chardev (it is loaded only in the lab
 * guest): the probe and open must say the module is not loaded; its settings; and its registration
 * with ServiceLoader and Guice.
 */
class ChardevTransportHostTest {

    @Test
    void withoutTheNodeTheTransportIsUnavailableNamingTheModuleAndTheFix() {
        KchannelConfig config = KchannelConfig.builder().setting("chardev", "path", "/dev/kchan-missing").build();
        Availability availability = new ChardevTransport(config).availability();

        assertThat(availability.isAvailable()).isFalse();
        assertThat(availability.reason()).startsWith("kernel module kchan_chardev is not loaded")
                .contains("/dev/kchan-missing", "modprobe kchan_chardev");
        assertThat(availability.errno()).contains(Errno.ENOENT);
        assertThatThrownBy(() -> new ChardevTransport().open(config))
                .isInstanceOfSatisfying(TransportUnavailableException.class,
                        e -> assertThat(e.reason()).startsWith("kernel module kchan_chardev is not loaded"));
    }

    @Test
    void aNodeThatCannotBeOpenedIsReportedWithItsModeAndOwner(@TempDir Path dir) throws Exception {
        Path node = Files.createFile(dir.resolve("kchan"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("---------")));
        String reason = ChardevTransport.notPermitted(node);

        assertThat(reason).contains(node.toString(), "mode ---------", "owner ", "group ", "mode and gid parameters");
    }

    @Test
    void invalidSettingsNameTheirKey() {
        for (String[] bad : new String[][] {{"call", "mmap"}, {"events", "socket"}, {"ring-size", "100000"},
                {"ring-size", "262143"}, {"ring-size", "134217728"}, {"path", "dev/kchan"}, {"handles", "0"}}) {
            KchannelConfig config = KchannelConfig.builder().setting("chardev", bad[0], bad[1]).build();
            assertThatThrownBy(() -> new ChardevTransport().open(config)).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("kchannel.chardev." + bad[0]);
        }
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        ChardevSettings settings = ChardevSettings.from(KchannelConfig.builder().build());

        assertThat(settings.path()).isEqualTo(Path.of("/dev/kchan"));
        assertThat(settings.callMode()).isEqualTo(ChardevSettings.CallMode.IOCTL);
        assertThat(settings.eventMode()).isEqualTo(ChardevSettings.EventMode.RING);
        assertThat(settings.ringSize()).isEqualTo(1 << 20);
        assertThat(settings.handles()).isEqualTo(8);

        ChardevSettings other = ChardevSettings.from(KchannelConfig.builder().setting("chardev", "call", "ReadWrite")
                .setting("chardev", "events", "read").setting("chardev", "ring-size", "262144").build());
        assertThat(other.callMode()).isEqualTo(ChardevSettings.CallMode.READWRITE);
        assertThat(other.eventMode()).isEqualTo(ChardevSettings.EventMode.READ);
        assertThat(other.ringSize()).isEqualTo(262144);
    }

    @Test
    void registeredForServiceLoaderAndGuice() {
        assertThat(ServiceLoader.load(KernelTransport.class).stream().map(ServiceLoader.Provider::type))
                .contains(ChardevTransport.class);
        assertThat(ServiceLoader.load(KernelTransportModule.class).stream().map(p -> p.get().transportName()))
                .contains("chardev");
        Map<String, KernelTransport> transports = Guice.createInjector(new ChardevTransportModule())
                .getInstance(Key.get(new TypeLiteral<Map<String, KernelTransport>>() { }));
        assertThat(transports).containsKey("chardev");
        assertThat(transports.get("chardev")).isInstanceOf(ChardevTransport.class);
    }
}
