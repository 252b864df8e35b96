// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.StatsReply;
import dev.kchannel.api.message.TransportStats;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Stress, per door into kchan_core: one channel shared by 64 threads (docs/USAGE.md, "Threads": a
 * channel is thread-safe and meant to be shared), each making {@code kchannel.it.stress.calls}
 * calls (1,000 in CI, 10,000 with {@code -Dkchannel.it.stress=full}; see {@link #CALLS_PER_THREAD}) of the mix
 * {@link StressWorkload} describes. Then every reply matched its request, no call failed, the
 * door's request counter in STATS grew by exactly the requests made, the store holds exactly what
 * the threads left in it, and deleting that brings the store back to where it was.
 *
 * <p>Nothing else may talk to the modules while a door runs: STATS counts every request its
 * transport sees. The figures (calls, seconds, calls/s) go to stdout for RELIABILITY.md; speed is
 * not asserted.
 */
class StressGuestTest {

    private static final int THREADS = Integer.getInteger("kchannel.it.stress.threads", 64);
    /**
     * The 10,000 calls per thread take about half an hour of guest time for the six doors
     * under TCG, more than CI's whole budget: CI makes 1,000 each, {@code -Dkchannel.it.stress=full}
     * the 10,000 (RELIABILITY.md), {@code -Dkchannel.it.stress.calls} any other number.
     */
    private static final int CALLS_PER_THREAD = Integer.getInteger("kchannel.it.stress.calls",
            "full".equals(System.getProperty("kchannel.it.stress")) ? 10_000 : 1_000);

    @BeforeAll
    static void loadModules() {
        GuestShell.loadMissing(StressDoor.MODULES);
    }

    @AfterAll
    static void unloadModules() {
        GuestShell.unloadAll(StressDoor.MODULES);
    }

    static Stream<StressDoor> doors() {
        return StressDoor.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("doors")
    void everyReplyMatchesItsRequestAndTheCountersAddUp(StressDoor door) throws InterruptedException {
        try (KernelChannel channel = door.open()) {
            String prefix = "stress-" + door.counter().name().toLowerCase() + "-" + ProcessHandle.current().pid()
                    + "-" + System.nanoTime();
            long entryCost = entryCost(channel, prefix + "-cost");
            StatsReply before = stats(channel);

            StressWorkload workload = new StressWorkload(channel, prefix, THREADS, CALLS_PER_THREAD);
            long nanos = workload.run();
            StatsReply after = stats(channel);

            long counted = counters(after, door).requests() - counters(before, door).requests();
            System.out.printf("stress %s: %d threads x %d calls = %d calls in %.1f s, %.0f calls/s;"
                    + " %d mismatches, %d exceptions, %d requests counted (expected %d)%n", door, THREADS,
                    CALLS_PER_THREAD, workload.requests(), nanos / 1e9, workload.requests() / (nanos / 1e9),
                    workload.mismatches(), workload.exceptions(), counted, workload.requests() + 1);
            assertThat(workload.quotedFailures())
                    .as("%s: %d mismatched replies and %d exceptions in %d calls; the first ones", door,
                            workload.mismatches(), workload.exceptions(), workload.requests())
                    .isEmpty();
            assertThat(workload.mismatches()).as("%s: mismatched replies", door).isZero();
            assertThat(workload.exceptions()).as("%s: exceptions", door).isZero();

            // The STATS reply counts every request before it, and the first STATS is one of them.
            assertThat(counted)
                    .as("%s: requests counted between the two STATS: the threads' %d plus the first STATS", door,
                            workload.requests())
                    .isEqualTo(workload.requests() + 1);
            assertThat(counters(after, door).errors() - counters(before, door).errors())
                    .as("%s: requests the kernel answered with an error", door).isZero();

            Map<String, byte[]> left = workload.leftStored();
            long leftBytes = left.values().stream().mapToLong(v -> entryCost + v.length).sum();
            assertThat(left).as("%s: keys the threads left", door).hasSize(THREADS * Math.min(
                    StressWorkload.KEYS_PER_THREAD, (CALLS_PER_THREAD + 1) / 3));
            assertThat(after.storeEntries() - before.storeEntries()).as("%s: store entries added", door)
                    .isEqualTo(left.size());
            assertThat(after.storeBytes() - before.storeBytes())
                    .as("%s: store bytes added (%d entries at %d bytes each plus their values)", door, left.size(),
                            entryCost)
                    .isEqualTo(leftBytes);

            for (String key : left.keySet()) {
                channel.call(KchanRequests.delete(key));
            }
            StatsReply cleaned = stats(channel);
            assertThat(cleaned.storeEntries()).as("%s: store entries after deleting every key", door)
                    .isEqualTo(before.storeEntries());
            assertThat(cleaned.storeBytes()).as("%s: store bytes after deleting every key", door)
                    .isEqualTo(before.storeBytes());
        }
    }

    /**
     * What one entry costs in STORE_BYTES besides its value (kchan_store.c accounts the entry's
     * struct, which holds the key, plus the value bytes): measured by storing an empty value.
     */
    private static long entryCost(KernelChannel channel, String key) {
        long before = stats(channel).storeBytes();
        channel.call(KchanRequests.set(key, new byte[0]));
        long after = stats(channel).storeBytes();
        channel.call(KchanRequests.delete(key));
        assertThat(after).as("STORE_BYTES grows when an entry is added").isGreaterThan(before);
        return after - before;
    }

    private static StatsReply stats(KernelChannel channel) {
        return StatsReply.from(channel.call(KchanRequests.stats()));
    }

    private static TransportStats counters(StatsReply stats, StressDoor door) {
        return stats.transport(door.counter())
                .orElseThrow(() -> new AssertionError("STATS has no counters for " + door.counter() + ": " + stats));
    }
}
