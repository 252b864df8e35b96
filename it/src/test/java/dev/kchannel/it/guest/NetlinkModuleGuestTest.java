// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.transport.netlink.raw.NetlinkSocket;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * kchan_netlink's Generic Netlink family as iproute2's {@code genl ctrl} sees it: registered with one
 * operation per request command and the "events" multicast group while the module is loaded, gone
 * after it unloads, and holding kchan_core in place meanwhile. Also its parameters: their defaults,
 * a raw unit outside its range refused at load, and {@code raw_unit=-1} leaving the raw unit out.
 */
class NetlinkModuleGuestTest {

    private static final String CORE = "kchan_core";
    private static final String NETLINK = "kchan_netlink";
    private static final List<String> MODULES = List.of(CORE, NETLINK);

    /** From include/uapi/kchan.h. */
    private static final String FAMILY = "kchan";
    private static final int VERSION = 1;
    private static final int ATTR_MAX = 23;
    /** ECHO 1 .. GEN_STOP 8; EVENT (9) is kernel to user only, so no operation. */
    private static final List<Integer> REQUEST_CMDS = List.of(1, 2, 3, 4, 5, 6, 7, 8);
    private static final String EVENTS_GROUP = "events";

    private static final Pattern HEADER = Pattern.compile(
            "Version: 0x([0-9a-f]+)\\s+header size: (\\d+)\\s+max attribs: (\\d+)");
    private static final Pattern COMMAND = Pattern.compile("#\\d+:\\s+ID-0x([0-9a-f]+)");
    private static final Pattern GROUP = Pattern.compile("#\\d+:\\s+ID-0x[0-9a-f]+\\s+name: (\\S+)");

    @AfterEach
    void unload() {
        GuestShell.unloadAll(MODULES);
    }

    private static void loadBoth() {
        for (String module : MODULES) {
            GuestShell.Result loaded = GuestShell.insmod(module);
            assertThat(loaded.ok()).as("insmod %s: %s", module, loaded.output()).isTrue();
        }
    }

    private static GuestShell.Result family() {
        return GuestShell.run("genl", "ctrl", "get", "name", FAMILY);
    }

    @Test
    void familyRegistersWithOneOperationPerCommandAndTheEventsGroup() {
        loadBoth();

        GuestShell.Result ctrl = family();

        assertThat(ctrl.ok()).as("genl ctrl get name kchan: %s", ctrl.output()).isTrue();
        String out = ctrl.output();
        assertThat(out).contains("Name: " + FAMILY);
        Matcher header = HEADER.matcher(out);
        assertThat(header.find()).as("family header line in:%n%s", out).isTrue();
        assertThat(Integer.parseInt(header.group(1), 16)).as("version").isEqualTo(VERSION);
        assertThat(Integer.parseInt(header.group(2))).as("header size").isZero();
        assertThat(Integer.parseInt(header.group(3))).as("max attribs").isEqualTo(ATTR_MAX);

        int groups = out.indexOf("multicast groups:");
        assertThat(groups).as("multicast groups in:%n%s", out).isPositive();
        List<Integer> cmds = COMMAND.matcher(out.substring(0, groups)).results()
                .map(m -> Integer.parseInt(m.group(1), 16)).toList();
        assertThat(cmds).as("operations").containsExactlyElementsOf(REQUEST_CMDS);
        List<String> names = GROUP.matcher(out.substring(groups)).results().map(m -> m.group(1)).toList();
        assertThat(names).as("multicast groups").containsExactly(EVENTS_GROUP);
    }

    @Test
    void coreCannotUnloadWhileTheTransportUsesIt() {
        loadBoth();

        GuestShell.Result removed = GuestShell.rmmod(CORE);

        assertThat(removed.ok()).as("rmmod %s: %s", CORE, removed.output()).isFalse();
        assertThat(GuestShell.isLoaded(CORE)).isTrue();
        assertThat(family().ok()).as("family still registered").isTrue();
    }

    @Test
    void transportDoesNotLoadWithoutTheCore() {
        GuestShell.Result loaded = GuestShell.insmod(NETLINK);

        assertThat(loaded.ok()).as("insmod %s without %s: %s", NETLINK, CORE, loaded.output()).isFalse();
        assertThat(GuestShell.isLoaded(NETLINK)).isFalse();
        assertThat(family().ok()).isFalse();
    }

    @Test
    void loadsAndUnloadsTwiceAndTheFamilyGoesWithIt() {
        for (int round = 1; round <= 2; round++) {
            List<String> before = GuestShell.dmesg();
            loadBoth();
            assertThat(family().ok()).as("round %d: family registered", round).isTrue();

            GuestShell.Result removed = GuestShell.rmmod(NETLINK);
            assertThat(removed.ok()).as("round %d: rmmod %s: %s", round, NETLINK, removed.output()).isTrue();
            assertThat(family().ok()).as("round %d: family gone after rmmod", round).isFalse();
            assertThat(GuestShell.run("genl", "ctrl", "list").output())
                    .as("round %d: genl ctrl list", round).doesNotContainPattern("Name: " + FAMILY + "\\s");
            removed = GuestShell.rmmod(CORE);
            assertThat(removed.ok()).as("round %d: rmmod %s: %s", round, CORE, removed.output()).isTrue();

            List<String> log = GuestShell.dmesgSince(before);
            assertThat(log).as("round %d: kernel log", round).anyMatch(l -> l.contains("kchan_netlink: ready"))
                    .noneMatch(l -> l.matches(".*(Oops|BUG|WARNING|Call Trace).*"));
        }
    }

    @Test
    void parametersHaveTheirDefaultsAndTheRawUnitIsOpen() {
        loadBoth();

        assertThat(GuestShell.parameters(NETLINK)).containsOnlyKeys("raw_unit", "raw_queue_len", "raw_queue_bytes",
                "icmp_events")
                .containsEntry("raw_unit", Integer.toString(KchanProtocol.RAW_UNIT_DEFAULT))
                .containsEntry("raw_queue_len", "1024")
                .containsEntry("raw_queue_bytes", Long.toString(16L << 20))
                .containsEntry("icmp_events", "N");
        try (NetlinkSocket socket = NetlinkSocket.open(KchanProtocol.RAW_UNIT_DEFAULT)) {
            assertThat(socket.portId()).isNotZero();
        }
    }

    @Test
    void rawUnitOutsideItsRangeRefusesToLoadWithAReason() {
        GuestShell.loadMissing(List.of(CORE));
        // 22 is NETLINK_SMC, the kernel's; 32 is past MAX_LINKS.
        for (String unit : List.of("22", "32", "-2")) {
            List<String> before = GuestShell.dmesg();

            GuestShell.Result loaded = GuestShell.insmod(NETLINK, "raw_unit=" + unit);

            assertThat(loaded.ok()).as("insmod with raw_unit=%s: %s", unit, loaded.output()).isFalse();
            assertThat(GuestShell.isLoaded(NETLINK)).isFalse();
            assertThat(GuestShell.dmesgSince(before)).as("kernel log for raw_unit=%s", unit)
                    .anyMatch(l -> l.contains("kchan_netlink: raw_unit=" + unit + " is outside 23..31"));
        }
    }

    @Test
    void rawUnitMinusOneLeavesTheUnitOut() {
        GuestShell.loadMissing(List.of(CORE));
        List<String> before = GuestShell.dmesg();

        GuestShell.Result loaded = GuestShell.insmod(NETLINK, "raw_unit=-1");

        assertThat(loaded.ok()).as("insmod with raw_unit=-1: %s", loaded.output()).isTrue();
        assertThat(GuestShell.dmesgSince(before)).anyMatch(l -> l.contains("kchan_netlink: ready (genl family kchan, no raw unit"));
        assertThat(family().ok()).as("the genl family is there all the same").isTrue();
        KernelErrorException refused = catchThrowableOfType(KernelErrorException.class,
                () -> NetlinkSocket.open(KchanProtocol.RAW_UNIT_DEFAULT).close());
        assertThat(refused).as("a socket on unit %d", KchanProtocol.RAW_UNIT_DEFAULT).isNotNull();
        assertThat(refused.errno()).isEqualTo(Errno.EPROTONOSUPPORT);
    }
}
