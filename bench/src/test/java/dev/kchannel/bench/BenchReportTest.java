// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {

    @TempDir
    Path dir;

    private void row(String scenario, String transport, String client, Map<String, String> params, String result)
            throws Exception {
        ResultsCsv.append(dir.resolve("results.csv"), ResultRow.measured(
                new BenchCase(scenario, transport, client, params), Measurement.parse(result)));
    }

    private Path writeRun() throws Exception {
        ResultsCsv.start(dir.resolve("results.csv"));
        Map<String, String> echo = Map.of("size", "64", "threads", "1");
        row("echo", "netlink", "c", echo, "result ops=1000 seconds=1 p50_us=10 p99_us=30");
        row("echo", "netlink", "java", echo, "result ops=700 seconds=1 p50_us=14 p99_us=50");
        row("echo", "netlink", "libnl", echo, "result ops=500 seconds=1 p50_us=20 p99_us=60");
        row("echo", "netlink", "pyroute2", echo, "result ops=100 seconds=1 p50_us=99 p99_us=300");
        Map<String, String> stream = new LinkedHashMap<>(Map.of("count", "100", "size", "768"));
        row("stream", "netlink", "c", stream, "result ops=100 seconds=1 bytes=76800 lost=0");
        row("stream", "netlink", "java", stream, "result ops=95 seconds=1 bytes=72960 lost=5");
        Map<String, String> ring = new LinkedHashMap<>(Map.of("count", "100", "size", "768", "mode", "ring"));
        row("stream", "chardev", "java", ring, "result ops=100 seconds=0.5 bytes=76800 lost=0");
        row("swarm", "netlink", "java", Map.of("sockets", "100", "count", "10"), "result ops=1000 seconds=2 bytes=768000 lost=0");
        ResultsCsv.append(dir.resolve("results.csv"), ResultRow.failed(
                new BenchCase("echo", "sockopt", "c", echo), "peer exited 1 (socket: EPERM)"));
        RunEnvironment.write(dir.resolve(RunEnvironment.FILE_NAME), Map.of("date", "2026-11-22T22:00:00Z",
                "kernel", "6.1.0-test-amd64", "accel", "tcg", "profile", "standard"));
        Files.writeString(dir.resolve("notes.md"), "## Notes\n\nWhy the SDK is where it is.\n");
        return dir;
    }

    @Test
    void theReportCarriesTheRatiosTheTargetsTheFailuresAndTheNotes() throws Exception {
        Path run = writeRun();
        Path md = dir.resolve("out/BENCHMARKS.md");
        Files.createDirectories(md.getParent());

        BenchReport.write(run, md, dir.resolve("out/docs/ratios.png"), dir.resolve("notes.md"));
        String text = Files.readString(md);

        assertThat(text).contains("| Guest kernel | 6.1.0-test-amd64 |", "| Accelerator | tcg |");
        assertThat(text).contains("![The SDK's ratios to each peer, per case](docs/ratios.png)");
        // echo netlink: Java/C 0.70 misses 0.8 and is marked; Java/libnl 1.40; Java/pyroute2 7.00.
        assertThat(text).contains("| echo netlink 1 thr | 1,000 | 700 | 500 | 100 | **0.70** (< 0.80) | 1.40 | 7.00 |");
        assertThat(text).contains("| Java/C >= 0.8, request/reply | 1 | 0 of 1 | 0.70 (echo netlink 1 thr) |");
        // The ring at 200 msg/s over netlink's 95: 2.11, short of 10.
        assertThat(text).contains("| mmap ring >= 10x netlink streaming (768 B, both Java) | 1 | no | 2.11 |");
        assertThat(text).contains("| 100 x 100 | - | - | 500 | 0.4 | - | -/0 | 4,013 msg/s, 2.9 MB/s |");
        assertThat(text).containsPattern("`c: echo sockopt [a-z0-9= ]+`: peer exited 1 \\(socket: EPERM\\)");
        assertThat(text).endsWith("Why the SDK is where it is.\n");
    }

    @Test
    void theChartIsAPngWithARowPerRatio() throws Exception {
        Path run = writeRun();
        Path png = dir.resolve("ratios.png");

        BenchReport.write(run, dir.resolve("B.md"), png, null);
        BufferedImage image = ImageIO.read(png.toFile());

        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(1100);
        // echo: 3 ratios, stream netlink: 1; the swarm and ring have no peer, so no bars.
        assertThat(image.getHeight()).isGreaterThan(4 * 11);
    }
}
