// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The general parts of the command line: usage errors, help and batch. */
class MainTest {

    private final CliHarness cli = CliHarness.withNetlink();

    @Test
    void unknownCommandExitsTwoWithTheUsage() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = Main.run(List.of("frobnicate"), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("kchan: unknown command 'frobnicate'\n"
                + "usage: kchan [OPTIONS] COMMAND [ARGS...]   (kchan help: commands, options, exit status)\n");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void helpListsEveryCommandAndEveryExitStatus() {
        CliHarness.Result help = cli.run("help");

        assertThat(help.status()).isZero();
        for (CliCommand command : CliCommand.values()) {
            assertThat(help.out()).contains("\n  " + command.commandName());
        }
        assertThat(help.out()).contains("\n  0    success", "\n  1    ", "\n  2    ", "\n  3    ", "\n  4    ",
                "\n  5    ", "\n  130  ");
    }

    @Test
    void eachCommandsHelpShowsItsUsageLineAndEveryOptionItTakes() {
        for (CliCommand command : CliCommand.values()) {
            CliHarness.Result help = cli.run(command.commandName(), "--help");

            assertThat(help.status()).isZero();
            assertThat(help.out()).startsWith(command.usageLine() + "\n");
            for (CliOption option : command.options()) {
                assertThat(help.out()).contains("  " + option.synopsis() + " ");
            }
        }
        assertThat(cli.run("help", "set").out()).isEqualTo(cli.run("set", "-h").out());
    }

    @Test
    void helpForAnUnknownCommandIsAUsageError() {
        assertThat(cli.run("help", "nope")).isEqualTo(new CliHarness.Result(2, "",
                "kchan: no such command 'nope'\nusage: kchan help [COMMAND]\n"));
    }

    @Test
    void batchRunsEveryLineAndExitsWithTheFirstFailure() {
        CliHarness.Result result = cli.run("batch", "set 'my key' 'a value'", "get 'my key'", "get nothing",
                "frob", "list");

        assertThat(result.status()).isEqualTo(4);
        assertThat(result.out()).isEqualTo("a value\nmy key\ta value\n");
        assertThat(result.err()).isEqualTo("kchan> set 'my key' 'a value'\n"
                + "kchan> get 'my key'\n"
                + "kchan> get nothing\n"
                + "kchan: netlink: GET failed: ENOENT (2): key not found [attribute KEY]\n"
                + "kchan> frob\n"
                + "kchan: unknown command 'frob'\n"
                + "usage: kchan [OPTIONS] COMMAND [ARGS...]   (kchan help: commands, options, exit status)\n"
                + "kchan> list\n");
    }

    @Test
    void batchRefusesBadLinesAndNesting() {
        CliHarness.Result result = cli.run("batch", "batch list", "get 'open", "   ");

        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("kchan> batch list\n"
                + "kchan: batch cannot run inside batch\n"
                + "usage: kchan batch LINE...\n"
                + "kchan> get 'open\n"
                + "kchan: unterminated ' in: get 'open\n"
                + "kchan>    \n"
                + "kchan: an empty line is not a command\n");
    }

    @Test
    void aStopEndsTheBatchBeforeTheNextLine() {
        cli.stop.request();

        CliHarness.Result result = cli.run("batch", "list");

        assertThat(result).isEqualTo(new CliHarness.Result(130, "", ""));
    }
}
