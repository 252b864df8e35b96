// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.guice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Module;
import dev.kchannel.api.KernelChannelFactory;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.ConfigurationException;
import dev.kchannel.api.testing.AvailableTestTransport;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transport modules are found through their jars' service lists, and selected by configuration. */
class TransportModulesTest {

    /** Registers the test transport that is always available. */
    public static final class AvailableModule extends AbstractModule implements KernelTransportModule {
        @Override
        public String transportName() {
            return AvailableTestTransport.NAME;
        }

        @Override
        protected void configure() {
            TransportBinder.register(binder(), AvailableTestTransport.NAME, AvailableTestTransport.class);
        }
    }

    /** Claims the same name as {@link AvailableModule}; discovery refuses it before configuring anything. */
    public static final class ClashingModule extends AbstractModule implements KernelTransportModule {
        @Override
        public String transportName() {
            return AvailableTestTransport.NAME;
        }
    }

    @TempDir
    Path dir;

    @Test
    void discoveredModulesLetConfigurationPickTheTransport() throws IOException {
        List<KernelTransportModule> found = TransportModules.discover(loaderListing(AvailableModule.class.getName()));

        assertThat(found).hasSize(1).first().isInstanceOf(AvailableModule.class);
        List<Module> modules = new ArrayList<>(found);
        modules.add(new KchannelModule(KchannelConfig.builder().transport(AvailableTestTransport.NAME).build()));
        KernelChannelFactory factory = Guice.createInjector(modules).getInstance(KernelChannelFactory.class);
        assertThat(factory.transport()).isInstanceOf(AvailableTestTransport.class);
    }

    @Test
    void nothingListedFindsNothing() throws IOException {
        assertThat(TransportModules.discover(loaderListing())).isEmpty();
    }

    @Test
    void twoModulesClaimingOneNameAreRefusedNamingBoth() throws IOException {
        ClassLoader loader = loaderListing(AvailableModule.class.getName(), ClashingModule.class.getName());

        assertThatThrownBy(() -> TransportModules.discover(loader))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("two Guice modules register the kernel transport '" + AvailableTestTransport.NAME + "'")
                .hasMessageContaining(AvailableModule.class.getName())
                .hasMessageContaining(ClashingModule.class.getName());
    }

    /** A class loader whose only service list for the interface names {@code classes}. */
    private ClassLoader loaderListing(String... classes) throws IOException {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.writeString(services.resolve(KernelTransportModule.class.getName()), String.join("\n", classes) + "\n");
        // No parent lookups for service lists: the test classpath's own lists stay out.
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader()) {
            @Override
            public java.util.Enumeration<URL> getResources(String name) throws IOException {
                return findResources(name);
            }
        };
    }
}
