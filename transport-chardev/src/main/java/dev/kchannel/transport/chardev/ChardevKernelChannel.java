// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.chardev;

import dev.kchannel.api.Capabilities;
import dev.kchannel.api.Capability;
import dev.kchannel.api.EventListener;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.support.BlockingCallRunner;
import dev.kchannel.api.support.CursorPagedDump;
import dev.kchannel.transport.chardev.ChardevSettings.CallMode;
import dev.kchannel.transport.chardev.ChardevSettings.EventMode;
import dev.kchannel.transport.chardev.raw.DeviceFile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A {@link KernelChannel} over the character device {@code /dev/kchan} (module
 * {@code kchan_chardev}). Capabilities: REQUEST_REPLY, DUMP (LIST paged by CURSOR), KERNEL_PUSH,
 * and ZERO_COPY when events come through the mmap'd ring; no ONE_WAY (every request has a reply)
 * and no MULTICAST (each subscription is a kchan_core subscriber with a queue of its own).
 *
 * <h2>Calls</h2>
 * The channel numbers each request (the caller's seq is replaced), sends it through its
 * {@link RequestPath}, checks that the reply answers it (REPLY flag, command, seq) and turns a
 * negative status into the api's typed exception with the kernel's ERRMSG and ERRATTR
 * ({@link KchanReplies#requireSuccess}), as on every transport.
 * <ul>
 *   <li>{@code kchannel.chardev.call=ioctl} (default): {@code KCHAN_IOC_CALL} on one open file
 *       that every thread shares, since the kernel runs any number of CALLs on a file at once
 *       ({@link IoctlRequestPath}).</li>
 *   <li>{@code readwrite}: {@code write(2)} then {@code read(2)} on an open file of the call's own
 *       from a pool, since replies queue per file ({@link ReadWriteRequestPath}).</li>
 * </ul>
 *
 * <h2>Timeouts</h2>
 * Both paths run the request in kchan_core inside the system call that sends it (the reply is
 * queued or copied out before it returns), so nothing is left to wait for that a timeout could
 * cut short: {@link #call(KchanMessage, Duration)} never throws
 * {@link dev.kchannel.api.error.CallTimeoutException}. {@link #callAsync} completes its future
 * with it once {@link #callTimeout()} has passed since submission ({@link BlockingCallRunner}).
 *
 * <h2>Events</h2>
 * Each subscription opens the node again (each open file is at most one subscriber) and reads on
 * a thread of its own: {@link ReadEventSubscription} ({@code kchannel.chardev.events=read}) or
 * {@link RingEventSubscription} ({@code ring}, the default). Both report losses from SEQ gaps,
 * exactly, as the other transports do.
 *
 * <h2>Threads</h2>
 * {@link #callAsync} runs calls on daemon threads {@code kchan-chardev-call-N}, at most
 * {@code kchannel.chardev.handles} at once. {@link #close()} ends every subscription, closes every
 * open file (once the calls running on it return) and fails pending async calls with
 * {@link ChannelClosedException}.
 */
public final class ChardevKernelChannel implements KernelChannel {

    private static final Capabilities WITH_RING = Capabilities.of(KchanProtocol.PAYLOAD_MAX,
            Capability.REQUEST_REPLY, Capability.DUMP, Capability.KERNEL_PUSH, Capability.ZERO_COPY);
    private static final Capabilities WITHOUT_RING = Capabilities.of(KchanProtocol.PAYLOAD_MAX,
            Capability.REQUEST_REPLY, Capability.DUMP, Capability.KERNEL_PUSH);

    private final ChardevSettings settings;
    private final RequestPath path;
    private final BlockingCallRunner async;
    private final AtomicInteger nextSeq = new AtomicInteger();
    private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    ChardevKernelChannel(ChardevSettings settings, RequestPath path) {
        this.settings = settings;
        this.path = path;
        this.async = new BlockingCallRunner(ChardevTransport.NAME, "kchan-chardev-call", settings.handles());
    }

    /**
     * Opens the node now (ioctl mode: the shared file; readwrite mode: the first pooled one), so
     * a missing module or a refused open fails here.
     *
     * @throws dev.kchannel.api.error.TransportUnavailableException if the node is missing or the
     *     caller may not open it
     */
    static ChardevKernelChannel open(ChardevSettings settings) {
        RequestPath path = settings.callMode() == CallMode.IOCTL
                ? new IoctlRequestPath(ChardevTransport.openDevice(settings.path()))
                : new ReadWriteRequestPath(() -> ChardevTransport.openDevice(settings.path()), settings.handles());
        return new ChardevKernelChannel(settings, path);
    }

    @Override
    public String transportName() {
        return ChardevTransport.NAME;
    }

    @Override
    public Capabilities capabilities() {
        return settings.eventMode() == EventMode.RING ? WITH_RING : WITHOUT_RING;
    }

    @Override
    public Duration callTimeout() {
        return settings.callTimeout();
    }

    /**
     * Sends {@code request} and returns its reply. See the class comment for why {@code timeout}
     * cannot cut a call short; it must still be positive.
     */
    @Override
    public KchanMessage call(KchanMessage request, Duration timeout) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("call timeout " + timeout + " is not positive");
        }
        requireOpen();
        KchanMessage numbered = request.withSeq(nextSeq.incrementAndGet());
        KchanMessage reply = path.exchange(numbered);
        try {
            KchanReplies.requireAnswers(numbered, reply);
        } catch (MalformedMessageException e) {
            throw e.transport().isPresent() ? e : e.withTransport(ChardevTransport.NAME);
        }
        return KchanReplies.requireSuccess(reply, ChardevTransport.NAME);
    }

    @Override
    public CompletableFuture<KchanMessage> callAsync(KchanMessage request) {
        Objects.requireNonNull(request, "request");
        requireOpen();
        return async.submit(request, callTimeout(), this::call);
    }

    @Override
    public void send(KchanMessage message) {
        capabilities().require(Capability.ONE_WAY, ChardevTransport.NAME);
    }

    /** LIST and any other request, paged by CURSOR: each part is one call, sent when the stream asks for it. */
    @Override
    public Stream<KchanMessage> dump(KchanMessage request) {
        Objects.requireNonNull(request, "request");
        requireOpen();
        return CursorPagedDump.stream(request, part -> call(part, callTimeout()));
    }

    /**
     * Opens the node again and makes that open file a kchan_core subscriber (SEQ from 0), through
     * the ring or read(2) as configured.
     *
     * @throws dev.kchannel.api.error.PermissionDeniedException ({@code EPERM}) if the caller lacks
     *     CAP_NET_ADMIN, which subscribing needs
     * @throws dev.kchannel.api.error.KernelErrorException with {@code EMFILE} when kchan_core has
     *     room for no more subscribers
     */
    @Override
    public Subscription subscribe(EventListener listener) {
        Objects.requireNonNull(listener, "listener");
        requireOpen();
        Subscription subscription = settings.eventMode() == EventMode.RING
                ? RingEventSubscription.start(settings.path(), settings.ringSize(), listener, subscriptions::remove)
                : ReadEventSubscription.start(settings.path(), listener, subscriptions::remove);
        subscriptions.add(subscription);
        if (!subscription.isActive()) {
            // It ended before it was added, so its onClose found nothing to remove.
            subscriptions.remove(subscription);
        }
        if (closed) {
            subscription.close();
            throw new ChannelClosedException(ChardevTransport.NAME);
        }
        return subscription;
    }

    /**
     * Besides this channel itself: in ioctl mode, the {@link DeviceFile} every call shares, to
     * use the raw layer on it (any ioctl, read, write, poll).
     */
    @Override
    public <T> Optional<T> unwrap(Class<T> type) {
        if (type == DeviceFile.class && path instanceof IoctlRequestPath ioctl) {
            return Optional.of(type.cast(ioctl.device()));
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
        for (Subscription subscription : new ArrayList<>(subscriptions)) {
            subscription.close();
        }
        async.close();
        path.close();
    }

    private void requireOpen() {
        if (closed) {
            throw new ChannelClosedException(ChardevTransport.NAME);
        }
    }

    @Override
    public String toString() {
        return "ChardevKernelChannel[" + settings.path() + ", " + settings.callMode().name().toLowerCase() + ", events "
                + settings.eventMode().name().toLowerCase() + (closed ? ", closed" : "") + "]";
    }
}
