// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host mode's preconditions, checked against a made-up root file system. */
class HostKernelTest {

    private static final String RELEASE = "6.1.0-99-amd64";

    @Test
    void aKernelWithoutModuleSupportIsRefusedNamingTheLabInstead(@TempDir Path root) {
        assertThatThrownBy(() -> HostKernel.check(root, RELEASE)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/proc/modules is missing").hasMessageContaining("CONFIG_MODULES")
                .hasMessageContaining("KernelLab");
    }

    @Test
    void missingHeadersAreRefusedNamingThePackage(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("proc"));
        Files.writeString(root.resolve("proc/modules"), "");
        assertThatThrownBy(() -> HostKernel.check(root, RELEASE)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("linux-headers-" + RELEASE);
    }

    @Test
    void aKernelWithModulesAndHeadersIsTheOneToBuildFor(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("proc"));
        Files.writeString(root.resolve("proc/modules"), "");
        Path build = Files.createDirectories(root.resolve("lib/modules/" + RELEASE + "/build"));
        assertThat(HostKernel.check(root, RELEASE)).isEqualTo(new HostKernel(RELEASE, build));
    }
}
