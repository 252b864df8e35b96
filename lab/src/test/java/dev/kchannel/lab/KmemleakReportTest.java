// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which of the debug kernel's kmemleak suspects fail a lab run. */
class KmemleakReportTest {

    private static final String KERNEL_LEAK = """
            unreferenced object 0xffff888100a4c000 (size 64):
              comm "swapper/0", pid 1, jiffies 4294892296 (age 30.120s)
              hex dump (first 32 bytes):
                00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................
              backtrace:
                [<ffffffff81234567>] __kmalloc+0x4a/0x90
                [<ffffffff81345678>] virtio_dev_probe+0x1d2/0x3c0
            """;
    private static final String KCHAN_LEAK = """
            unreferenced object 0xffff888104b2e800 (size 256):
              comm "java", pid 312, jiffies 4294901002 (age 12.004s)
              hex dump (first 32 bytes):
                6b 63 68 61 6e 00 00 00 00 00 00 00 00 00 00 00  kchan...........
              backtrace:
                [<ffffffff81234567>] kmalloc_trace+0x26/0x60
                [<ffffffffc0a01234>] kchan_store_set+0x88/0x1f0 [kchan_store]
                [<ffffffffc0a05678>] kchan_nl_set+0x51/0xa0 [kchan_nl_transport]
            """;

    @Test
    void onlyLeaksWhoseBacktraceNamesAKchanModuleFail() {
        KmemleakReport report = KmemleakReport.parse(KERNEL_LEAK + KCHAN_LEAK);

        assertThat(report.leaks()).hasSize(2);
        assertThat(report.kchanLeaks()).singleElement().asString()
                .startsWith("unreferenced object 0xffff888104b2e800").contains("[kchan_store]");
    }

    @Test
    void theKernelsOwnSuspectsAloneFailNothing() {
        KmemleakReport report = KmemleakReport.parse(KERNEL_LEAK + KERNEL_LEAK);

        assertThat(report.leaks()).hasSize(2);
        assertThat(report.kchanLeaks()).isEmpty();
    }

    @Test
    void aRunsReportIsReadFromItsResultsAndAbsentMeansNoKmemleak(@TempDir Path results) throws IOException {
        LabRun run = new LabRun(0, results, Duration.ZERO);
        assertThat(run.hasKmemleakReport()).isFalse();
        assertThat(run.kmemleakFailures()).isEmpty();

        Files.writeString(results.resolve("kmemleak.txt"), KCHAN_LEAK);
        assertThat(run.hasKmemleakReport()).isTrue();
        assertThat(run.kmemleakFailures()).singleElement().asString().contains("kchan_store_set");
    }
}
