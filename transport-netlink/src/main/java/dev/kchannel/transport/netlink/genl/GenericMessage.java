// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.genl;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.message.Attributes;
import dev.kchannel.transport.netlink.raw.Netlink;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A Generic Netlink message: the netlink message type is the family id, and the payload is
 * {@code struct genlmsghdr} (u8 cmd, u8 version, u16 reserved) followed by attributes. Families
 * with a fixed header of their own ({@code CTRL_ATTR_HDRSIZE} above 0) put it between the two;
 * {@link #decode(NetlinkMessage, int)} skips it.
 *
 * @param familyId the netlink message type: the family's id
 * @param command {@code genlmsghdr.cmd}, 0..255
 * @param version {@code genlmsghdr.version}, 0..255
 * @param attributes the attributes after the headers
 */
public record GenericMessage(int familyId, int command, int version, Attributes attributes) {

    /** Checks the ranges of the header fields. */
    public GenericMessage {
        if (familyId < 0 || familyId > 0xFFFF) {
            throw new IllegalArgumentException("family id " + familyId + " is not a u16");
        }
        if (command < 0 || command > 0xFF) {
            throw new IllegalArgumentException("genl command " + command + " is not a u8");
        }
        if (version < 0 || version > 0xFF) {
            throw new IllegalArgumentException("genl version " + version + " is not a u8");
        }
        Objects.requireNonNull(attributes, "attributes");
    }

    /** This message as a netlink message with {@code flags}; sequence and port are left 0. */
    public NetlinkMessage toNetlink(int flags) {
        return NetlinkMessage.builder(familyId).flags(flags)
                .payload(new byte[] {(byte) command, (byte) version, 0, 0}, attributes)
                .build();
    }

    /** {@link #decode(NetlinkMessage, int)} for a family with no header of its own. */
    public static GenericMessage decode(NetlinkMessage message) {
        return decode(message, 0);
    }

    /**
     * Reads {@code message} as Generic Netlink.
     *
     * @param familyHeaderSize the family's own header size ({@link GenericFamily#headerSize()})
     * @throws MalformedMessageException if the payload is shorter than the headers or the
     *     attributes are malformed
     */
    public static GenericMessage decode(NetlinkMessage message, int familyHeaderSize) {
        ByteBuffer payload = message.payload();
        if (payload.remaining() < Nlctrl.GENL_HDRLEN) {
            throw new MalformedMessageException(Reason.TRUNCATED_HEADER, Netlink.NLMSG_HDRLEN,
                    "Generic Netlink message of family " + message.type() + " has " + payload.remaining()
                            + " bytes of payload, fewer than the " + Nlctrl.GENL_HDRLEN + "-byte genlmsghdr")
                    .withTransport("netlink");
        }
        Attributes attributes = message.attributes(Nlctrl.GENL_HDRLEN + Netlink.align(familyHeaderSize));
        return new GenericMessage(message.type(), Byte.toUnsignedInt(payload.get(0)),
                Byte.toUnsignedInt(payload.get(1)), attributes);
    }
}
