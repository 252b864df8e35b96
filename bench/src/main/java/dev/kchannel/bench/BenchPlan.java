// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cases of a run, in the order they run: for each comparison (scenario, transport,
 * parameters) every client that supports it, one after another, so that the figures compared in a
 * ratio are measured minutes apart at most. Profiles differ only in durations and counts.
 */
final class BenchPlan {

    /** Durations and counts of a run. */
    record Profile(String name, double jitWarmupSeconds, double warmupSeconds, double seconds,
            long streamCount, long swarmCount, double idleTimeoutSeconds) {
    }

    /**
     * What `./kchan bench` runs and BENCHMARKS.md reports. The JIT warm-up is long because C2
     * compiles several times slower under TCG: with 3 s the first cases still ran C1 code.
     */
    static final Profile STANDARD = new Profile("standard", 10, 2, 3, 50_000, 1_000, 3);
    /** Every case with tiny durations: proves the harness and every peer work (the CI run). */
    static final Profile SMOKE = new Profile("smoke", 0.3, 0.1, 0.3, 2_000, 20, 3);

    static final int ECHO_SIZE = 64;
    /** KCHAN_VALUE_MAX: the "64 KiB values" as large as the store takes them. */
    static final int VALUE_SIZE = 65_456;
    /** The source design's message size. */
    static final int EVENT_SIZE = 768;
    static final int RING_BYTES = 1 << 20;
    static final List<String> TRANSPORTS = List.of("netlink", "procfs", "sockopt", "chardev");
    static final List<Integer> THREADS = List.of(1, 2, 4, 8);
    static final List<Integer> SWARM_SOCKETS = List.of(100, 10);
    static final String PROCFS_READ_FILE = "/proc/kchan/stats";

    private BenchPlan() {
    }

    static Profile profile(String name) {
        return switch (name) {
            case "standard" -> STANDARD;
            case "smoke" -> SMOKE;
            default -> throw new IllegalArgumentException("unknown profile '" + name + "' (standard or smoke)");
        };
    }

    /** Every case of the profile that some client supports, clients in the given order. */
    static List<BenchCase> cases(Profile p, List<BenchClient> clients) {
        List<BenchCase> cases = new ArrayList<>();
        for (String transport : TRANSPORTS) {
            for (int threads : THREADS) {
                add(cases, clients, "echo", transport, timed(p, Map.of("threads", threads, "size", ECHO_SIZE)));
            }
        }
        for (String transport : TRANSPORTS) {
            for (String op : List.of("set", "get")) {
                add(cases, clients, "value", transport, timed(p, Map.of("op", op, "size", VALUE_SIZE)));
            }
        }
        add(cases, clients, "stream", "netlink", stream(p, null));
        add(cases, clients, "stream", "procfs", stream(p, null));
        add(cases, clients, "stream", "chardev", stream(p, "read"));
        add(cases, clients, "stream", "chardev", stream(p, "ring"));
        for (int sockets : SWARM_SOCKETS) {
            Map<String, String> params = new LinkedHashMap<>();
            params.put("sockets", Integer.toString(sockets));
            params.put("count", Long.toString(p.swarmCount()));
            params.put("size", Integer.toString(EVENT_SIZE));
            params.put("timeout", Double.toString(p.idleTimeoutSeconds()));
            add(cases, clients, "swarm", "netlink", params);
        }
        add(cases, clients, "read", "procfs", timed(p, Map.of("file", PROCFS_READ_FILE)));
        return cases;
    }

    private static void add(List<BenchCase> cases, List<BenchClient> clients, String scenario, String transport,
            Map<String, String> params) {
        int threads = params.containsKey("threads") ? Integer.parseInt(params.get("threads")) : 1;
        for (BenchClient client : clients) {
            if (client.supports(scenario, transport, threads)) {
                cases.add(new BenchCase(scenario, transport, client.name(), params));
            }
        }
    }

    private static Map<String, String> timed(Profile p, Map<String, Object> own) {
        Map<String, String> params = new LinkedHashMap<>();
        // A stable order, so the same case reads the same in every run's results.
        own.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> params.put(e.getKey(), e.getValue().toString()));
        params.put("seconds", Double.toString(p.seconds()));
        params.put("warmup", Double.toString(p.warmupSeconds()));
        return params;
    }

    private static Map<String, String> stream(Profile p, String chardevMode) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("count", Long.toString(p.streamCount()));
        params.put("size", Integer.toString(EVENT_SIZE));
        params.put("timeout", Double.toString(p.idleTimeoutSeconds()));
        if (chardevMode != null) {
            params.put("mode", chardevMode);
            if (chardevMode.equals("ring")) {
                params.put("ring", Integer.toString(RING_BYTES));
            }
        }
        return params;
    }
}
