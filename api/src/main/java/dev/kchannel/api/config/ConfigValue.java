// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.config;

/**
 * One configuration value and where it came from, so errors can say which file or variable to fix.
 *
 * @param key the configuration key, such as {@code kchannel.chardev.path}
 * @param value the value as written, untrimmed
 * @param source the kind of source
 * @param origin the source in words, such as {@code environment variable KCHANNEL_CHARDEV_PATH}
 *     or {@code properties file /etc/kchannel.properties}
 */
public record ConfigValue(String key, String value, ConfigSource source, String origin) {
}
