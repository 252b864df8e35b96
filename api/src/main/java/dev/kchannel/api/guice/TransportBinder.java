// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.guice;

import com.google.inject.Binder;
import com.google.inject.multibindings.MapBinder;
import dev.kchannel.api.KernelTransport;

/**
 * How a transport module makes itself selectable under Guice: it adds itself, by name, to the
 * {@code Map<String, KernelTransport>} that {@link KchannelModule} chooses from (the shape of
 * Druid's {@code PolyBind.optionBinder}).
 *
 * <pre>{@code
 * public final class NetlinkTransportModule extends AbstractModule {
 *     protected void configure() {
 *         TransportBinder.register(binder(), "netlink", NetlinkTransport.class);
 *     }
 * }
 * }</pre>
 *
 * Registering two transports under one name fails when the injector is created.
 */
public final class TransportBinder {

    private TransportBinder() {
    }

    /** The map of transports by name; declaring it from several modules is fine. */
    public static MapBinder<String, KernelTransport> transports(Binder binder) {
        return MapBinder.newMapBinder(binder, String.class, KernelTransport.class);
    }

    /** Registers {@code type}, instantiated by Guice only if it is selected, under {@code name}. */
    public static void register(Binder binder, String name, Class<? extends KernelTransport> type) {
        transports(binder).addBinding(checkName(name)).to(type);
    }

    /** Registers an existing {@code transport} under {@code name}. */
    public static void register(Binder binder, String name, KernelTransport transport) {
        transports(binder).addBinding(checkName(name)).toInstance(transport);
    }

    private static String checkName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a kernel transport needs a name, such as netlink");
        }
        return name;
    }
}
