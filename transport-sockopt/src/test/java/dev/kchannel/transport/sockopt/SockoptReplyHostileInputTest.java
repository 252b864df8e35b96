// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.sockopt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.message.Attribute;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.ListPart;
import dev.kchannel.api.message.MessageCodec;
import dev.kchannel.api.message.StatsReply;
import dev.kchannel.api.testing.HostileInputs;
import dev.kchannel.transport.sockopt.raw.FixedAnswerSockets;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * What a sockopt channel makes of the bytes and the length a getsockopt brings back, through its
 * real path (the size negotiation of {@code InetSocket.getOptionGrowing}, the reply buffers, the
 * decoding, the check that the reply answers, the readers of GET, LIST and STATS replies, a
 * cursor-paged dump), against hostile answers ({@link HostileInputs}). Each input is the
 * {@code *optlen} the kernel reports (4 bytes, little-endian, missing bytes read as 0), then the
 * bytes it writes: a reported length may lie in either direction, be negative or far beyond
 * {@code KCHAN_MSG_MAX}. The outcomes allowed: a reply, MalformedMessageException, or the
 * KernelErrorException of a well-formed reply whose status is an errno.
 */
class SockoptReplyHostileInputTest {

    /** Small, so that most answers go through the size negotiation. */
    private static final KchannelConfig CONFIG = KchannelConfig.builder().setting("sockopt", "initial-buffer", "64").build();

    @Test
    void hostileGetsockoptAnswersOnlyEverThrowTheTypedExceptions() {
        HostileInputs.assertOnlyMalformed("the sockopt channel's reply path", samples(), SockoptReplyHostileInputTest::callEveryWay);
    }

    @Test
    void aLengthNoReplyHasIsMalformedNamingTheOption() {
        byte[] echo = reply(KchanMessage.builder(Command.ECHO));
        assertThatThrownBy(() -> answered(echo, KchanProtocol.MSG_MAX + 1))
                .isInstanceOfSatisfying(MalformedMessageException.class, e -> {
                    assertThat(e.reason()).isEqualTo(MalformedMessageException.Reason.MESSAGE_TOO_LARGE);
                    assertThat(e.transport()).contains("sockopt");
                    assertThat(e.getMessage()).contains("getsockopt KCHAN_SO_ECHO", "answered a length of 262145 bytes",
                            "more than KCHAN_MSG_MAX (262144)");
                });
        assertThatThrownBy(() -> answered(echo, Integer.MAX_VALUE))
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(MalformedMessageException.Reason.MESSAGE_TOO_LARGE));
        assertThatThrownBy(() -> answered(echo, -1))
                .isInstanceOfSatisfying(MalformedMessageException.class, e -> {
                    assertThat(e.reason()).isEqualTo(MalformedMessageException.Reason.LENGTH_BELOW_HEADER);
                    assertThat(e.getMessage()).contains("answered a length of -1 bytes, which no reply has");
                });
        // The channel still works with the honest length.
        assertThat(answered(echo, echo.length).commandId()).isEqualTo(Command.ECHO.id());
    }

    private static KchanMessage answered(byte[] answer, int reportedLength) {
        try (SockoptKernelChannel channel = new SockoptKernelChannel(SockoptSettings.from(CONFIG),
                OptionSocket.over(FixedAnswerSockets.answering(answer, reportedLength)), null)) {
            return channel.call(KchanRequests.echo("probe".getBytes()));
        }
    }

    /** Every get the channel makes against a kernel answering {@code input}, each in a channel of its own. */
    private static void callEveryWay(byte[] input) {
        ByteBuffer reported = ByteBuffer.wrap(java.util.Arrays.copyOf(input, 4)).order(ByteOrder.LITTLE_ENDIAN);
        int reportedLength = reported.getInt(0);
        byte[] answer = input.length > 4 ? java.util.Arrays.copyOfRange(input, 4, input.length) : new byte[0];
        answered(answer, reportedLength, channel -> channel.call(KchanRequests.echo("probe".getBytes())).attributes().size());
        answered(answer, reportedLength, channel -> channel.call(KchanRequests.get("k"))
                .attributes().first(KchanProtocol.ATTR_VALUE).ifPresent(Attribute::bytes));
        answered(answer, reportedLength, channel -> ListPart.from(channel.call(KchanRequests.list()))
                .entries().forEach(entry -> entry.value()));
        answered(answer, reportedLength, channel -> StatsReply.from(channel.call(KchanRequests.stats())).transports());
        answered(answer, reportedLength, channel -> channel.dump(KchanRequests.list()).limit(8)
                .forEach(part -> ListPart.from(part).entries()));
    }

    private static void answered(byte[] answer, int reportedLength, Consumer<SockoptKernelChannel> use) {
        try (SockoptKernelChannel channel = new SockoptKernelChannel(SockoptSettings.from(CONFIG),
                OptionSocket.over(FixedAnswerSockets.answering(answer, reportedLength)), null)) {
            use.accept(channel);
        } catch (MalformedMessageException expected) {
            // The typed refusal; the next way of calling is still tried.
        } catch (KernelErrorException kernelSaidNo) {
            if (kernelSaidNo.getCause() != null) {
                throw new AssertionError("a KernelErrorException not from a reply's status: " + kernelSaidNo, kernelSaidNo);
            }
        }
    }

    /** Replies to the first request of a fresh channel (seq 1), each with its true length and with lying ones. */
    private static List<byte[]> samples() {
        List<byte[]> replies = List.of(
                reply(KchanMessage.builder(Command.ECHO).bytes(KchanProtocol.ATTR_PAYLOAD, "probe".getBytes())),
                reply(KchanMessage.builder(Command.GET).bytes(KchanProtocol.ATTR_VALUE, new byte[300])),
                reply(KchanMessage.builder(Command.LIST).flags(KchanProtocol.F_REPLY | KchanProtocol.F_MORE)
                        .attribute(entry("a", "1")).attribute(entry("bb", "22"))
                        .bytes(KchanProtocol.ATTR_CURSOR, "bb".getBytes())),
                reply(KchanMessage.builder(Command.STATS)
                        .attribute(Attribute.u64(KchanProtocol.ATTR_STORE_ENTRIES, 3))
                        .attribute(Attribute.u64(KchanProtocol.ATTR_STORE_BYTES, 300))
                        .attribute(Attribute.nested(KchanProtocol.ATTR_TRANSPORT_STATS,
                                Attribute.u32(KchanProtocol.ATTR_TRANSPORT, 3),
                                Attribute.u64(KchanProtocol.ATTR_STAT_REQUESTS, 10),
                                Attribute.u64(KchanProtocol.ATTR_STAT_ERRORS, 1)))),
                reply(KchanMessage.builder(Command.GET).status(-2)
                        .string(KchanProtocol.ATTR_ERRMSG, "no such key")
                        .attribute(Attribute.u32(KchanProtocol.ATTR_ERRATTR, KchanProtocol.ATTR_KEY))),
                // What kchan_sockopt writes when the buffer is too small: a header, -ERANGE, the length needed.
                tooSmall(Command.LIST, 1000));
        List<byte[]> samples = new ArrayList<>();
        for (byte[] reply : replies) {
            samples.add(withReportedLength(reply.length, reply));
            samples.add(withReportedLength(reply.length + 100, reply));
            samples.add(withReportedLength(reply.length / 2, reply));
        }
        return samples;
    }

    private static byte[] reply(KchanMessage.Builder reply) {
        KchanMessage built = reply.build();
        return MessageCodec.toByteArray(KchanMessage.builder(built.commandId())
                .flags(built.flags() | KchanProtocol.F_REPLY).seq(1).status(built.status())
                .attributes(built.attributes()).build());
    }

    private static byte[] tooSmall(Command command, int needed) {
        return ByteBuffer.allocate(KchanProtocol.HDR_LEN).order(ByteOrder.nativeOrder())
                .putShort((short) command.id()).putShort((short) KchanProtocol.F_REPLY).putInt(1).putInt(-34)
                .putInt(needed).array();
    }

    private static Attribute entry(String key, String value) {
        return Attribute.nested(KchanProtocol.ATTR_ENTRY, Attribute.bytes(KchanProtocol.ATTR_KEY, key.getBytes()),
                Attribute.bytes(KchanProtocol.ATTR_VALUE, value.getBytes()));
    }

    private static byte[] withReportedLength(int reportedLength, byte[] reply) {
        return ByteBuffer.allocate(4 + reply.length).order(ByteOrder.LITTLE_ENDIAN).putInt(reportedLength).put(reply).array();
    }
}
