// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Host mode, opt-in: no guest at all. On a machine whose running kernel can load modules and has
 * its headers installed, the modules are built against that kernel, loaded into it from a
 * privileged container ({@link HostModules}), and the command runs on this machine as it is.
 * The results folder gets the same files as a guest run (output.log, status, dmesg.txt), so
 * callers read a {@link LabRun} either way.
 *
 * <p>It loads code into the kernel you work on: use it on a disposable CI runner or test box,
 * never on a machine whose uptime matters. It cannot run where the kernel has no module support
 * (the kchannel build machines: {@link HostKernel#check()} says so).
 */
public final class HostLab implements Lab {

    private final Path kmodsDir;
    private final String image;
    private final Duration timeout;

    /**
     * @param kmodsDir a Kbuild directory whose {@code make KDIR=...} builds the modules to load
     * @param image a local image with kmod (insmod, rmmod) and dmesg, e.g. the lab image
     */
    public HostLab(Path kmodsDir, String image, Duration timeout) {
        this.kmodsDir = Objects.requireNonNull(kmodsDir, "kmodsDir");
        this.image = Objects.requireNonNull(image, "image");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public LabRun run(Path results, List<String> loadSpecs, List<String> command, Consumer<String> progress)
            throws IOException, InterruptedException {
        long started = System.nanoTime();
        Files.createDirectories(results);
        HostKernel kernel = HostKernel.check();
        build(kernel, progress);
        try (HostModules modules = new HostModules(image, kmodsDir)) {
            int dmesgBefore = modules.dmesg().size();
            List<String> loaded = new ArrayList<>();
            int status;
            try {
                for (String spec : loadSpecs) {
                    loaded.add(modules.load(spec));
                    progress.accept("host lab: loaded " + spec + " into " + kernel.release());
                }
                status = runCommand(command, results, progress);
            } finally {
                for (int i = loaded.size() - 1; i >= 0; i--) {
                    modules.unload(loaded.get(i));
                }
                List<String> dmesg = modules.dmesg();
                Files.write(results.resolve("dmesg.txt"), dmesg.subList(Math.min(dmesgBefore, dmesg.size()), dmesg.size()));
            }
            Files.writeString(results.resolve("status"), status + "\n");
            // The same exit status as kchan-lab run: the command's own, or 90 for a kernel log failure.
            LabRun run = new LabRun(status, results, Duration.ofNanos(System.nanoTime() - started));
            return run.kernelFailures().isEmpty() ? run : new LabRun(LabRun.DMESG_FAILURE, results, run.wallTime());
        }
    }

    private void build(HostKernel kernel, Consumer<String> progress) throws IOException, InterruptedException {
        List<String> make = List.of("make", "-C", kmodsDir.toString(), "KDIR=" + kernel.headers());
        Process p = new ProcessBuilder(make).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", make) + " failed:\n" + out);
        }
        progress.accept("host lab: built " + kmodsDir + " against " + kernel.headers());
    }

    /** Runs the command with its output in output.log, then hands that to {@code progress}. */
    private int runCommand(List<String> command, Path results, Consumer<String> progress)
            throws IOException, InterruptedException {
        Path log = results.resolve("output.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        boolean finished = p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly().waitFor();
        }
        Files.readAllLines(log, StandardCharsets.UTF_8).forEach(progress);
        if (!finished) {
            throw new IOException(String.join(" ", command) + " did not finish within " + timeout);
        }
        return p.exitValue();
    }
}
