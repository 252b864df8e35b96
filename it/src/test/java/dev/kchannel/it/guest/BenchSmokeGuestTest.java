// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kchannel.bench.BenchRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark harness in the guest with the smoke profile (tiny durations): every peer (the C
 * reference, libnl, pyroute2), the SDK and java.nio run every case they support and each case
 * measures something consistent. Proves `./kchan bench` keeps working; asserts nothing about
 * speed, which BENCHMARKS.md reports.
 */
class BenchSmokeGuestTest {

    private static final List<String> MODULES =
            List.of("kchan_core", "kchan_netlink", "kchan_procfs", "kchan_sockopt", "kchan_chardev");

    @BeforeAll
    static void loadModules() {
        GuestShell.loadMissing(MODULES);
    }

    @AfterAll
    static void unloadModules() {
        GuestShell.unloadAll(MODULES);
    }

    @Test
    void everyClientMeasuresEveryCaseItSupports(@TempDir Path results) throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        int status = new BenchRunner(new PrintStream(progress, true, StandardCharsets.UTF_8)).run(
                "--results", results.toString(), "--repo", System.getProperty("kchannel.repo"), "--profile", "smoke");
        String printed = progress.toString(StandardCharsets.UTF_8);

        assertThat(status).as("no case failed:%n%s%npeers.log:%n%s", printed, peersLog(results)).isZero();
        List<Map<String, String>> rows = rows(results.resolve("results.csv"));
        assertThat(rows).extracting(r -> r.get("client")).contains("c", "java", "libnl", "pyroute2", "java.nio");
        for (String transport : List.of("netlink", "procfs", "sockopt", "chardev")) {
            assertThat(rows).as("C and Java echo and values on " + transport)
                    .anyMatch(r -> matches(r, "c", "echo", transport)).anyMatch(r -> matches(r, "java", "echo", transport))
                    .anyMatch(r -> matches(r, "c", "value", transport)).anyMatch(r -> matches(r, "java", "value", transport));
        }
        for (Map<String, String> row : rows) {
            Map<String, String> params = params(row.get("params"));
            assertThat(Long.parseLong(row.get("ops"))).as("ops of %s", row).isPositive();
            if (row.get("scenario").equals("stream")) {
                // Every event the generator made is either received or counted lost.
                assertThat(Long.parseLong(row.get("ops")) + Long.parseLong(row.get("lost"))).as("%s", row)
                        .isEqualTo(Long.parseLong(params.get("count")));
            }
            if (row.get("scenario").equals("swarm")) {
                assertThat(Long.parseLong(row.get("ops")) + Long.parseLong(row.get("lost"))).as("%s", row)
                        .isEqualTo(Long.parseLong(params.get("count")) * Long.parseLong(params.get("sockets")));
            }
            if (row.get("scenario").equals("echo") || row.get("scenario").equals("value")) {
                assertThat(row.get("p50_us")).as("latency of %s", row).isNotEmpty();
            }
        }
    }

    private static boolean matches(Map<String, String> row, String client, String scenario, String transport) {
        return row.get("client").equals(client) && row.get("scenario").equals(scenario)
                && row.get("transport").equals(transport);
    }

    /** results.csv as maps; the smoke run writes no quoted cells (no errors, no commas). */
    private static List<Map<String, String>> rows(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        String[] header = lines.get(0).split(",", -1);
        return lines.subList(1, lines.size()).stream().map(line -> {
            String[] cells = line.split(",", -1);
            assertThat(cells).as(line).hasSize(header.length);
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < header.length; i++) {
                row.put(header[i], cells[i]);
            }
            return row;
        }).toList();
    }

    private static Map<String, String> params(String text) {
        Map<String, String> params = new HashMap<>();
        Arrays.stream(text.split(" ")).map(p -> p.split("=", 2)).forEach(kv -> params.put(kv[0], kv[1]));
        return params;
    }

    private static String peersLog(Path results) throws IOException {
        Path log = results.resolve("peers.log");
        return Files.exists(log) ? Files.readString(log) : "(none)";
    }
}
