// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsCsvTest {

    @TempDir
    Path dir;

    @Test
    void rowsSurviveTheRoundTripFailuresAndQuotesIncluded() throws IOException {
        BenchCase echo = new BenchCase("echo", "netlink", "c", Map.of("threads", "4"));
        BenchCase stream = new BenchCase("stream", "chardev", "java", Map.of("mode", "ring"));
        ResultRow measured = ResultRow.measured(echo,
                Measurement.parse("result ops=100 seconds=2.000 bytes=0 lost=0 p50_us=10.0 p99_us=20.0"));
        ResultRow failed = ResultRow.failed(stream, "peer exited 1 (open /dev/kchan: \"ENOENT\", no such file)");
        Path csv = dir.resolve("results.csv");

        ResultsCsv.start(csv);
        ResultsCsv.append(csv, measured);
        ResultsCsv.append(csv, failed);
        List<ResultRow> read = ResultsCsv.read(csv);

        assertThat(read).hasSize(2);
        assertThat(read.get(0).benchCase()).isEqualTo(echo);
        assertThat(read.get(0).measurement()).isEqualTo(measured.measurement());
        assertThat(read.get(1).error()).hasValue(failed.error().orElseThrow());
        assertThat(read.get(1).ok()).isFalse();
    }

    @Test
    void aFileWithAnotherHeaderIsRefused() throws IOException {
        Path csv = dir.resolve("other.csv");
        Files.writeString(csv, "a,b\n1,2\n");

        assertThatThrownBy(() -> ResultsCsv.read(csv)).hasMessageContaining("not a results file");
    }
}
