// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.UnsupportedCapabilityException;
import dev.kchannel.api.select.KernelTransports;
import dev.kchannel.examples.SampleApplication;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7's promise: one program, four transports, nothing but configuration changed. The sample
 * application (examples module) runs once per transport as a process of its own through Guice,
 * each run taking {@code kchannel.transport} from a different source, and once per transport
 * through ServiceLoader without Guice; every run prints the same results, the events part only
 * where the transport can push. Then the failure modes a user meets, each with its message.
 */
class SampleApplicationGuestTest {

    private static final List<String> MODULES =
            List.of("kchan_core", "kchan_netlink", "kchan_procfs", "kchan_sockopt", "kchan_chardev");

    /** What every run prints after the {@code ---} line, events aside. */
    private static final List<String> RESULTS = List.of(
            "set sample/alpha = one",
            "set sample/beta = two",
            "get sample/alpha = one",
            "list sample/: sample/alpha = one, sample/beta = two",
            "echo ping",
            "stats: the kernel counted 6 requests on this transport since the first STATS");
    private static final List<String> EVENTS = List.of("set sample/gamma = three", "event: STORE_SET sample/gamma = three");
    private static final List<String> NO_EVENTS = List.of("events: sockopt cannot push events (no KERNEL_PUSH)");
    private static final String LAST = "deleted 2 keys";

    private record Run(int status, String out, String err) {
    }

    @BeforeAll
    static void loadModules() {
        GuestShell.loadMissing(MODULES);
    }

    @AfterAll
    static void unloadModules() {
        GuestShell.unloadAll(MODULES);
    }

    @Test
    void oneProgramRunsOnEveryTransportThroughGuiceWithOnlyItsConfigurationChanged(@TempDir Path dir) throws IOException {
        Path sockoptFile = Files.writeString(dir.resolve("sockopt.properties"), "kchannel.transport=sockopt\n");
        Path netlinkFile = Files.writeString(dir.resolve("netlink.properties"), "kchannel.transport=netlink\n");
        Map<String, Run> runs = new LinkedHashMap<>();
        // One source each: a system property, the environment, a properties file, and the
        // environment overriding a file that names another transport (the documented precedence).
        runs.put("netlink", process(List.of("-Dkchannel.transport=netlink"), Map.of()));
        runs.put("procfs", process(List.of(), Map.of("KCHANNEL_TRANSPORT", "procfs")));
        runs.put("sockopt", process(List.of("-Dkchannel.config=" + sockoptFile), Map.of()));
        runs.put("chardev", process(List.of("-Dkchannel.config=" + netlinkFile), Map.of("KCHANNEL_TRANSPORT", "chardev")));

        runs.forEach((transport, run) -> assertPrintsTheSampleResults(transport, "Guice", run));
    }

    @Test
    void theSameFourRunsWorkThroughServiceLoaderWithoutGuice() {
        for (String transport : List.of("netlink", "procfs", "sockopt", "chardev")) {
            Run run = inProcess(KchannelConfig.builder().transport(transport).build(), "--without-guice");
            assertPrintsTheSampleResults(transport, "ServiceLoader", run);
        }
    }

    @Test
    void aTransportWhoseKernelModuleIsNotLoadedSaysHowToLoadIt() {
        assertThat(GuestShell.rmmod("kchan_sockopt").ok()).isTrue();
        try {
            Run run = inProcess(KchannelConfig.builder().transport("sockopt").build());
            assertThat(run.status()).isEqualTo(SampleApplication.UNAVAILABLE);
            assertThat(run.err()).startsWith("sample: kernel transport 'sockopt' is unavailable: kernel module kchan_sockopt"
                    + " is not loaded (").endsWith("); load it with \"modprobe kchan_sockopt\", or \"insmod kchan_core.ko\""
                    + " then \"insmod kchan_sockopt.ko\"\n");
        } finally {
            GuestShell.loadMissing(MODULES);
        }
    }

    @Test
    void withoutCapNetAdminTheFirstChangeFailsSayingWhatIsMissing() throws IOException {
        Run run = asNobody("netlink");

        assertThat(run.status()).as("%s", run).isEqualTo(SampleApplication.KERNEL_ERROR);
        assertThat(run.err()).startsWith("sample: netlink: SET failed: EPERM (1): ")
                .endsWith(" (the caller lacks a capability the kernel requires, CAP_NET_ADMIN for the kchan modules:"
                        + " run as root or grant the process that capability)\n");
    }

    @Test
    void aDeviceNodeTheUserMayNotOpenSaysSo() throws IOException {
        Run run = asNobody("chardev");

        assertThat(run.status()).as("%s", run).isEqualTo(SampleApplication.UNAVAILABLE);
        assertThat(run.err()).startsWith("sample: kernel transport 'chardev' is unavailable: ").contains("/dev/kchan");
    }

    @Test
    void eventsOverATransportWithoutPushFailWithAMessageSayingWhatToDo() {
        try (KernelChannel channel = KernelTransports.open(KchannelConfig.builder().transport("sockopt").build())) {
            assertThatThrownBy(() -> channel.subscribe(event -> { }))
                    .isInstanceOf(UnsupportedCapabilityException.class)
                    .hasMessageStartingWith("kernel transport 'sockopt' does not support KERNEL_PUSH")
                    .hasMessageContaining("check KernelChannel.capabilities() before calling, or set kchannel.transport"
                            + " to a transport that has it");
        }
    }

    private static void assertPrintsTheSampleResults(String transport, String selection, Run run) {
        assertThat(run.status()).as("%s through %s: %s", transport, selection, run).isEqualTo(SampleApplication.OK);
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("kchannel sample: transport " + transport + ", selected through " + selection);
        List<String> expected = new ArrayList<>(RESULTS);
        expected.addAll(transport.equals("sockopt") ? NO_EVENTS : EVENTS);
        expected.add(LAST);
        assertThat(lines.subList(lines.indexOf("---") + 1, lines.size())).as("%s through %s", transport, selection)
                .isEqualTo(expected);
    }

    /** The sample as a process of its own, started the way a user would start it. */
    private static Run process(List<String> jvmOptions, Map<String, String> environment) {
        List<String> command = new ArrayList<>(List.of(GuestShell.javaBinary(), "-Djava.io.tmpdir=/tmp"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SampleApplication.class.getName()));
        return start(command, environment);
    }

    /** The sample as user nobody (no capabilities, not the owner of /dev/kchan). */
    private static Run asNobody(String transport) throws IOException {
        try (GuestShell.ReadableClasspath classpath = GuestShell.readableClasspath()) {
            return start(AsNobody.command(classpath, SampleApplication.class), Map.of("KCHANNEL_TRANSPORT", transport));
        }
    }

    private static Run start(List<String> command, Map<String, String> environment) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().remove("KCHANNEL_TRANSPORT");
            builder.environment().putAll(environment);
            Path err = Files.createTempFile("sample", ".err");
            Process process = builder.redirectError(err.toFile()).start();
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not finish in 120 s");
            }
            String errText = Files.readString(err);
            Files.delete(err);
            return new Run(process.exitValue(), out, errText);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Run inProcess(KchannelConfig config, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = SampleApplication.run(args, config, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
