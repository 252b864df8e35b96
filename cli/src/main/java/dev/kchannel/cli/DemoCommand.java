// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import dev.kchannel.api.KernelTransport;
import java.io.PrintStream;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * {@code ./kchan demo}: what is running in the kernel lab. Prints the guest kernel, the loaded
 * kchan modules with their parameters, each transport on the classpath with its availability, and
 * for every available transport its rows: operations with their latency, cross-transport reads
 * and a short event stream ({@link TransportTour}).
 */
final class DemoCommand {

    private static final String MODULE_PREFIX = "kchan_";

    private final KernelInfo kernel;
    private final PrintStream out;

    DemoCommand(KernelInfo kernel, PrintStream out) {
        this.kernel = kernel;
        this.out = out;
    }

    int run() {
        out.println("== kchannel demo ==");
        out.println("kernel:  " + kernel.release());
        out.println("version: " + kernel.version());
        printModules();
        printSelfTest();
        return printTransports() ? 0 : 1;
    }

    private void printModules() {
        List<KernelInfo.LoadedModule> modules = kernel.modules(MODULE_PREFIX);
        out.println();
        out.println("loaded kchan modules: " + modules.size());
        if (modules.isEmpty()) {
            out.println("  (none: start the demo through ./kchan demo, which loads them in the lab)");
        }
        for (KernelInfo.LoadedModule m : modules) {
            out.printf("  %-16s %8d bytes  used by %d  %s%n", m.name(), m.sizeBytes(), m.users(), m.state());
            for (Map.Entry<String, String> p : kernel.parameters(m.name()).entrySet()) {
                out.printf("      %-18s = %s%n", p.getKey(), p.getValue());
            }
        }
    }

    /** kchan_core checks its own service at load time when asked to (selftest=1); show the verdict. */
    private void printSelfTest() {
        List<String> verdicts = kernel.kernelLog().stream()
                .filter(l -> l.contains("kchan_core: selftest"))
                .map(l -> l.replaceFirst("^\\[[^]]*\\]\\s*", ""))
                .toList();
        out.println();
        out.println("kchan_core self-test: " + (verdicts.isEmpty()
                ? "not run (load kchan_core with selftest=1)"
                : verdicts.get(verdicts.size() - 1)));
    }

    /** Lists the transports and tours the available ones; false when one of them failed. */
    private boolean printTransports() {
        List<KernelTransport> transports = ServiceLoader.load(KernelTransport.class).stream()
                .map(ServiceLoader.Provider::get)
                .sorted(Comparator.comparing(KernelTransport::name))
                .toList();
        out.println();
        out.println("transports on the classpath: " + transports.size());
        if (transports.isEmpty()) {
            out.println("  (none yet: netlink, procfs, sockopt and chardev each arrive with their own issue)");
        }
        for (KernelTransport t : transports) {
            var availability = t.availability();
            out.printf("  %-10s %s%n", t.name(),
                    availability.isAvailable() ? "available" : "unavailable: " + availability.reason());
        }
        List<KernelTransport> available = transports.stream().filter(t -> t.availability().isAvailable()).toList();
        return new TransportTour(out).run(available);
    }
}
