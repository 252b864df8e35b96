// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.config;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One source of values, as a snapshot of only the entries kchannel reads: {@code kchannel.*} keys,
 * or {@code KCHANNEL_*} environment variables looked up by their mapped names.
 */
final class ConfigLayer {

    private static final String ENVIRONMENT_PREFIX = "KCHANNEL_";

    private final ConfigSource source;
    private final Map<String, String> entries;
    private final String location;

    private ConfigLayer(ConfigSource source, Map<String, String> entries, String location) {
        this.source = source;
        this.entries = entries;
        this.location = location;
    }

    /** Keyed by configuration key; entries without the {@code kchannel.} prefix are left out. */
    static ConfigLayer ofKeys(ConfigSource source, Map<String, String> all, String location) {
        Map<String, String> kept = new TreeMap<>();
        all.forEach((key, value) -> {
            if (key != null && value != null && key.startsWith(KchannelConfig.PREFIX)) {
                kept.put(key, value);
            }
        });
        return new ConfigLayer(source, kept, location);
    }

    /** Keyed by environment variable name; variables without the {@code KCHANNEL_} prefix are left out. */
    static ConfigLayer ofEnvironment(Map<String, String> environment) {
        Map<String, String> kept = new TreeMap<>();
        environment.forEach((name, value) -> {
            if (name != null && value != null && name.startsWith(ENVIRONMENT_PREFIX)) {
                kept.put(name, value);
            }
        });
        return new ConfigLayer(ConfigSource.ENVIRONMENT, kept, null);
    }

    Optional<ConfigValue> find(String key) {
        String name = source == ConfigSource.ENVIRONMENT ? KchannelConfig.environmentVariableName(key) : key;
        String value = entries.get(name);
        return value == null ? Optional.empty() : Optional.of(new ConfigValue(key, value, source, origin(name)));
    }

    private String origin(String name) {
        switch (source) {
            case SYSTEM_PROPERTY:
            case ENVIRONMENT:
                return source.description() + " " + name;
            case PROPERTIES_FILE:
                return source.description() + " " + location;
            default:
                return source.description();
        }
    }
}
