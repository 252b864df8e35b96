// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab.junit;

import dev.kchannel.lab.Lab;
import dev.kchannel.lab.LabRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * A stand-in for the kernel lab in the extension's own tests: runs the guest command as a child
 * process on this machine and writes the files the lab script writes (status, output.log and a
 * dmesg.txt with the kernel log given), so everything but the kernel is the real thing.
 */
final class LocalProcessLab implements Lab {

    private final String dmesg;
    private final List<List<String>> loadSpecsSeen;

    LocalProcessLab(String dmesg, List<List<String>> loadSpecsSeen) {
        this.dmesg = dmesg;
        this.loadSpecsSeen = loadSpecsSeen;
    }

    @Override
    public LabRun run(Path results, List<String> loadSpecs, List<String> command, Consumer<String> progress)
            throws IOException, InterruptedException {
        loadSpecsSeen.add(List.copyOf(loadSpecs));
        Files.createDirectories(results);
        long started = System.nanoTime();
        Path output = results.resolve("output.log");
        Process guest = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        int status = guest.waitFor();
        Files.writeString(results.resolve("status"), status + "\n");
        Files.writeString(results.resolve("dmesg.txt"), dmesg, StandardCharsets.UTF_8);
        return new LabRun(status, results, Duration.ofNanos(System.nanoTime() - started));
    }

    /** A guest whose kernel log is clean. */
    public static final class CleanKernel implements LabFactory {
        static final List<List<String>> LOAD_SPECS = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public Lab create(LabSettings settings) {
            return new LocalProcessLab("[    0.000000] Linux version 6.1.0-test\n", LOAD_SPECS);
        }
    }

    /** A guest whose kernel logged a WARNING with a call trace. */
    public static final class WarningKernel implements LabFactory {
        @Override
        public Lab create(LabSettings settings) {
            return new LocalProcessLab("[    1.000000] WARNING: CPU: 0 PID: 42 at hello_user.c:12 hello_write\n"
                    + "[    1.000001] Call Trace:\n", new java.util.ArrayList<>());
        }
    }
}
