// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a checked operation in a loop on {@code threads} threads that start together: calls during
 * {@code warmup} seconds are not counted, calls that complete inside the following window of
 * {@code seconds} are counted and timed. The definition every peer follows (bench/PEERS.md), so
 * Java figures and C figures mean the same thing.
 */
final class TimedLoop {

    /**
     * One call of the measured kind, made by one thread with its own state. {@link #run} closes
     * every call it made once the loop is over, whether it succeeded or not, so a call that owns a
     * file or socket releases it (an open kchan file keeps its module loaded).
     */
    @FunctionalInterface
    interface Call extends AutoCloseable {
        /** Makes one call and checks its reply, throwing when the reply is wrong. */
        void run() throws Exception;

        @Override
        default void close() throws Exception {
        }

        /** {@code call}, closing {@code resource} when it is closed. */
        static Call closing(AutoCloseable resource, Call call) {
            return new Call() {
                @Override
                public void run() throws Exception {
                    call.run();
                }

                @Override
                public void close() throws Exception {
                    resource.close();
                }
            };
        }
    }

    /** Makes the per-thread {@link Call}s (its own buffers, socket or file). */
    @FunctionalInterface
    interface CallFactory {
        Call newCall(int threadIndex) throws Exception;
    }

    private TimedLoop() {
    }

    /**
     * @param bytesPerCall bytes a call moves, for {@code bytes} (0 when not meaningful)
     */
    static Measurement run(int threads, double warmupSeconds, double seconds, long bytesPerCall,
            CallFactory factory) throws Exception {
        List<Call> calls = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                calls.add(factory.newCall(i));
            }
            return measure(calls, warmupSeconds, seconds, bytesPerCall);
        } finally {
            closeAll(calls);
        }
    }

    private static void closeAll(List<Call> calls) throws Exception {
        Exception first = null;
        for (Call call : calls) {
            try {
                call.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static Measurement measure(List<Call> calls, double warmupSeconds, double seconds, long bytesPerCall)
            throws Exception {
        int threads = calls.size();
        CyclicBarrier start = new CyclicBarrier(threads);
        long[] counted = new long[threads];
        List<LatencySamples> samples = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // The window is fixed once, from the moment the threads are released.
        long[] window = new long[2];
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int index = i;
            LatencySamples mine = new LatencySamples(LatencySamples.DEFAULT_CAPACITY);
            samples.add(mine);
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                    long windowStart = window[0];
                    long windowEnd = window[1];
                    Call call = calls.get(index);
                    long n = 0;
                    while (failure.get() == null) {
                        long t0 = System.nanoTime();
                        if (t0 >= windowEnd) {
                            break;
                        }
                        call.run();
                        long t1 = System.nanoTime();
                        if (t0 >= windowStart && t1 <= windowEnd) {
                            n++;
                            mine.record(t1 - t0);
                        }
                    }
                    counted[index] = n;
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    start.reset();
                }
            }, "bench-" + i);
            workers.add(worker);
        }
        long released = System.nanoTime() + 50_000_000L;
        window[0] = released + (long) (warmupSeconds * 1e9);
        window[1] = window[0] + (long) (seconds * 1e9);
        workers.forEach(Thread::start);
        for (Thread worker : workers) {
            worker.join();
        }
        Throwable error = failure.get();
        if (error instanceof Exception e) {
            throw e;
        }
        if (error != null) {
            throw new IllegalStateException("a benchmark thread failed", error);
        }
        long ops = 0;
        for (long n : counted) {
            ops += n;
        }
        return new Measurement(ops, seconds, ops * bytesPerCall, 0,
                LatencySamples.percentileMicros(samples, 50), LatencySamples.percentileMicros(samples, 99));
    }
}
