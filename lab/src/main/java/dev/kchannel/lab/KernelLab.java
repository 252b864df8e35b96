// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Host-side handle on the kernel lab ({@code it/lab/kchan-lab}): boots the guest kernel, runs one
 * command in it as root, and returns what came back. The script does the provisioning, the module
 * build and the dmesg check; this class only drives it, so the demo, the tests and the benchmarks
 * share one lab.
 */
public final class KernelLab implements Lab {

    private final Path repo;
    private final String kernelSeries;
    private final Duration timeout;
    /** A user's own module folder ({@code kchan-lab --kmods}); null: kchannel's kmods/. */
    private final Path kmods;

    /**
     * @param repo a kchannel checkout, or any folder holding {@code it/lab/kchan-lab} and
     *     {@code it/lab/guest-init.sh} (see {@link LabScript})
     */
    public KernelLab(Path repo, String kernelSeries, Duration timeout) {
        this(repo, kernelSeries, timeout, null);
    }

    private KernelLab(Path repo, String kernelSeries, Duration timeout, Path kmods) {
        this.repo = Objects.requireNonNull(repo, "repo");
        this.kernelSeries = Objects.requireNonNull(kernelSeries, "kernelSeries");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.kmods = kmods;
    }

    /**
     * The same lab building and loading the modules of {@code kmodsDir} (a folder with a Kbuild
     * or Makefile for an out-of-tree module) instead of kchannel's own kmods/.
     */
    public KernelLab withKmods(Path kmodsDir) {
        return new KernelLab(repo, kernelSeries, timeout, kmodsDir.toAbsolutePath());
    }

    @Override
    public LabRun run(Path results, List<String> loadSpecs, List<String> command,
            java.util.function.Consumer<String> progress) throws IOException, InterruptedException {
        Files.createDirectories(results);
        List<String> argv = scriptArguments(results, loadSpecs, command);

        long started = System.nanoTime();
        Process lab = new ProcessBuilder(argv).redirectErrorStream(true).start();
        lab.getOutputStream().close();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(lab.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                progress.accept(stripTerminalControls(line));
            }
        }
        // The script enforces the timeout on qemu; this bound only covers the script itself.
        if (!lab.waitFor(timeout.toSeconds() + 600, TimeUnit.SECONDS)) {
            lab.destroyForcibly();
            throw new IOException("kchan-lab did not finish within " + timeout.plusMinutes(10));
        }
        return new LabRun(lab.exitValue(), results, Duration.ofNanos(System.nanoTime() - started));
    }

    /**
     * {@code bash .../kchan-lab run ...} for one run: the same arguments whether this machine runs
     * the script or a container does ({@link KernelLabContainer}, which sees the same paths).
     */
    List<String> scriptArguments(Path results, List<String> loadSpecs, List<String> command) {
        List<String> argv = new ArrayList<>(List.of(
                "bash", repo.resolve("it/lab/kchan-lab").toString(), "run",
                "--kernel", kernelSeries,
                "--results", results.toString(),
                // A hard stop in the script as well, so qemu never outlives this JVM's patience.
                "--timeout", Long.toString(timeout.toSeconds())));
        if (kmods != null) {
            argv.add("--kmods");
            argv.add(kmods.toString());
        }
        for (String spec : loadSpecs) {
            argv.add("--load");
            argv.add(spec);
        }
        argv.add("--");
        argv.addAll(command);
        return argv;
    }

    /** The folder holding it/lab/kchan-lab. */
    Path home() {
        return repo;
    }

    String kernelSeries() {
        return kernelSeries;
    }

    Duration timeout() {
        return timeout;
    }

    /** The serial console carries the BIOS's screen-clearing escapes; logs want text. */
    static String stripTerminalControls(String line) {
        return line.replaceAll("\u001B\\[[0-9;?]*[A-Za-z]|\u001Bc|\r", "");
    }
}
