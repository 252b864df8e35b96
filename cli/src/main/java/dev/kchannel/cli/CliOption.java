// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import java.util.Optional;

/** The options {@code kchan} knows; which command takes which is up to {@link CliCommand}. */
enum CliOption {
    TRANSPORT("--transport", "NAME", "the transport to use (default: kchannel.transport from the configuration, else netlink)"),
    CONFIG("--config", "FILE", "read configuration from this properties file (as kchannel.config)"),
    TIMEOUT("--timeout", "DURATION", "how long to wait for each reply, e.g. 500ms, 5s, PT2M (default: kchannel.call-timeout, 5s)"),
    HEX("--hex", null, "keys, values and text are hex digits, on the command line and in the output"),
    VALUE_FILE("--value-file", "FILE", "read the value (or echo payload) from FILE as raw bytes; - for standard input"),
    RAW("--raw", null, "write the bytes exactly as received, with no newline"),
    COUNT("--count", "N", "stop after N events"),
    WATCH_TIMEOUT("--timeout", "DURATION", "stop after this long (default: until --count events or Ctrl-C)"),
    HELP("--help", null, "this command's help (also -h)");

    private final String flag;
    private final String valueName;
    private final String description;

    CliOption(String flag, String valueName, String description) {
        this.flag = flag;
        this.valueName = valueName;
        this.description = description;
    }

    /** How it is written on the command line, such as {@code --transport}. */
    String flag() {
        return flag;
    }

    /** The name of its value in help text, such as {@code NAME}; empty for a flag without value. */
    Optional<String> valueName() {
        return Optional.ofNullable(valueName);
    }

    boolean takesValue() {
        return valueName != null;
    }

    String description() {
        return description;
    }

    /** {@code --transport NAME}, or {@code --hex}. */
    String synopsis() {
        return takesValue() ? flag + " " + valueName : flag;
    }
}
