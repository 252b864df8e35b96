// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The rows of one comparison key (scenario, transport, parameters) from one run, by client, and
 * the SDK's ratio to each other client in operations per second.
 */
record Comparison(String scenario, String transport, String parameters, Map<String, ResultRow> byClient) {

    /** Groups rows by comparison key, in the order the keys first appear. */
    static List<Comparison> group(List<ResultRow> rows) {
        Map<String, Map<String, ResultRow>> keyed = new LinkedHashMap<>();
        Map<String, BenchCase> first = new LinkedHashMap<>();
        for (ResultRow row : rows) {
            String key = row.benchCase().comparisonKey();
            keyed.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(row.benchCase().client(), row);
            first.putIfAbsent(key, row.benchCase());
        }
        return keyed.entrySet().stream().map(e -> {
            BenchCase c = first.get(e.getKey());
            return new Comparison(c.scenario(), c.transport(), c.parameterText(), e.getValue());
        }).toList();
    }

    /** A client's measurement, when it ran and succeeded. */
    Optional<Measurement> of(String client) {
        ResultRow row = byClient.get(client);
        return row == null ? Optional.empty() : row.measurement();
    }

    /** Java's operations per second over {@code client}'s, when both measured something. */
    OptionalDouble javaRatioTo(String client) {
        Optional<Measurement> java = of(SdkClient.NAME);
        Optional<Measurement> other = of(client);
        if (java.isEmpty() || other.isEmpty() || other.get().opsPerSecond() <= 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(java.get().opsPerSecond() / other.get().opsPerSecond());
    }

    /** A parameter of the compared cases. */
    String param(String key) {
        return byClient.values().iterator().next().benchCase().params().getOrDefault(key, "");
    }

    /** A short label: "echo netlink 4 thr", "stream chardev ring", "value sockopt get"... */
    String label() {
        return switch (scenario) {
            case "echo" -> "echo " + transport + " " + param("threads") + " thr";
            case "value" -> "value " + transport + " " + param("op");
            case "stream" -> "stream " + transport + (param("mode").isEmpty() ? "" : " " + param("mode"));
            case "swarm" -> "swarm " + param("sockets") + " sockets";
            case "read" -> "read " + param("file");
            default -> scenario + " " + transport;
        };
    }
}
