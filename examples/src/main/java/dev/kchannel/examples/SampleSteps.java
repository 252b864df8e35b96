// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.examples;

import dev.kchannel.api.Capability;
import dev.kchannel.api.EventListener;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.KernelChannelFactory;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.message.EventType;
import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.ListEntry;
import dev.kchannel.api.message.ListPart;
import dev.kchannel.api.message.StatsReply;
import dev.kchannel.api.message.TransportId;
import dev.kchannel.api.message.TransportStats;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What the sample does with a channel, the same on every transport. Everything it prints after
 * the {@code ---} line is the same whichever transport it runs on, except the line about events,
 * which depends on whether the transport can push.
 */
final class SampleSteps {

    /** Every key the sample touches starts with this, so it leaves other entries alone. */
    static final String PREFIX = "sample/";
    private static final long EVENT_WAIT_SECONDS = 10;

    private final KernelChannelFactory factory;
    private final PrintStream out;

    SampleSteps(KernelChannelFactory factory, PrintStream out) {
        this.factory = factory;
        this.out = out;
    }

    void run() throws InterruptedException {
        try (KernelChannel channel = factory.open()) {
            out.println("capabilities: " + channel.capabilities());
            out.println("---");
            deleteSampleKeys(channel);
            long requestsBefore = requestsCounted(channel);

            set(channel, "alpha", "one");
            set(channel, "beta", "two");
            out.println("get " + PREFIX + "alpha = " + get(channel, "alpha"));
            out.println("list " + PREFIX + ": " + describe(sampleEntries(channel)));
            byte[] payload = "ping".getBytes(StandardCharsets.UTF_8);
            byte[] echoed = KchanReplies.payload(KchanReplies.requireSuccess(
                    channel.call(KchanRequests.echo(payload)), channel.transportName()));
            out.println("echo " + new String(echoed, StandardCharsets.UTF_8));
            // Two SETs, a GET, one LIST part, an ECHO and the STATS calls: the same on every
            // transport, since each counts every request it carries exactly once.
            long counted = requestsCounted(channel) - requestsBefore;
            out.println("stats: the kernel counted " + counted + " requests on this transport since the first STATS");

            watchEvents(channel);
            out.println("deleted " + deleteSampleKeys(channel) + " keys");
        }
    }

    /**
     * Subscribes where the transport can push, and prints the event a SET causes (then deletes
     * that key again, so what follows is the same on every transport); elsewhere says so, as an
     * application should: by asking the capabilities, not by catching the failure.
     */
    private void watchEvents(KernelChannel channel) throws InterruptedException {
        if (!channel.capabilities().supports(Capability.KERNEL_PUSH)) {
            out.println("events: " + channel.transportName() + " cannot push events (no " + Capability.KERNEL_PUSH + ")");
            return;
        }
        BlockingQueue<KchanEvent> events = new LinkedBlockingQueue<>();
        EventListener listener = events::add;
        try (Subscription subscription = channel.subscribe(listener)) {
            set(channel, "gamma", "three");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(EVENT_WAIT_SECONDS);
            while (true) {
                KchanEvent event = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (event == null) {
                    out.println("event: none within " + EVENT_WAIT_SECONDS + " s");
                    return;
                }
                if (event.type() == EventType.STORE_SET && event.keyAsString().orElse("").equals(PREFIX + "gamma")) {
                    out.println("event: " + event.type() + " " + PREFIX + "gamma = "
                            + new String(event.value().orElse(new byte[0]), StandardCharsets.UTF_8));
                    KchanReplies.requireSuccess(channel.call(KchanRequests.delete(PREFIX + "gamma")), channel.transportName());
                    return;
                }
            }
        }
    }

    private void set(KernelChannel channel, String name, String value) {
        KchanReplies.requireSuccess(channel.call(KchanRequests.set(PREFIX + name, value)), channel.transportName());
        out.println("set " + PREFIX + name + " = " + value);
    }

    private static String get(KernelChannel channel, String name) {
        KchanMessage reply = KchanReplies.requireSuccess(channel.call(KchanRequests.get(PREFIX + name)), channel.transportName());
        return new String(KchanReplies.value(reply), StandardCharsets.UTF_8);
    }

    private static List<ListEntry> sampleEntries(KernelChannel channel) {
        try (var parts = channel.dump(KchanRequests.list())) {
            return parts.map(ListPart::from)
                    .flatMap(part -> part.entries().stream())
                    .filter(entry -> entry.keyAsString().startsWith(PREFIX))
                    .collect(Collectors.toList());
        }
    }

    private static String describe(List<ListEntry> entries) {
        return entries.stream()
                .map(entry -> entry.keyAsString() + " = " + new String(entry.value(), StandardCharsets.UTF_8))
                .collect(Collectors.joining(", "));
    }

    private static int deleteSampleKeys(KernelChannel channel) {
        List<ListEntry> entries = sampleEntries(channel);
        for (ListEntry entry : entries) {
            KchanReplies.requireSuccess(channel.call(KchanRequests.delete(entry.key())), channel.transportName());
        }
        return entries.size();
    }

    private static long requestsCounted(KernelChannel channel) {
        StatsReply stats = StatsReply.from(
                KchanReplies.requireSuccess(channel.call(KchanRequests.stats()), channel.transportName()));
        TransportId self = TransportId.forTransportName(channel.transportName())
                .orElseThrow(() -> new IllegalStateException("no kchan transport id for " + channel.transportName()));
        return stats.transport(self).map(TransportStats::requests).orElse(0L);
    }
}
