// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.guice;

import dev.kchannel.api.error.ConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Finds the {@link KernelTransportModule}s on the classpath, for applications that pick their
 * transport by configuration and ship several:
 *
 * <pre>{@code
 * List<Module> modules = new ArrayList<>(TransportModules.discover());
 * modules.add(new KchannelModule());
 * KernelChannelFactory factory = Guice.createInjector(modules).getInstance(KernelChannelFactory.class);
 * }</pre>
 *
 * Discovery only instantiates the modules (reading their jars' service lists); no transport is
 * created, and nothing touches the kernel, until the injector provides the factory.
 */
public final class TransportModules {

    private TransportModules() {
    }

    /** The transport modules the context class loader (else this class's loader) can see, by name. */
    public static List<KernelTransportModule> discover() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return discover(context != null ? context : TransportModules.class.getClassLoader());
    }

    /**
     * The transport modules {@code loader} can see, sorted by transport name.
     *
     * @throws ConfigurationException if two modules claim the same transport name
     */
    public static List<KernelTransportModule> discover(ClassLoader loader) {
        Map<String, KernelTransportModule> byName = new TreeMap<>();
        for (KernelTransportModule module : ServiceLoader.load(KernelTransportModule.class, loader)) {
            KernelTransportModule previous = byName.putIfAbsent(module.transportName(), module);
            if (previous != null) {
                throw new ConfigurationException("two Guice modules register the kernel transport '"
                        + module.transportName() + "': " + previous.getClass().getName() + " and "
                        + module.getClass().getName() + "; keep one of their jars on the classpath",
                        "kchannel.transport", null);
            }
        }
        return new ArrayList<>(byName.values());
    }
}
