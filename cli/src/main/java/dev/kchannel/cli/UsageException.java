// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import java.util.Optional;

/**
 * The command line is wrong: an unknown command or option, a missing or extra argument, a value
 * that does not parse. {@code kchan} prints the message and the usage line of the command (or the
 * general usage when no command was recognised) and exits {@link ExitStatus#USAGE}.
 */
final class UsageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient CliCommand command;

    /** A problem with the command line as a whole, before a command was recognised. */
    UsageException(String message) {
        this(message, null);
    }

    /** A problem with the arguments or options of {@code command}. */
    UsageException(String message, CliCommand command) {
        super(message);
        this.command = command;
    }

    /** The command whose usage line to show; empty for the general usage. */
    Optional<CliCommand> command() {
        return Optional.ofNullable(command);
    }
}
