// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.ListEntry;
import dev.kchannel.api.message.ListPart;
import dev.kchannel.api.message.StatsReply;
import dev.kchannel.api.message.TransportId;
import dev.kchannel.api.message.TransportStats;
import dev.kchannel.api.select.KernelTransports;
import dev.kchannel.cli.Main;
import dev.kchannel.transport.netlink.NetlinkTransport;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code kchan} CLI against kchan_netlink in the guest kernel: exact output and exit status of
 * each command, the kernel's own refusals, and watch seeing the events of SETs made meanwhile.
 *
 * <p>Most commands run in-process through {@link Main#run}, the code {@code main} runs minus its
 * {@code System.exit}: a child JVM per command would cost seconds of start-up each under TCG, for
 * no extra coverage of the commands. Two things only a real process shows run as child JVMs: the
 * exit status as the shell sees it (a SET as user nobody, refused with EPERM), and Ctrl-C (SIGINT
 * to a running watch, which must close its subscription and exit 130).
 *
 * <p>Each test starts from an empty store, so list output is exact; waits are on output the CLI
 * prints at a known point (standard error's "watching events on" once subscribed), never timed.
 * The class timeout only turns a hang (a child that never prints) into a failure.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CliGuestTest {

    private static final List<String> MODULES = GuestShell.NETLINK_MODULES;
    private static final long CHILD_LIMIT_SECONDS = 300;

    /** What one in-process run printed and returned. */
    record Run(int status, String out, String err) {
    }

    @BeforeAll
    static void loadModules() {
        GuestShell.loadMissing(MODULES);
    }

    @AfterAll
    static void unloadModules() {
        GuestShell.unloadAll(MODULES);
    }

    /** Deletes whatever an earlier test (of this class or another) left in the store. */
    @BeforeEach
    void emptyStore() {
        try (KernelChannel channel = openNetlink()) {
            List<ListEntry> entries;
            try (Stream<KchanMessage> parts = channel.dump(KchanRequests.list())) {
                entries = parts.map(ListPart::from).flatMap(part -> part.entries().stream()).toList();
            }
            for (ListEntry entry : entries) {
                channel.call(KchanRequests.delete(entry.key()));
            }
        }
    }

    private static KernelChannel openNetlink() {
        return new NetlinkTransport().open(KchannelConfig.builder().transport("netlink").build());
    }

    private static Run kchan(String... args) {
        return kchan(new ByteArrayOutputStream(), new ByteArrayOutputStream(), args);
    }

    private static Run kchan(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        int status = Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void setGetListDeleteEchoRoundTrips() {
        assertThat(kchan("set", "cli/greeting", "hello kernel")).isEqualTo(new Run(0, "", ""));
        assertThat(kchan("--hex", "set", "636c692f62696e", "00ff0a")).isEqualTo(new Run(0, "", ""));
        assertThat(kchan("set", "cli/ünïcode", "grüße ✓")).isEqualTo(new Run(0, "", ""));

        assertThat(kchan("get", "cli/greeting")).isEqualTo(new Run(0, "hello kernel\n", ""));
        assertThat(kchan("get", "cli/bin")).isEqualTo(new Run(0, "hex:00ff0a\n", ""));
        assertThat(kchan("get", "--hex", "636c692f62696e")).isEqualTo(new Run(0, "00ff0a\n", ""));
        assertThat(kchan("list")).isEqualTo(new Run(0,
                "cli/bin\thex:00ff0a\ncli/greeting\thello kernel\ncli/ünïcode\tgrüße ✓\n", ""));

        assertThat(kchan("delete", "cli/bin")).isEqualTo(new Run(0, "", ""));
        assertThat(kchan("list")).isEqualTo(new Run(0, "cli/greeting\thello kernel\ncli/ünïcode\tgrüße ✓\n", ""));

        assertThat(kchan("echo", "ping through kchan_netlink")).isEqualTo(new Run(0, "ping through kchan_netlink\n", ""));
        assertThat(kchan("--transport", "netlink", "echo", "--hex", "0001")).isEqualTo(new Run(0, "0001\n", ""));
    }

    @Test
    void aValueFromAFileComesBackByteForByte() throws IOException {
        byte[] value = new byte[3000];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) i;
        }
        Path file = Files.createTempFile("kchan-cli-value", ".bin");
        try {
            Files.write(file, value);

            assertThat(kchan("set", "cli/file", "--value-file", file.toString())).isEqualTo(new Run(0, "", ""));

            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            assertThat(kchan(raw, new ByteArrayOutputStream(), "get", "--raw", "cli/file").status()).isZero();
            assertThat(raw.toByteArray()).isEqualTo(value);
        } finally {
            Files.delete(file);
        }
    }

    /**
     * STATS through the SPI, then through the CLI with nothing in between: the store totals and
     * every counter are the same except netlink's requests, one more for the SPI's own STATS
     * (kchan_core counts a request once it is answered).
     */
    @Test
    void statsPrintsTheKernelsCountersExactly() {
        kchan("set", "cli/a", "12345");
        kchan("get", "cli/missing");
        StatsReply before;
        try (KernelChannel channel = openNetlink()) {
            before = StatsReply.from(channel.call(KchanRequests.stats()));
        }

        Run stats = kchan("stats");

        StringBuilder expected = new StringBuilder()
                .append("store.entries\t").append(before.storeEntries()).append('\n')
                .append("store.bytes\t").append(before.storeBytes()).append('\n');
        for (TransportStats t : before.transports()) {
            String name = t.transport().name().toLowerCase(Locale.ROOT);
            long requests = t.requests() + (t.transport() == TransportId.NETLINK ? 1 : 0);
            expected.append(name).append(".requests\t").append(requests).append('\n')
                    .append(name).append(".errors\t").append(t.errors()).append('\n')
                    .append(name).append(".events\t").append(t.events()).append('\n')
                    .append(name).append(".drops\t").append(t.drops()).append('\n');
        }
        assertThat(stats).isEqualTo(new Run(0, expected.toString(), ""));
        assertThat(before.storeEntries()).isEqualTo(1);
        assertThat(before.transport(TransportId.NETLINK).orElseThrow().errors()).as("the failed GET").isPositive();
    }

    /**
     * The line is the typed exception's own message, whatever detail the transport adds (netlink
     * adds where the blamed attribute starts), so the expected text comes from the SPI.
     */
    @Test
    void getAndDeleteOfAMissingKeyExitFourWithTheKernelsMessage() {
        NoSuchEntryException getError;
        NoSuchEntryException deleteError;
        try (KernelChannel channel = openNetlink()) {
            getError = catchThrowableOfType(NoSuchEntryException.class,
                    () -> channel.call(KchanRequests.get("cli/absent")));
            deleteError = catchThrowableOfType(NoSuchEntryException.class,
                    () -> channel.call(KchanRequests.delete("cli/absent")));
        }

        assertThat(kchan("get", "cli/absent")).isEqualTo(new Run(4, "", "kchan: " + getError.getMessage() + "\n"));
        assertThat(kchan("delete", "cli/absent")).isEqualTo(new Run(4, "", "kchan: " + deleteError.getMessage() + "\n"));
        assertThat(getError.getMessage()).startsWith("netlink: GET failed: ENOENT (2): key not found [attribute ");
        assertThat(deleteError.getMessage()).startsWith("netlink: DELETE failed: ENOENT (2): key not found [attribute ");
    }

    @Test
    void anUnknownTransportExitsTwoAndListsTheKnownOnes() {
        String known = String.join(", ", KernelTransports.discover().keySet());

        assertThat(kchan("--transport", "carrier-pigeon", "list")).isEqualTo(new Run(2, "",
                "kchan: unknown kernel transport 'carrier-pigeon' (kchannel.transport); known: " + known + "\n"));
        assertThat(known).contains("netlink");
    }

    @Test
    void withKchanNetlinkUnloadedTheTransportIsUnavailableExitThree() {
        GuestShell.Result removed = GuestShell.rmmod("kchan_netlink");
        assertThat(removed.ok()).as("rmmod kchan_netlink: %s", removed.output()).isTrue();
        try {
            assertThat(kchan("get", "cli/any")).isEqualTo(new Run(3, "",
                    "kchan: kernel transport 'netlink' is unavailable: kernel module kchan_netlink is not loaded"
                            + " (Generic Netlink family 'kchan' not found); load it with \"modprobe kchan_netlink\","
                            + " or \"insmod kchan_core.ko\" then \"insmod kchan_netlink.ko\"\n"));
        } finally {
            GuestShell.loadMissing(MODULES);
        }
        assertThat(kchan("echo", "back")).isEqualTo(new Run(0, "back\n", ""));
    }

    @Test
    void watchCountTwoSeesTheEventsOfTwoSetsMadeWhileItWatches() throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            SignallingOutput err = new SignallingOutput();
            Future<Run> watching = thread.submit(() -> kchan(new ByteArrayOutputStream(), err,
                    "watch", "--count", "2", "--timeout", CHILD_LIMIT_SECONDS + "s"));
            err.awaitText("kchan: watching events on netlink");

            assertThat(kchan("set", "cli/w1", "first")).isEqualTo(new Run(0, "", ""));
            assertThat(kchan("set", "cli/w2", "second value")).isEqualTo(new Run(0, "", ""));
            Run watch = watching.get();

            assertThat(watch.status()).as(watch.err()).isZero();
            List<String> lines = watch.out().lines().toList();
            assertThat(lines).hasSize(2);
            Matcher first = Pattern.compile("(\\d+)\tSTORE_SET\tcli/w1\tfirst").matcher(lines.get(0));
            assertThat(first.matches()).as(lines.get(0)).isTrue();
            long seq = Long.parseLong(first.group(1));
            assertThat(lines.get(1)).isEqualTo((seq + 1) + "\tSTORE_SET\tcli/w2\tsecond value");
            assertThat(watch.err()).isEqualTo("kchan: watching events on netlink, up to 2, for "
                    + CHILD_LIMIT_SECONDS * 1000 + " ms (Ctrl-C to stop)\n"
                    + "kchan: watch ended (count reached): 2 events, 0 lost\n");
        } finally {
            thread.shutdownNow();
        }
    }

    /**
     * SET as user nobody in a JVM of its own: the kernel's EPERM becomes exit status 1 and the
     * typed exception's message, as a shell script would see them.
     */
    @Test
    void aSetRefusedByTheKernelExitsOneInARealProcess() throws Exception {
        try (GuestShell.ReadableClasspath classpath = GuestShell.readableClasspath()) {
            List<String> command = AsNobody.command(classpath, Main.class, "set", "cli/nobody", "v");
            Path outFile = Files.createTempFile("kchan-cli-out", ".txt");
            Path errFile = Files.createTempFile("kchan-cli-err", ".txt");
            try {
                Process process = new ProcessBuilder(command)
                        .redirectOutput(outFile.toFile()).redirectError(errFile.toFile()).start();
                process.getOutputStream().close();
                assertThat(process.waitFor(CHILD_LIMIT_SECONDS, TimeUnit.SECONDS)).as("kchan as nobody finished").isTrue();

                assertThat(new Run(process.exitValue(), Files.readString(outFile), Files.readString(errFile)))
                        .isEqualTo(new Run(1, "", "kchan: netlink: SET failed: EPERM (1): Operation not permitted"
                        + " (the caller lacks a capability the kernel requires, CAP_NET_ADMIN for the kchan modules: run as root or grant the process that capability)\n"));
            } finally {
                Files.delete(outFile);
                Files.delete(errFile);
            }
        }
        assertThat(kchan("get", "cli/nobody").status()).as("nothing was stored").isEqualTo(4);
    }

    /**
     * SIGINT to a watch in a JVM of its own: it prints the event it saw, then closes the
     * subscription, prints its summary and exits 130. {@code env --default-signal=INT} makes sure
     * the child does not inherit an ignored SIGINT, which would keep the JVM from handling it.
     */
    @Test
    void ctrlCEndsAWatchCleanlyWithExitStatus130() throws Exception {
        Process watch = new ProcessBuilder("env", "--default-signal=INT", GuestShell.javaBinary(),
                "-Djava.io.tmpdir=/tmp", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "watch")
                .start();
        try {
            watch.getOutputStream().close();
            BufferedReader out = new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8));
            BufferedReader err = new BufferedReader(new InputStreamReader(watch.getErrorStream(), StandardCharsets.UTF_8));
            assertThat(err.readLine()).isEqualTo("kchan: watching events on netlink (Ctrl-C to stop)");

            assertThat(kchan("set", "cli/ctrl-c", "seen")).isEqualTo(new Run(0, "", ""));
            assertThat(out.readLine()).matches("\\d+\tSTORE_SET\tcli/ctrl-c\tseen");
            GuestShell.Result kill = GuestShell.run("kill", "-INT", Long.toString(watch.pid()));
            assertThat(kill.ok()).as("kill -INT: %s", kill.output()).isTrue();

            assertThat(watch.waitFor(CHILD_LIMIT_SECONDS, TimeUnit.SECONDS)).as("the watch ended on SIGINT").isTrue();
            assertThat(watch.exitValue()).isEqualTo(130);
            assertThat(err.readLine()).isEqualTo("kchan: watch ended (interrupted): 1 event, 0 lost");
            assertThat(err.readLine()).as("nothing after the summary").isNull();
            assertThat(out.readLine()).as("no event line after the one set").isNull();
        } finally {
            watch.destroyForcibly();
        }
    }

    /** Captured output a test thread can wait on, so it acts once the CLI printed a line. */
    private static final class SignallingOutput extends ByteArrayOutputStream {
        @Override
        public synchronized void write(int b) {
            super.write(b);
            notifyAll();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            super.write(b, off, len);
            notifyAll();
        }

        synchronized void awaitText(String text) throws InterruptedException {
            while (!toString(StandardCharsets.UTF_8).contains(text)) {
                wait();
            }
        }
    }
}
