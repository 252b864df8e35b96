// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * {@code kchan}, the command-line client: echo, set, get, delete, list, stats and watch through
 * any kchannel transport, plus the demo the kernel lab runs ({@code kchan help} lists them). The
 * root {@code ./kchan} script runs it on this machine's JVM, or inside the kernel lab's guest.
 */
public final class Main {

    /** How long a Ctrl-C waits for a running watch to close its subscription and print its summary. */
    private static final Duration CLEANUP_ON_CTRL_C = Duration.ofSeconds(10);

    private Main() {
    }

    /** Runs the command and exits with its status ({@code kchan help} lists them). */
    public static void main(String[] args) {
        // Keys and values are printed as UTF-8 whatever the locale says, so output is the same
        // everywhere and text round-trips through the command line.
        PrintStream out = utf8(FileDescriptor.out);
        PrintStream err = utf8(FileDescriptor.err);
        StopSignal stop = new StopSignal();
        Runtime.getRuntime().addShutdownHook(
                new Thread(() -> stop.requestAndAwaitCleanup(CLEANUP_ON_CTRL_C), "kchan-ctrl-c"));
        int status = new Cli(CliEnvironment.system(stop), out, err).run(Arrays.asList(args));
        out.flush();
        err.flush();
        System.exit(status);
    }

    /**
     * Runs one command as {@link #main} would, with this process's configuration and transports,
     * but writes to {@code out} and {@code err} and returns the exit status instead of exiting.
     * For embedding and in-process tests; Ctrl-C is not wired up, so a watch ends only by its
     * {@code --count} or {@code --timeout}.
     */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        return new Cli(CliEnvironment.system(new StopSignal()), out, err).run(args);
    }

    private static PrintStream utf8(FileDescriptor fd) {
        return new PrintStream(new BufferedOutputStream(new FileOutputStream(fd)), true, StandardCharsets.UTF_8);
    }
}
