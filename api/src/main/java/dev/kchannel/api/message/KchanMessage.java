// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.FieldLimitException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A kchan message: the fixed header of {@code struct kchan_hdr} (command, flags, sequence number,
 * status, length) and netlink attributes. Immutable and thread-safe.
 *
 * <p>Requests are usually made with {@link KchanRequests}; anything else with {@link #builder}.
 * The builder enforces only what the wire format can carry (attribute payloads up to 65531 bytes,
 * messages up to {@link KchanProtocol#MSG_MAX}); the kchan field limits (a key of 1 to 64 bytes,
 * ...) are enforced by {@link KchanRequests}, so deliberately invalid requests can still be built
 * to test the kernel's own checks.
 *
 * <p>Header fields are unsigned on the wire and plain {@code int}s here: {@link #commandId()} and
 * {@link #flags()} hold 0 to 65535; {@link #seq()} holds the 32 bits of the {@code u32}.
 */
public final class KchanMessage {

    private final int commandId;
    private final int flags;
    private final int seq;
    private final int status;
    private final Attributes attributes;

    KchanMessage(int commandId, int flags, int seq, int status, Attributes attributes) {
        this.commandId = commandId;
        this.flags = flags;
        this.seq = seq;
        this.status = status;
        this.attributes = attributes;
    }

    /** Starts a message with {@code command}. */
    public static Builder builder(Command command) {
        if (command == Command.UNRECOGNIZED) {
            throw new IllegalArgumentException("UNRECOGNIZED is not a command; use builder(int) for raw numbers");
        }
        return new Builder(command.id());
    }

    /** Starts a message with a raw command number, 0 to 65535. */
    public static Builder builder(int commandId) {
        return new Builder(checkU16("command", commandId));
    }

    /** A builder holding everything in this message. */
    public Builder toBuilder() {
        Builder builder = new Builder(commandId).flags(flags).seq(seq).status(status);
        builder.attributes.addAll(attributes.asList());
        return builder;
    }

    /** This message with another sequence number; the channel uses it to number requests. */
    public KchanMessage withSeq(int newSeq) {
        return newSeq == seq ? this : new KchanMessage(commandId, flags, newSeq, status, attributes);
    }

    /** The command number as on the wire. */
    public int commandId() {
        return commandId;
    }

    /** The command, or {@link Command#UNRECOGNIZED} for a number this SDK does not know. */
    public Command command() {
        return Command.fromId(commandId);
    }

    /** The {@code KCHAN_F_*} bits. */
    public int flags() {
        return flags;
    }

    /** Whether {@link KchanProtocol#F_REPLY} is set. */
    public boolean isReply() {
        return (flags & KchanProtocol.F_REPLY) != 0;
    }

    /** Whether {@link KchanProtocol#F_MORE} is set: more parts of a multi-part reply follow. */
    public boolean hasMore() {
        return (flags & KchanProtocol.F_MORE) != 0;
    }

    /** Whether {@link KchanProtocol#F_EVENT} is set: the kernel sent this unasked. */
    public boolean isEvent() {
        return (flags & KchanProtocol.F_EVENT) != 0;
    }

    /** The sequence number, as the 32 bits of the {@code u32}. */
    public int seq() {
        return seq;
    }

    /** The status: 0 or positive for success, a negative errno for failure. */
    public int status() {
        return status;
    }

    /** Whether the status is a negative errno. */
    public boolean isError() {
        return status < 0;
    }

    /** The errno of a failed reply, empty for a success. */
    public Optional<Errno> errno() {
        return status < 0 ? Optional.of(Errno.fromStatus(status)) : Optional.empty();
    }

    /** The attributes, in wire order. */
    public Attributes attributes() {
        return attributes;
    }

    /**
     * The encoded length, header and padded attributes included: what {@link MessageCodec}
     * writes into the header's {@code len}. A decoded message whose sender left the last
     * attribute's padding off arrived up to 3 bytes shorter.
     */
    public int length() {
        return KchanProtocol.HDR_LEN + attributes.encodedLength();
    }

    /** Equal when every header field but the length, and every attribute, is equal. */
    @Override
    public boolean equals(Object other) {
        if (!(other instanceof KchanMessage)) {
            return false;
        }
        KchanMessage that = (KchanMessage) other;
        return commandId == that.commandId
                && flags == that.flags
                && seq == that.seq
                && status == that.status
                && attributes.equals(that.attributes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(commandId, flags, seq, status, attributes);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("KchanMessage{").append(Command.describe(commandId));
        if (isReply()) {
            text.append(" REPLY");
        }
        if (hasMore()) {
            text.append(" MORE");
        }
        if (isEvent()) {
            text.append(" EVENT");
        }
        text.append(" seq=").append(Integer.toUnsignedString(seq));
        if (status != 0) {
            text.append(" status=").append(status);
            if (status < 0 && status != Integer.MIN_VALUE) {
                text.append(' ').append(Errno.format(-status));
            }
        }
        return text.append(" len=").append(length()).append(' ').append(attributes).append('}').toString();
    }

    private static int checkU16(String field, int value) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException(field + " " + value + " is not a u16 (0..65535)");
        }
        return value;
    }

    /** Collects header fields and attributes; {@link #build()} checks the message size. */
    public static final class Builder {
        private final int commandId;
        private int flags;
        private int seq;
        private int status;
        private final List<Attribute> attributes = new ArrayList<>();

        private Builder(int commandId) {
            this.commandId = commandId;
        }

        /** Sets all {@code KCHAN_F_*} bits at once, replacing any set before. */
        public Builder flags(int flags) {
            this.flags = checkU16("flags", flags);
            return this;
        }

        /** Adds {@code KCHAN_F_*} bits to those already set. */
        public Builder addFlags(int moreFlags) {
            return flags(flags | moreFlags);
        }

        /** The sequence number; requests sent through a channel get the channel's own. */
        public Builder seq(int seq) {
            this.seq = seq;
            return this;
        }

        /** The status: 0 in requests, a negative errno in failed replies. */
        public Builder status(int status) {
            this.status = status;
            return this;
        }

        /** Appends an attribute. */
        public Builder attribute(Attribute attribute) {
            attributes.add(Objects.requireNonNull(attribute, "attribute"));
            return this;
        }

        /** Appends attributes, in order. */
        public Builder attributes(Iterable<Attribute> more) {
            for (Attribute attribute : more) {
                attribute(attribute);
            }
            return this;
        }

        /** Appends a binary attribute. */
        public Builder bytes(int type, byte[] value) {
            return attribute(Attribute.bytes(type, value));
        }

        /** Appends a NUL-terminated string attribute. */
        public Builder string(int type, String value) {
            return attribute(Attribute.string(type, value));
        }

        /** Appends a {@code u32} attribute. */
        public Builder u32(int type, long value) {
            return attribute(Attribute.u32(type, value));
        }

        /** Appends a {@code u64} attribute. */
        public Builder u64(int type, long value) {
            return attribute(Attribute.u64(type, value));
        }

        /** Appends a nested attribute. */
        public Builder nested(int type, Attribute... children) {
            return attribute(Attribute.nested(type, children));
        }

        /**
         * The message.
         *
         * @throws FieldLimitException if it would exceed {@link KchanProtocol#MSG_MAX} bytes
         */
        public KchanMessage build() {
            Attributes built = Attributes.of(attributes);
            long length = (long) KchanProtocol.HDR_LEN + built.encodedLength();
            FieldLimitException.check("message", length, KchanProtocol.HDR_LEN, KchanProtocol.MSG_MAX);
            return new KchanMessage(commandId, flags, seq, status, built);
        }
    }
}
