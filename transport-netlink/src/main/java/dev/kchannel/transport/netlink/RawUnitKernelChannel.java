// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import dev.kchannel.api.Capabilities;
import dev.kchannel.api.Capability;
import dev.kchannel.api.EventListener;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.support.BlockingCallRunner;
import dev.kchannel.api.support.CursorPagedDump;
import dev.kchannel.transport.netlink.raw.NetlinkConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A {@link KernelChannel} over kchan_netlink's raw protocol unit ({@code kchannel.netlink.protocol=raw}):
 * the classic netlink style, one whole kchan message per {@code nlmsghdr}. Capabilities:
 * REQUEST_REPLY, DUMP (LIST paged by CURSOR) and KERNEL_PUSH; no MULTICAST (the kernel pushes to
 * each registered endpoint by unicast, from a kernel thread per endpoint) and no ONE_WAY.
 *
 * <h2>Requests</h2>
 * Each request goes out as {@code KCHAN_RAW_MSG_REQUEST} without {@code NLM_F_ACK}: the kernel
 * queues it and answers later with one {@code KCHAN_RAW_MSG_REPLY} carrying the same
 * {@code nlmsg_seq}, so an ack would only say "queued". The reply's kchan status is the outcome; an
 * errno becomes the api's typed exception with the kernel's ERRMSG text and ERRATTR attribute. A
 * request refused before it was queued (the queue is full) comes back as {@code NLMSG_ERROR}.
 *
 * <h2>Threads</h2>
 * As on Generic Netlink with pooled sockets ({@link PooledCallPath}): each call borrows a
 * connection of its own from a {@link ConnectionPool}, {@link #callAsync} runs calls on daemon
 * threads {@code kchan-raw-call-N} ({@link BlockingCallRunner}), and each subscription is an endpoint with its own socket and reader thread
 * ({@link RawUnitEndpoint}). {@link #close()} closes every socket, which wakes
 * blocked calls with {@link ChannelClosedException} and ends every subscription; the kernel
 * forgets an endpoint when its socket closes.
 */
public final class RawUnitKernelChannel implements KernelChannel {

    private static final Capabilities CAPABILITIES = Capabilities.of(KchanProtocol.PAYLOAD_MAX,
            Capability.REQUEST_REPLY, Capability.DUMP, Capability.KERNEL_PUSH);

    private final NetlinkSettings settings;
    private final PooledCallPath calls;
    private final BlockingCallRunner async;
    private final Set<RawUnitEndpoint> subscriptions = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    RawUnitKernelChannel(NetlinkSettings settings, ConnectionPool connections) {
        this.settings = settings;
        this.calls = new PooledCallPath(connections, settings.connections(), NetlinkConnection::exchange,
                "kchan-raw-call-");
        this.async = new BlockingCallRunner(NetlinkTransport.NAME, "kchan-raw-call", settings.connections());
    }

    @Override
    public String transportName() {
        return NetlinkTransport.NAME;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Duration callTimeout() {
        return settings.callTimeout();
    }

    /** The netlink protocol unit this channel talks on. */
    public int unit() {
        return settings.unit();
    }

    @Override
    public KchanMessage call(KchanMessage request, Duration timeout) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("call timeout " + timeout + " is not positive");
        }
        requireOpen();
        return RawUnitCodec.toReply(await(calls.request(RawUnitCodec.toNetlink(request),
                Command.describe(request.commandId()), timeout, System.nanoTime() + timeout.toNanos(), true)), request);
    }

    @Override
    public CompletableFuture<KchanMessage> callAsync(KchanMessage request) {
        Objects.requireNonNull(request, "request");
        requireOpen();
        return async.submit(request, callTimeout(), this::call);
    }

    /** The value of a call's future, or what it failed with, thrown as it was. */
    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw e;
        }
    }

    @Override
    public void send(KchanMessage message) {
        CAPABILITIES.require(Capability.ONE_WAY, NetlinkTransport.NAME);
    }

    /** LIST and any other request, paged by CURSOR, each part one call bounded by {@link #callTimeout()}. */
    @Override
    public Stream<KchanMessage> dump(KchanMessage request) {
        Objects.requireNonNull(request, "request");
        requireOpen();
        return CursorPagedDump.stream(request, part -> call(part, callTimeout()));
    }

    /**
     * Registers a new endpoint (HELLO, which needs CAP_NET_ADMIN) and delivers what the kernel
     * pushes to it; its sequence numbers start with the endpoint, so every loss is counted.
     *
     * @throws dev.kchannel.api.error.PermissionDeniedException without CAP_NET_ADMIN
     * @throws KernelErrorException with EMFILE when kchan_core has room for no more subscribers
     */
    @Override
    public Subscription subscribe(EventListener listener) {
        Objects.requireNonNull(listener, "listener");
        requireOpen();
        RawUnitEndpoint subscription = RawUnitEndpoint.register(settings.unit(),
                settings.eventReceiveBuffer(), settings.callTimeout(), listener, subscriptions::remove);
        subscriptions.add(subscription);
        if (!subscription.isActive()) {
            // It ended before it was added, so its onClose found nothing to remove.
            subscriptions.remove(subscription);
        }
        if (closed) {
            subscription.close();
            throw new ChannelClosedException(NetlinkTransport.NAME);
        }
        return subscription;
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (RawUnitEndpoint subscription : new ArrayList<>(subscriptions)) {
            subscription.close();
        }
        // Closing the sockets wakes calls blocked in a receive; they throw ChannelClosedException.
        calls.close();
        async.close();
    }

    private void requireOpen() {
        if (closed) {
            throw new ChannelClosedException(NetlinkTransport.NAME);
        }
    }

    @Override
    public String toString() {
        return "RawUnitKernelChannel[unit " + settings.unit() + (closed ? ", closed" : "") + "]";
    }
}
