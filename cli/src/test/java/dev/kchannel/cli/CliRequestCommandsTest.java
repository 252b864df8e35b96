// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kchannel.api.Availability;
import dev.kchannel.api.Capability;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.KchanProtocol;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** echo, set, get, delete, list and stats against a fake kernel: exact output and exit status. */
class CliRequestCommandsTest {

    private final CliHarness cli = CliHarness.withNetlink();

    @Test
    void setGetListDeleteRoundTrip() {
        assertThat(cli.run("set", "greeting", "hello world")).isEqualTo(new CliHarness.Result(0, "", ""));
        assertThat(cli.run("set", "answer", "42")).isEqualTo(new CliHarness.Result(0, "", ""));

        assertThat(cli.run("get", "greeting")).isEqualTo(new CliHarness.Result(0, "hello world\n", ""));
        assertThat(cli.run("list")).isEqualTo(new CliHarness.Result(0, "answer\t42\ngreeting\thello world\n", ""));

        assertThat(cli.run("delete", "answer")).isEqualTo(new CliHarness.Result(0, "", ""));
        assertThat(cli.run("list")).isEqualTo(new CliHarness.Result(0, "greeting\thello world\n", ""));
        assertThat(cli.transport("netlink").opened).allSatisfy(channel -> assertThat(channel.isOpen()).isFalse());
    }

    @Test
    void echoPrintsWhatTheKernelSentBack() {
        assertThat(cli.run("echo", "héllo, kernel")).isEqualTo(new CliHarness.Result(0, "héllo, kernel\n", ""));
        assertThat(cli.run("echo", "")).isEqualTo(new CliHarness.Result(0, "\n", ""));
    }

    @Test
    void listPrintsEveryPartOfAPagedDumpInKeyOrder() {
        for (String key : new String[] {"e", "b", "d", "a", "c"}) {
            cli.run("set", key, key.toUpperCase());
        }

        assertThat(cli.run("list").out()).isEqualTo("a\tA\nb\tB\nc\tC\nd\tD\ne\tE\n");
    }

    @Test
    void listOnATransportWithoutDumpPagesByCursorWithCalls() {
        FakeTransport noDump = cli.add(new FakeTransport("procfs", cli.kernel, Availability.available(),
                Capability.REQUEST_REPLY));
        for (String key : new String[] {"k1", "k2", "k3", "k4", "k5"}) {
            cli.run("set", key, "v");
        }

        assertThat(cli.run("--transport", "procfs", "list").out()).isEqualTo("k1\tv\nk2\tv\nk3\tv\nk4\tv\nk5\tv\n");
        assertThat(noDump.opened).hasSize(1);
    }

    @Test
    void anEmptyStoreListsNothing() {
        assertThat(cli.run("list")).isEqualTo(new CliHarness.Result(0, "", ""));
    }

    @Test
    void binaryValuesPrintAsHexAndHexInputRoundTrips() {
        assertThat(cli.run("--hex", "set", "6b6579", "00ff0a").status()).isZero();

        assertThat(cli.run("get", "key").out()).isEqualTo("hex:00ff0a\n");
        assertThat(cli.run("get", "--hex", "hex:6B6579").out()).isEqualTo("00ff0a\n");
        assertThat(cli.run("list").out()).isEqualTo("key\thex:00ff0a\n");
        assertThat(cli.run("list", "--hex").out()).isEqualTo("6b6579\t00ff0a\n");
    }

    @Test
    void rawWritesTheBytesAsTheyAre() {
        cli.kernel.put("bin".getBytes(StandardCharsets.UTF_8), new byte[] {0, 1, 2, (byte) 0xff});

        ByteArrayOutputStream out = new ByteArrayOutputStream();

        assertThat(cli.run(out, new ByteArrayOutputStream(), "get", "--raw", "bin").status()).isZero();

        assertThat(out.toByteArray()).containsExactly(0, 1, 2, 0xff);
    }

    @Test
    void valueFileSetsTheFileBytes(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("value.bin");
        Files.write(file, new byte[] {(byte) 0xde, (byte) 0xad, 0x0a});

        assertThat(cli.run("set", "blob", "--value-file", file.toString()).status()).isZero();

        assertThat(cli.run("get", "blob").out()).isEqualTo("hex:dead0a\n");
    }

    @Test
    void valueFileDashReadsStandardInput() {
        cli.stdin = "from stdin".getBytes(StandardCharsets.UTF_8);

        assertThat(cli.run("set", "k", "--value-file", "-").status()).isZero();
        cli.stdin = "echoed".getBytes(StandardCharsets.UTF_8);
        assertThat(cli.run("echo", "--value-file=-").out()).isEqualTo("echoed\n");

        assertThat(cli.run("get", "k").out()).isEqualTo("from stdin\n");
    }

    @Test
    void aValueFileLargerThanAValueIsRefusedBeforeAnythingIsOpened(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("big");
        Files.write(file, new byte[KchanProtocol.VALUE_MAX + 1]);

        CliHarness.Result result = cli.run("set", "k", "--value-file", file.toString());

        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("kchan: --value-file " + file + ": more than 65456 bytes; a value holds at most 65456\n"
                + "usage: kchan [OPTIONS] set KEY VALUE\n");
        assertThat(cli.transport("netlink").opened).isEmpty();
    }

    @Test
    void aMissingValueFileIsAUsageError() {
        CliHarness.Result result = cli.run("set", "k", "--value-file", "/nonexistent/kchan-value");

        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).startsWith("kchan: --value-file /nonexistent/kchan-value: no such file\n");
    }

    @Test
    void getOfAMissingKeyExitsFourWithTheKernelsMessage() {
        CliHarness.Result result = cli.run("get", "absent");

        assertThat(result).isEqualTo(new CliHarness.Result(4, "",
                "kchan: netlink: GET failed: ENOENT (2): key not found [attribute KEY]\n"));
        assertThat(cli.run("delete", "absent").status()).isEqualTo(4);
    }

    @Test
    void aKernelRefusalExitsOneWithErrnoExtendedAckAndAttribute() {
        cli.kernel.refuseNext(Command.SET, Errno.EPERM, "SET needs CAP_NET_ADMIN", KchanProtocol.ATTR_KEY);

        CliHarness.Result result = cli.run("set", "k", "v");

        assertThat(result).isEqualTo(new CliHarness.Result(1, "",
                "kchan: netlink: SET failed: EPERM (1): SET needs CAP_NET_ADMIN [attribute KEY]"
                        + " (the caller lacks a capability the kernel requires, CAP_NET_ADMIN for the kchan modules: run as root or grant the process that capability)\n"));
    }

    /** The fake, like kchan_core, counts a request once it is answered, so STATS does not see itself. */
    @Test
    void statsPrintsStoreTotalsThenEachTransportsCounters() {
        cli.run("set", "ab", "cde");
        cli.run("get", "missing");

        assertThat(cli.run("stats")).isEqualTo(new CliHarness.Result(0,
                "store.entries\t1\n"
                        + "store.bytes\t5\n"
                        + "netlink.requests\t2\n"
                        + "netlink.errors\t1\n"
                        + "netlink.events\t0\n"
                        + "netlink.drops\t0\n", ""));
    }

    @Test
    void aKeyOverSixtyFourBytesIsAUsageErrorAndNothingIsOpened() {
        CliHarness.Result result = cli.run("set", "k".repeat(65), "v");

        assertThat(result).isEqualTo(new CliHarness.Result(2, "",
                "kchan: KEY is 65 bytes; it must be 1..64 bytes\nusage: kchan [OPTIONS] set KEY VALUE\n"));
        assertThat(cli.transport("netlink").opened).isEmpty();
    }

    @Test
    void badHexIsAUsageErrorBeforeTheTransportIsAsked() {
        cli.transports.clear();

        CliHarness.Result result = cli.run("--hex", "get", "zz");

        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("kchan: KEY 'zz' is not hex: use two digits 0-9, a-f per byte\n"
                + "usage: kchan [OPTIONS] get KEY\n");
    }

    @Test
    void theTimeoutOptionBecomesTheChannelsCallTimeout() {
        cli.run("--timeout", "750ms", "list");
        assertThat(cli.transport("netlink").lastOpened().callTimeout()).isEqualTo(Duration.ofMillis(750));

        cli.environment.put("KCHANNEL_CALL_TIMEOUT", "3s");
        cli.run("list");
        assertThat(cli.transport("netlink").lastOpened().callTimeout()).isEqualTo(Duration.ofSeconds(3));
    }
}
