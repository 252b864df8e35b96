// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.genl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.message.Attribute;
import dev.kchannel.api.message.Attributes;
import dev.kchannel.transport.netlink.raw.Netlink;
import dev.kchannel.transport.netlink.raw.NetlinkCodec;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;
import dev.kchannel.transport.netlink.raw.Wire;
import org.junit.jupiter.api.Test;

/**
 * Reading nlctrl's CTRL_CMD_NEWFAMILY replies, built by hand from the layout in
 * {@code <linux/genetlink.h>}: genlmsghdr, then FAMILY_NAME, FAMILY_ID (u16), VERSION, HDRSIZE,
 * MAXATTR (u32s), OPS and MCAST_GROUPS (arrays of nests indexed from 1).
 */
class GenericFamilyTest {

    private static final int NESTED = 0x8000;

    @Test
    void parsesEveryFieldOfAFamilyReply() {
        byte[] ops = Wire.bytes()
                .attr(1 | NESTED, Wire.bytes().attrU32(Nlctrl.CTRL_ATTR_OP_ID, 3).attrU32(Nlctrl.CTRL_ATTR_OP_FLAGS, 0x0e)
                        .toArray())
                .attr(2 | NESTED, Wire.bytes().attrU32(Nlctrl.CTRL_ATTR_OP_ID, 10).attrU32(Nlctrl.CTRL_ATTR_OP_FLAGS, 0x01)
                        .toArray())
                .toArray();
        byte[] groups = Wire.bytes()
                .attr(1 | NESTED, Wire.bytes().attrString(Nlctrl.CTRL_ATTR_MCAST_GRP_NAME, "config")
                        .attrU32(Nlctrl.CTRL_ATTR_MCAST_GRP_ID, 5).toArray())
                .attr(2 | NESTED, Wire.bytes().attrU32(Nlctrl.CTRL_ATTR_MCAST_GRP_ID, 6)
                        .attrString(Nlctrl.CTRL_ATTR_MCAST_GRP_NAME, "scan").toArray())
                .toArray();
        byte[] payload = Wire.bytes().u8(Nlctrl.CTRL_CMD_NEWFAMILY).u8(2).u16(0)
                .attrString(Nlctrl.CTRL_ATTR_FAMILY_NAME, "nl80211")
                .attrU16(Nlctrl.CTRL_ATTR_FAMILY_ID, 0x1c)
                .attrU32(Nlctrl.CTRL_ATTR_VERSION, 1)
                .attrU32(Nlctrl.CTRL_ATTR_HDRSIZE, 0)
                .attrU32(Nlctrl.CTRL_ATTR_MAXATTR, 330)
                .attr(Nlctrl.CTRL_ATTR_OPS | NESTED, ops)
                .attr(Nlctrl.CTRL_ATTR_MCAST_GROUPS | NESTED, groups)
                .toArray();

        GenericFamily family = GenericFamily.parse(reply(payload));

        assertThat(family.name()).isEqualTo("nl80211");
        assertThat(family.id()).isEqualTo(0x1c);
        assertThat(family.version()).isEqualTo(1);
        assertThat(family.headerSize()).isZero();
        assertThat(family.maxAttribute()).isEqualTo(330);
        assertThat(family.operations()).containsExactly(new GenericFamily.Operation(3, 0x0e),
                new GenericFamily.Operation(10, 0x01));
        assertThat(family.operations().get(1).needsAdmin()).isTrue();
        assertThat(family.multicastGroups()).containsExactly(java.util.Map.entry("config", 5),
                java.util.Map.entry("scan", 6));
        assertThat(family.multicastGroup("scan")).hasValue(6);
        assertThat(family.multicastGroup("absent")).isEmpty();
    }

    @Test
    void familyWithoutOpsOrGroupsHasEmptyLists() {
        byte[] payload = Wire.bytes().u8(Nlctrl.CTRL_CMD_NEWFAMILY).u8(2).u16(0)
                .attrString(Nlctrl.CTRL_ATTR_FAMILY_NAME, "VFS_DQUOT")
                .attrU16(Nlctrl.CTRL_ATTR_FAMILY_ID, 0x11).toArray();

        GenericFamily family = GenericFamily.parse(reply(payload));

        assertThat(family.operations()).isEmpty();
        assertThat(family.multicastGroups()).isEmpty();
        assertThat(family.version()).isZero();
    }

    @Test
    void missingIdIsAMissingAttribute() {
        byte[] payload = Wire.bytes().u8(1).u8(2).u16(0).attrString(Nlctrl.CTRL_ATTR_FAMILY_NAME, "x").toArray();

        assertThatThrownBy(() -> GenericFamily.parse(reply(payload)))
                .isInstanceOfSatisfying(MalformedMessageException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.MISSING_ATTRIBUTE);
                    assertThat(e.transport()).hasValue("netlink");
                    assertThat(e.getMessage()).contains("CTRL_ATTR_FAMILY_ID");
                });
    }

    @Test
    void idOfTheWrongSizeIsAWrongAttributeSize() {
        byte[] payload = Wire.bytes().u8(1).u8(2).u16(0).attrString(Nlctrl.CTRL_ATTR_FAMILY_NAME, "x")
                .attrU32(Nlctrl.CTRL_ATTR_FAMILY_ID, 16).toArray();

        assertThatThrownBy(() -> GenericFamily.parse(reply(payload)))
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_ATTRIBUTE_SIZE));
    }

    @Test
    void groupNestOverflowingItsParentIsRefused() {
        byte[] broken = Wire.bytes().u16(40).u16(1 | NESTED).attrU32(Nlctrl.CTRL_ATTR_MCAST_GRP_ID, 5).toArray();
        byte[] payload = Wire.bytes().u8(1).u8(2).u16(0).attrString(Nlctrl.CTRL_ATTR_FAMILY_NAME, "x")
                .attrU16(Nlctrl.CTRL_ATTR_FAMILY_ID, 16).attr(Nlctrl.CTRL_ATTR_MCAST_GROUPS | NESTED, broken).toArray();

        assertThatThrownBy(() -> GenericFamily.parse(reply(payload)))
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.NESTED_LENGTH_OVERFLOW));
    }

    @Test
    void genericMessageEncodesGenlmsghdrThenAttributes() {
        GenericMessage request = new GenericMessage(Nlctrl.GENL_ID_CTRL, Nlctrl.CTRL_CMD_GETFAMILY, 2,
                Attributes.of(Attribute.string(Nlctrl.CTRL_ATTR_FAMILY_NAME, "nlctrl")));

        NetlinkMessage message = request.toNetlink(Netlink.NLM_F_REQUEST);

        assertThat(message.type()).isEqualTo(16);
        assertThat(message.payloadBytes()).isEqualTo(Wire.bytes().u8(3).u8(2).u16(0)
                .attrString(Nlctrl.CTRL_ATTR_FAMILY_NAME, "nlctrl").toArray());
        assertThat(GenericMessage.decode(message)).isEqualTo(request);
    }

    @Test
    void genericMessageShorterThanGenlmsghdrIsATruncatedHeader() {
        NetlinkMessage message = NetlinkCodec.decode(Wire.message(16, 0, 1, 0, new byte[] {3, 2})).get(0);

        assertThatThrownBy(() -> GenericMessage.decode(message))
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED_HEADER));
    }

    @Test
    void genericMessageFieldsAreRangeChecked() {
        assertThatThrownBy(() -> new GenericMessage(16, 256, 1, Attributes.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GenericMessage(0x10000, 1, 1, Attributes.empty()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static NetlinkMessage reply(byte[] payload) {
        return NetlinkCodec.decode(Wire.message(Nlctrl.GENL_ID_CTRL, 0, 1, 100, payload)).get(0);
    }
}
