// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A kernel-pushed event: its type and per-subscriber sequence number, read once, and typed views
 * of the attributes each type carries. The whole message stays available from {@link #message()}.
 * Immutable.
 */
public final class KchanEvent {

    private final KchanMessage message;
    private final EventType type;
    private final long seq;

    private KchanEvent(KchanMessage message, EventType type, long seq) {
        this.message = message;
        this.type = type;
        this.seq = seq;
    }

    /**
     * Reads an event message.
     *
     * @throws MalformedMessageException if it is not an EVENT, or lacks EVENT_TYPE or SEQ
     */
    public static KchanEvent from(KchanMessage message) {
        if (message.command() != Command.EVENT) {
            throw new MalformedMessageException(Reason.UNEXPECTED_MESSAGE, -1,
                    "expected an EVENT, got " + Command.describe(message.commandId()));
        }
        Attributes attributes = message.attributes();
        EventType type = EventType.fromId(attributes.require(KchanProtocol.ATTR_EVENT_TYPE).u32());
        long seq = attributes.require(KchanProtocol.ATTR_SEQ).u64();
        return new KchanEvent(message, type, seq);
    }

    /** The kind of event; {@link EventType#UNRECOGNIZED} for one this SDK does not know. */
    public EventType type() {
        return type;
    }

    /** The per-subscriber sequence number; consecutive unless events were lost. */
    public long seq() {
        return seq;
    }

    /** How many events this subscriber has lost so far, as the kernel counts; 0 if not sent. */
    public long dropped() {
        return TransportStats.u64OrZero(message.attributes(), KchanProtocol.ATTR_DROPPED);
    }

    /** The KEY of a store event. */
    public Optional<byte[]> key() {
        return bytes(KchanProtocol.ATTR_KEY);
    }

    /** The KEY of a store event, decoded as UTF-8. */
    public Optional<String> keyAsString() {
        return key().map(key -> new String(key, StandardCharsets.UTF_8));
    }

    /** The VALUE of a STORE_SET event. */
    public Optional<byte[]> value() {
        return bytes(KchanProtocol.ATTR_VALUE);
    }

    /** The GEN_INDEX of a GENERATED event. */
    public OptionalLong genIndex() {
        return message.attributes().first(KchanProtocol.ATTR_GEN_INDEX)
                .map(attribute -> OptionalLong.of(attribute.u64()))
                .orElse(OptionalLong.empty());
    }

    /** The PAYLOAD of a GENERATED event. */
    public Optional<byte[]> payload() {
        return bytes(KchanProtocol.ATTR_PAYLOAD);
    }

    /** The whole message. */
    public KchanMessage message() {
        return message;
    }

    private Optional<byte[]> bytes(int type) {
        return message.attributes().first(type).map(Attribute::bytes);
    }

    @Override
    public String toString() {
        return "KchanEvent{" + type + " seq=" + Long.toUnsignedString(seq) + " " + message.attributes() + "}";
    }
}
