// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every module the project builds loads and unloads cleanly, twice in a row. */
class ModuleLifecycleGuestTest {

    private final List<String> modules = GuestShell.builtModules();

    @AfterEach
    void unload() {
        GuestShell.unloadAll(modules);
    }

    @Test
    void everyModuleLoadsAndUnloadsTwice() {
        assertThat(modules).as("modules built in " + GuestShell.kmodsDir()).contains("kchan_core");
        for (int round = 1; round <= 2; round++) {
            List<String> logBefore = GuestShell.dmesg();
            for (String module : modules) {
                GuestShell.Result loaded = GuestShell.insmod(module);
                assertThat(loaded.ok()).as("round %d: insmod %s: %s", round, module, loaded.output()).isTrue();
                assertThat(GuestShell.isLoaded(module)).as("round %d: %s in /proc/modules", round, module).isTrue();
                assertThat(Files.isDirectory(Path.of("/sys/module", module)))
                        .as("round %d: /sys/module/%s", round, module).isTrue();
            }
            for (int i = modules.size() - 1; i >= 0; i--) {
                String module = modules.get(i);
                GuestShell.Result removed = GuestShell.rmmod(module);
                assertThat(removed.ok()).as("round %d: rmmod %s: %s", round, module, removed.output()).isTrue();
                assertThat(GuestShell.isLoaded(module)).as("round %d: %s gone from /proc/modules", round, module)
                        .isFalse();
            }
            assertThat(GuestShell.dmesgSince(logBefore))
                    .as("round %d: kernel log while loading and unloading", round)
                    .noneMatch(l -> l.matches(".*(Oops|BUG|WARNING|Call Trace).*"));
        }
    }
}
