// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.transport.procfs.ProcfsTransport;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link KernelMemory}, the leak check of the fuzz, stress and overload suites, sees what kchan
 * holds: keys stored raise its count by at least one object each, and deleting them brings it
 * back. Without this a count that saw nothing would pass every leak check.
 */
class KernelMemoryGuestTest {

    private static final List<String> MODULES = GuestShell.PROCFS_MODULES;
    private static final int KEYS = 500;

    @BeforeAll
    static void loadModules() {
        GuestShell.loadMissing(MODULES);
    }

    @AfterAll
    static void unloadModules() {
        GuestShell.unloadAll(MODULES);
    }

    @Test
    void storedKeysAreCountedAndDeletingThemBringsTheCountBack() {
        try (KernelChannel channel = new ProcfsTransport().open(KchannelConfig.load())) {
            StoreSweep.emptyTheStore(channel);
            KernelMemory.Snapshot baseline = KernelMemory.snapshot();
            for (int i = 0; i < KEYS; i++) {
                channel.call(KchanRequests.set("memory-" + i, new byte[100]));
            }
            KernelMemory.Snapshot stored = KernelMemory.snapshot();
            assertThat(stored.objects() - baseline.objects()).as("objects more with %d keys stored: %s", KEYS,
                    stored.grownSince(baseline)).isGreaterThanOrEqualTo(KEYS);
            assertThat(stored.grownSince(baseline).keySet()).as("where they were allocated")
                    .anySatisfy(site -> assertThat(site).contains("[kchan_core]"));

            assertThat(StoreSweep.emptyTheStore(channel)).isEqualTo(KEYS);
            KernelMemory.assertBackTo(baseline, Duration.ofSeconds(30), "deleting " + KEYS + " keys");
        }
    }
}
