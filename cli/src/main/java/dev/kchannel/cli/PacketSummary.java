// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import dev.kchannel.api.message.KchanProtocol;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * One line for the payload of a PACKET event, when it is a layout this SDK knows: the ICMP hook's
 * 16 bytes ({@code KCHAN_PACKET_ICMP} in kchan.h) read as
 * {@code icmp type 8 code 0 10.0.2.15 > 10.0.2.2 id 7 seq 1}.
 */
final class PacketSummary {

    private PacketSummary() {
    }

    /** The summary, or empty for a payload of another layout (shown as bytes instead). */
    static Optional<String> of(byte[] payload) {
        if (payload.length != KchanProtocol.PACKET_ICMP_LEN || payload[0] != KchanProtocol.PACKET_ICMP) {
            return Optional.empty();
        }
        ByteBuffer packet = ByteBuffer.wrap(payload);
        int type = Byte.toUnsignedInt(packet.get(1));
        int code = Byte.toUnsignedInt(packet.get(2));
        String source = ipv4(payload, 4);
        String destination = ipv4(payload, 8);
        int id = Short.toUnsignedInt(packet.getShort(12));
        int seq = Short.toUnsignedInt(packet.getShort(14));
        return Optional.of("icmp type " + type + " code " + code + " " + source + " > " + destination
                + " id " + id + " seq " + seq);
    }

    /** Four bytes in network order as dotted decimal. */
    private static String ipv4(byte[] bytes, int offset) {
        return Byte.toUnsignedInt(bytes[offset]) + "." + Byte.toUnsignedInt(bytes[offset + 1]) + "."
                + Byte.toUnsignedInt(bytes[offset + 2]) + "." + Byte.toUnsignedInt(bytes[offset + 3]);
    }
}
