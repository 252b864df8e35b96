// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs;

import dev.kchannel.api.Capabilities;
import dev.kchannel.api.Capability;
import dev.kchannel.api.EventListener;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.MessageCodec;
import dev.kchannel.api.support.BlockingCallRunner;
import dev.kchannel.api.support.CursorPagedDump;
import java.nio.ByteBuffer;
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
 * A {@link KernelChannel} over the files of {@code /proc/kchan} (module {@code kchan_procfs}).
 * Capabilities: REQUEST_REPLY, DUMP (LIST paged by CURSOR) and KERNEL_PUSH; no ONE_WAY (every
 * write to the call file has a reply to read) and no MULTICAST (each open of the events file is a
 * subscriber with a queue of its own).
 *
 * <h2>Calls</h2>
 * Each call borrows an open handle on {@code call} of its own from a small pool
 * ({@link CallFilePool}), since the file keeps its state per open file: it numbers the request
 * (the caller's seq is replaced), writes it whole with one {@code write(2)}, reads the reply to
 * end of file, decodes it, checks that it answers the request (REPLY flag, command, seq) and turns
 * a negative status into the api's typed exception with the kernel's ERRMSG and ERRATTR
 * ({@link KchanReplies#requireSuccess}). A write the kernel refuses before taking the request
 * ({@code EINVAL} for bad framing, {@code EMSGSIZE} above {@code KCHAN_MSG_MAX}) throws
 * {@link KernelErrorException} with operation {@code write /proc/kchan/call}, and the handle
 * stays in use; after any other failure it is closed rather than reused. A write failing with
 * {@code EIO} on a kept handle means the module was unloaded under it: the kept handles are
 * dropped and the call tried once more on a new one, which works if the module is back and
 * otherwise throws {@link dev.kchannel.api.error.TransportUnavailableException}. A read failing
 * with {@code EIO} after its write succeeded means the module went away with the request in
 * flight: that throws {@code TransportUnavailableException} (errno {@code EIO}) at once, without a
 * retry, since the request may have run.
 *
 * <h2>Timeouts</h2>
 * The call file is a regular proc file: {@code poll(2)} always reports it ready, and its write
 * runs the request in kchan_core there and then (the reply is ready when the write returns), so
 * there is nothing to wait for that a timeout could cut short, and the system calls cannot be
 * interrupted. So {@link #call(KchanMessage, Duration)} never throws
 * {@link dev.kchannel.api.error.CallTimeoutException}: it returns when the kernel is done, which
 * takes as long as the request's own work (a LIST part, a 64 KiB copy) plus waiting for
 * kchan_core's locks. {@link #callAsync} keeps its promise anyway: its future completes with
 * {@code CallTimeoutException} once {@link #callTimeout()} has passed since submission, whether
 * the call is still queued (it is then never sent) or running (its reply is then dropped), see
 * {@link BlockingCallRunner}. Each part of a {@link #dump} is one call.
 *
 * <h2>Threads</h2>
 * {@link #callAsync} runs calls on daemon threads {@code kchan-procfs-call-N}, at most
 * {@code kchannel.procfs.handles} at once. Each subscription opens the events file and reads it on
 * a thread of its own ({@link ProcfsEventSubscription}). {@link #close()} ends every
 * subscription, closes every handle and fails pending async calls with
 * {@link ChannelClosedException}.
 */
public final class ProcfsKernelChannel implements KernelChannel {

    private static final Capabilities CAPABILITIES = Capabilities.of(KchanProtocol.PAYLOAD_MAX,
            Capability.REQUEST_REPLY, Capability.DUMP, Capability.KERNEL_PUSH);

    private final ProcfsSettings settings;
    private final CallFilePool handles;
    private final BlockingCallRunner async;
    private final AtomicInteger nextSeq = new AtomicInteger();
    private final Set<ProcfsEventSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final KchanProcDirectory directory;
    private volatile boolean closed;

    ProcfsKernelChannel(ProcfsSettings settings, CallFilePool handles) {
        this.settings = settings;
        this.handles = handles;
        this.async = new BlockingCallRunner(ProcfsTransport.NAME, "kchan-procfs-call", settings.handles());
        this.directory = new KchanProcDirectory(settings.dir());
    }

    @Override
    public String transportName() {
        return ProcfsTransport.NAME;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Duration callTimeout() {
        return settings.callTimeout();
    }

    /** The directory this channel's files are in, {@code /proc/kchan} unless configured otherwise. */
    public KchanProcDirectory directory() {
        return directory;
    }

    /**
     * Sends {@code request} through the call file and returns its reply. See the class comment
     * for why {@code timeout} cannot cut a call short; it must still be positive.
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
        byte[] bytes = MessageCodec.toByteArray(numbered);
        CallHandle handle = handles.borrow();
        try {
            return exchange(handle, numbered, bytes);
        } catch (StaleHandleException stale) {
            // kchan_procfs went away under the kept handles; every one of them is as stale.
            handles.discardIdle();
            try {
                return exchange(handles.borrowNew(), numbered, bytes);
            } catch (StaleHandleException again) {
                throw again.failure;
            }
        }
    }

    /** A write failed with EIO: the handle outlived the file it was opened on. */
    private static final class StaleHandleException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient KernelErrorException failure;

        StaleHandleException(KernelErrorException failure) {
            super(failure.getMessage(), null, false, false);
            this.failure = failure;
        }
    }

    private KchanMessage exchange(CallHandle handle, KchanMessage request, byte[] bytes) {
        boolean reusable = false;
        try {
            try {
                handle.writeRequest(ByteBuffer.wrap(bytes));
            } catch (KernelErrorException e) {
                // Refused before the kernel took anything: the open file holds no reply.
                reusable = e.errno() == Errno.EINVAL || e.errno() == Errno.EMSGSIZE;
                if (e.errno() == Errno.EIO) {
                    throw new StaleHandleException(e);
                }
                throw e;
            }
            KchanMessage reply = decode(readReply(handle), request);
            reusable = true;
            return KchanReplies.requireSuccess(reply, ProcfsTransport.NAME);
        } finally {
            if (reusable && !closed) {
                handles.giveBack(handle);
            } else {
                handles.discard(handle);
            }
        }
    }

    /**
     * Reads the reply of the request just written. {@code EIO} here means kchan_procfs was unloaded
     * after the write ran the request and before its reply was read: the reply is gone with the
     * module, the request may have run, so the call is not tried again (a SET or DELETE repeated
     * blindly could undo someone else's), and every kept handle is as stale as this one.
     */
    private byte[] readReply(CallHandle handle) {
        try {
            return handle.readReply();
        } catch (KernelErrorException e) {
            if (e.errno() != Errno.EIO) {
                throw e;
            }
            handles.discardIdle();
            throw new TransportUnavailableException(ProcfsTransport.NAME, "kernel module " + ProcfsTransport.MODULE
                    + " was unloaded while the call was in flight: its reply is lost and the request may have run"
                    + " (check the state before repeating a change); this channel works again once it is loaded",
                    Errno.EIO, e);
        }
    }

    /** The reply in {@code bytes}, checked to answer {@code request}. */
    static KchanMessage decode(byte[] bytes, KchanMessage request) {
        try {
            KchanMessage reply = MessageCodec.decode(bytes);
            KchanReplies.requireAnswers(request, reply);
            return reply;
        } catch (MalformedMessageException e) {
            throw e.transport().isPresent() ? e : e.withTransport(ProcfsTransport.NAME);
        }
    }

    @Override
    public CompletableFuture<KchanMessage> callAsync(KchanMessage request) {
        Objects.requireNonNull(request, "request");
        requireOpen();
        return async.submit(request, callTimeout(), this::call);
    }

    @Override
    public void send(KchanMessage message) {
        CAPABILITIES.require(Capability.ONE_WAY, ProcfsTransport.NAME);
    }

    /** LIST and any other request, paged by CURSOR: each part is one call, sent when the stream asks for it. */
    @Override
    public Stream<KchanMessage> dump(KchanMessage request) {
        Objects.requireNonNull(request, "request");
        requireOpen();
        return CursorPagedDump.stream(request, part -> call(part, callTimeout()));
    }

    /**
     * Opens the events file (a new kchan_core subscriber, SEQ from 0) and delivers what it reads.
     *
     * @throws dev.kchannel.api.error.PermissionDeniedException if the caller may not open the file
     * @throws KernelErrorException with {@link Errno#EMFILE} when kchan_core has room for no more
     *     subscribers
     */
    @Override
    public Subscription subscribe(EventListener listener) {
        Objects.requireNonNull(listener, "listener");
        requireOpen();
        ProcfsEventSubscription subscription = ProcfsEventSubscription.start(settings.eventsFile(),
                settings.eventBuffer(), listener, subscriptions::remove);
        subscriptions.add(subscription);
        if (!subscription.isActive()) {
            // It ended before it was added, so its onClose found nothing to remove.
            subscriptions.remove(subscription);
        }
        if (closed) {
            subscription.close();
            throw new ChannelClosedException(ProcfsTransport.NAME);
        }
        return subscription;
    }

    /**
     * Besides this channel itself: {@link KchanProcDirectory}, the channel's directory, to read
     * the {@code store} and {@code stats} views or open any of its files with the raw layer.
     */
    @Override
    public <T> Optional<T> unwrap(Class<T> type) {
        if (type == KchanProcDirectory.class) {
            return Optional.of(type.cast(directory));
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
        for (ProcfsEventSubscription subscription : new ArrayList<>(subscriptions)) {
            subscription.close();
        }
        handles.close();
        async.close();
    }

    /** Handles on the call file open now; for tests. */
    int openHandles() {
        return handles.openHandles();
    }

    private void requireOpen() {
        if (closed) {
            throw new ChannelClosedException(ProcfsTransport.NAME);
        }
    }

    @Override
    public String toString() {
        return "ProcfsKernelChannel[" + settings.dir() + (closed ? ", closed" : "") + "]";
    }
}
