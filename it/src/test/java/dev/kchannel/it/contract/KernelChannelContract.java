// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kchannel.api.Capability;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.error.UnsupportedCapabilityException;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.EventType;
import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.ListEntry;
import dev.kchannel.api.message.ListPart;
import dev.kchannel.api.message.StatsReply;
import dev.kchannel.api.message.TransportId;
import dev.kchannel.api.message.TransportStats;
import dev.kchannel.api.support.CursorPagedDump;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every transport owes its users, written once against the SPI, in the manner of
 * Micrometer's {@code MeterRegistryCompatibilityKit} and Netty's testsuite: a transport proves
 * itself by extending this class, in the guest test package so it runs inside the kernel lab.
 *
 * <pre>{@code
 * class NetlinkContractGuestTest extends KernelChannelContract {
 *     protected KernelTransport transport() {
 *         return new NetlinkTransport();
 *     }
 * }
 * }</pre>
 *
 * <p>Every test opens its own channel and uses keys under a prefix of its own
 * ({@link ContractKeys}), deleted afterwards, so the transports can share kchan_core's one store
 * and run one after another in the same kernel. Scenarios that need a capability the transport
 * lacks are skipped, except that the lack itself is checked to fail the documented way.
 */
public abstract class KernelChannelContract {

    private KernelChannel channel;
    private ContractKeys keys;

    /** The transport under test. */
    protected abstract KernelTransport transport();

    /**
     * The configuration channels are opened with. By default this process's configuration
     * ({@link KchannelConfig#load()}), so the lab can set transport settings as system properties.
     */
    protected KchannelConfig config() {
        return KchannelConfig.load();
    }

    /** Opens a new channel of the transport under test. */
    protected KernelChannel openChannel() {
        return transport().open(config());
    }

    /** How long to wait for an expected event; generous, since the lab may run without KVM. */
    protected Duration eventTimeout() {
        return Duration.ofSeconds(30);
    }

    @BeforeEach
    final void openChannelAndKeys() {
        channel = openChannel();
        keys = ContractKeys.unique(transport().name());
    }

    @AfterEach
    final void deleteKeysAndCloseChannel() {
        try {
            if (channel.isOpen()) {
                keys.deleteAll(channel);
            }
        } finally {
            channel.close();
        }
    }

    /** The channel opened for the current test. */
    protected final KernelChannel channel() {
        return channel;
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private void set(String key, byte[] value) {
        KchanMessage reply = channel.call(KchanRequests.set(key, value));
        assertThat(reply.isReply()).isTrue();
        assertThat(reply.status()).isZero();
    }

    private byte[] get(String key) {
        KchanMessage reply = channel.call(KchanRequests.get(key));
        assertThat(reply.attributes().require(KchanProtocol.ATTR_KEY).bytes()).isEqualTo(utf8(key));
        return KchanReplies.value(reply);
    }

    /** Every part of a LIST of the whole store: by dump when the channel has it, else by paging. */
    private List<KchanMessage> listParts() {
        Stream<KchanMessage> parts = channel.capabilities().supports(Capability.DUMP)
                ? channel.dump(KchanRequests.list())
                : CursorPagedDump.stream(KchanRequests.list(), channel::call);
        try (parts) {
            return parts.collect(Collectors.toList());
        }
    }

    /** This test's entries in the store, in the order LIST gave them. */
    private List<ListEntry> listOwnEntries(List<KchanMessage> parts) {
        return parts.stream()
                .map(ListPart::from)
                .flatMap(part -> part.entries().stream())
                .filter(entry -> keys.owns(entry.key()))
                .collect(Collectors.toList());
    }

    /**
     * Whether a refused state-changing request (SET, DELETE, GEN_START, GEN_STOP) comes back with
     * the kernel's extended-ack text. True for every transport whose refusals travel in a reply;
     * a transport whose changes answer with an errno alone (sockopt's setsockopt) overrides it
     * with false, and the kit then checks that no explanation is made up and the command is named.
     */
    protected boolean refusedChangesCarryTheKernelsMessage() {
        return true;
    }

    /** An argument the kernel must refuse: rejected as invalid, explained, attribute named if any. */
    private void assertRejectedAsInvalid(KernelErrorException error, int attribute) {
        assertThat(error).isNotInstanceOf(NoSuchEntryException.class);
        // kchan_core's strict policy answers a size outside a range with ERANGE, other bad
        // arguments with EINVAL; both mean "this request is invalid".
        assertThat(error.errno()).isIn(Errno.EINVAL, Errno.ERANGE);
        if (!refusedChangesCarryTheKernelsMessage()) {
            assertThat(error.extAckMessage()).as("extended-ack message of a transport that carries none").isEmpty();
            assertThat(error.offendingAttribute()).as("offending attribute of a transport that carries none").isEmpty();
            assertThat(error.getMessage()).as("the refused command is named").contains("SET");
            return;
        }
        assertThat(error.extAckMessage()).as("extended-ack message").hasValueSatisfying(text -> assertThat(text).isNotBlank());
        error.offendingAttribute().ifPresent(type -> assertThat(type).as("offending attribute").isEqualTo(attribute));
    }

    /** A push scenario's body, given the live subscription. */
    @FunctionalInterface
    interface PushScenario {
        void run(Subscription subscription) throws Exception;
    }

    /**
     * Runs {@code scenario} on a fresh subscription; on a transport without KERNEL_PUSH it asserts
     * instead that subscribing is refused with the typed error naming the capability, so every
     * event scenario asserts what the transport promises and none is skipped.
     */
    private void withSubscription(RecordingEventListener listener, PushScenario scenario) throws Exception {
        if (!channel.capabilities().supports(Capability.KERNEL_PUSH)) {
            assertThatThrownBy(() -> channel.subscribe(listener))
                    .isInstanceOfSatisfying(UnsupportedCapabilityException.class, e -> {
                        assertThat(e.capability()).isEqualTo(Capability.KERNEL_PUSH);
                        assertThat(e.transport()).contains(transport().name());
                    });
            return;
        }
        try (Subscription subscription = channel.subscribe(listener)) {
            scenario.run(subscription);
        }
    }

    // ---- scenarios -------------------------------------------------------------------------

    @Nested
    @DisplayName("the channel")
    class ChannelBasics {

        @Test
        void namesItsTransportAndCarriesTheProtocolLimits() {
            assertThat(channel.transportName()).isEqualTo(transport().name());
            assertThat(channel.isOpen()).isTrue();
            assertThat(channel.capabilities().supports(Capability.REQUEST_REPLY)).isTrue();
            assertThat(channel.capabilities().maxPayload()).isGreaterThanOrEqualTo(KchanProtocol.PAYLOAD_MAX);
        }

        @Test
        void repliesAreFlaggedAndAnswerTheirCommand() {
            KchanMessage reply = channel.call(KchanRequests.echo(utf8("flags")));

            assertThat(reply.isReply()).isTrue();
            assertThat(reply.command()).isEqualTo(Command.ECHO);
            assertThat(reply.isEvent()).isFalse();
        }

        @Test
        void callAsyncCompletesWithTheReply() throws Exception {
            CompletableFuture<KchanMessage> reply = channel.callAsync(KchanRequests.echo(utf8("async")));

            assertThat(KchanReplies.payload(reply.get(30, TimeUnit.SECONDS))).isEqualTo(utf8("async"));
        }

        @Test
        void concurrentCallsEachGetTheirOwnReply() throws Exception {
            ExecutorService threads = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> results = new ArrayList<>();
                for (int thread = 0; thread < 8; thread++) {
                    int id = thread;
                    results.add(threads.submit(() -> {
                        for (int call = 0; call < 25; call++) {
                            byte[] payload = ContractData.pattern(1 + id * 100 + call, id * 1000 + call);
                            assertThat(KchanReplies.payload(channel.call(KchanRequests.echo(payload))))
                                    .as("thread %d call %d", id, call)
                                    .isEqualTo(payload);
                        }
                        return null;
                    }));
                }
                for (Future<?> result : results) {
                    result.get(120, TimeUnit.SECONDS);
                }
            } finally {
                threads.shutdownNow();
            }
        }

        @Test
        void closeIsIdempotentAndLaterCallsFailAsClosed() {
            KernelChannel other = openChannel();
            other.close();
            other.close();

            assertThat(other.isOpen()).isFalse();
            assertThatThrownBy(() -> other.call(KchanRequests.echo(new byte[1])))
                    .isInstanceOfSatisfying(ChannelClosedException.class,
                            e -> assertThat(e.transport()).contains(transport().name()));
        }
    }

    @Nested
    @DisplayName("echo")
    class Echo {

        @Test
        void smallPayloadComesBackUnchanged() {
            byte[] payload = utf8("hello, kernel");

            assertThat(KchanReplies.payload(channel.call(KchanRequests.echo(payload)))).isEqualTo(payload);
        }

        @Test
        void emptyPayloadComesBackEmpty() {
            assertThat(KchanReplies.payload(channel.call(KchanRequests.echo(new byte[0])))).isEmpty();
        }

        @Test
        void largestPayloadComesBackUnchanged() {
            byte[] payload = ContractData.pattern(KchanProtocol.PAYLOAD_MAX, 7);

            assertThat(KchanReplies.payload(channel.call(KchanRequests.echo(payload)))).isEqualTo(payload);
        }
    }

    @Nested
    @DisplayName("set, get, delete")
    class KeyValue {

        @Test
        void getReturnsWhatWasSet() {
            String key = keys.key("greeting");
            set(key, utf8("hello"));

            assertThat(get(key)).isEqualTo(utf8("hello"));
        }

        @Test
        void setOverwrites() {
            String key = keys.key("counter");
            set(key, utf8("one"));
            set(key, utf8("two, longer"));

            assertThat(get(key)).isEqualTo(utf8("two, longer"));
        }

        @Test
        void getAfterDeleteIsNoSuchEntry() {
            String key = keys.key("doomed");
            set(key, utf8("x"));
            channel.call(KchanRequests.delete(key));

            NoSuchEntryException error =
                    catchThrowableOfType(NoSuchEntryException.class, () -> channel.call(KchanRequests.get(key)));
            assertThat(error).as("GET after DELETE").isNotNull();
            assertThat(error.errno()).isEqualTo(Errno.ENOENT);
        }

        @Test
        void valuesLargerThanAPageRoundTrip() {
            byte[] tenThousand = ContractData.pattern(10_000, 1);
            byte[] largest = ContractData.pattern(KchanProtocol.VALUE_MAX, 2);
            String small = keys.key("page-plus");
            String big = keys.key("value-max");
            set(small, tenThousand);
            set(big, largest);

            assertThat(get(small)).isEqualTo(tenThousand);
            assertThat(get(big)).isEqualTo(largest);
        }

        @Test
        void emptyValueIsAValue() {
            String key = keys.key("empty");
            set(key, new byte[0]);

            assertThat(get(key)).isEmpty();
        }
    }

    @Nested
    @DisplayName("list")
    class Listing {

        @Test
        void fewEntriesAreListedInKeyOrder() {
            Map<String, byte[]> expected = new TreeMap<>();
            for (String name : new String[] {"delta", "alpha", "echo", "charlie", "bravo"}) {
                String key = keys.key(name);
                byte[] value = utf8("value of " + name);
                set(key, value);
                expected.put(key, value);
            }

            List<ListEntry> listed = listOwnEntries(listParts());

            assertThat(listed).extracting(ListEntry::keyAsString).containsExactlyElementsOf(expected.keySet());
            for (ListEntry entry : listed) {
                assertThat(entry.value()).as(entry.keyAsString()).isEqualTo(expected.get(entry.keyAsString()));
            }
        }

        @Test
        void manyEntriesSpanSeveralPartsCompleteAndOrdered() {
            // 1500 entries of 200-byte values exceed KCHAN_MSG_MAX, so one part cannot hold them.
            int count = 1500;
            List<String> expected = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String key = keys.key(String.format("bulk-%04d", i));
                set(key, ContractData.pattern(200, i));
                expected.add(key);
            }

            List<KchanMessage> parts = listParts();
            List<ListEntry> listed = listOwnEntries(parts);

            assertThat(parts.size()).as("parts").isGreaterThan(1);
            for (int i = 0; i < parts.size(); i++) {
                assertThat(parts.get(i).hasMore()).as("MORE on part %d of %d", i, parts.size()).isEqualTo(i < parts.size() - 1);
            }
            assertThat(listed).extracting(ListEntry::keyAsString).containsExactlyElementsOf(expected);
            for (int i = 0; i < count; i++) {
                assertThat(listed.get(i).value()).as(expected.get(i)).isEqualTo(ContractData.pattern(200, i));
            }
            List<byte[]> allKeys = parts.stream().map(ListPart::from).flatMap(part -> part.entries().stream())
                    .map(ListEntry::key).collect(Collectors.toList());
            for (int i = 1; i < allKeys.size(); i++) {
                assertThat(Arrays.compareUnsigned(allKeys.get(i - 1), allKeys.get(i)))
                        .as("the whole list is in strictly increasing key order at %d", i).isNegative();
            }
        }
    }

    @Nested
    @DisplayName("stats")
    class Statistics {

        @Test
        void requestCounterOfThisTransportGrows() {
            TransportId id = TransportId.forTransportName(transport().name()).orElse(null);
            assertThat(id).as("kchan_core's transport id for " + transport().name()).isNotNull();

            long before = requests(id);
            channel.call(KchanRequests.echo(utf8("count me")));
            long after = requests(id);

            assertThat(after).isGreaterThan(before);
        }

        @Test
        void storeTotalsCountWhatIsStored() {
            set(keys.key("stats"), ContractData.pattern(100, 3));

            StatsReply stats = StatsReply.from(channel.call(KchanRequests.stats()));

            assertThat(stats.storeEntries()).isPositive();
            assertThat(stats.storeBytes()).isGreaterThanOrEqualTo(100);
        }

        private long requests(TransportId id) {
            StatsReply stats = StatsReply.from(channel.call(KchanRequests.stats()));
            return stats.transport(id).map(TransportStats::requests)
                    .orElseThrow(() -> new AssertionError("STATS has no counters for " + id + ": " + stats));
        }
    }

    @Nested
    @DisplayName("events")
    class Events {

        @Test
        void setIsPushedAsAStoreSetEvent() throws Exception {
            RecordingEventListener listener = new RecordingEventListener();
            withSubscription(listener, subscription -> {
                assertThat(subscription.isActive()).isTrue();
                String key = keys.key("watched");
                set(key, utf8("seen"));
                channel.call(KchanRequests.delete(key));

                KchanEvent setEvent = listener.awaitEvent(event -> event.type() == EventType.STORE_SET
                        && event.keyAsString().filter(key::equals).isPresent(), eventTimeout());
                KchanEvent deleteEvent = listener.awaitEvent(event -> event.type() == EventType.STORE_DELETE
                        && event.keyAsString().filter(key::equals).isPresent(), eventTimeout());

                assertThat(setEvent.value()).hasValueSatisfying(value -> assertThat(value).isEqualTo(utf8("seen")));
                assertThat(setEvent.message().isEvent()).isTrue();
                assertThat(deleteEvent.seq()).isGreaterThan(setEvent.seq());
                assertThat(listener.errors()).isEmpty();
            });
        }

        @Test
        void generatorEventsArriveCompleteWithConsecutiveSequenceNumbers() throws Exception {
            int count = 100;
            int size = 64;
            RecordingEventListener listener = new RecordingEventListener();
            withSubscription(listener, subscription -> {
                assertThat(subscription.isActive()).isTrue();
                // Paced, so a healthy subscriber keeps up even in a slow lab and loses nothing.
                channel.call(KchanRequests.genStart(count, size, 1000));
                List<KchanEvent> generated;
                try {
                    generated = listener.awaitEvents(event -> event.type() == EventType.GENERATED, count, eventTimeout());
                } finally {
                    channel.call(KchanRequests.genStop());
                }

                for (int i = 1; i < generated.size(); i++) {
                    assertThat(generated.get(i).genIndex().getAsLong())
                            .as("GEN_INDEX of event %d", i).isEqualTo(generated.get(i - 1).genIndex().getAsLong() + 1);
                }
                for (KchanEvent event : generated) {
                    byte[] payload = event.payload().orElseThrow();
                    long index = event.genIndex().orElseThrow();
                    assertThat(payload).hasSize(size);
                    // kchan_gen.c makes byte i of event n equal to (n + i) mod 256.
                    for (int i = 0; i < size; i++) {
                        assertThat(payload[i]).as("payload byte %d of event %d", i, index).isEqualTo((byte) (index + i));
                    }
                }
                List<KchanEvent> all = listener.received();
                for (int i = 1; i < all.size(); i++) {
                    assertThat(all.get(i).seq()).as("SEQ of event %d", i).isEqualTo(all.get(i - 1).seq() + 1);
                }
                assertThat(listener.gaps()).as("gaps").isEmpty();
                assertThat(listener.errors()).as("errors").isEmpty();
            });
        }

        @Test
        void closedSubscriptionIsInactive() throws Exception {
            withSubscription(new RecordingEventListener(), subscription -> {
                subscription.close();
                subscription.close();

                assertThat(subscription.isActive()).isFalse();
            });
        }
    }

    @Nested
    @DisplayName("bad input")
    class BadInput {

        @Test
        void keyLongerThanKeyMaxIsRejectedExplainedAndNotStored() {
            String prefix = keys.key("long.");
            byte[] longKey = utf8(prefix + "x".repeat(KchanProtocol.KEY_MAX + 1 - prefix.length()));
            assertThat(longKey).hasSize(KchanProtocol.KEY_MAX + 1);
            // Built raw: KchanRequests refuses such a key before it could reach the kernel.
            KchanMessage request = KchanMessage.builder(Command.SET)
                    .bytes(KchanProtocol.ATTR_KEY, longKey)
                    .bytes(KchanProtocol.ATTR_VALUE, utf8("never stored"))
                    .build();

            KernelErrorException error = catchThrowableOfType(KernelErrorException.class, () -> channel.call(request));

            assertThat(error).as("SET with a 65-byte key").isNotNull();
            assertRejectedAsInvalid(error, KchanProtocol.ATTR_KEY);
            assertThat(error.transport()).contains(transport().name());
            assertThat(listOwnEntries(listParts())).as("entries stored under this test's prefix").isEmpty();
        }

        @Test
        void emptyKeyIsRejected() {
            KchanMessage request = KchanMessage.builder(Command.SET)
                    .bytes(KchanProtocol.ATTR_KEY, new byte[0])
                    .bytes(KchanProtocol.ATTR_VALUE, utf8("v"))
                    .build();

            KernelErrorException error = catchThrowableOfType(KernelErrorException.class, () -> channel.call(request));

            assertThat(error).as("SET with an empty key").isNotNull();
            assertRejectedAsInvalid(error, KchanProtocol.ATTR_KEY);
        }

        @Test
        void valueLongerThanValueMaxIsRejected() {
            KchanMessage request = KchanMessage.builder(Command.SET)
                    .bytes(KchanProtocol.ATTR_KEY, utf8(keys.key("too-big")))
                    .bytes(KchanProtocol.ATTR_VALUE, new byte[KchanProtocol.VALUE_MAX + 1])
                    .build();

            KernelErrorException error = catchThrowableOfType(KernelErrorException.class, () -> channel.call(request));

            assertThat(error).as("SET with a value over KCHAN_VALUE_MAX").isNotNull();
            assertRejectedAsInvalid(error, KchanProtocol.ATTR_VALUE);
        }

        @Test
        void getOfAMissingKeyIsNoSuchEntry() {
            String key = keys.key("never-set");

            NoSuchEntryException error =
                    catchThrowableOfType(NoSuchEntryException.class, () -> channel.call(KchanRequests.get(key)));

            assertThat(error).as("GET of a key never set").isNotNull();
            assertThat(error.errno()).isEqualTo(Errno.ENOENT);
            assertThat(error.transport()).contains(transport().name());
        }

        @Test
        void unknownCommandIsNotSupported() {
            KchanMessage request = KchanMessage.builder(KchanProtocol.CMD_MAX + 1).build();

            KernelErrorException error = catchThrowableOfType(KernelErrorException.class, () -> channel.call(request));

            assertThat(error).as("a command above KCHAN_CMD_MAX").isNotNull();
            assertThat(error.errno()).isEqualTo(Errno.EOPNOTSUPP);
        }
    }
}
