// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Just enough rtnetlink ({@code <linux/rtnetlink.h>}, {@code <linux/if_link.h>}) for the tests to
 * dump the links: RTM_GETLINK with a zeroed {@code struct ifinfomsg}, answered by RTM_NEWLINK
 * messages whose ifinfomsg holds the index and whose IFLA_IFNAME holds the name.
 */
final class Rtnetlink {

    static final int RTM_NEWLINK = 16;
    static final int RTM_GETLINK = 18;
    static final int IFLA_IFNAME = 3;
    /** {@code struct ifinfomsg}: u8 family, u8 pad, u16 type, s32 index, u32 flags, u32 change. */
    static final int IFINFOMSG_SIZE = 16;

    private Rtnetlink() {
    }

    static NetlinkMessage getLinkRequest() {
        return NetlinkMessage.builder(RTM_GETLINK).payload(new byte[IFINFOMSG_SIZE]).build();
    }

    /** Index to name of every link, from a dump. */
    static Map<Integer, String> links(NetlinkConnection connection) {
        return links(connection.dump(getLinkRequest(), "RTM_GETLINK"));
    }

    /** Index to name of every link, from a dump on a shared socket. */
    static Map<Integer, String> links(MultiplexedConnection connection) {
        return links(connection.dump(getLinkRequest(), "RTM_GETLINK", DumpOptions.defaults(),
                java.time.Duration.ofSeconds(30)));
    }

    private static Map<Integer, String> links(Stream<NetlinkMessage> dump) {
        Map<Integer, String> links = new LinkedHashMap<>();
        try (Stream<NetlinkMessage> parts = dump) {
            parts.forEach(part -> {
                if (part.type() != RTM_NEWLINK) {
                    throw new AssertionError("link dump part of type " + part.type());
                }
                ByteBuffer ifinfomsg = part.payload();
                String name = part.attributes(IFINFOMSG_SIZE).first(IFLA_IFNAME)
                        .orElseThrow(() -> new AssertionError("link without IFLA_IFNAME")).string();
                links.put(ifinfomsg.getInt(4), name);
            });
        }
        return links;
    }
}
