// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kchannel.api.EventListener;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.message.Attribute;
import dev.kchannel.api.message.Attributes;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.EventType;
import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.ListPart;
import dev.kchannel.api.message.StatsReply;
import dev.kchannel.api.message.TransportId;
import dev.kchannel.api.message.TransportStats;
import dev.kchannel.transport.netlink.NetlinkTransport;
import dev.kchannel.transport.netlink.genl.GenericFamily;
import dev.kchannel.transport.netlink.genl.GenericMessage;
import dev.kchannel.transport.netlink.genl.GenericNetlink;
import dev.kchannel.transport.netlink.raw.MultiplexedConnection;
import dev.kchannel.transport.netlink.raw.Netlink;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;
import dev.kchannel.transport.netlink.raw.NetlinkSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 3's promises for the netlink transport that the contract kit does not cover: a shared
 * channel under many threads, many sockets at once, bad input through Generic Netlink with its
 * errno and extended ack, unprivileged mutation, and an event flood against a slow subscriber.
 *
 * <p>Sizes: the lab runs under TCG (5-50x slower than the host), so CI runs smaller counts than
 * the issue's; {@code -Dkchannel.it.stress=full} runs the (64 threads x 1,000 calls).
 */
class NetlinkTransportGuestTest {

    private static final List<String> MODULES = GuestShell.NETLINK_MODULES;
    private static final boolean FULL = "full".equals(System.getProperty("kchannel.it.stress"));
    private static final Duration WAIT = Duration.ofSeconds(60);

    @BeforeAll
    static void loadModules() {
        GuestShell.loadMissing(MODULES);
        assertThat(new NetlinkTransport().availability().isAvailable())
                .as("netlink transport: %s", new NetlinkTransport().availability()).isTrue();
    }

    @AfterAll
    static void unloadModules() {
        GuestShell.unloadAll(MODULES);
    }

    private static KernelChannel open() {
        return open(KchannelConfig.builder().transport("netlink").callTimeout(Duration.ofSeconds(30)).build());
    }

    private static KernelChannel open(KchannelConfig config) {
        return new NetlinkTransport().open(config);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static TransportStats netlinkStats(KernelChannel channel) {
        StatsReply stats = StatsReply.from(channel.call(KchanRequests.stats()));
        return stats.transport(TransportId.NETLINK)
                .orElseThrow(() -> new AssertionError("STATS has no netlink counters: " + stats));
    }

    /** A payload only thread {@code t}'s call {@code i} sends, of a length that varies with both. */
    private static byte[] uniquePayload(int t, int i) {
        byte[] tag = utf8("t" + t + "-i" + i + "|");
        byte[] payload = new byte[tag.length + (t * 31 + i * 7) % 300];
        System.arraycopy(tag, 0, payload, 0, tag.length);
        for (int k = tag.length; k < payload.length; k++) {
            payload[k] = (byte) (t * 13 + i * 3 + k);
        }
        return payload;
    }

    private static Thread start(Long stackSize, String name, Runnable body) {
        Thread thread = stackSize == null ? new Thread(body, name) : new Thread(null, body, name, stackSize);
        thread.start();
        return thread;
    }

    private static void joinAll(List<Thread> threads) throws InterruptedException {
        for (Thread thread : threads) {
            thread.join(TimeUnit.MINUTES.toMillis(5));
            assertThat(thread.isAlive()).as("%s still running after 5 minutes", thread.getName()).isFalse();
        }
    }

    // ---- 1. one channel, many threads -------------------------------------------------------

    /**
     * The Generic Netlink sockets this process holds now: the {@code socket:[inode]} links in
     * /proc/self/fd that /proc/self/net/netlink lists with protocol (column Eth) 16.
     */
    static int genericNetlinkSockets() {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // Closed between the listing and the read: not held any more.
                }
            }
            List<String> lines = Files.readAllLines(Path.of("/proc/self/net/netlink"));
            int count = 0;
            for (String line : lines.subList(1, lines.size())) {
                String[] columns = line.trim().split("\\s+");
                if (columns[1].equals(String.valueOf(Netlink.NETLINK_GENERIC))
                        && inodes.contains(columns[columns.length - 1])) {
                    count++;
                }
            }
            return count;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void sharedChannelUnderConcurrencyGoesThroughOneSocketAndGivesEveryCallExactlyItsOwnReply() throws Exception {
        // The issue asks 64 threads x 1,000 calls; CI runs 64 x 50 (-Dkchannel.it.stress=full for the rest).
        int threads = 64;
        int calls = FULL ? 1_000 : 50;
        int socketsBefore = genericNetlinkSockets();
        try (KernelChannel channel = open()) {
            MultiplexedConnection socket = channel.unwrap(MultiplexedConnection.class)
                    .orElseThrow(() -> new AssertionError("the default channel has no shared socket"));
            long before = netlinkStats(channel).requests();
            long sentBefore = socket.requestsSent();
            Queue<String> wrong = new ConcurrentLinkedQueue<>();
            Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
            Set<Integer> replySeqs = ConcurrentHashMap.newKeySet();
            AtomicInteger good = new AtomicInteger();
            AtomicInteger mostSockets = new AtomicInteger();
            AtomicBoolean running = new AtomicBoolean(true);
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                workers.add(start(null, "echo-" + t, () -> {
                    try {
                        start.await();
                        for (int i = 0; i < calls; i++) {
                            byte[] sent = uniquePayload(thread, i);
                            KchanMessage reply = channel.call(KchanRequests.echo(sent));
                            byte[] got = KchanReplies.payload(reply);
                            if (!replySeqs.add(reply.seq())) {
                                wrong.add("thread " + thread + " call " + i + " got a reply seq already seen: "
                                        + reply.seq());
                            }
                            if (Arrays.equals(sent, got)) {
                                good.incrementAndGet();
                            } else {
                                wrong.add("thread " + thread + " call " + i + " got " + got.length + " bytes starting "
                                        + new String(got, 0, Math.min(got.length, 16), StandardCharsets.ISO_8859_1));
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            // Samples the process's Generic Netlink sockets for as long as the calls run.
            Thread sampler = start(null, "socket-sampler", () -> {
                while (running.get()) {
                    mostSockets.accumulateAndGet(genericNetlinkSockets() - socketsBefore, Math::max);
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            long started = System.nanoTime();
            start.countDown();
            joinAll(workers);
            double seconds = (System.nanoTime() - started) / 1e9;
            running.set(false);
            sampler.join();
            long after = netlinkStats(channel).requests();

            assertThat(failures).as("calls that threw").isEmpty();
            assertThat(wrong).as("replies carrying another call's payload or seq").isEmpty();
            assertThat(good.get()).isEqualTo(threads * calls);
            // Every request the handler sees counts once; the first STATS counts after its own reply.
            assertThat(after - before).as("netlink STAT_REQUESTS growth").isGreaterThanOrEqualTo((long) threads * calls)
                    .isEqualTo((long) threads * calls + 1);
            // One socket for all of it: seen from /proc while the calls ran, and by the connection.
            assertThat(mostSockets.get()).as("Generic Netlink sockets the channel held during the calls").isEqualTo(1);
            assertThat(genericNetlinkSockets() - socketsBefore).isEqualTo(1);
            assertThat(socket.socketsOpened()).as("sockets the channel opened").isEqualTo(1);
            assertThat(socket.resets()).isZero();
            assertThat(socket.lateReplies()).isZero();
            assertThat(socket.requestsSent() - sentBefore).as("requests on the shared socket")
                    .isEqualTo((long) threads * calls + 1);
            System.out.printf("shared channel: %d threads x %d calls on one socket in %.1f s (%.0f calls/s)%n",
                    threads, calls, seconds, threads * calls / seconds);
        }
        assertThat(genericNetlinkSockets()).as("after close").isEqualTo(socketsBefore);
    }

    // ---- 2. many sockets, many channels ------------------------------------------------------

    @Test
    void aThousandThreadsEachOpenTheirOwnSocketWithADistinctPortId() throws Exception {
        int threads = 1_000;
        Map<Integer, Integer> portIds = new ConcurrentHashMap<>();
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<NetlinkSocket> sockets = new CopyOnWriteArrayList<>();
        CountDownLatch opened = new CountDownLatch(threads);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger zero = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                workers.add(start(256 * 1024L, "socket-" + t, () -> {
                    try {
                        NetlinkSocket socket = NetlinkSocket.open(Netlink.NETLINK_GENERIC);
                        sockets.add(socket);
                        if (socket.portId() == 0) {
                            zero.incrementAndGet();
                        }
                        Integer other = portIds.putIfAbsent(socket.portId(), thread);
                        if (other != null) {
                            failures.add(new AssertionError("port id " + socket.portId() + " of thread " + thread
                                    + " is also thread " + other + "'s"));
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    } finally {
                        opened.countDown();
                    }
                    try {
                        // Hold the socket until every thread has one, so the ids are distinct at once.
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            assertThat(opened.await(5, TimeUnit.MINUTES)).as("all threads opened a socket").isTrue();

            assertThat(failures).as("failures").isEmpty();
            assertThat(sockets).hasSize(threads);
            assertThat(zero.get()).as("sockets with port id 0").isZero();
            assertThat(portIds).hasSize(threads);
            assertThat(sockets.stream().map(NetlinkSocket::portId).distinct().count()).isEqualTo(threads);
        } finally {
            release.countDown();
            joinAll(workers);
            sockets.forEach(NetlinkSocket::close);
        }
    }

    @Test
    void aHundredThreadsEachWithTheirOwnChannelGetTheirOwnEcho() throws Exception {
        int threads = 100;
        Queue<String> results = new ConcurrentLinkedQueue<>();
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            workers.add(start(null, "channel-" + t, () -> {
                try (KernelChannel channel = open()) {
                    ready.countDown();
                    go.await();
                    byte[] sent = uniquePayload(thread, 1_000_000);
                    byte[] got = KchanReplies.payload(channel.call(KchanRequests.echo(sent)));
                    results.add(Arrays.equals(sent, got) ? "ok" : "thread " + thread + " got another payload");
                } catch (Throwable e) {
                    ready.countDown();
                    failures.add(e);
                }
            }));
        }
        assertThat(ready.await(5, TimeUnit.MINUTES)).isTrue();
        go.countDown();
        joinAll(workers);

        assertThat(failures).as("failures").isEmpty();
        assertThat(results).hasSize(threads).containsOnly("ok");
    }

    // ---- 3. bad input ------------------------------------------------------------------------

    @Test
    void badInputOverGenericNetlinkIsRefusedWithItsErrnoAndExtendedAckAndStoresNothing() {
        String prefix = "nltg.bad." + System.nanoTime() + ".";
        try (KernelChannel channel = open(); GenericNetlink genl = GenericNetlink.open()) {
            GenericFamily family = genl.family("kchan");
            long errorsBefore = netlinkStats(channel).errors();

            // Oversized key: genl's policy check (NLA_POLICY_RANGE(NLA_BINARY, 1, 64)).
            byte[] longKey = utf8(prefix + "k".repeat(KchanProtocol.KEY_MAX + 1 - prefix.length()));
            assertThat(longKey).hasSize(KchanProtocol.KEY_MAX + 1);
            KernelErrorException tooLong = catchThrowableOfType(KernelErrorException.class, () -> channel.call(
                    KchanMessage.builder(Command.SET).bytes(KchanProtocol.ATTR_KEY, longKey)
                            .bytes(KchanProtocol.ATTR_VALUE, utf8("never")).build()));
            assertThat(tooLong).as("SET with a 65-byte key").isNotNull();
            assertThat(tooLong.errno()).isEqualTo(Errno.ERANGE);
            assertThat(tooLong.extAckMessage()).contains("binary attribute size out of range");
            assertThat(tooLong.offendingAttribute()).hasValue(KchanProtocol.ATTR_KEY);
            assertThat(tooLong.transport()).contains("netlink");
            assertThat(tooLong.operation()).contains("SET");
            byte[] keyMax = Arrays.copyOf(longKey, KchanProtocol.KEY_MAX);
            assertThat(catchThrowableOfType(NoSuchEntryException.class,
                    () -> channel.call(KchanRequests.get(keyMax)))).as("GET of the key cut to 64 bytes").isNotNull();

            // Missing KEY on GET: passes the policy, refused by kchan_core with the missing type.
            KernelErrorException missing = catchThrowableOfType(KernelErrorException.class,
                    () -> channel.call(KchanMessage.builder(Command.GET).build()));
            assertThat(missing).as("GET without KEY").isNotNull();
            assertThat(missing.errno()).isEqualTo(Errno.EINVAL);
            assertThat(missing.extAckMessage()).contains("missing KEY");
            assertThat(missing.offendingAttribute()).hasValue(KchanProtocol.ATTR_KEY);

            // Wrong attribute type: COUNT is a u64, sent as 4 bytes (raw: the SDK's builders write a u64).
            String countKey = prefix + "count";
            KernelErrorException shortCount = catchThrowableOfType(KernelErrorException.class,
                    () -> genl.request(new GenericMessage(family.id(), KchanProtocol.CMD_GEN_START, family.version(),
                            Attributes.of(Attribute.u32(KchanProtocol.ATTR_COUNT, 1_000_000),
                                    Attribute.u32(KchanProtocol.ATTR_SIZE, 8), Attribute.u32(KchanProtocol.ATTR_RATE, 1)))));
            assertThat(shortCount).as("GEN_START with a 4-byte COUNT").isNotNull();
            assertThat(shortCount.errno()).isEqualTo(Errno.EINVAL);
            assertThat(shortCount.extAckMessage()).contains("invalid attribute length");
            assertThat(shortCount.offendingAttribute()).hasValue(KchanProtocol.ATTR_COUNT);
            // The same on SET: nothing stored.
            KernelErrorException setWithCount = catchThrowableOfType(KernelErrorException.class,
                    () -> genl.request(new GenericMessage(family.id(), KchanProtocol.CMD_SET, family.version(),
                            Attributes.of(Attribute.string(KchanProtocol.ATTR_KEY, countKey),
                                    Attribute.bytes(KchanProtocol.ATTR_VALUE, utf8("never")),
                                    Attribute.u32(KchanProtocol.ATTR_COUNT, 1)))));
            assertThat(setWithCount).as("SET carrying a 4-byte COUNT").isNotNull();
            assertThat(setWithCount.errno()).isEqualTo(Errno.EINVAL);
            assertThat(setWithCount.offendingAttribute()).hasValue(KchanProtocol.ATTR_COUNT);
            assertThat(catchThrowableOfType(NoSuchEntryException.class,
                    () -> channel.call(KchanRequests.get(countKey)))).as("GET after the refused SET").isNotNull();
            // The refused GEN_START started nothing: a real one now is not EBUSY.
            channel.call(KchanRequests.genStart(1, 8, 0));

            // Unknown command: genl's EOPNOTSUPP.
            for (int cmd : List.of(KchanProtocol.CMD_MAX + 1, 200)) {
                KernelErrorException unknown = catchThrowableOfType(KernelErrorException.class,
                        () -> genl.request(new GenericMessage(family.id(), cmd, family.version(), Attributes.empty())));
                assertThat(unknown).as("genl cmd %d", cmd).isNotNull();
                assertThat(unknown.errno()).as("genl cmd %d", cmd).isEqualTo(Errno.EOPNOTSUPP);
            }

            // Truncated genl header: 2 of genlmsghdr's 4 bytes.
            KernelErrorException truncated = catchThrowableOfType(KernelErrorException.class,
                    () -> genl.connection().request(NetlinkMessage.builder(family.id())
                            .payload(new byte[] {(byte) KchanProtocol.CMD_SET, (byte) family.version()}).build()));
            assertThat(truncated).as("a message shorter than genlmsghdr").isNotNull();
            assertThat(truncated.errno()).isEqualTo(Errno.EINVAL);

            // genl refused the policy violations, unknown commands and the truncated header before
            // kchan_netlink's handler, so they are not counted; "missing KEY" and the two GETs
            // answered ENOENT are.
            assertThat(netlinkStats(channel).errors() - errorsBefore).as("netlink STAT_ERRORS growth").isEqualTo(3);
            assertThat(ListPart.from(channel.call(KchanRequests.list())).entries().stream()
                    .map(entry -> new String(entry.key(), StandardCharsets.UTF_8))
                    .filter(key -> key.startsWith(prefix)).collect(Collectors.toList()))
                    .as("keys stored under this test's prefix").isEmpty();
        } finally {
            try (KernelChannel channel = open()) {
                channel.call(KchanRequests.genStop());
            }
        }
    }

    // ---- 4. unprivileged mutation ------------------------------------------------------------

    @Test
    void unprivilegedMutationIsPermissionDeniedAndChangesNothing() throws Exception {
        String forbidden = "nltg.nobody." + System.nanoTime();
        String readable = "nltg.readable." + System.nanoTime();
        try (KernelChannel channel = open()) {
            channel.call(KchanRequests.set(readable, "root wrote this"));

            GuestShell.Result run = AsNobody.run(UnprivilegedNetlinkClient.class, forbidden, readable);

            assertThat(run.ok()).as("the unprivileged client: %s", run.output()).isTrue();
            List<String> lines = run.output().lines().toList();
            assertThat(lines).as(run.output())
                    .contains("SET FAIL PermissionDeniedException EPERM -",
                            "GEN_START FAIL PermissionDeniedException EPERM -",
                            "ECHO OK from nobody",
                            "GET OK root wrote this",
                            "END");
            assertThat(catchThrowableOfType(NoSuchEntryException.class, () -> channel.call(KchanRequests.get(forbidden))))
                    .as("GET of the key nobody tried to SET").isNotNull();
            // Had nobody's 1,000,000-event generator started, this would be EBUSY.
            channel.call(KchanRequests.genStart(1, 8, 0));
            channel.call(KchanRequests.genStop());
            channel.call(KchanRequests.delete(readable));
        }
    }

    // ---- 5. event flood ----------------------------------------------------------------------

    /** What a subscription delivered, events and gaps, in delivery order. */
    private static final class SlowListener implements EventListener {
        private final List<Object> delivered = new CopyOnWriteArrayList<>();
        private final List<KchannelException> errors = new CopyOnWriteArrayList<>();
        private final AtomicLong lastDelivery = new AtomicLong(System.nanoTime());
        private volatile boolean slow;

        @Override
        public void onEvent(KchanEvent event) {
            delivered.add(event);
            lastDelivery.set(System.nanoTime());
            if (slow) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void onGap(long lostCount) {
            delivered.add(lostCount);
            lastDelivery.set(System.nanoTime());
        }

        @Override
        public void onError(KchannelException error) {
            errors.add(error);
        }

        KchanEvent await(Predicate<KchanEvent> matches) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                for (Object item : delivered) {
                    if (item instanceof KchanEvent event && matches.test(event)) {
                        return event;
                    }
                }
                Thread.sleep(20);
            }
            throw new AssertionError("no matching event in " + WAIT + "; delivered " + delivered.size()
                    + " items, errors " + errors);
        }

        /** The place in {@link #delivered} of the first STORE_SET whose key {@code markers} made. */
        OptionalInt firstMarker(EndMarkers markers) {
            for (int i = 0; i < delivered.size(); i++) {
                if (delivered.get(i) instanceof KchanEvent event && event.type() == EventType.STORE_SET
                        && markers.isMarker(event.keyAsString().orElse(null))) {
                    return OptionalInt.of(i);
                }
            }
            return OptionalInt.empty();
        }
    }

    private static Predicate<KchanEvent> storeSetOf(String key) {
        return event -> event.type() == EventType.STORE_SET && event.keyAsString().filter(key::equals).isPresent();
    }

    @Test
    void eventFloodAgainstASlowSubscriberAccountsForEveryEvent() throws Exception {
        int count = 5_000;
        int size = 64;
        String startKey = "nltg.flood.start." + System.nanoTime();
        EndMarkers markers = new EndMarkers("nltg.flood.end." + System.nanoTime());
        // A small receive buffer (the minimum the transport takes), so the socket overflows too.
        KchannelConfig config = KchannelConfig.builder().transport("netlink").callTimeout(Duration.ofSeconds(30))
                .setting("netlink", "event-receive-buffer", "4096").build();
        SlowListener listener = new SlowListener();
        try (KernelChannel channel = open(config); Subscription subscription = channel.subscribe(listener)) {
            // Sentinel before: its SEQ and DROPPED open the window.
            channel.call(KchanRequests.set(startKey, "start"));
            KchanEvent start = listener.await(storeSetOf(startKey));
            TransportStats before = netlinkStats(channel);
            int startIndex = listener.delivered.indexOf(start);

            listener.slow = true;
            channel.call(KchanRequests.genStart(count, size, 0));
            awaitOffered(channel, before, count);
            listener.slow = false;
            // End markers close the window once the socket is quiet; any loss before the first that
            // arrives is reported as its gap, lost markers included.
            int endIndex = markers.await(channel, () -> listener.firstMarker(markers), listener.lastDelivery::get,
                    Duration.ofSeconds(2));
            KchanEvent end = (KchanEvent) listener.delivered.get(endIndex);
            int lostMarkers = markers.lostBefore(end.keyAsString().orElseThrow());
            TransportStats after = netlinkStats(channel);
            List<Object> window = listener.delivered.subList(startIndex + 1, endIndex);

            // Walk the window: each gap must be exactly the GEN_INDEX jump before the next event.
            long expectedIndex = 0;
            long pendingGap = 0;
            long gapTotal = 0;
            long received = 0;
            for (Object item : window) {
                if (item instanceof Long lost) {
                    pendingGap += lost;
                    gapTotal += lost;
                    continue;
                }
                KchanEvent event = (KchanEvent) item;
                assertThat(event.type()).as("event in the window: %s", event).isEqualTo(EventType.GENERATED);
                long index = event.genIndex().orElseThrow();
                assertThat(pendingGap).as("gap reported before GEN_INDEX %d", index).isEqualTo(index - expectedIndex);
                assertThat(event.payload()).hasValueSatisfying(p -> assertThat(p).hasSize(size));
                expectedIndex = index + 1;
                pendingGap = 0;
                received++;
            }
            assertThat(pendingGap).as("gap reported before the end marker, %d lost markers included", lostMarkers)
                    .isEqualTo(count - expectedIndex + lostMarkers);

            long kernelDropped = end.dropped() - start.dropped();
            long statDrops = after.drops() - before.drops();
            String summary = "received " + received + ", SDK gaps " + gapTotal + ", kernel DROPPED " + kernelDropped
                    + ", STAT_DROPS " + statDrops + ", STAT_EVENTS " + (after.events() - before.events())
                    + ", end markers lost " + lostMarkers;
            // SEQ: the kernel offered exactly the generated events (and lost markers) in the window.
            assertThat(end.seq() - start.seq() - 1).as(summary).isEqualTo(count + lostMarkers);
            // Everything generated after subscribing was either delivered or reported lost.
            assertThat(received + gapTotal).as(summary).isEqualTo(count + lostMarkers);
            assertThat(gapTotal).as("the flood overflowed something: %s", summary).isPositive();
            // The kernel's two accounts of its queue drops agree; the SDK's gaps hold those plus the
            // socket's ENOBUFS losses, which the kernel does not count.
            assertThat(statDrops).as(summary).isEqualTo(kernelDropped);
            assertThat(gapTotal).as(summary).isGreaterThanOrEqualTo(kernelDropped);
            assertThat(after.events() + after.drops() - before.events() - before.drops())
                    .as("events offered to the module's subscriber (generated + end markers): %s", summary)
                    .isEqualTo(count + markers.sent());
            assertThat(listener.errors).isEmpty();
            assertThat(subscription.isActive()).isTrue();
            System.out.println("event flood of " + count + ": " + summary);
            // Joins the generator's thread: the next GEN_START must not find it still finishing (EBUSY).
            channel.call(KchanRequests.genStop());
            channel.call(KchanRequests.delete(startKey));
            markers.deleteAll(channel);
        }
    }

    /**
     * Waits until kchan_netlink's subscriber was offered {@code count} events since
     * {@code before} (queued or dropped): the generator is done, and what is left is draining.
     */
    private static void awaitOffered(KernelChannel channel, TransportStats before, long count)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (true) {
            TransportStats now = netlinkStats(channel);
            long offered = now.events() + now.drops() - before.events() - before.drops();
            if (offered >= count) {
                return;
            }
            assertThat(System.nanoTime() < deadline).as("generator done within 5 minutes: %d offered", offered)
                    .isTrue();
            Thread.sleep(200);
        }
    }
}
