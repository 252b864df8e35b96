// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.ConfigurationException;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.transport.netlink.genl.Nlctrl;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

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
 * @param protocol {@code kchannel.netlink.protocol}: {@code genl} (default), the Generic Netlink
 *     family, or {@code raw}, kchan_netlink's raw protocol unit
 * @param unit {@code kchannel.netlink.unit}: the raw unit's number, as kchan_netlink's
 *     {@code raw_unit} parameter; default {@code KCHAN_RAW_UNIT_DEFAULT}
 */
record NetlinkSettings(String family, Duration callTimeout, int connections, int eventReceiveBuffer,
        Sockets sockets, Protocol protocol, int unit) {

    /** How calls reach the kernel: {@code kchannel.netlink.sockets}. */
    enum Sockets {
        /** One socket per channel, calls multiplexed by sequence number ({@link SharedCallPath}). */
        SHARED,
        /** A socket per call in progress, from a pool ({@link PooledCallPath}). */
        POOLED;

        /** The value as written in the configuration. */
        String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Which of kchan_netlink's doors a channel uses: {@code kchannel.netlink.protocol}. */
    enum Protocol {
        /** The Generic Netlink family. */
        GENL,
        /** The raw protocol unit, kchan messages in {@code nlmsghdr}. */
        RAW;

        /** The value as written in the configuration. */
        String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final String FAMILY = "family";
    static final String CONNECTIONS = "connections";
    static final String EVENT_RECEIVE_BUFFER = "event-receive-buffer";
    static final String PROTOCOL = "protocol";
    static final String UNIT = "unit";
    /** {@code MAX_LINKS} in the kernel: netlink protocol units are 0..31. */
    static final int UNIT_LIMIT = 32;
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
        Protocol protocol = protocol(config);
        int unit = config.intSetting(NetlinkTransport.NAME, UNIT).orElse(KchanProtocol.RAW_UNIT_DEFAULT);
        if (unit < 0 || unit >= UNIT_LIMIT) {
            throw invalid(config, UNIT, "expected a netlink protocol unit 0.." + (UNIT_LIMIT - 1));
        }
        return new NetlinkSettings(family, config.callTimeout(), connections, buffer, sockets(config), protocol,
                unit);
    }

    /** The configured door: {@code genl} unless {@code kchannel.netlink.protocol} says {@code raw}. */
    static Protocol protocol(KchannelConfig config) {
        String name = config.setting(NetlinkTransport.NAME, PROTOCOL).orElse(Protocol.GENL.value());
        for (Protocol protocol : Protocol.values()) {
            if (protocol.value().equals(name.strip())) {
                return protocol;
            }
        }
        throw invalid(config, PROTOCOL, "expected genl or raw");
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
