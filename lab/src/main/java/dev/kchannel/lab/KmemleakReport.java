// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The debug kernel's kmemleak report ({@code kmemleak.txt} in a lab run's results), split into
 * its suspected leaks. A leak allocated by one of kchannel's modules (its backtrace names a
 * {@code [kchan_...]} module) fails a run; the kernel's own suspects (boot-time false positives,
 * qemu's devices) are listed but do not.
 */
public record KmemleakReport(List<String> leaks) {

    /** The line that opens each suspected leak in /sys/kernel/debug/kmemleak. */
    private static final String LEAK_START = "unreferenced object";
    /** How a backtrace line names a symbol of a loadable module. */
    private static final String KCHAN_MODULE = "[kchan_";

    public KmemleakReport {
        leaks = List.copyOf(leaks);
    }

    /** The report of one run; empty when the run has none (a kernel without kmemleak). */
    public static KmemleakReport read(Path results) throws IOException {
        Path report = results.resolve("kmemleak.txt");
        return Files.exists(report) ? parse(Files.readString(report, StandardCharsets.UTF_8))
                : new KmemleakReport(List.of());
    }

    static KmemleakReport parse(String text) {
        List<String> leaks = new ArrayList<>();
        StringBuilder current = null;
        for (String line : text.split("\n", -1)) {
            if (line.startsWith(LEAK_START)) {
                if (current != null) {
                    leaks.add(current.toString().strip());
                }
                current = new StringBuilder();
            }
            if (current != null) {
                current.append(line).append('\n');
            }
        }
        if (current != null) {
            leaks.add(current.toString().strip());
        }
        return new KmemleakReport(leaks);
    }

    /** The suspected leaks whose backtrace runs through a kchannel module: each fails a run. */
    public List<String> kchanLeaks() {
        return leaks.stream().filter(leak -> leak.contains(KCHAN_MODULE)).toList();
    }
}
