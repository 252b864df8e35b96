// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import dev.kchannel.api.Availability;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.transport.netlink.genl.GenericNetlink;
import dev.kchannel.transport.netlink.raw.NetlinkConnection;
import dev.kchannel.transport.netlink.raw.NetlinkSocket;
import java.util.Locale;
import java.util.Objects;

/**
 * The {@code netlink} transport: kchan over the Generic Netlink family {@code kchan}, served by the
 * kernel module {@code kchan_netlink}. Registered for {@link java.util.ServiceLoader} and, through
 * {@link NetlinkTransportModule}, for Guice.
 *
 * <p>Settings: {@code kchannel.netlink.family} (default {@value #DEFAULT_FAMILY}),
 * {@code kchannel.netlink.sockets}, {@code kchannel.netlink.connections},
 * {@code kchannel.netlink.event-receive-buffer}, and {@code kchannel.call-timeout}; see
 * {@link NetlinkKernelChannel} for what they govern.
 *
 * <p>The constructor does nothing. {@link #availability()} asks nlctrl for the family, each time,
 * since the module may come and go; without a configuration of its own it reads the process's
 * ({@link KchannelConfig#load()}) for the family name.
 */
public final class NetlinkTransport implements KernelTransport {

    /** The name in {@code kchannel.transport}. */
    public static final String NAME = "netlink";
    /** The family looked up unless {@code kchannel.netlink.family} says otherwise. */
    public static final String DEFAULT_FAMILY = "kchan";
    /** The kernel module that registers the family. */
    public static final String MODULE = "kchan_netlink";

    private final KchannelConfig config;

    /** For ServiceLoader and Guice: availability reads the process's configuration when asked. */
    public NetlinkTransport() {
        this.config = null;
    }

    /** A transport whose {@link #availability()} uses {@code config}'s family name. */
    public NetlinkTransport(KchannelConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Availability availability() {
        String os = System.getProperty("os.name", "unknown");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Availability.unavailable("not Linux (" + os + ")", Errno.EOPNOTSUPP, null);
        }
        String family;
        NetlinkSettings settings = null;
        try {
            KchannelConfig effective = config != null ? config : KchannelConfig.load();
            family = NetlinkSettings.familyName(effective);
            if (NetlinkSettings.protocol(effective) == NetlinkSettings.Protocol.RAW) {
                settings = NetlinkSettings.from(effective);
            }
        } catch (KchannelException e) {
            return Availability.unavailable("invalid configuration: " + e.getMessage(), e.errno(), e);
        }
        if (settings != null) {
            return rawUnitAvailability(settings.unit());
        }
        try (GenericNetlink genl = GenericNetlink.open()) {
            genl.family(family);
            return Availability.available();
        } catch (NoSuchEntryException e) {
            return Availability.unavailable(notLoaded(family), Errno.ENOENT, e);
        } catch (TransportUnavailableException e) {
            return Availability.unavailable(e.reason(), e.errno(), e);
        } catch (KchannelException e) {
            return Availability.unavailable("cannot ask nlctrl for Generic Netlink family '" + family + "': "
                    + e.getMessage(), e.errno(), e);
        } catch (LinkageError e) {
            // jnr-ffi or its native stub could not load: this machine cannot make the system calls.
            return Availability.unavailable("cannot load jnr-ffi: " + e, Errno.EOPNOTSUPP, e);
        }
    }

    /** Whether a socket opens on the raw unit: the kernel refuses units nobody registered. */
    private static Availability rawUnitAvailability(int unit) {
        try (NetlinkSocket socket = NetlinkSocket.open(unit)) {
            return Availability.available();
        } catch (KernelErrorException e) {
            if (e.errno() == Errno.EPROTONOSUPPORT) {
                return Availability.unavailable(rawUnitNotLoaded(unit), e.errno(), e);
            }
            return Availability.unavailable("cannot open netlink protocol unit " + unit + ": " + e.getMessage(),
                    e.errno(), e);
        } catch (KchannelException e) {
            return Availability.unavailable("cannot open netlink protocol unit " + unit + ": " + e.getMessage(),
                    e.errno(), e);
        } catch (LinkageError e) {
            return Availability.unavailable("cannot load jnr-ffi: " + e, Errno.EOPNOTSUPP, e);
        }
    }

    /**
     * Opens a channel: with {@code kchannel.netlink.protocol=raw}, a {@link RawUnitKernelChannel}
     * on the raw unit, whose first socket is opened now to fail fast; otherwise a Generic Netlink
     * channel: its socket (or, with {@code kchannel.netlink.sockets=pooled}, its pool's first
     * one), on which it resolves the family (its id, version and events group) and nlctrl's
     * {@code notify} group.
     *
     * @throws TransportUnavailableException if the family is not registered or netlink cannot work here
     */
    @Override
    public KernelChannel open(KchannelConfig config) {
        NetlinkSettings settings = NetlinkSettings.from(Objects.requireNonNull(config, "config"));
        if (settings.protocol() == NetlinkSettings.Protocol.RAW) {
            return openRawUnit(settings);
        }
        return NetlinkKernelChannel.open(settings);
    }

    private static KernelChannel openRawUnit(NetlinkSettings settings) {
        ConnectionPool connections = new ConnectionPool(() -> NetlinkConnection.open(settings.unit()),
                settings.connections());
        try {
            connections.giveBack(connections.borrow());
            return new RawUnitKernelChannel(settings, connections);
        } catch (KernelErrorException e) {
            connections.close();
            if (e.errno() == Errno.EPROTONOSUPPORT) {
                throw new TransportUnavailableException(NAME, rawUnitNotLoaded(settings.unit()), e.errno(), e);
            }
            throw e;
        } catch (RuntimeException | LinkageError e) {
            connections.close();
            throw e;
        }
    }

    private static String rawUnitNotLoaded(int unit) {
        return Availability.moduleNotLoaded(MODULE, "no netlink protocol unit " + unit
                + "; its raw_unit parameter must match kchannel.netlink.unit");
    }

    static String notLoaded(String family) {
        return Availability.moduleNotLoaded(MODULE, "Generic Netlink family '" + family + "' not found");
    }

    @Override
    public String toString() {
        return "NetlinkTransport";
    }
}
