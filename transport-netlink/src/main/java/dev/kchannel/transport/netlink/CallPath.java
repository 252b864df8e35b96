// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import dev.kchannel.transport.netlink.genl.GenericNetlink;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * How a channel's requests reach the kernel: multiplexed on one shared socket
 * ({@link SharedCallPath}, the default) or each on a socket of its own from a pool
 * ({@link PooledCallPath}); {@code kchannel.netlink.sockets} chooses. The channel puts the kchan
 * protocol, the family's id and its reload handling on top.
 */
interface CallPath extends AutoCloseable {

    /**
     * Sends {@code request} (a Generic Netlink doit, which the kernel answers with one message: a
     * reply, or {@code NLMSG_ERROR}) and completes with the reply, or with the exception a call
     * throws.
     *
     * @param timeout how long the answer may take, for messages
     * @param deadline the {@link System#nanoTime()} by which it must have come: passed down rather
     *     than read again, since a clock read is a system call on some machines (the lab's guest)
     * @param callerWaits true when the calling thread waits for the future anyway: a path that
     *     needs a thread per call may use the caller's
     */
    CompletableFuture<NetlinkMessage> request(NetlinkMessage request, String operation, Duration timeout,
            long deadline, boolean callerWaits);

    /** A Generic Netlink connection for {@code unwrap}, of the channel's own; the caller closes it. */
    GenericNetlink openGenericNetlink();

    /** What {@code unwrap} offers beyond the channel's own types. */
    <T> Optional<T> unwrap(Class<T> type);

    /** Closes every socket; pending calls fail with {@code ChannelClosedException}. */
    @Override
    void close();
}
