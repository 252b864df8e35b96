// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.chardev;

import dev.kchannel.api.EventListener;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.MessageCodec;
import dev.kchannel.api.support.EventReader;
import dev.kchannel.api.support.PollEvent;
import dev.kchannel.api.support.SequenceGapDetector;
import dev.kchannel.transport.chardev.raw.DeviceFile;
import dev.kchannel.transport.chardev.raw.OpenFlag;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One subscription through {@code read(2)} ({@code kchannel.chardev.events=read}): an open file of
 * its own, made a kchan_core subscriber by {@code KCHAN_IOC_SUBSCRIBE} (SEQ from 0, its own
 * bounded queue and DROPPED count), and one daemon thread, {@value #THREAD_NAME}, that polls it and
 * reads one whole event per {@code read(2)} ({@link EventReader}, the delivery rules every
 * transport shares).
 *
 * <p>The file is opened {@code O_NONBLOCK} and waited on with {@code poll(2)}, so {@link #close()}
 * wakes the reader at once. A buffer too small for the next event makes the read fail with
 * {@code EMSGSIZE} and consume nothing; the buffer then doubles, up to {@code KCHAN_MSG_MAX}, which
 * always suffices. Losses in the kernel's queue show as SEQ gaps, counted exactly
 * ({@link SequenceGapDetector#startingAt(long)} from 0, the subscriber existing before
 * {@link #start} returns). Closing the file makes the kernel forget the subscriber.
 */
final class ReadEventSubscription extends EventReader {

    static final String THREAD_NAME = "kchan-chardev-events";
    static final int INITIAL_BUFFER = 4096;

    private static final Set<PollEvent> READABLE = EnumSet.of(PollEvent.IN);

    private final DeviceFile file;
    private ByteBuffer buffer = ByteBuffer.allocateDirect(INITIAL_BUFFER).order(ByteOrder.nativeOrder());

    private ReadEventSubscription(DeviceFile file, EventListener listener, Consumer<Subscription> onClose) {
        super(ChardevTransport.NAME, THREAD_NAME, SequenceGapDetector.startingAt(0), listener, onClose);
        this.file = file;
    }

    /**
     * Opens {@code node}, subscribes that open file and starts delivering: every event the kernel
     * offers after this returns reaches the listener or is counted lost.
     *
     * @throws dev.kchannel.api.error.PermissionDeniedException ({@code EPERM}) without
     *     CAP_NET_ADMIN
     */
    static ReadEventSubscription start(Path node, EventListener listener, Consumer<Subscription> onClose) {
        DeviceFile file = ChardevTransport.openDevice(node, OpenFlag.NONBLOCK);
        try {
            file.ioctl(KchanProtocol.IOC_SUBSCRIBE, 0L);
        } catch (RuntimeException e) {
            file.close();
            throw subscribeFailed(e, "KCHAN_IOC_SUBSCRIBE");
        }
        ReadEventSubscription subscription = new ReadEventSubscription(file, listener, onClose);
        subscription.startReading();
        return subscription;
    }

    /** EMFILE and EPERM say more with what they mean here. */
    static RuntimeException subscribeFailed(RuntimeException e, String ioctl) {
        if (e instanceof KernelErrorException failure) {
            if (failure.errno() == Errno.EMFILE) {
                return KernelErrorException.forErrno(Errno.EMFILE).transport(ChardevTransport.NAME)
                        .operation(ioctl)
                        .extAckMessage("kchan_core has max_subscribers subscribers already").cause(e).build();
            }
            if (failure.errno() == Errno.EPERM) {
                return KernelErrorException.forErrno(Errno.EPERM).transport(ChardevTransport.NAME)
                        .operation(ioctl)
                        .extAckMessage("subscribing to events needs CAP_NET_ADMIN").cause(e).build();
            }
        }
        return e;
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
                    buffer = ByteBuffer.allocateDirect(grown).order(ByteOrder.nativeOrder());
                    continue;
                }
                fail(e);
                return;
            } catch (KchannelException e) {
                fail(e);
                return;
            }
            if (read == 0) {
                continue; // nothing after all (EAGAIN): poll again
            }
            if (read < 0) {
                fail(new ChannelClosedException(ChardevTransport.NAME));
                return;
            }
            buffer.flip();
            KchanMessage message;
            try {
                message = MessageCodec.decode(buffer);
            } catch (MalformedMessageException e) {
                fail(e.transport().isPresent() ? e : e.withTransport(ChardevTransport.NAME));
                return;
            }
            if (!message.isEvent()) {
                fail(new MalformedMessageException(Reason.UNEXPECTED_MESSAGE, -1, file.path() + " gave " + message
                        + ", not an event").withTransport(ChardevTransport.NAME));
                return;
            }
            deliver(message);
        }
    }

    @Override
    public String toString() {
        return "ReadEventSubscription[" + file.path() + (isActive() ? "" : ", closed") + "]";
    }
}
