// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.genl;

import dev.kchannel.transport.netlink.raw.Wire;
import java.util.Map;

/**
 * nlctrl's family messages written by hand from {@code <linux/genetlink.h>}: the answer to
 * {@code CTRL_CMD_GETFAMILY} and the {@code CTRL_CMD_NEWFAMILY}/{@code CTRL_CMD_DELFAMILY}
 * notifications of its {@code notify} group share one layout (genlmsghdr, FAMILY_NAME, FAMILY_ID,
 * VERSION, HDRSIZE, MAXATTR, MCAST_GROUPS as nests indexed from 1).
 */
public final class NlctrlWire {

    private static final int NESTED = 0x8000;

    private NlctrlWire() {
    }

    /** The genl payload (genlmsghdr and attributes) of a family message with command {@code cmd}. */
    public static byte[] familyPayload(int cmd, String name, int id, int version, Map<String, Integer> groups) {
        Wire nests = Wire.bytes();
        int index = 1;
        for (Map.Entry<String, Integer> group : groups.entrySet()) {
            nests.attr(index++ | NESTED, Wire.bytes().attrString(Nlctrl.CTRL_ATTR_MCAST_GRP_NAME, group.getKey())
                    .attrU32(Nlctrl.CTRL_ATTR_MCAST_GRP_ID, group.getValue()).toArray());
        }
        Wire payload = Wire.bytes().u8(cmd).u8(Nlctrl.CTRL_VERSION).u16(0)
                .attrString(Nlctrl.CTRL_ATTR_FAMILY_NAME, name)
                .attrU16(Nlctrl.CTRL_ATTR_FAMILY_ID, id)
                .attrU32(Nlctrl.CTRL_ATTR_VERSION, version)
                .attrU32(Nlctrl.CTRL_ATTR_HDRSIZE, 0)
                .attrU32(Nlctrl.CTRL_ATTR_MAXATTR, 10);
        if (!groups.isEmpty()) {
            payload.attr(Nlctrl.CTRL_ATTR_MCAST_GROUPS | NESTED, nests.toArray());
        }
        return payload.toArray();
    }

    /**
     * A notification on the notify group, as the kernel multicasts it: nlctrl's type, seq 0,
     * pid 0.
     */
    public static byte[] notification(boolean registered, String name, int id, Map<String, Integer> groups) {
        return Wire.message(Nlctrl.GENL_ID_CTRL, 0, 0, 0, familyPayload(
                registered ? Nlctrl.CTRL_CMD_NEWFAMILY : Nlctrl.CTRL_CMD_DELFAMILY, name, id, 1, groups));
    }
}
