// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.message.Attribute;
import dev.kchannel.api.message.AttributeCodec;
import dev.kchannel.api.message.Attributes;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The extended-ack attributes ({@code enum nlmsgerr_attrs}) that follow an {@code NLMSG_ERROR}
 * or an {@code NLMSG_DONE} flagged {@link Netlink#NLM_F_ACK_TLVS}, sent when the socket has
 * {@code NETLINK_EXT_ACK} on: the kernel's message, where the offending attribute starts in the
 * request, a missing attribute, a cookie. On success (error 0) the message is a warning.
 *
 * <p>Decoding is lenient on purpose: a damaged attribute is left out (and logged) rather than
 * hiding the kernel's error number behind a decoding error.
 */
public final class ExtendedAck {

    private static final Logger LOG = LoggerFactory.getLogger(ExtendedAck.class);
    private static final ExtendedAck NONE = new ExtendedAck(null, -1, null, -1, -1, null);

    private final String message;
    private final int offset;
    private final byte[] cookie;
    private final int missingType;
    private final int missingNestOffset;
    private final Attributes policy;

    private ExtendedAck(String message, int offset, byte[] cookie, int missingType, int missingNestOffset,
            Attributes policy) {
        this.message = message == null || message.isEmpty() ? null : message;
        this.offset = offset;
        this.cookie = cookie;
        this.missingType = missingType;
        this.missingNestOffset = missingNestOffset;
        this.policy = policy;
    }

    /** No extended-ack attributes. */
    public static ExtendedAck none() {
        return NONE;
    }

    /** Decodes the attributes in the remaining bytes of {@code tlvs}; its position does not move. */
    public static ExtendedAck decode(ByteBuffer tlvs) {
        if (!tlvs.hasRemaining()) {
            return NONE;
        }
        Attributes attributes;
        try {
            attributes = AttributeCodec.decode(tlvs.duplicate());
        } catch (MalformedMessageException e) {
            LOG.debug("ignoring malformed extended-ack attributes: {}", e.getMessage());
            return NONE;
        }
        return new ExtendedAck(
                attributes.first(Netlink.NLMSGERR_ATTR_MSG).map(Attribute::string).orElse(null),
                u32(attributes, Netlink.NLMSGERR_ATTR_OFFS),
                attributes.first(Netlink.NLMSGERR_ATTR_COOKIE).map(Attribute::bytes).orElse(null),
                u32(attributes, Netlink.NLMSGERR_ATTR_MISS_TYPE),
                u32(attributes, Netlink.NLMSGERR_ATTR_MISS_NEST),
                attributes.first(Netlink.NLMSGERR_ATTR_POLICY).flatMap(ExtendedAck::nestedOrNothing).orElse(null));
    }

    /** A u32 that fits an int, or -1 when absent or of the wrong size. */
    private static int u32(Attributes attributes, int type) {
        Optional<Attribute> attribute = attributes.first(type);
        if (attribute.isEmpty()) {
            return -1;
        }
        if (attribute.get().length() != 4) {
            LOG.debug("ignoring extended-ack attribute {} of {} bytes; a u32 has 4", type, attribute.get().length());
            return -1;
        }
        long value = attribute.get().u32();
        return value > Integer.MAX_VALUE ? -1 : (int) value;
    }

    private static Optional<Attributes> nestedOrNothing(Attribute attribute) {
        try {
            return Optional.of(attribute.nested());
        } catch (MalformedMessageException e) {
            LOG.debug("ignoring malformed NLMSGERR_ATTR_POLICY: {}", e.getMessage());
            return Optional.empty();
        }
    }

    /** {@code NLMSGERR_ATTR_MSG}: why the kernel refused, or a warning on success. */
    public Optional<String> message() {
        return Optional.ofNullable(message);
    }

    /**
     * {@code NLMSGERR_ATTR_OFFS}: where the offending attribute's header starts, in bytes from the
     * first byte of the request's {@code nlmsghdr}.
     */
    public OptionalInt offset() {
        return offset < 0 ? OptionalInt.empty() : OptionalInt.of(offset);
    }

    /** {@code NLMSGERR_ATTR_COOKIE}: family-specific bytes, e.g. naming what was created. */
    public Optional<byte[]> cookie() {
        return Optional.ofNullable(cookie).map(byte[]::clone);
    }

    /** {@code NLMSGERR_ATTR_MISS_TYPE}: the type of a required attribute that was missing. */
    public OptionalInt missingType() {
        return missingType < 0 ? OptionalInt.empty() : OptionalInt.of(missingType);
    }

    /** {@code NLMSGERR_ATTR_MISS_NEST}: the offset of the nest the missing attribute belonged in. */
    public OptionalInt missingNestOffset() {
        return missingNestOffset < 0 ? OptionalInt.empty() : OptionalInt.of(missingNestOffset);
    }

    /** {@code NLMSGERR_ATTR_POLICY}: the policy the rejected attribute failed, as attributes. */
    public Optional<Attributes> policy() {
        return Optional.ofNullable(policy);
    }

    /** Whether no attribute was present. */
    public boolean isEmpty() {
        return message == null && offset < 0 && cookie == null && missingType < 0 && missingNestOffset < 0
                && policy == null;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("ext-ack");
        message().ifPresent(m -> text.append(" msg=\"").append(m).append('"'));
        offset().ifPresent(o -> text.append(" offs=").append(o));
        missingType().ifPresent(t -> text.append(" miss-type=").append(t));
        missingNestOffset().ifPresent(o -> text.append(" miss-nest=").append(o));
        if (cookie != null) {
            text.append(" cookie=").append(cookie.length).append(" bytes");
        }
        return text.toString();
    }
}
