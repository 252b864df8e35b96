// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.config;

/**
 * Where a configuration value came from, highest precedence first. The order of the constants is
 * the order of precedence: a value from an earlier source hides the same key in later ones.
 */
public enum ConfigSource {
    /** A JVM system property, {@code -Dkchannel.transport=netlink}. */
    SYSTEM_PROPERTY("system property"),
    /** An environment variable, {@code KCHANNEL_TRANSPORT=netlink}. */
    ENVIRONMENT("environment variable"),
    /** The properties file named by {@code kchannel.config}, or {@code kchannel.properties} on the classpath. */
    PROPERTIES_FILE("properties file"),
    /** Values set in code with {@link KchannelConfig#builder()}; such a config has no other source. */
    CODE("code"),
    /** Defaults handed to {@link KchannelConfigLoader#defaults}, then kchannel's own built-in ones. */
    DEFAULT("default");

    private final String description;

    ConfigSource(String description) {
        this.description = description;
    }

    /** How messages name this source: {@code environment variable}. */
    public String description() {
        return description;
    }
}
