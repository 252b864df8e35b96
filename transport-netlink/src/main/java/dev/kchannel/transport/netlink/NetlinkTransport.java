// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import dev.kchannel.api.Availability;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.transport.netlink.genl.GenericNetlink;
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
        try {
            family = NetlinkSettings.familyName(config != null ? config : KchannelConfig.load());
        } catch (KchannelException e) {
            return Availability.unavailable("invalid configuration: " + e.getMessage(), e.errno(), e);
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

    /**
     * Opens a channel: its socket (or, with {@code kchannel.netlink.sockets=pooled}, its pool's
     * first one), on which it resolves the family (its id, version and events group) and nlctrl's
     * {@code notify} group.
     *
     * @throws TransportUnavailableException if the family is not registered or netlink cannot work here
     */
    @Override
    public KernelChannel open(KchannelConfig config) {
        NetlinkSettings settings = NetlinkSettings.from(Objects.requireNonNull(config, "config"));
        return NetlinkKernelChannel.open(settings);
    }

    static String notLoaded(String family) {
        return "kernel module " + MODULE + " is not loaded (Generic Netlink family '" + family + "' not found)";
    }

    @Override
    public String toString() {
        return "NetlinkTransport";
    }
}
