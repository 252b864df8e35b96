// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * {@code kchan batch LINE...}: several commands in one process, which saves a JVM start per
 * command (seconds each in the kernel lab's emulated guest); {@code ./kchan lab-cli} uses it to
 * run several commands in one boot. Each line runs, even after one fails; the exit status is the
 * first non-zero one. A batch inside a batch is refused, and a Ctrl-C ends the batch.
 */
final class BatchCommand {

    private final ToIntFunction<List<String>> runCommand;
    private final StopSignal stop;
    private final PrintStream err;

    /**
     * @param runCommand runs one command line and returns its exit status, reporting its own errors
     *     and refusing a nested batch
     */
    BatchCommand(ToIntFunction<List<String>> runCommand, StopSignal stop, PrintStream err) {
        this.runCommand = runCommand;
        this.stop = stop;
        this.err = err;
    }

    int run(List<String> lines) {
        int status = ExitStatus.OK;
        for (String line : lines) {
            if (stop.isRequested()) {
                return ExitStatus.INTERRUPTED;
            }
            err.println("kchan> " + line);
            int lineStatus = runLine(line);
            if (status == ExitStatus.OK) {
                status = lineStatus;
            }
        }
        return status;
    }

    private int runLine(String line) {
        List<String> words;
        try {
            words = WordSplitter.split(line);
        } catch (UsageException e) {
            err.println("kchan: " + e.getMessage());
            return ExitStatus.USAGE;
        }
        if (words.isEmpty()) {
            err.println("kchan: an empty line is not a command");
            return ExitStatus.USAGE;
        }
        return runCommand.applyAsInt(words);
    }
}
