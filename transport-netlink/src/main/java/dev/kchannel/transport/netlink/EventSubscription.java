// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import dev.kchannel.api.EventListener;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.support.EventReader;
import dev.kchannel.api.support.SequenceGapDetector;
import dev.kchannel.transport.netlink.genl.FamilyChange;
import dev.kchannel.transport.netlink.genl.GenericFamily;
import dev.kchannel.transport.netlink.genl.Nlctrl;
import dev.kchannel.transport.netlink.raw.Datagram;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription to the family's {@code events} multicast group: a socket of its own (a socket
 * used for requests should not join groups above 32, see {@code MultiplexedConnection}) and one
 * daemon thread, {@value #THREAD_NAME}, that receives, turns each EVENT into a {@link KchanEvent}
 * and calls the listener, so calls never overlap and keep the kernel's order.
 *
 * <h2>Losses</h2>
 * kchan stamps every event it was offered with one SEQ shared by all listeners, so the number lost
 * before an event is its SEQ gap, whether the kernel's queue dropped them or this socket's
 * receive buffer overflowed. An overflow shows up as {@code ENOBUFS} on the receive; the socket
 * stays usable and the exact count comes with the next event's SEQ, reported by
 * {@link EventListener#onGap} just before it. A subscriber joins part way through the sequence,
 * so the first SEQ it sees is the start ({@link SequenceGapDetector#joiningAnywhere()}).
 *
 * <h2>Module reloads</h2>
 * The socket also joins nlctrl's {@code notify} group. When the family is unregistered
 * ({@code CTRL_CMD_DELFAMILY}: {@code kchan_netlink} unloaded) the kernel drops every socket's
 * membership of its groups and events stop; the subscription stays active and logs a warning.
 * When it is registered again ({@code CTRL_CMD_NEWFAMILY}), the subscription takes the new family
 * id and events group id from the announcement, joins that group and tells the listener
 * {@link EventListener#onRestart}: what happened while the module was away was numbered by
 * nobody, so it cannot be counted. The new module's subscriber numbers its events from 0, so gaps
 * are counted again from SEQ 0 ({@link SequenceGapDetector#startingAt(long)}), including events
 * sent between the registration and the join. Both announcements also refresh the channel's family
 * ({@link FamilyWatch}). Should an overflow have swallowed the announcements, the subscription
 * asks nlctrl for the family once the socket falls quiet after it, and rejoins if the id changed.
 */
final class EventSubscription extends EventReader {

    static final String THREAD_NAME = "kchan-netlink-events";

    /** How long the socket must be quiet after an overflow before the family is checked. */
    static final Duration QUIET_AFTER_OVERFLOW = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(EventSubscription.class);

    private final EventSocket socket;
    private final FamilyWatch watch;
    private final Supplier<GenericFamily> resolver;
    // Reader thread only:
    private GenericFamily family;
    private boolean overflowed;
    private boolean stopped;

    private EventSubscription(EventSocket socket, GenericFamily family, FamilyWatch watch,
            Supplier<GenericFamily> resolver, EventListener listener, Consumer<Subscription> onClose) {
        super(NetlinkTransport.NAME, THREAD_NAME, SequenceGapDetector.joiningAnywhere(), listener, onClose);
        this.socket = socket;
        this.family = family;
        this.watch = watch;
        this.resolver = resolver;
    }

    /**
     * Starts delivering from {@code socket}, which has already joined nlctrl's {@code notify}
     * group and {@code family}'s events group, so every event the kernel sends afterwards reaches
     * the listener.
     *
     * @param resolver asks nlctrl for the family now; throws {@link NoSuchEntryException} or
     *     {@link TransportUnavailableException} when it is not registered
     * @param onClose told once when the subscription ends, however it ends
     */
    static EventSubscription start(EventSocket socket, GenericFamily family, FamilyWatch watch,
            Supplier<GenericFamily> resolver, EventListener listener, Consumer<Subscription> onClose) {
        EventSubscription subscription = new EventSubscription(socket, family, watch, resolver, listener, onClose);
        subscription.startReading();
        return subscription;
    }

    /** The events group of {@code family}, or why there is none. */
    static int eventsGroup(GenericFamily family) {
        return family.multicastGroup(KchanProtocol.MCGRP_EVENTS).orElseThrow(() ->
                new MalformedMessageException(Reason.MISSING_ATTRIBUTE, -1, "Generic Netlink family " + family.name()
                        + " has no multicast group '" + KchanProtocol.MCGRP_EVENTS + "'")
                        .withTransport(NetlinkTransport.NAME));
    }

    @Override
    protected void closeSocket() {
        socket.close();
    }

    @Override
    protected void receiveUntilClosed() {
        while (isActive()) {
            Optional<Datagram> received;
            try {
                received = socket.receive(QUIET_AFTER_OVERFLOW);
            } catch (ChannelClosedException e) {
                fail(e);
                return;
            } catch (KernelErrorException e) {
                if (e.errno() == Errno.ENOBUFS) {
                    // The receive buffer overflowed; the next event's SEQ tells exactly how many were lost.
                    LOG.debug("event socket overflowed; the loss is counted from the next event's SEQ");
                    overflowed = true;
                    continue;
                }
                fail(e);
                return;
            } catch (KchannelException e) {
                fail(e);
                return;
            }
            try {
                if (received.isEmpty()) {
                    if (overflowed) {
                        checkFamilyAfterOverflow();
                    }
                    continue;
                }
                Datagram datagram = received.get();
                if (!datagram.fromKernel()) {
                    continue;
                }
                for (NetlinkMessage message : datagram.messages()) {
                    if (!isActive()) {
                        return;
                    }
                    if (message.type() == Nlctrl.GENL_ID_CTRL) {
                        FamilyChange.of(message).ifPresent(this::changed);
                    } else {
                        deliver(message);
                    }
                }
            } catch (KchannelException e) {
                fail(e);
                return;
            }
        }
    }

    private void deliver(NetlinkMessage message) {
        KchanMessage event = KchanGenlCodec.toEvent(message, family);
        if (event != null) {
            deliver(event);
        }
    }

    /** One of nlctrl's announcements. */
    private void changed(FamilyChange change) {
        watch.changed(change);
        if (!change.concerns(family.name())) {
            return;
        }
        if (change.registered()) {
            if (change.family().id() == family.id() && !stopped) {
                return; // the family this subscription already follows (it resolved it after the announcement)
            }
            rejoin(change.family(), "Generic Netlink family " + family.name() + " was registered again");
        } else if (change.family().id() == family.id() && !stopped) {
            stopped = true;
            LOG.warn("events stopped: Generic Netlink family {} (id {}) was unregistered (kernel module {} unloaded);"
                    + " the subscription rejoins when it is registered again", family.name(), family.id(),
                    NetlinkTransport.MODULE);
        }
    }

    /**
     * After an overflow the announcements may be among the losses: once the socket is quiet, ask
     * nlctrl for the family and rejoin if it changed.
     */
    private void checkFamilyAfterOverflow() {
        overflowed = false;
        GenericFamily now;
        try {
            now = resolver.get();
        } catch (NoSuchEntryException | TransportUnavailableException e) {
            if (!stopped) {
                stopped = true;
                LOG.warn("events stopped: Generic Netlink family {} is not registered (kernel module {} unloaded);"
                        + " the subscription rejoins when it is registered again", family.name(),
                        NetlinkTransport.MODULE);
            }
            return;
        } catch (KchannelException e) {
            LOG.debug("could not check family {} after an overflow: {}", family.name(), e.getMessage());
            return;
        }
        watch.resolved(now);
        if (now.id() != family.id()) {
            rejoin(now, "Generic Netlink family " + family.name() + " was registered again while this socket's"
                    + " receive queue overflowed");
        }
    }

    /** Joins the events group of the family registered anew, and starts counting its SEQ from 0. */
    private void rejoin(GenericFamily now, String what) {
        int group = eventsGroup(now);
        socket.joinGroup(group);
        String reason = what + " (kernel module " + NetlinkTransport.MODULE + " reloaded; family id " + family.id()
                + " -> " + now.id() + ", events group " + group + "): the subscription rejoined by itself; events sent"
                + " while it was gone are lost and cannot be counted, SEQ starts again from 0";
        family = now;
        stopped = false;
        // Whatever an earlier overflow swallowed is older than this announcement.
        overflowed = false;
        // The new module's subscriber numbers its events from 0: what it sent before the join is a countable gap.
        restartSequence(SequenceGapDetector.startingAt(0));
        LOG.warn("{}", reason);
        call(() -> listener.onRestart(reason), "onRestart");
    }
}
