// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The Java side of {@code ./kchan}. The launcher script boots the kernel lab and runs this inside
 * the guest; every command prints for people and exits non-zero with one clear line on failure.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.out, System.err));
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        String command = args.isEmpty() ? "help" : args.get(0);
        try {
            switch (command) {
                case "demo":
                    return new DemoCommand(new KernelInfo(), out).run();
                case "help":
                case "--help":
                case "-h":
                    usage(out);
                    return 0;
                default:
                    err.println("kchan: unknown command '" + command + "'");
                    usage(err);
                    return 2;
            }
        } catch (KernelInfo.UnreadableException e) {
            err.println("kchan: " + e.getMessage());
            return 1;
        }
    }

    private static void usage(PrintStream out) {
        out.println("usage: kchan COMMAND");
        out.println("  demo   show the guest kernel, the loaded kchan modules and their parameters");
        out.println("  help   this text");
    }
}
