// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api;

import dev.kchannel.api.config.KchannelConfig;

/**
 * A way into the kernel (netlink, /proc, netfilter sockopts, a character device), and the service
 * provider interface every transport module implements.
 *
 * <p>Transports register themselves twice, so both selection paths find them: in
 * {@code META-INF/services/dev.kchannel.api.KernelTransport} for {@link java.util.ServiceLoader}
 * (see {@link dev.kchannel.api.select.KernelTransports}), and in a Guice module through
 * {@link dev.kchannel.api.guice.TransportBinder}. Either way the name is the one a user writes in
 * {@code kchannel.transport}.
 *
 * <p>Rules for implementations, which the selection code relies on:
 * <ul>
 *   <li>A public no-argument constructor that does no I/O and cannot fail: {@code ServiceLoader}
 *       instantiates every registered transport just to read its name.</li>
 *   <li>{@link #availability()} probes without side effects and may be called often; it answers
 *       for now, since a kernel module may be loaded or unloaded at any time.</li>
 *   <li>Thread-safe: one instance serves every caller.</li>
 * </ul>
 */
public interface KernelTransport {

    /** The name used in configuration: {@code netlink}, {@code procfs}, {@code sockopt}, {@code chardev}. */
    String name();

    /** Whether this transport can be opened here and now, and why not. */
    Availability availability();

    /**
     * Throws unless {@link #availability()} says the transport is available.
     *
     * @throws dev.kchannel.api.error.TransportUnavailableException with the probe's reason
     */
    default void ensureAvailable() {
        availability().ensureAvailable(name());
    }

    /**
     * Opens a new channel that the caller owns and must close.
     *
     * @param config settings, including this transport's {@code kchannel.<name>.*} keys
     * @throws dev.kchannel.api.error.TransportUnavailableException if the transport cannot work here
     * @throws dev.kchannel.api.error.ConfigurationException if one of its settings is invalid
     * @throws dev.kchannel.api.error.KchannelException for any other failure while opening
     */
    KernelChannel open(KchannelConfig config);
}
