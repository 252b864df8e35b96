// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * Threads that keep calling ECHO, SET and GET on some channels until stopped, recording for each
 * thread what happened: how many calls answered correctly, when the last of them started, how many
 * failed with {@link TransportUnavailableException} (the SDK's "module gone" error) and the first
 * failure of any other kind. A test unloads a module under them and then asks whether every thread
 * saw what the module's design promises; a thread that does not stop in time is reported with its
 * stack, since a call that hangs after a module is gone is itself the bug.
 */
final class ChannelLoad implements AutoCloseable {

    /** One calling thread and what it saw. */
    static final class Caller implements Runnable {
        final String name;
        private final KernelChannel channel;
        private final String key;
        private final AtomicBoolean stop;
        private final long pauseMillis;
        final AtomicLong answered = new AtomicLong();
        final AtomicLong lastAnswerStartedNanos = new AtomicLong(Long.MIN_VALUE);
        final AtomicLong gone = new AtomicLong();
        final AtomicReference<Throwable> unexpected = new AtomicReference<>();
        private Thread thread;

        Caller(String name, KernelChannel channel, String key, AtomicBoolean stop, long pauseMillis) {
            this.name = name;
            this.pauseMillis = pauseMillis;
            this.channel = channel;
            this.key = key;
            this.stop = stop;
        }

        @Override
        public void run() {
            long i = 0;
            while (!stop.get() && unexpected.get() == null) {
                long started = System.nanoTime();
                try {
                    callOnce(i++);
                    answered.incrementAndGet();
                    lastAnswerStartedNanos.set(started);
                    if (pauseMillis > 0) {
                        sleep(pauseMillis);
                    }
                } catch (TransportUnavailableException e) {
                    gone.incrementAndGet();
                    sleep(GONE_PAUSE_MILLIS);
                } catch (Throwable e) {
                    unexpected.set(e);
                }
            }
        }

        /** One of ECHO, SET, GET in turn, each reply checked against what was sent. */
        private void callOnce(long i) {
            String text = name + "#" + i;
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            switch ((int) (i % 3)) {
                case 0 -> {
                    byte[] echoed = KchanReplies.payload(channel.call(KchanRequests.echo(bytes)));
                    if (!Arrays.equals(echoed, bytes)) {
                        throw new AssertionError(name + ": ECHO of '" + text + "' came back as '"
                                + new String(echoed, StandardCharsets.UTF_8) + "'");
                    }
                }
                case 1 -> KchanReplies.requireSuccess(channel.call(KchanRequests.set(key, text)), name);
                default -> {
                    // The SET just before may have failed with "gone", so any value this thread wrote will do.
                    String value = new String(KchanReplies.value(channel.call(KchanRequests.get(key))), StandardCharsets.UTF_8);
                    if (!value.startsWith(name + "#")) {
                        throw new AssertionError(name + ": GET " + key + " returned '" + value + "', not one of its own SETs");
                    }
                }
            }
        }

        /** A gone module fails calls at once: rest between them so the failing loop does not starve the guest. */
        private static final long GONE_PAUSE_MILLIS = 5;

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        String key() {
            return key;
        }

        Thread thread() {
            return thread;
        }

        @Override
        public String toString() {
            return name + " (answered " + answered.get() + ", gone " + gone.get() + ", unexpected " + unexpected.get() + ")";
        }
    }

    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Caller> callers = new ArrayList<>();

    /**
     * Starts {@code perChannel} callers on each of {@code channels}, resting {@code pause} after
     * each answered call; their keys start with {@code keyPrefix}.
     */
    ChannelLoad(List<KernelChannel> channels, int perChannel, String keyPrefix, Duration pause) {
        for (int c = 0; c < channels.size(); c++) {
            for (int t = 0; t < perChannel; t++) {
                String name = keyPrefix + ".c" + c + ".t" + t;
                callers.add(new Caller(name, channels.get(c), name, stop, pause.toMillis()));
            }
        }
        for (Caller caller : callers) {
            caller.thread = new Thread(caller, "load-" + caller.name);
            caller.thread.setDaemon(true);
            caller.thread.start();
        }
    }

    List<Caller> callers() {
        return callers;
    }

    /** Keys the callers may have stored, for the test to delete. */
    List<String> keys() {
        return callers.stream().map(Caller::key).toList();
    }

    /**
     * Waits up to {@code limit} until every caller satisfies {@code condition} (or one failed
     * unexpectedly); says whether they all did.
     */
    boolean awaitAll(Predicate<Caller> condition, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (callers.stream().anyMatch(c -> c.unexpected.get() != null)) {
                return false;
            }
            if (callers.stream().allMatch(condition)) {
                return true;
            }
            Thread.sleep(20);
        }
        return callers.stream().allMatch(condition);
    }

    /**
     * Stops the callers and joins each for up to {@code limit}; a caller still running then fails
     * the test with its thread's stack.
     */
    void stopAndJoin(Duration limit) throws InterruptedException {
        stop.set(true);
        long deadline = System.nanoTime() + limit.toNanos();
        List<String> stuck = new ArrayList<>();
        for (Caller caller : callers) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
            caller.thread.join(left);
            if (caller.thread.isAlive()) {
                stuck.add(caller + " is stuck in:\n" + stackOf(caller.thread));
            }
        }
        if (!stuck.isEmpty()) {
            throw new AssertionError("callers still running " + limit.toSeconds() + " s after being stopped:\n"
                    + String.join("\n", stuck));
        }
    }

    static String stackOf(Thread thread) {
        StringBuilder out = new StringBuilder();
        for (StackTraceElement frame : thread.getStackTrace()) {
            out.append("\tat ").append(frame).append('\n');
        }
        return out.toString();
    }

    @Override
    public void close() {
        stop.set(true);
    }
}
