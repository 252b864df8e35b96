// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class StopSignalTest {

    private final StopSignal stop = new StopSignal();

    @Test
    void aRequestRunsEveryRegisteredActionOnce() {
        AtomicInteger calls = new AtomicInteger();
        stop.register(calls::incrementAndGet);

        stop.request();
        stop.request();

        assertThat(calls).hasValue(1);
        assertThat(stop.isRequested()).isTrue();
    }

    @Test
    void registeringAfterTheRequestStopsAtOnce() {
        stop.request();
        AtomicInteger calls = new AtomicInteger();

        stop.register(calls::incrementAndGet).close();

        assertThat(calls).hasValue(1);
    }

    @Test
    void aClosedRegistrationIsNotCalled() {
        AtomicInteger calls = new AtomicInteger();
        stop.register(calls::incrementAndGet).close();

        stop.request();

        assertThat(calls).hasValue(0);
        assertThat(stop.requestAndAwaitCleanup(Duration.ZERO)).isTrue();
    }

    @Test
    void theShutdownWaitsForTheCommandToCleanUp() throws Exception {
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch cleanedUp = new CountDownLatch(1);
        StopSignal.Registration registration = stop.register(asked::countDown);
        Thread command = new Thread(() -> {
            try {
                asked.await();
                cleanedUp.countDown();
                registration.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        command.start();

        boolean clean = stop.requestAndAwaitCleanup(Duration.ofMinutes(1));

        assertThat(clean).isTrue();
        assertThat(cleanedUp.getCount()).as("the command had cleaned up when the wait returned").isZero();
        command.join();
    }

    @Test
    void aCommandThatNeverCleansUpDoesNotHoldTheShutdownBeyondTheLimit() {
        stop.register(() -> { });

        assertThat(stop.requestAndAwaitCleanup(Duration.ofMillis(1))).isFalse();
    }
}
