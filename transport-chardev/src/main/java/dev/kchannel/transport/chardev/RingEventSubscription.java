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
import dev.kchannel.api.support.EventReader;
import dev.kchannel.api.support.PollEvent;
import dev.kchannel.api.support.SequenceGapDetector;
import dev.kchannel.transport.chardev.raw.DeviceFile;
import dev.kchannel.transport.chardev.raw.OpenFlag;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One subscription through the mmap'd event ring ({@code kchannel.chardev.events=ring}, the
 * default): an open file of its own, made a kchan_core subscriber by {@code KCHAN_IOC_RING_SETUP},
 * its ring mapped with {@code mmap(2)}, and one daemon thread, {@value #THREAD_NAME}, that reads
 * the records in place ({@link EventReader}, the delivery rules every transport shares).
 *
 * <h2>The reader</h2>
 * It loads PRODUCER with acquire semantics (the kernel stores it with release after the records),
 * decodes and delivers every record up to it ({@link RingRecords}, pad records skipped), then
 * stores CONSUMER with release semantics, so the kernel reuses those bytes only once they have been
 * read. When the ring is empty it waits in {@code poll(2)}, which also makes the kernel move events
 * that waited in the subscriber's queue for room. No system call per event, no copy but the
 * decode.
 *
 * <h2>Losses</h2>
 * The ring itself never drops: a full ring leaves events in the subscriber's bounded queue, and
 * only that queue drops, counting them in SEQ and DROPPED. The subscriber numbers its events from
 * 0 and exists before {@link #start} returns, so the SEQ gaps
 * ({@link SequenceGapDetector#startingAt(long)}) are exactly the events lost.
 *
 * <h2>A broken ring</h2>
 * A CONSUMER the kernel finds impossible stops the ring ({@code KCHAN_RING_F_BROKEN}, poll reports
 * {@code POLLERR}); this reader never writes one, but if anything else sharing the mapping does,
 * the subscription fails with {@link KernelErrorException} {@code EIO} saying so, as it does for a
 * record that breaks the layout ({@link MalformedMessageException}).
 *
 * <p>The mapping lives as long as the file: the reader holds the file ({@link DeviceFile#hold()})
 * while it reads, so {@link #close()} from another thread unmaps only after the reader left.
 */
final class RingEventSubscription extends EventReader {

    static final String THREAD_NAME = "kchan-chardev-ring";
    static final int SETUP_SIZE = 24;
    static final int OFF_DATA_SIZE = 0;
    static final int OFF_FLAGS = 4;
    static final int OFF_MMAP_LEN = 8;
    static final int OFF_DATA_OFFSET = 16;

    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final Set<PollEvent> READABLE = EnumSet.of(PollEvent.IN);

    private final DeviceFile file;
    private final ByteBuffer control;
    private final RingRecords records;

    private RingEventSubscription(DeviceFile file, ByteBuffer control, RingRecords records, EventListener listener,
            Consumer<Subscription> onClose) {
        super(ChardevTransport.NAME, THREAD_NAME, SequenceGapDetector.startingAt(0), listener, onClose);
        this.file = file;
        this.control = control;
        this.records = records;
    }

    /**
     * Opens {@code node}, sets up a ring of {@code dataSize} bytes on that open file, maps it and
     * starts delivering: every event the kernel offers after this returns reaches the listener or
     * is counted lost.
     *
     * @throws dev.kchannel.api.error.PermissionDeniedException ({@code EPERM}) without
     *     CAP_NET_ADMIN
     */
    static RingEventSubscription start(Path node, int dataSize, EventListener listener, Consumer<Subscription> onClose) {
        DeviceFile file = ChardevTransport.openDevice(node, OpenFlag.NONBLOCK);
        try {
            ByteBuffer setup = ByteBuffer.allocateDirect(SETUP_SIZE).order(ByteOrder.nativeOrder());
            setup.putInt(OFF_DATA_SIZE, dataSize);
            setup.putInt(OFF_FLAGS, 0);
            try {
                file.ioctl(KchanProtocol.IOC_RING_SETUP, setup);
            } catch (RuntimeException e) {
                throw ReadEventSubscription.subscribeFailed(e, "KCHAN_IOC_RING_SETUP");
            }
            long mmapLength = setup.getLong(OFF_MMAP_LEN);
            long dataOffset = setup.getLong(OFF_DATA_OFFSET);
            if (dataOffset < KchanProtocol.RING_FLAGS + 4 || mmapLength != dataOffset + dataSize
                    || mmapLength > Integer.MAX_VALUE) {
                throw new MalformedMessageException(Reason.LENGTH_MISMATCH, -1, "KCHAN_IOC_RING_SETUP answered mmap_len "
                        + mmapLength + ", data_offset " + dataOffset + " for " + dataSize + " bytes of data")
                        .withTransport(ChardevTransport.NAME);
            }
            ByteBuffer mapping = file.mmap((int) mmapLength, 0, true);
            ByteBuffer control = mapping.slice(0, (int) dataOffset).order(ByteOrder.nativeOrder());
            ByteBuffer data = mapping.slice((int) dataOffset, dataSize).order(ByteOrder.nativeOrder());
            RingEventSubscription subscription = new RingEventSubscription(file, control,
                    new RingRecords(data, dataSize), listener, onClose);
            subscription.startReading();
            return subscription;
        } catch (RuntimeException | Error e) {
            file.close();
            throw e;
        }
    }

    /** Closing the file wakes the reader; the kernel forgets the subscriber once the mapping is gone too. */
    @Override
    protected void closeSocket() {
        file.close();
    }

    @Override
    protected void receiveUntilClosed() {
        DeviceFile.Hold hold;
        try {
            hold = file.hold();
        } catch (ChannelClosedException e) {
            fail(e);
            return;
        }
        try (hold) {
            readRing();
        }
    }

    private void readRing() {
        long consumer = (long) LONGS.getAcquire(control, KchanProtocol.RING_CONSUMER);
        while (isActive()) {
            if ((control.getInt(KchanProtocol.RING_FLAGS) & KchanProtocol.RING_F_BROKEN) != 0) {
                fail(brokenRing());
                return;
            }
            long producer = (long) LONGS.getAcquire(control, KchanProtocol.RING_PRODUCER);
            if (producer == consumer) {
                Set<PollEvent> ready;
                try {
                    ready = file.poll(READABLE);
                } catch (KchannelException e) {
                    fail(e);
                    return;
                }
                if (ready.contains(PollEvent.ERR)) {
                    fail(brokenRing());
                    return;
                }
                continue;
            }
            try {
                consumer = records.drain(consumer, producer, this::deliverEvent, this::isActive);
            } catch (MalformedMessageException e) {
                fail(e);
                return;
            }
            // Done with those bytes: the kernel may write there again.
            LONGS.setRelease(control, KchanProtocol.RING_CONSUMER, consumer);
        }
    }

    private void deliverEvent(KchanMessage message) {
        if (!message.isEvent()) {
            throw new MalformedMessageException(Reason.UNEXPECTED_MESSAGE, -1, "the event ring of " + file.path()
                    + " holds " + message + ", not an event").withTransport(ChardevTransport.NAME);
        }
        deliver(message);
    }

    private KernelErrorException brokenRing() {
        return KernelErrorException.forErrno(Errno.EIO).transport(ChardevTransport.NAME)
                .operation("read the event ring of " + file.path())
                .extAckMessage("kchan_chardev stopped the ring (KCHAN_RING_F_BROKEN): something stored an impossible"
                        + " CONSUMER in the shared page; subscribe again")
                .build();
    }

    @Override
    public String toString() {
        return "RingEventSubscription[" + file.path() + (isActive() ? "" : ", closed") + "]";
    }
}
