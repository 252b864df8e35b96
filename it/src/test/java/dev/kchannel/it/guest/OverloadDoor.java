// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.config.KchannelConfig;
import java.util.List;

/**
 * A door that can push events, configured for the overload suite, with what it buffers between
 * kchan_core's subscriber queue and the listener: the suite bounds how many events a stalled
 * listener can still receive by the kernel queue plus this buffer.
 *
 * @param label how reports name it
 * @param door the door, for its transport and STATS counter
 * @param config its settings, with the buffer below set explicitly
 * @param bufferBytes bytes of events the transport can hold outside kchan_core's queue while the
 *     listener is stalled: the subscription socket's receive queue (netlink: the kernel doubles
 *     SO_RCVBUF, and admits one datagram past it), the SDK's read buffer (procfs, chardev read), or
 *     the mmap'd ring (chardev ring)
 * @param socketLosesEvents whether events can also be lost at the subscription's socket, where
 *     kchan_core does not count them but netlink does (sk_drops, /proc/net/netlink "Drops"): true
 *     for Generic Netlink multicast; the raw unit's endpoint thread retries instead of dropping
 */
record OverloadDoor(String label, StressDoor door, KchannelConfig config, long bufferBytes, boolean socketLosesEvents) {

    /** The netlink subscription socket's SO_RCVBUF request (the transport's minimum is 4096). */
    static final int NETLINK_RECEIVE_BUFFER = 65536;
    /** The procfs subscription's read buffer. */
    static final int PROCFS_EVENT_BUFFER = 65536;
    /** The chardev ring's data size (its minimum). */
    static final int CHARDEV_RING = 262144;
    /**
     * The chardev read(2) subscription's buffer: 4 KiB, doubled only for an event that does not
     * fit, at most KCHAN_MSG_MAX; counted here at 64 KiB, more than it reaches with these events.
     */
    static final int CHARDEV_READ_BUFFER_BOUND = 65536;

    static List<OverloadDoor> all() {
        String buffer = Integer.toString(NETLINK_RECEIVE_BUFFER);
        return List.of(
                new OverloadDoor("netlink genl", StressDoor.netlinkGenl(),
                        settings().setting("netlink", "event-receive-buffer", buffer).build(),
                        2L * NETLINK_RECEIVE_BUFFER, true),
                new OverloadDoor("netlink raw unit", StressDoor.netlinkRawUnit(),
                        settings().setting("netlink", "protocol", "raw")
                                .setting("netlink", "event-receive-buffer", buffer).build(),
                        2L * NETLINK_RECEIVE_BUFFER, false),
                new OverloadDoor("procfs", StressDoor.procfs(),
                        settings().setting("procfs", "event-buffer", Integer.toString(PROCFS_EVENT_BUFFER)).build(),
                        PROCFS_EVENT_BUFFER, false),
                new OverloadDoor("chardev ring", StressDoor.chardevIoctl(),
                        settings().setting("chardev", "events", "ring")
                                .setting("chardev", "ring-size", Integer.toString(CHARDEV_RING)).build(),
                        CHARDEV_RING, false),
                new OverloadDoor("chardev read", StressDoor.chardevReadWrite(),
                        settings().setting("chardev", "call", "readwrite").setting("chardev", "events", "read").build(),
                        CHARDEV_READ_BUFFER_BOUND, false));
    }

    KernelChannel open() {
        return door.transport().get().open(config);
    }

    private static KchannelConfig.Builder settings() {
        return KchannelConfig.builder().callTimeout(StressDoor.CALL_TIMEOUT);
    }

    @Override
    public String toString() {
        return label;
    }
}
