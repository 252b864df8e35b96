// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns {@code kchan}'s arguments into an {@link Invocation}, or a {@link UsageException} that
 * says exactly what is wrong.
 *
 * <p>Rules: the first word that is not an option is the command, the words after it are its
 * arguments. Options may come before or after the command ({@code kchan --hex get 6b} and
 * {@code kchan get 6b --hex} are the same), as {@code --name VALUE} or {@code --name=VALUE}; each
 * at most once. A word starting with {@code -} is an option, so a KEY or VALUE that starts with
 * {@code -} goes after {@code --}, which ends the options. {@code -h} and {@code --help} anywhere
 * ask for help and win over every other problem except an unknown command.
 */
final class ArgumentParser {

    private ArgumentParser() {
    }

    /** A flag as written, with its value when it has one; checked once the command is known. */
    private record RawOption(String flag, String value) {
    }

    static Invocation parse(List<String> args) {
        String commandName = null;
        List<String> arguments = new ArrayList<>();
        List<RawOption> raw = new ArrayList<>();
        // The first malformed option, reported only if no help was asked for.
        String optionProblem = null;
        boolean help = false;
        boolean optionsEnded = false;
        for (int i = 0; i < args.size(); i++) {
            String word = args.get(i);
            if (optionsEnded || !word.startsWith("-") || word.equals("-")) {
                if (commandName == null) {
                    commandName = word;
                } else {
                    arguments.add(word);
                }
                continue;
            }
            if (word.equals("--")) {
                optionsEnded = true;
                continue;
            }
            int equals = word.indexOf('=');
            String flag = equals < 0 ? word : word.substring(0, equals);
            if (word.equals("-h") || word.equals(CliOption.HELP.flag())) {
                help = true;
                continue;
            }
            Optional<CliOption> known = anyOptionNamed(flag);
            String problem = null;
            String value = null;
            if (known.isEmpty()) {
                problem = "unknown option '" + word + "'" + (word.length() > 1 && Character.isDigit(word.charAt(1))
                        ? " (put -- before a KEY or VALUE that starts with -)" : "");
            } else if (known.get().takesValue()) {
                if (equals >= 0) {
                    value = word.substring(equals + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    problem = flag + " needs a value (" + known.get().synopsis() + ")";
                }
            } else if (equals >= 0) {
                problem = flag + " takes no value, got '" + word + "'";
            }
            if (problem == null) {
                raw.add(new RawOption(flag, value));
            } else if (optionProblem == null) {
                optionProblem = problem;
            }
        }
        if (commandName == null) {
            if (help) {
                return new Invocation(CliCommand.HELP_COMMAND, List.of(), Map.of());
            }
            throw new UsageException(optionProblem != null ? optionProblem : "no command given");
        }
        String name = commandName;
        CliCommand command = CliCommand.named(name)
                .orElseThrow(() -> new UsageException("unknown command '" + name + "'"));
        if (help) {
            return new Invocation(CliCommand.HELP_COMMAND, List.of(command.commandName()), Map.of());
        }
        if (optionProblem != null) {
            throw new UsageException(optionProblem, command);
        }
        Map<CliOption, String> options = new EnumMap<>(CliOption.class);
        for (RawOption option : raw) {
            CliOption resolved = command.option(option.flag()).orElseThrow(() -> new UsageException(
                    option.flag() + " is not an option of " + command.commandName(), command));
            if (options.containsKey(resolved)) {
                throw new UsageException(option.flag() + " is given twice", command);
            }
            options.put(resolved, option.value() == null ? "" : option.value());
        }
        Invocation invocation = new Invocation(command, arguments, options);
        checkArguments(invocation);
        return invocation;
    }

    private static Optional<CliOption> anyOptionNamed(String flag) {
        for (CliOption option : CliOption.values()) {
            if (option.flag().equals(flag)) {
                return Optional.of(option);
            }
        }
        return Optional.empty();
    }

    /** Arity, and the rules that tie arguments and options together. */
    private static void checkArguments(Invocation invocation) {
        CliCommand command = invocation.command();
        int count = invocation.arguments().size();
        boolean valueFile = invocation.has(CliOption.VALUE_FILE);
        switch (command) {
            case SET:
                if (valueFile && count != 1) {
                    throw invocation.usageError("set with --value-file takes only KEY, got " + count + " arguments");
                }
                if (!valueFile && count != 2) {
                    throw invocation.usageError(count < 2
                            ? "set needs KEY and VALUE (or KEY and --value-file FILE)"
                            : "set takes KEY and VALUE, got " + count + " arguments (quote a VALUE with spaces)");
                }
                break;
            case ECHO:
                if (valueFile && count != 0) {
                    throw invocation.usageError("echo takes TEXT or --value-file, not both");
                }
                if (!valueFile && count != 1) {
                    throw invocation.usageError(count == 0
                            ? "echo needs TEXT (or --value-file FILE)"
                            : "echo takes one TEXT, got " + count + " arguments (quote TEXT with spaces)");
                }
                break;
            default:
                if (count < command.minArguments()) {
                    throw invocation.usageError(command.commandName() + " needs " + command.arguments());
                }
                if (count > command.maxArguments()) {
                    throw invocation.usageError(command.maxArguments() == 0
                            ? command.commandName() + " takes no arguments, got '" + invocation.argument(0) + "'"
                            : command.commandName() + " takes " + command.arguments() + ", got " + count + " arguments");
                }
        }
        if (invocation.has(CliOption.RAW) && invocation.has(CliOption.HEX)) {
            throw invocation.usageError("--raw and --hex do not go together: --raw writes the bytes as they are");
        }
    }
}
