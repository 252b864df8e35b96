// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kchannel.lab.KernelLab;
import dev.kchannel.lab.Lab;
import dev.kchannel.lab.LabRun;
import dev.kchannel.lab.junit.GuestReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Boots the kernel lab once, runs every guest test (package {@code dev.kchannel.it.guest}) inside
 * it with the JUnit console launcher, and reports each guest test back here as a dynamic test, so
 * Maven, failsafe's reports and CI show them one by one and one failing guest test fails the
 * build. Two more checks close the run: the guest kernel's log is clean, and the run completed.
 */
class LabGuestTestsIT {

    private static final String GUEST_PACKAGE = "dev.kchannel.it.guest";
    private static final List<String> GUEST_TUNING_PREFIXES =
            List.of("kchannel.fuzz.", "kchannel.it.stress.", "kchannel.it.unload.", "kchannel.it.overload.");

    @TestFactory
    Stream<DynamicNode> guestTests() throws IOException, InterruptedException {
        Path repo = Path.of(required("kchannel.repo")).toRealPath();
        KernelLab lab = new KernelLab(repo, System.getProperty("kchannel.lab.kernel", "6.1"),
                Duration.ofSeconds(Long.getLong("kchannel.lab.timeout", 1800)));
        return runInGuest(lab, javaExecutable(), "guest-tests", System.getProperty("kchannel.it.guest-classes", ""));
    }

    /**
     * Boots {@code lab} once, runs the selected guest test classes inside it with the JUnit console
     * launcher, and returns each guest test as a dynamic test plus the two closing checks. The
     * container lab's IT runs its selection through here too.
     *
     * @param java the java executable as the guest sees it
     * @param name the results folder under kchannel.it.results
     */
    static Stream<DynamicNode> runInGuest(Lab lab, String java, String name, String guestClasses)
            throws IOException, InterruptedException {
        Path repo = Path.of(required("kchannel.repo")).toRealPath();
        Path results = Path.of(required("kchannel.it.results")).resolve(name);
        deleteRecursively(results);
        Path reports = results.resolve("junit");
        String classpath = required("kchannel.it.classes") + ":"
                + Files.readString(Path.of(required("kchannel.it.classpath"))).strip();

        List<String> command = new ArrayList<>(List.of(
                java, "-Djava.io.tmpdir=/tmp", "-Dkchannel.repo=" + repo,
                "-Dkchannel.it.stress=" + System.getProperty("kchannel.it.stress", "ci")));
        command.addAll(guestTuning());
        command.addAll(List.of("-cp", classpath, "org.junit.platform.console.ConsoleLauncher", "execute",
                "--disable-banner", "--details=tree", "--reports-dir", reports.toString()));
        command.addAll(selection(guestClasses));
        LabRun run = lab.run(results, List.of(), command, line -> System.out.println("[lab] " + line));
        System.out.printf("[lab] %s: lab run took %.1f s wall%n", name, run.wallTime().toMillis() / 1000.0);
        if (run.guestJvmCrashed()) {
            // An emulator fault, not a test result (README, "Known lab issues"): the first run's
            // files are kept beside the second for anyone who wants to look.
            Path crashed = results.resolveSibling(name + "-jvm-crash");
            deleteRecursively(crashed);
            Files.move(results, crashed);
            System.out.println("[lab] the guest JVM crashed (hs_err report above, kept in " + crashed
                    + "); booting the lab once more");
            run = lab.run(results, List.of(), command, line -> System.out.println("[lab] " + line));
        }
        final LabRun finalRun = run;

        GuestReport report = GuestReport.read(reports);
        List<DynamicNode> tests = new ArrayList<>();
        for (GuestReport.Case c : report.cases()) {
            String simpleClassName = c.className().substring(c.className().lastIndexOf('.') + 1);
            tests.add(DynamicTest.dynamicTest(simpleClassName + " > " + c.name(), () -> replay(c)));
        }
        tests.add(DynamicTest.dynamicTest("guest kernel log has no Oops, BUG, WARNING or Call Trace",
                () -> assertThat(finalRun.kernelFailures()).as("dmesg failures in " + finalRun.results().resolve("dmesg.txt"))
                        .isEmpty()));
        tests.add(DynamicTest.dynamicTest("guest test run completed and ran tests", () -> {
            assertThat(finalRun.exitStatus()).as("kchan-lab reported back; output tail:%n%s", finalRun.outputTail(40))
                    .isNotEqualTo(LabRun.NO_REPORT);
            assertThat(report.cases()).as("guest tests found in %s; output tail:%n%s", reports, finalRun.outputTail(40))
                    .isNotEmpty();
            // 1 is the console launcher's "some test failed": those show individually above.
            assertThat(finalRun.commandStatus()).as("guest command status; output tail:%n%s", finalRun.outputTail(40))
                    .isIn(0, 1);
        }));
        return tests.stream();
    }

    /**
     * Every guest test, unless {@code -Dkchannel.it.guest-classes=A,B} names some of them by simple
     * class name: a development shortcut; CI and the README's command run them all.
     */
    static List<String> selection(String guestClasses) {
        List<String> selectors = new ArrayList<>();
        for (String name : guestClasses.split(",")) {
            if (!name.isBlank()) {
                selectors.add("--select-class");
                selectors.add(GUEST_PACKAGE + "." + name.strip());
            }
        }
        return selectors.isEmpty() ? List.of("--select-package", GUEST_PACKAGE) : selectors;
    }

    private static void replay(GuestReport.Case c) {
        String detail = (c.message() + "\n" + c.detail()).strip();
        switch (c.outcome()) {
            case PASSED -> { }
            case SKIPPED -> Assumptions.abort("skipped in the guest: " + detail);
            case FAILED -> fail("failed in the guest kernel lab:\n" + detail);
        }
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The guest suites' counts given on the Maven command line ({@code -Dkchannel.fuzz.inputs=100000},
     * {@code -Dkchannel.it.stress.calls=...}, ...), passed on to the guest JVM, where the tests read them.
     */
    static List<String> guestTuning() {
        return System.getProperties().stringPropertyNames().stream()
                .filter(name -> GUEST_TUNING_PREFIXES.stream().anyMatch(name::startsWith))
                .sorted()
                .map(name -> "-D" + name + "=" + System.getProperty(name))
                .toList();
    }

    static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set; run through Maven (it/pom.xml)");
        }
        return value;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
