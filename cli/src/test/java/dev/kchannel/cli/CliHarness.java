// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import dev.kchannel.api.KernelTransport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code kchan} in-process against fake transports, with no system property, environment
 * variable or classpath file from the machine running the tests, and captures what it printed.
 */
final class CliHarness {

    /** What one run printed and returned. */
    record Result(int status, String out, String err) {
    }

    final FakeKernel kernel = new FakeKernel();
    final Map<String, KernelTransport> transports = new LinkedHashMap<>();
    final Map<String, String> systemProperties = new HashMap<>();
    final Map<String, String> environment = new HashMap<>();
    final StopSignal stop = new StopSignal();
    byte[] stdin = new byte[0];

    /** A harness whose kernel is reached through one full transport named {@code netlink}. */
    static CliHarness withNetlink() {
        CliHarness harness = new CliHarness();
        harness.add(FakeTransport.full("netlink", harness.kernel));
        return harness;
    }

    <T extends KernelTransport> T add(T transport) {
        transports.put(transport.name(), transport);
        return transport;
    }

    FakeTransport transport(String name) {
        return (FakeTransport) transports.get(name);
    }

    CliEnvironment environment() {
        return new CliEnvironment(systemProperties, environment, null, () -> Map.copyOf(transports),
                () -> (InputStream) new ByteArrayInputStream(stdin), stop);
    }

    Result run(String... args) {
        return run(new ByteArrayOutputStream(), new ByteArrayOutputStream(), args);
    }

    Result run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        int status = new Cli(environment(), outStream, errStream).run(List.of(args));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
