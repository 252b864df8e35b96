// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import dev.kchannel.api.Capabilities;
import dev.kchannel.api.Capability;
import dev.kchannel.api.EventListener;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.error.CallTimeoutException;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.KchanAttribute;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.support.CursorPagedDump;
import dev.kchannel.transport.netlink.genl.GenericFamily;
import dev.kchannel.transport.netlink.genl.GenericNetlink;
import dev.kchannel.transport.netlink.genl.Nlctrl;
import dev.kchannel.transport.netlink.raw.MultiplexedConnection;
import dev.kchannel.transport.netlink.raw.Netlink;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;
import dev.kchannel.transport.netlink.raw.NetlinkSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link KernelChannel} over the Generic Netlink family {@code kchan} (module
 * {@code kchan_netlink}). Capabilities: REQUEST_REPLY, DUMP (LIST paged by CURSOR), KERNEL_PUSH
 * and MULTICAST; no ONE_WAY.
 *
 * <h2>Threads and sockets</h2>
 * By default ({@code kchannel.netlink.sockets=shared}) every call of the channel goes through one
 * socket, numbered and matched to its reply by sequence number ({@link MultiplexedConnection});
 * {@link #callAsync} holds no thread while it waits, its future completes on the connection's
 * reader thread, and cancelling it forgets its sequence number. With {@code pooled}, each call
 * borrows a socket of its own from a {@link ConnectionPool} and {@code callAsync} runs on the
 * channel's threads ({@link PooledCallPath}). Each subscription has its own socket and reader
 * thread ({@link EventSubscription}). {@link #close()} closes every socket, fails every pending
 * call with {@link ChannelClosedException}, and ends every subscription.
 *
 * <h2>Module reloads</h2>
 * Unloading {@code kchan_netlink} unregisters the family; loading it again registers it under a
 * new id. The shared socket listens to nlctrl's {@code notify} group ({@link FamilyWatch}), so the
 * channel knows the family is gone (calls then fail with {@link TransportUnavailableException}
 * after one lookup, and nothing is sent to the old id) and learns its new id when it is back (calls
 * go there at once). Whatever the notifications missed, genl's bare {@code ENOENT} for an unknown
 * family id makes the channel look the family up again and retry the call once on the new id.
 */
public final class NetlinkKernelChannel implements KernelChannel {

    private static final Logger LOG = LoggerFactory.getLogger(NetlinkKernelChannel.class);

    private static final Capabilities CAPABILITIES = Capabilities.of(KchanProtocol.PAYLOAD_MAX,
            Capability.REQUEST_REPLY, Capability.DUMP, Capability.KERNEL_PUSH, Capability.MULTICAST);

    private final NetlinkSettings settings;
    private final FamilyWatch watch;
    private final CallPath calls;
    private final OptionalInt notifyGroup;
    private final Set<AsyncCall> pendingAsync = ConcurrentHashMap.newKeySet();
    private final Set<EventSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final Object genlLock = new Object();
    private GenericNetlink genl;
    private volatile boolean closed;

    /**
     * @param notifyGroup nlctrl's {@code notify} group id, which subscriptions join to follow
     *     reloads; empty if the kernel has none
     */
    NetlinkKernelChannel(FamilyWatch watch, NetlinkSettings settings, CallPath calls, OptionalInt notifyGroup) {
        this.watch = watch;
        this.settings = settings;
        this.calls = calls;
        this.notifyGroup = notifyGroup;
    }

    /**
     * Opens the sockets {@code settings} ask for and resolves the family (and nlctrl's
     * {@code notify} group) on them.
     *
     * @throws TransportUnavailableException if the family is not registered
     */
    static NetlinkKernelChannel open(NetlinkSettings settings) {
        return settings.sockets() == NetlinkSettings.Sockets.POOLED ? openPooled(settings) : openShared(settings);
    }

    private static NetlinkKernelChannel openShared(NetlinkSettings settings) {
        MultiplexedConnection connection = MultiplexedConnection.open(Netlink.NETLINK_GENERIC);
        try {
            Duration timeout = settings.callTimeout();
            // nlctrl's notify group first, so that no reload after the lookup below goes unseen.
            OptionalInt notify = GenericFamily.parse(connection.request(GenericNetlink.familyQuery(Nlctrl.FAMILY_NAME),
                    "CTRL_CMD_GETFAMILY " + Nlctrl.FAMILY_NAME, timeout)).multicastGroup(Nlctrl.NOTIFY_GROUP);
            FamilyWatch watch = new FamilyWatch(settings.family());
            connection.onMulticast(watch::onNotification);
            if (notify.isPresent()) {
                connection.joinGroup(notify.getAsInt());
            }
            watch.resolved(lookUp(settings.family(), () -> GenericFamily.parse(connection.request(
                    GenericNetlink.familyQuery(settings.family()), "CTRL_CMD_GETFAMILY " + settings.family(),
                    timeout))));
            return new NetlinkKernelChannel(watch, settings, new SharedCallPath(connection), notify);
        } catch (RuntimeException | LinkageError e) {
            connection.close();
            throw e;
        }
    }

    private static NetlinkKernelChannel openPooled(NetlinkSettings settings) {
        ConnectionPool connections = ConnectionPool.generic(settings.connections());
        try {
            GenericNetlink first = GenericNetlink.over(connections.borrow());
            first.connection().setTimeout(settings.callTimeout());
            OptionalInt notify = first.family(Nlctrl.FAMILY_NAME).multicastGroup(Nlctrl.NOTIFY_GROUP);
            FamilyWatch watch = new FamilyWatch(settings.family());
            watch.resolved(lookUp(settings.family(), () -> first.family(settings.family())));
            connections.giveBack(first.connection());
            return new NetlinkKernelChannel(watch, settings, new PooledCallPath(connections, settings.connections()),
                    notify);
        } catch (RuntimeException | LinkageError e) {
            connections.close();
            throw e;
        }
    }

    private static GenericFamily lookUp(String family, java.util.function.Supplier<GenericFamily> lookup) {
        try {
            return lookup.get();
        } catch (NoSuchEntryException e) {
            throw new TransportUnavailableException(NetlinkTransport.NAME, NetlinkTransport.notLoaded(family),
                    Errno.ENOENT, e);
        }
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

    /** The family this channel talks to, as last resolved or announced (at open, after a reload). */
    public GenericFamily family() {
        return watch.current();
    }

    @Override
    public KchanMessage call(KchanMessage request, Duration timeout) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("call timeout " + timeout + " is not positive");
        }
        requireOpen();
        return await(new AsyncCall(request, timeout, true).start());
    }

    @Override
    public CompletableFuture<KchanMessage> callAsync(KchanMessage request) {
        Objects.requireNonNull(request, "request");
        requireOpen();
        AsyncCall call = new AsyncCall(request, callTimeout(), false);
        pendingAsync.add(call);
        CompletableFuture<KchanMessage> reply = call.start();
        if (closed) {
            reply.completeExceptionally(new ChannelClosedException(NetlinkTransport.NAME));
        }
        return reply;
    }

    /** The value of a call's future, or what it failed with, thrown as it was. */
    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw e;
        }
    }

    /**
     * One call, from the first send to its reply: the family's id is chosen when it is sent, a
     * stale one is looked up again and the call retried once, and the deadline covers it all.
     * Asynchronous throughout (each step continues on the thread that completed the one before),
     * so a call on the shared socket holds no thread; the blocking {@link #call} waits for it.
     */
    private final class AsyncCall {
        private final KchanMessage request;
        private final String operation;
        private final Duration timeout;
        private final long deadline;
        private final boolean callerWaits;
        private final CompletableFuture<KchanMessage> result = new CompletableFuture<>();
        private volatile CompletableFuture<?> step;
        private volatile boolean retried;

        AsyncCall(KchanMessage request, Duration timeout, boolean callerWaits) {
            this.request = request;
            this.operation = Command.describe(request.commandId());
            this.timeout = timeout;
            this.deadline = System.nanoTime() + timeout.toNanos();
            this.callerWaits = callerWaits;
        }

        CompletableFuture<KchanMessage> start() {
            result.whenComplete((value, error) -> {
                pendingAsync.remove(this);
                if (result.isCancelled()) {
                    // Forgets the request's sequence number: a late reply is dropped and counted.
                    CompletableFuture<?> current = step;
                    if (current != null) {
                        current.cancel(false);
                    }
                }
            });
            if (watch.gone()) {
                // Announced gone: look it up rather than send to an id genl may give to another family.
                retried = true;
                lookUpThenSend(null, null);
            } else {
                send(watch.current());
            }
            return result;
        }

        private void send(GenericFamily family) {
            NetlinkMessage outgoing;
            try {
                outgoing = KchanGenlCodec.toNetlink(request, family);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            Duration left = left();
            if (left == null) {
                return;
            }
            track(calls.request(outgoing, operation, left, deadline, callerWaits)).whenComplete((answer, error) -> {
                if (error == null) {
                    try {
                        result.complete(KchanGenlCodec.toReply(answer, request, family));
                    } catch (RuntimeException e) {
                        result.completeExceptionally(e);
                    }
                    return;
                }
                Throwable cause = unwrap(error);
                if (!retried && isStaleFamily(cause)) {
                    // kchan_netlink was unloaded (and maybe loaded again): the id this channel knew is gone.
                    retried = true;
                    lookUpThenSend((KernelErrorException) cause, family);
                } else if (cause instanceof KernelErrorException) {
                    // The raw layer blames attributes by number; here they are kchan's.
                    result.completeExceptionally(((KernelErrorException) cause).withAttributeNames(KchanAttribute::describe));
                } else {
                    result.completeExceptionally(cause);
                }
            });
        }

        /** Looks the family up; sends the call to it if it is there under another id than {@code stale}. */
        private void lookUpThenSend(KernelErrorException staleError, GenericFamily stale) {
            Duration left = left();
            if (left == null) {
                return;
            }
            track(resolve(left, callerWaits)).whenComplete((now, error) -> {
                if (error != null) {
                    Throwable cause = unwrap(error);
                    result.completeExceptionally(cause instanceof NoSuchEntryException
                            ? gone(staleError != null ? staleError : cause) : cause);
                } else if (stale != null && now.id() == stale.id()) {
                    result.completeExceptionally(staleError);
                } else {
                    send(now);
                }
            });
        }

        /**
         * What is left of the deadline, or null after failing the call with a timeout. The first
         * attempt has it all without reading the clock again: one read per call, since on some
         * machines (the lab's guest, whose clock source is the HPET) each is a system call.
         */
        private Duration left() {
            if (!retried) {
                return timeout;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                result.completeExceptionally(new CallTimeoutException(NetlinkTransport.NAME, operation, timeout));
                return null;
            }
            return Duration.ofNanos(left);
        }

        private <T> CompletableFuture<T> track(CompletableFuture<T> next) {
            step = next;
            if (result.isCancelled()) {
                next.cancel(false);
            }
            return next;
        }
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /**
     * Generic Netlink answers a message for a family id it does not know with ENOENT and no
     * extended-ack text; kchan_netlink's own ENOENT (a missing key) always carries its message.
     */
    private static boolean isStaleFamily(Throwable e) {
        return e instanceof KernelErrorException && ((KernelErrorException) e).errno() == Errno.ENOENT
                && ((KernelErrorException) e).extAckMessage().isEmpty();
    }

    private TransportUnavailableException gone(Throwable cause) {
        return new TransportUnavailableException(NetlinkTransport.NAME, "Generic Netlink family '" + settings.family()
                + "' is gone: kernel module " + NetlinkTransport.MODULE + " was unloaded; this channel works again"
                + " once it is loaded", Errno.ENOENT, cause);
    }

    /** Asks nlctrl for the family; the answer (or its absence) updates {@link #watch}. */
    private CompletableFuture<GenericFamily> resolve(Duration timeout, boolean callerWaits) {
        return calls.request(GenericNetlink.familyQuery(settings.family()), "CTRL_CMD_GETFAMILY " + settings.family(),
                timeout, System.nanoTime() + timeout.toNanos(), callerWaits).handle((answer, error) -> {
                    if (error != null) {
                        Throwable cause = unwrap(error);
                        if (cause instanceof NoSuchEntryException) {
                            watch.notFound();
                        }
                        throw cause instanceof RuntimeException ? (RuntimeException) cause
                                : new CompletionException(cause);
                    }
                    GenericFamily now = GenericFamily.parse(answer);
                    watch.resolved(now);
                    return now;
                });
    }

    /** The family now, looked up; {@link TransportUnavailableException} if it is not registered. */
    private GenericFamily resolveNow() {
        try {
            return await(resolve(callTimeout(), true));
        } catch (NoSuchEntryException e) {
            throw gone(e);
        }
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

    /**
     * Opens the subscription's socket, joins nlctrl's {@code notify} group, then looks the family
     * up (so that no reload goes unseen between the two) and joins its {@code events} group.
     */
    @Override
    public Subscription subscribe(EventListener listener) {
        Objects.requireNonNull(listener, "listener");
        requireOpen();
        NetlinkSocket socket = NetlinkSocket.open(Netlink.NETLINK_GENERIC);
        GenericFamily family;
        try {
            socket.setReceiveBufferSize(settings.eventReceiveBuffer());
            // Events are kchan messages: one recvfrom each, no size peek (BENCHMARKS.md).
            socket.setLargestDatagram(KchanGenlCodec.LARGEST_DATAGRAM);
            if (notifyGroup.isPresent()) {
                socket.joinGroup(notifyGroup.getAsInt());
            }
            family = resolveNow();
            socket.joinGroup(EventSubscription.eventsGroup(family));
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
        EventSubscription subscription = EventSubscription.start(EventSocket.of(socket), family, watch,
                this::resolveNow, listener, subscriptions::remove);
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
     * Besides this channel itself: {@link GenericFamily}, the resolved {@code kchan} family;
     * {@link GenericNetlink}, a Generic Netlink connection of the channel's own for requests this
     * SDK has no method for, closed with the channel and, like any connection, one operation at a
     * time; and with shared sockets {@link MultiplexedConnection}, the channel's socket itself, for
     * its counters ({@code socketsOpened()}, {@code lateReplies()}, ...) and for raw requests of any
     * family from many threads at once (do not close it: the channel does).
     */
    @Override
    public <T> Optional<T> unwrap(Class<T> type) {
        if (type == GenericFamily.class) {
            return Optional.of(type.cast(watch.current()));
        }
        if (type == GenericNetlink.class) {
            requireOpen();
            synchronized (genlLock) {
                if (genl == null) {
                    genl = calls.openGenericNetlink();
                }
                return Optional.of(type.cast(genl));
            }
        }
        Optional<T> own = calls.unwrap(type);
        return own.isPresent() ? own : KernelChannel.super.unwrap(type);
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
        calls.close();
        for (AsyncCall call : new ArrayList<>(pendingAsync)) {
            call.result.completeExceptionally(new ChannelClosedException(NetlinkTransport.NAME));
        }
        synchronized (genlLock) {
            if (genl != null) {
                genl.close();
            }
        }
        LOG.debug("closed {}", this);
    }

    private void requireOpen() {
        if (closed) {
            throw new ChannelClosedException(NetlinkTransport.NAME);
        }
    }

    @Override
    public String toString() {
        return "NetlinkKernelChannel[" + watch + ", " + calls + (closed ? ", closed" : "") + "]";
    }
}
