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
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.support.SequenceGapDetector;
import dev.kchannel.transport.netlink.genl.GenericFamily;
import dev.kchannel.transport.netlink.raw.Datagram;
import dev.kchannel.transport.netlink.raw.Netlink;
import dev.kchannel.transport.netlink.raw.NetlinkConnection;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;
import dev.kchannel.transport.netlink.raw.NetlinkSocket;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription to kchan events: a socket of its own (a socket used for requests should not
 * join groups, see {@code NetlinkConnection}) and one daemon thread, {@value #THREAD_NAME}, that
 * receives, turns each event into a {@link KchanEvent} and calls the listener, so calls never
 * overlap and keep the kernel's order. The socket either joins the Generic Netlink family's
 * {@code events} group ({@link #start}) or is registered as an endpoint of kchan_netlink's raw
 * unit ({@link #startEndpoint}), where the kernel pushes to it alone.
 *
 * <h2>Losses</h2>
 * kchan stamps every event it was offered with one SEQ shared by all listeners, so the number lost
 * before an event is its SEQ gap, whether the kernel's queue dropped them or this socket's
 * receive buffer overflowed. An overflow shows up as {@code ENOBUFS} on the receive; the socket
 * stays usable and the exact count comes with the next event's SEQ, reported by
 * {@link EventListener#onGap} just before it. A subscriber joins part way through the sequence,
 * so the first SEQ it sees is the start ({@link SequenceGapDetector#joiningAnywhere()}). A raw
 * unit endpoint gets a kernel subscriber of its own at HELLO, numbered from 0, so even events lost
 * before the first one delivered are counted ({@link SequenceGapDetector#startingAt(long)}).
 */
final class EventSubscription implements Subscription {

    static final String THREAD_NAME = "kchan-netlink-events";

    private static final Logger LOG = LoggerFactory.getLogger(EventSubscription.class);

    private final NetlinkSocket socket;
    private final Function<NetlinkMessage, KchanMessage> decoder;
    private final EventListener listener;
    private final Consumer<EventSubscription> onClose;
    private final SequenceGapDetector gaps;
    private final Thread reader;
    private volatile boolean active = true;

    /**
     * @param decoder a received message as a kchan event, or null when it is something else
     */
    private EventSubscription(NetlinkSocket socket, Function<NetlinkMessage, KchanMessage> decoder,
            SequenceGapDetector gaps, EventListener listener, Consumer<EventSubscription> onClose) {
        this.socket = socket;
        this.decoder = decoder;
        this.gaps = gaps;
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
        return startReading(new EventSubscription(socket, message -> KchanGenlCodec.toEvent(message, family),
                SequenceGapDetector.joiningAnywhere(), listener, onClose));
    }

    /**
     * Registers a new socket on kchan_netlink's raw protocol unit {@code unit} as an event endpoint
     * (HELLO, acknowledged before this returns) and starts delivering what the kernel pushes to it.
     *
     * @param receiveBuffer bytes of socket receive buffer asked for
     * @param timeout how long to wait for the HELLO's acknowledgement
     * @param onClose told once when the subscription ends, however it ends
     * @throws dev.kchannel.api.error.PermissionDeniedException without CAP_NET_ADMIN
     * @throws KernelErrorException with EMFILE when the kernel has room for no more subscribers
     */
    static EventSubscription startEndpoint(int unit, int receiveBuffer, Duration timeout, EventListener listener,
            Consumer<EventSubscription> onClose) {
        NetlinkSocket socket = NetlinkSocket.open(unit);
        try {
            socket.setReceiveBufferSize(receiveBuffer);
            // The kernel keeps an event it cannot deliver and offers it again, so a full buffer
            // loses nothing here: the ENOBUFS netlink would report is noise.
            socket.setNoEnobufs(true);
            // Only for the HELLO: the reader receives from the socket itself afterwards.
            NetlinkConnection hello = NetlinkConnection.over(socket);
            hello.setTimeout(timeout);
            hello.request(RawUnitCodec.control(KchanProtocol.RAW_MSG_HELLO), "HELLO");
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
        return startReading(new EventSubscription(socket, RawUnitCodec::toEvent, SequenceGapDetector.startingAt(0),
                listener, onClose));
    }

    private static EventSubscription startReading(EventSubscription subscription) {
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
        KchanMessage event = decoder.apply(message);
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
