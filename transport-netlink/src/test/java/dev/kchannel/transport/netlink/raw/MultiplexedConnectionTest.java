// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import static dev.kchannel.transport.netlink.raw.LiveScriptedKernel.ack;
import static dev.kchannel.transport.netlink.raw.LiveScriptedKernel.done;
import static dev.kchannel.transport.netlink.raw.LiveScriptedKernel.error;
import static dev.kchannel.transport.netlink.raw.LiveScriptedKernel.part;
import static dev.kchannel.transport.netlink.raw.LiveScriptedKernel.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.CallTimeoutException;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.message.Attribute;
import dev.kchannel.api.message.Attributes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The multiplexed connection against scripted kernels whose answers the test releases when and
 * in the order it likes: matching by sequence number, cancellation, deadlines, the request window,
 * dumps taking turns and retried, a socket gone bad replaced, closing.
 */
class MultiplexedConnectionTest {

    private static final NetlinkMessage GET = NetlinkMessage.builder(0x20).payload(new byte[4]).build();
    private static final Duration LONG = Duration.ofMinutes(5);

    /** Ports differ from test to test, so that one test's threads are told from another's by name. */
    private static final java.util.concurrent.atomic.AtomicInteger PORTS = new java.util.concurrent.atomic.AtomicInteger(5000);

    private final int firstPort = PORTS.getAndAdd(10);
    private final List<LiveScriptedKernel> sockets = new CopyOnWriteArrayList<>();
    private MultiplexedConnection connection;

    @AfterEach
    void close() {
        if (connection != null) {
            connection.close();
        }
    }

    /** A connection whose sockets (the first, and one per reset) all answer with {@code script}. */
    private MultiplexedConnection connect(Function<NetlinkMessage, List<byte[]>> script, int maxInFlight) {
        connection = ScriptedConnections.multiplexed(() -> {
            LiveScriptedKernel socket = new LiveScriptedKernel(firstPort + sockets.size(), script);
            sockets.add(socket);
            return socket;
        }, maxInFlight);
        return connection;
    }

    private MultiplexedConnection connect(Function<NetlinkMessage, List<byte[]>> script) {
        return connect(script, MultiplexedConnection.DEFAULT_MAX_IN_FLIGHT);
    }

    private LiveScriptedKernel socket() {
        return sockets.get(sockets.size() - 1);
    }

    /** Echoes the request's payload in a reply of type 0x21, then acknowledges. */
    private static List<byte[]> echo(NetlinkMessage request) {
        return List.of(reply(request, 0x21, request.payloadBytes()), ack(request));
    }

    private static NetlinkMessage tagged(int tag) {
        return NetlinkMessage.builder(0x20)
                .payload(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, tag).array()).build();
    }

    private static int tagOf(NetlinkMessage message) {
        return message.payload().getInt(0);
    }

    /** Waits, for at most a minute, until {@code condition} holds: the reader works on its own thread. */
    private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still not true after a minute: " + what);
            }
            Thread.sleep(5);
        }
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        assertThatThrownBy(() -> future.get(5, TimeUnit.MINUTES)).isInstanceOf(ExecutionException.class);
        try {
            future.get();
            throw new AssertionError("not failed");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    // ---- matching ---------------------------------------------------------------------------

    @Test
    void requestsAreNumberedFlaggedAndCarryTheSocketsPortIdOnOneSocket() {
        connect(MultiplexedConnectionTest::echo);

        connection.request(GET);
        connection.request(GET);

        assertThat(sockets).hasSize(1);
        assertThat(socket().requests()).extracting(NetlinkMessage::seq).containsExactly(1, 2);
        assertThat(socket().requests()).allSatisfy(r -> {
            assertThat(r.pid()).isEqualTo(firstPort);
            assertThat(r.hasFlags(Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK)).isTrue();
            assertThat(r.payloadBytes()).isEqualTo(GET.payloadBytes());
        });
        assertThat(connection.requestsSent()).isEqualTo(2);
    }

    @Test
    void repliesArrivingInReverseOrderEachReachTheirOwnCaller() throws Exception {
        connect(MultiplexedConnectionTest::echo);
        socket().hold();
        List<CompletableFuture<NetlinkMessage>> calls = new ArrayList<>();
        for (int tag = 0; tag < 40; tag++) {
            calls.add(connection.requestAsync(tagged(tag), "GET " + tag, LONG));
        }
        assertThat(calls).as("requestAsync returns before the kernel answers").noneMatch(CompletableFuture::isDone);

        socket().releaseReversed();

        for (int tag = 0; tag < 40; tag++) {
            assertThat(tagOf(calls.get(tag).get(5, TimeUnit.MINUTES))).isEqualTo(tag);
        }
        assertThat(connection.lateReplies()).isZero();
        assertThat(connection.pendingCalls()).isZero();
    }

    @Test
    void manyThreadsCallingAtOnceEachGetTheirOwnReply() throws Exception {
        connect(MultiplexedConnectionTest::echo, 8);
        Queue<String> wrong = new ConcurrentLinkedQueue<>();
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            int thread = t;
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < 100; i++) {
                        int tag = thread * 1000 + i;
                        int got = tagOf(connection.request(tagged(tag), null, LONG));
                        if (got != tag) {
                            wrong.add(tag + " got " + got);
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(failures).isEmpty();
        assertThat(wrong).isEmpty();
        assertThat(sockets).hasSize(1);
        assertThat(connection.requestsSent()).isEqualTo(1600);
    }

    @Test
    void waitingCallersMayReadTheSocketButAsyncCallsAlwaysCompleteOnTheReaderThread() throws Exception {
        connect(MultiplexedConnectionTest::echo);
        Queue<String> asyncCompletions = new ConcurrentLinkedQueue<>();
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<?>> asyncCalls = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            threads.add(new Thread(() -> {
                try {
                    for (int i = 0; i < 50; i++) {
                        int tag = thread * 1000 + i;
                        CompletableFuture<NetlinkMessage> async = connection.requestAsync(tagged(-tag), null, LONG);
                        asyncCalls.add(async);
                        // A stage added to a future already complete runs here at once, telling
                        // nothing: only one that ran after it was added shows the completing thread.
                        java.util.concurrent.atomic.AtomicBoolean added = new java.util.concurrent.atomic.AtomicBoolean();
                        async.whenComplete((answer, error) -> {
                            if (added.get()) {
                                asyncCompletions.add(Thread.currentThread().getName());
                            }
                        });
                        added.set(true);
                        CompletableFuture<NetlinkMessage> waited = connection.requestWaiting(tagged(tag), null, LONG);
                        if (tagOf(MultiplexedConnection.await(waited)) != tag) {
                            failures.add(new AssertionError("waiting call " + tag + " got another reply"));
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "caller-" + t));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        for (CompletableFuture<?> call : asyncCalls) {
            call.get(5, TimeUnit.MINUTES);
        }

        assertThat(failures).isEmpty();
        assertThat(asyncCompletions).isNotEmpty().allSatisfy(name -> assertThat(name)
                .as("an asynchronous call's stages run on the reader thread").startsWith("kchan-netlink-reader-"));
    }

    @Test
    void messagesForAnotherPortOrNoCallAreDroppedAndCounted() throws Exception {
        connect(MultiplexedConnectionTest::echo);
        socket().hold();
        CompletableFuture<NetlinkMessage> call = connection.requestAsync(tagged(7), null, LONG);
        NetlinkMessage sent = socket().requests().get(0);
        socket().deliver(0, Wire.message(0x21, 0, sent.seq(), 9999, new byte[4]));      // another port's
        socket().deliver(0, Wire.message(0x21, 0, 0x7777, firstPort, new byte[4]));     // nobody's seq

        socket().release();

        assertThat(tagOf(call.get(5, TimeUnit.MINUTES))).isEqualTo(7);
        assertThat(connection.skippedMessages()).isEqualTo(1);
        assertThat(connection.lateReplies()).isEqualTo(1);
    }

    @Test
    void anAckWithoutReplyIsTheAnswerAndAnErrorIsTheTypedExceptionWithItsAttribute() {
        NetlinkMessage lookup = NetlinkMessage.builder(16)
                .payload(new byte[] {3, 2, 0, 0}, Attributes.of(Attribute.string(2, "nosuch"))).build();
        byte[] tlvs = Wire.bytes().attrString(Netlink.NLMSGERR_ATTR_MSG, "Unknown family")
                .attrU32(Netlink.NLMSGERR_ATTR_OFFS, 20).toArray();
        connect(r -> List.of(r.type() == 16 ? error(r, -2, tlvs) : ack(r)));

        assertThat(NetlinkError.of(connection.request(GET)).isAck()).isTrue();
        assertThatThrownBy(() -> connection.request(lookup, "CTRL_CMD_GETFAMILY", LONG))
                .isInstanceOfSatisfying(NoSuchEntryException.class, e -> {
                    assertThat(e.extAckMessage()).hasValue("Unknown family");
                    assertThat(e.offendingOffset()).hasValue(20);
                    assertThat(e.offendingAttribute()).as("read from the bytes sent").hasValue(2);
                    assertThat(e.operation()).hasValue("CTRL_CMD_GETFAMILY");
                });
    }

    @Test
    void severalRepliesToOneRequestAreAnUnexpectedMessage() {
        connect(r -> List.of(reply(r, 0x21, new byte[0]), reply(r, 0x21, new byte[0]), ack(r)));

        assertThatThrownBy(() -> connection.request(GET)).isInstanceOfSatisfying(MalformedMessageException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.UNEXPECTED_MESSAGE));
    }

    // ---- cancellation, deadlines, the window ------------------------------------------------

    @Test
    void cancellingForgetsTheRequestSoItsLateReplyIsDroppedAndCounted() throws Exception {
        connect(MultiplexedConnectionTest::echo);
        socket().hold();
        CompletableFuture<NetlinkMessage> cancelled = connection.requestAsync(tagged(1), null, LONG);
        CompletableFuture<NetlinkMessage> kept = connection.requestAsync(tagged(2), null, LONG);

        assertThat(cancelled.cancel(false)).isTrue();
        assertThat(connection.pendingCalls()).as("forgotten at once").isEqualTo(1);
        socket().release();

        assertThat(tagOf(kept.get(5, TimeUnit.MINUTES))).isEqualTo(2);
        // The cancelled request's reply and ack came first and found nobody.
        assertThat(connection.lateReplies()).isEqualTo(2);
        assertThat(cancelled).isCancelled();
    }

    @Test
    void noAnswerWithinTheTimeoutIsACallTimeoutAndTheLateAnswerIsDropped() throws Exception {
        connect(MultiplexedConnectionTest::echo);
        socket().hold();

        assertThatThrownBy(() -> connection.request(tagged(1), "RTM_GETLINK", Duration.ofMillis(50)))
                .isInstanceOfSatisfying(CallTimeoutException.class, e -> {
                    assertThat(e.getMessage()).contains("RTM_GETLINK");
                    assertThat(e.timeout()).isEqualTo(Duration.ofMillis(50));
                });
        socket().release();
        assertThat(tagOf(connection.request(tagged(2), null, LONG))).isEqualTo(2);
        assertThat(connection.lateReplies()).isEqualTo(2);
        assertThat(connection.pendingCalls()).isZero();
    }

    @Test
    void requestsBeyondTheWindowWaitAndGoOutAsAnswersComeBack() throws Exception {
        connect(MultiplexedConnectionTest::echo, 2);
        socket().hold();
        List<CompletableFuture<NetlinkMessage>> calls = new ArrayList<>();
        for (int tag = 0; tag < 5; tag++) {
            calls.add(connection.requestAsync(tagged(tag), null, LONG));
        }
        assertThat(socket().requests()).as("only the window's worth is sent").hasSize(2);
        assertThat(connection.pendingCalls()).isEqualTo(5);

        socket().releaseHeldSoFar();
        eventually("two more sent as the first two were answered", () -> socket().requests().size() == 4);
        assertThat(calls.get(4)).isNotDone();
        socket().release();
        eventually("the last one sent as the next were answered", () -> socket().requests().size() == 5);
        socket().release();

        for (int tag = 0; tag < 5; tag++) {
            assertThat(tagOf(calls.get(tag).get(5, TimeUnit.MINUTES))).isEqualTo(tag);
        }
        assertThat(socket().requests()).hasSize(5);
    }

    @Test
    void aQueuedRequestTimesOutWhileWaitingForTheWindowAndIsNeverSent() throws Exception {
        connect(MultiplexedConnectionTest::echo, 1);
        socket().hold();
        CompletableFuture<NetlinkMessage> first = connection.requestAsync(tagged(1), null, LONG);
        CompletableFuture<NetlinkMessage> queued = connection.requestAsync(tagged(2), null, Duration.ofMillis(50));

        assertThat(failureOf(queued)).isInstanceOf(CallTimeoutException.class);
        socket().release();
        first.get(5, TimeUnit.MINUTES);
        assertThat(socket().requests()).extracting(MultiplexedConnectionTest::tagOf).containsExactly(1);
    }

    @Test
    void aBlockingRequestFromAStageOnTheReaderThreadIsRefusedInsteadOfHanging() throws Exception {
        connect(MultiplexedConnectionTest::echo);
        socket().hold();
        CompletableFuture<Throwable> refused = connection.requestAsync(GET, null, LONG)
                .handle((answer, error) -> {
                    try {
                        connection.request(GET);
                        return null;
                    } catch (IllegalStateException e) {
                        return e;
                    }
                });
        // Attached before the answer exists, so the stage runs on the reader thread that completes it.
        socket().release();

        assertThat(refused.get(5, TimeUnit.MINUTES)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("requestAsync");
    }

    // ---- a socket gone bad ------------------------------------------------------------------

    @Test
    void enobufsFailsEveryWaitingCallAndTheConnectionGoesOnWithAFreshSocket() throws Exception {
        connect(MultiplexedConnectionTest::echo);
        connection.joinGroup(16);
        LiveScriptedKernel first = socket();
        first.hold();
        List<CompletableFuture<NetlinkMessage>> waiting = List.of(connection.requestAsync(tagged(1), "ECHO", LONG),
                connection.requestAsync(tagged(2), "SET", LONG));

        first.failNextReceive(KernelErrorException.forErrno(Errno.ENOBUFS).transport("netlink").operation("recvfrom")
                .build());

        for (CompletableFuture<NetlinkMessage> call : waiting) {
            assertThat(failureOf(call)).isInstanceOfSatisfying(ConnectionResetException.class, e -> {
                assertThat(e.errno()).isEqualTo(Errno.ENOBUFS);
                assertThat(e.getMessage()).contains("receive queue overflowed").contains("fresh");
                assertThat(e.getCause()).isInstanceOf(KernelErrorException.class);
            });
        }
        assertThat(tagOf(connection.request(tagged(3), null, LONG))).isEqualTo(3);
        assertThat(sockets).hasSize(2);
        assertThat(first.isClosed()).isTrue();
        assertThat(socket().groups()).as("groups joined again on the fresh socket").containsExactly(16);
        assertThat(socket().requests()).extracting(MultiplexedConnectionTest::tagOf).containsExactly(3);
        assertThat(connection.portId()).isEqualTo(firstPort + 1);
        assertThat(connection.resets()).isEqualTo(1);
        assertThat(connection.socketsOpened()).isEqualTo(2);
    }

    @Test
    void aMalformedDatagramFailsEveryWaitingCallAndIsDroppedWhole() throws Exception {
        connect(MultiplexedConnectionTest::echo);
        socket().hold();
        CompletableFuture<NetlinkMessage> waiting = connection.requestAsync(tagged(1), "ECHO", LONG);
        NetlinkMessage sent = socket().requests().get(0);
        // A good reply to the waiting call, then a header whose nlmsg_len runs past the datagram.
        socket().deliver(0, Wire.concat(reply(sent, 0x21, new byte[4]), ack(sent),
                Wire.bytes().nlmsghdr(500, 0x21, 0, 99, firstPort).toArray()));

        assertThat(failureOf(waiting)).as("not answered from a datagram that is malformed further on")
                .isInstanceOfSatisfying(ConnectionResetException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.EBADMSG);
                    assertThat(e.getCause()).isInstanceOfSatisfying(MalformedMessageException.class,
                            cause -> assertThat(cause.reason()).isEqualTo(Reason.LENGTH_PAST_END));
                });
        assertThat(tagOf(connection.request(tagged(2), null, LONG))).isEqualTo(2);
        assertThat(connection.resets()).isEqualTo(1);
    }

    @Test
    void requestsQueuedForTheWindowWhenTheSocketIsReplacedGoOutOnTheFreshOne() throws Exception {
        connect(MultiplexedConnectionTest::echo, 1);
        LiveScriptedKernel first = socket();
        first.hold();
        CompletableFuture<NetlinkMessage> sent = connection.requestAsync(tagged(1), null, LONG);
        CompletableFuture<NetlinkMessage> queued = connection.requestAsync(tagged(2), null, LONG);

        first.failNextReceive(KernelErrorException.forErrno(Errno.ENOBUFS).transport("netlink").build());

        assertThat(failureOf(sent)).isInstanceOf(ConnectionResetException.class);
        assertThat(tagOf(queued.get(5, TimeUnit.MINUTES))).isEqualTo(2);
        assertThat(socket().requests()).extracting(MultiplexedConnectionTest::tagOf).containsExactly(2);
    }

    // ---- multicast --------------------------------------------------------------------------

    @Test
    void multicastDatagramsGoToTheListenerNotToCalls() throws Exception {
        connect(MultiplexedConnectionTest::echo);
        List<Datagram> multicasts = new CopyOnWriteArrayList<>();
        List<String> listenerThreads = new CopyOnWriteArrayList<>();
        connection.onMulticast(datagram -> {
            multicasts.add(datagram);
            listenerThreads.add(Thread.currentThread().getName());
        });
        socket().hold();
        CompletableFuture<NetlinkMessage> call = connection.requestAsync(tagged(5), null, LONG);
        NetlinkMessage sent = socket().requests().get(0);
        // Same seq and port as the call, but multicast to group 16: a notification, not its reply.
        socket().deliver(1 << 15, Wire.message(0x10, 0, sent.seq(), firstPort, new byte[4]));
        socket().release();

        assertThat(tagOf(call.get(5, TimeUnit.MINUTES))).isEqualTo(5);
        assertThat(multicasts).hasSize(1);
        assertThat(multicasts.get(0).groups()).isEqualTo(1 << 15);
        assertThat(listenerThreads).singleElement().satisfies(name -> assertThat(name).startsWith("kchan-netlink-reader-"));
        assertThatThrownBy(() -> connection.joinGroup(33)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- dumps ------------------------------------------------------------------------------

    private static List<Integer> markers(Stream<NetlinkMessage> parts) {
        try (parts) {
            return parts.map(p -> (int) p.payloadBytes()[0]).collect(Collectors.toList());
        }
    }

    @Test
    void dumpsTakeTurnsWhileRequestsGoOnAroundThem() throws Exception {
        connect(r -> r.hasFlags(Netlink.NLM_F_DUMP)
                ? List.of(part(r, 0, r.type()), done(r, 0))
                : echo(r));
        socket().hold();
        Stream<NetlinkMessage> first = connection.dump(NetlinkMessage.builder(0x30).build(), null,
                DumpOptions.defaults(), LONG);
        Stream<NetlinkMessage> second = connection.dump(NetlinkMessage.builder(0x31).build(), null,
                DumpOptions.defaults(), LONG);
        CompletableFuture<NetlinkMessage> request = connection.requestAsync(tagged(9), null, LONG);

        assertThat(socket().requests()).as("the second dump waits: the kernel runs one per socket")
                .extracting(NetlinkMessage::type).containsExactly(0x30, 0x20);
        socket().release();

        assertThat(markers(first)).containsExactly(0x30);
        assertThat(markers(second)).containsExactly(0x31);
        assertThat(tagOf(request.get(5, TimeUnit.MINUTES))).isEqualTo(9);
        assertThat(socket().requests()).extracting(NetlinkMessage::type).containsExactly(0x30, 0x20, 0x31);
    }

    @Test
    void anInterruptedAttemptIsDumpedAgainAndOnlyTheConsistentOneIsHandedOut() {
        int[] attempts = {0};
        connect(r -> {
            if (!r.hasFlags(Netlink.NLM_F_DUMP)) {
                return echo(r);
            }
            attempts[0]++;
            return attempts[0] == 1
                    ? List.of(Wire.concat(part(r, 0, 1), part(r, Netlink.NLM_F_DUMP_INTR, 2)), done(r, 0))
                    : List.of(part(r, 0, 11), part(r, 0, 12), done(r, 0));
        });

        assertThat(markers(connection.dump(GET))).containsExactly(11, 12);
        assertThat(socket().requests()).extracting(NetlinkMessage::seq).as("each attempt numbered anew")
                .doesNotHaveDuplicates().hasSize(2);
    }

    @Test
    void aDumpInterruptedOnEveryAttemptThrowsAfterTheConfiguredNumber() {
        connect(r -> List.of(part(r, 0, 1), done(r, Netlink.NLM_F_DUMP_INTR)));

        assertThatThrownBy(() -> markers(connection.dump(GET, "RTM_GETROUTE", DumpOptions.defaults().withAttempts(2),
                LONG))).isInstanceOfSatisfying(DumpInterruptedException.class, e -> {
                    assertThat(e.attempts()).isEqualTo(2);
                    assertThat(e.parts()).isZero();
                    assertThat(e.errno()).isEqualTo(Errno.EINTR);
                    assertThat(e.getMessage()).contains("RTM_GETROUTE").contains("2 times");
                });
        assertThat(socket().requests()).hasSize(2);
        // The dump slot is free again.
        connection.close();
    }

    @Test
    void aDumpWithNoAnswerTimesOutAndFreesTheSlotForTheNext() {
        connect(r -> r.type() == 0x30 ? List.of() : List.of(part(r, 0, 5), done(r, 0)));

        assertThatThrownBy(() -> markers(connection.dump(NetlinkMessage.builder(0x30).build(), "stuck",
                DumpOptions.defaults(), Duration.ofMillis(50)))).isInstanceOf(CallTimeoutException.class);
        assertThat(markers(connection.dump(NetlinkMessage.builder(0x31).build()))).containsExactly(5);
    }

    // ---- closing ----------------------------------------------------------------------------

    @Test
    void closeFailsEveryWaitingAndQueuedCallAndEndsTheThreads() throws Exception {
        connect(MultiplexedConnectionTest::echo, 1);
        socket().hold();
        CompletableFuture<NetlinkMessage> sent = connection.requestAsync(tagged(1), null, LONG);
        CompletableFuture<NetlinkMessage> queued = connection.requestAsync(tagged(2), null, LONG);
        Stream<NetlinkMessage> dump = connection.dump(GET);
        List<Thread> threads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().endsWith("-" + firstPort) && t.getName().startsWith("kchan-netlink-"))
                .collect(Collectors.toList());
        assertThat(threads).extracting(Thread::getName).containsExactlyInAnyOrder(
                "kchan-netlink-reader-" + firstPort, "kchan-netlink-deadlines-" + firstPort);

        connection.close();
        connection.close();

        assertThat(failureOf(sent)).isInstanceOf(ChannelClosedException.class);
        assertThat(failureOf(queued)).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> markers(dump)).isInstanceOf(ChannelClosedException.class);
        assertThat(failureOf(connection.requestAsync(GET, null, LONG))).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> connection.dump(GET)).isInstanceOf(ChannelClosedException.class);
        for (Thread thread : threads) {
            thread.join(TimeUnit.MINUTES.toMillis(1));
            assertThat(thread.isAlive()).as("%s after close", thread.getName()).isFalse();
        }
        assertThat(connection.isOpen()).isFalse();
    }
}
