// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.error.FieldLimitException;
import dev.kchannel.api.error.KchannelException;
import java.io.PrintStream;
import java.util.List;

/**
 * One {@code kchan} run: parses the arguments, runs the command, and turns every failure into one
 * line on standard error and an {@link ExitStatus}. Standard output carries only what the command
 * prints on success, so scripts can read it without filtering.
 *
 * <p>Failure lines start with {@code kchan: } followed by the typed exception's own message,
 * which names the transport, the operation, the errno, the kernel's extended-ack text and the
 * blamed attribute: {@code kchan: netlink: SET failed: EPERM (1): ... [attribute KEY]}.
 */
final class Cli {

    private final CliEnvironment environment;
    private final PrintStream out;
    private final PrintStream err;

    Cli(CliEnvironment environment, PrintStream out, PrintStream err) {
        this.environment = environment;
        this.out = out;
        this.err = err;
    }

    /** Runs one command line and returns its exit status. */
    int run(List<String> args) {
        return run(args, false);
    }

    private int run(List<String> args, boolean inBatch) {
        Invocation invocation = null;
        try {
            invocation = ArgumentParser.parse(args);
            if (inBatch && invocation.command() == CliCommand.BATCH) {
                throw new UsageException("batch cannot run inside batch", CliCommand.BATCH);
            }
            return execute(invocation);
        } catch (UsageException e) {
            err.println("kchan: " + e.getMessage());
            err.println(e.command().map(CliCommand::usageLine).orElseGet(HelpText::usageLine));
            return ExitStatus.USAGE;
        } catch (FieldLimitException e) {
            // A key, value or payload outside kchan's limits, refused before anything was sent.
            err.println("kchan: " + e.getMessage());
            if (invocation != null) {
                err.println(invocation.command().usageLine());
            }
            return ExitStatus.USAGE;
        } catch (KchannelException | KernelInfo.UnreadableException e) {
            err.println("kchan: " + e.getMessage());
            return ExitStatus.of(e);
        }
    }

    private int execute(Invocation invocation) {
        OptionValues values = new OptionValues(invocation, environment.stdin());
        switch (invocation.command()) {
            case HELP_COMMAND:
                return help(invocation);
            case DEMO:
                return new DemoCommand(new KernelInfo(), out).run();
            case BATCH:
                return new BatchCommand(words -> run(words, true), environment.stop(), err).run(invocation.arguments());
            case WATCH:
                WatchCommand watch = new WatchCommand(values, environment.stop(), out, err);
                try (KernelChannel channel = new ChannelOpener(environment).open(values)) {
                    return watch.run(channel);
                }
            default:
                RequestCommands request = new RequestCommands(invocation, values, out);
                try (KernelChannel channel = new ChannelOpener(environment).open(values)) {
                    return request.run(channel);
                }
        }
    }

    private int help(Invocation invocation) {
        if (invocation.arguments().isEmpty()) {
            HelpText.general(out);
            return ExitStatus.OK;
        }
        String name = invocation.argument(0);
        CliCommand command = CliCommand.named(name)
                .orElseThrow(() -> invocation.usageError("no such command '" + name + "'"));
        HelpText.command(command, out);
        return ExitStatus.OK;
    }
}
