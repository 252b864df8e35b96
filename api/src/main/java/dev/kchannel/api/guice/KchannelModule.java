// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import dev.kchannel.api.KernelChannelFactory;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.select.TransportSelection;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Selects the kernel transport under Guice: binds the {@link KernelTransport} that
 * {@code kchannel.transport} names, chosen from those registered with {@link TransportBinder}, and
 * a {@link KernelChannelFactory} for it. It binds no open channel: whoever injects the factory
 * opens channels and closes them.
 *
 * <pre>{@code
 * Injector injector = Guice.createInjector(new KchannelModule(), new NetlinkTransportModule());
 * try (KernelChannel channel = injector.getInstance(KernelChannelFactory.class).open()) { ... }
 * }</pre>
 *
 * <p>{@code configure()} does no I/O and the module holds no static state. Selection runs in a
 * provider, once per injector, with the same rules and messages as
 * {@link dev.kchannel.api.select.KernelTransports} ({@link TransportSelection}); Guice reports its
 * failures as a {@link com.google.inject.ProvisionException} whose cause is the
 * {@link dev.kchannel.api.error.ConfigurationException} or
 * {@link dev.kchannel.api.error.TransportUnavailableException}. Only the selected transport is
 * instantiated.
 */
public final class KchannelModule extends AbstractModule {

    private final KchannelConfig config;

    /** Binds the configuration of this process, loaded by {@link KchannelConfig#load()} when first needed. */
    public KchannelModule() {
        this.config = null;
    }

    /** Binds {@code config}. */
    public KchannelModule(KchannelConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    protected void configure() {
        // Declared here too, so an application with no transport module gets the clear
        // "no transport modules" message instead of a missing-binding error.
        TransportBinder.transports(binder());
        if (config != null) {
            bind(KchannelConfig.class).toInstance(config);
        } else {
            bind(KchannelConfig.class).toProvider(KchannelConfig::load).in(Singleton.class);
        }
    }

    @Provides
    @Singleton
    KernelTransport selectedTransport(KchannelConfig kchannelConfig, Map<String, Provider<KernelTransport>> registered) {
        Map<String, Supplier<KernelTransport>> suppliers = new TreeMap<>();
        registered.forEach((name, provider) -> suppliers.put(name, provider::get));
        return TransportSelection.select(kchannelConfig, suppliers);
    }

    @Provides
    KernelChannelFactory channelFactory(KernelTransport transport, KchannelConfig kchannelConfig) {
        return KernelChannelFactory.of(transport, kchannelConfig);
    }
}
