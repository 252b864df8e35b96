// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import dev.kchannel.api.EventListener;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.support.SequenceGapDetector;
import dev.kchannel.transport.netlink.genl.GenericFamily;
import dev.kchannel.transport.netlink.raw.Datagram;
import dev.kchannel.transport.netlink.raw.Netlink;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;
import dev.kchannel.transport.netlink.raw.NetlinkSocket;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription to the family's {@code events} multicast group: a socket of its own (a socket
 * used for requests should not join groups, see {@code NetlinkConnection}) and one daemon thread,
 * {@value #THREAD_NAME}, that receives, turns each EVENT into a {@link KchanEvent} and calls the
 * listener, so calls never overlap and keep the kernel's order.
 *
 * <h2>Losses</h2>
 * kchan stamps every event it was offered with one SEQ shared by all listeners, so the number lost
 * before an event is its SEQ gap, whether the kernel's queue dropped them or this socket's
 * receive buffer overflowed. An overflow shows up as {@code ENOBUFS} on the receive; the socket
 * stays usable and the exact count comes with the next event's SEQ, reported by
 * {@link EventListener#onGap} just before it. A subscriber joins part way through the sequence,
 * so the first SEQ it sees is the start ({@link SequenceGapDetector#joiningAnywhere()}).
 */
final class EventSubscription implements Subscription {

    static final String THREAD_NAME = "kchan-netlink-events";

    private static final Logger LOG = LoggerFactory.getLogger(EventSubscription.class);

    private final NetlinkSocket socket;
    private final GenericFamily family;
    private final EventListener listener;
    private final Consumer<EventSubscription> onClose;
    private final SequenceGapDetector gaps = SequenceGapDetector.joiningAnywhere();
    private final Thread reader;
    private volatile boolean active = true;

    private EventSubscription(NetlinkSocket socket, GenericFamily family, EventListener listener,
            Consumer<EventSubscription> onClose) {
        this.socket = socket;
        this.family = family;
        this.listener = listener;
        this.onClose = onClose;
        this.reader = new Thread(this::readLoop, THREAD_NAME);
        reader.setDaemon(true);
    }

    /**
     * Joins {@code group} on a new socket and starts delivering; the group is joined before this
     * returns, so every event the kernel sends afterwards reaches the listener.
     *
     * @param receiveBuffer bytes of socket receive buffer asked for: a large one rides out bursts
     * @param onClose told once when the subscription ends, however it ends
     */
    static EventSubscription start(GenericFamily family, int group, int receiveBuffer, EventListener listener,
            Consumer<EventSubscription> onClose) {
        NetlinkSocket socket = NetlinkSocket.open(Netlink.NETLINK_GENERIC);
        try {
            socket.setReceiveBufferSize(receiveBuffer);
            socket.joinGroup(group);
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
        EventSubscription subscription = new EventSubscription(socket, family, listener, onClose);
        try {
            subscription.reader.start();
        } catch (RuntimeException | Error e) {
            subscription.end();
            throw e;
        }
        return subscription;
    }

    @Override
    public boolean isActive() {
        return active;
    }

    /**
     * Stops delivery: closes the socket, which wakes the reader, and waits for the reader to
     * finish a callback in progress, so no call follows this one's return; unless it is the reader
     * itself closing from inside a callback, which then finishes that callback.
     */
    @Override
    public void close() {
        if (!end()) {
            return;
        }
        if (Thread.currentThread() != reader) {
            boolean interrupted = false;
            while (reader.isAlive()) {
                try {
                    reader.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Marks the subscription over and closes its socket; false if it already was. */
    private boolean end() {
        synchronized (this) {
            if (!active) {
                return false;
            }
            active = false;
        }
        socket.close();
        onClose.accept(this);
        return true;
    }

    /**
     * Whatever ends the reader ends the subscription with it: an unexpected exception or Error
     * must not leave a dead subscription that still says it is active and holds its socket.
     */
    private void readLoop() {
        try {
            receiveUntilClosed();
        } catch (RuntimeException | Error e) {
            if (end()) {
                deliverError(new ChannelClosedException(NetlinkTransport.NAME, e));
            }
            throw e;
        }
    }

    private void receiveUntilClosed() {
        while (active) {
            Datagram datagram;
            try {
                datagram = socket.receive();
            } catch (ChannelClosedException e) {
                if (end()) {
                    deliverError(e);
                }
                return;
            } catch (KernelErrorException e) {
                if (e.errno() == Errno.ENOBUFS) {
                    // The receive buffer overflowed; the next event's SEQ tells exactly how many were lost.
                    LOG.debug("event socket overflowed; the loss is counted from the next event's SEQ");
                    continue;
                }
                fail(e);
                return;
            } catch (KchannelException e) {
                fail(e);
                return;
            }
            if (!datagram.fromKernel()) {
                continue;
            }
            try {
                for (NetlinkMessage message : datagram.messages()) {
                    deliver(message);
                }
            } catch (KchannelException e) {
                fail(e);
                return;
            }
        }
    }

    private void deliver(NetlinkMessage message) {
        KchanMessage event = KchanGenlCodec.toEvent(message, family);
        if (event == null || !active) {
            return;
        }
        KchanEvent typed = KchanEvent.from(event);
        long lost = gaps.observe(typed.seq());
        if (lost > 0) {
            call(() -> listener.onGap(lost), "onGap");
        }
        if (active) {
            call(() -> listener.onEvent(typed), "onEvent");
        }
    }

    private void call(Runnable callback, String name) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.warn("EventListener.{} threw; the subscription goes on", name, e);
        }
    }

    private void fail(KchannelException error) {
        if (end()) {
            deliverError(error);
        }
    }

    private void deliverError(KchannelException error) {
        call(() -> listener.onError(error), "onError");
    }
}
