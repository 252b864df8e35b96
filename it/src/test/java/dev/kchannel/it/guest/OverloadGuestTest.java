// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.message.EventType;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.StatsReply;
import dev.kchannel.api.message.TransportStats;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Overload, per door that can push events: kchan_core's generator floods a listener that is as
 * slow as a listener can be (it blocks in the first generated event until the kernel has offered
 * every one, {@link StallingListener}), then drains. Per door:
 * <ul>
 *   <li>the SDK's gaps add up to exactly the kernel's drop count for that subscriber: the DROPPED
 *       difference between the start sentinel and the end marker ({@link EndMarkers}), plus, on
 *       Generic Netlink multicast, the socket's own drops in /proc/net/netlink, which kchan_core
 *       cannot see; and STATS agrees;
 *   <li>events received plus events reported lost equal events generated, each gap exactly the
 *       GEN_INDEX jump it stands for;
 *   <li>kernel memory is bounded: a stalled listener receives no more than kchan_core's queue
 *       bound ({@code sub_queue_len} events, {@code sub_queue_bytes} of bodies, read from the module
 *       parameters) plus what the transport's own buffer holds, however large the flood;
 *   <li>Java memory is bounded: the heap and direct buffers in use at the height of the flood did
 *       not grow with it.
 * </ul>
 * {@code -Dkchannel.it.overload.events=N} sets the flood (default 100,000 events of 1 KiB).
 * The interleaved case (a listener slow on every event, gaps between deliveries) is covered per
 * transport by the *TransportGuestTest classes' slow-listener tests.
 */
class OverloadGuestTest {

    private static final int EVENTS = Integer.getInteger("kchannel.it.overload.events", 100_000);
    private static final int EVENT_SIZE = 1024;

    /**
     * The heap and direct-buffer growth allowed at the height of the flood: 64 MiB, well under what
     * a Java-side queue of the flood would take ({@value #EVENT_SIZE} bytes of payload per event,
     * 100 MiB for the default 100,000, more with its objects around it), and well over what the
     * listener keeps ({@link StallingListener.Delivery}, some 50 bytes per event received, a few
     * thousand at most) plus the young garbage a full GC may leave behind. Only meaningful for a
     * flood of about 100,000 events or more; smaller floods pass it trivially.
     */
    private static final long JAVA_GROWTH_BOUND = 64L << 20;

    @BeforeAll
    static void loadModules() {
        GuestShell.loadMissing(StressDoor.MODULES);
    }

    @AfterAll
    static void unloadModules() {
        GuestShell.unloadAll(StressDoor.MODULES);
    }

    static Stream<OverloadDoor> doors() {
        return OverloadDoor.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("doors")
    void aStalledListenerLosesOnlyWhatTheKernelCountsAndNothingGrowsWithTheFlood(OverloadDoor door)
            throws Exception {
        String startKey = "overload.start." + System.nanoTime();
        EndMarkers markers = new EndMarkers("overload.end." + System.nanoTime());
        StallingListener listener = new StallingListener();
        try (KernelChannel channel = door.open(); Subscription subscription = channel.subscribe(listener)) {
            long javaBefore = javaMemoryInUse();
            // The start sentinel opens the window; the STATS around it tell how many subscribers
            // count under this door (the raw unit shares NETLINK with the genl family's own).
            TransportStats beforeStart = counters(channel, door);
            channel.call(KchanRequests.set(startKey, "start"));
            int startIndex = listener.awaitStoreSetOf(startKey);
            TransportStats before = counters(channel, door);
            long subscribersOnCounter = offered(before) - offered(beforeStart);
            long socketDropsBefore = NetlinkSocketDrops.ofThisProcess(NetlinkSocketDrops.GENERIC);

            channel.call(KchanRequests.genStart(EVENTS, EVENT_SIZE, 0));
            listener.awaitStalled();
            TransportStats flooded = awaitOffered(channel, door, before, subscribersOnCounter * EVENTS);
            long javaAtHeight = javaMemoryInUse();
            listener.release();
            int endIndex = awaitEndMarker(listener, markers, channel, door, flooded);
            TransportStats after = counters(channel, door);
            long socketDrops = NetlinkSocketDrops.ofThisProcess(NetlinkSocketDrops.GENERIC) - socketDropsBefore;
            StallingListener.Delivery start = listener.delivered.get(startIndex);
            StallingListener.Delivery end = listener.delivered.get(endIndex);
            // Markers that were lost before the one that arrived are the window's last events.
            int lostMarkers = markers.lostBefore(end.key());
            long offeredInWindow = EVENTS + lostMarkers;

            Window window = Window.walk(listener.delivered.subList(startIndex + 1, endIndex), EVENTS, lostMarkers,
                    EVENT_SIZE);
            long kernelDropped = end.dropped() - start.dropped();
            long statDrops = after.drops() - before.drops();
            long countedByKernel = kernelDropped + (door.socketLosesEvents() ? socketDrops : 0);
            long queueBound = queueBoundInEvents();
            long bufferBound = door.bufferBytes() / EVENT_SIZE + 1;
            String summary = String.format("%s: %d events of %d B; received %d, SDK gaps %d (%d gaps), kernel DROPPED %d,"
                    + " socket drops %d, STAT_DROPS %d, STAT_EVENTS %d; end markers lost %d; queue bound %d + buffer"
                    + " bound %d events; Java memory %+d KiB at the flood's height", door, EVENTS, EVENT_SIZE,
                    window.received(), window.lost(), window.gaps(), kernelDropped, socketDrops, statDrops,
                    after.events() - before.events(), lostMarkers, queueBound, bufferBound,
                    (javaAtHeight - javaBefore) >> 10);
            System.out.println("overload " + summary);

            assertThat(window.problems()).as(summary).isEmpty();
            assertThat(end.seq() - start.seq() - 1).as("SEQ: events offered between the sentinels; %s", summary)
                    .isEqualTo(offeredInWindow);
            assertThat(window.received() + window.lost()).as("received + lost == generated + lost markers; %s", summary)
                    .isEqualTo(offeredInWindow);
            assertThat(window.lost()).as("the stalled listener lost events; %s", summary).isPositive();
            assertThat(window.lost()).as("the SDK's gaps are the kernel's drops, exactly; %s", summary)
                    .isEqualTo(countedByKernel);
            if (subscribersOnCounter == 1) {
                assertThat(statDrops).as("STATS drops of the door's only subscriber; %s", summary)
                        .isEqualTo(kernelDropped);
            } else {
                assertThat(statDrops).as("STATS drops, %d subscribers on the counter; %s", subscribersOnCounter, summary)
                        .isGreaterThanOrEqualTo(kernelDropped);
            }
            assertThat(flooded.events() + flooded.drops() - before.events() - before.drops())
                    .as("every generated event offered to each of the %d subscribers; %s", subscribersOnCounter, summary)
                    .isEqualTo(subscribersOnCounter * EVENTS);
            // Blocked in its first event, the listener can receive only what was buffered when it
            // stopped: kchan_core's queue, the transport's buffer, the event in hand and one the
            // kernel side may hold while it waits for room (the raw unit's endpoint thread).
            assertThat(window.received()).as("received by a stalled listener; %s", summary)
                    .isLessThanOrEqualTo(queueBound + bufferBound + 2);
            assertThat(javaAtHeight - javaBefore).as("Java heap + direct buffer growth at the flood's height; %s",
                    summary).isLessThan(JAVA_GROWTH_BOUND);
            assertThat(listener.errors).as(summary).isEmpty();
            assertThat(subscription.isActive()).as(summary).isTrue();

            // Joins the generator's thread: the next GEN_START must not find it still finishing (EBUSY).
            channel.call(KchanRequests.genStop());
            channel.call(KchanRequests.delete(startKey));
            markers.deleteAll(channel);
        }
    }

    /**
     * Closes the window with end markers, once the released listener has been quiet for 5 s; when
     * none comes, the failure says whether the kernel dropped them (the door's drop counter moved
     * after the flood: the queue or socket stayed full) or offered them and none was delivered.
     */
    private static int awaitEndMarker(StallingListener listener, EndMarkers markers, KernelChannel channel,
            OverloadDoor door, TransportStats flooded) throws InterruptedException {
        try {
            return markers.await(channel, () -> listener.firstMarker(markers), listener::lastDeliveryNanos,
                    Duration.ofSeconds(5));
        } catch (AssertionError missing) {
            TransportStats now = counters(channel, door);
            throw new AssertionError(String.format("%s; since the flood the door's counters moved by %+d events and"
                    + " %+d drops", missing.getMessage(), now.events() - flooded.events(),
                    now.drops() - flooded.drops()), missing);
        }
    }

    /**
     * What one subscriber's queue holds at most, in events of this suite's size: kchan_core's
     * {@code sub_queue_len}, or fewer when {@code sub_queue_bytes} of event bodies (each at least
     * its payload) fill first.
     */
    private static long queueBoundInEvents() {
        Map<String, String> core = GuestShell.parameters("kchan_core");
        long length = Long.parseLong(core.get("sub_queue_len"));
        long bytes = Long.parseLong(core.get("sub_queue_bytes"));
        return Math.min(length, bytes / EVENT_SIZE);
    }

    /** Waits until the door's subscribers were offered {@code count} events since {@code before}. */
    private static TransportStats awaitOffered(KernelChannel channel, OverloadDoor door, TransportStats before,
            long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        TransportStats now = counters(channel, door);
        while (offered(now) - offered(before) < count && System.nanoTime() < deadline) {
            Thread.sleep(50);
            now = counters(channel, door);
        }
        return now;
    }

    private static long offered(TransportStats stats) {
        return stats.events() + stats.drops();
    }

    private static TransportStats counters(KernelChannel channel, OverloadDoor door) {
        StatsReply stats = StatsReply.from(channel.call(KchanRequests.stats()));
        return stats.transport(door.door().counter())
                .orElseThrow(() -> new AssertionError("STATS has no counters for " + door.door().counter() + ": " + stats));
    }

    /** Heap in use after a full collection, plus direct buffers: what the SDK could be holding. */
    private static long javaMemoryInUse() {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
        return heap + direct;
    }

    /**
     * The deliveries between the start sentinel and the end marker, walked: each gap must be exactly
     * the GEN_INDEX jump before the next event, and the gap before the end marker the events never
     * delivered.
     *
     * @param received GENERATED events delivered
     * @param lost events the gaps reported
     * @param gaps how many gaps
     * @param problems what did not fit, empty when all did
     */
    record Window(long received, long lost, long gaps, List<String> problems) {

        /**
         * Walks the deliveries between the start sentinel and the end marker: {@code count} GENERATED events of
         * {@code size} bytes, each gap exactly its GEN_INDEX jump, and then {@code lostMarkers}
         * end markers that went the way of the events before them.
         */
        static Window walk(List<StallingListener.Delivery> window, long count, int lostMarkers, int size) {
            long expectedIndex = 0;
            long pendingGap = 0;
            long lost = 0;
            long gaps = 0;
            long received = 0;
            List<String> problems = new java.util.ArrayList<>();
            for (StallingListener.Delivery item : window) {
                if (item.isGap()) {
                    pendingGap += item.lost();
                    lost += item.lost();
                    gaps++;
                    continue;
                }
                if (item.type() != EventType.GENERATED || item.payloadLength() != size) {
                    problems.add("not a GENERATED event of " + size + " bytes in the window: " + item);
                } else if (pendingGap != item.genIndex() - expectedIndex) {
                    problems.add("gap of " + pendingGap + " before GEN_INDEX " + item.genIndex() + ", expected "
                            + (item.genIndex() - expectedIndex));
                }
                expectedIndex = item.genIndex() + 1;
                pendingGap = 0;
                received++;
            }
            long tail = count - expectedIndex + lostMarkers;
            if (pendingGap != tail) {
                problems.add("gap of " + pendingGap + " before the end marker, expected " + tail + " (" + lostMarkers
                        + " of them end markers)");
            }
            return new Window(received, lost, gaps, problems.size() > 5 ? problems.subList(0, 5) : problems);
        }
    }
}
