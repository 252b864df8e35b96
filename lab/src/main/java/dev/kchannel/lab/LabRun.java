// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What one kernel lab run brought back: the script's exit status, the results folder the guest
 * wrote into, and how long the whole run took.
 */
public record LabRun(int exitStatus, Path results, Duration wallTime) {

    /**
     * The script's status when the guest kernel logged an Oops, BUG, WARNING or Call Trace, or
     * (debug kernel) kmemleak suspects a leak from a kchan module.
     */
    public static final int DMESG_FAILURE = 90;
    /** The script's status when the guest never reported back (boot failure or timeout). */
    public static final int NO_REPORT = 92;

    private static final String HOTSPOT_FATAL_ERROR_BANNER =
            "A fatal error has been detected by the Java Runtime Environment";

    /** The same rule the lab script applies, kept here to name the offending lines. */
    private static final Pattern KERNEL_FAILURE = Pattern.compile("Oops|BUG|WARNING|Call Trace");

    /** The guest command's own exit status, or -1 if the guest never wrote one. */
    public int commandStatus() throws IOException {
        Path status = results.resolve("status");
        return Files.exists(status) ? Integer.parseInt(Files.readString(status).trim()) : -1;
    }

    public List<String> dmesg() throws IOException {
        Path dmesg = results.resolve("dmesg.txt");
        return Files.exists(dmesg) ? Files.readAllLines(dmesg, StandardCharsets.UTF_8) : List.of();
    }

    /** Lines of the guest's kernel log that fail a run. */
    public List<String> kernelFailures() throws IOException {
        return dmesg().stream().filter(l -> KERNEL_FAILURE.matcher(l).find()).collect(Collectors.toList());
    }

    /**
     * Suspected leaks of kchannel's modules in the debug kernel's kmemleak report: each fails a
     * run like a kernel log failure. Empty on kernels without kmemleak.
     */
    public List<String> kmemleakFailures() throws IOException {
        return KmemleakReport.read(results).kchanLeaks();
    }

    /** True when the run brought back a kmemleak report (the debug kernel, 6.1-debug). */
    public boolean hasKmemleakReport() {
        return Files.exists(results.resolve("kmemleak.txt"));
    }

    /**
     * True when the guest's JVM died of a fatal signal (HotSpot's hs_err banner in the output):
     * under TCG that has been an emulator fault, never a test outcome.
     */
    public boolean guestJvmCrashed() throws IOException {
        Path out = results.resolve("output.log");
        return Files.exists(out)
                && Files.readString(out, StandardCharsets.UTF_8).contains(HOTSPOT_FATAL_ERROR_BANNER);
    }

    /** The last lines of what the command printed, for failure messages. */
    public String outputTail(int lines) throws IOException {
        Path out = results.resolve("output.log");
        if (!Files.exists(out)) {
            return "(no output.log)";
        }
        List<String> all = Files.readAllLines(out, StandardCharsets.UTF_8);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
