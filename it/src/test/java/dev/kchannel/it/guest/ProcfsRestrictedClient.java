// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Not a test: a program {@link ProcfsModuleGuestTest} runs with less privilege than root (as user
 * nobody, and as root without CAP_NET_ADMIN) to see what kchan_procfs's files let it do. Argument:
 * the key to try to SET. Prints one line per attempt, which the test reads:
 * {@code CALL_OPEN OK} or {@code CALL_OPEN ERRNO}; when the call file opened, {@code SET status
 * errno-name errmsg} and {@code ECHO OK text}; {@code EVENTS_OPEN OK|ERRNO}; {@code STORE_READ
 * OK|ERRNO} and {@code STATS_READ OK lines|ERRNO}; then {@code END}.
 */
public final class ProcfsRestrictedClient {

    private ProcfsRestrictedClient() {
    }

    public static void main(String[] args) {
        String key = args[0];
        System.out.println("UID " + System.getProperty("user.name"));
        try (FileChannel call = ProcfsFiles.openCall()) {
            System.out.println("CALL_OPEN OK");
            KchanMessage set = ProcfsFiles.call(call, KchanRequests.set(key, "written without privilege"));
            System.out.println("SET " + set.status() + " " + set.errno().map(Enum::name).orElse("-") + " "
                    + set.attributes().first(KchanProtocol.ATTR_ERRMSG).map(a -> a.string()).orElse("-"));
            KchanMessage echo = ProcfsFiles.call(call, KchanRequests.echo("unprivileged".getBytes(StandardCharsets.UTF_8)));
            System.out.println("ECHO OK " + new String(KchanReplies.payload(echo), StandardCharsets.UTF_8));
        } catch (IOException e) {
            System.out.println("CALL_OPEN " + ProcfsFiles.errno(e).name());
        }
        try (FileChannel events = ProcfsFiles.openEvents()) {
            System.out.println("EVENTS_OPEN OK");
        } catch (IOException e) {
            System.out.println("EVENTS_OPEN " + ProcfsFiles.errno(e).name());
        }
        System.out.println("STORE_READ " + readView(ProcfsFiles.STORE));
        System.out.println("STATS_READ " + readView(ProcfsFiles.STATS));
        System.out.println("END");
    }

    private static String readView(Path file) {
        try {
            return "OK " + Files.readAllLines(file).size();
        } catch (IOException e) {
            return ProcfsFiles.errno(e).name();
        }
    }
}
