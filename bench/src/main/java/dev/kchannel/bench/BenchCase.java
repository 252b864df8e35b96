// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One measurement to make: a scenario of bench/PEERS.md ({@code echo}, {@code value},
 * {@code stream}, {@code swarm}, and the Java-only {@code read}), on one transport, by one client,
 * with its parameters ({@code threads=4}, {@code size=64}...). The parameters are passed to an
 * external peer as they are, so the Java clients and the peers read the same keys.
 */
public record BenchCase(String scenario, String transport, String client, Map<String, String> params) {

    public BenchCase {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /** The parameter {@code key}, which the plan always sets. */
    public String param(String key) {
        String value = params.get(key);
        if (value == null) {
            throw new IllegalArgumentException(this + " has no parameter " + key);
        }
        return value;
    }

    public int intParam(String key) {
        return Integer.parseInt(param(key));
    }

    public long longParam(String key) {
        return Long.parseLong(param(key));
    }

    public double doubleParam(String key) {
        return Double.parseDouble(param(key));
    }

    /** {@code threads}, 1 when the scenario has no such parameter. */
    public int threads() {
        return params.containsKey("threads") ? intParam("threads") : 1;
    }

    /** The arguments an external peer gets: scenario, transport, then every key=value. */
    public List<String> peerArguments() {
        List<String> args = new ArrayList<>(List.of(scenario, transport));
        params.forEach((k, v) -> args.add(k + "=" + v));
        return args;
    }

    /** What is compared across clients: everything but the client. */
    public String comparisonKey() {
        return scenario + " " + transport + " " + parameterText();
    }

    public String parameterText() {
        return params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
    }

    @Override
    public String toString() {
        return client + ": " + comparisonKey();
    }
}
