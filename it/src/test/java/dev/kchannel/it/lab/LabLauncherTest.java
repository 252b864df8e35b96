// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to the launchers ({@code ./kchan} and {@code it/lab/kchan-lab}) ends with one clear
 * message and a non-zero exit, never a stack trace, and before anything slow happens.
 */
class LabLauncherTest {

    private static final Path REPO = Path.of(System.getProperty("kchannel.repo", "..")).toAbsolutePath().normalize();
    private static final Path LAB = REPO.resolve("it/lab/kchan-lab");
    private static final Path KCHAN = REPO.resolve("kchan");

    record Outcome(int status, String output) {
    }

    @Test
    void unknownKernelSeriesIsRejectedWithTheSupportedOnes() throws Exception {
        Outcome lab = run(Map.of(), List.of("bash", LAB.toString(), "provision", "--kernel", "5.4"));
        Outcome demo = run(Map.of(), List.of("bash", KCHAN.toString(), "demo", "--kernel", "5.4"));
        Outcome labCli = run(Map.of(), List.of("bash", KCHAN.toString(), "lab-cli", "--kernel", "5.4", "list"));

        for (Outcome o : List.of(lab, demo, labCli)) {
            assertThat(o.status()).as(o.output()).isEqualTo(2);
            assertThat(o.output()).contains("unknown kernel '5.4'; supported: 6.1 (Debian bookworm, the default), 6.12");
            assertNoStackTrace(o);
        }
    }

    @Test
    void unknownCommandsAndOptionsAreUsageErrors() throws Exception {
        Outcome command = run(Map.of(), List.of("bash", LAB.toString(), "frobnicate"));
        Outcome option = run(Map.of(), List.of("bash", LAB.toString(), "run", "--frob", "--", "true"));
        Outcome timeout = run(Map.of(), List.of("bash", LAB.toString(), "run", "--timeout", "soon", "--", "true"));
        Outcome kchan = run(Map.of(), List.of("bash", KCHAN.toString(), "frobnicate"));
        Outcome labCli = run(Map.of(), List.of("bash", KCHAN.toString(), "lab-cli"));

        assertThat(command.status()).isEqualTo(2);
        assertThat(command.output()).contains("unknown command 'frobnicate'");
        assertThat(option.status()).isEqualTo(2);
        assertThat(option.output()).contains("unknown option '--frob'");
        assertThat(timeout.status()).isEqualTo(2);
        assertThat(timeout.output()).contains("--timeout takes whole seconds, not 'soon'");
        assertThat(kchan.status()).isEqualTo(2);
        assertThat(kchan.output()).contains("unknown command 'frobnicate'");
        assertThat(labCli.status()).isEqualTo(2);
        assertThat(labCli.output()).contains("lab-cli needs a CLI command, e.g. ./kchan lab-cli set k v");
        Stream.of(command, option, timeout, kchan, labCli).forEach(LabLauncherTest::assertNoStackTrace);
    }

    /**
     * A non-root user on a machine without qemu gets the package names and the apt-get line to
     * run, not an attempt to install. Simulated by hiding qemu from PATH and, when the test runs
     * as root, dropping to the nobody user with setpriv.
     */
    @Test
    void missingPackagesAsNonRootNameThePackagesToInstall(@TempDir Path tmp) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
            try (Stream<Path> tools = Files.list(Path.of(dir))) {
                for (Path tool : tools.toList()) {
                    String name = tool.getFileName().toString();
                    if (!name.startsWith("qemu-system") && !Files.exists(bin.resolve(name))) {
                        Files.createSymbolicLink(bin.resolve(name), tool);
                    }
                }
            }
        }
        Path cache = Files.createDirectories(tmp.resolve("cache"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> argv = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            argv.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        argv.addAll(List.of(bin.resolve("bash").toString(), LAB.toString(), "provision"));

        Outcome o = run(Map.of("PATH", bin.toString(), "HOME", tmp.toString(), "KCHAN_LAB_CACHE", cache.toString()),
                argv);

        assertThat(o.status()).as(o.output()).isEqualTo(3);
        assertThat(o.output()).contains("missing packages: qemu-system-x86")
                .contains("Install them as root: apt-get install qemu-system-x86");
        assertNoStackTrace(o);
    }

    private static void assertNoStackTrace(Outcome o) {
        assertThat(o.output()).as("launcher output").doesNotContain("Exception").doesNotContainPattern("\\n\\s+at ");
        assertThat(o.output().lines().filter(l -> l.contains("error:")).count()).as(o.output()).isEqualTo(1);
    }

    private static Outcome run(Map<String, String> env, List<String> argv) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).directory(REPO.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("launcher finished quickly").isTrue();
        return new Outcome(p.exitValue(), out);
    }
}
