// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.message.TransportId;
import dev.kchannel.transport.chardev.ChardevTransport;
import dev.kchannel.transport.netlink.NetlinkTransport;
import dev.kchannel.transport.procfs.ProcfsTransport;
import dev.kchannel.transport.sockopt.SockoptTransport;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * One way into kchan_core as a user configures it: a transport plus the settings that choose its
 * door (Generic Netlink or the raw unit, ioctl or write/read), and the counter STATS keeps for it.
 * The stress and overload suites run once per door; the contract tests ({@code *ContractGuestTest})
 * are where each configuration is shown to work at all.
 *
 * @param label how reports name it
 * @param transport builds the transport
 * @param config the settings for {@link KernelTransport#open}
 * @param counter the transport id under which kchan_core counts its requests, events and drops
 */
record StressDoor(String label, Supplier<KernelTransport> transport, KchannelConfig config, TransportId counter) {

    /**
     * Calls get this long: 64 threads share one channel under TCG emulation, where a call that
     * queues behind the other 63 can take far longer than on hardware. A call that takes longer
     * still is a failure the suite reports.
     */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    static StressDoor netlinkGenl() {
        return new StressDoor("netlink genl", NetlinkTransport::new, base().build(), TransportId.NETLINK);
    }

    static StressDoor netlinkRawUnit() {
        return new StressDoor("netlink raw unit", NetlinkTransport::new,
                base().setting("netlink", "protocol", "raw").build(), TransportId.NETLINK);
    }

    static StressDoor procfs() {
        return new StressDoor("procfs", ProcfsTransport::new, base().build(), TransportId.PROCFS);
    }

    static StressDoor sockopt() {
        return new StressDoor("sockopt", SockoptTransport::new, base().build(), TransportId.SOCKOPT);
    }

    static StressDoor chardevIoctl() {
        return new StressDoor("chardev ioctl", ChardevTransport::new, base().build(), TransportId.CHARDEV);
    }

    static StressDoor chardevReadWrite() {
        return new StressDoor("chardev read/write", ChardevTransport::new,
                base().setting("chardev", "call", "readwrite").setting("chardev", "events", "read").build(),
                TransportId.CHARDEV);
    }

    /** Every door with request/reply: all of them. */
    static List<StressDoor> all() {
        return List.of(netlinkGenl(), netlinkRawUnit(), procfs(), sockopt(), chardevIoctl(), chardevReadWrite());
    }

    /** The doors that can push events: all but sockopt. */
    static List<StressDoor> pushCapable() {
        return List.of(netlinkGenl(), netlinkRawUnit(), procfs(), chardevIoctl(), chardevReadWrite());
    }

    /** Every module the doors need, kchan_core first. */
    static final List<String> MODULES = List.of("kchan_core", "kchan_netlink", "kchan_procfs", "kchan_sockopt",
            "kchan_chardev");

    KernelChannel open() {
        return transport.get().open(config);
    }

    private static KchannelConfig.Builder base() {
        return KchannelConfig.builder().callTimeout(CALL_TIMEOUT);
    }

    @Override
    public String toString() {
        return label;
    }
}
