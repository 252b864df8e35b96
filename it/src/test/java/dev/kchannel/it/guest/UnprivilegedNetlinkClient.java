// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.ListPart;
import dev.kchannel.api.message.StatsReply;
import dev.kchannel.transport.netlink.NetlinkTransport;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Not a test: a program {@link NetlinkTransportGuestTest} runs as user nobody (no capabilities) to
 * see what the netlink transport lets an unprivileged process do. Arguments: the key to try to
 * SET, and a key root has set. Prints one line per attempt, {@code NAME OK detail} or
 * {@code NAME FAIL ExceptionClass errno extAck}, which the test reads.
 */
public final class UnprivilegedNetlinkClient {

    private UnprivilegedNetlinkClient() {
    }

    public static void main(String[] args) {
        String forbiddenKey = args[0];
        String readableKey = args[1];
        System.out.println("UID " + System.getProperty("user.name") + " " + ProcessHandle.current().pid());
        try (KernelChannel channel = new NetlinkTransport().open(KchannelConfig.builder().transport("netlink").build())) {
            attempt("SET", () -> channel.call(KchanRequests.set(forbiddenKey, "written by nobody")).toString());
            // A long, slow run: had it started, root's GEN_START right after would be EBUSY.
            attempt("GEN_START", () -> channel.call(KchanRequests.genStart(1_000_000, 8, 1)).toString());
            attempt("ECHO", () -> new String(KchanReplies.payload(
                    channel.call(KchanRequests.echo("from nobody".getBytes(StandardCharsets.UTF_8)))),
                    StandardCharsets.UTF_8));
            attempt("GET", () -> {
                KchanMessage reply = channel.call(KchanRequests.get(readableKey));
                return new String(KchanReplies.value(reply), StandardCharsets.UTF_8);
            });
            // The rest of the state-changing commands, and the other reads, for PermissionsGuestTest.
            attempt("DELETE", () -> channel.call(KchanRequests.delete(readableKey)).toString());
            attempt("GEN_STOP", () -> channel.call(KchanRequests.genStop()).toString());
            attempt("LIST", () -> {
                try (Stream<KchanMessage> parts = channel.dump(KchanRequests.list())) {
                    return parts.map(ListPart::from).flatMap(part -> part.entries().stream())
                            .anyMatch(entry -> entry.keyAsString().equals(readableKey)) ? "has root's key" : "(no root's key)";
                }
            });
            attempt("STATS", () -> StatsReply.from(channel.call(KchanRequests.stats())).storeEntries() > 0 ? "entries" : "(empty)");
            attempt("SUBSCRIBE", () -> {
                try (Subscription subscription = channel.subscribe(event -> { })) {
                    return "subscribed";
                }
            });
        }
        System.out.println("END");
    }

    private static void attempt(String name, Supplier<String> action) {
        try {
            System.out.println(name + " OK " + action.get());
        } catch (KchannelException e) {
            System.out.println(name + " FAIL " + e.getClass().getSimpleName() + " " + e.errno() + " "
                    + e.extAckMessage().orElse("-"));
        }
    }
}
