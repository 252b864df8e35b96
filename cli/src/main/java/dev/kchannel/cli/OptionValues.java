// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.ConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * The typed values of an {@link Invocation}'s options and arguments; every bad value is a
 * {@link UsageException} naming the option and what would have been accepted.
 */
final class OptionValues {

    private final Invocation invocation;
    private final Supplier<InputStream> stdin;

    OptionValues(Invocation invocation, Supplier<InputStream> stdin) {
        this.invocation = invocation;
        this.stdin = stdin;
    }

    boolean hex() {
        return invocation.has(CliOption.HEX);
    }

    boolean raw() {
        return invocation.has(CliOption.RAW);
    }

    /** The call timeout ({@code --timeout}), if given. */
    Optional<Duration> callTimeout() {
        return invocation.value(CliOption.TIMEOUT).map(text -> duration(CliOption.TIMEOUT, text));
    }

    /** How long to watch ({@code watch --timeout}), if given. */
    Optional<Duration> watchTimeout() {
        return invocation.value(CliOption.WATCH_TIMEOUT).map(text -> duration(CliOption.WATCH_TIMEOUT, text));
    }

    /** {@code --count N}: a whole number of at least 1. */
    OptionalLong count() {
        Optional<String> text = invocation.value(CliOption.COUNT);
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        long count;
        try {
            count = Long.parseLong(text.get().trim());
        } catch (NumberFormatException e) {
            throw invocation.usageError("--count '" + text.get() + "' is not a whole number");
        }
        if (count < 1) {
            throw invocation.usageError("--count must be at least 1, got " + count);
        }
        return OptionalLong.of(count);
    }

    /** {@code --config FILE}, checked to be a readable file. */
    Optional<Path> configFile() {
        return invocation.value(CliOption.CONFIG).map(name -> {
            Path path = path(CliOption.CONFIG, name);
            if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                throw invocation.usageError("--config " + name + ": not a readable file");
            }
            return path;
        });
    }

    /** {@code --transport NAME}, if given. */
    Optional<String> transport() {
        return invocation.value(CliOption.TRANSPORT).map(name -> {
            if (name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
                throw invocation.usageError("--transport '" + name + "' is not a transport name");
            }
            return name;
        });
    }

    /** Positional argument {@code index} as bytes ({@link ByteText#parse}), named {@code what} in errors. */
    byte[] bytesArgument(int index, String what) {
        try {
            return ByteText.parse(invocation.argument(index), hex(), what);
        } catch (UsageException e) {
            throw invocation.usageError(e.getMessage());
        }
    }

    /**
     * The bytes of {@code --value-file}: the whole file, or standard input for {@code -}. At most
     * {@code limit} bytes are read, so a huge file fails fast instead of filling the heap.
     *
     * @param what how errors name the bytes, such as {@code VALUE}
     */
    byte[] valueFile(int limit, String what) {
        String name = invocation.value(CliOption.VALUE_FILE).orElseThrow();
        byte[] bytes;
        if (name.equals("-")) {
            bytes = readAtMost(stdin.get(), limit, "standard input");
        } else {
            Path path = path(CliOption.VALUE_FILE, name);
            try (InputStream in = Files.newInputStream(path)) {
                bytes = readAtMost(in, limit, name);
            } catch (NoSuchFileException e) {
                throw invocation.usageError("--value-file " + name + ": no such file");
            } catch (IOException e) {
                throw invocation.usageError("--value-file " + name + ": cannot read it: " + e.getMessage());
            }
        }
        if (bytes.length > limit) {
            throw invocation.usageError("--value-file " + name + ": more than " + limit + " bytes; a " + what
                    + " holds at most " + limit);
        }
        return bytes;
    }

    private byte[] readAtMost(InputStream in, int limit, String name) {
        try {
            return in.readNBytes(limit + 1);
        } catch (IOException e) {
            throw invocation.usageError("--value-file: cannot read " + name + ": " + e.getMessage());
        }
    }

    private Path path(CliOption option, String name) {
        try {
            return Path.of(name);
        } catch (InvalidPathException e) {
            throw invocation.usageError(option.flag() + " '" + name + "' is not a path: " + e.getReason());
        }
    }

    /**
     * Reads a duration as kchannel's configuration does (500ms, 5s, 2m, PT5S), through the config
     * itself, so the CLI and the properties file accept the same forms.
     */
    private Duration duration(CliOption option, String text) {
        try {
            return KchannelConfig.builder().set(KchannelConfig.CALL_TIMEOUT, text).build().callTimeout();
        } catch (ConfigurationException e) {
            throw invocation.usageError(option.flag() + " '" + text + "' is not a positive duration such as 500ms, 5s, 2m or PT5S");
        }
    }
}
