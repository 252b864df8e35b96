// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs;

import dev.kchannel.api.Availability;
import dev.kchannel.api.EventListener;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.MessageCodec;
import dev.kchannel.api.support.EventReader;
import dev.kchannel.api.support.PollEvent;
import dev.kchannel.api.support.SequenceGapDetector;
import dev.kchannel.transport.procfs.raw.OpenFlag;
import dev.kchannel.transport.procfs.raw.ProcFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription to kchan events through the events file: an open file of its own (each open
 * is one kchan_core subscriber, with its own queue, SEQ from 0 and DROPPED count) and one daemon
 * thread, {@value #THREAD_NAME}, that polls it, reads as many whole events as the buffer holds,
 * turns each into a {@link KchanEvent} and calls the listener, so calls never overlap and keep the
 * kernel's order ({@link EventReader}, the delivery rules every transport shares).
 *
 * <h2>Losses</h2>
 * The kernel's queue for this open file is bounded; when it is full an event is dropped for this
 * subscriber only, and its SEQ still advances. The subscriber exists from the moment the file is
 * opened, before {@link #start} returns, and numbers its events from 0, so the gap before each
 * event ({@link SequenceGapDetector#startingAt(long)}) is exactly the number lost, those before
 * the first delivered event included; {@link EventListener#onGap} reports it just before that
 * event, and it equals the growth of the event's DROPPED.
 *
 * <h2>Reading</h2>
 * The file is opened {@code O_NONBLOCK} and waited on with {@code poll(2)}, so {@link #close()}
 * wakes the reader at once (see {@link ProcFile}). A read returns whole events only; one that does
 * not fit the buffer makes the read fail with {@code EMSGSIZE} and consume nothing, and the buffer
 * doubles, up to {@code KCHAN_MSG_MAX}. Closing the file makes the kernel forget the subscriber.
 */
final class ProcfsEventSubscription extends EventReader {

    static final String THREAD_NAME = "kchan-procfs-events";

    private static final Logger LOG = LoggerFactory.getLogger(ProcfsEventSubscription.class);
    private static final Set<PollEvent> READABLE = EnumSet.of(PollEvent.IN);

    private final ProcFile file;
    private ByteBuffer buffer;

    private ProcfsEventSubscription(ProcFile file, int bufferSize, EventListener listener,
            Consumer<Subscription> onClose) {
        super(ProcfsTransport.NAME, THREAD_NAME, SequenceGapDetector.startingAt(0), listener, onClose);
        this.file = file;
        this.buffer = ByteBuffer.allocateDirect(bufferSize).order(ByteOrder.nativeOrder());
    }

    /**
     * Opens {@code eventsFile}, which makes a new kchan_core subscriber, and starts delivering:
     * every event the kernel offers after this returns reaches the listener or is counted lost.
     *
     * @param bufferSize bytes read at once; grows when one event does not fit
     * @param onClose told once when the subscription ends, however it ends
     * @throws TransportUnavailableException if the events file is missing (the module is not loaded)
     * @throws dev.kchannel.api.error.PermissionDeniedException if the caller may not open it
     * @throws KernelErrorException with {@link Errno#EMFILE} when kchan_core has room for no more
     *     subscribers
     */
    static ProcfsEventSubscription start(Path eventsFile, int bufferSize, EventListener listener,
            Consumer<Subscription> onClose) {
        ProcFile file;
        try {
            file = ProcFile.open(eventsFile, OpenFlag.READ, OpenFlag.NONBLOCK);
        } catch (NoSuchEntryException e) {
            throw new TransportUnavailableException(ProcfsTransport.NAME,
                    Availability.moduleNotLoaded(ProcfsTransport.MODULE, "no " + eventsFile), Errno.ENOENT, e);
        } catch (KernelErrorException e) {
            if (e.errno() == Errno.EMFILE) {
                throw KernelErrorException.forErrno(Errno.EMFILE).transport(ProcfsTransport.NAME)
                        .operation("open " + eventsFile)
                        .extAckMessage("kchan_core has max_subscribers subscribers already, or this process is out"
                                + " of descriptors")
                        .cause(e).build();
            }
            throw e;
        }
        ProcfsEventSubscription subscription = new ProcfsEventSubscription(file, bufferSize, listener, onClose);
        subscription.startReading();
        return subscription;
    }

    /** Events lost so far, as the SEQ gaps count them. */
    long lost() {
        return lostSoFar();
    }

    /** Closing the file wakes the reader and makes the kernel forget the subscriber. */
    @Override
    protected void closeSocket() {
        file.close();
    }

    @Override
    protected void receiveUntilClosed() {
        while (isActive()) {
            int read;
            try {
                file.poll(READABLE);
                buffer.clear();
                read = file.read(buffer);
            } catch (ChannelClosedException e) {
                fail(e);
                return;
            } catch (KernelErrorException e) {
                if (e.errno() == Errno.EMSGSIZE && buffer.capacity() < KchanProtocol.MSG_MAX) {
                    int grown = Math.min(KchanProtocol.MSG_MAX, 2 * buffer.capacity());
                    LOG.debug("{}: the next event needs more than {} bytes; reading with {}", file.path(),
                            buffer.capacity(), grown);
                    buffer = ByteBuffer.allocateDirect(grown).order(ByteOrder.nativeOrder());
                    continue;
                }
                fail(e.errno() == Errno.EIO ? moduleGone("answers EIO", e) : e);
                return;
            } catch (KchannelException e) {
                fail(e);
                return;
            }
            if (read == 0) {
                continue; // nothing after all (EAGAIN): poll again
            }
            if (read < 0) {
                fail(moduleGone("reached its end", null));
                return;
            }
            buffer.flip();
            try {
                while (buffer.hasRemaining() && isActive()) {
                    deliverEvent(MessageCodec.decodeNext(buffer));
                }
            } catch (MalformedMessageException e) {
                fail(e.transport().isPresent() ? e : e.withTransport(ProcfsTransport.NAME));
                return;
            }
        }
    }

    private KchannelException moduleGone(String what, Throwable cause) {
        return new TransportUnavailableException(ProcfsTransport.NAME, file.path() + " " + what + ": kernel module "
                + ProcfsTransport.MODULE + " was unloaded; subscribe again once it is loaded", Errno.EIO, cause);
    }

    private void deliverEvent(KchanMessage message) {
        if (!message.isEvent()) {
            throw new MalformedMessageException(Reason.UNEXPECTED_MESSAGE, -1, "the events file gave " + message
                    + ", not an event").withTransport(ProcfsTransport.NAME);
        }
        deliver(message);
    }

    @Override
    public String toString() {
        return "ProcfsEventSubscription[" + file.path() + (isActive() ? "" : ", closed") + "]";
    }
}
