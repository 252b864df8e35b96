// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import dev.kchannel.api.Availability;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.message.EventType;
import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.ListEntry;
import dev.kchannel.api.message.ListPart;
import dev.kchannel.api.message.MessageCodec;
import dev.kchannel.api.message.StatsReply;
import dev.kchannel.api.message.TransportId;
import dev.kchannel.api.message.TransportStats;
import dev.kchannel.api.support.PollEvent;
import dev.kchannel.cli.Main;
import dev.kchannel.transport.netlink.NetlinkTransport;
import dev.kchannel.transport.procfs.KchanProcDirectory;
import dev.kchannel.transport.procfs.ProcfsTransport;
import dev.kchannel.transport.procfs.StoreListing;
import dev.kchannel.transport.procfs.raw.OpenFlag;
import dev.kchannel.transport.procfs.raw.ProcFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 4's promises for the procfs transport beyond the contract kit, inside the guest kernel
 * with kchan_core, kchan_netlink and kchan_procfs loaded: state shared with netlink both ways;
 * a 10,000-entry store read alike through the SDK's dump, the raw layer and {@code cat}; events
 * through poll and read on the events file; exact gap counts for a slow listener; the raw layer
 * reading /proc and sysfs as java.nio does; the CLI with {@code --transport procfs}; what an
 * unprivileged process is told; and a channel that outlives a reload of kchan_procfs.
 *
 * <p>No assertion depends on timing: waits are for events or counters that must come, bounded
 * only so that a broken build fails instead of hanging.
 */
class ProcfsTransportGuestTest {

    private static final List<String> MODULES = List.of("kchan_core", "kchan_netlink", "kchan_procfs");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path EVENTS = Path.of("/proc/kchan/events");
    private static final Path STORE = Path.of("/proc/kchan/store");
    private static final Path STATS = Path.of("/proc/kchan/stats");

    @BeforeAll
    static void loadModules() {
        GuestShell.loadMissing(MODULES);
        assertThat(new ProcfsTransport().availability().isAvailable())
                .as("procfs: %s", new ProcfsTransport().availability()).isTrue();
        assertThat(new NetlinkTransport().availability().isAvailable())
                .as("netlink: %s", new NetlinkTransport().availability()).isTrue();
    }

    @AfterAll
    static void unloadModules() {
        GuestShell.unloadAll(MODULES);
    }

    private static KchannelConfig config() {
        return KchannelConfig.builder().transport("procfs").callTimeout(Duration.ofSeconds(30)).build();
    }

    private static KernelChannel open() {
        return new ProcfsTransport().open(config());
    }

    private static KernelChannel openNetlink() {
        return new NetlinkTransport().open(KchannelConfig.builder().transport("netlink").build());
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code length} bytes of every value 0..255 in turn, from {@code seed}. */
    private static byte[] pattern(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed + i * 31);
        }
        return bytes;
    }

    private static List<ListEntry> dumpAll(KernelChannel channel) {
        try (Stream<KchanMessage> parts = channel.dump(KchanRequests.list())) {
            return parts.map(ListPart::from).flatMap(part -> part.entries().stream()).collect(Collectors.toList());
        }
    }

    private static TransportStats procfsStats(KernelChannel channel) {
        StatsReply stats = StatsReply.from(channel.call(KchanRequests.stats()));
        return stats.transport(TransportId.PROCFS).orElseThrow(() -> new AssertionError("no procfs counters: " + stats));
    }

    /** What {@code argv} wrote to standard output, as bytes, after checking it exited 0. */
    private static byte[] output(String... argv) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("%s finished", List.of(argv)).isTrue();
        assertThat(process.exitValue()).as("%s exit status", List.of(argv)).isZero();
        return out;
    }

    // ---- 1. one store, every door ------------------------------------------------------------

    @Test
    void aValueSetThroughNetlinkReadsBackThroughProcfsAndTheReverse() {
        String viaNetlink = "pfsg.cross.netlink." + System.nanoTime();
        String viaProcfs = "pfsg.cross.procfs." + System.nanoTime();
        byte[] binary = pattern(10_000, 5);
        try (KernelChannel procfs = open(); KernelChannel netlink = openNetlink()) {
            try {
                netlink.call(KchanRequests.set(viaNetlink, binary));
                procfs.call(KchanRequests.set(viaProcfs, "from /proc/kchan/call"));

                assertThat(KchanReplies.value(procfs.call(KchanRequests.get(viaNetlink)))).isEqualTo(binary);
                assertThat(KchanReplies.value(netlink.call(KchanRequests.get(viaProcfs))))
                        .isEqualTo(utf8("from /proc/kchan/call"));
                // The store view shows both, as the SDK reads it.
                List<ListEntry> view = procfs.unwrap(KchanProcDirectory.class).orElseThrow().readStore();
                assertThat(view).contains(new ListEntry(utf8(viaNetlink), binary),
                        new ListEntry(utf8(viaProcfs), utf8("from /proc/kchan/call")));
            } finally {
                netlink.call(KchanRequests.delete(viaNetlink));
                netlink.call(KchanRequests.delete(viaProcfs));
            }
            assertThat(catchThrowableOfType(NoSuchEntryException.class,
                    () -> procfs.call(KchanRequests.get(viaProcfs)))).as("deleted through netlink").isNotNull();
        }
    }

    // ---- 2. a big store, three ways to read it -----------------------------------------------

    /** Key {@code i} of the big store: text, with a TAB, newline, backslash and high bytes in every 10th. */
    private static byte[] storeKey(int i) {
        byte[] text = utf8(String.format("pfsg.store.%05d", i));
        if (i % 10 != 3) {
            return text;
        }
        byte[] key = Arrays.copyOf(text, text.length + 5);
        System.arraycopy(new byte[] {'\t', '\n', '\\', (byte) 0xff, 0}, 0, key, text.length, 5);
        return key;
    }

    /** Value {@code i}: every byte value; ten of them as large as a value can be. */
    private static byte[] storeValue(int i) {
        return pattern(i % 1000 == 0 ? KchanProtocol.VALUE_MAX : (i * 7) % 300, i);
    }

    @Test
    void tenThousandEntriesReadTheSameThroughTheSdkTheStoreFileAndCat() throws Exception {
        int count = 10_000;
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (KernelChannel channel = open()) {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                writers.add(pool.submit(() -> {
                    for (int i = first; i < count; i += threads) {
                        channel.call(KchanRequests.set(storeKey(i), storeValue(i)));
                    }
                    return null;
                }));
            }
            for (Future<?> writer : writers) {
                writer.get(20, TimeUnit.MINUTES);
            }
            try {
                List<ListEntry> dumped = dumpAll(channel);
                List<ListEntry> viewed = channel.unwrap(KchanProcDirectory.class).orElseThrow().readStore();
                byte[] catText = output("cat", STORE.toString());
                List<ListEntry> catted = StoreListing.parse(catText);

                // Nothing else writes meanwhile, so the three readings of the whole store agree exactly.
                assertThat(viewed).as("the store file through the raw layer").isEqualTo(dumped);
                assertThat(catted).as("cat /proc/kchan/store").isEqualTo(dumped);
                assertThat(catText.length).as("bytes of text").isGreaterThan(1 << 20);
                List<ListEntry> ours = dumped.stream().filter(e -> new String(e.key(), StandardCharsets.ISO_8859_1)
                        .startsWith("pfsg.store.")).collect(Collectors.toList());
                assertThat(ours).hasSize(count);
                for (int i = 0; i < count; i++) {
                    ListEntry entry = ours.get(i);
                    assertThat(entry.key()).as("key %d in key order", i).isEqualTo(storeKey(i));
                    assertThat(entry.value()).as("value of key %d", i).isEqualTo(storeValue(i));
                }
                // Line by line too: cat's line i is entry i escaped by the documented rule.
                String[] lines = new String(catText, StandardCharsets.US_ASCII).split("\n");
                assertThat(lines).hasSize(dumped.size());
                for (int i = 0; i < lines.length; i++) {
                    ListEntry entry = dumped.get(i);
                    assertThat(lines[i]).as("line %d", i + 1)
                            .isEqualTo(StoreListing.escape(entry.key()) + "\t" + StoreListing.escape(entry.value()));
                }
            } finally {
                List<Future<?>> deleters = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int first = t;
                    deleters.add(pool.submit(() -> {
                        for (int i = first; i < count; i += threads) {
                            channel.call(KchanRequests.delete(storeKey(i)));
                        }
                        return null;
                    }));
                }
                for (Future<?> deleter : deleters) {
                    deleter.get(20, TimeUnit.MINUTES);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- 3. events through poll and read ------------------------------------------------------

    @Test
    void theEventsFileIsPolledThenReadOneWholeEventAtATime() throws Exception {
        String key = "pfsg.poll." + System.nanoTime();
        try (KernelChannel channel = open(); ProcFile events = ProcFile.open(EVENTS, OpenFlag.READ, OpenFlag.NONBLOCK)) {
            assertThat(events.poll(EnumSet.of(PollEvent.IN), Duration.ZERO)).as("nothing queued yet").isEmpty();
            assertThat(events.read(ByteBuffer.allocate(4096))).as("O_NONBLOCK read of nothing (EAGAIN)").isZero();

            channel.call(KchanRequests.set(key, "polled"));

            assertThat(events.poll(EnumSet.of(PollEvent.IN, PollEvent.RDNORM), WAIT))
                    .containsExactlyInAnyOrder(PollEvent.IN, PollEvent.RDNORM);
            KernelErrorException tooSmall = catchThrowableOfType(KernelErrorException.class,
                    () -> events.read(ByteBuffer.allocate(KchanProtocol.HDR_LEN)));
            assertThat(tooSmall).as("a buffer too small for the event").isNotNull();
            assertThat(tooSmall.errno()).isEqualTo(Errno.EMSGSIZE);
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024).order(ByteOrder.nativeOrder());
            int read = events.read(buffer);
            buffer.flip();
            KchanEvent event = KchanEvent.from(MessageCodec.decode(buffer));

            assertThat(read).isPositive();
            assertThat(event.type()).isEqualTo(EventType.STORE_SET);
            assertThat(event.keyAsString()).contains(key);
            assertThat(event.seq()).as("a new open file's first event").isZero();
            assertThat(event.dropped()).isZero();
            assertThat(events.poll(EnumSet.of(PollEvent.IN), Duration.ZERO)).as("nothing left").isEmpty();
            channel.call(KchanRequests.delete(key));
        }
    }

    @Test
    void aSubscriptionGetsItsEventsThroughPollFromSeqZeroWhateverTheirSize() throws Exception {
        String key = "pfsg.sub." + System.nanoTime();
        byte[] large = pattern(KchanProtocol.VALUE_MAX, 9);
        // A read buffer smaller than the STORE_SET of a 65,456-byte value: the kernel answers
        // EMSGSIZE and keeps the event, the subscription reads again with a larger buffer.
        KchannelConfig config = KchannelConfig.builder().transport("procfs").callTimeout(Duration.ofSeconds(30))
                .setting("procfs", "event-buffer", "4096").build();
        RecordingListener listener = new RecordingListener();
        try (KernelChannel channel = new ProcfsTransport().open(config);
                Subscription subscription = channel.subscribe(listener)) {
            channel.call(KchanRequests.set(key, large));
            channel.call(KchanRequests.delete(key));

            KchanEvent set = listener.await(event -> event.type() == EventType.STORE_SET);
            KchanEvent delete = listener.await(event -> event.type() == EventType.STORE_DELETE);

            assertThat(set.seq()).isZero();
            assertThat(set.keyAsString()).contains(key);
            assertThat(set.value()).hasValueSatisfying(value -> assertThat(value).isEqualTo(large));
            assertThat(delete.seq()).isEqualTo(1);
            assertThat(listener.delivered).as("no gaps").hasSize(2);
            assertThat(listener.errors).isEmpty();
            assertThat(subscription.isActive()).isTrue();
        }
    }

    // ---- 4. a slow listener: exact gaps -------------------------------------------------------

    @Test
    void aSlowListenerIsToldExactlyHowManyEventsTheKernelDropped() throws Exception {
        int count = 5_000;
        int size = 64;
        String startKey = "pfsg.slow.start." + System.nanoTime();
        String endKey = "pfsg.slow.end." + System.nanoTime();
        // A small read buffer: about 45 events per read, so the listener falls behind the generator.
        KchannelConfig config = KchannelConfig.builder().transport("procfs").callTimeout(Duration.ofSeconds(30))
                .setting("procfs", "event-buffer", "4096").build();
        RecordingListener listener = new RecordingListener();
        try (KernelChannel channel = new ProcfsTransport().open(config);
                Subscription subscription = channel.subscribe(listener)) {
            channel.call(KchanRequests.set(startKey, "start"));
            KchanEvent start = listener.await(RecordingListener.storeSetOf(startKey));
            TransportStats before = procfsStats(channel);
            int startIndex = listener.delivered.indexOf(start);

            listener.slow = true;
            channel.call(KchanRequests.genStart(count, size, 0));
            // Every generated event has been offered (queued or dropped) once the counters say so.
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            TransportStats now = before;
            while (now.events() + now.drops() - before.events() - before.drops() < count && System.nanoTime() < deadline) {
                Thread.sleep(50);
                now = procfsStats(channel);
            }
            // The end sentinel must find room in the queue, or it would be dropped too: wait until
            // the listener has had every event the kernel queued for it.
            long queued = now.events() - before.events();
            while (listener.generated() < queued && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(listener.generated()).as("GENERATED events delivered of %d queued", queued).isEqualTo(queued);
            channel.call(KchanRequests.set(endKey, "end"));
            KchanEvent end = listener.await(RecordingListener.storeSetOf(endKey));
            listener.slow = false;
            TransportStats after = procfsStats(channel);
            List<Object> window = listener.delivered.subList(startIndex + 1, listener.delivered.indexOf(end));

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
            assertThat(pendingGap).as("gap reported before the end sentinel").isEqualTo(count - expectedIndex);

            long kernelDropped = end.dropped() - start.dropped();
            long statDrops = after.drops() - before.drops();
            String summary = "received " + received + ", SDK gaps " + gapTotal + ", kernel DROPPED " + kernelDropped
                    + ", STAT_DROPS " + statDrops;
            assertThat(end.seq() - start.seq() - 1).as("events offered between the sentinels: %s", summary).isEqualTo(count);
            assertThat(received + gapTotal).as(summary).isEqualTo(count);
            assertThat(gapTotal).as("the slow listener lost events: %s", summary).isPositive();
            // procfs loses events only in kchan_core's queue: the SDK's count is the kernel's, exactly.
            assertThat(gapTotal).as(summary).isEqualTo(kernelDropped).isEqualTo(statDrops);
            assertThat(listener.errors).isEmpty();
            assertThat(subscription.isActive()).isTrue();
            System.out.println("procfs slow listener, " + count + " events: " + summary);
            // Joins the generator's thread: the next GEN_START must not find it still finishing (EBUSY).
            channel.call(KchanRequests.genStop());
            channel.call(KchanRequests.delete(startKey));
            channel.call(KchanRequests.delete(endKey));
        }
    }

    // ---- 5. the raw layer as java.nio --------------------------------------------------------

    @Test
    void theRawLayerReadsProcAndSysfsAsJavaNioDoes() throws IOException {
        for (Path attribute : List.of(Path.of("/sys/devices/system/cpu/possible"), Path.of("/sys/class/net/lo/mtu"),
                Path.of("/sys/module/kchan_procfs/refcnt"))) {
            assertThat(ProcFile.readAllBytes(attribute)).as("%s", attribute).isEqualTo(Files.readAllBytes(attribute));
        }
        Path kallsyms = Path.of("/proc/kallsyms");
        byte[] symbols = ProcFile.readAllBytes(kallsyms);
        assertThat(symbols.length).isGreaterThan(64 * 1024);
        assertThat(Arrays.equals(symbols, Files.readAllBytes(kallsyms))).as("/proc/kallsyms").isTrue();
        assertSameButMovingCounters(Path.of("/proc/self/status"), "Name", "Umask", "Tgid", "Pid", "PPid", "Uid", "Gid");
        assertSameButMovingCounters(Path.of("/proc/meminfo"), "MemTotal", "SwapTotal", "Hugepagesize");
        // The module's own views: stats does not move unless something calls.
        assertThat(ProcFile.readAllBytes(STATS)).isEqualTo(Files.readAllBytes(STATS));
    }

    /**
     * Two reads of a live file agree on every line in order, but numbers may move in between:
     * the same text once every run of digits is masked, and the fields that cannot move exactly.
     */
    private static void assertSameButMovingCounters(Path file, String... fixedFields) throws IOException {
        String expected = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
        String read = new String(ProcFile.readAllBytes(file), StandardCharsets.US_ASCII);
        assertThat(read).as("%s", file).endsWith("\n");
        assertThat(read.replaceAll("[0-9]+", "#")).as("%s", file).isEqualTo(expected.replaceAll("[0-9]+", "#"));
        for (String field : fixedFields) {
            assertThat(line(read, field)).as("%s %s", file, field).isEqualTo(line(expected, field)).isNotEmpty();
        }
    }

    private static String line(String text, String field) {
        return text.lines().filter(l -> l.startsWith(field + ":")).findFirst().orElse("");
    }

    // ---- 6. the CLI ----------------------------------------------------------------------------

    /** What one in-process CLI run printed and returned. */
    record Run(int status, String out, String err) {
    }

    private static Run kchan(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> argv = new ArrayList<>(List.of("--transport", "procfs"));
        argv.addAll(List.of(args));
        int status = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theCliWorksWithTransportProcfs() throws Exception {
        try (KernelChannel channel = open()) {
            for (ListEntry entry : dumpAll(channel)) {
                channel.call(KchanRequests.delete(entry.key()));
            }

            assertThat(kchan("set", "cli/greeting", "hello procfs")).isEqualTo(new Run(0, "", ""));
            assertThat(kchan("--hex", "set", "636c692f62696e", "00ff0a")).isEqualTo(new Run(0, "", ""));
            assertThat(kchan("get", "cli/greeting")).isEqualTo(new Run(0, "hello procfs\n", ""));
            assertThat(kchan("get", "cli/bin")).isEqualTo(new Run(0, "hex:00ff0a\n", ""));
            assertThat(kchan("list")).isEqualTo(new Run(0, "cli/bin\thex:00ff0a\ncli/greeting\thello procfs\n", ""));
            assertThat(kchan("echo", "through /proc/kchan/call")).isEqualTo(new Run(0, "through /proc/kchan/call\n", ""));
            assertThat(kchan("delete", "cli/bin")).isEqualTo(new Run(0, "", ""));
            assertThat(kchan("list")).isEqualTo(new Run(0, "cli/greeting\thello procfs\n", ""));

            NoSuchEntryException missing = catchThrowableOfType(NoSuchEntryException.class,
                    () -> channel.call(KchanRequests.get("cli/bin")));
            assertThat(missing.getMessage()).isEqualTo("procfs: GET failed: ENOENT (2): key not found [attribute KEY]");
            assertThat(kchan("get", "cli/bin")).isEqualTo(new Run(4, "", "kchan: " + missing.getMessage() + "\n"));

            // The CLI's stats are the stats file's lines, but for its own STATS, counted once answered.
            Run stats = kchan("stats");
            Map<String, Long> view = channel.unwrap(KchanProcDirectory.class).orElseThrow().readStats();
            StringBuilder expected = new StringBuilder();
            view.forEach((name, value) -> expected.append(name).append('\t')
                    .append(name.equals("procfs.requests") ? value - 1 : value).append('\n'));
            assertThat(stats).isEqualTo(new Run(0, expected.toString(), ""));
            assertThat(view.get("store.entries")).isEqualTo(1);
            channel.call(KchanRequests.delete("cli/greeting"));
        }
    }

    // ---- 7. unprivileged ----------------------------------------------------------------------

    @Test
    void anUnprivilegedProcessIsToldWhyAndMayStillReadTheViews() throws Exception {
        String key = "pfsg.nobody." + System.nanoTime();
        try (KernelChannel channel = open()) {
            channel.call(KchanRequests.set(key, "root wrote this"));
            try {
                GuestShell.Result run = AsNobody.run(UnprivilegedProcfsClient.class, key);

                assertThat(run.ok()).as("the unprivileged client: %s", run.output()).isTrue();
                assertThat(run.output().lines().toList()).as(run.output()).contains(
                        "AVAILABLE false EACCES /proc/kchan/call is not readable and writable by user nobody"
                                + " (kchan_procfs makes it mode 0600, owned by root)",
                        "OPEN FAIL TransportUnavailableException EACCES",
                        "EVENTS FAIL PermissionDeniedException EACCES",
                        "STORE OK root wrote this",
                        "STATS OK",
                        "END");
            } finally {
                channel.call(KchanRequests.delete(key));
            }
        }
    }

    // ---- 8. reload ----------------------------------------------------------------------------

    @Test
    void aChannelOutlivesAReloadOfKchanProcfs() {
        try (KernelChannel channel = open()) {
            assertThat(KchanReplies.payload(channel.call(KchanRequests.echo(utf8("before"))))).isEqualTo(utf8("before"));

            GuestShell.Result removed = GuestShell.rmmod("kchan_procfs");
            assertThat(removed.ok()).as("rmmod kchan_procfs with a channel open: %s", removed.output()).isTrue();
            try {
                assertThatThrownBy(() -> channel.call(KchanRequests.echo(utf8("while gone"))))
                        .isInstanceOfSatisfying(TransportUnavailableException.class, e -> assertThat(e.reason())
                                .isEqualTo(Availability.moduleNotLoaded("kchan_procfs", "no /proc/kchan/call")));
                assertThat(new ProcfsTransport().availability().reason())
                        .isEqualTo(Availability.moduleNotLoaded("kchan_procfs", "no /proc/kchan/call"));
            } finally {
                GuestShell.loadMissing(MODULES);
            }

            assertThat(KchanReplies.payload(channel.call(KchanRequests.echo(utf8("after"))))).isEqualTo(utf8("after"));
        }
    }
}
