// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kchannel.api.error.Errno;
import dev.kchannel.api.message.EventType;
import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.StatsReply;
import dev.kchannel.api.message.TransportId;
import dev.kchannel.api.message.TransportStats;
import dev.kchannel.transport.netlink.raw.NetlinkError;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Event endpoints of kchan_netlink's raw unit: HELLO registers the socket's kernel-assigned port
 * id as one kchan_core subscriber pushed by a kernel thread of its own; BYE and closing the socket
 * forget it and free its place among max_subscribers; a slow reader loses events only in its
 * subscriber's queue, exactly as SEQ and DROPPED say; and kchan_netlink unloads cleanly around
 * busy endpoints.
 */
class NetlinkRawEndpointGuestTest {

    private static final String CORE = "kchan_core";
    private static final String NETLINK = "kchan_netlink";
    private static final List<String> MODULES = GuestShell.NETLINK_MODULES;

    @BeforeAll
    static void loadModules() {
        GuestShell.loadMissing(MODULES);
    }

    @AfterAll
    static void unloadModules() {
        GuestShell.unloadAll(MODULES);
    }

    /** Back to what every guest test expects: both modules loaded with their defaults. */
    private static void restoreDefaultLoad() {
        GuestShell.unloadAll(MODULES);
        GuestShell.loadMissing(MODULES);
    }

    private static void reload(String coreParams) {
        GuestShell.unloadAll(MODULES);
        GuestShell.Result core = GuestShell.insmod(CORE, coreParams.split(" "));
        assertThat(core.ok()).as("insmod %s %s: %s", CORE, coreParams, core.output()).isTrue();
        GuestShell.Result netlink = GuestShell.insmod(NETLINK);
        assertThat(netlink.ok()).as("insmod %s: %s", NETLINK, netlink.output()).isTrue();
    }

    private static String uniqueKey(String what) {
        return "nlrawep." + what + "." + System.nanoTime();
    }

    private static void assertStoreSet(KchanEvent event, String key, String value, long seq) {
        assertThat(event.type()).as("%s", event).isEqualTo(EventType.STORE_SET);
        assertThat(event.keyAsString()).as("%s", event).hasValue(key);
        assertThat(event.value()).as("%s", event)
                .hasValueSatisfying(v -> assertThat(new String(v, StandardCharsets.UTF_8)).isEqualTo(value));
        assertThat(event.seq()).as("SEQ of %s", event).isEqualTo(seq);
        assertThat(event.dropped()).as("DROPPED of %s", event).isZero();
    }

    private static TransportStats netlinkStats(RawUnitClient raw) {
        StatsReply stats = StatsReply.from(raw.callOk(KchanRequests.stats()));
        return stats.transport(TransportId.NETLINK).orElseThrow(() -> new AssertionError("no netlink counters: " + stats));
    }

    @Test
    void eachEndpointGetsEveryStoreEventUntilItSaysBye() {
        String first = uniqueKey("first");
        String second = uniqueKey("second");
        String third = uniqueKey("third");
        try (RawUnitClient a = RawUnitClient.open(); RawUnitClient b = RawUnitClient.open();
                RawUnitClient control = RawUnitClient.open()) {
            assertThat(a.hello().isAck()).as("HELLO from a").isTrue();
            assertThat(b.hello().isAck()).as("HELLO from b").isTrue();
            assertThat(b.hello().isAck()).as("a second HELLO from b is no error").isTrue();
            assertThat(List.of(a.portId(), b.portId())).as("kernel-assigned port ids").doesNotContain(0)
                    .doesNotHaveDuplicates();

            control.callOk(KchanRequests.set(first, "one"));
            // Each endpoint has a subscriber of its own, SEQ from 0 at HELLO.
            assertStoreSet(a.nextEvent(), first, "one", 0);
            assertStoreSet(b.nextEvent(), first, "one", 0);

            assertThat(b.bye().isAck()).as("BYE from b").isTrue();
            control.callOk(KchanRequests.set(second, "two"));
            assertStoreSet(a.nextEvent(), second, "two", 1);

            // b registers again: a new subscriber, SEQ from 0. Had anything reached b after BYE (the
            // SET of the second key), or had the double HELLO made two subscribers, it would come
            // before this.
            assertThat(b.hello().isAck()).as("HELLO from b again").isTrue();
            control.callOk(KchanRequests.set(third, "three"));
            assertStoreSet(a.nextEvent(), third, "three", 2);
            assertStoreSet(b.nextEvent(), third, "three", 0);

            assertThat(b.bye().isAck()).isTrue();
            assertThat(b.bye().isAck()).as("BYE without an endpoint is no error").isTrue();
            for (String key : List.of(first, second, third)) {
                control.callOk(KchanRequests.delete(key));
            }
        }
    }

    @Test
    void closedEndpointsFreeTheirPlaceAndTooManyOpenOnesGetEmfile() {
        int maxSubscribers = 4;
        // kchan_netlink's Generic Netlink side holds one subscriber of its own.
        int endpoints = maxSubscribers - 1;
        String key = uniqueKey("close");
        reload("max_subscribers=" + maxSubscribers);
        try {
            // Many more endpoints than there are places, one after another: each close frees its own.
            try (RawUnitClient control = RawUnitClient.open()) {
                for (int i = 0; i < 10 * maxSubscribers; i++) {
                    try (RawUnitClient endpoint = RawUnitClient.open()) {
                        NetlinkError hello = endpoint.hello();
                        assertThat(hello.isAck()).as("HELLO of endpoint %d: %s", i, hello).isTrue();
                        control.callOk(KchanRequests.set(key, "round " + i));
                        assertStoreSet(endpoint.nextEvent(), key, "round " + i, 0);
                    }
                }
                control.callOk(KchanRequests.delete(key));
            }

            // As many open as there are places; one more is EMFILE, with the reason.
            List<RawUnitClient> open = new ArrayList<>();
            try {
                for (int i = 0; i < endpoints; i++) {
                    open.add(RawUnitClient.open());
                    assertThat(open.get(i).hello().isAck()).as("HELLO of open endpoint %d", i).isTrue();
                }
                try (RawUnitClient extra = RawUnitClient.open()) {
                    NetlinkError refused = extra.hello();
                    assertThat(refused.isSuccess()).as("HELLO beyond max_subscribers: %s", refused).isFalse();
                    assertThat(Errno.fromStatus(refused.error())).isEqualTo(Errno.EMFILE);
                    assertThat(refused.extendedAck().message())
                            .hasValue("no room for another event subscriber (kchan_core max_subscribers)");

                    open.remove(0).close();
                    assertThat(extra.hello().isAck()).as("HELLO once a place is free").isTrue();
                }
            } finally {
                open.forEach(RawUnitClient::close);
            }
        } finally {
            restoreDefaultLoad();
        }
    }

    @Test
    void aSlowEndpointLosesEventsOnlyWhereSeqAndDroppedCountThem() throws Exception {
        int count = 5_000;
        int size = 64;
        String endKey = uniqueKey("end");
        long queueLength = Long.parseLong(GuestShell.parameters(CORE).get("sub_queue_len"));
        try (RawUnitClient slow = RawUnitClient.open(); RawUnitClient control = RawUnitClient.open()) {
            // Room for a few dozen events only. On this unit a full buffer loses nothing, so netlink's
            // ENOBUFS notice of the overrun is noise: turn it off.
            slow.socket().setReceiveBufferSize(4096);
            slow.socket().setNoEnobufs(true);
            assertThat(slow.hello().isAck()).isTrue();
            TransportStats before = netlinkStats(control);

            control.callOk(KchanRequests.genStart(count, size));
            // The slow endpoint does not read while the generator runs: wait until every event has
            // been offered to both netlink subscribers (the genl side's and this endpoint's).
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (true) {
                TransportStats now = netlinkStats(control);
                long offered = now.events() + now.drops() - before.events() - before.drops();
                if (offered >= 2L * count) {
                    break;
                }
                assertThat(System.nanoTime() < deadline).as("generator done within 5 minutes: %d offered", offered)
                        .isTrue();
                Thread.sleep(200);
            }

            // Now read everything. Whenever the socket stays quiet, SET an end marker: the first one
            // that arrives closes the window and carries the final DROPPED (markers that were lost,
            // if any, count among the drops).
            List<KchanEvent> generated = new ArrayList<>();
            int markersSent = 0;
            KchanEvent end = null;
            while (end == null) {
                Optional<KchanEvent> next = slow.nextEvent(Duration.ofSeconds(1));
                if (next.isEmpty()) {
                    control.callOk(KchanRequests.set(endKey + "." + markersSent++, "end"));
                    continue;
                }
                KchanEvent event = next.get();
                if (event.type() == EventType.STORE_SET) {
                    end = event;
                } else {
                    generated.add(event);
                }
            }
            int lostMarkers = Integer.parseInt(end.keyAsString().orElseThrow().substring(endKey.length() + 1));

            long previousSeq = -1;
            long gaps = 0;
            for (KchanEvent event : generated) {
                assertThat(event.type()).as("%s", event).isEqualTo(EventType.GENERATED);
                assertThat(event.payload()).hasValueSatisfying(p -> assertThat(p).hasSize(size));
                // The endpoint's SEQ starts at 0 at HELLO, and the generator is all it was offered.
                assertThat(event.seq()).as("SEQ of GEN_INDEX %s", event.genIndex()).isEqualTo(event.genIndex().orElseThrow());
                gaps += event.seq() - previousSeq - 1;
                assertThat(event.dropped()).as("DROPPED of %s: the gaps so far", event).isEqualTo(gaps);
                previousSeq = event.seq();
            }
            gaps += end.seq() - previousSeq - 1;
            String summary = "received " + generated.size() + ", SEQ gaps " + gaps + ", DROPPED " + end.dropped()
                    + ", end markers lost " + lostMarkers + ", receive buffer " + slow.socket().receiveBufferSize();
            assertThat(gaps).as(summary).isEqualTo(end.dropped());
            assertThat(end.seq()).as(summary).isEqualTo(count + lostMarkers);
            assertThat(generated.size() + end.dropped()).as(summary).isEqualTo(count + lostMarkers);
            assertThat(end.dropped()).as("the flood overflowed the queue: %s", summary).isPositive();
            // Drops happen only with the queue full, and the queue is always delivered whole: the
            // socket's overruns lost nothing.
            assertThat((long) generated.size()).as(summary).isGreaterThanOrEqualTo(queueLength);
            System.out.println("slow raw endpoint, " + count + " events: " + summary);

            // Joins the generator's thread: the next GEN_START must not find it still finishing (EBUSY).
            control.callOk(KchanRequests.genStop());
            for (int i = 0; i < markersSent; i++) {
                control.callOk(KchanRequests.delete(endKey + "." + i));
            }
        }
    }

    @Test
    void unloadWaitsForBusyEndpointsToCloseAndThenIsClean() {
        List<String> logBefore = GuestShell.dmesg();
        try {
            RawUnitClient a = RawUnitClient.open();
            RawUnitClient b = RawUnitClient.open();
            RawUnitClient control = RawUnitClient.open();
            try {
                for (RawUnitClient endpoint : List.of(a, b)) {
                    endpoint.socket().setNoEnobufs(true);
                    assertThat(endpoint.hello().isAck()).isTrue();
                }
                // Busy: a generator pushing to both endpoints, and a backlog of requests.
                control.callOk(KchanRequests.genStart(1_000_000, 64, 2_000));
                for (RawUnitClient endpoint : List.of(a, b)) {
                    for (int i = 0; i < 3; i++) {
                        assertThat(endpoint.nextEvent().type()).isEqualTo(EventType.GENERATED);
                    }
                }

                // Every socket of the unit holds a reference on the module: rmmod refuses.
                GuestShell.Result refused = GuestShell.rmmod(NETLINK);
                assertThat(refused.ok()).as("rmmod with endpoints open: %s", refused.output()).isFalse();
                assertThat(refused.output()).contains("in use");
                assertThat(GuestShell.isLoaded(NETLINK)).isTrue();
                assertThat(a.nextEvent().type()).as("pushing goes on").isEqualTo(EventType.GENERATED);

                // Requests left unread and still queued when the sockets close.
                for (int i = 0; i < 100; i++) {
                    control.sendRequest(KchanRequests.echo(new byte[60_000]));
                }
            } finally {
                a.close();
                b.close();
                control.close();
            }

            // Closed while busy: the endpoints were torn down, the module unloads and comes back.
            GuestShell.Result removed = GuestShell.rmmod(NETLINK);
            assertThat(removed.ok()).as("rmmod once the sockets are closed: %s", removed.output()).isTrue();
            GuestShell.Result loaded = GuestShell.insmod(NETLINK);
            assertThat(loaded.ok()).as("insmod again: %s", loaded.output()).isTrue();
            try (RawUnitClient again = RawUnitClient.open()) {
                again.callOk(KchanRequests.genStop());
                assertThat(again.hello().isAck()).isTrue();
                String key = uniqueKey("reloaded");
                again.callOk(KchanRequests.set(key, "back"));
                // GEN_STOP waited for the generator, so this is the first event the new endpoint sees.
                assertStoreSet(again.nextEvent(), key, "back", 0);
                again.callOk(KchanRequests.delete(key));
            }
            assertThat(GuestShell.dmesgSince(logBefore)).as("kernel log")
                    .noneMatch(l -> l.matches(".*(Oops|BUG|WARNING|Call Trace).*"));
        } finally {
            restoreDefaultLoad();
        }
    }
}
