// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * On the lab's debug kernel (kmemleak built in, it/README.md "The debug kernel"): before a test
 * class unloads the kchan modules, asks kmemleak for unreferenced objects and fails the class on
 * any whose allocation backtrace names a kchan module. It must run before the unload: once a
 * module is gone its frames print as bare addresses and the leak can no longer be told apart.
 * On a kernel without kmemleak it does nothing.
 */
final class KmemleakCheck {

    private static final Path KMEMLEAK = Path.of("/sys/kernel/debug/kmemleak");
    /** kmemleak reports nothing younger than 5 s; the second scan sees what the first was too young for. */
    private static final long SCAN_GAP_MILLIS = 6_000;

    private KmemleakCheck() {
    }

    static void beforeUnload() {
        if (!Files.exists(Path.of("/sys/kernel/debug/slab")) && !Files.exists(KMEMLEAK)) {
            GuestShell.run("mount", "-t", "debugfs", "debugfs", "/sys/kernel/debug");
        }
        if (!Files.exists(KMEMLEAK)) {
            return;
        }
        try {
            Files.writeString(KMEMLEAK, "scan");
            Thread.sleep(SCAN_GAP_MILLIS);
            Files.writeString(KMEMLEAK, "scan");
            List<String> kchanLeaks = kchanSuspects(Files.readString(KMEMLEAK));
            // Reported suspects are marked seen, so the next class answers only for its own.
            Files.writeString(KMEMLEAK, "clear");
            if (!kchanLeaks.isEmpty()) {
                throw new AssertionError("kmemleak: " + kchanLeaks.size() + " unreferenced object(s) allocated by a kchan"
                        + " module:\n" + String.join("\n", kchanLeaks));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + KMEMLEAK, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted between kmemleak scans", e);
        }
    }

    /** The report's blocks ("unreferenced object 0x...", then its backtrace) that name a kchan module. */
    static List<String> kchanSuspects(String report) {
        List<String> suspects = new ArrayList<>();
        for (String block : report.split("(?m)^(?=unreferenced object )")) {
            if (block.contains("[kchan_")) {
                suspects.add(block.strip());
            }
        }
        return suspects;
    }
}
