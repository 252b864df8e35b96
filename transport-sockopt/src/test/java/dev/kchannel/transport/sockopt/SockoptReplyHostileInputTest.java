// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.sockopt;

import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.message.Attribute;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.MessageCodec;
import dev.kchannel.api.testing.HostileInputs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a getsockopt call leaves in its buffer, as {@link SockoptKernelChannel} reads it (the
 * buffer up to the {@code *optlen} the kernel returned, decoded and checked to answer the
 * request), against hostile bytes ({@link HostileInputs}): a reply, the kernel's own error
 * (KernelErrorException), or MalformedMessageException naming the sockopt transport, and nothing
 * else. A lying {@code *optlen} never sizes an allocation beyond the channel's bound:
 * {@code InetSocketGrowthTest} shows that part.
 */
class SockoptReplyHostileInputTest {

    private static final int SEQ = 7;

    @Test
    void replyBuffersDecodeOrAreMalformed() {
        for (Command command : List.of(Command.ECHO, Command.GET, Command.LIST, Command.STATS)) {
            KchanMessage request = KchanMessage.builder(command).seq(SEQ).build();
            HostileInputs.assertOnlyMalformed("sockopt reply to " + command, samples(command), bytes -> {
                try {
                    KchanReplies.requireSuccess(SockoptKernelChannel.decode(asReplyBuffer(bytes), request),
                            SockoptTransport.NAME);
                } catch (KernelErrorException kernelSaidNo) {
                    // A negative status is the kernel's answer, typed as such.
                } catch (MalformedMessageException e) {
                    if (!e.transport().map(SockoptTransport.NAME::equals).orElse(false)) {
                        throw new AssertionError("a refusal that does not name the sockopt transport: " + e, e);
                    }
                    throw e;
                }
            });
        }
    }

    /** The buffer as InetSocket.getOptionGrowing returns it: direct, native order, limit at *optlen. */
    private static ByteBuffer asReplyBuffer(byte[] bytes) {
        return ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.nativeOrder()).put(bytes).flip();
    }

    private static List<byte[]> samples(Command command) {
        KchanMessage.Builder reply = KchanMessage.builder(command).flags(KchanProtocol.F_REPLY).seq(SEQ);
        KchanMessage success = switch (command) {
            case ECHO -> reply.bytes(KchanProtocol.ATTR_PAYLOAD, "probe".getBytes()).build();
            case GET -> reply.bytes(KchanProtocol.ATTR_VALUE, new byte[300]).build();
            case LIST -> reply
                    .nested(KchanProtocol.ATTR_ENTRY, Attribute.bytes(KchanProtocol.ATTR_KEY, "a".getBytes()),
                            Attribute.bytes(KchanProtocol.ATTR_VALUE, "1".getBytes()))
                    .nested(KchanProtocol.ATTR_ENTRY, Attribute.bytes(KchanProtocol.ATTR_KEY, "b".getBytes()),
                            Attribute.bytes(KchanProtocol.ATTR_VALUE, new byte[0]))
                    .bytes(KchanProtocol.ATTR_CURSOR, "b".getBytes()).build();
            default -> reply
                    .nested(KchanProtocol.ATTR_TRANSPORT_STATS, Attribute.u32(KchanProtocol.ATTR_TRANSPORT, 3),
                            Attribute.u64(KchanProtocol.ATTR_STAT_REQUESTS, 12),
                            Attribute.u64(KchanProtocol.ATTR_STAT_ERRORS, 1))
                    .build();
        };
        KchanMessage refused = KchanMessage.builder(command).flags(KchanProtocol.F_REPLY).seq(SEQ).status(-22)
                .string(KchanProtocol.ATTR_ERRMSG, "key or value size out of range").build();
        return List.of(MessageCodec.toByteArray(success), MessageCodec.toByteArray(refused));
    }
}
