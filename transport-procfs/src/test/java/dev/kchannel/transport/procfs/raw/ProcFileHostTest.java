// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs.raw;

import dev.kchannel.api.support.PollEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.error.PermissionDeniedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The raw layer against this host's own /proc and sysfs, which every Linux machine has: files
 * read whole as java.nio reads them, megabytes included, reads into a caller's buffer, writes,
 * polls that time out and polls that close wakes, and errors that name the file and the call.
 * The same comparisons run inside the lab guest ({@code ProcfsTransportGuestTest}).
 */
class ProcFileHostTest {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path MEMINFO = Path.of("/proc/meminfo");
    private static final Path KALLSYMS = Path.of("/proc/kallsyms");
    /** sysfs attributes every Linux system has, whose values do not move. */
    private static final Path CPU_POSSIBLE = Path.of("/sys/devices/system/cpu/possible");
    private static final Path LO_MTU = Path.of("/sys/class/net/lo/mtu");

    @Test
    void sysfsAttributesReadExactlyAsJavaNioReadsThem() throws IOException {
        for (Path attribute : new Path[] {CPU_POSSIBLE, LO_MTU}) {
            byte[] expected = Files.readAllBytes(attribute);

            assertThat(ProcFile.readAllBytes(attribute)).as("%s", attribute).isEqualTo(expected).isNotEmpty();
        }
    }

    @Test
    void aFileOfMegabytesReadsWholeThoughStatSaysZero() throws IOException {
        // kallsyms changes only when modules or BPF programs come and go; neither happens here.
        byte[] expected = Files.readAllBytes(KALLSYMS);

        byte[] read = ProcFile.readAllBytes(KALLSYMS);

        assertThat(Files.size(KALLSYMS)).as("st_size of a /proc file").isZero();
        assertThat(read.length).as("bytes").isGreaterThan(64 * 1024).isEqualTo(expected.length);
        assertThat(Arrays.equals(read, expected)).as("same bytes as java.nio").isTrue();
    }

    @Test
    void procSelfStatusReadsAsJavaNioReadsIt() throws IOException {
        byte[] expected = Files.readAllBytes(STATUS);
        byte[] read = ProcFile.readAllBytes(STATUS);

        assertSameFileButMovingCounters(read, expected,
                "Name", "Umask", "Tgid", "Pid", "PPid", "Uid", "Gid", "Groups", "Seccomp", "Cpus_allowed_list");
    }

    @Test
    void procMeminfoReadsAsJavaNioReadsIt() throws IOException {
        byte[] expected = Files.readAllBytes(MEMINFO);
        byte[] read = ProcFile.readAllBytes(MEMINFO);

        assertSameFileButMovingCounters(read, expected, "MemTotal", "SwapTotal", "Hugepagesize");
    }

    /**
     * Two reads of a live file agree on every line, in order, except that numbers may have moved
     * in between (free memory, context switches): the same names, the same text once every run of
     * digits is masked, and exactly the same values for the fields that cannot move.
     */
    private static void assertSameFileButMovingCounters(byte[] read, byte[] expected, String... fixedFields) {
        String readText = new String(read, StandardCharsets.US_ASCII);
        String expectedText = new String(expected, StandardCharsets.US_ASCII);
        assertThat(readText).endsWith("\n");
        assertThat(readText.lines().count()).isEqualTo(expectedText.lines().count()).isGreaterThan(10);
        assertThat(mask(readText)).isEqualTo(mask(expectedText));
        for (String field : fixedFields) {
            assertThat(line(readText, field)).as(field).isEqualTo(line(expectedText, field)).isNotEmpty();
        }
    }

    private static String mask(String text) {
        return text.replaceAll("[0-9]+", "#");
    }

    private static String line(String text, String field) {
        return text.lines().filter(l -> l.startsWith(field + ":")).findFirst().orElse("");
    }

    @Test
    void readsIntoACallersBufferWhereverItsPositionIsThenEndOfFile() throws IOException {
        byte[] expected = Files.readAllBytes(CPU_POSSIBLE);
        try (ProcFile heap = ProcFile.open(CPU_POSSIBLE, OpenFlag.READ);
                ProcFile direct = ProcFile.open(CPU_POSSIBLE, OpenFlag.READ)) {
            byte[] array = new byte[100];
            assertThat(heap.read(array, 3, 50)).isEqualTo(expected.length);
            assertThat(Arrays.copyOfRange(array, 3, 3 + expected.length)).isEqualTo(expected);
            assertThat(array[2]).isZero();
            assertThat(heap.read(array, 0, 50)).as("end of file").isEqualTo(-1);

            ByteBuffer buffer = ByteBuffer.allocateDirect(64);
            buffer.position(5);
            assertThat(direct.read(buffer)).isEqualTo(expected.length);
            assertThat(buffer.position()).isEqualTo(5 + expected.length);
            byte[] got = new byte[expected.length];
            buffer.get(5, got);
            assertThat(got).isEqualTo(expected);
        }
    }

    @Test
    void readAllGoesOnFromWhereTheLastReadStopped() throws IOException {
        byte[] expected = Files.readAllBytes(KALLSYMS);
        try (ProcFile file = ProcFile.open(KALLSYMS, OpenFlag.READ)) {
            ByteBuffer first = ByteBuffer.allocate(1000);
            int read = file.read(first);
            byte[] rest = file.readAll();

            assertThat(read).isPositive();
            assertThat(read + rest.length).isEqualTo(expected.length);
            assertThat(Arrays.copyOf(first.array(), read)).isEqualTo(Arrays.copyOf(expected, read));
            assertThat(Arrays.equals(rest, Arrays.copyOfRange(expected, read, expected.length))).isTrue();
            assertThat(file.readAll()).as("at end of file").isEmpty();
        }
    }

    @Test
    void writesOneValueAndReadsItBack() throws IOException {
        // Renames this thread for the kernel only (its comm); the Java name stays.
        Path comm = Path.of("/proc/thread-self/comm");
        byte[] before = Files.readAllBytes(comm);
        try (ProcFile file = ProcFile.open(comm, OpenFlag.WRITE)) {
            ByteBuffer value = ByteBuffer.wrap("..kchan-test".getBytes(StandardCharsets.US_ASCII));
            value.position(2);

            assertThat(file.write(value)).isEqualTo(10);
            assertThat(value.hasRemaining()).isFalse();
            assertThat(Files.readString(comm)).isEqualTo("kchan-test\n");
        } finally {
            ProcFile.write(comm, Arrays.copyOf(before, before.length - 1));
        }
        assertThat(Files.readAllBytes(comm)).isEqualTo(before);
    }

    @Test
    void aWriteTheFileRefusesNamesTheFileAndTheCall() {
        assertThatThrownBy(() -> ProcFile.write(Path.of("/proc/self/oom_score_adj"), "not a number".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOfSatisfying(KernelErrorException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.EINVAL);
                    assertThat(e.transport()).contains("procfs");
                    assertThat(e.operation()).contains("write /proc/self/oom_score_adj");
                    assertThat(e.getMessage()).isEqualTo(
                            "procfs: write /proc/self/oom_score_adj failed: EINVAL (22): Invalid argument");
                });
    }

    @Test
    void aMissingPathIsNoSuchEntryNamingIt() {
        assertThatThrownBy(() -> ProcFile.open(Path.of("/proc/kchan-nosuch/call"), OpenFlag.READ, OpenFlag.WRITE))
                .isInstanceOfSatisfying(NoSuchEntryException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.ENOENT);
                    assertThat(e.getMessage()).isEqualTo(
                            "procfs: open /proc/kchan-nosuch/call failed: ENOENT (2): No such file or directory");
                });
        assertThat(ProcFile.access(Path.of("/proc/kchan-nosuch/call"), OpenFlag.READ)).contains(Errno.ENOENT);
    }

    @Test
    void writingAReadOnlyAttributeIsPermissionDeniedEvenForRoot() {
        // kernfs refuses a write open of an attribute without a store method with EACCES, to root too.
        assertThatThrownBy(() -> ProcFile.open(CPU_POSSIBLE, OpenFlag.WRITE))
                .isInstanceOfSatisfying(PermissionDeniedException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.EACCES);
                    assertThat(e.getMessage()).isEqualTo(
                            "procfs: open /sys/devices/system/cpu/possible failed: EACCES (13): Permission denied"
                                    + " (the owner, group or mode of the file or device node forbids it)");
                });
        assertThat(ProcFile.access(CPU_POSSIBLE, OpenFlag.READ)).isEmpty();
    }

    @Test
    void aSysfsPollForAChangeThatNeverComesTimesOut() {
        try (ProcFile file = ProcFile.open(LO_MTU, OpenFlag.READ)) {
            file.readAll();

            // An attribute reports PRI only after its driver's sysfs_notify(); the MTU of lo never changes.
            assertThat(file.poll(EnumSet.of(PollEvent.PRI), Duration.ofMillis(100))).isEmpty();
            assertThat(file.poll(EnumSet.of(PollEvent.PRI), Duration.ZERO)).isEmpty();
            // It is always readable, like a /proc file without a poll method of its own.
            assertThat(file.poll(EnumSet.of(PollEvent.IN), Duration.ofSeconds(30))).contains(PollEvent.IN);
        }
        try (ProcFile file = ProcFile.open(MEMINFO, OpenFlag.READ)) {
            assertThat(file.awaitReadable(Duration.ZERO)).isTrue();
        }
    }

    @Test
    void pollWaitsForDataAndANonBlockingReadOfNothingIsZero(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
        // Read-write, so that it has a writer and an empty pipe reads as "nothing now", not EOF.
        try (ProcFile file = ProcFile.open(fifo, OpenFlag.READ, OpenFlag.WRITE, OpenFlag.NONBLOCK)) {
            assertThat(file.poll(EnumSet.of(PollEvent.IN), Duration.ofMillis(50))).isEmpty();
            assertThat(file.read(ByteBuffer.allocate(16))).as("EAGAIN").isZero();

            file.writeWhole(ByteBuffer.wrap(new byte[] {1, 2, 3}));

            assertThat(file.poll(EnumSet.of(PollEvent.IN), Duration.ofSeconds(30))).contains(PollEvent.IN);
            ByteBuffer got = ByteBuffer.allocate(16);
            assertThat(file.read(got)).isEqualTo(3);
            assertThat(Arrays.copyOf(got.array(), 3)).containsExactly(1, 2, 3);
        }
    }

    @Test
    void closeFromAnotherThreadWakesABlockedPoll() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        ProcFile file = ProcFile.open(LO_MTU, OpenFlag.READ);
        try {
            // Until its first read an attribute reports PRI at once; after it, PRI waits for a change.
            file.readAll();
            Future<Set<PollEvent>> blocked = executor.submit(() -> file.poll(EnumSet.of(PollEvent.PRI)));
            // Wait until the poll is under way: nothing will ever wake it but close.
            while (file.callsInFlight() == 0 && !blocked.isDone()) {
                Thread.onSpinWait();
            }

            file.close();

            // The bound only keeps a broken build from hanging; the assertion is about the outcome.
            assertThatThrownBy(() -> blocked.get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(ChannelClosedException.class);
            assertThat(file.isOpen()).isFalse();
            assertThat(file.callsInFlight()).as("descriptors freed by the last call out").isZero();
        } finally {
            executor.shutdownNow();
            file.close();
        }
    }

    @Test
    void aClosedFileRefusesEveryCall() {
        ProcFile file = ProcFile.open(MEMINFO, OpenFlag.READ);
        file.close();
        file.close();

        assertThat(file.isOpen()).isFalse();
        assertThatThrownBy(file::readAll).isInstanceOfSatisfying(ChannelClosedException.class,
                e -> assertThat(e.transport()).contains("procfs"));
        assertThatThrownBy(() -> file.read(ByteBuffer.allocate(8))).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> file.poll(EnumSet.of(PollEvent.IN), Duration.ZERO))
                .isInstanceOf(ChannelClosedException.class);
    }

    @Test
    void openNeedsReadOrWrite() {
        assertThatThrownBy(() -> ProcFile.open(MEMINFO, OpenFlag.NONBLOCK))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("READ, WRITE or both");
    }
}
