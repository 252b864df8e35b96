// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import static dev.kchannel.cli.CliOption.CONFIG;
import static dev.kchannel.cli.CliOption.COUNT;
import static dev.kchannel.cli.CliOption.HELP;
import static dev.kchannel.cli.CliOption.HEX;
import static dev.kchannel.cli.CliOption.RAW;
import static dev.kchannel.cli.CliOption.TIMEOUT;
import static dev.kchannel.cli.CliOption.TRANSPORT;
import static dev.kchannel.cli.CliOption.VALUE_FILE;
import static dev.kchannel.cli.CliOption.WATCH_TIMEOUT;

import java.util.List;
import java.util.Optional;

/**
 * The commands of {@code kchan}: their names, arguments, options and help text. What each one
 * does lives in {@link RequestCommands}, {@link WatchCommand}, {@link DemoCommand} and
 * {@link BatchCommand}; this enum is what the parser and the help text agree on.
 */
enum CliCommand {
    ECHO("echo", "TEXT", 0, 1, List.of(TRANSPORT, CONFIG, TIMEOUT, HEX, VALUE_FILE, RAW, HELP),
            "send TEXT to the kernel and print what comes back",
            "Prints the payload the kernel sent back, formatted like a value. TEXT may be empty; with\n"
                    + "--value-file the payload comes from a file instead."),
    SET("set", "KEY VALUE", 1, 2, List.of(TRANSPORT, CONFIG, TIMEOUT, HEX, VALUE_FILE, HELP),
            "store VALUE under KEY",
            "Prints nothing on success. KEY is 1 to 64 bytes, VALUE 0 to 65456 bytes; with --value-file\n"
                    + "only KEY is given."),
    GET("get", "KEY", 1, 1, List.of(TRANSPORT, CONFIG, TIMEOUT, HEX, RAW, HELP),
            "print the value stored under KEY",
            "Prints the value on one line. A key that is not stored exits 4 (ENOENT)."),
    DELETE("delete", "KEY", 1, 1, List.of(TRANSPORT, CONFIG, TIMEOUT, HEX, HELP),
            "remove KEY",
            "Prints nothing on success. A key that is not stored exits 4 (ENOENT)."),
    LIST("list", "", 0, 0, List.of(TRANSPORT, CONFIG, TIMEOUT, HEX, HELP),
            "print every key and its value, in key order",
            "One line per entry: KEY, a tab, VALUE. An empty store prints nothing."),
    STATS("stats", "", 0, 0, List.of(TRANSPORT, CONFIG, TIMEOUT, HELP),
            "print kchan_core's counters",
            "One line per counter: NAME, a tab, NUMBER. First store.entries and store.bytes, then for\n"
                    + "each transport the kernel counts (core, netlink, procfs, ...) NAME.requests,\n"
                    + "NAME.errors, NAME.events and NAME.drops."),
    WATCH("watch", "", 0, 0, List.of(TRANSPORT, CONFIG, HEX, COUNT, WATCH_TIMEOUT, HELP),
            "print kernel events as they arrive",
            "One line per event: SEQ, a tab, TYPE, then by type\n"
                    + "  STORE_SET     KEY, VALUE\n"
                    + "  STORE_DELETE  KEY\n"
                    + "  GENERATED     generator INDEX, payload BYTES\n"
                    + "  PACKET        a summary (icmp TYPE/CODE SRC > DST id ID seq SEQ) or the payload\n"
                    + "and one line \"lost N events\" for each gap the kernel's sequence numbers reveal.\n"
                    + "Ends after --count events (exit 0), after --timeout (exit 0, or 5 with --count\n"
                    + "when fewer events came), or on Ctrl-C (exit 130); the subscription is closed\n"
                    + "and a summary goes to standard error."),
    DEMO("demo", "", 0, 0, List.of(HELP),
            "show the kernel, the loaded kchan modules and a tour of every available transport",
            "What ./kchan demo runs inside the kernel lab."),
    BATCH("batch", "LINE...", 1, Integer.MAX_VALUE, List.of(HELP),
            "run several commands in one process, each LINE a whole command line",
            "Each LINE is split into words like a shell would (quotes, backslashes) and run as one\n"
                    + "kchan command; \"kchan> LINE\" goes to standard error first. Every line runs;\n"
                    + "the exit status is the first non-zero one. Ctrl-C stops the batch."),
    HELP_COMMAND("help", "[COMMAND]", 0, 1, List.of(HELP),
            "this text, or one command's",
            "");

    private final String name;
    private final String arguments;
    private final int minArguments;
    private final int maxArguments;
    private final List<CliOption> options;
    private final String summary;
    private final String details;

    CliCommand(String name, String arguments, int minArguments, int maxArguments, List<CliOption> options,
            String summary, String details) {
        this.name = name;
        this.arguments = arguments;
        this.minArguments = minArguments;
        this.maxArguments = maxArguments;
        this.options = options;
        this.summary = summary;
        this.details = details;
    }

    /** The command with this name, as typed. */
    static Optional<CliCommand> named(String name) {
        for (CliCommand command : values()) {
            if (command.name.equals(name)) {
                return Optional.of(command);
            }
        }
        return Optional.empty();
    }

    String commandName() {
        return name;
    }

    /** The arguments as help shows them, such as {@code KEY VALUE}; empty for none. */
    String arguments() {
        return arguments;
    }

    int minArguments() {
        return minArguments;
    }

    int maxArguments() {
        return maxArguments;
    }

    /** The options this command takes, in help order. */
    List<CliOption> options() {
        return options;
    }

    /** The option written as {@code flag} for this command, if it takes one. */
    Optional<CliOption> option(String flag) {
        return options.stream().filter(option -> option.flag().equals(flag)).findFirst();
    }

    String summary() {
        return summary;
    }

    /** More about the command and its output, for {@code kchan help COMMAND}; may be empty. */
    String details() {
        return details;
    }

    /** {@code kchan [OPTIONS] set KEY VALUE}. */
    String usageLine() {
        StringBuilder line = new StringBuilder("usage: kchan");
        if (options.size() > 1) {
            line.append(" [OPTIONS]");
        }
        line.append(' ').append(name);
        if (!arguments.isEmpty()) {
            line.append(' ').append(arguments);
        }
        return line.toString();
    }
}
