// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import dev.kchannel.api.EventListener;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.support.EventReader;
import dev.kchannel.api.support.SequenceGapDetector;
import dev.kchannel.transport.netlink.raw.Datagram;
import dev.kchannel.transport.netlink.raw.NetlinkConnection;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;
import dev.kchannel.transport.netlink.raw.NetlinkSocket;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event endpoint on kchan_netlink's raw unit: a socket registered with HELLO, to which the
 * kernel pushes events by unicast from a kernel thread of the endpoint's own, and the daemon
 * thread {@value #THREAD_NAME} delivering them ({@link EventReader}).
 *
 * <h2>Losses</h2>
 * HELLO gives the endpoint a kchan_core subscriber of its own, numbered from 0, so every event lost
 * is counted, those before the first one delivered too ({@link SequenceGapDetector#startingAt}).
 * The kernel keeps an event its socket has no room for and offers it again, so losses happen only
 * in the kernel's bounded queue, where they are counted; the socket is set to
 * {@code NETLINK_NO_ENOBUFS}, since its overflow reports would be noise. Closing the socket is the
 * kernel's cue to forget the endpoint. While an endpoint's socket is open, kchan_netlink cannot be
 * unloaded (netlink holds the module of a unit while sockets on it exist).
 */
final class RawUnitEndpoint extends EventReader {

    static final String THREAD_NAME = "kchan-raw-events";

    private static final Logger LOG = LoggerFactory.getLogger(RawUnitEndpoint.class);

    private final NetlinkSocket socket;

    private RawUnitEndpoint(NetlinkSocket socket, EventListener listener, Consumer<Subscription> onClose) {
        super(NetlinkTransport.NAME, THREAD_NAME, SequenceGapDetector.startingAt(0), listener, onClose);
        this.socket = socket;
    }

    /**
     * Registers a new socket on {@code unit} as an endpoint (HELLO, acknowledged before this
     * returns) and starts delivering what the kernel pushes to it.
     *
     * @param receiveBuffer bytes of socket receive buffer asked for
     * @param timeout how long to wait for the HELLO's acknowledgement
     * @param onClose told once when the subscription ends, however it ends
     * @throws dev.kchannel.api.error.PermissionDeniedException without CAP_NET_ADMIN
     * @throws KernelErrorException with EMFILE when kchan_core has room for no more subscribers
     */
    static RawUnitEndpoint register(int unit, int receiveBuffer, Duration timeout, EventListener listener,
            Consumer<Subscription> onClose) {
        NetlinkSocket socket = NetlinkSocket.open(unit);
        try {
            socket.setReceiveBufferSize(receiveBuffer);
            socket.setNoEnobufs(true);
            socket.setLargestDatagram(RawUnitCodec.LARGEST_DATAGRAM);
            // Only for the HELLO: the reader receives from the socket itself afterwards.
            NetlinkConnection hello = NetlinkConnection.over(socket);
            hello.setTimeout(timeout);
            hello.request(RawUnitCodec.control(KchanProtocol.RAW_MSG_HELLO), "HELLO");
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
        RawUnitEndpoint endpoint = new RawUnitEndpoint(socket, listener, onClose);
        endpoint.startReading();
        return endpoint;
    }

    @Override
    protected void closeSocket() {
        socket.close();
    }

    @Override
    protected void receiveUntilClosed() {
        while (isActive()) {
            Datagram datagram;
            try {
                datagram = socket.receive();
            } catch (KernelErrorException e) {
                if (e.errno() == Errno.ENOBUFS) {
                    // NETLINK_NO_ENOBUFS should prevent it; the next event's SEQ counts any loss anyway.
                    LOG.debug("endpoint socket overflowed; the loss is counted from the next event's SEQ");
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
                    KchanMessage event = RawUnitCodec.toEvent(message);
                    if (event != null) {
                        deliver(event);
                    }
                }
            } catch (KchannelException e) {
                fail(e);
                return;
            }
        }
    }
}
