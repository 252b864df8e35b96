// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.select.KernelTransports;
import dev.kchannel.transport.procfs.raw.ProcFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The SDK as an application would use it: a {@link KernelChannel} opened from configuration (one
 * channel shared by every thread, the default settings of each transport), requests built with
 * {@link KchanRequests}, replies checked with {@link KchanReplies}, events through
 * {@link KernelChannel#subscribe}. The {@code read} scenario measures transport-procfs's raw layer
 * ({@link ProcFile#readAllBytes}) against {@code Files.readAllBytes}.
 */
final class SdkClient implements BenchClient {

    static final String NAME = "java";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Set<String> ALL = Set.of("netlink", "procfs", "sockopt", "chardev");
    private static final Set<String> PUSH = Set.of("netlink", "procfs", "chardev");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean supports(String scenario, String transport, int threads) {
        return switch (scenario) {
            case "echo", "value" -> ALL.contains(transport);
            case "stream" -> PUSH.contains(transport);
            case "swarm" -> transport.equals("netlink");
            case "read" -> transport.equals("procfs");
            default -> false;
        };
    }

    @Override
    public Measurement run(BenchCase c) throws Exception {
        return switch (c.scenario()) {
            case "echo" -> echo(c);
            case "value" -> value(c);
            case "stream" -> stream(c);
            case "swarm" -> swarm(c);
            case "read" -> read(c);
            default -> throw new IllegalArgumentException("no SDK scenario " + c.scenario());
        };
    }

    /** Opens a channel on the case's transport with the settings the case names. */
    static KernelChannel open(BenchCase c) {
        KchannelConfig.Builder config = KchannelConfig.builder().transport(c.transport()).callTimeout(TIMEOUT);
        if (c.params().containsKey("mode")) {
            config.set("kchannel.chardev.events", c.param("mode"));
        }
        if (c.params().containsKey("ring")) {
            config.set("kchannel.chardev.ring-size", c.param("ring"));
        }
        if (c.scenario().equals("swarm")) {
            config.set("kchannel.netlink.protocol", "raw");
        }
        return KernelTransports.open(config.build());
    }

    private static Measurement echo(BenchCase c) throws Exception {
        int size = c.intParam("size");
        try (KernelChannel channel = open(c)) {
            return TimedLoop.run(c.threads(), c.doubleParam("warmup"), c.doubleParam("seconds"), 0, thread -> {
                byte[] payload = BenchPayloads.pattern(size, thread);
                KchanMessage request = KchanRequests.echo(payload);
                return () -> {
                    KchanMessage reply = channel.call(request);
                    // Compared in place, as the C client compares: no copy of the payload.
                    if (!reply.attributes().require(KchanProtocol.ATTR_PAYLOAD).contentEquals(payload)) {
                        throw new IllegalStateException("ECHO on " + c.transport() + " returned another payload");
                    }
                };
            });
        }
    }

    private static Measurement value(BenchCase c) throws Exception {
        int size = c.intParam("size");
        byte[] value = BenchPayloads.pattern(size, 0);
        KchanMessage set = KchanRequests.set(BenchPayloads.VALUE_KEY, value);
        try (KernelChannel channel = open(c)) {
            channel.call(set);
            if (!Arrays.equals(KchanReplies.value(channel.call(KchanRequests.get(BenchPayloads.VALUE_KEY))), value)) {
                throw new IllegalStateException("GET on " + c.transport() + " returned another value than was set");
            }
            boolean isSet = c.param("op").equals("set");
            KchanMessage get = KchanRequests.get(BenchPayloads.VALUE_KEY);
            return TimedLoop.run(1, c.doubleParam("warmup"), c.doubleParam("seconds"), size, thread -> isSet
                    ? () -> channel.call(set)
                    : () -> {
                        // The VALUE's length on every call, its bytes once above: as the C client.
                        if (channel.call(get).attributes().require(KchanProtocol.ATTR_VALUE).length() != size) {
                            throw new IllegalStateException("GET on " + c.transport() + " returned another length");
                        }
                    });
        }
    }

    private static Measurement stream(BenchCase c) throws Exception {
        long count = c.longParam("count");
        int size = c.intParam("size");
        try (KernelChannel channel = open(c)) {
            EventCounter counter = new EventCounter(count);
            try (Subscription subscription = channel.subscribe(counter)) {
                stopGenerator(channel);
                long started = System.nanoTime();
                channel.call(KchanRequests.genStart(count, size, 0));
                counter.awaitEnd(started, c.doubleParam("timeout"));
            } finally {
                stopGenerator(channel);
            }
            return streamed(List.of(counter), count, size);
        }
    }

    private static Measurement swarm(BenchCase c) throws Exception {
        int sockets = c.intParam("sockets");
        long count = c.longParam("count");
        int size = c.intParam("size");
        try (KernelChannel channel = open(c)) {
            List<EventCounter> counters = new ArrayList<>();
            List<Subscription> subscriptions = new ArrayList<>();
            try {
                for (int i = 0; i < sockets; i++) {
                    EventCounter counter = new EventCounter(count);
                    counters.add(counter);
                    subscriptions.add(channel.subscribe(counter));
                }
                stopGenerator(channel);
                long started = System.nanoTime();
                channel.call(KchanRequests.genStart(count, size, 0));
                for (EventCounter counter : counters) {
                    counter.awaitEnd(started, c.doubleParam("timeout"));
                }
            } finally {
                stopGenerator(channel);
                subscriptions.forEach(Subscription::close);
            }
            return streamed(counters, count * sockets, size);
        }
    }

    private static Measurement read(BenchCase c) throws Exception {
        Path file = Path.of(c.param("file"));
        long length = ProcFile.readAllBytes(file).length;
        return TimedLoop.run(1, c.doubleParam("warmup"), c.doubleParam("seconds"), length, thread -> () -> {
            if (ProcFile.readAllBytes(file).length == 0) {
                throw new IllegalStateException(file + " read empty");
            }
        });
    }

    private static void stopGenerator(KernelChannel channel) {
        // GEN_STOP succeeds whether or not a run is going; an earlier case may have left one.
        channel.call(KchanRequests.genStop());
    }

    private static Measurement streamed(List<EventCounter> counters, long expected, int size) {
        long received = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (EventCounter counter : counters) {
            received += counter.received();
            if (counter.received() > 0) {
                first = Math.min(first, counter.firstNanos());
                last = Math.max(last, counter.lastNanos());
            }
        }
        double seconds = received > 0 ? (last - first) / 1e9 : 0;
        return Measurement.of(received, seconds, received * size, Math.max(0, expected - received));
    }
}
