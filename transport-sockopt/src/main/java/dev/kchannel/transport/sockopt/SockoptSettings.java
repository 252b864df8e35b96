// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.sockopt;

import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.ConfigurationException;
import dev.kchannel.api.message.KchanProtocol;
import java.time.Duration;

/**
 * The sockopt transport's settings, read once when a channel opens.
 *
 * @param callTimeout {@code kchannel.call-timeout}
 * @param initialBuffer {@code kchannel.sockopt.initial-buffer}: bytes of the buffer a
 *     {@code getsockopt} starts with; a longer reply costs one more call, at the size the kernel
 *     asks for. {@value #MIN_INITIAL_BUFFER} to {@code KCHAN_MSG_MAX}, default
 *     {@value #DEFAULT_INITIAL_BUFFER}
 * @param asyncThreads {@code kchannel.sockopt.async-threads}: threads running {@code callAsync}
 *     calls, 1 to 1024, default {@value #DEFAULT_ASYNC_THREADS}
 */
record SockoptSettings(Duration callTimeout, int initialBuffer, int asyncThreads) {

    static final String INITIAL_BUFFER = "initial-buffer";
    static final String ASYNC_THREADS = "async-threads";
    /** Room for most replies (ECHO of a few hundred bytes, GET of a small value, STATS). */
    static final int DEFAULT_INITIAL_BUFFER = 4096;
    /** A reply header: the least kchan_sockopt can answer "needs N bytes" in. */
    static final int MIN_INITIAL_BUFFER = KchanProtocol.HDR_LEN;
    static final int DEFAULT_ASYNC_THREADS = 8;
    static final int MAX_ASYNC_THREADS = 1024;

    /**
     * @throws ConfigurationException naming the key when a value is out of range
     */
    static SockoptSettings from(KchannelConfig config) {
        int initial = config.intSetting(SockoptTransport.NAME, INITIAL_BUFFER).orElse(DEFAULT_INITIAL_BUFFER);
        if (initial < MIN_INITIAL_BUFFER || initial > KchanProtocol.MSG_MAX) {
            throw invalid(config, INITIAL_BUFFER, "expected " + MIN_INITIAL_BUFFER + ".." + KchanProtocol.MSG_MAX + " bytes");
        }
        int threads = config.intSetting(SockoptTransport.NAME, ASYNC_THREADS).orElse(DEFAULT_ASYNC_THREADS);
        if (threads < 1 || threads > MAX_ASYNC_THREADS) {
            throw invalid(config, ASYNC_THREADS, "expected 1.." + MAX_ASYNC_THREADS + " threads");
        }
        return new SockoptSettings(config.callTimeout(), initial, threads);
    }

    private static ConfigurationException invalid(KchannelConfig config, String key, String expectation) {
        // Only a set value can be invalid: the defaults are valid.
        return config.lookupSetting(SockoptTransport.NAME, key)
                .map(value -> ConfigurationException.invalidValue(value.key(), value.value(), value.origin(), expectation))
                .orElseThrow();
    }
}
