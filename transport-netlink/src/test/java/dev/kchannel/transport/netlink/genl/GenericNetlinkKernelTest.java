// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.genl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.transport.netlink.raw.HostCommands;
import dev.kchannel.transport.netlink.raw.KernelAvailable;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Family resolution through the running kernel's nlctrl. */
class GenericNetlinkKernelTest {

    @BeforeEach
    void linux() {
        KernelAvailable.assumeLinux();
    }

    @Test
    void resolvesNlctrlItself() {
        try (GenericNetlink genl = GenericNetlink.open()) {
            GenericFamily nlctrl = genl.family("nlctrl");

            assertThat(nlctrl.name()).isEqualTo("nlctrl");
            assertThat(nlctrl.id()).isEqualTo(Nlctrl.GENL_ID_CTRL).isEqualTo(16);
            assertThat(nlctrl.version()).isPositive();
            assertThat(nlctrl.multicastGroup("notify")).hasValue(16);
            assertThat(nlctrl.operations()).extracting(GenericFamily.Operation::command)
                    .contains(Nlctrl.CTRL_CMD_GETFAMILY);
        }
    }

    @Test
    void familyListMatchesGenlCtrlList() {
        try (GenericNetlink genl = GenericNetlink.open()) {
            List<String> names = genl.families().stream().map(GenericFamily::name).collect(Collectors.toList());

            assertThat(names).contains("nlctrl").doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(HostCommands.genlFamilies());
        }
    }

    @Test
    void everyListedFamilyResolvesByNameToTheSameIdAndGroups() {
        try (GenericNetlink genl = GenericNetlink.open()) {
            for (GenericFamily listed : genl.families()) {
                GenericFamily resolved = genl.family(listed.name());

                assertThat(resolved.id()).as(listed.name()).isEqualTo(listed.id());
                assertThat(resolved.multicastGroups()).as(listed.name()).isEqualTo(listed.multicastGroups());
            }
        }
    }

    @Test
    void unknownFamilyIsNoSuchEntry() {
        try (GenericNetlink genl = GenericNetlink.open()) {
            assertThatThrownBy(() -> genl.family("kchan_nosuch"))
                    .isInstanceOfSatisfying(NoSuchEntryException.class, e -> {
                        assertThat(e.errno()).isEqualTo(Errno.ENOENT);
                        assertThat(e.transport()).hasValue("netlink");
                        assertThat(e.operation()).hasValue("CTRL_CMD_GETFAMILY kchan_nosuch");
                        // The kernel's extended-ack text when it sends one, else strerror's.
                        assertThat(e.getMessage()).startsWith("netlink: CTRL_CMD_GETFAMILY kchan_nosuch failed: ENOENT (2): ")
                                .endsWith(e.extAckMessage().orElse("No such file or directory"));
                    });
            // The connection is still in step after the error.
            assertThat(genl.family("nlctrl").id()).isEqualTo(16);
        }
    }

    @Test
    void namesThatCannotBeFamiliesAreRefusedBeforeSending() {
        try (GenericNetlink genl = GenericNetlink.open()) {
            assertThatThrownBy(() -> genl.family("")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> genl.family("sixteen_bytes_xx")).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
