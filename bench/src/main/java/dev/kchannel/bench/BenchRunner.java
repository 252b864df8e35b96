// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Runs the benchmark inside the lab guest (as root, every kchan module loaded): warms the JIT up
 * on every transport, then measures every case of the profile, printing one progress line per
 * case and appending it to {@code results.csv}; environment.properties says where it ran. A case
 * that fails is recorded with its error and the run goes on; the exit status is then 1.
 *
 * <pre>
 * BenchRunner --results DIR [--profile standard|smoke] [--repo DIR] [--only REGEX]
 * </pre>
 * {@code --only} keeps the cases whose "client: scenario transport params" text matches.
 */
public final class BenchRunner {

    private static final String LOGBACK_CONFIGURATION = "logback.configurationFile";

    private final PrintStream out;

    /** A runner printing its progress to {@code out}. */
    public BenchRunner(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        useBenchLogging();
        System.exit(new BenchRunner(System.out).run(args));
    }

    /** Points logback at the bench's configuration, unless the command line chose one; before any logger exists. */
    static void useBenchLogging() {
        if (System.getProperty(LOGBACK_CONFIGURATION) == null) {
            System.setProperty(LOGBACK_CONFIGURATION, "kchannel-bench-logback.xml");
        }
    }

    /**
     * Runs the benchmark with {@link #main}'s arguments.
     *
     * @return 0 when every case was measured, 1 when any failed (each recorded with its error)
     */
    public int run(String... args) throws Exception {
        Map<String, String> options = Options.parse(args, List.of("--results", "--profile", "--repo", "--only"));
        Path results = Path.of(Options.require(options, "--results"));
        Path repo = Path.of(options.getOrDefault("--repo", "")).toAbsolutePath();
        Pattern only = options.containsKey("--only") ? Pattern.compile(options.get("--only")) : null;
        return run(results, BenchPlan.profile(options.getOrDefault("--profile", "standard")), repo, only);
    }

    int run(Path results, BenchPlan.Profile profile, Path repo, Pattern only) throws Exception {
        Files.createDirectories(results);
        Map<String, String> env = RunEnvironment.describeGuest(profile.name());
        RunEnvironment.write(results.resolve(RunEnvironment.FILE_NAME), env);
        out.println("bench: " + env);
        Path log = results.resolve("peers.log");
        Files.deleteIfExists(log);
        List<BenchClient> clients = List.of(PeerClient.c(repo, log), new SdkClient(), PeerClient.libnl(repo, log),
                PeerClient.pyroute2(repo, log), new NioClient());
        List<BenchCase> cases = new ArrayList<>(BenchPlan.cases(profile, clients));
        if (only != null) {
            Pattern filter = only;
            cases.removeIf(c -> !filter.matcher(c.toString()).find());
        }
        warmUpJit(profile);
        Path csv = results.resolve("results.csv");
        ResultsCsv.start(csv);
        int failures = 0;
        for (int i = 0; i < cases.size(); i++) {
            BenchCase c = cases.get(i);
            ResultRow row = measure(clients, c);
            ResultsCsv.append(csv, row);
            out.printf(Locale.ROOT, "[%d/%d] %-60s %s%n", i + 1, cases.size(), c, describe(row));
            if (!row.ok()) {
                failures++;
            }
        }
        out.printf("bench: %d cases, %d failed; results in %s%n", cases.size(), failures, csv);
        return failures == 0 ? 0 : 1;
    }

    private static ResultRow measure(List<BenchClient> clients, BenchCase c) {
        BenchClient client = clients.stream().filter(k -> k.name().equals(c.client())).findFirst().orElseThrow();
        try {
            return ResultRow.measured(c, client.run(c));
        } catch (Exception e) {
            String reason = e.getMessage() == null ? e.getClass().getName() : e.getClass().getSimpleName() + ": "
                    + e.getMessage();
            return ResultRow.failed(c, reason);
        }
    }

    /**
     * Calls on every transport before anything is measured, so that the first Java cases are not
     * measured against an interpreter. The peers need none: C is compiled, Python never is.
     */
    private void warmUpJit(BenchPlan.Profile profile) {
        for (String transport : BenchPlan.TRANSPORTS) {
            BenchCase echo = new BenchCase("echo", transport, SdkClient.NAME, Map.of("threads", "1",
                    "size", Integer.toString(BenchPlan.ECHO_SIZE), "warmup", "0",
                    "seconds", Double.toString(profile.jitWarmupSeconds())));
            // Large values take other paths (buffer growth, big copies): warm those too.
            BenchCase get = new BenchCase("value", transport, SdkClient.NAME, Map.of("op", "get",
                    "size", Integer.toString(BenchPlan.VALUE_SIZE), "warmup", "0",
                    "seconds", Double.toString(profile.jitWarmupSeconds() / 4)));
            try {
                Measurement m = new SdkClient().run(echo);
                Measurement v = new SdkClient().run(get);
                out.printf(Locale.ROOT, "bench: JIT warm-up on %s: %d calls, %d large GETs%n", transport, m.ops(),
                        v.ops());
            } catch (Exception e) {
                // The cases of this transport will fail too, each with its own error.
                out.printf("bench: JIT warm-up on %s failed: %s%n", transport, e);
            }
        }
    }

    private static String describe(ResultRow row) {
        if (!row.ok()) {
            return "FAILED: " + row.error().orElse("");
        }
        Measurement m = row.measurement().orElseThrow();
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%10.0f ops/s %8.2f MB/s",
                m.opsPerSecond(), m.megabytesPerSecond()));
        if (m.lost() > 0) {
            text.append(" lost ").append(m.lost());
        }
        m.p50Micros().ifPresent(v -> text.append(String.format(Locale.ROOT, " p50 %.0f us", v)));
        m.p99Micros().ifPresent(v -> text.append(String.format(Locale.ROOT, " p99 %.0f us", v)));
        return text.toString();
    }
}
