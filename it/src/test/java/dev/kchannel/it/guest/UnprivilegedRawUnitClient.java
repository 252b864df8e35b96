// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.transport.netlink.raw.NetlinkError;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Not a test: a program {@link NetlinkRawUnitGuestTest} runs as user nobody (no capabilities) to
 * see what kchan_netlink's raw unit lets an unprivileged process do. Arguments: the key to try to
 * SET, and a key root has set. Prints one line per attempt, which the test reads:
 * {@code NAME REPLY status errno-name errmsg} for a kchan reply, {@code NAME NLMSG_ERROR errno
 * extack} for a netlink error, {@code NAME ACK} for an acknowledgement.
 */
public final class UnprivilegedRawUnitClient {

    private UnprivilegedRawUnitClient() {
    }

    public static void main(String[] args) {
        String forbiddenKey = args[0];
        String readableKey = args[1];
        System.out.println("UID " + System.getProperty("user.name") + " " + ProcessHandle.current().pid());
        try (RawUnitClient raw = RawUnitClient.open()) {
            System.out.println("SET " + reply(raw.call(KchanRequests.set(forbiddenKey, "written by nobody"))));
            // A long, slow run: had it started, root's GEN_START right after would be EBUSY.
            System.out.println("GEN_START " + reply(raw.call(KchanRequests.genStart(1_000_000, 8, 1))));
            System.out.println("ECHO " + text(() -> KchanReplies.payload(
                    raw.callOk(KchanRequests.echo("from nobody".getBytes(StandardCharsets.UTF_8))))));
            System.out.println("GET " + text(() -> KchanReplies.value(raw.callOk(KchanRequests.get(readableKey)))));
            System.out.println("HELLO " + status(raw.hello()));
            // The rest of the state-changing commands, and the other reads, for PermissionsGuestTest.
            System.out.println("DELETE " + reply(raw.call(KchanRequests.delete(readableKey))));
            System.out.println("GEN_STOP " + reply(raw.call(KchanRequests.genStop())));
            System.out.println("LIST " + reply(raw.call(KchanRequests.list())));
            System.out.println("STATS " + reply(raw.call(KchanRequests.stats())));
        }
        System.out.println("END");
    }

    private static String reply(KchanMessage reply) {
        return "REPLY " + reply.status() + " " + reply.errno().map(Enum::name).orElse("-") + " "
                + reply.attributes().first(KchanProtocol.ATTR_ERRMSG).map(a -> a.string()).orElse("-");
    }

    private static String status(NetlinkError status) {
        if (status.isAck()) {
            return "ACK";
        }
        return "NLMSG_ERROR " + status.toException("HELLO", null).errno().name() + " "
                + status.extendedAck().message().orElse("-");
    }

    private static String text(Supplier<byte[]> call) {
        return "OK " + new String(call.get(), StandardCharsets.UTF_8);
    }
}
