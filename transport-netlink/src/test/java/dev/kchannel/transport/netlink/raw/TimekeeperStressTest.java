// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import static dev.kchannel.transport.netlink.raw.LiveScriptedKernel.ack;
import static dev.kchannel.transport.netlink.raw.LiveScriptedKernel.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kchannel.api.error.CallTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The multiplexed connection's deadlines hold with the timekeeper's safety net taken away. The
 * timekeeper normally looks at the calls at least once a second whatever happens, which would hide
 * a lost wake-up as a timeout up to a second late. Here it never looks on its own: a call whose
 * deadline comes is failed only because {@code awakenTimekeeper} woke it at the right time, so a
 * single lost wake-up leaves a call hanging, and the test says which.
 *
 * <p>64 threads make {@code -Dkchannel.stress.timekeeper.calls} calls each (300 by default; 10,000
 * for the full run, RELIABILITY.md), through every way of calling, against a scripted kernel that
 * answers calls with an even tag at once and never answers odd ones. Odd calls get timeouts of 1 to
 * 20 ms, so the timekeeper sleeps, wakes and rescans all the time while slots are reused.
 */
class TimekeeperStressTest {

    private static final int THREADS = 64;
    private static final int CALLS = Integer.getInteger("kchannel.stress.timekeeper.calls", 300);
    /** Longer than any run: the timekeeper never looks unless woken. */
    private static final long NEVER_RESCAN = TimeUnit.DAYS.toNanos(1);
    /** Answered calls must never time out, whatever the machine's load. */
    private static final Duration ANSWERED_TIMEOUT = Duration.ofMinutes(5);
    /** A call still open this long after its 20 ms deadline was forgotten: a lost wake-up, not load. */
    private static final Duration LOST = Duration.ofSeconds(60);

    private enum Way { ASYNC, WAITING, EXCHANGE_ASYNC, EXCHANGE_WAITING }

    @Test
    void everyCallEndsWithItsAnswerOrItsTimeoutWithoutThePeriodicRescan() throws Exception {
        LiveScriptedKernel kernel = new LiveScriptedKernel(7100, TimekeeperStressTest::answerEvenTags);
        Queue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicLong answered = new AtomicLong();
        AtomicLong timedOut = new AtomicLong();
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        try (MultiplexedConnection connection = MultiplexedConnection.over(() -> kernel,
                MultiplexedConnection.DEFAULT_MAX_IN_FLIGHT, NEVER_RESCAN)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                workers.add(threads.submit(() -> callMany(connection, thread, problems, answered, timedOut)));
            }
            for (Future<?> worker : workers) {
                worker.get(30, TimeUnit.MINUTES);
            }
            assertThat(problems).as("calls that went wrong (first of %d shown)", problems.size())
                    .isEmpty();
            assertThat(answered.get() + timedOut.get()).isEqualTo((long) THREADS * CALLS);
            assertThat(timedOut.get()).as("odd tags, all timed out").isPositive();
            assertThat(connection.pendingCalls()).as("calls still pending").isZero();
        } finally {
            threads.shutdownNow();
        }
        System.out.printf("timekeeper stress: %d threads x %d calls, %d answered, %d timed out on time%n",
                THREADS, CALLS, answered.get(), timedOut.get());
    }

    private static void callMany(MultiplexedConnection connection, int thread, Queue<String> problems,
            AtomicLong answered, AtomicLong timedOut) {
        Random random = new Random(thread);
        Way[] ways = Way.values();
        for (int c = 0; c < CALLS && problems.isEmpty(); c++) {
            boolean answer = random.nextBoolean();
            int tag = (thread * CALLS + c) * 2 + (answer ? 0 : 1);
            Duration timeout = answer ? ANSWERED_TIMEOUT : Duration.ofMillis(1 + random.nextInt(20));
            Way way = ways[random.nextInt(ways.length)];
            String call = "thread " + thread + " call " + c + " (" + way + ", tag " + tag + ", timeout " + timeout + ")";
            try {
                NetlinkMessage got = send(connection, way, tagged(tag), timeout).get(LOST.toSeconds() + timeout.toSeconds(),
                        TimeUnit.SECONDS);
                if (!answer) {
                    problems.add(call + ": got an answer the kernel never sent");
                } else if (tagOf(got) != tag) {
                    problems.add(call + ": got the answer to tag " + tagOf(got));
                } else {
                    answered.incrementAndGet();
                }
            } catch (ExecutionException e) {
                if (!answer && e.getCause() instanceof CallTimeoutException) {
                    timedOut.incrementAndGet();
                } else {
                    problems.add(call + ": failed with " + e.getCause());
                }
            } catch (TimeoutException e) {
                problems.add(call + ": still open " + LOST.toSeconds() + " s after its deadline: a lost wake-up");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problems.add(call + ": interrupted");
            }
        }
    }

    private static CompletableFuture<NetlinkMessage> send(MultiplexedConnection connection, Way way,
            NetlinkMessage request, Duration timeout) {
        return switch (way) {
            case ASYNC -> connection.requestAsync(request, null, timeout);
            case WAITING -> connection.requestWaiting(request, null, timeout);
            case EXCHANGE_ASYNC -> connection.exchangeAsync(request, null, timeout);
            case EXCHANGE_WAITING -> connection.exchangeWaiting(request, null, timeout);
        };
    }

    /** Even tags: a reply, and the ack when asked for; odd tags: nothing, ever. */
    private static List<byte[]> answerEvenTags(NetlinkMessage request) {
        if (tagOf(request) % 2 != 0) {
            return List.of();
        }
        byte[] answer = reply(request, 0x21, request.payloadBytes());
        return (request.flags() & Netlink.NLM_F_ACK) != 0 ? List.of(answer, ack(request)) : List.of(answer);
    }

    private static NetlinkMessage tagged(int tag) {
        return NetlinkMessage.builder(0x20)
                .payload(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, tag).array()).build();
    }

    private static int tagOf(NetlinkMessage message) {
        return message.payload().getInt(0);
    }
}
