// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import dev.kchannel.api.Capabilities;
import dev.kchannel.api.Capability;
import dev.kchannel.api.EventListener;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.error.CallTimeoutException;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.support.CursorPagedDump;
import dev.kchannel.transport.netlink.genl.GenericFamily;
import dev.kchannel.transport.netlink.genl.GenericNetlink;
import dev.kchannel.transport.netlink.raw.NetlinkConnection;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A {@link KernelChannel} over the Generic Netlink family {@code kchan} (module
 * {@code kchan_netlink}). Capabilities: REQUEST_REPLY, DUMP (LIST paged by CURSOR), KERNEL_PUSH
 * and MULTICAST; no ONE_WAY.
 *
 * <h2>Threads</h2>
 * Each call borrows a Generic Netlink connection of its own from a small pool
 * ({@link ConnectionPool}) for the length of the call, so concurrent calls never share a socket
 * and their replies cannot cross; each connection numbers its own requests (the caller's seq is
 * replaced), and a reply carries its request's seq. {@link #callAsync} runs calls on a pool of daemon
 * threads, {@code kchan-netlink-call-N}, owned by the channel. Each subscription has its own
 * socket and reader thread ({@link EventSubscription}). {@link #close()} closes every socket, which
 * wakes blocked calls with {@link ChannelClosedException}, fails queued async calls the same way,
 * and ends every subscription.
 */
public final class NetlinkKernelChannel implements KernelChannel {

    private static final Capabilities CAPABILITIES = Capabilities.of(KchanProtocol.PAYLOAD_MAX,
            Capability.REQUEST_REPLY, Capability.DUMP, Capability.KERNEL_PUSH, Capability.MULTICAST);

    /** Re-resolved when the module was reloaded (the kernel hands out a new family id). */
    private volatile GenericFamily family;
    private final NetlinkSettings settings;
    private final ConnectionPool connections;
    private final ThreadPoolExecutor asyncThreads;
    private final Set<CompletableFuture<KchanMessage>> pendingAsync = ConcurrentHashMap.newKeySet();
    private final Set<EventSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final Object genlLock = new Object();
    private GenericNetlink genl;
    private volatile boolean closed;

    NetlinkKernelChannel(GenericFamily family, NetlinkSettings settings, ConnectionPool connections) {
        this.family = family;
        this.settings = settings;
        this.connections = connections;
        this.asyncThreads = new ThreadPoolExecutor(settings.connections(), settings.connections(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemonThreads());
        asyncThreads.allowCoreThreadTimeOut(true);
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "kchan-netlink-call-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
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

    /** The family this channel talks to, as last resolved (at open, or after a module reload). */
    public GenericFamily family() {
        return family;
    }

    @Override
    public KchanMessage call(KchanMessage request, Duration timeout) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("call timeout " + timeout + " is not positive");
        }
        requireOpen();
        GenericFamily sentTo = family;
        try {
            return callOnce(request, timeout, sentTo);
        } catch (KernelErrorException e) {
            if (!isStaleFamily(e)) {
                throw e;
            }
            // kchan_netlink was unloaded (and maybe loaded again): the id this channel knows is
            // gone. Look the family up again; if it is back, the call is retried once on its new id.
            GenericFamily now = resolveAgain(e);
            if (now.id() == sentTo.id()) {
                throw e;
            }
            family = now;
            return callOnce(request, timeout, now);
        }
    }

    /**
     * Generic Netlink answers a message for a family id it does not know with ENOENT and no
     * extended-ack text; kchan_netlink's own ENOENT (a missing key) always carries its message.
     */
    private static boolean isStaleFamily(KernelErrorException e) {
        return e.errno() == Errno.ENOENT && e.extAckMessage().isEmpty();
    }

    private GenericFamily resolveAgain(KernelErrorException cause) {
        NetlinkConnection connection = connections.borrow();
        try {
            connection.setTimeout(settings.callTimeout());
            GenericFamily now = GenericNetlink.over(connection).family(settings.family());
            connections.giveBack(connection);
            return now;
        } catch (NoSuchEntryException gone) {
            connections.giveBack(connection);
            throw new TransportUnavailableException(NetlinkTransport.NAME, "Generic Netlink family '"
                    + settings.family() + "' is gone: kernel module " + NetlinkTransport.MODULE
                    + " was unloaded; this channel works again once it is loaded", Errno.ENOENT, cause);
        } catch (RuntimeException e) {
            connections.discard(connection);
            throw e;
        }
    }

    private KchanMessage callOnce(KchanMessage request, Duration timeout, GenericFamily family) {
        NetlinkMessage outgoing = KchanGenlCodec.toNetlink(request, family);
        String operation = Command.describe(request.commandId());
        NetlinkConnection connection = connections.borrow();
        boolean reusable = false;
        try {
            connection.setTimeout(timeout);
            NetlinkMessage answer = connection.request(outgoing, operation);
            KchanMessage reply = KchanGenlCodec.toReply(answer, request, family);
            reusable = true;
            return reply;
        } catch (KernelErrorException e) {
            // The kernel's refusal leaves the socket in step; a failed system call may not.
            reusable = e.operation().filter(operation::equals).isPresent();
            throw e;
        } finally {
            if (reusable) {
                connections.giveBack(connection);
            } else {
                // After a timeout, bad bytes or a failed syscall, a fresh socket is cheaper than doubt.
                connections.discard(connection);
            }
        }
    }

    @Override
    public CompletableFuture<KchanMessage> callAsync(KchanMessage request) {
        Objects.requireNonNull(request, "request");
        CompletableFuture<KchanMessage> reply = new CompletableFuture<>();
        requireOpen();
        pendingAsync.add(reply);
        reply.whenComplete((value, error) -> pendingAsync.remove(reply));
        // The deadline runs from submission: a call queued behind busy threads must not get a
        // whole callTimeout() more once it starts (KernelChannel promises at most callTimeout()).
        long deadline = System.nanoTime() + callTimeout().toNanos();
        try {
            asyncThreads.execute(() -> {
                if (reply.isDone()) {
                    return; // cancelled (or the channel closed) before it started: send nothing
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    reply.completeExceptionally(new CallTimeoutException(NetlinkTransport.NAME,
                            request.command().name(), callTimeout()));
                    return;
                }
                try {
                    reply.complete(call(request, Duration.ofNanos(left)));
                } catch (Throwable e) {
                    // Errors too: a future left incomplete would hang its caller until close().
                    reply.completeExceptionally(e);
                    if (e instanceof Error) {
                        throw (Error) e;
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            reply.completeExceptionally(new ChannelClosedException(NetlinkTransport.NAME, e));
        }
        if (closed) {
            reply.completeExceptionally(new ChannelClosedException(NetlinkTransport.NAME));
        }
        return reply;
    }

    @Override
    public void send(KchanMessage message) {
        CAPABILITIES.require(Capability.ONE_WAY, NetlinkTransport.NAME);
    }

    /**
     * LIST and any other request, paged by CURSOR: each part is one call, sent when the stream
     * asks for it; a part with a CURSOR has MORE set and is followed by the request resumed after
     * it. Each part is bounded by {@link #callTimeout()}.
     */
    @Override
    public Stream<KchanMessage> dump(KchanMessage request) {
        Objects.requireNonNull(request, "request");
        requireOpen();
        return CursorPagedDump.stream(request, part -> call(part, callTimeout()));
    }

    @Override
    public Subscription subscribe(EventListener listener) {
        Objects.requireNonNull(listener, "listener");
        requireOpen();
        int group = family.multicastGroup(KchanProtocol.MCGRP_EVENTS).orElseThrow(() ->
                new MalformedMessageException(Reason.MISSING_ATTRIBUTE, -1, "Generic Netlink family " + family.name()
                        + " has no multicast group '" + KchanProtocol.MCGRP_EVENTS + "'")
                        .withTransport(NetlinkTransport.NAME));
        EventSubscription subscription = EventSubscription.start(family, group, settings.eventReceiveBuffer(),
                listener, subscriptions::remove);
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

    /**
     * Besides this channel itself: {@link GenericFamily}, the resolved {@code kchan} family; and
     * {@link GenericNetlink}, a Generic Netlink connection of the channel's own for requests this
     * SDK has no method for, closed with the channel and, like any connection, one operation at a
     * time.
     */
    @Override
    public <T> Optional<T> unwrap(Class<T> type) {
        if (type == GenericFamily.class) {
            return Optional.of(type.cast(family));
        }
        if (type == GenericNetlink.class) {
            requireOpen();
            synchronized (genlLock) {
                if (genl == null) {
                    genl = GenericNetlink.over(connections.borrow());
                }
                return Optional.of(type.cast(genl));
            }
        }
        return KernelChannel.super.unwrap(type);
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
        List<EventSubscription> ending = new ArrayList<>(subscriptions);
        for (EventSubscription subscription : ending) {
            subscription.close();
        }
        // Closing the sockets wakes calls blocked in a receive; they throw ChannelClosedException.
        connections.close();
        asyncThreads.shutdownNow();
        for (CompletableFuture<KchanMessage> reply : new ArrayList<>(pendingAsync)) {
            reply.completeExceptionally(new ChannelClosedException(NetlinkTransport.NAME));
        }
        synchronized (genlLock) {
            if (genl != null) {
                genl.close();
            }
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new ChannelClosedException(NetlinkTransport.NAME);
        }
    }

    @Override
    public String toString() {
        return "NetlinkKernelChannel[family " + family.name() + " id " + family.id() + (closed ? ", closed" : "") + "]";
    }
}
