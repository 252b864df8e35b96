// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import dev.kchannel.api.Capability;
import dev.kchannel.api.EventListener;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.message.EventType;
import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The demo's rows for the transports that are available: each kchan operation with its median
 * latency, a value written through one transport read back through every other, and, where the
 * transport can push, a short generator stream with the events lost counted from SEQ gaps.
 * Written against the SPI only, so each new transport gets its rows without a change here.
 */
final class TransportTour {

    private static final int ROUNDS = 20;
    private static final int EVENTS = 200;
    private static final int EVENT_SIZE = 64;
    private static final long EVENT_RATE_PER_SECOND = 2_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final PrintStream out;

    TransportTour(PrintStream out) {
        this.out = out;
    }

    /** Runs the tour; true when every available transport did everything it offers. */
    boolean run(List<KernelTransport> available) {
        if (available.isEmpty()) {
            return true;
        }
        boolean ok = true;
        out.println();
        out.printf("%-10s %10s %10s %10s %10s %10s %10s   (median of %d calls)%n",
                "transport", "echo 64B", "set", "get", "list", "set+delete", "stats", ROUNDS);
        for (KernelTransport transport : available) {
            ok &= latencyRow(transport);
        }
        ok &= crossTransportReads(available);
        for (KernelTransport transport : available) {
            ok &= eventRow(transport);
        }
        return ok;
    }

    private boolean latencyRow(KernelTransport transport) {
        String key = "demo/" + transport.name() + "/latency";
        byte[] value = "kchannel demo value".getBytes(StandardCharsets.UTF_8);
        try (KernelChannel channel = open(transport)) {
            Map<String, Long> medians = new LinkedHashMap<>();
            medians.put("echo", medianMicros(() -> channel.call(KchanRequests.echo(new byte[64]), TIMEOUT)));
            medians.put("set", medianMicros(() -> channel.call(KchanRequests.set(key, value), TIMEOUT)));
            medians.put("get", medianMicros(() -> channel.call(KchanRequests.get(key), TIMEOUT)));
            medians.put("list", medianMicros(() -> channel.call(KchanRequests.list(), TIMEOUT)));
            medians.put("delete", medianMicros(() -> {
                channel.call(KchanRequests.set(key, value), TIMEOUT);
                return channel.call(KchanRequests.delete(key), TIMEOUT);
            }));
            medians.put("stats", medianMicros(() -> channel.call(KchanRequests.stats(), TIMEOUT)));
            out.printf("%-10s", transport.name());
            medians.values().forEach(us -> out.printf(" %8d us", us));
            out.println();
            return true;
        } catch (KchannelException e) {
            out.printf("%-10s FAILED: %s%n", transport.name(), e.getMessage());
            return false;
        }
    }

    private boolean crossTransportReads(List<KernelTransport> available) {
        if (available.size() < 2) {
            out.println("cross-transport reads: need two transports (only " + available.get(0).name() + " so far)");
            return true;
        }
        boolean ok = true;
        for (KernelTransport writer : available) {
            String key = "demo/cross/" + writer.name();
            byte[] value = ("written through " + writer.name()).getBytes(StandardCharsets.UTF_8);
            try (KernelChannel channel = open(writer)) {
                channel.call(KchanRequests.set(key, value), TIMEOUT);
            }
            List<String> readers = new ArrayList<>();
            for (KernelTransport reader : available) {
                if (reader != writer) {
                    try (KernelChannel channel = open(reader)) {
                        byte[] read = KchanReplies.value(channel.call(KchanRequests.get(key), TIMEOUT));
                        boolean same = Arrays.equals(read, value);
                        ok &= same;
                        readers.add(reader.name() + (same ? " ok" : " MISMATCH"));
                    }
                }
            }
            out.printf("cross-transport: set through %-8s read through %s%n", writer.name(), String.join(", ", readers));
        }
        return ok;
    }

    private boolean eventRow(KernelTransport transport) {
        try (KernelChannel channel = open(transport)) {
            if (!channel.capabilities().supports(Capability.KERNEL_PUSH)) {
                out.printf("events %-10s no kernel push on this transport%n", transport.name());
                return true;
            }
            CountDownLatch generated = new CountDownLatch(EVENTS);
            AtomicLong lost = new AtomicLong();
            EventListener listener = new EventListener() {
                @Override
                public void onEvent(KchanEvent event) {
                    if (event.type() == EventType.GENERATED) {
                        generated.countDown();
                    }
                }

                @Override
                public void onGap(long lostCount) {
                    lost.addAndGet(lostCount);
                }
            };
            long started = System.nanoTime();
            boolean complete;
            try (Subscription subscription = channel.subscribe(listener)) {
                channel.call(KchanRequests.genStart(EVENTS, EVENT_SIZE, EVENT_RATE_PER_SECOND), TIMEOUT);
                try {
                    complete = generated.await(TIMEOUT.toSeconds() + EVENTS / EVENT_RATE_PER_SECOND, TimeUnit.SECONDS);
                } finally {
                    channel.call(KchanRequests.genStop(), TIMEOUT);
                }
            }
            long received = EVENTS - generated.getCount();
            out.printf("events %-10s %d of %d generator events of %d B in %.2f s, %d lost (SEQ gaps)%n",
                    transport.name(), received, EVENTS, EVENT_SIZE, (System.nanoTime() - started) / 1e9, lost.get());
            return complete || received + lost.get() >= EVENTS;
        } catch (KchannelException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            out.printf("events %-10s FAILED: %s%n", transport.name(), e.getMessage());
            return false;
        }
    }

    private static KernelChannel open(KernelTransport transport) {
        return transport.open(KchannelConfig.builder().transport(transport.name()).callTimeout(TIMEOUT).build());
    }

    private static long medianMicros(Supplier<KchanMessage> call) {
        call.get();
        long[] micros = new long[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            long t0 = System.nanoTime();
            call.get();
            micros[i] = (System.nanoTime() - t0) / 1_000;
        }
        Arrays.sort(micros);
        return micros[ROUNDS / 2];
    }
}
