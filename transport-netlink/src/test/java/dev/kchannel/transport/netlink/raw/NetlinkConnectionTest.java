// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import static dev.kchannel.transport.netlink.raw.ScriptedKernel.ack;
import static dev.kchannel.transport.netlink.raw.ScriptedKernel.done;
import static dev.kchannel.transport.netlink.raw.ScriptedKernel.error;
import static dev.kchannel.transport.netlink.raw.ScriptedKernel.part;
import static dev.kchannel.transport.netlink.raw.ScriptedKernel.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.CallTimeoutException;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.message.Attribute;
import dev.kchannel.api.message.Attributes;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The connection's request, ack, dump and error logic against scripted kernel answers, including
 * those a real kernel will not produce on demand.
 */
class NetlinkConnectionTest {

    private static final NetlinkMessage GET = NetlinkMessage.builder(0x20).payload(new byte[4]).build();

    @Test
    void requestsAreNumberedFlaggedAndCarryThePortId() {
        ScriptedKernel kernel = new ScriptedKernel().answering(r -> List.of(ack(r)));
        NetlinkConnection connection = new NetlinkConnection(kernel, null);

        connection.request(GET);
        connection.request(GET);

        assertThat(kernel.requests()).extracting(NetlinkMessage::seq).containsExactly(1, 2);
        assertThat(kernel.requests()).allSatisfy(r -> {
            assertThat(r.pid()).isEqualTo(ScriptedKernel.PORT);
            assertThat(r.hasFlags(Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK)).isTrue();
            assertThat(r.payloadBytes()).isEqualTo(GET.payloadBytes());
        });
    }

    @Test
    void requestReturnsTheReplyAndConsumesTheAckAfterIt() {
        ScriptedKernel kernel = new ScriptedKernel()
                .answering(r -> List.of(reply(r, 0x21, 0, new byte[] {5}), ack(r)));
        NetlinkConnection connection = new NetlinkConnection(kernel, null);

        NetlinkMessage answer = connection.request(GET);

        assertThat(answer.type()).isEqualTo(0x21);
        assertThat(answer.payloadBytes()).containsExactly(5);
        assertThat(kernel.queued()).as("the ack was read too").isZero();
    }

    @Test
    void requestWithoutAReplyReturnsTheAck() {
        NetlinkConnection connection = new NetlinkConnection(new ScriptedKernel().answering(r -> List.of(ack(r))), null);

        NetlinkMessage answer = connection.request(GET);

        assertThat(NetlinkError.of(answer).isAck()).isTrue();
    }

    @Test
    void foreignSeqForeignPortMulticastAndUserspaceSendersAreSkippedAndCounted() {
        NetlinkMessage stale = GET.withSeqAndPid(77, ScriptedKernel.PORT);
        ScriptedKernel kernel = new ScriptedKernel()
                .queue(0, 0, reply(stale, 0x21, 0, new byte[] {1}))                      // late reply, seq 77
                .queue(0, 0, Wire.message(0x21, 0, 1, ScriptedKernel.PORT + 1, new byte[] {2})) // seq 1, other port
                .queue(0, 1, reply(GET.withSeqAndPid(1, 0), 0x21, 0, new byte[] {3}))    // multicast, group 1
                .queue(31337, 0, reply(GET.withSeqAndPid(1, 0), 0x21, 0, new byte[] {4})) // from a userspace socket
                .answering(r -> List.of(reply(r, 0x21, 0, new byte[] {9}), ack(r)));
        NetlinkConnection connection = new NetlinkConnection(kernel, null);

        NetlinkMessage answer = connection.request(GET);

        assertThat(kernel.requests().get(0).seq()).as("the same seq as the skipped messages").isEqualTo(1);
        assertThat(answer.payloadBytes()).containsExactly(9);
        assertThat(connection.skippedMessages()).isEqualTo(4);
    }

    @Test
    void errorBecomesTheTypedExceptionWithExtAckResolvedAgainstTheSentRequest() {
        NetlinkMessage request = NetlinkMessage.builder(16)
                .payload(new byte[] {3, 2, 0, 0}, Attributes.of(Attribute.string(2, "nosuch")))
                .build();
        byte[] tlvs = Wire.bytes().attrString(Netlink.NLMSGERR_ATTR_MSG, "Unknown family")
                .attrU32(Netlink.NLMSGERR_ATTR_OFFS, 20).toArray();
        ScriptedKernel kernel = new ScriptedKernel().answering(r -> List.of(error(r, -2, tlvs)));
        NetlinkConnection connection = new NetlinkConnection(kernel, null);

        assertThatThrownBy(() -> connection.request(request, "CTRL_CMD_GETFAMILY"))
                .isInstanceOfSatisfying(NoSuchEntryException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.ENOENT);
                    assertThat(e.transport()).hasValue("netlink");
                    assertThat(e.extAckMessage()).hasValue("Unknown family");
                    assertThat(e.offendingOffset()).hasValue(20);
                    assertThat(e.offendingAttribute()).hasValue(2);
                    assertThat(e.operation()).hasValue("CTRL_CMD_GETFAMILY");
                });
    }

    @Test
    void severalRepliesToOneRequestAreAnUnexpectedMessage() {
        ScriptedKernel kernel = new ScriptedKernel().answering(r -> List.of(
                reply(r, 0x21, 0, new byte[0]), reply(r, 0x21, 0, new byte[0]), ack(r)));
        NetlinkConnection connection = new NetlinkConnection(kernel, null);

        assertThatThrownBy(() -> connection.request(GET)).isInstanceOfSatisfying(MalformedMessageException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.UNEXPECTED_MESSAGE));
        assertThat(kernel.queued()).as("still read up to the ack").isZero();
    }

    @Test
    void noAnswerIsACallTimeout() {
        NetlinkConnection connection = new NetlinkConnection(new ScriptedKernel(), null);

        assertThatThrownBy(() -> connection.request(GET, "RTM_GETLINK"))
                .isInstanceOfSatisfying(CallTimeoutException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.ETIMEDOUT);
                    assertThat(e.getMessage()).contains("RTM_GETLINK");
                });
    }

    @Test
    void malformedDatagramIsAMalformedMessage() {
        ScriptedKernel kernel = new ScriptedKernel().answering(r -> List.of(
                Wire.bytes().nlmsghdr(500, 0x21, 0, r.seq(), ScriptedKernel.PORT).toArray()));
        NetlinkConnection connection = new NetlinkConnection(kernel, null);

        assertThatThrownBy(() -> connection.request(GET)).isInstanceOfSatisfying(MalformedMessageException.class,
                e -> {
                    assertThat(e.reason()).isEqualTo(Reason.LENGTH_PAST_END);
                    assertThat(e.transport()).hasValue("netlink");
                });
    }

    @Test
    void overrunIsReportedAsLostData() {
        ScriptedKernel kernel = new ScriptedKernel().answering(r -> List.of(
                Wire.message(Netlink.NLMSG_OVERRUN, 0, r.seq(), ScriptedKernel.PORT, new byte[0])));
        NetlinkConnection connection = new NetlinkConnection(kernel, null);

        assertThatThrownBy(() -> connection.request(GET)).isInstanceOfSatisfying(KernelErrorException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.ENOBUFS));
    }

    @Test
    void dumpSetsTheDumpFlagsAndYieldsEveryPartAcrossDatagramsUntilDone() {
        ScriptedKernel kernel = new ScriptedKernel().answering(r -> List.of(
                Wire.concat(part(r, 0, 1), part(r, 0, 2)),
                Wire.concat(part(r, 0, 3), done(r, 0, 0))));
        NetlinkConnection connection = new NetlinkConnection(kernel, null);

        List<Integer> markers;
        try (Stream<NetlinkMessage> parts = connection.dump(GET)) {
            markers = parts.map(m -> (int) m.payloadBytes()[0]).collect(Collectors.toList());
        }

        assertThat(markers).containsExactly(1, 2, 3);
        assertThat(kernel.requests().get(0).hasFlags(Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP)).isTrue();
        assertThat(kernel.requests().get(0).hasFlags(Netlink.NLM_F_ACK)).isFalse();
    }

    @Test
    void dumpReceivesLazily() {
        ScriptedKernel kernel = new ScriptedKernel().answering(r -> List.of(part(r, 0, 1), part(r, 0, 2), done(r, 0, 0)));
        NetlinkConnection connection = new NetlinkConnection(kernel, null);

        Iterator<NetlinkMessage> parts = connection.dump(GET, null,
                DumpOptions.defaults().withDelivery(DumpOptions.Delivery.AS_RECEIVED)).iterator();
        assertThat(kernel.receives()).isZero();
        parts.next();
        assertThat(kernel.receives()).isEqualTo(1);
    }

    @Test
    void dumpThatFailsMidwayThrowsTheKernelError() {
        byte[] tlvs = Wire.bytes().attrString(Netlink.NLMSGERR_ATTR_MSG, "out of memory").toArray();
        ScriptedKernel kernel = new ScriptedKernel().answering(r -> List.of(part(r, 0, 1),
                Wire.message(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI | Netlink.NLM_F_ACK_TLVS, r.seq(),
                        ScriptedKernel.PORT, Wire.bytes().u32(-12).raw(tlvs).toArray())));
        NetlinkConnection connection = new NetlinkConnection(kernel, null);

        assertThatThrownBy(() -> connection.dump(GET).count()).isInstanceOfSatisfying(KernelErrorException.class, e -> {
            assertThat(e.errno()).isEqualTo(Errno.ENOMEM);
            assertThat(e.extAckMessage()).hasValue("out of memory");
        });
    }

    @Test
    void dumpRefusedAtTheStartThrowsTheKernelError() {
        ScriptedKernel kernel = new ScriptedKernel().answering(r -> List.of(error(r, -1, new byte[0])));
        NetlinkConnection connection = new NetlinkConnection(kernel, null);

        assertThatThrownBy(() -> connection.dump(GET).count())
                .isInstanceOf(dev.kchannel.api.error.PermissionDeniedException.class);
    }

    /** A kernel whose dump attempts go as {@code attempts} says, one list of answers per attempt. */
    private static ScriptedKernel dumping(List<java.util.function.Function<NetlinkMessage, List<byte[]>>> attempts) {
        int[] attempt = {0};
        return new ScriptedKernel().answering(r -> attempts.get(Math.min(attempt[0]++, attempts.size() - 1)).apply(r));
    }

    private static List<Integer> markers(Stream<NetlinkMessage> parts) {
        try (parts) {
            return parts.map(m -> (int) m.payloadBytes()[0]).collect(Collectors.toList());
        }
    }

    @Test
    void anInterruptedAttemptIsDumpedAgainAndOnlyTheConsistentOneIsHandedOut() {
        // The flag on the second part, as the kernel sets it on the message where it noticed the change.
        ScriptedKernel kernel = dumping(List.of(
                r -> List.of(part(r, 0, 1), part(r, Netlink.NLM_F_DUMP_INTR, 2), part(r, 0, 3), done(r, 0, 0)),
                r -> List.of(part(r, 0, 11), part(r, 0, 12), done(r, 0, 0))));
        NetlinkConnection connection = new NetlinkConnection(kernel, null);

        assertThat(markers(connection.dump(GET))).containsExactly(11, 12);
        assertThat(kernel.requests()).hasSize(2);
        assertThat(kernel.requests()).extracting(NetlinkMessage::seq).doesNotHaveDuplicates();
        assertThat(kernel.requests()).allSatisfy(r -> assertThat(r.hasFlags(Netlink.NLM_F_DUMP)).isTrue());
        assertThat(kernel.queued()).isZero();
    }

    @Test
    void aFlagOnlyOnTheDoneMessageStillSpoilsTheAttempt() {
        ScriptedKernel kernel = dumping(List.of(
                r -> List.of(part(r, 0, 1), done(r, Netlink.NLM_F_DUMP_INTR, 0)),
                r -> List.of(part(r, 0, 21), done(r, 0, 0))));
        NetlinkConnection connection = new NetlinkConnection(kernel, null);

        assertThat(markers(connection.dump(GET))).containsExactly(21);
    }

    @Test
    void aDumpInterruptedOnEveryAttemptThrowsWithoutHandingOutAnyPart() {
        ScriptedKernel kernel = dumping(List.of(
                r -> List.of(part(r, 0, 1), part(r, Netlink.NLM_F_DUMP_INTR, 2), done(r, Netlink.NLM_F_DUMP_INTR, 0))));
        NetlinkConnection connection = new NetlinkConnection(kernel, null);
        Iterator<NetlinkMessage> parts = connection.dump(GET, "RTM_GETLINK").iterator();

        assertThatThrownBy(parts::hasNext).isInstanceOfSatisfying(DumpInterruptedException.class, e -> {
            assertThat(e.attempts()).isEqualTo(DumpOptions.DEFAULT_ATTEMPTS);
            assertThat(e.parts()).isZero();
            assertThat(e.errno()).isEqualTo(Errno.EINTR);
            assertThat(e.transport()).hasValue("netlink");
            assertThat(e.getMessage()).contains("RTM_GETLINK").contains("3 times in a row")
                    .contains("no part of an interrupted attempt was handed out");
        });
        assertThat(kernel.requests()).hasSize(DumpOptions.DEFAULT_ATTEMPTS);
        assertThat(kernel.queued()).as("read to its end: the connection is ready").isZero();
    }

    @Test
    void theNumberOfAttemptsIsChosenPerCall() {
        ScriptedKernel kernel = dumping(List.of(r -> List.of(part(r, Netlink.NLM_F_DUMP_INTR, 1), done(r, 0, 0))));
        NetlinkConnection connection = new NetlinkConnection(kernel, null);

        assertThatThrownBy(() -> markers(connection.dump(GET, null, DumpOptions.defaults().withAttempts(1))))
                .isInstanceOfSatisfying(DumpInterruptedException.class, e -> {
                    assertThat(e.attempts()).isEqualTo(1);
                    assertThat(e.getMessage()).contains("on its only attempt");
                });
        assertThat(kernel.requests()).hasSize(1);
        assertThatThrownBy(() -> DumpOptions.defaults().withAttempts(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1..100");
        assertThatThrownBy(() -> DumpOptions.defaults().withAttempts(101)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void asReceivedHandsPartsOutAtOnceAndRetriesAnAttemptFlaggedBeforeAnyWasTaken() {
        ScriptedKernel kernel = dumping(List.of(
                r -> List.of(part(r, Netlink.NLM_F_DUMP_INTR, 1), part(r, 0, 2), done(r, 0, 0)),
                r -> List.of(part(r, 0, 11), part(r, 0, 12), done(r, 0, 0))));
        NetlinkConnection connection = new NetlinkConnection(kernel, null);
        Iterator<NetlinkMessage> parts = connection.dump(GET, null,
                DumpOptions.defaults().withDelivery(DumpOptions.Delivery.AS_RECEIVED)).iterator();

        assertThat(parts.next().payloadBytes()).containsExactly(11);
        assertThat(parts.next().payloadBytes()).containsExactly(12);
        assertThat(parts.hasNext()).isFalse();
    }

    @Test
    void asReceivedCannotTakeBackPartsAlreadyTakenSoItThrowsAndSaysHowMany() {
        ScriptedKernel kernel = dumping(List.of(
                r -> List.of(part(r, 0, 1), part(r, 0, 2), part(r, Netlink.NLM_F_DUMP_INTR, 3), part(r, 0, 4),
                        done(r, 0, 0))));
        NetlinkConnection connection = new NetlinkConnection(kernel, null);
        Iterator<NetlinkMessage> parts = connection.dump(GET, null,
                DumpOptions.defaults().withDelivery(DumpOptions.Delivery.AS_RECEIVED)).iterator();

        assertThat(parts.next().payloadBytes()).containsExactly(1);
        assertThat(parts.next().payloadBytes()).containsExactly(2);
        assertThatThrownBy(parts::hasNext).as("parts 3 and 4, of the spoiled attempt, are not handed out")
                .isInstanceOfSatisfying(DumpInterruptedException.class, e -> {
                    assertThat(e.parts()).isEqualTo(2);
                    assertThat(e.attempts()).isEqualTo(1);
                    assertThat(e.getMessage()).contains("the 2 parts handed out").contains("discard them");
                });
        assertThat(kernel.requests()).hasSize(1);
        assertThat(kernel.queued()).isZero();
    }

    @Test
    void partsOfAWholeAttemptAreHeldUntilItsEnd() {
        ScriptedKernel kernel = new ScriptedKernel().answering(r -> List.of(part(r, 0, 1), part(r, 0, 2), done(r, 0, 0)));
        NetlinkConnection connection = new NetlinkConnection(kernel, null);

        Iterator<NetlinkMessage> parts = connection.dump(GET).iterator();
        assertThat(parts.next().payloadBytes()).containsExactly(1);
        assertThat(kernel.receives()).as("every datagram of the attempt was read before the first part").isEqualTo(3);
    }

    @Test
    void closingAStreamEarlyReadsTheRestSoTheNextRequestWorks() {
        ScriptedKernel kernel = new ScriptedKernel().answering(r -> r.hasFlags(Netlink.NLM_F_DUMP)
                ? List.of(part(r, 0, 1), part(r, 0, 2), done(r, 0, 0))
                : List.of(reply(r, 0x21, 0, new byte[] {7}), ack(r)));
        NetlinkConnection connection = new NetlinkConnection(kernel, null);

        try (Stream<NetlinkMessage> parts = connection.dump(GET)) {
            assertThat(parts.findFirst()).isPresent();
        }
        assertThat(kernel.queued()).isZero();
        assertThat(connection.request(GET).payloadBytes()).containsExactly(7);
        assertThat(connection.skippedMessages()).isZero();
    }

    @Test
    void anAbandonedDumpIsReadToItsEndByTheNextCallAndThenRefusesToContinue() {
        ScriptedKernel kernel = new ScriptedKernel().answering(r -> r.hasFlags(Netlink.NLM_F_DUMP)
                ? List.of(part(r, 0, 1), part(r, 0, 2), done(r, 0, 0))
                : List.of(ack(r)));
        NetlinkConnection connection = new NetlinkConnection(kernel, null);
        // As received: a whole attempt would have been read to its end before the first part.
        Iterator<NetlinkMessage> abandoned = connection.dump(GET, null,
                DumpOptions.defaults().withDelivery(DumpOptions.Delivery.AS_RECEIVED)).iterator();
        abandoned.next();

        connection.request(GET);

        assertThat(kernel.queued()).isZero();
        assertThat(connection.skippedMessages()).isZero();
        assertThatThrownBy(abandoned::hasNext).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("abandoned");
    }

    @Test
    void closedConnectionRefusesCalls() {
        NetlinkConnection connection = new NetlinkConnection(new ScriptedKernel(), null);
        connection.close();

        assertThatThrownBy(() -> connection.request(GET)).isInstanceOf(ChannelClosedException.class);
    }

    @Test
    void timeoutMustBePositive() {
        NetlinkConnection connection = new NetlinkConnection(new ScriptedKernel(), null);

        assertThatThrownBy(() -> connection.setTimeout(java.time.Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
