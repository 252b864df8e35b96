// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.select;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.KernelChannelFactory;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.ConfigurationException;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transport selection for plain Java: finds the transports registered in
 * {@code META-INF/services/dev.kchannel.api.KernelTransport} with {@link ServiceLoader} and picks
 * the one {@code kchannel.transport} names, by the rules of {@link TransportSelection}.
 *
 * <pre>{@code
 * KernelChannelFactory channels = KernelTransports.channelFactory(KchannelConfig.load());
 * try (KernelChannel channel = channels.open()) {
 *     channel.call(KchanRequests.set("greeting", "hello"));
 * }
 * }</pre>
 *
 * <p>Nothing is cached: each call looks again, so a test or a plugin system can change the class
 * loader. A provider that cannot be loaded is logged and skipped, so one broken jar does not hide
 * the others.
 */
public final class KernelTransports {

    private static final Logger LOG = LoggerFactory.getLogger(KernelTransports.class);

    private KernelTransports() {
    }

    /** The registered transports visible to the context class loader, by name, sorted. */
    public static Map<String, KernelTransport> discover() {
        return discover(contextClassLoader());
    }

    /**
     * The registered transports visible to {@code loader}, by name, sorted.
     *
     * @throws ConfigurationException if two transports share a name
     */
    public static Map<String, KernelTransport> discover(ClassLoader loader) {
        Map<String, KernelTransport> found = new TreeMap<>();
        Iterator<KernelTransport> providers = ServiceLoader.load(KernelTransport.class, loader).iterator();
        while (true) {
            KernelTransport transport;
            try {
                if (!providers.hasNext()) {
                    break;
                }
                transport = providers.next();
            } catch (ServiceConfigurationError e) {
                LOG.warn("skipping a kernel transport that cannot be loaded: {}", e.getMessage(), e);
                continue;
            }
            KernelTransport previous = found.putIfAbsent(transport.name(), transport);
            if (previous != null) {
                throw new ConfigurationException("two kernel transports are named '" + transport.name() + "': "
                        + previous.getClass().getName() + " and " + transport.getClass().getName());
            }
        }
        return Collections.unmodifiableMap(found);
    }

    /** The transport {@code config} names, from the context class loader; see {@link TransportSelection}. */
    public static KernelTransport select(KchannelConfig config) {
        return select(config, contextClassLoader());
    }

    /** The transport {@code config} names, from {@code loader}; see {@link TransportSelection}. */
    public static KernelTransport select(KchannelConfig config, ClassLoader loader) {
        Map<String, Supplier<KernelTransport>> registered = new TreeMap<>();
        discover(loader).forEach((name, transport) -> registered.put(name, () -> transport));
        return TransportSelection.select(config, registered);
    }

    /** A factory for channels of the transport {@code config} names. Opens nothing itself. */
    public static KernelChannelFactory channelFactory(KchannelConfig config) {
        return KernelChannelFactory.of(select(config), config);
    }

    /** Opens a channel of the transport {@code config} names; the caller must close it. */
    public static KernelChannel open(KchannelConfig config) {
        return channelFactory(config).open();
    }

    private static ClassLoader contextClassLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : KernelTransports.class.getClassLoader();
    }
}
