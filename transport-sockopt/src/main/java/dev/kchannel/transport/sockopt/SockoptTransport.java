// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.sockopt;

import dev.kchannel.api.Availability;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.MessageCodec;
import dev.kchannel.transport.sockopt.raw.InetSocket;
import dev.kchannel.transport.sockopt.raw.OptionGrowth;
import java.util.Locale;
import java.util.Objects;

/**
 * The {@code sockopt} transport: kchan over the netfilter sockopts of the kernel module
 * {@code kchan_sockopt}, at level {@code IPPROTO_IP} of an {@code AF_INET} datagram socket.
 * Registered for {@link java.util.ServiceLoader} and, through {@link SockoptTransportModule}, for
 * Guice.
 *
 * <p>Settings: {@code kchannel.sockopt.initial-buffer}, {@code kchannel.sockopt.async-threads}
 * and {@code kchannel.call-timeout}; see {@link SockoptSettings}.
 *
 * <p>The constructor does nothing. {@link #availability()} asks the kernel each time (the module
 * may come and go): it opens a socket and makes one STATS get, which needs no privilege;
 * {@code ENOPROTOOPT} means no module serves kchan_sockopt's options.
 */
public final class SockoptTransport implements KernelTransport {

    /** The name in {@code kchannel.transport}. */
    public static final String NAME = "sockopt";
    /** The kernel module that serves the options. */
    public static final String MODULE = "kchan_sockopt";

    /** For ServiceLoader and Guice. */
    public SockoptTransport() {
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
        try (InetSocket socket = InetSocket.open()) {
            KchanMessage stats = KchanRequests.stats();
            socket.getOptionGrowing(InetSocket.IPPROTO_IP, KchanProtocol.SO_STATS, MessageCodec.encode(stats),
                    OptionGrowth.upTo(KchanProtocol.MSG_MAX));
            return Availability.available();
        } catch (KernelErrorException e) {
            if (e.errno() == Errno.ENOPROTOOPT) {
                return Availability.unavailable(notLoaded(), e.errno(), null);
            }
            return Availability.unavailable("a STATS get through " + MODULE + " failed: " + e.getMessage(), e.errno(), e);
        } catch (TransportUnavailableException e) {
            return Availability.unavailable(e.reason(), e.errno(), e);
        } catch (LinkageError e) {
            // jnr-ffi or its native stub could not load: this machine cannot make the system calls.
            return Availability.unavailable("cannot load jnr-ffi: " + e, Errno.EOPNOTSUPP, e);
        }
    }

    /**
     * Opens a channel on a new socket. Nothing is asked of the kernel: a missing module shows on
     * the first call, as {@link TransportUnavailableException}; check {@link #availability()} first
     * to learn it sooner.
     */
    @Override
    public KernelChannel open(KchannelConfig config) {
        SockoptSettings settings = SockoptSettings.from(Objects.requireNonNull(config, "config"));
        InetSocket socket = InetSocket.open();
        return new SockoptKernelChannel(settings, OptionSocket.over(socket), socket);
    }

    static String notLoaded() {
        return Availability.moduleNotLoaded(MODULE, "no module serves socket options "
                + KchanProtocol.SO_ECHO + ".." + KchanProtocol.SO_MAX + " at level IPPROTO_IP");
    }

    @Override
    public String toString() {
        return "SockoptTransport";
    }
}
