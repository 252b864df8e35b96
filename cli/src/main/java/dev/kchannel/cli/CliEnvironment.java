// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.select.KernelTransports;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * What a {@code kchan} run reads from the process around it: configuration sources, the
 * registered transports, standard input, and the Ctrl-C signal. {@link #system()} is the real
 * process; tests hand in their own, so no host test depends on the machine's environment.
 *
 * @param systemProperties the system properties, highest configuration precedence below the
 *     command line
 * @param environment the environment variables ({@code KCHANNEL_TRANSPORT}, ...)
 * @param classLoader where {@code kchannel.properties} may be found; null to not look
 * @param transports the registered transports by name, looked up when a command needs one
 * @param stdin standard input, for {@code --value-file -}
 * @param stop set by Ctrl-C
 */
record CliEnvironment(
        Map<String, String> systemProperties,
        Map<String, String> environment,
        ClassLoader classLoader,
        Supplier<Map<String, KernelTransport>> transports,
        Supplier<InputStream> stdin,
        StopSignal stop) {

    /** This process: its system properties, environment, class path and ServiceLoader transports. */
    static CliEnvironment system(StopSignal stop) {
        Properties properties = System.getProperties();
        Map<String, String> snapshot = new HashMap<>();
        for (String name : properties.stringPropertyNames()) {
            snapshot.put(name, properties.getProperty(name));
        }
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return new CliEnvironment(snapshot, System.getenv(),
                context != null ? context : CliEnvironment.class.getClassLoader(),
                KernelTransports::discover, () -> System.in, stop);
    }
}
