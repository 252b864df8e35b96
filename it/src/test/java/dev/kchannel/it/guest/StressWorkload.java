// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many threads on one shared channel, each making a mix of calls whose replies only fit their own
 * request: ECHO of a payload unique to (thread, call), and SET then GET of keys only that thread
 * uses, so a GET must return the value that thread set last. A reply handed to the wrong request
 * shows up as a mismatch; every call is counted, so the kernel's request counter can be checked.
 *
 * <p>Call {@code i} of a thread is ECHO when {@code i % 3 == 0}, SET of key {@code (i / 3) % KEYS}
 * when {@code i % 3 == 1}, and GET of the key the SET before it wrote when {@code i % 3 == 2}.
 */
final class StressWorkload {

    /** Keys each thread cycles through: enough that a GET's reply is easy to confuse with another's. */
    static final int KEYS_PER_THREAD = 4;

    /** How many failures the report quotes; the counts cover all of them. */
    private static final int QUOTED_FAILURES = 5;

    private final KernelChannel channel;
    private final String keyPrefix;
    private final int threads;
    private final int callsPerThread;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong mismatches = new AtomicLong();
    private final AtomicLong exceptions = new AtomicLong();
    private final ConcurrentLinkedQueue<String> quoted = new ConcurrentLinkedQueue<>();
    private final List<Map<String, byte[]>> stored = new ArrayList<>();

    StressWorkload(KernelChannel channel, String keyPrefix, int threads, int callsPerThread) {
        this.channel = channel;
        this.keyPrefix = keyPrefix;
        this.threads = threads;
        this.callsPerThread = callsPerThread;
        for (int t = 0; t < threads; t++) {
            stored.add(new LinkedHashMap<>());
        }
    }

    /** Runs every thread to its end; returns the wall time in nanoseconds. */
    long run() throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread worker = new Thread(() -> {
                awaitQuietly(start);
                for (int call = 0; call < callsPerThread; call++) {
                    callOnce(thread, call);
                }
            }, "stress-" + t);
            workers.add(worker);
            worker.start();
        }
        long began = System.nanoTime();
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        return System.nanoTime() - began;
    }

    private void callOnce(int thread, int call) {
        Map<String, byte[]> own = stored.get(thread);
        String key = key(thread, (call / 3) % KEYS_PER_THREAD);
        requests.incrementAndGet();
        try {
            switch (call % 3) {
                case 0 -> {
                    byte[] payload = payload(thread, call);
                    KchanMessage reply = channel.call(KchanRequests.echo(payload), StressDoor.CALL_TIMEOUT);
                    expect(thread, call, reply, Command.ECHO, "ECHO payload", payload, KchanReplies.payload(reply));
                }
                case 1 -> {
                    byte[] value = value(thread, call);
                    KchanMessage reply = channel.call(KchanRequests.set(key, value), StressDoor.CALL_TIMEOUT);
                    expect(thread, call, reply, Command.SET, null, null, null);
                    own.put(key, value);
                }
                default -> {
                    KchanMessage reply = channel.call(KchanRequests.get(key), StressDoor.CALL_TIMEOUT);
                    expect(thread, call, reply, Command.GET, "GET " + key, own.get(key), KchanReplies.value(reply));
                }
            }
        } catch (RuntimeException e) {
            exceptions.incrementAndGet();
            quote("thread " + thread + " call " + call + ": " + e);
        }
    }

    private void expect(int thread, int call, KchanMessage reply, Command command, String what, byte[] expected,
            byte[] actual) {
        if (reply.command() != command) {
            mismatch(thread, call, "a " + command + " request got a " + Command.describe(reply.commandId()) + " reply");
        } else if (expected != null && !Arrays.equals(expected, actual)) {
            mismatch(thread, call, what + ": expected '" + text(expected) + "', got '" + text(actual) + "'");
        }
    }

    private void mismatch(int thread, int call, String what) {
        mismatches.incrementAndGet();
        quote("thread " + thread + " call " + call + ": " + what);
    }

    private void quote(String failure) {
        if (quoted.size() < QUOTED_FAILURES) {
            quoted.add(failure);
        }
    }

    /** The same payload length for every call, so ECHO costs the same throughout; unique content. */
    static byte[] payload(int thread, int call) {
        return String.format("echo t%02d c%06d", thread, call).getBytes(StandardCharsets.US_ASCII);
    }

    /** Values of varying length (0..40 bytes past the tag), so the store's byte count means something. */
    static byte[] value(int thread, int call) {
        String tag = String.format("value t%02d c%06d ", thread, call);
        return (tag + "x".repeat((thread * 7 + call) % 41)).getBytes(StandardCharsets.US_ASCII);
    }

    String key(int thread, int slot) {
        return keyPrefix + "-t" + thread + "-k" + slot;
    }

    /** Requests the threads sent (each counts in STATS whatever its outcome). */
    long requests() {
        return requests.get();
    }

    long mismatches() {
        return mismatches.get();
    }

    long exceptions() {
        return exceptions.get();
    }

    List<String> quotedFailures() {
        return List.copyOf(quoted);
    }

    /** What the threads left in the store, key to the value each set last; read after {@link #run}. */
    Map<String, byte[]> leftStored() {
        Map<String, byte[]> all = new LinkedHashMap<>();
        stored.forEach(all::putAll);
        return all;
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "(nothing)" : new String(bytes, StandardCharsets.US_ASCII);
    }

    private static void awaitQuietly(CountDownLatch start) {
        try {
            start.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted before the start", e);
        }
    }
}
