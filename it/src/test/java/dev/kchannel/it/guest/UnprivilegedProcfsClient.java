// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import dev.kchannel.api.Availability;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.message.ListEntry;
import dev.kchannel.transport.procfs.KchanProcDirectory;
import dev.kchannel.transport.procfs.ProcfsTransport;
import dev.kchannel.transport.procfs.raw.OpenFlag;
import dev.kchannel.transport.procfs.raw.ProcFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Not a test: a program {@link ProcfsTransportGuestTest} runs as user nobody to see what the
 * procfs transport tells an unprivileged process, and what it may still read. Argument: a key
 * root has set. Prints one line per attempt, which the test reads: {@code AVAILABLE ...},
 * {@code NAME OK detail} or {@code NAME FAIL ExceptionClass errno}, then {@code END}.
 */
public final class UnprivilegedProcfsClient {

    private UnprivilegedProcfsClient() {
    }

    public static void main(String[] args) {
        String rootsKey = args[0];
        Availability availability = new ProcfsTransport().availability();
        System.out.println("AVAILABLE " + availability.isAvailable() + " "
                + availability.errno().map(Enum::name).orElse("-") + " " + availability.reason());
        attempt("OPEN", () -> {
            new ProcfsTransport().open(KchannelConfig.builder().transport("procfs").build()).close();
            return "opened";
        });
        attempt("EVENTS", () -> {
            ProcFile.open(Path.of("/proc/kchan/events"), OpenFlag.READ).close();
            return "opened";
        });
        KchanProcDirectory directory = new KchanProcDirectory(Path.of("/proc/kchan"));
        attempt("STORE", () -> directory.readStore().stream()
                .filter(entry -> entry.keyAsString().equals(rootsKey)).findFirst()
                .map(ListEntry::value).map(value -> new String(value, StandardCharsets.UTF_8)).orElse("(missing)"));
        attempt("STATS", () -> directory.readStats().containsKey("procfs.requests") ? "" : "(no procfs.requests)");
        // Every file of the directory opened for writing, for PermissionsGuestTest: the modes refuse all.
        for (String file : new String[] {"call", "events", "store", "stats"}) {
            attempt(file.toUpperCase(java.util.Locale.ROOT) + "_WRITE", () -> {
                ProcFile.open(Path.of("/proc/kchan", file), OpenFlag.WRITE).close();
                return "opened";
            });
        }
        System.out.println("END");
    }

    private static void attempt(String name, Supplier<String> action) {
        try {
            System.out.println((name + " OK " + action.get()).strip());
        } catch (KchannelException e) {
            System.out.println(name + " FAIL " + e.getClass().getSimpleName() + " " + e.errno());
        }
    }
}
