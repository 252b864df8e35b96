// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs;

import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.ConfigurationException;
import dev.kchannel.api.message.KchanProtocol;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The procfs transport's settings, read once when a channel opens.
 *
 * @param dir {@code kchannel.procfs.dir}: kchan_procfs's directory, default {@value #DEFAULT_DIR}
 * @param callTimeout {@code kchannel.call-timeout}
 * @param handles {@code kchannel.procfs.handles}: call-file handles kept open between calls, and
 *     threads running {@code callAsync}; default {@value #DEFAULT_HANDLES}
 * @param eventBuffer {@code kchannel.procfs.event-buffer}: bytes each subscription reads from the
 *     events file at once; default {@value #DEFAULT_EVENT_BUFFER}
 */
record ProcfsSettings(Path dir, Duration callTimeout, int handles, int eventBuffer) {

    static final String DIR = "dir";
    static final String HANDLES = "handles";
    static final String EVENT_BUFFER = "event-buffer";
    static final String DEFAULT_DIR = "/proc/" + KchanProtocol.PROC_DIR;
    static final int DEFAULT_HANDLES = 8;
    static final int DEFAULT_EVENT_BUFFER = 64 * 1024;
    static final int MIN_EVENT_BUFFER = 4096;
    static final int MAX_EVENT_BUFFER = 64 << 20;

    /**
     * @throws ConfigurationException naming the key when a value is out of range
     */
    static ProcfsSettings from(KchannelConfig config) {
        Path dir = dir(config);
        int handles = config.intSetting(ProcfsTransport.NAME, HANDLES).orElse(DEFAULT_HANDLES);
        if (handles < 1 || handles > 1024) {
            throw invalid(config, HANDLES, "expected 1..1024 handles");
        }
        int buffer = config.intSetting(ProcfsTransport.NAME, EVENT_BUFFER).orElse(DEFAULT_EVENT_BUFFER);
        if (buffer < MIN_EVENT_BUFFER || buffer > MAX_EVENT_BUFFER) {
            throw invalid(config, EVENT_BUFFER, "expected " + MIN_EVENT_BUFFER + ".." + MAX_EVENT_BUFFER + " bytes");
        }
        return new ProcfsSettings(dir, config.callTimeout(), handles, buffer);
    }

    /** The configured directory, checked to be an absolute path. */
    static Path dir(KchannelConfig config) {
        String value = config.setting(ProcfsTransport.NAME, DIR).orElse(DEFAULT_DIR);
        Path dir;
        try {
            dir = Path.of(value);
        } catch (InvalidPathException e) {
            throw invalid(config, DIR, "expected an absolute path");
        }
        if (!dir.isAbsolute()) {
            throw invalid(config, DIR, "expected an absolute path");
        }
        return dir;
    }

    /** The binary request/reply file. */
    Path callFile() {
        return dir.resolve(KchanProtocol.PROC_CALL);
    }

    /** The events file. */
    Path eventsFile() {
        return dir.resolve(KchanProtocol.PROC_EVENTS);
    }

    private static ConfigurationException invalid(KchannelConfig config, String key, String expectation) {
        // Only a set value can be invalid: the defaults are valid.
        return config.lookupSetting(ProcfsTransport.NAME, key)
                .map(value -> ConfigurationException.invalidValue(value.key(), value.value(), value.origin(), expectation))
                .orElseThrow();
    }
}
