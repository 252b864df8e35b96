// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import java.io.PrintStream;
import java.util.List;

/** {@code kchan help} and {@code kchan help COMMAND}, built from {@link CliCommand} and {@link CliOption}. */
final class HelpText {

    private static final List<CliOption> COMMON = List.of(
            CliOption.TRANSPORT, CliOption.CONFIG, CliOption.TIMEOUT, CliOption.HEX);

    private HelpText() {
    }

    /** The one-line general usage, shown after a usage error. */
    static String usageLine() {
        return "usage: kchan [OPTIONS] COMMAND [ARGS...]   (kchan help: commands, options, exit status)";
    }

    static void general(PrintStream out) {
        out.println("usage: kchan [OPTIONS] COMMAND [ARGS...]");
        out.println();
        out.println("Talks to the kchan kernel modules through a kchannel transport (netlink, procfs, ...).");
        out.println("Keys, values and payloads are bytes: printed as text when they are printable UTF-8,");
        out.println("else as hex:<digits>; --hex reads and writes them as hex digits.");
        out.println();
        out.println("commands:");
        for (CliCommand command : CliCommand.values()) {
            String name = command.commandName() + (command.arguments().isEmpty() ? "" : " " + command.arguments());
            out.printf("  %-20s %s%n", name, command.summary());
        }
        out.println();
        out.println("options (before or after the command; -- ends them):");
        for (CliOption option : COMMON) {
            out.printf("  %-20s %s%n", option.synopsis(), option.description());
        }
        out.println("  (and per command: kchan help COMMAND)");
        out.println();
        out.println("configuration: --transport, --timeout and --config override system properties,");
        out.println("then KCHANNEL_* environment variables, then the properties file (kchannel.config).");
        out.println();
        out.println("exit status:");
        out.println("  0    success");
        out.println("  1    the operation failed: the kernel refused it (errno and its message on stderr),");
        out.println("       no reply in time, or the transport cannot do it");
        out.println("  2    usage or configuration error: unknown command, option or transport, bad argument");
        out.println("  3    the transport is unavailable here (e.g. its kernel module is not loaded)");
        out.println("  4    no such key (ENOENT) for get or delete");
        out.println("  5    watch --count N --timeout D: fewer than N events within D");
        out.println("  130  interrupted (Ctrl-C)");
    }

    static void command(CliCommand command, PrintStream out) {
        out.println(command.usageLine());
        out.println();
        String summary = command.summary();
        out.println(Character.toUpperCase(summary.charAt(0)) + summary.substring(1) + ".");
        if (!command.details().isEmpty()) {
            out.println(command.details());
        }
        List<CliOption> options = command.options();
        if (!options.isEmpty()) {
            out.println();
            out.println("options:");
            for (CliOption option : options) {
                out.printf("  %-20s %s%n", option.synopsis(), option.description());
            }
        }
    }
}
