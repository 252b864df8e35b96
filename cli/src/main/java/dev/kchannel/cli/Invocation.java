// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One parsed command line: the command, its positional arguments and the options given, each
 * already checked to be one the command takes. Values are kept as typed; {@link OptionValues}
 * turns them into durations, counts and bytes.
 *
 * @param command what to run
 * @param arguments the positional arguments, in order
 * @param options each option given, with its value ({@code ""} for a flag)
 */
record Invocation(CliCommand command, List<String> arguments, Map<CliOption, String> options) {

    Invocation {
        arguments = List.copyOf(arguments);
        options = options.isEmpty() ? Map.of() : new EnumMap<>(options);
    }

    boolean has(CliOption option) {
        return options.containsKey(option);
    }

    Optional<String> value(CliOption option) {
        return Optional.ofNullable(options.get(option));
    }

    String argument(int index) {
        return arguments.get(index);
    }

    /** A usage error about this command. */
    UsageException usageError(String message) {
        return new UsageException(message, command);
    }
}
