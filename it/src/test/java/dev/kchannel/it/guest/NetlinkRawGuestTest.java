// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kchannel.transport.netlink.genl.GenericFamily;
import dev.kchannel.transport.netlink.genl.GenericNetlink;
import dev.kchannel.transport.netlink.raw.Netlink;
import dev.kchannel.transport.netlink.raw.NetlinkConnection;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The raw netlink layer (transport-netlink) against the guest's Debian kernel, compared with what
 * iproute2 sees there: the rtnetlink link dump against {@code ip -o link}, nlctrl's family list
 * against {@code genl ctrl list}. Needs no project module.
 */
class NetlinkRawGuestTest {

    /** rtnetlink, from {@code <linux/rtnetlink.h>} and {@code <linux/if_link.h>}. */
    private static final int RTM_NEWLINK = 16;
    private static final int RTM_GETLINK = 18;
    private static final int IFLA_IFNAME = 3;
    /** {@code struct ifinfomsg}: u8 family, u8 pad, u16 type, s32 index, u32 flags, u32 change. */
    private static final int IFINFOMSG_SIZE = 16;

    private static final Pattern LINK_LINE = Pattern.compile("^(\\d+): ([^:@\\s]+)(@[^:]*)?: ");
    private static final Pattern FAMILY_LINE = Pattern.compile("^Name: (\\S+)\\s*$");

    @Test
    void linkDumpMatchesIpLink() {
        Map<Integer, String> dumped = new LinkedHashMap<>();
        try (NetlinkConnection rtnl = NetlinkConnection.open(Netlink.NETLINK_ROUTE);
                Stream<NetlinkMessage> parts = rtnl.dump(
                        NetlinkMessage.builder(RTM_GETLINK).payload(new byte[IFINFOMSG_SIZE]).build(), "RTM_GETLINK")) {
            parts.forEach(part -> {
                assertThat(part.type()).isEqualTo(RTM_NEWLINK);
                dumped.put(part.payload().getInt(4),
                        part.attributes(IFINFOMSG_SIZE).first(IFLA_IFNAME).orElseThrow().string());
            });
        }

        assertThat(dumped).containsValue("lo").isEqualTo(ipLinks());
    }

    @Test
    void familyListMatchesGenlCtrlList() {
        List<String> dumped;
        try (GenericNetlink genl = GenericNetlink.open()) {
            dumped = genl.families().stream().map(GenericFamily::name).toList();
        }

        assertThat(dumped).contains("nlctrl").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(genlFamilies());
    }

    @Test
    void nlctrlResolvesByName() {
        try (GenericNetlink genl = GenericNetlink.open()) {
            GenericFamily nlctrl = genl.family("nlctrl");

            assertThat(nlctrl.id()).isEqualTo(16);
            assertThat(nlctrl.multicastGroup("notify")).hasValue(16);
        }
    }

    private static Map<Integer, String> ipLinks() {
        GuestShell.Result ip = GuestShell.run("ip", "-o", "link");
        assertThat(ip.ok()).as("ip -o link: %s", ip.output()).isTrue();
        Map<Integer, String> links = new LinkedHashMap<>();
        ip.output().lines().forEach(line -> {
            Matcher m = LINK_LINE.matcher(line);
            assertThat(m.find()).as("ip -o link line: %s", line).isTrue();
            links.put(Integer.parseInt(m.group(1)), m.group(2));
        });
        return links;
    }

    private static List<String> genlFamilies() {
        GuestShell.Result genl = GuestShell.run("genl", "ctrl", "list");
        assertThat(genl.ok()).as("genl ctrl list: %s", genl.output()).isTrue();
        return genl.output().lines().map(FAMILY_LINE::matcher).filter(Matcher::matches).map(m -> m.group(1)).toList();
    }
}
