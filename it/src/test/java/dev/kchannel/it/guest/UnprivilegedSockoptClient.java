// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import dev.kchannel.api.Availability;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.ListPart;
import dev.kchannel.api.message.StatsReply;
import dev.kchannel.transport.sockopt.SockoptTransport;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Not a test: a program {@link SockoptTransportGuestTest} runs as user nobody to see what the
 * sockopt transport refuses an unprivileged process and what it still answers. Arguments: a key
 * root has set, and a key nobody tries to set. Prints one line per attempt, which the test reads:
 * {@code AVAILABLE ...}, {@code NAME OK detail} or {@code NAME FAIL ExceptionClass errno}, then
 * {@code END}.
 */
public final class UnprivilegedSockoptClient {

    private UnprivilegedSockoptClient() {
    }

    public static void main(String[] args) {
        String rootsKey = args[0];
        String ownKey = args[1];
        Availability availability = new SockoptTransport().availability();
        System.out.println("AVAILABLE " + availability.isAvailable());
        try (KernelChannel channel = new SockoptTransport().open(KchannelConfig.builder().transport("sockopt").build())) {
            attempt("SET", () -> status(channel.call(KchanRequests.set(ownKey, "nobody wrote this"))));
            attempt("DELETE", () -> status(channel.call(KchanRequests.delete(rootsKey))));
            attempt("GEN_START", () -> status(channel.call(KchanRequests.genStart(10, 16, 0))));
            attempt("GEN_STOP", () -> status(channel.call(KchanRequests.genStop())));
            attempt("ECHO", () -> text(KchanReplies.payload(channel.call(KchanRequests.echo("from nobody".getBytes(StandardCharsets.UTF_8))))));
            attempt("GET", () -> text(KchanReplies.value(channel.call(KchanRequests.get(rootsKey)))));
            attempt("LIST", () -> {
                try (Stream<KchanMessage> parts = channel.dump(KchanRequests.list())) {
                    return parts.map(ListPart::from).flatMap(part -> part.entries().stream())
                            .anyMatch(entry -> entry.keyAsString().equals(rootsKey)) ? "has root's key" : "(no root's key)";
                }
            });
            attempt("STATS", () -> "entries " + StatsReply.from(channel.call(KchanRequests.stats())).storeEntries());
        }
        System.out.println("END");
    }

    private static String status(KchanMessage reply) {
        return "status " + reply.status();
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void attempt(String name, Supplier<String> action) {
        try {
            System.out.println((name + " OK " + action.get()).strip());
        } catch (KchannelException e) {
            System.out.println(name + " FAIL " + e.getClass().getSimpleName() + " " + e.errno());
        }
    }
}
