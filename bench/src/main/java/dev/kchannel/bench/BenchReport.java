// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Turns a run's results.csv and environment.properties into BENCHMARKS.md and its chart. Runs on
 * the host after the guest run ({@code ./kchan bench} does both).
 *
 * <pre>
 * BenchReport --results DIR --markdown BENCHMARKS.md --chart docs/bench/ratios.png [--notes FILE]
 * </pre>
 * The chart's path in the Markdown is relative to the Markdown file.
 */
public final class BenchReport {

    private BenchReport() {
    }

    public static void main(String[] args) throws Exception {
        BenchRunner.useBenchLogging();
        Map<String, String> options = Options.parse(args, List.of("--results", "--markdown", "--chart", "--notes"));
        Path results = Path.of(Options.require(options, "--results"));
        Path markdown = Path.of(Options.require(options, "--markdown"));
        Path chart = Path.of(Options.require(options, "--chart"));
        Path notesFile = options.containsKey("--notes") ? Path.of(options.get("--notes")) : null;
        write(results, markdown, chart, notesFile);
        System.out.println("bench: wrote " + markdown + " and " + chart);
    }

    static void write(Path results, Path markdown, Path chart, Path notesFile) throws Exception {
        List<ResultRow> rows = ResultsCsv.read(results.resolve("results.csv"));
        Map<String, String> env = RunEnvironment.read(results.resolve(RunEnvironment.FILE_NAME));
        String notes = notesFile == null ? "" : Files.readString(notesFile, StandardCharsets.UTF_8);
        Path base = markdown.toAbsolutePath().getParent();
        String chartLink = base.relativize(chart.toAbsolutePath()).toString();
        MarkdownReport report = new MarkdownReport(env, rows, chartLink, notes);
        Files.writeString(markdown, report.render(), StandardCharsets.UTF_8);
        RatioChart.write(report.ratios(), "kchannel SDK vs peers, " + env.get("kernel") + ", " + env.get("accel")
                + ", " + env.get("date"), chart);
    }
}
