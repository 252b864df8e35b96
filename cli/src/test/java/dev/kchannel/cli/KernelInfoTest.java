// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelInfoTest {

    @TempDir
    Path root;

    private KernelInfo kernelWith(String modules) throws Exception {
        Path proc = Files.createDirectories(root.resolve("proc/sys/kernel")).getParent().getParent();
        Files.writeString(proc.resolve("sys/kernel/osrelease"), "6.1.0-56-amd64\n");
        Files.writeString(proc.resolve("version"), "Linux version 6.1.0-56-amd64 (gcc-12)\n");
        Files.writeString(proc.resolve("modules"), modules);
        return new KernelInfo(proc, Files.createDirectories(root.resolve("sys")));
    }

    @Test
    void readsReleaseAndOnlyTheModulesWithThePrefixInNameOrder() throws Exception {
        KernelInfo kernel = kernelWith("""
                kchan_procfs 16384 0 - Live 0xffffffffc0a00000 (OE)
                9p 98304 1 - Live 0xffffffffc0900000
                kchan_core 65536 1 kchan_procfs, Live 0xffffffffc0800000 (OE)
                """);

        assertThat(kernel.release()).isEqualTo("6.1.0-56-amd64");
        assertThat(kernel.modules("kchan_")).containsExactly(
                new KernelInfo.LoadedModule("kchan_core", 65536, 1, "Live"),
                new KernelInfo.LoadedModule("kchan_procfs", 16384, 0, "Live"));
    }

    @Test
    void parametersAreReadFromSysModuleAndAbsentOnesAreEmpty() throws Exception {
        KernelInfo kernel = kernelWith("");
        Path params = Files.createDirectories(root.resolve("sys/module/kchan_core/parameters"));
        Files.writeString(params.resolve("max_entries"), "65536\n");
        Files.writeString(params.resolve("selftest"), "N\n");

        assertThat(kernel.parameters("kchan_core")).containsExactly(
                java.util.Map.entry("max_entries", "65536"), java.util.Map.entry("selftest", "N"));
        assertThat(kernel.parameters("kchan_absent")).isEmpty();
    }

    @Test
    void anUnreadableProcFileNamesThePath() {
        KernelInfo kernel = new KernelInfo(root.resolve("no-proc"), root.resolve("no-sys"));

        assertThatThrownBy(kernel::release).isInstanceOf(KernelInfo.UnreadableException.class)
                .hasMessageContaining("no-proc/sys/kernel/osrelease");
    }
}
