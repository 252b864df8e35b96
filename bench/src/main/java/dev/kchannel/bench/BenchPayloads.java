// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

/** The bytes the benchmarks send, the same pattern in every client. */
final class BenchPayloads {

    /** The one key the value scenario sets and gets (bench/PEERS.md). */
    static final String VALUE_KEY = "bench-value";

    private BenchPayloads() {
    }

    /** {@code size} bytes that differ per thread, so a reply meant for another thread is caught. */
    static byte[] pattern(int size, int thread) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + thread * 7 + 1);
        }
        return bytes;
    }
}
