// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The extension end to end with the kernel lab replaced by a child JVM on this machine
 * ({@link LocalProcessLab}): the sample classes below really run in that "guest", and the host
 * side replays what they did there. Surefire leaves nested classes alone, so the samples run only
 * through the launcher here.
 */
class KernelLabExtensionTest {

    /** Counts what ran in this (the host's) JVM: lifecycle and test bodies must not. */
    static final AtomicInteger HOST_RUNS = new AtomicInteger();

    @TempDir
    Path results;

    @Test
    void replaysEachGuestOutcomeAndRunsNothingOnTheHost() {
        Map<String, TestExecutionResult> outcomes = launch(PassFailSkip.class);

        assertThat(outcomes.get("inTheGuest()").getStatus()).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
        TestExecutionResult failed = outcomes.get("failsWithItsOwnMessage()");
        assertThat(failed.getStatus()).isEqualTo(TestExecutionResult.Status.FAILED);
        Throwable failure = failed.getThrowable().orElseThrow();
        assertThat(failure).isInstanceOf(GuestTestFailure.class).hasMessageStartingWith(
                        "the guest says 41 is not 42 ==> expected: <42> but was: <41>")
                .hasMessageContaining("(failed in the kernel lab guest, kernel 6.1, as org.opentest4j.AssertionFailedError)");
        // The guest's own frames, down to the line that failed there.
        assertThat(failure.getStackTrace()).anySatisfy(frame -> {
            assertThat(frame.getClassName()).isEqualTo(PassFailSkip.class.getName());
            assertThat(frame.getMethodName()).isEqualTo("failsWithItsOwnMessage");
            assertThat(frame.getFileName()).isEqualTo("KernelLabExtensionTest.java");
            assertThat(frame.getLineNumber()).isPositive();
        });
        TestExecutionResult skipped = outcomes.get("skippedInTheGuest()");
        assertThat(skipped.getStatus()).isEqualTo(TestExecutionResult.Status.ABORTED);
        assertThat(skipped.getThrowable()).get().extracting(Throwable::getMessage)
                .isEqualTo("skipped in the kernel lab guest: no such device in this guest");
        assertThat(outcomes.get("[1] 1").getStatus()).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
        assertThat(outcomes.get("[2] 2").getStatus()).isEqualTo(TestExecutionResult.Status.FAILED);
        assertThat(outcomes.get("dynamic one").getStatus()).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
        assertThat(outcomes.get("dynamic two").getStatus()).isEqualTo(TestExecutionResult.Status.FAILED);
        // The class itself passes: its kernel log was clean and the run completed.
        assertThat(outcomes.get("KernelLabExtensionTest$PassFailSkip").getStatus())
                .isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
        assertThat(HOST_RUNS).hasValue(0);
        assertThat(LocalProcessLab.CleanKernel.LOAD_SPECS).contains(List.of("hello_user greeting=hi", "other"));
        assertThat(results.resolve(PassFailSkip.class.getName()).resolve("junit")).isDirectory();
    }

    @Test
    void aKernelWarningFailsTheClassThoughEveryTestPassed() {
        Map<String, TestExecutionResult> outcomes = launch(PassesOnAWarningKernel.class);

        assertThat(outcomes.get("passes()").getStatus()).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
        TestExecutionResult classResult = outcomes.get("KernelLabExtensionTest$PassesOnAWarningKernel");
        assertThat(classResult.getStatus()).isEqualTo(TestExecutionResult.Status.FAILED);
        assertThat(classResult.getThrowable()).get().asString()
                .contains("Oops, BUG, WARNING or Call Trace", "WARNING: CPU: 0 PID: 42 at hello_user.c:12");
    }

    @Test
    void theGuestCommandRunsTheClassWithTheConsoleLauncherAndMarksTheGuest() {
        List<String> command = GuestClassRun.guestCommand(PassFailSkip.class, Path.of("/r/junit"), "/a.jar:/b",
                Map.of("kchannel.repo", "/repo", "user.home", "/root", KernelLabExtension.GUEST_PROPERTY, "false"));

        assertThat(command).containsSubsequence("-D" + KernelLabExtension.GUEST_PROPERTY + "=true",
                "-Dkchannel.repo=/repo", "-cp", "/a.jar:/b", "org.junit.platform.console.ConsoleLauncher", "execute",
                "--select-class", PassFailSkip.class.getName(), "--reports-dir", "/r/junit");
        assertThat(command).doesNotContain("-Duser.home=/root", "-D" + KernelLabExtension.GUEST_PROPERTY + "=false");
    }

    private Map<String, TestExecutionResult> launch(Class<?> sample) {
        Map<String, TestExecutionResult> outcomes = new ConcurrentHashMap<>();
        String before = System.getProperty(KernelLabExtension.RESULTS_PROPERTY);
        System.setProperty(KernelLabExtension.RESULTS_PROPERTY, results.toString());
        try {
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(sample)).build(),
                    new TestExecutionListener() {
                        @Override
                        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                            outcomes.put(id.getDisplayName(), result);
                        }
                    });
        } finally {
            if (before == null) {
                System.clearProperty(KernelLabExtension.RESULTS_PROPERTY);
            } else {
                System.setProperty(KernelLabExtension.RESULTS_PROPERTY, before);
            }
        }
        return outcomes;
    }

    @KernelLabTest(modules = {"hello_user greeting=hi", "other"}, kernel = "6.1", lab = LocalProcessLab.CleanKernel.class)
    static class PassFailSkip {
        static boolean beforeAllRan;
        boolean beforeEachRan;

        @BeforeAll
        static void onlyInTheGuest() {
            countIfOnTheHost();
            beforeAllRan = true;
        }

        @BeforeEach
        void alsoOnlyInTheGuest() {
            countIfOnTheHost();
            beforeEachRan = true;
        }

        @AfterEach
        void andThisToo() {
            countIfOnTheHost();
        }

        @Test
        void inTheGuest() {
            countIfOnTheHost();
            assertTrue(KernelLabExtension.insideGuest(), "runs with the guest marker");
            assertTrue(beforeAllRan && beforeEachRan, "lifecycle methods ran in the guest");
        }

        @Test
        void failsWithItsOwnMessage() {
            countIfOnTheHost();
            assertEquals(42, 41, "the guest says 41 is not 42");
        }

        @Test
        void skippedInTheGuest() {
            countIfOnTheHost();
            Assumptions.abort("no such device in this guest");
        }

        @ParameterizedTest
        @ValueSource(ints = {1, 2})
        void parameterized(int n) {
            countIfOnTheHost();
            assertEquals(1, n);
        }

        @TestFactory
        Stream<DynamicTest> dynamic() {
            countIfOnTheHost();
            return Stream.of(DynamicTest.dynamicTest("dynamic one", () -> { }),
                    DynamicTest.dynamicTest("dynamic two", () -> assertEquals(1, 2)));
        }

        private static void countIfOnTheHost() {
            if (!KernelLabExtension.insideGuest()) {
                HOST_RUNS.incrementAndGet();
            }
        }
    }

    @KernelLabTest(lab = LocalProcessLab.WarningKernel.class)
    static class PassesOnAWarningKernel {
        @Test
        void passes() {
            assertTrue(Files.isDirectory(Path.of("/")));
        }
    }
}
