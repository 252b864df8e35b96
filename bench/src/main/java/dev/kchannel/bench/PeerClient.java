// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A client in another language, run as a child process per case (bench/PEERS.md): the C reference
 * ({@code kmods/tools/bin/kchan_bench}, raw system calls), libnl-genl
 * ({@code kmods/tools/bin/kchan_bench_libnl}) and pyroute2 ({@code bench/peers/kchan_bench_pyroute2.py}).
 * Its standard error goes to {@code peers.log} in the results folder; its one result line is parsed.
 */
final class PeerClient implements BenchClient {

    /** What a peer implements: scenario, transport, threads. */
    record Support(String scenario, Set<String> transports, boolean anyThreads) {
        boolean covers(String s, String t, int threads) {
            return scenario.equals(s) && transports.contains(t) && (anyThreads || threads == 1);
        }
    }

    private static final Set<String> ALL = Set.of("netlink", "procfs", "sockopt", "chardev");
    private static final Set<String> NETLINK = Set.of("netlink");
    /** Seconds a peer may take beyond what its case asks for (process start, setup, teardown). */
    private static final long GRACE_SECONDS = 60;

    private final String name;
    private final List<String> command;
    private final List<Support> supported;
    private final Path log;

    private PeerClient(String name, List<String> command, List<Support> supported, Path log) {
        this.name = name;
        this.command = List.copyOf(command);
        this.supported = List.copyOf(supported);
        this.log = log;
    }

    /** The C reference client: every scenario on every transport. */
    static PeerClient c(Path repo, Path log) {
        return new PeerClient("c", List.of(repo.resolve("kmods/tools/bin/kchan_bench").toString()),
                List.of(new Support("echo", ALL, true), new Support("value", ALL, true),
                        new Support("stream", Set.of("netlink", "procfs", "chardev"), true),
                        new Support("swarm", NETLINK, true)),
                log);
    }

    /** libnl-genl: Generic Netlink only. */
    static PeerClient libnl(Path repo, Path log) {
        return new PeerClient("libnl",
                List.of(repo.resolve("kmods/tools/bin/kchan_bench_libnl").toString()),
                List.of(new Support("echo", NETLINK, true), new Support("value", NETLINK, true),
                        new Support("stream", NETLINK, true)),
                log);
    }

    /** pyroute2 under Debian's python3: Generic Netlink, one thread. */
    static PeerClient pyroute2(Path repo, Path log) {
        return new PeerClient("pyroute2",
                List.of("/usr/bin/python3", repo.resolve("bench/peers/kchan_bench_pyroute2.py").toString()),
                List.of(new Support("echo", NETLINK, false), new Support("value", NETLINK, false),
                        new Support("stream", NETLINK, false)),
                log);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean supports(String scenario, String transport, int threads) {
        Predicate<Support> covers = s -> s.covers(scenario, transport, threads);
        return supported.stream().anyMatch(covers);
    }

    @Override
    public Measurement run(BenchCase c) throws Exception {
        for (String part : command) {
            if (!Files.isReadable(Path.of(part))) {
                throw new IOException(part + " is missing: build the peers with `make -C kmods/tools`"
                        + " (`./kchan bench` does; pyroute2 comes from Debian's python3-pyroute2)");
            }
        }
        List<String> argv = new ArrayList<>(command);
        argv.addAll(c.peerArguments());
        Files.writeString(log, "== " + String.join(" ", argv) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Process peer = new ProcessBuilder(argv)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        peer.getOutputStream().close();
        String output;
        try (InputStream stdout = peer.getInputStream()) {
            output = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!peer.waitFor(budgetSeconds(c), TimeUnit.SECONDS)) {
            peer.destroyForcibly();
            throw new IOException(name + " peer did not finish in " + budgetSeconds(c) + " s: " + argv);
        }
        if (peer.exitValue() != 0) {
            throw new IOException(name + " peer exited " + peer.exitValue() + " (" + lastLogLine() + "): "
                    + String.join(" ", argv));
        }
        return output.lines().filter(l -> l.startsWith(Measurement.RESULT_WORD + " ")).reduce((a, b) -> b)
                .map(Measurement::parse)
                .orElseThrow(() -> new IOException(name + " peer printed no result line: " + output.strip()));
    }

    private static long budgetSeconds(BenchCase c) {
        double asked = 0;
        for (String key : List.of("warmup", "seconds", "timeout")) {
            if (c.params().containsKey(key)) {
                asked += c.doubleParam(key);
            }
        }
        return (long) Math.ceil(asked) + GRACE_SECONDS;
    }

    private String lastLogLine() throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return lines.isEmpty() ? "no message" : lines.get(lines.size() - 1);
    }
}
