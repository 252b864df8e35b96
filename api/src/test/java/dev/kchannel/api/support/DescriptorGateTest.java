// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.ChannelClosedException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The gate against scripted system calls: the file is freed once, by the last one out, never
 * while a call is inside; close wakes a blocked poll through the eventfd; poll reports what the
 * file reported, or nothing once the timeout has passed. The bounded waits only keep a broken
 * build from hanging.
 */
class DescriptorGateTest {

    private static final int FD = 7;
    private static final int EVENT_FD = 8;

    /** Scripted calls: poll blocks until the eventfd is signalled, unless the file is "ready". */
    private static final class Calls implements DescriptorGate.Descriptors {
        final CountDownLatch signalled = new CountDownLatch(1);
        final CountDownLatch polling = new CountDownLatch(1);
        final List<Integer> freed = new ArrayList<>();
        volatile short ready;
        int eventFds;

        @Override
        public int newEventFd() {
            eventFds++;
            return EVENT_FD;
        }

        @Override
        public void signal(int eventFd) {
            assertThat(eventFd).isEqualTo(EVENT_FD);
            signalled.countDown();
        }

        @Override
        public int poll(ByteBuffer pollFds, int count, int timeoutMillis) {
            assertThat(pollFds.getInt(0)).isEqualTo(FD);
            assertThat(pollFds.getInt(DescriptorGate.POLLFD_SIZE)).isEqualTo(EVENT_FD);
            if (ready != 0) {
                pollFds.putShort(6, ready);
                return 1;
            }
            polling.countDown();
            try {
                if (signalled.await(timeoutMillis < 0 ? 60_000 : timeoutMillis, TimeUnit.MILLISECONDS)) {
                    pollFds.putShort(DescriptorGate.POLLFD_SIZE + 6, (short) PollEvent.IN.bit());
                    return 1;
                }
                return 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        @Override
        public void free(int eventFd) {
            freed.add(eventFd);
        }
    }

    private final Calls calls = new Calls();
    private final DescriptorGate gate = new DescriptorGate("testfs", FD, calls);

    @Test
    void aCloseDuringACallFreesTheFileWhenTheCallLeavesAndOnlyOnce() {
        gate.enter();
        gate.close();
        gate.close();

        assertThat(gate.isClosed()).isTrue();
        assertThat(calls.freed).as("not while a call is inside").isEmpty();
        gate.leave();
        assertThat(calls.freed).containsExactly(-1);
        assertThatThrownBy(gate::enter).isInstanceOf(ChannelClosedException.class).hasMessageContaining("testfs");
    }

    @Test
    void pollReportsWhatTheFileReportedWithOneEventFdForAllPolls() {
        calls.ready = (short) (PollEvent.IN.bit() | PollEvent.RDNORM.bit());

        assertThat(gate.poll(EnumSet.of(PollEvent.IN), Duration.ofSeconds(1)))
                .containsExactlyInAnyOrder(PollEvent.IN, PollEvent.RDNORM);
        assertThat(gate.poll(EnumSet.of(PollEvent.IN), null)).contains(PollEvent.IN);
        assertThat(calls.eventFds).isEqualTo(1);
        assertThat(gate.callsInFlight()).isZero();
    }

    @Test
    void pollReturnsNothingOnceTheTimeoutHasPassed() {
        assertThat(gate.poll(EnumSet.of(PollEvent.IN), Duration.ofMillis(20))).isEmpty();
        assertThat(gate.isClosed()).isFalse();
    }

    @Test
    void closeWakesABlockedPollWhichThrowsThenTheLastOneOutFreesBothDescriptors() throws Exception {
        CompletableFuture<Set<PollEvent>> blocked = CompletableFuture.supplyAsync(() -> gate.poll(EnumSet.of(PollEvent.IN), null));
        assertThat(calls.polling.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(gate.callsInFlight()).isEqualTo(1);

        gate.close();

        assertThatThrownBy(() -> blocked.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ChannelClosedException.class);
        assertThat(calls.freed).containsExactly(EVENT_FD);
        assertThat(gate.callsInFlight()).isZero();
    }
}
