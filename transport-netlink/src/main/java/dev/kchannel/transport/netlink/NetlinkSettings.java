// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.ConfigurationException;
import dev.kchannel.transport.netlink.genl.Nlctrl;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The netlink transport's settings, read once when a channel opens.
 *
 * @param family {@code kchannel.netlink.family}: the Generic Netlink family name, default
 *     {@code kchan}
 * @param callTimeout {@code kchannel.call-timeout}
 * @param connections {@code kchannel.netlink.connections}: with pooled sockets, connections kept
 *     open between calls, and threads running {@code callAsync}; default
 *     {@value #DEFAULT_CONNECTIONS}
 * @param eventReceiveBuffer {@code kchannel.netlink.event-receive-buffer}: bytes of receive buffer
 *     asked for on each subscription's socket; default {@value #DEFAULT_EVENT_RECEIVE_BUFFER}
 * @param sockets {@code kchannel.netlink.sockets}: {@code shared} (default) or {@code pooled}
 */
record NetlinkSettings(String family, Duration callTimeout, int connections, int eventReceiveBuffer,
        Sockets sockets) {

    /** How calls reach the kernel: {@code kchannel.netlink.sockets}. */
    enum Sockets {
        /** One socket per channel, calls multiplexed by sequence number ({@link SharedCallPath}). */
        SHARED,
        /** A socket per call in progress, from a pool ({@link PooledCallPath}). */
        POOLED;

        /** The value as written in the configuration. */
        String value() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static final String FAMILY = "family";
    static final String CONNECTIONS = "connections";
    static final String EVENT_RECEIVE_BUFFER = "event-receive-buffer";
    static final String SOCKETS = "sockets";
    static final int DEFAULT_CONNECTIONS = 8;
    static final int DEFAULT_EVENT_RECEIVE_BUFFER = 4 << 20;

    /**
     * @throws ConfigurationException naming the key when a value is out of range
     */
    static NetlinkSettings from(KchannelConfig config) {
        String family = familyName(config);
        int connections = config.intSetting(NetlinkTransport.NAME, CONNECTIONS).orElse(DEFAULT_CONNECTIONS);
        if (connections < 1 || connections > 1024) {
            throw invalid(config, CONNECTIONS, "expected 1..1024 connections");
        }
        int buffer = config.intSetting(NetlinkTransport.NAME, EVENT_RECEIVE_BUFFER).orElse(DEFAULT_EVENT_RECEIVE_BUFFER);
        if (buffer < 4096) {
            throw invalid(config, EVENT_RECEIVE_BUFFER, "expected at least 4096 bytes");
        }
        return new NetlinkSettings(family, config.callTimeout(), connections, buffer, sockets(config));
    }

    private static Sockets sockets(KchannelConfig config) {
        String value = config.setting(NetlinkTransport.NAME, SOCKETS).orElse(Sockets.SHARED.value());
        for (Sockets mode : Sockets.values()) {
            if (mode.value().equals(value.strip())) {
                return mode;
            }
        }
        throw invalid(config, SOCKETS, "expected " + Sockets.SHARED.value() + " (one socket per channel, calls"
                + " multiplexed) or " + Sockets.POOLED.value() + " (a socket per call in progress)");
    }

    /** The configured family name, checked to be one nlctrl can look up. */
    static String familyName(KchannelConfig config) {
        String family = config.setting(NetlinkTransport.NAME, FAMILY).orElse(NetlinkTransport.DEFAULT_FAMILY);
        int bytes = family.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes >= Nlctrl.GENL_NAMSIZ) {
            throw invalid(config, FAMILY, "expected a Generic Netlink family name of 1.." + (Nlctrl.GENL_NAMSIZ - 1)
                    + " bytes");
        }
        return family;
    }

    private static ConfigurationException invalid(KchannelConfig config, String key, String expectation) {
        // Only a set value can be invalid: the defaults are valid.
        return config.lookupSetting(NetlinkTransport.NAME, key)
                .map(value -> ConfigurationException.invalidValue(value.key(), value.value(), value.origin(), expectation))
                .orElseThrow();
    }
}
