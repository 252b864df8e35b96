// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.error;

import java.util.Optional;

/**
 * The configuration is wrong: a value that does not parse, a transport name nobody registered, a
 * properties file that cannot be read. The message names the key, where the value came from and
 * the value itself, so the fix is obvious:
 * {@code invalid kchannel.call-timeout 'soon' from environment variable KCHANNEL_CALL_TIMEOUT:
 * expected ...}. Its errno is {@link Errno#EINVAL}.
 */
public class ConfigurationException extends KchannelException {

    private static final long serialVersionUID = 1L;

    private final String key;

    /** A problem not tied to one value; the message must say everything. */
    public ConfigurationException(String message) {
        this(message, null, null);
    }

    /** A problem with the value of {@code key}, described in full by {@code message}. */
    public ConfigurationException(String message, String key, Throwable cause) {
        super(message, Errno.EINVAL, null, cause);
        this.key = key;
    }

    /**
     * A value that is not acceptable.
     *
     * @param key the configuration key, such as {@code kchannel.call-timeout}
     * @param value the bad value, as written
     * @param origin where it came from, such as {@code environment variable KCHANNEL_CALL_TIMEOUT}
     * @param expectation what would have been accepted
     */
    public static ConfigurationException invalidValue(String key, String value, String origin, String expectation) {
        return new ConfigurationException(
                "invalid " + key + " '" + value + "' from " + origin + ": " + expectation, key, null);
    }

    /** The configuration key at fault, when one is. */
    public Optional<String> key() {
        return Optional.ofNullable(key);
    }
}
