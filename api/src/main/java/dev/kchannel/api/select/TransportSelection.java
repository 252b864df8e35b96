// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.select;

import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.config.ConfigValue;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.ConfigurationException;
import dev.kchannel.api.error.TransportUnavailableException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one set of rules, and of messages, by which {@code kchannel.transport} picks a transport;
 * shared by {@link KernelTransports} (ServiceLoader) and {@link dev.kchannel.api.guice.KchannelModule}
 * (Guice), so both fail the same way:
 * <ul>
 *   <li>no name configured: {@code no kernel transport configured: set kchannel.transport (or
 *       KCHANNEL_TRANSPORT) to one of: chardev, netlink, procfs, sockopt};</li>
 *   <li>a name nobody registered: {@code unknown kernel transport 'foo' (kchannel.transport);
 *       known: chardev, netlink, procfs, sockopt}, or {@code ...; no transport modules are on the
 *       classpath};</li>
 *   <li>a registered transport that cannot work here: {@link TransportUnavailableException},
 *       {@code kernel transport 'netlink' is unavailable: <reason>}.</li>
 * </ul>
 * Names are listed sorted. Only the selected transport is instantiated.
 */
public final class TransportSelection {

    private static final Logger LOG = LoggerFactory.getLogger(TransportSelection.class);

    private TransportSelection() {
    }

    /**
     * Picks the transport {@code config} names from {@code registered} and checks that it is
     * available.
     *
     * @param registered transports by name; the supplier is called only for the selected one
     * @throws ConfigurationException if no transport or an unknown one is configured, or the
     *     registered transport reports another name
     * @throws TransportUnavailableException if the transport cannot work here
     */
    public static KernelTransport select(
            KchannelConfig config, Map<String, ? extends Supplier<? extends KernelTransport>> registered) {
        Objects.requireNonNull(config, "config");
        Set<String> known = new TreeSet<>(registered.keySet());
        Optional<String> name = config.transport();
        if (name.isEmpty()) {
            throw new ConfigurationException(missingMessage(known), KchannelConfig.TRANSPORT, null);
        }
        Supplier<? extends KernelTransport> supplier = registered.get(name.get());
        if (supplier == null) {
            throw new ConfigurationException(unknownMessage(name.get(), known), KchannelConfig.TRANSPORT, null);
        }
        KernelTransport transport = Objects.requireNonNull(supplier.get(), "registered transport " + name.get());
        if (!name.get().equals(transport.name())) {
            throw new ConfigurationException("kernel transport registered as '" + name.get() + "' ("
                    + transport.getClass().getName() + ") calls itself '" + transport.name()
                    + "'; register it under its own name", KchannelConfig.TRANSPORT, null);
        }
        transport.ensureAvailable();
        LOG.debug("selected kernel transport '{}' ({}) from {}", transport.name(), transport.getClass().getName(),
                config.lookup(KchannelConfig.TRANSPORT).map(ConfigValue::origin).orElse("?"));
        return transport;
    }

    /** The message for a configuration that names no transport. */
    static String missingMessage(Set<String> known) {
        String start = "no kernel transport configured: set " + KchannelConfig.TRANSPORT + " (or "
                + KchannelConfig.environmentVariableName(KchannelConfig.TRANSPORT) + ")";
        return known.isEmpty()
                ? start + ", and put a transport module on the classpath; no transport modules are on the classpath"
                : start + " to one of: " + String.join(", ", known);
    }

    /** The message for a name nobody registered. */
    static String unknownMessage(String name, Set<String> known) {
        String start = "unknown kernel transport '" + name + "' (" + KchannelConfig.TRANSPORT + "); ";
        return known.isEmpty() ? start + "no transport modules are on the classpath" : start + "known: " + String.join(", ", known);
    }
}
