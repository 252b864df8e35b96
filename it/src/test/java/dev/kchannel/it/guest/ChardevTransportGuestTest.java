// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kchannel.api.Capability;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.NoSuchEntryException;
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
import dev.kchannel.transport.chardev.ChardevTransport;
import dev.kchannel.transport.chardev.raw.DeviceFile;
import dev.kchannel.transport.chardev.raw.IoctlRequest;
import dev.kchannel.transport.chardev.raw.OpenFlag;
import dev.kchannel.transport.netlink.NetlinkTransport;
import dev.kchannel.transport.procfs.ProcfsTransport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 6's promises for the chardev transport beyond the contract kit, inside the guest kernel
 * with kchan_core, kchan_netlink, kchan_procfs and kchan_chardev loaded: state shared with netlink
 * and procfs both ways; events through read(2) and through the mmap'd ring, each with exact gap
 * counts for a slow listener; bad input through the raw layer against /dev/kchan, each refusal
 * followed by proof that nothing was stored and the device still answers; what user nobody is
 * told and refused; the raw layer on the guest kernel's own devices; the CLI with
 * {@code --transport chardev}.
 *
 * <p>No assertion depends on timing: waits are for events or counters that must come, bounded
 * only so that a broken build fails instead of hanging.
 */
class ChardevTransportGuestTest {

    private static final List<String> MODULES = List.of("kchan_core", "kchan_netlink", "kchan_procfs",
            "kchan_chardev");
    private static final Path NODE = Path.of("/dev/kchan");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int CALL_SIZE = 32;
    private static final int SETUP_SIZE = 24;

    @BeforeAll
    static void loadModules() {
        GuestShell.loadMissing(MODULES);
        assertThat(new ChardevTransport().availability().isAvailable())
                .as("chardev: %s", new ChardevTransport().availability()).isTrue();
        assertThat(new NetlinkTransport().availability().isAvailable())
                .as("netlink: %s", new NetlinkTransport().availability()).isTrue();
        assertThat(new ProcfsTransport().availability().isAvailable())
                .as("procfs: %s", new ProcfsTransport().availability()).isTrue();
    }

    @AfterAll
    static void unloadModules() {
        GuestShell.unloadAll(MODULES);
    }

    private static KchannelConfig config(String... settings) {
        KchannelConfig.Builder builder = KchannelConfig.builder().transport("chardev").callTimeout(Duration.ofSeconds(30));
        for (int i = 0; i < settings.length; i += 2) {
            builder.setting("chardev", settings[i], settings[i + 1]);
        }
        return builder.build();
    }

    private static KernelChannel open(String... settings) {
        return new ChardevTransport().open(config(settings));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] pattern(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed + i * 31);
        }
        return bytes;
    }

    private static TransportStats chardevStats(KernelChannel channel) {
        StatsReply stats = StatsReply.from(channel.call(KchanRequests.stats()));
        return stats.transport(TransportId.CHARDEV).orElseThrow(() -> new AssertionError("no chardev counters: " + stats));
    }

    // ---- 1. one store, every door ------------------------------------------------------------

    @Test
    void valuesSetThroughChardevReadBackThroughNetlinkAndProcfsAndTheReverse() {
        String viaChardev = "cdg.cross.chardev." + System.nanoTime();
        String viaNetlink = "cdg.cross.netlink." + System.nanoTime();
        String viaProcfs = "cdg.cross.procfs." + System.nanoTime();
        byte[] binary = pattern(KchanProtocol.VALUE_MAX, 3);
        try (KernelChannel chardev = open(); KernelChannel readwrite = open("call", "readwrite");
                KernelChannel netlink = new NetlinkTransport().open(KchannelConfig.builder().transport("netlink").build());
                KernelChannel procfs = new ProcfsTransport().open(KchannelConfig.builder().transport("procfs").build())) {
            try {
                chardev.call(KchanRequests.set(viaChardev, binary));
                netlink.call(KchanRequests.set(viaNetlink, "from netlink"));
                procfs.call(KchanRequests.set(viaProcfs, "from procfs"));

                assertThat(KchanReplies.value(netlink.call(KchanRequests.get(viaChardev)))).isEqualTo(binary);
                assertThat(KchanReplies.value(procfs.call(KchanRequests.get(viaChardev)))).isEqualTo(binary);
                for (KernelChannel channel : List.of(chardev, readwrite)) {
                    assertThat(KchanReplies.value(channel.call(KchanRequests.get(viaChardev)))).isEqualTo(binary);
                    assertThat(KchanReplies.value(channel.call(KchanRequests.get(viaNetlink))))
                            .isEqualTo(utf8("from netlink"));
                    assertThat(KchanReplies.value(channel.call(KchanRequests.get(viaProcfs))))
                            .isEqualTo(utf8("from procfs"));
                }
            } finally {
                readwrite.call(KchanRequests.delete(viaChardev));
                netlink.call(KchanRequests.delete(viaNetlink));
                netlink.call(KchanRequests.delete(viaProcfs));
            }
            assertThat(catchThrowableOfType(NoSuchEntryException.class,
                    () -> netlink.call(KchanRequests.get(viaChardev)))).as("deleted through chardev").isNotNull();
            assertThat(catchThrowableOfType(NoSuchEntryException.class,
                    () -> chardev.call(KchanRequests.get(viaProcfs)))).as("deleted through netlink").isNotNull();
        }
    }

    // ---- 2. events, read(2) and the ring ------------------------------------------------------

    @Test
    void eventsOfAnySizeArriveThroughReadAndThroughTheRingFromSeqZero() throws Exception {
        for (String mode : List.of("read", "ring")) {
            String key = "cdg.sub." + mode + "." + System.nanoTime();
            byte[] large = pattern(KchanProtocol.VALUE_MAX, 9);
            RecordingListener listener = new RecordingListener();
            try (KernelChannel channel = open("events", mode, "ring-size", "262144");
                    Subscription subscription = channel.subscribe(listener)) {
                assertThat(channel.capabilities().supports(Capability.ZERO_COPY)).as(mode).isEqualTo(mode.equals("ring"));
                // A value larger than read mode's first buffer; the ring's records wrap several times.
                for (int i = 0; i < 6; i++) {
                    channel.call(KchanRequests.set(key, large));
                }
                channel.call(KchanRequests.delete(key));

                KchanEvent delete = listener.await(event -> event.type() == EventType.STORE_DELETE);
                List<KchanEvent> events = listener.delivered.stream().filter(KchanEvent.class::isInstance)
                        .map(KchanEvent.class::cast).collect(Collectors.toList());
                assertThat(events).as(mode).hasSize(7);
                for (int i = 0; i < 6; i++) {
                    assertThat(events.get(i).seq()).as("%s event %d", mode, i).isEqualTo(i);
                    assertThat(events.get(i).type()).isEqualTo(EventType.STORE_SET);
                    assertThat(events.get(i).value()).hasValueSatisfying(value -> assertThat(value).isEqualTo(large));
                }
                assertThat(delete.seq()).isEqualTo(6);
                assertThat(listener.delivered).as("%s: no gaps", mode).hasSize(7);
                assertThat(listener.errors).isEmpty();
                assertThat(subscription.isActive()).isTrue();
            }
            assertThat(listener.errors).as("%s: closing is no error", mode).isEmpty();
        }
    }

    @Test
    void aSlowListenerThroughReadIsToldExactlyHowManyEventsTheKernelDropped() throws Exception {
        slowListenerLosesExactly("read", 5_000);
    }

    @Test
    void aSlowListenerThroughTheRingIsToldExactlyHowManyEventsTheKernelDropped() throws Exception {
        // The ring (256 KiB, about 2,000 of these events) buffers before the kernel's queue drops.
        slowListenerLosesExactly("ring", 12_000);
    }

    private static void slowListenerLosesExactly(String mode, int count) throws Exception {
        int size = 64;
        String startKey = "cdg.slow.start." + System.nanoTime();
        String endKey = "cdg.slow.end." + System.nanoTime();
        RecordingListener listener = new RecordingListener();
        try (KernelChannel channel = open("events", mode, "ring-size", "262144");
                Subscription subscription = channel.subscribe(listener)) {
            channel.call(KchanRequests.set(startKey, "start"));
            KchanEvent start = listener.await(RecordingListener.storeSetOf(startKey));
            TransportStats before = chardevStats(channel);
            int startIndex = listener.delivered.indexOf(start);

            listener.slow = true;
            channel.call(KchanRequests.genStart(count, size, 0));
            // Every generated event has been offered (queued or dropped) once the counters say so.
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            TransportStats now = before;
            while (now.events() + now.drops() - before.events() - before.drops() < count && System.nanoTime() < deadline) {
                Thread.sleep(50);
                now = chardevStats(channel);
            }
            // The end sentinel must find room in the queue, or it would be dropped too: wait until
            // the listener has had every event the kernel queued for it.
            long queued = now.events() - before.events();
            while (listener.generated() < queued && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(listener.generated()).as("%s: GENERATED events delivered of %d queued", mode, queued)
                    .isEqualTo(queued);
            channel.call(KchanRequests.set(endKey, "end"));
            KchanEvent end = listener.await(RecordingListener.storeSetOf(endKey));
            listener.slow = false;
            TransportStats after = chardevStats(channel);
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
            String summary = mode + ": received " + received + ", SDK gaps " + gapTotal + ", kernel DROPPED "
                    + kernelDropped + ", STAT_DROPS " + statDrops;
            assertThat(end.seq() - start.seq() - 1).as("events offered between the sentinels: %s", summary).isEqualTo(count);
            assertThat(received + gapTotal).as(summary).isEqualTo(count);
            assertThat(gapTotal).as("the slow listener lost events: %s", summary).isPositive();
            // Events are lost only in kchan_core's queue: the SDK's count is the kernel's, exactly.
            assertThat(gapTotal).as(summary).isEqualTo(kernelDropped).isEqualTo(statDrops);
            assertThat(listener.errors).isEmpty();
            assertThat(subscription.isActive()).isTrue();
            System.out.println("chardev slow listener, " + count + " events: " + summary);
            // Joins the generator's thread: the next GEN_START must not find it still finishing (EBUSY).
            channel.call(KchanRequests.genStop());
            channel.call(KchanRequests.delete(startKey));
            channel.call(KchanRequests.delete(endKey));
        }
    }

    // ---- 3. bad input through the raw layer ----------------------------------------------------

    private static ByteBuffer direct(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    }

    private static ByteBuffer encoded(KchanMessage message) {
        ByteBuffer buffer = direct(message.length());
        MessageCodec.encode(message, buffer);
        return buffer.flip();
    }

    /** A struct kchan_ioc_call. */
    private static ByteBuffer callStruct(long request, long reply, int requestLength, int replyCap) {
        ByteBuffer call = direct(CALL_SIZE);
        call.putLong(0, request).putLong(8, reply).putInt(16, requestLength).putInt(20, replyCap).putInt(24, 0)
                .putInt(28, 0);
        return call;
    }

    private static KernelErrorException refused(Runnable action) {
        KernelErrorException e = catchThrowableOfType(KernelErrorException.class, action::run);
        assertThat(e).as("refused").isNotNull();
        return e;
    }

    /** Nothing was stored under {@code key}, and the device still answers an ECHO. */
    private static void nothingStoredAndStillAnswering(KernelChannel channel, String key) {
        assertThat(catchThrowableOfType(NoSuchEntryException.class, () -> channel.call(KchanRequests.get(key))))
                .as("nothing stored under %s", key).isNotNull();
        assertThat(KchanReplies.payload(channel.call(KchanRequests.echo(utf8("still here")))))
                .isEqualTo(utf8("still here"));
    }

    @Test
    void badIoctlsAreRefusedWithTheirErrnoAndChangeNothing() {
        String key = "cdg.bad.ioctl." + System.nanoTime();
        ByteBuffer set = encoded(KchanRequests.set(key, "must not be stored").withSeq(1));
        ByteBuffer reply = direct(4096);
        try (KernelChannel channel = open(); DeviceFile dev = DeviceFile.open(NODE, OpenFlag.READ, OpenFlag.WRITE)) {
            long setAddress = DeviceFile.addressOf(set);
            long replyAddress = DeviceFile.addressOf(reply);

            assertThat(refused(() -> dev.ioctl(IoctlRequest.io(KchanProtocol.IOC_MAGIC, 0x7f), 0L)).errno())
                    .as("an unknown ioctl").isEqualTo(Errno.ENOTTY);
            assertThat(refused(() -> dev.ioctl(IoctlRequest.iowr(KchanProtocol.IOC_MAGIC, 1, 16), direct(16))).errno())
                    .as("CALL's number with the wrong size").isEqualTo(Errno.ENOTTY);
            nothingStoredAndStillAnswering(channel, key);

            assertThat(refused(() -> dev.ioctl(KchanProtocol.IOC_CALL, callStruct(4096, replyAddress, set.limit(), 4096)))
                    .errno()).as("a request pointer into nothing").isEqualTo(Errno.EFAULT);
            nothingStoredAndStillAnswering(channel, key);

            assertThat(refused(() -> dev.ioctl(KchanProtocol.IOC_CALL, callStruct(setAddress, replyAddress, set.limit(),
                    KchanProtocol.IOC_REPLY_MIN - 1))).errno()).as("reply_cap below KCHAN_IOC_REPLY_MIN")
                    .isEqualTo(Errno.EINVAL);
            nothingStoredAndStillAnswering(channel, key);

            assertThat(refused(() -> dev.ioctl(KchanProtocol.IOC_CALL, callStruct(setAddress, replyAddress,
                    set.limit() - 4, 4096))).errno()).as("request_len short of hdr.len").isEqualTo(Errno.EINVAL);
            ByteBuffer lying = encoded(KchanRequests.set(key, "must not be stored").withSeq(2));
            lying.putInt(12, lying.limit() + 4);
            assertThat(refused(() -> dev.ioctl(KchanProtocol.IOC_CALL, callStruct(DeviceFile.addressOf(lying),
                    replyAddress, lying.limit(), 4096))).errno()).as("hdr.len lying in a CALL").isEqualTo(Errno.EINVAL);
            nothingStoredAndStillAnswering(channel, key);

            ByteBuffer flagged = callStruct(setAddress, replyAddress, set.limit(), 4096);
            flagged.putInt(28, 1);
            assertThat(refused(() -> dev.ioctl(KchanProtocol.IOC_CALL, flagged)).errno()).as("flags not 0")
                    .isEqualTo(Errno.EINVAL);
            nothingStoredAndStillAnswering(channel, key);

            // A reply too long: ERANGE, reply_len says how long, and nothing is written at reply.
            ByteBuffer echo = encoded(KchanRequests.echo(pattern(4000, 1)).withSeq(3));
            ByteBuffer small = direct(KchanProtocol.IOC_REPLY_MIN);
            for (int i = 0; i < small.capacity(); i++) {
                small.put(i, (byte) 0x5a);
            }
            ByteBuffer call = callStruct(DeviceFile.addressOf(echo), DeviceFile.addressOf(small), echo.limit(),
                    small.capacity());
            assertThat(refused(() -> dev.ioctl(KchanProtocol.IOC_CALL, call)).errno()).isEqualTo(Errno.ERANGE);
            assertThat(call.getInt(24)).as("reply_len").isEqualTo(echo.limit());
            for (int i = 0; i < small.capacity(); i++) {
                assertThat(small.get(i)).as("reply byte %d untouched", i).isEqualTo((byte) 0x5a);
            }
            // And a good CALL on the same file works, so none of this broke it.
            ByteBuffer good = callStruct(DeviceFile.addressOf(echo), replyAddress, echo.limit(), reply.capacity());
            assertThat(dev.ioctl(KchanProtocol.IOC_CALL, good)).isZero();
            KchanMessage echoed = MessageCodec.decode(reply.duplicate().order(ByteOrder.nativeOrder()).limit(good.getInt(24)));
            assertThat(KchanReplies.payload(echoed)).isEqualTo(pattern(4000, 1));
        }
    }

    @Test
    void badWritesAndReadsAreRefusedWithTheirErrnoAndChangeNothing() {
        String key = "cdg.bad.write." + System.nanoTime();
        try (KernelChannel channel = open();
                DeviceFile dev = DeviceFile.open(NODE, OpenFlag.READ, OpenFlag.WRITE, OpenFlag.NONBLOCK)) {
            ByteBuffer lying = encoded(KchanRequests.set(key, "must not be stored").withSeq(1));
            lying.putInt(12, lying.limit() + 4);
            assertThat(refused(() -> dev.write(lying.duplicate())).errno()).as("hdr.len lying in a write")
                    .isEqualTo(Errno.EINVAL);
            assertThat(refused(() -> dev.write(direct(8))).errno()).as("a write shorter than a header")
                    .isEqualTo(Errno.EINVAL);
            assertThat(dev.poll(EnumSet.of(PollEvent.IN), Duration.ZERO)).as("no reply queued").isEmpty();
            assertThat(dev.read(direct(4096))).as("O_NONBLOCK read of nothing (EAGAIN)").isZero();
            nothingStoredAndStillAnswering(channel, key);

            // A read buffer too small for the reply: EMSGSIZE, and the reply stays first.
            ByteBuffer echo = encoded(KchanRequests.echo(pattern(100, 2)).withSeq(7));
            assertThat(dev.write(echo)).isEqualTo(echo.limit());
            assertThat(dev.poll(EnumSet.of(PollEvent.IN), WAIT)).contains(PollEvent.IN);
            assertThat(refused(() -> dev.read(direct(KchanProtocol.HDR_LEN))).errno()).isEqualTo(Errno.EMSGSIZE);
            ByteBuffer whole = direct(4096);
            dev.read(whole);
            KchanMessage reply = MessageCodec.decode(whole.flip());
            assertThat(reply.seq()).isEqualTo(7);
            assertThat(KchanReplies.payload(reply)).isEqualTo(pattern(100, 2));
            assertThat(dev.poll(EnumSet.of(PollEvent.IN), Duration.ZERO)).as("nothing left").isEmpty();
        }
    }

    @Test
    void subscriptionsAndTheRingRefuseWhatTheUapiRefuses() {
        String key = "cdg.bad.ring." + System.nanoTime();
        try (KernelChannel channel = open()) {
            try (DeviceFile dev = DeviceFile.open(NODE, OpenFlag.READ, OpenFlag.WRITE)) {
                assertThat(refused(() -> dev.mmap(4096 + KchanProtocol.RING_DATA_MIN, 0, true)).errno())
                        .as("mmap before RING_SETUP").isEqualTo(Errno.ENODEV);
                dev.ioctl(KchanProtocol.IOC_SUBSCRIBE, 0L);
                assertThat(refused(() -> dev.ioctl(KchanProtocol.IOC_SUBSCRIBE, 0L)).errno()).isEqualTo(Errno.EBUSY);
                assertThat(refused(() -> dev.ioctl(KchanProtocol.IOC_RING_SETUP, ringSetup(KchanProtocol.RING_DATA_MIN)))
                        .errno()).as("a ring on a subscribed file").isEqualTo(Errno.EBUSY);
                dev.ioctl(KchanProtocol.IOC_UNSUBSCRIBE, 0L);
                dev.ioctl(KchanProtocol.IOC_UNSUBSCRIBE, 0L); // not subscribed: no error
            }
            try (DeviceFile dev = DeviceFile.open(NODE, OpenFlag.READ, OpenFlag.WRITE)) {
                for (int size : new int[] {KchanProtocol.RING_DATA_MIN / 2, KchanProtocol.RING_DATA_MIN + 4096,
                        KchanProtocol.RING_DATA_MAX * 2}) {
                    assertThat(refused(() -> dev.ioctl(KchanProtocol.IOC_RING_SETUP, ringSetup(size))).errno())
                            .as("data_size %d", size).isEqualTo(Errno.EINVAL);
                }
                ByteBuffer setup = ringSetup(KchanProtocol.RING_DATA_MIN);
                dev.ioctl(KchanProtocol.IOC_RING_SETUP, setup);
                int mmapLength = (int) setup.getLong(8);
                int dataOffset = (int) setup.getLong(16);
                assertThat(mmapLength).isEqualTo(dataOffset + KchanProtocol.RING_DATA_MIN);

                assertThat(refused(() -> dev.mmap(mmapLength - 4096, 0, true)).errno()).as("too short")
                        .isEqualTo(Errno.EINVAL);
                assertThat(refused(() -> dev.mmap(mmapLength + 4096, 0, true)).errno()).as("too long")
                        .isEqualTo(Errno.EINVAL);
                assertThat(refused(() -> dev.mmap(mmapLength - 4096, 4096, true)).errno()).as("at an offset")
                        .isEqualTo(Errno.EINVAL);
                assertThat(refused(() -> dev.mmap(mmapLength, 0, false)).errno()).as("MAP_PRIVATE")
                        .isEqualTo(Errno.EINVAL);
                nothingStoredAndStillAnswering(channel, key);

                // The right mapping shows the event of a SET at data offset 0, PRODUCER past it.
                ByteBuffer ring = dev.mmap(mmapLength, 0, true);
                assertThat(ring.getLong(KchanProtocol.RING_PRODUCER)).isZero();
                channel.call(KchanRequests.set(key, "into the ring"));
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (ring.getLong(KchanProtocol.RING_PRODUCER) == 0 && System.nanoTime() < deadline) {
                    dev.poll(EnumSet.of(PollEvent.IN), Duration.ofSeconds(1));
                }
                long producer = ring.getLong(KchanProtocol.RING_PRODUCER);
                int length = ring.getInt(dataOffset + 12);
                KchanEvent event = KchanEvent.from(MessageCodec.decode(
                        ring.slice(dataOffset, length).order(ByteOrder.nativeOrder())));
                assertThat(producer).isEqualTo((length + KchanProtocol.RING_ALIGN - 1) & -KchanProtocol.RING_ALIGN);
                assertThat(event.type()).isEqualTo(EventType.STORE_SET);
                assertThat(event.keyAsString()).contains(key);
                assertThat(event.seq()).isZero();
                assertThat(ring.getInt(KchanProtocol.RING_FLAGS)).isZero();

                // A CONSUMER past PRODUCER breaks the ring: the flag, and POLLERR.
                ring.putLong(KchanProtocol.RING_CONSUMER, producer + 16);
                channel.call(KchanRequests.delete(key));
                // The kernel checks CONSUMER when its work runs (after this poll or the DELETE's
                // event), not at the store: until then poll still says IN, so wait for ERR alone.
                Set<PollEvent> polled = dev.poll(EnumSet.of(PollEvent.ERR), WAIT);
                assertThat(polled).contains(PollEvent.ERR);
                assertThat(ring.getInt(KchanProtocol.RING_FLAGS) & KchanProtocol.RING_F_BROKEN)
                        .isEqualTo(KchanProtocol.RING_F_BROKEN);
            }
            nothingStoredAndStillAnswering(channel, key);
        }
    }

    private static ByteBuffer ringSetup(int dataSize) {
        ByteBuffer setup = direct(SETUP_SIZE);
        setup.putInt(0, dataSize).putInt(4, 0).putLong(8, 0).putLong(16, 0);
        return setup;
    }

    // ---- 4. unprivileged ----------------------------------------------------------------------

    @Test
    void userNobodyIsToldWhyAndMayNotChangeState() throws Exception {
        String key = "cdg.nobody." + System.nanoTime();
        String ownKey = "cdg.nobody.own." + System.nanoTime();
        try (KernelChannel channel = open()) {
            channel.call(KchanRequests.set(key, "root wrote this"));
            try {
                GuestShell.Result closed = AsNobody.run(UnprivilegedChardevClient.class, key, ownKey);
                assertThat(closed.ok()).as("the unprivileged client: %s", closed.output()).isTrue();
                assertThat(closed.output().lines().toList()).as(closed.output()).contains(
                        "AVAILABLE false EACCES /dev/kchan is not readable and writable by user nobody (mode rw-------,"
                                + " owner root, group root; kchan_chardev's mode and gid parameters set them, 0600 root"
                                + " by default)",
                        "OPEN FAIL TransportUnavailableException EACCES",
                        "END");

                GuestShell.Result chmod = GuestShell.run("chmod", "0666", NODE.toString());
                assertThat(chmod.ok()).as(chmod.output()).isTrue();
                GuestShell.Result open;
                try {
                    open = AsNobody.run(UnprivilegedChardevClient.class, key, ownKey);
                } finally {
                    GuestShell.run("chmod", "0600", NODE.toString());
                }
                assertThat(open.ok()).as("the unprivileged client: %s", open.output()).isTrue();
                assertThat(open.output().lines().toList()).as(open.output())
                        .containsExactlyElementsOf(UnprivilegedChardevClient.linesWhenTheNodeIsOpenToAll("root wrote this"));
                assertThat(KchanReplies.value(channel.call(KchanRequests.get(key)))).as("root's key untouched")
                        .isEqualTo(utf8("root wrote this"));
                nothingStoredAndStillAnswering(channel, ownKey);
            } finally {
                channel.call(KchanRequests.delete(key));
            }
        }
    }

    // ---- 5. the raw layer on the kernel's own devices ------------------------------------------

    @Test
    void theRawLayerWorksOnTheGuestKernelsOwnDevices() throws Exception {
        try (DeviceFile zero = DeviceFile.open(Path.of("/dev/zero"), OpenFlag.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            Arrays.fill(buffer.array(), (byte) 1);
            assertThat(zero.read(buffer)).isEqualTo(8192);
            assertThat(buffer.array()).containsOnly((byte) 0);
            ByteBuffer mapped = zero.mmap(4096, 0, false);
            assertThat(mapped.getLong(0)).isZero();
        }
        try (DeviceFile urandom = DeviceFile.open(Path.of("/dev/urandom"), OpenFlag.READ)) {
            ByteBuffer random = ByteBuffer.allocate(64);
            assertThat(urandom.read(random)).isEqualTo(64);
            assertThat(random.array()).as("64 random bytes are not all zero").isNotEqualTo(new byte[64]);
            ByteBuffer count = direct(4);
            count.putInt(0, -1);
            // RNDGETENTCNT writes the input pool's entropy bits: 0..256 since Linux 5.18 (the
            // guest's entropy_avail file need not agree at the same instant: it was seen at 2).
            assertThat(urandom.ioctl(IoctlRequest.ior('R', 0x00, 4), count)).isZero();
            assertThat(count.getInt(0)).as("RNDGETENTCNT").isBetween(0, 256);
        }
        try (DeviceFile nul = DeviceFile.open(Path.of("/dev/null"), OpenFlag.WRITE)) {
            assertThat(nul.write(ByteBuffer.wrap(new byte[1000]))).isEqualTo(1000);
            assertThat(refused(() -> nul.ioctl(IoctlRequest.io('x', 1), 0L)).errno()).isEqualTo(Errno.ENOTTY);
        }
    }

    // ---- 6. the CLI ----------------------------------------------------------------------------

    record Run(int status, String out, String err) {
    }

    private static Run kchan(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> argv = new ArrayList<>(List.of("--transport", "chardev"));
        argv.addAll(List.of(args));
        int status = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theCliWorksWithTransportChardev() {
        try (KernelChannel channel = open()) {
            try (Stream<KchanMessage> parts = channel.dump(KchanRequests.list())) {
                for (ListEntry entry : parts.map(ListPart::from).flatMap(p -> p.entries().stream()).toList()) {
                    channel.call(KchanRequests.delete(entry.key()));
                }
            }

            assertThat(kchan("set", "cli/greeting", "hello chardev")).isEqualTo(new Run(0, "", ""));
            assertThat(kchan("--hex", "set", "636c692f62696e", "00ff0a")).isEqualTo(new Run(0, "", ""));
            assertThat(kchan("get", "cli/greeting")).isEqualTo(new Run(0, "hello chardev\n", ""));
            assertThat(kchan("get", "cli/bin")).isEqualTo(new Run(0, "hex:00ff0a\n", ""));
            assertThat(kchan("list")).isEqualTo(new Run(0, "cli/bin\thex:00ff0a\ncli/greeting\thello chardev\n", ""));
            assertThat(kchan("echo", "through /dev/kchan")).isEqualTo(new Run(0, "through /dev/kchan\n", ""));
            assertThat(kchan("delete", "cli/bin")).isEqualTo(new Run(0, "", ""));

            NoSuchEntryException missing = catchThrowableOfType(NoSuchEntryException.class,
                    () -> channel.call(KchanRequests.get("cli/bin")));
            assertThat(missing.getMessage()).isEqualTo("chardev: GET failed: ENOENT (2): key not found [attribute KEY]");
            assertThat(kchan("get", "cli/bin")).isEqualTo(new Run(4, "", "kchan: " + missing.getMessage() + "\n"));
            Run stats = kchan("stats");
            assertThat(stats.status()).isZero();
            assertThat(stats.out().lines()).anyMatch(line -> line.startsWith("chardev.requests\t"))
                    .contains("store.entries\t1");
            channel.call(KchanRequests.delete("cli/greeting"));
        }
    }
}
