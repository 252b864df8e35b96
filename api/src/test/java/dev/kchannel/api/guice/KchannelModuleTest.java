// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.guice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.AbstractModule;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.spi.Elements;
import com.google.inject.spi.Message;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.KernelChannelFactory;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.ConfigurationException;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.select.KernelTransports;
import dev.kchannel.api.testing.AvailableTestTransport;
import dev.kchannel.api.testing.ExplodingTestTransport;
import dev.kchannel.api.testing.UnavailableTestTransport;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

/**
 * Guice selection binds a factory for the configured transport, instantiates nothing else, and
 * fails with the same messages as ServiceLoader selection.
 */
class KchannelModuleTest {

    /** What a transport module looks like: it registers itself and nothing more. */
    private static final Module TEST_TRANSPORTS = new AbstractModule() {
        @Override
        protected void configure() {
            TransportBinder.register(binder(), AvailableTestTransport.NAME, AvailableTestTransport.class);
            TransportBinder.register(binder(), UnavailableTestTransport.NAME, new UnavailableTestTransport());
        }
    };

    /** A second transport module, registered separately like a second jar would be. */
    private static final Module EXPLODING_TRANSPORT = new AbstractModule() {
        @Override
        protected void configure() {
            TransportBinder.register(binder(), ExplodingTestTransport.NAME, ExplodingTestTransport.class);
        }
    };

    private static Injector injector(String transport, Module... transportModules) {
        KchannelConfig.Builder config = KchannelConfig.builder();
        if (transport != null) {
            config.transport(transport);
        }
        Module[] modules = new Module[transportModules.length + 1];
        modules[0] = new KchannelModule(config.build());
        System.arraycopy(transportModules, 0, modules, 1, transportModules.length);
        return Guice.createInjector(modules);
    }

    private static Throwable selectionFailure(Injector injector) {
        try {
            injector.getInstance(KernelChannelFactory.class);
        } catch (ProvisionException e) {
            return e.getCause();
        }
        throw new AssertionError("selection should have failed");
    }

    private static Throwable serviceLoaderFailure(String transport) {
        KchannelConfig.Builder config = KchannelConfig.builder();
        if (transport != null) {
            config.transport(transport);
        }
        try {
            KernelTransports.select(config.build());
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("selection should have failed");
    }

    @Test
    void bindsAFactoryForTheSelectedTransportAndNoOpenChannel() {
        Injector injector = injector(AvailableTestTransport.NAME, TEST_TRANSPORTS, EXPLODING_TRANSPORT);

        KernelChannelFactory factory = injector.getInstance(KernelChannelFactory.class);

        assertThat(factory.transport()).isInstanceOf(AvailableTestTransport.class);
        assertThat(injector.getInstance(KernelTransport.class)).isSameAs(factory.transport());
        assertThat(injector.getExistingBinding(Key.get(KernelChannel.class))).isNull();
        try (KernelChannel first = factory.open(); KernelChannel second = factory.open()) {
            assertThat(first).isNotSameAs(second);
        }
    }

    @Test
    void withoutAConfigTheModuleLoadsNothingUntilAsked() {
        Injector injector = Guice.createInjector(new KchannelModule(), TEST_TRANSPORTS);

        assertThat(injector.getBinding(KchannelConfig.class)).isNotNull();
        assertThat(injector.getBinding(KernelChannelFactory.class)).isNotNull();
    }

    @Test
    void creatingTheInjectorSelectsNothingYet() {
        Injector injector = injector("foo", TEST_TRANSPORTS);

        assertThat(injector.getInstance(KchannelConfig.class).transport()).contains("foo");
        assertThat(selectionFailure(injector)).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void unknownNameFailsWithTheServiceLoaderMessage() {
        Throwable failure = selectionFailure(injector("foo", TEST_TRANSPORTS));

        assertThat(failure).isInstanceOf(ConfigurationException.class)
                .hasMessage("unknown kernel transport 'foo' (kchannel.transport); known: test-available, test-unavailable")
                .hasMessage(serviceLoaderFailure("foo").getMessage());
    }

    @Test
    void missingNameFailsWithTheServiceLoaderMessage() {
        Throwable failure = selectionFailure(injector(null, TEST_TRANSPORTS));

        assertThat(failure).isInstanceOf(ConfigurationException.class)
                .hasMessage(serviceLoaderFailure(null).getMessage());
    }

    @Test
    void unavailableTransportFailsWithTheServiceLoaderMessage() {
        Throwable failure = selectionFailure(injector(UnavailableTestTransport.NAME, TEST_TRANSPORTS));

        assertThat(failure).isInstanceOf(TransportUnavailableException.class)
                .hasMessage("kernel transport 'test-unavailable' is unavailable: kernel module kchan_test is not loaded")
                .hasMessage(serviceLoaderFailure(UnavailableTestTransport.NAME).getMessage());
    }

    @Test
    void noTransportModulesSaysSo() {
        Throwable failure = selectionFailure(injector("netlink"));

        assertThat(failure).isInstanceOf(ConfigurationException.class)
                .hasMessage("unknown kernel transport 'netlink' (kchannel.transport); no transport modules are on the classpath");
    }

    @Test
    void selectingTheUnconstructibleTransportSurfacesItsFailure() {
        Throwable failure = selectionFailure(injector(ExplodingTestTransport.NAME, EXPLODING_TRANSPORT));

        assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessageContaining("must never be instantiated");
    }

    @Test
    void twoTransportsUnderOneNameFailAtInjectorCreation() {
        Module duplicate = new AbstractModule() {
            @Override
            protected void configure() {
                TransportBinder.register(binder(), AvailableTestTransport.NAME, new AvailableTestTransport());
            }
        };

        assertThatThrownBy(() -> injector(AvailableTestTransport.NAME, TEST_TRANSPORTS, duplicate))
                .isInstanceOf(CreationException.class)
                .hasMessageContaining(AvailableTestTransport.NAME);
    }

    @Test
    void blankNamesAreRefusedAtRegistration() {
        Module blank = new AbstractModule() {
            @Override
            protected void configure() {
                TransportBinder.register(binder(), " ", AvailableTestTransport.class);
            }
        };

        // Read the module's elements rather than build an injector, which would log the error.
        assertThat(Elements.getElements(blank))
                .filteredOn(Message.class::isInstance)
                .extracting(element -> ((Message) element).getMessage())
                .singleElement(InstanceOfAssertFactories.STRING)
                .contains("a kernel transport needs a name");
    }
}
