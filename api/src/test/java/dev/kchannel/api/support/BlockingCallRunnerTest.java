// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.CallTimeoutException;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanRequests;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * callAsync for blocking calls: the reply or the call's exception, a timeout that fires while the
 * call is still blocked, queued calls past their deadline or cancelled never sent, close failing
 * what is pending. The waits with a bound only keep a broken build from hanging; every assertion
 * is about an outcome that only one path can produce.
 */
class BlockingCallRunnerTest {

    private static final Duration LONG = Duration.ofHours(1);
    private static final KchanMessage ECHO = KchanRequests.echo(new byte[] {1, 2, 3});

    private final BlockingCallRunner runner = new BlockingCallRunner("testfs", "test-call", 1);

    @AfterEach
    void closeRunner() {
        runner.close();
    }

    private static Throwable failureOf(CompletableFuture<KchanMessage> future) throws Exception {
        try {
            future.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("completed normally");
    }

    @Test
    void completesWithTheReplyTheCallReturnsGivenTheTimeLeft() throws Exception {
        AtomicReference<Duration> given = new AtomicReference<>();
        AtomicReference<String> thread = new AtomicReference<>();

        CompletableFuture<KchanMessage> reply = runner.submit(ECHO, Duration.ofSeconds(30), (request, left) -> {
            given.set(left);
            thread.set(Thread.currentThread().getName());
            return request.withSeq(77);
        });

        assertThat(reply.get(60, TimeUnit.SECONDS).seq()).isEqualTo(77);
        assertThat(given.get()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(30));
        assertThat(thread.get()).isEqualTo("test-call-1");
        assertThat(runner.pendingCalls()).isZero();
    }

    @Test
    void completesWithWhatTheCallThrows() throws Exception {
        KernelErrorException refused = KernelErrorException.forErrno(Errno.EINVAL).transport("testfs").build();

        Throwable failure = failureOf(runner.submit(ECHO, LONG, (request, left) -> {
            throw refused;
        }));

        assertThat(failure).isSameAs(refused);
    }

    @Test
    void aCallStillBlockedAtItsDeadlineTimesOutWhileItRuns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        try {
            CompletableFuture<KchanMessage> reply = runner.submit(ECHO, Duration.ofMillis(50), (request, left) -> {
                started.countDown();
                await(release);
                return request;
            });

            // The call never returns until released, so only the deadline can complete the future.
            assertThat(failureOf(reply)).isInstanceOfSatisfying(CallTimeoutException.class, e -> {
                assertThat(e.timeout()).isEqualTo(Duration.ofMillis(50));
                assertThat(e.transport()).contains("testfs");
                assertThat(e.getMessage()).contains("ECHO");
            });
            assertThat(started.getCount()).as("the call had started").isZero();
        } finally {
            release.countDown();
        }
    }

    @Test
    void aQueuedCallPastItsDeadlineOrCancelledIsNeverSent() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch busy = new CountDownLatch(1);
        AtomicInteger sent = new AtomicInteger();
        CompletableFuture<KchanMessage> blocker = runner.submit(ECHO, LONG, (request, left) -> {
            busy.countDown();
            await(release);
            return request;
        });
        assertThat(busy.await(60, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<KchanMessage> late = runner.submit(ECHO, Duration.ofMillis(20), (request, left) -> {
            sent.incrementAndGet();
            return request;
        });
        CompletableFuture<KchanMessage> cancelled = runner.submit(ECHO, LONG, (request, left) -> {
            sent.incrementAndGet();
            return request;
        });
        cancelled.cancel(false);
        assertThat(failureOf(late)).isInstanceOf(CallTimeoutException.class);
        release.countDown();
        blocker.get(60, TimeUnit.SECONDS);
        // One thread, first in first out: once this one has run, the two before it have been dropped.
        runner.submit(ECHO, LONG, (request, left) -> request).get(60, TimeUnit.SECONDS);

        assertThat(sent.get()).as("calls sent after their deadline or cancellation").isZero();
    }

    @Test
    void closeFailsWhatIsPendingAndRefusesMore() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try {
            CompletableFuture<KchanMessage> running = runner.submit(ECHO, LONG, (request, left) -> {
                await(release);
                return request;
            });
            CompletableFuture<KchanMessage> queued = runner.submit(ECHO, LONG, (request, left) -> request);

            runner.close();

            assertThat(failureOf(running)).isInstanceOf(ChannelClosedException.class);
            assertThat(failureOf(queued)).isInstanceOf(ChannelClosedException.class);
            assertThat(failureOf(runner.submit(ECHO, LONG, (request, left) -> request)))
                    .isInstanceOfSatisfying(ChannelClosedException.class, e -> assertThat(e.transport()).contains("testfs"));
        } finally {
            release.countDown();
        }
    }

    @Test
    void completedCallsLeaveNoDeadlineBehind() throws Exception {
        int before = BlockingCallRunner.queuedDeadlines();
        List<CompletableFuture<KchanMessage>> replies = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            replies.add(runner.submit(ECHO, LONG, (request, left) -> request));
        }
        for (CompletableFuture<KchanMessage> reply : replies) {
            reply.get(60, TimeUnit.SECONDS);
        }

        assertThat(BlockingCallRunner.queuedDeadlines()).isLessThanOrEqualTo(before);
    }

    @Test
    void aTimeoutThatIsNotPositiveIsRefused() {
        assertThatThrownBy(() -> runner.submit(ECHO, Duration.ZERO, (request, left) -> request))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not positive");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
