// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.config;

import dev.kchannel.api.error.ConfigurationException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * kchannel's settings, typed and validated: which transport to use, the call timeout, and each
 * transport's own {@code kchannel.<transport>.<key>} settings. Immutable and thread-safe.
 *
 * <h2>Sources and precedence</h2>
 * {@link #load()} reads four sources; for each key the first that has it wins:
 * <table>
 *   <caption>Sources, highest precedence first</caption>
 *   <tr><th>Source</th><th>Example</th></tr>
 *   <tr><td>system properties</td><td>{@code -Dkchannel.chardev.path=/dev/kchan0}</td></tr>
 *   <tr><td>environment variables</td><td>{@code KCHANNEL_CHARDEV_PATH=/dev/kchan0}</td></tr>
 *   <tr><td>properties file</td><td>{@code kchannel.chardev.path=/dev/kchan0}</td></tr>
 *   <tr><td>defaults</td><td>{@link KchannelConfigLoader#defaults}, then built-in ones</td></tr>
 * </table>
 * An environment variable's name is the key in upper case with dots and dashes turned into
 * underscores ({@link #environmentVariableName}). The properties file is the one named by
 * {@code kchannel.config} (system property, else {@code KCHANNEL_CONFIG}); if neither is set,
 * {@code kchannel.properties} at the classpath root, if there is one. A named file that cannot be
 * read is an error; a missing classpath file is not.
 *
 * <h2>Validation</h2>
 * {@link #transport()} and {@link #callTimeout()} are checked when the config is created; the
 * typed transport settings when they are read. Either way a bad value throws
 * {@link ConfigurationException} naming the key, where the value came from, and the value.
 */
public final class KchannelConfig {

    /** Every key kchannel reads starts with this. */
    public static final String PREFIX = "kchannel.";
    /** The transport to select: {@code netlink}, {@code procfs}, {@code sockopt}, {@code chardev}. */
    public static final String TRANSPORT = "kchannel.transport";
    /** The default timeout of a call, as a duration ({@code PT5S}, {@code 500ms}, {@code 5s}). */
    public static final String CALL_TIMEOUT = "kchannel.call-timeout";
    /** The path of the properties file to read; only read from system properties and the environment. */
    public static final String CONFIG_FILE = "kchannel.config";
    /** The classpath resource read when {@link #CONFIG_FILE} is not set. */
    public static final String CLASSPATH_RESOURCE = "kchannel.properties";
    /** The call timeout when none is configured. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(5);

    private final List<ConfigLayer> layers;
    private final String transport;
    private final Duration callTimeout;

    KchannelConfig(List<ConfigLayer> layers) {
        this.layers = List.copyOf(layers);
        this.transport = lookup(TRANSPORT).map(KchannelConfig::validTransportName).orElse(null);
        this.callTimeout = lookup(CALL_TIMEOUT).map(KchannelConfig::positiveDuration).orElse(DEFAULT_CALL_TIMEOUT);
    }

    /**
     * Reads the configuration of this process: system properties, environment, properties file
     * and defaults, in that order of precedence.
     *
     * @throws ConfigurationException if a value is invalid or a named properties file cannot be read
     */
    public static KchannelConfig load() {
        return KchannelConfigLoader.fromSystem().load();
    }

    /** Starts a configuration set in code, which reads no other source. For tests and embedding. */
    public static Builder builder() {
        return new Builder();
    }

    /** The transport to select, if configured. */
    public Optional<String> transport() {
        return Optional.ofNullable(transport);
    }

    /** The timeout of a call that names none; {@link #DEFAULT_CALL_TIMEOUT} unless configured. */
    public Duration callTimeout() {
        return callTimeout;
    }

    /** The value of {@code key}, from the source with the highest precedence that has it. */
    public Optional<String> get(String key) {
        return lookup(key).map(ConfigValue::value);
    }

    /** The value of {@code key} and where it came from. */
    public Optional<ConfigValue> lookup(String key) {
        Objects.requireNonNull(key, "key");
        for (ConfigLayer layer : layers) {
            Optional<ConfigValue> value = layer.find(key);
            if (value.isPresent()) {
                return value;
            }
        }
        return Optional.empty();
    }

    /** A transport's setting: {@code setting("chardev", "path")} reads {@code kchannel.chardev.path}. */
    public Optional<String> setting(String transport, String key) {
        return get(settingKey(transport, key));
    }

    /** A transport's setting and where it came from. */
    public Optional<ConfigValue> lookupSetting(String transport, String key) {
        return lookup(settingKey(transport, key));
    }

    /**
     * A transport's setting read as a duration, in the forms {@link #CALL_TIMEOUT} accepts.
     *
     * @throws ConfigurationException if it is set but is not a duration
     */
    public Optional<Duration> durationSetting(String transport, String key) {
        return lookupSetting(transport, key).map(KchannelConfig::duration);
    }

    /**
     * A transport's setting read as a decimal {@code int}.
     *
     * @throws ConfigurationException if it is set but is not an {@code int}
     */
    public OptionalInt intSetting(String transport, String key) {
        Optional<ConfigValue> value = lookupSetting(transport, key);
        if (value.isEmpty()) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(value.get().value().trim()));
        } catch (NumberFormatException e) {
            throw invalid(value.get(), "expected a whole number from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE);
        }
    }

    /** The key of a transport setting: {@code kchannel.<transport>.<key>}. */
    public static String settingKey(String transport, String key) {
        if (transport == null || transport.isBlank() || key == null || key.isBlank()) {
            throw new IllegalArgumentException("a setting needs a transport and a key, got '" + transport + "' and '" + key + "'");
        }
        return PREFIX + transport + "." + key;
    }

    /**
     * The environment variable for {@code key}: upper case, dots and dashes as underscores.
     * {@code kchannel.chardev.path} is {@code KCHANNEL_CHARDEV_PATH}.
     */
    public static String environmentVariableName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static String validTransportName(ConfigValue value) {
        String name = value.value().trim();
        if (name.isEmpty() || name.chars().anyMatch(Character::isWhitespace)) {
            throw invalid(value, "expected a transport name such as netlink, without spaces");
        }
        return name;
    }

    private static Duration positiveDuration(ConfigValue value) {
        Duration duration = duration(value);
        if (duration.isNegative() || duration.isZero()) {
            throw invalid(value, "must be greater than zero");
        }
        return duration;
    }

    private static Duration duration(ConfigValue value) {
        try {
            return DurationParser.parse(value.value());
        } catch (IllegalArgumentException e) {
            throw invalid(value, e.getMessage());
        }
    }

    private static ConfigurationException invalid(ConfigValue value, String expectation) {
        return ConfigurationException.invalidValue(value.key(), value.value(), value.origin(), expectation);
    }

    @Override
    public String toString() {
        return "KchannelConfig{transport=" + transport + ", callTimeout=" + callTimeout + "}";
    }

    /** Collects values set in code; {@link #build()} validates them as {@link #load()} would. */
    public static final class Builder {
        private final Map<String, String> values = new LinkedHashMap<>();

        private Builder() {
        }

        /** Sets {@link #TRANSPORT}. */
        public Builder transport(String name) {
            return set(TRANSPORT, name);
        }

        /** Sets {@link #CALL_TIMEOUT}. */
        public Builder callTimeout(Duration timeout) {
            return set(CALL_TIMEOUT, timeout.toString());
        }

        /** Sets {@code kchannel.<transport>.<key>}. */
        public Builder setting(String transport, String key, String value) {
            return set(settingKey(transport, key), value);
        }

        /** Sets any {@code kchannel.*} key. */
        public Builder set(String key, String value) {
            if (!key.startsWith(PREFIX)) {
                throw new IllegalArgumentException("configuration key '" + key + "' does not start with " + PREFIX);
            }
            values.put(key, Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * The configuration.
         *
         * @throws ConfigurationException if a value is invalid
         */
        public KchannelConfig build() {
            return new KchannelConfig(List.of(ConfigLayer.ofKeys(ConfigSource.CODE, values, null)));
        }
    }
}
