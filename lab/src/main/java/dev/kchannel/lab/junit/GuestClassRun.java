// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab.junit;

import dev.kchannel.lab.Lab;
import dev.kchannel.lab.LabRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * One {@link KernelLabTest} class's run in the guest: the lab booted once, the class run there by
 * the JUnit console launcher, and what came back, kept for the host's replay of each test. A lab
 * that could not even start is recorded too, so every test of the class says why instead of
 * booting again.
 */
final class GuestClassRun {

    /** The console launcher's exit status when some test failed; those fail one by one. */
    private static final int SOME_TEST_FAILED = 1;
    private static final int OUTPUT_TAIL_LINES = 40;
    private static final int MODULE_LOAD_FAILED = 91;

    private final Class<?> testClass;
    private final LabSettings settings;
    private final LabRun run;
    private final GuestReport report;
    private final String startFailure;

    private GuestClassRun(Class<?> testClass, LabSettings settings, LabRun run, GuestReport report,
            String startFailure) {
        this.testClass = testClass;
        this.settings = settings;
        this.run = run;
        this.report = report;
        this.startFailure = startFailure;
    }

    /**
     * Boots the lab and runs {@code testClass} in the guest. Never throws for a lab that failed:
     * the failure is kept and reported by every test and by the class.
     */
    static GuestClassRun start(Class<?> testClass, LabSettings settings, LabFactory factory, Path results,
            Consumer<String> progress) {
        try {
            deleteRecursively(results);
            Lab lab = factory.create(settings);
            List<String> command = guestCommand(testClass, results.resolve("junit"),
                    GuestClasspath.of(System.getProperty("java.class.path")), System.getProperties());
            progress.accept("running " + testClass.getName() + " in the kernel lab (kernel " + settings.kernelSeries()
                    + ", modules " + settings.modules() + "); results in " + results);
            LabRun run = lab.run(results, settings.modules(), command, progress);
            if (run.guestJvmCrashed()) {
                // Under TCG an emulator fault, never a test outcome (README, "Known lab issues").
                Path crashed = results.resolveSibling(results.getFileName() + "-jvm-crash");
                deleteRecursively(crashed);
                Files.move(results, crashed);
                progress.accept("the guest JVM crashed (kept in " + crashed + "); booting the lab once more");
                run = lab.run(results, settings.modules(), command, progress);
            }
            progress.accept(String.format("%s: kernel lab run took %.1f s wall", testClass.getSimpleName(),
                    run.wallTime().toMillis() / 1000.0));
            return new GuestClassRun(testClass, settings, run, GuestReport.read(results.resolve("junit")), null);
        } catch (IOException | RuntimeException e) {
            return new GuestClassRun(testClass, settings, null, new GuestReport(List.of()),
                    "the kernel lab could not run " + testClass.getName() + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new GuestClassRun(testClass, settings, null, new GuestReport(List.of()),
                    "interrupted while the kernel lab ran " + testClass.getName());
        }
    }

    /**
     * The guest's command: this JVM's java and classpath running the class with the JUnit console
     * launcher, the guest marker property set, and this JVM's {@code kchannel.*} properties
     * passed on.
     */
    static List<String> guestCommand(Class<?> testClass, Path reports, String classpath, Map<Object, Object> properties) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // The guest's /tmp is its own tmpfs: somewhere writable for jffi and friends.
                "-Djava.io.tmpdir=/tmp",
                "-D" + KernelLabExtension.GUEST_PROPERTY + "=true"));
        properties.entrySet().stream()
                .filter(e -> e.getKey() instanceof String key && key.startsWith("kchannel.")
                        && !key.equals(KernelLabExtension.GUEST_PROPERTY))
                .map(e -> "-D" + e.getKey() + "=" + e.getValue())
                .sorted()
                .forEach(command::add);
        command.addAll(List.of("-cp", classpath, "org.junit.platform.console.ConsoleLauncher", "execute",
                "--disable-banner", "--details=tree",
                "--select-class", testClass.getName(),
                "--reports-dir", reports.toString()));
        return command;
    }

    Optional<GuestReport.Case> outcome(String uniqueId) {
        return report.find(uniqueId);
    }

    List<GuestReport.Case> outcomesBelow(String uniqueId) {
        return report.below(uniqueId);
    }

    String kernelSeries() {
        return settings.kernelSeries();
    }

    /**
     * What makes the class fail beyond its tests' own outcomes: a lab that did not start or never
     * reported back, a module that did not load, a kernel log with an Oops, BUG, WARNING or Call
     * Trace, a guest JUnit run that ended abnormally or ran nothing. Empty when all is well.
     */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (startFailure != null) {
            problems.add(startFailure);
            return problems;
        }
        try {
            if (run.exitStatus() == LabRun.NO_REPORT) {
                problems.add("the guest never reported back (boot failure or timeout); see "
                        + run.results().resolve("console.log"));
            } else if (run.exitStatus() == MODULE_LOAD_FAILED) {
                problems.add("a module of " + settings.modules() + " failed to load; output tail:\n"
                        + run.outputTail(OUTPUT_TAIL_LINES) + modulesKernelLog());
            }
            List<String> kernelFailures = run.kernelFailures();
            if (!kernelFailures.isEmpty()) {
                problems.add("the guest kernel logged an Oops, BUG, WARNING or Call Trace ("
                        + run.results().resolve("dmesg.txt") + "):\n" + String.join("\n", kernelFailures));
            }
            List<String> leaks = run.kmemleakFailures();
            if (!leaks.isEmpty()) {
                problems.add("kmemleak suspects " + leaks.size() + " leak(s) from kchan modules ("
                        + run.results().resolve("kmemleak.txt") + "):\n" + String.join("\n", leaks));
            }
            int status = run.commandStatus();
            if (status != 0 && status != SOME_TEST_FAILED && run.exitStatus() != MODULE_LOAD_FAILED
                    && run.exitStatus() != LabRun.NO_REPORT) {
                problems.add("the guest's JUnit run of " + testClass.getName() + " ended with status " + status
                        + "; output tail:\n" + run.outputTail(OUTPUT_TAIL_LINES));
            }
            if (report.cases().isEmpty() && problems.isEmpty()) {
                problems.add("the guest ran no tests of " + testClass.getName() + "; output tail:\n"
                        + run.outputTail(OUTPUT_TAIL_LINES));
            }
        } catch (IOException e) {
            problems.add("cannot read the lab's results in " + run.results() + ": " + e);
        }
        return problems;
    }

    /** What the modules said in the kernel log: a module refusing its parameters says why there. */
    private String modulesKernelLog() throws IOException {
        List<String> names = settings.modules().stream().map(spec -> spec.split("\\s+", 2)[0] + ":").toList();
        List<String> lines = run.dmesg().stream().filter(l -> names.stream().anyMatch(l::contains)).toList();
        return lines.isEmpty() ? "" : "\nthe modules' kernel log:\n" + String.join("\n", lines);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
