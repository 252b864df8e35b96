// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.chardev;

import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.ConfigurationException;
import dev.kchannel.api.message.KchanProtocol;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The chardev transport's settings, read once when a channel opens.
 *
 * @param path {@code kchannel.chardev.path}: the device node, default {@value #DEFAULT_PATH}
 * @param callMode {@code kchannel.chardev.call}: {@code ioctl} (default) or {@code readwrite}
 * @param eventMode {@code kchannel.chardev.events}: {@code ring} (default) or {@code read}
 * @param ringSize {@code kchannel.chardev.ring-size}: bytes of event data in each subscription's
 *     ring, a power of two from {@code KCHAN_RING_DATA_MIN} to {@code KCHAN_RING_DATA_MAX};
 *     default {@value #DEFAULT_RING_SIZE}
 * @param handles {@code kchannel.chardev.handles}: threads running {@code callAsync}, and open
 *     files kept between calls in readwrite mode; default {@value #DEFAULT_HANDLES}
 * @param callTimeout {@code kchannel.call-timeout}
 */
record ChardevSettings(Path path, CallMode callMode, EventMode eventMode, int ringSize, int handles,
        Duration callTimeout) {

    static final String PATH = "path";
    static final String CALL = "call";
    static final String EVENTS = "events";
    static final String RING_SIZE = "ring-size";
    static final String HANDLES = "handles";
    static final String DEFAULT_PATH = "/dev/" + KchanProtocol.DEV_NAME;
    static final int DEFAULT_RING_SIZE = 1 << 20;
    static final int DEFAULT_HANDLES = 8;

    /** How requests reach the kernel. */
    enum CallMode {
        /** {@code KCHAN_IOC_CALL} on one shared open file: request and reply in one system call. */
        IOCTL,
        /** write(2) the request, read(2) the reply, on an open file of the call's own. */
        READWRITE
    }

    /** How events reach the subscriber. */
    enum EventMode {
        /** {@code KCHAN_IOC_RING_SETUP} and an mmap'd ring: no copy, no system call per event. */
        RING,
        /** {@code KCHAN_IOC_SUBSCRIBE}, then poll(2) and read(2). */
        READ
    }

    /**
     * @throws ConfigurationException naming the key when a value is not one this transport takes
     */
    static ChardevSettings from(KchannelConfig config) {
        Path path = path(config);
        CallMode call = config.setting(ChardevTransport.NAME, CALL).map(value -> switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "ioctl" -> CallMode.IOCTL;
            case "readwrite" -> CallMode.READWRITE;
            default -> throw invalid(config, CALL, "expected ioctl or readwrite");
        }).orElse(CallMode.IOCTL);
        EventMode events = config.setting(ChardevTransport.NAME, EVENTS).map(value -> switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "ring" -> EventMode.RING;
            case "read" -> EventMode.READ;
            default -> throw invalid(config, EVENTS, "expected ring or read");
        }).orElse(EventMode.RING);
        int ringSize = config.intSetting(ChardevTransport.NAME, RING_SIZE).orElse(DEFAULT_RING_SIZE);
        if (ringSize < KchanProtocol.RING_DATA_MIN || ringSize > KchanProtocol.RING_DATA_MAX
                || Integer.bitCount(ringSize) != 1) {
            throw invalid(config, RING_SIZE, "expected a power of two from " + KchanProtocol.RING_DATA_MIN + " to "
                    + KchanProtocol.RING_DATA_MAX + " bytes");
        }
        int handles = config.intSetting(ChardevTransport.NAME, HANDLES).orElse(DEFAULT_HANDLES);
        if (handles < 1 || handles > 1024) {
            throw invalid(config, HANDLES, "expected 1..1024 handles");
        }
        return new ChardevSettings(path, call, events, ringSize, handles, config.callTimeout());
    }

    /** The configured device node, checked to be an absolute path. */
    static Path path(KchannelConfig config) {
        String value = config.setting(ChardevTransport.NAME, PATH).orElse(DEFAULT_PATH);
        Path path;
        try {
            path = Path.of(value);
        } catch (InvalidPathException e) {
            throw invalid(config, PATH, "expected an absolute path");
        }
        if (!path.isAbsolute()) {
            throw invalid(config, PATH, "expected an absolute path");
        }
        return path;
    }

    private static ConfigurationException invalid(KchannelConfig config, String key, String expectation) {
        // Only a set value can be invalid: the defaults are valid.
        return config.lookupSetting(ChardevTransport.NAME, key)
                .map(value -> ConfigurationException.invalidValue(value.key(), value.value(), value.origin(), expectation))
                .orElseThrow();
    }
}
