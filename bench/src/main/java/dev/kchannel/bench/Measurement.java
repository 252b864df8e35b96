// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * What one client measured in one case, as every peer reports it (bench/PEERS.md): operations
 * (calls or events) in a window of {@code seconds}, and where the scenario defines them the bytes
 * moved, events lost and per-call latency percentiles. The same line format is the peers' output
 * and the runner's log, so a figure can be compared by eye with what a peer printed.
 */
public record Measurement(long ops, double seconds, long bytes, long lost,
        OptionalDouble p50Micros, OptionalDouble p99Micros) {

    /** The word that starts a peer's result line. */
    public static final String RESULT_WORD = "result";

    public Measurement {
        if (ops < 0 || bytes < 0 || lost < 0) {
            throw new IllegalArgumentException("negative count in " + ops + "/" + bytes + "/" + lost);
        }
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException("seconds must be a finite number >= 0, got " + seconds);
        }
    }

    /** A measurement without latency figures (streams). */
    public static Measurement of(long ops, double seconds, long bytes, long lost) {
        return new Measurement(ops, seconds, bytes, lost, OptionalDouble.empty(), OptionalDouble.empty());
    }

    /** Operations per second over the window; 0 when nothing was measured. */
    public double opsPerSecond() {
        return seconds > 0 ? ops / seconds : 0;
    }

    /** Megabytes (10^6 bytes) per second over the window. */
    public double megabytesPerSecond() {
        return seconds > 0 ? bytes / seconds / 1e6 : 0;
    }

    /**
     * Parses a peer's line: {@code result ops=N seconds=S [bytes=B] [lost=L] [p50_us=X] [p99_us=Y]}.
     *
     * @throws IllegalArgumentException naming what is missing or malformed
     */
    public static Measurement parse(String line) {
        String[] words = line.strip().split("\\s+");
        if (words.length == 0 || !words[0].equals(RESULT_WORD)) {
            throw new IllegalArgumentException("not a result line (must start with '" + RESULT_WORD + "'): " + line);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 1; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("field without key=value: '" + words[i] + "' in: " + line);
            }
            fields.put(words[i].substring(0, eq), words[i].substring(eq + 1));
        }
        try {
            return new Measurement(
                    Long.parseLong(require(fields, "ops", line)),
                    Double.parseDouble(require(fields, "seconds", line)),
                    Long.parseLong(fields.getOrDefault("bytes", "0")),
                    Long.parseLong(fields.getOrDefault("lost", "0")),
                    optional(fields.get("p50_us")),
                    optional(fields.get("p99_us")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("malformed number in result line: " + line, e);
        }
    }

    /** The result line this measurement would be printed as. */
    public String toResultLine() {
        StringBuilder line = new StringBuilder(RESULT_WORD)
                .append(" ops=").append(ops)
                .append(String.format(Locale.ROOT, " seconds=%.3f", seconds))
                .append(" bytes=").append(bytes)
                .append(" lost=").append(lost);
        p50Micros.ifPresent(v -> line.append(String.format(Locale.ROOT, " p50_us=%.1f", v)));
        p99Micros.ifPresent(v -> line.append(String.format(Locale.ROOT, " p99_us=%.1f", v)));
        return line.toString();
    }

    private static String require(Map<String, String> fields, String key, String line) {
        String value = fields.get(key);
        if (value == null) {
            throw new IllegalArgumentException("result line has no " + key + "=: " + line);
        }
        return value;
    }

    private static OptionalDouble optional(String value) {
        return value == null ? OptionalDouble.empty() : OptionalDouble.of(Double.parseDouble(value));
    }
}
