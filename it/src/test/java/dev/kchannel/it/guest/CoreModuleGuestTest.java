// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** kchan_core's parameters, their validation, and its in-kernel self-test of the reference service. */
class CoreModuleGuestTest {

    private static final String CORE = "kchan_core";

    @AfterEach
    void unload() {
        GuestShell.unloadAll(List.of(CORE));
    }

    @Test
    void defaultParametersAppearUnderSysModule() {
        assertThat(GuestShell.insmod(CORE).ok()).isTrue();

        Map<String, String> params = GuestShell.parameters(CORE);

        assertThat(params).containsOnlyKeys("max_entries", "max_store_bytes", "sub_queue_len",
                "sub_queue_bytes", "max_subscribers", "list_reply_max", "gen_max_count", "selftest");
        assertThat(params).containsEntry("max_entries", "65536")
                .containsEntry("max_store_bytes", Long.toString(64L << 20))
                .containsEntry("sub_queue_len", "1024")
                .containsEntry("sub_queue_bytes", Long.toString(4L << 20))
                .containsEntry("max_subscribers", "256")
                .containsEntry("list_reply_max", "32768")
                .containsEntry("gen_max_count", "10000000")
                .containsEntry("selftest", "N");
    }

    @Test
    void parametersGivenAtLoadAreWhatSysModuleShows() {
        GuestShell.Result loaded = GuestShell.insmod(CORE, "max_entries=1000", "sub_queue_len=64",
                "list_reply_max=8192");
        assertThat(loaded.ok()).as(loaded.output()).isTrue();

        assertThat(GuestShell.parameters(CORE)).containsEntry("max_entries", "1000")
                .containsEntry("sub_queue_len", "64")
                .containsEntry("list_reply_max", "8192");
    }

    @Test
    void nonsenseParametersRefuseToLoadWithAReason() {
        List<String> before = GuestShell.dmesg();

        GuestShell.Result loaded = GuestShell.insmod(CORE, "max_entries=0");

        assertThat(loaded.ok()).as("insmod with max_entries=0: %s", loaded.output()).isFalse();
        assertThat(GuestShell.isLoaded(CORE)).isFalse();
        assertThat(GuestShell.dmesgSince(before)).anyMatch(l -> l.contains("kchan_core") && l.contains("max_entries"));
    }

    @Test
    void selfTestOfTheReferenceServicePasses() {
        List<String> before = GuestShell.dmesg();

        GuestShell.Result loaded = GuestShell.insmod(CORE, "selftest=1");

        List<String> log = GuestShell.dmesgSince(before);
        assertThat(loaded.ok()).as("insmod selftest=1: %s%nkernel log:%n%s", loaded.output(), String.join("\n", log))
                .isTrue();
        assertThat(log).as("kernel log").anyMatch(l -> l.matches(".*kchan_core: selftest passed \\(\\d+ checks\\).*"));
        assertThat(log).noneMatch(l -> l.matches(".*(Oops|BUG|WARNING|Call Trace).*"));
    }
}
