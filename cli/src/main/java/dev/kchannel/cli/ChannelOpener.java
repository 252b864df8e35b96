// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.config.KchannelConfigLoader;
import dev.kchannel.api.select.TransportSelection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Opens the channel a command talks through, the way any kchannel application would: the
 * configuration with its usual precedence, then the transport by name through the SPI, so a new
 * transport works with {@code kchan} without a change here.
 *
 * <p>Precedence, highest first: the command line ({@code --transport}, {@code --timeout},
 * {@code --config}), system properties, environment variables, the properties file, and last the
 * CLI's one default, {@code kchannel.transport=netlink}. {@code --config FILE} names the
 * properties file just as {@code kchannel.config} does, in its place.
 */
final class ChannelOpener {

    /** The transport used when the configuration names none. */
    static final String DEFAULT_TRANSPORT = "netlink";

    private final CliEnvironment environment;

    ChannelOpener(CliEnvironment environment) {
        this.environment = environment;
    }

    /**
     * Opens a channel for {@code values}' options; the caller closes it.
     *
     * @throws dev.kchannel.api.error.ConfigurationException for a bad configuration or an unknown
     *     transport name (the message lists the known ones)
     * @throws dev.kchannel.api.error.TransportUnavailableException with the transport's reason
     */
    KernelChannel open(OptionValues values) {
        KchannelConfig config = config(values);
        Map<String, Supplier<KernelTransport>> registered = new TreeMap<>();
        environment.transports().get().forEach((name, transport) -> registered.put(name, () -> transport));
        KernelTransport transport = TransportSelection.select(config, registered);
        return transport.open(config);
    }

    /** The configuration with the command line's options on top. */
    KchannelConfig config(OptionValues values) {
        Map<String, String> commandLine = new HashMap<>(environment.systemProperties());
        values.configFile().ifPresent(file -> commandLine.put(KchannelConfig.CONFIG_FILE, file.toString()));
        values.transport().ifPresent(name -> commandLine.put(KchannelConfig.TRANSPORT, name));
        values.callTimeout().ifPresent(timeout -> commandLine.put(KchannelConfig.CALL_TIMEOUT, timeout.toString()));
        return KchannelConfigLoader.empty()
                .systemProperties(commandLine)
                .environment(environment.environment())
                .classLoader(environment.classLoader())
                .defaults(Map.of(KchannelConfig.TRANSPORT, DEFAULT_TRANSPORT))
                .load();
    }
}
