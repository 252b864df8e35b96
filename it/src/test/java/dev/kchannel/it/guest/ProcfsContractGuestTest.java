// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kchannel.api.KernelTransport;
import dev.kchannel.it.contract.KernelChannelContract;
import dev.kchannel.transport.procfs.ProcfsKernelChannel;
import dev.kchannel.transport.procfs.ProcfsTransport;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract kit against the procfs transport and {@code kchan_procfs} in the guest kernel:
 * the same scenarios as every other transport, through /proc/kchan. The lab does not preload
 * the project's modules, so this class loads kchan_core and kchan_procfs itself.
 */
class ProcfsContractGuestTest extends KernelChannelContract {

    private static final List<String> MODULES = GuestShell.PROCFS_MODULES;

    @BeforeAll
    static void loadModules() {
        GuestShell.loadMissing(MODULES);
        assertThat(new ProcfsTransport().availability().isAvailable())
                .as("procfs transport after loading %s: %s", MODULES, new ProcfsTransport().availability())
                .isTrue();
    }

    @AfterAll
    static void unloadModules() {
        GuestShell.unloadAll(MODULES);
    }

    @Override
    protected KernelTransport transport() {
        return new ProcfsTransport();
    }

    @Test
    void theChannelGoesThroughProcKchan() {
        assertThat(channel()).isInstanceOfSatisfying(ProcfsKernelChannel.class,
                procfs -> assertThat(procfs.directory().callFile()).isEqualTo(Path.of("/proc/kchan/call")));
    }
}
