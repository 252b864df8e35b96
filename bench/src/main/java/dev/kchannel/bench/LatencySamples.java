// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Per-call latencies of one thread, kept in a preallocated array so that recording costs no
 * allocation inside the measured loop. Past its capacity it keeps every n-th sample (a
 * deterministic thinning, so the percentiles stay those of the whole window) instead of growing.
 */
final class LatencySamples {

    /** 2^20 samples (8 MiB) per thread: several seconds of calls at guest speeds. */
    static final int DEFAULT_CAPACITY = 1 << 20;

    private final long[] nanos;
    private int size;
    private long seen;
    private int stride = 1;

    LatencySamples(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("capacity must be >= 2, got " + capacity);
        }
        nanos = new long[capacity];
    }

    void record(long latencyNanos) {
        if (seen++ % stride != 0) {
            return;
        }
        if (size == nanos.length) {
            // Keep every other sample and halve the rate from now on.
            for (int i = 0; i < size / 2; i++) {
                nanos[i] = nanos[2 * i];
            }
            size /= 2;
            stride *= 2;
            if ((seen - 1) % stride != 0) {
                return;
            }
        }
        nanos[size++] = latencyNanos;
    }

    int size() {
        return size;
    }

    /** The p-th percentile (0 < p <= 100) in microseconds over all threads' samples. */
    static OptionalDouble percentileMicros(List<LatencySamples> threads, double p) {
        int total = threads.stream().mapToInt(LatencySamples::size).sum();
        if (total == 0) {
            return OptionalDouble.empty();
        }
        long[] all = new long[total];
        int at = 0;
        for (LatencySamples t : threads) {
            System.arraycopy(t.nanos, 0, all, at, t.size);
            at += t.size;
        }
        Arrays.sort(all);
        int index = (int) Math.ceil(p / 100.0 * total) - 1;
        return OptionalDouble.of(all[Math.max(0, Math.min(total - 1, index))] / 1e3);
    }
}
