// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArgumentParserTest {

    private static Invocation parse(String... args) {
        return ArgumentParser.parse(List.of(args));
    }

    private static void assertUsageError(String message, CliCommand command, String... args) {
        assertThatThrownBy(() -> parse(args))
                .isInstanceOfSatisfying(UsageException.class, e -> {
                    assertThat(e.getMessage()).isEqualTo(message);
                    assertThat(e.command()).isEqualTo(java.util.Optional.ofNullable(command));
                });
    }

    @Test
    void optionsMayComeBeforeOrAfterTheCommand() {
        Invocation before = parse("--transport", "procfs", "--hex", "get", "6b");
        Invocation after = parse("get", "6b", "--hex", "--transport=procfs");

        assertThat(before).isEqualTo(after);
        assertThat(before.command()).isEqualTo(CliCommand.GET);
        assertThat(before.arguments()).containsExactly("6b");
        assertThat(before.options()).isEqualTo(Map.of(CliOption.TRANSPORT, "procfs", CliOption.HEX, ""));
    }

    @Test
    void doubleDashEndsOptionsSoValuesMayStartWithADash() {
        Invocation set = parse("set", "--", "-k", "--hex");

        assertThat(set.arguments()).containsExactly("-k", "--hex");
        assertThat(set.options()).isEmpty();
    }

    @Test
    void aNegativeLookingValueWithoutDoubleDashGetsAHint() {
        assertUsageError("unknown option '-5' (put -- before a KEY or VALUE that starts with -)", CliCommand.SET,
                "set", "k", "-5");
    }

    @Test
    void timeoutMeansTheWatchDurationForWatchAndTheCallTimeoutElsewhere() {
        assertThat(parse("--timeout", "2s", "watch").options()).containsOnlyKeys(CliOption.WATCH_TIMEOUT);
        assertThat(parse("get", "k", "--timeout", "2s").options()).containsOnlyKeys(CliOption.TIMEOUT);
    }

    @Test
    void unknownCommandAndMissingCommand() {
        assertUsageError("unknown command 'frobnicate'", null, "frobnicate");
        assertUsageError("no command given", null);
        assertUsageError("no command given", null, "--hex");
    }

    @Test
    void unknownOptionOptionOfAnotherCommandAndRepeatedOption() {
        assertUsageError("unknown option '--colour'", CliCommand.LIST, "list", "--colour");
        assertUsageError("--count is not an option of get", CliCommand.GET, "get", "k", "--count", "3");
        assertUsageError("--hex is given twice", CliCommand.GET, "--hex", "get", "k", "--hex");
    }

    @Test
    void optionValuesMustBeThereAndFlagsTakeNone() {
        assertUsageError("--transport needs a value (--transport NAME)", CliCommand.GET, "get", "k", "--transport");
        assertUsageError("--hex takes no value, got '--hex=1'", CliCommand.GET, "get", "--hex=1", "k");
    }

    @Test
    void argumentCounts() {
        assertUsageError("get needs KEY", CliCommand.GET, "get");
        assertUsageError("get takes KEY, got 2 arguments", CliCommand.GET, "get", "a", "b");
        assertUsageError("list takes no arguments, got 'x'", CliCommand.LIST, "list", "x");
        assertUsageError("set needs KEY and VALUE (or KEY and --value-file FILE)", CliCommand.SET, "set", "k");
        assertUsageError("set takes KEY and VALUE, got 3 arguments (quote a VALUE with spaces)", CliCommand.SET,
                "set", "k", "two", "words");
        assertUsageError("set with --value-file takes only KEY, got 2 arguments", CliCommand.SET,
                "set", "k", "v", "--value-file", "f");
        assertUsageError("echo needs TEXT (or --value-file FILE)", CliCommand.ECHO, "echo");
        assertUsageError("echo takes TEXT or --value-file, not both", CliCommand.ECHO, "echo", "x", "--value-file", "f");
        assertUsageError("batch needs LINE...", CliCommand.BATCH, "batch");
    }

    @Test
    void rawAndHexExcludeEachOther() {
        assertUsageError("--raw and --hex do not go together: --raw writes the bytes as they are", CliCommand.GET,
                "get", "k", "--raw", "--hex");
    }

    @Test
    void helpAnywhereAsksForTheCommandsHelpEvenWithMissingArguments() {
        assertThat(parse("set", "--help")).isEqualTo(new Invocation(CliCommand.HELP_COMMAND, List.of("set"), Map.of()));
        assertThat(parse("-h", "watch", "--count")).isEqualTo(
                new Invocation(CliCommand.HELP_COMMAND, List.of("watch"), Map.of()));
        assertThat(parse("--help")).isEqualTo(new Invocation(CliCommand.HELP_COMMAND, List.of(), Map.of()));
        assertUsageError("unknown command 'nope'", null, "nope", "--help");
    }
}
