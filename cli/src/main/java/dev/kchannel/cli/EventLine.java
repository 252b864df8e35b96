// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import dev.kchannel.api.message.EventType;
import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanProtocol;

/**
 * How {@code kchan watch} prints an event and a gap: tab-separated fields, the per-subscriber SEQ
 * first, then the type and what that type carries (see {@link CliCommand#WATCH}).
 */
final class EventLine {

    private static final byte[] NONE = new byte[0];

    private EventLine() {
    }

    /** {@code 17<TAB>STORE_SET<TAB>KEY<TAB>VALUE} and the like. */
    static String of(KchanEvent event, boolean hex) {
        StringBuilder line = new StringBuilder(Long.toUnsignedString(event.seq())).append('\t');
        switch (event.type()) {
            case STORE_SET:
                line.append("STORE_SET\t").append(bytes(event.key().orElse(NONE), hex))
                        .append('\t').append(bytes(event.value().orElse(NONE), hex));
                break;
            case STORE_DELETE:
                line.append("STORE_DELETE\t").append(bytes(event.key().orElse(NONE), hex));
                break;
            case GENERATED:
                line.append("GENERATED\t");
                event.genIndex().ifPresent(index -> line.append(Long.toUnsignedString(index)));
                line.append('\t').append(event.payload().orElse(NONE).length);
                break;
            case PACKET:
                byte[] payload = event.payload().orElse(NONE);
                line.append("PACKET\t").append(PacketSummary.of(payload).orElseGet(() -> bytes(payload, hex)));
                break;
            default:
                line.append(typeName(event));
                event.payload().ifPresent(p -> line.append('\t').append(bytes(p, hex)));
        }
        return line.toString();
    }

    /** {@code lost 1 event}, {@code lost 5 events}. */
    static String gap(long lost) {
        return "lost " + lost + (lost == 1 ? " event" : " events");
    }

    /** The type's name, or {@code type-N} for a number this SDK does not know. */
    private static String typeName(KchanEvent event) {
        if (event.type() != EventType.UNRECOGNIZED) {
            return event.type().name();
        }
        return "type-" + event.message().attributes().require(KchanProtocol.ATTR_EVENT_TYPE).u32();
    }

    private static String bytes(byte[] bytes, boolean hex) {
        return ByteText.format(bytes, hex);
    }
}
