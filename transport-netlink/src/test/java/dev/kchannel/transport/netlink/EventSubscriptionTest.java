// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kchannel.api.EventListener;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.transport.netlink.genl.GenericFamily;
import dev.kchannel.transport.netlink.genl.Nlctrl;
import dev.kchannel.transport.netlink.genl.NlctrlWire;
import dev.kchannel.transport.netlink.raw.Datagram;
import dev.kchannel.transport.netlink.raw.Wire;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A subscription's reader against scripted datagrams: events and their SEQ gaps, and a module
 * reload as nlctrl announces it (unregistered, registered under a new id with a new events group):
 * the subscription rejoins by itself, says so once, and counts gaps afresh instead of reporting
 * a bogus one.
 */
class EventSubscriptionTest {

    private static final GenericFamily FAMILY = KchanGenlCodecTest.FAMILY;   // id 0x1f, events group 9
    private static final int NEW_ID = 0x24;
    private static final int NEW_GROUP = 11;
    private static final int NOTIFY = 1 << (Nlctrl.GENL_ID_CTRL - 1);

    private final ScriptedEventSocket socket = new ScriptedEventSocket();
    private final Recording listener = new Recording();
    private final FamilyWatch watch = new FamilyWatch("kchan");
    private EventSubscription subscription;

    @AfterEach
    void close() {
        if (subscription != null) {
            subscription.close();
        }
    }

    /** The socket under a subscription: datagrams and receive errors queued by the test. */
    private static final class ScriptedEventSocket implements EventSocket {
        private static final Object CLOSED = new Object();
        private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        private final List<Integer> joined = new CopyOnWriteArrayList<>();

        void deliver(int groups, byte[] bytes) {
            inbox.add(Datagram.of(0, groups, bytes));
        }

        void fail(RuntimeException error) {
            inbox.add(error);
        }

        @Override
        public Optional<Datagram> receive(Duration timeout) {
            Object next;
            try {
                next = inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
            if (next == CLOSED) {
                inbox.add(CLOSED);
                throw new ChannelClosedException("netlink");
            }
            if (next instanceof RuntimeException) {
                throw (RuntimeException) next;
            }
            return Optional.ofNullable((Datagram) next);
        }

        @Override
        public void joinGroup(int group) {
            joined.add(group);
        }

        @Override
        public void close() {
            inbox.add(CLOSED);
        }
    }

    /** Everything delivered, in order: events as their SEQ, gaps as "gap N", restarts as "restart". */
    private static final class Recording implements EventListener {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<String> restarts = new CopyOnWriteArrayList<>();
        final List<KchannelException> errors = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(KchanEvent event) {
            calls.add("seq " + event.seq());
        }

        @Override
        public void onGap(long lostCount) {
            calls.add("gap " + lostCount);
        }

        @Override
        public void onRestart(String reason) {
            calls.add("restart");
            restarts.add(reason);
        }

        @Override
        public void onError(KchannelException error) {
            errors.add(error);
        }

        void awaitCalls(int count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (calls.size() < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("waited a minute for " + count + " listener calls, got " + calls);
                }
                Thread.sleep(5);
            }
        }
    }

    private void start(Supplier<GenericFamily> resolver) {
        watch.resolved(FAMILY);
        subscription = EventSubscription.start(socket, FAMILY, watch, resolver, listener, s -> { });
    }

    private static byte[] u64(long value) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(value).array();
    }

    /** A STORE_SET event of family {@code familyId} numbered {@code seq}, as kchan_netlink multicasts it. */
    private static byte[] event(int familyId, long seq) {
        return Wire.message(familyId, 0, 0, 0, Wire.bytes()
                .u8(KchanProtocol.CMD_EVENT).u8(1).u16(0)
                .attrU32(KchanProtocol.ATTR_EVENT_TYPE, KchanProtocol.EVENT_STORE_SET)
                .attr(KchanProtocol.ATTR_SEQ, u64(seq))
                .attr(KchanProtocol.ATTR_DROPPED, u64(0)).toArray());
    }

    private static byte[] unregistered() {
        return NlctrlWire.notification(false, "kchan", FAMILY.id(), Map.of("events", 9));
    }

    private static byte[] registered(int id, int group) {
        return NlctrlWire.notification(true, "kchan", id, Map.of("events", group));
    }

    @Test
    void eventsArriveInOrderWithTheExactGapBeforeTheFirstAfterALoss() throws Exception {
        start(() -> FAMILY);
        socket.deliver(1 << 8, event(FAMILY.id(), 40));
        socket.deliver(1 << 8, Wire.concat(event(FAMILY.id(), 41), event(FAMILY.id(), 44)));

        listener.awaitCalls(4);
        assertThat(listener.calls).containsExactly("seq 40", "seq 41", "gap 2", "seq 44");
    }

    @Test
    void aReloadAnnouncedByNlctrlIsRejoinedByItselfAndCountedAfreshWithoutABogusGap() throws Exception {
        start(() -> FAMILY);
        socket.deliver(1 << 8, event(FAMILY.id(), 40));
        socket.deliver(NOTIFY, unregistered());
        socket.deliver(NOTIFY, registered(NEW_ID, NEW_GROUP));
        // An event of the old id that somehow arrives late is not the new stream's.
        socket.deliver(0, event(FAMILY.id(), 41));
        // The new module numbers from 0; 0 and 1 went out before the join and were lost: a real gap.
        socket.deliver(0, event(NEW_ID, 2));
        socket.deliver(0, event(NEW_ID, 3));

        listener.awaitCalls(5);
        assertThat(listener.calls).containsExactly("seq 40", "restart", "gap 2", "seq 2", "seq 3");
        assertThat(socket.joined).containsExactly(NEW_GROUP);
        assertThat(listener.restarts.get(0)).contains("kchan_netlink reloaded").contains("family id 31 -> 36")
                .contains("cannot be counted");
        assertThat(listener.errors).isEmpty();
        assertThat(subscription.isActive()).isTrue();
        assertThat(watch.current().id()).as("the channel's family follows").isEqualTo(NEW_ID);
    }

    @Test
    void anEarlierStreamsHigherSeqIsNotTakenForAGapAfterTheRestart() throws Exception {
        start(() -> FAMILY);
        socket.deliver(0, event(FAMILY.id(), 7));
        socket.deliver(NOTIFY, Wire.concat(unregistered(), registered(NEW_ID, NEW_GROUP)));
        socket.deliver(0, event(NEW_ID, 0));
        socket.deliver(0, event(NEW_ID, 1));

        listener.awaitCalls(4);
        assertThat(listener.calls).containsExactly("seq 7", "restart", "seq 0", "seq 1");
    }

    @Test
    void otherFamiliesAnnouncementsAndTheFamilyItAlreadyFollowsChangeNothing() throws Exception {
        start(() -> FAMILY);
        socket.deliver(NOTIFY, NlctrlWire.notification(false, "other", 0x40, Map.of()));
        socket.deliver(NOTIFY, NlctrlWire.notification(true, "other", 0x41, Map.of("events", 12)));
        socket.deliver(NOTIFY, registered(FAMILY.id(), 9));
        socket.deliver(0, event(FAMILY.id(), 5));

        listener.awaitCalls(1);
        assertThat(listener.calls).containsExactly("seq 5");
        assertThat(socket.joined).isEmpty();
        assertThat(watch.gone()).isFalse();
    }

    @Test
    void afterAnOverflowThatSwallowedTheAnnouncementsTheFamilyIsCheckedAndRejoined() throws Exception {
        GenericFamily reloaded = new GenericFamily("kchan", NEW_ID, 1, 0, KchanProtocol.ATTR_MAX, List.of(),
                Map.of("events", NEW_GROUP));
        List<String> lookups = new ArrayList<>();
        start(() -> {
            lookups.add("GETFAMILY");
            return reloaded;
        });
        socket.deliver(0, event(FAMILY.id(), 3));
        socket.fail(KernelErrorException.forErrno(Errno.ENOBUFS).transport("netlink").operation("recvfrom").build());
        // Then nothing: the socket is quiet, so the subscription asks nlctrl.

        listener.awaitCalls(2);
        assertThat(listener.calls).containsExactly("seq 3", "restart");
        assertThat(lookups).containsExactly("GETFAMILY");
        assertThat(socket.joined).containsExactly(NEW_GROUP);
        assertThat(listener.restarts.get(0)).contains("overflowed");
        socket.deliver(0, event(NEW_ID, 0));
        listener.awaitCalls(3);
        assertThat(listener.calls.get(2)).isEqualTo("seq 0");
    }

    @Test
    void aFamilyFoundGoneAfterAnOverflowKeepsTheSubscriptionWaitingForItsReturn() throws Exception {
        List<String> lookups = new CopyOnWriteArrayList<>();
        start(() -> {
            lookups.add("GETFAMILY");
            throw KernelErrorException.forErrno(Errno.ENOENT).transport("netlink").build();
        });
        socket.deliver(0, event(FAMILY.id(), 1));
        socket.fail(KernelErrorException.forErrno(Errno.ENOBUFS).transport("netlink").build());
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (lookups.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(lookups).as("asked nlctrl once the socket was quiet").hasSize(1);

        socket.deliver(NOTIFY, registered(NEW_ID, NEW_GROUP));
        socket.deliver(0, event(NEW_ID, 0));

        listener.awaitCalls(3);
        assertThat(listener.calls).containsExactly("seq 1", "restart", "seq 0");
        assertThat(listener.errors).isEmpty();
        assertThat(subscription.isActive()).isTrue();
        assertThat(lookups).as("once: no overflow since").hasSize(1);
    }

    @Test
    void aReloadedFamilyWithoutItsEventsGroupEndsTheSubscriptionWithAnError() throws Exception {
        start(() -> FAMILY);
        socket.deliver(NOTIFY, NlctrlWire.notification(true, "kchan", NEW_ID, Map.of()));

        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (listener.errors.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(listener.errors).singleElement().satisfies(e -> assertThat(e.getMessage()).contains("events"));
        assertThat(subscription.isActive()).isFalse();
    }
}
