// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The kernel lab's container image, built on this machine from Debian's packages by
 * {@code it/lab/kchan-lab-image} (debootstrap and {@code docker import}; nothing is pulled), and
 * the Docker engine it needs, started when this machine has none running.
 */
public final class LabImage {

    /** Generous: a first build downloads about 400 MB of packages. */
    private static final long BUILD_PATIENCE_MINUTES = 30;

    private LabImage() {
    }

    /**
     * The tag of the image for {@code kernelSeries}, built first if absent.
     *
     * @param home the folder holding it/lab (see {@link LabScript#labHome()})
     * @param progress receives the script's progress lines
     */
    public static String ensure(Path home, String kernelSeries, Consumer<String> progress)
            throws IOException, InterruptedException {
        List<String> argv = List.of("bash", home.resolve("it/lab/kchan-lab-image").toString(), "build",
                "--kernel", kernelSeries);
        Process p = new ProcessBuilder(argv).start();
        p.getOutputStream().close();
        // stderr is the script's progress; stdout its one answer, the tag.
        Thread relay = new Thread(() -> {
            try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                err.lines().forEach(progress);
            } catch (IOException | java.io.UncheckedIOException e) {
                progress.accept("kchan-lab-image: cannot read its progress: " + e);
            }
        }, "kchan-lab-image-progress");
        relay.start();
        String tag = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(BUILD_PATIENCE_MINUTES, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", argv) + " did not finish in " + BUILD_PATIENCE_MINUTES + " minutes");
        }
        relay.join();
        if (p.exitValue() != 0 || tag.isEmpty()) {
            throw new IOException(String.join(" ", argv) + " failed (exit " + p.exitValue()
                    + "): the lines above say why; the container lab needs Docker and, to build its image,"
                    + " root on Debian or Ubuntu");
        }
        return tag.lines().reduce((first, last) -> last).orElseThrow();
    }
}
