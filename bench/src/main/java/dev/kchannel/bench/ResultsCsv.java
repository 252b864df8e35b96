// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * results.csv, the machine-readable output of a run: one row per case, written as each case ends
 * so that an interrupted run keeps what it measured. RFC 4180 quoting; {@code params} is the
 * case's space-separated key=value list; empty cells for figures a scenario does not define.
 */
final class ResultsCsv {

    static final String HEADER = "scenario,transport,client,params,ops,seconds,ops_per_s,mb_per_s,bytes,lost,"
            + "p50_us,p99_us,error";

    private ResultsCsv() {
    }

    static void start(Path file) throws IOException {
        Files.writeString(file, HEADER + "\n", StandardCharsets.UTF_8);
    }

    static void append(Path file, ResultRow row) throws IOException {
        Files.writeString(file, format(row) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    static String format(ResultRow row) {
        BenchCase c = row.benchCase();
        List<String> cells = new ArrayList<>(List.of(c.scenario(), c.transport(), c.client(), c.parameterText()));
        if (row.measurement().isPresent()) {
            Measurement m = row.measurement().get();
            cells.addAll(List.of(Long.toString(m.ops()), number(m.seconds()), number(m.opsPerSecond()),
                    number(m.megabytesPerSecond()), Long.toString(m.bytes()), Long.toString(m.lost()),
                    optional(m.p50Micros()), optional(m.p99Micros()), ""));
        } else {
            cells.addAll(List.of("", "", "", "", "", "", "", "", row.error().orElse("failed")));
        }
        return String.join(",", cells.stream().map(ResultsCsv::quote).toList());
    }

    static List<ResultRow> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IOException(file + " is not a results file (its first line must be: " + HEADER + ")");
        }
        List<ResultRow> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                rows.add(parse(lines.get(i), file, i + 1));
            }
        }
        return rows;
    }

    private static ResultRow parse(String line, Path file, int lineNumber) throws IOException {
        List<String> cells = split(line);
        if (cells.size() != 13) {
            throw new IOException(file + ":" + lineNumber + ": expected 13 cells, got " + cells.size());
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : cells.get(3).split(" ")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                params.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        BenchCase c = new BenchCase(cells.get(0), cells.get(1), cells.get(2), params);
        if (!cells.get(12).isEmpty()) {
            return ResultRow.failed(c, cells.get(12));
        }
        try {
            return ResultRow.measured(c, new Measurement(Long.parseLong(cells.get(4)),
                    Double.parseDouble(cells.get(5)), Long.parseLong(cells.get(8)), Long.parseLong(cells.get(9)),
                    optionalNumber(cells.get(10)), optionalNumber(cells.get(11))));
        } catch (NumberFormatException e) {
            throw new IOException(file + ":" + lineNumber + ": malformed number: " + e.getMessage(), e);
        }
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String optional(OptionalDouble v) {
        return v.isPresent() ? String.format(Locale.ROOT, "%.1f", v.getAsDouble()) : "";
    }

    private static OptionalDouble optionalNumber(String cell) {
        return cell.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(Double.parseDouble(cell));
    }

    private static String quote(String cell) {
        if (cell.indexOf(',') < 0 && cell.indexOf('"') < 0 && cell.indexOf('\n') < 0) {
            return cell;
        }
        return '"' + cell.replace("\"", "\"\"").replace('\n', ' ') + '"';
    }

    private static List<String> split(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cell.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        cells.add(cell.toString());
        return cells;
    }
}
