// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.MessageCodec;
import dev.kchannel.transport.netlink.raw.Datagram;
import dev.kchannel.transport.netlink.raw.Netlink;
import dev.kchannel.transport.netlink.raw.NetlinkCodec;
import dev.kchannel.transport.netlink.raw.NetlinkError;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;
import dev.kchannel.transport.netlink.raw.NetlinkSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * kchan_netlink's raw protocol unit spoken by hand, for the guest tests: a {@link NetlinkSocket} on
 * unit {@link KchanProtocol#RAW_UNIT_DEFAULT}, kchan messages encoded with the api's
 * {@link MessageCodec}, and what the kernel sends back sorted into answers (REPLY or
 * {@code NLMSG_ERROR}, matched by {@code nlmsg_seq}) and pushed EVENT messages, kept in arrival
 * order. It shows the wire as it is; it is not the SDK's channel for the unit. One thread per
 * client.
 */
final class RawUnitClient implements AutoCloseable {

    /** How long an answer may take before the test fails: a hang guard, never a timing check. */
    static final Duration ANSWER_WAIT = Duration.ofSeconds(60);
    static final String TRANSPORT = "netlink raw unit";

    private final NetlinkSocket socket;
    private final Deque<NetlinkMessage> events = new ArrayDeque<>();
    private final List<NetlinkMessage> answers = new ArrayList<>();
    private int lastSeq;

    private RawUnitClient(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** A socket on the default raw unit, bound to a port id the kernel picks, extended acks on. */
    static RawUnitClient open() {
        NetlinkSocket socket = NetlinkSocket.open(KchanProtocol.RAW_UNIT_DEFAULT);
        try {
            socket.setExtendedAck(true);
            return new RawUnitClient(socket);
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    NetlinkSocket socket() {
        return socket;
    }

    int portId() {
        return socket.portId();
    }

    /**
     * Sends one netlink message of {@code type} with {@code NLM_F_REQUEST} and {@code extraFlags}.
     *
     * @return its {@code nlmsg_seq}, which the answer carries
     */
    int send(int type, int extraFlags, byte[] payload) {
        int seq = ++lastSeq;
        socket.send(NetlinkMessage.builder(type).flags(Netlink.NLM_F_REQUEST | extraFlags).seq(seq)
                .pid(socket.portId()).payload(payload).build());
        return seq;
    }

    /** Sends {@code request} as a REQUEST whose kchan seq is the netlink seq; returns that seq. */
    int sendRequest(KchanMessage request) {
        int seq = lastSeq + 1;
        return send(KchanProtocol.RAW_MSG_REQUEST, 0, MessageCodec.toByteArray(request.withSeq(seq)));
    }

    /**
     * Sends {@code requests} as REQUESTs back to back in one datagram, which the kernel's input
     * takes in one go; returns their seqs, in order.
     */
    int[] sendRequestsInOneDatagram(List<KchanMessage> requests) {
        List<NetlinkMessage> messages = new ArrayList<>();
        int[] seqs = new int[requests.size()];
        for (int i = 0; i < seqs.length; i++) {
            seqs[i] = ++lastSeq;
            messages.add(NetlinkMessage.builder(KchanProtocol.RAW_MSG_REQUEST).flags(Netlink.NLM_F_REQUEST)
                    .seq(seqs[i]).pid(socket.portId())
                    .payload(MessageCodec.toByteArray(requests.get(i).withSeq(seqs[i]))).build());
        }
        socket.send(ByteBuffer.wrap(NetlinkCodec.encode(messages)));
        return seqs;
    }

    /** The REPLY or {@code NLMSG_ERROR} carrying {@code seq}, receiving (and keeping events) as needed. */
    NetlinkMessage awaitAnswer(int seq) {
        long deadline = System.nanoTime() + ANSWER_WAIT.toNanos();
        while (true) {
            for (Iterator<NetlinkMessage> it = answers.iterator(); it.hasNext();) {
                NetlinkMessage message = it.next();
                if (message.seq() == seq) {
                    it.remove();
                    return message;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || !receiveOnce(Duration.ofNanos(left))) {
                throw new AssertionError("no answer to nlmsg_seq " + seq + " in " + ANSWER_WAIT + " on port "
                        + Integer.toUnsignedString(portId()));
            }
        }
    }

    /**
     * Sends {@code request} and returns the kchan message of its REPLY, whatever its status, after
     * checking that it answers the request (REPLY flag, cmd, seq) and names this socket's port.
     *
     * @throws AssertionError if the kernel answered with {@code NLMSG_ERROR} instead
     */
    KchanMessage call(KchanMessage request) {
        int seq = sendRequest(request);
        NetlinkMessage answer = awaitAnswer(seq);
        if (answer.type() != KchanProtocol.RAW_MSG_REPLY) {
            throw new AssertionError(request + " was answered with " + answer
                    + (answer.isError() ? " " + NetlinkError.of(answer) : ""));
        }
        if (answer.pid() != portId() || answer.flags() != 0) {
            throw new AssertionError("REPLY header: " + answer + ", expected pid " + Integer.toUnsignedString(portId())
                    + " and no flags");
        }
        KchanMessage reply = MessageCodec.decode(answer.payloadBytes());
        KchanReplies.requireAnswers(request.withSeq(seq), reply);
        return reply;
    }

    /** {@link #call} that also requires status 0, else throws the api's typed exception. */
    KchanMessage callOk(KchanMessage request) {
        return KchanReplies.requireSuccess(call(request), TRANSPORT);
    }

    /** Sends a message that the kernel answers with {@code NLMSG_ERROR} only, and returns that status. */
    NetlinkError status(int type, int extraFlags, byte[] payload) {
        NetlinkMessage answer = awaitAnswer(send(type, extraFlags, payload));
        if (!answer.isError()) {
            throw new AssertionError("message type " + type + " was answered with " + answer + ", not NLMSG_ERROR");
        }
        return NetlinkError.of(answer);
    }

    /** HELLO with {@code NLM_F_ACK}: the ack, or the error. */
    NetlinkError hello() {
        return status(KchanProtocol.RAW_MSG_HELLO, Netlink.NLM_F_ACK, new byte[0]);
    }

    /** BYE with {@code NLM_F_ACK}: the ack, or the error. */
    NetlinkError bye() {
        return status(KchanProtocol.RAW_MSG_BYE, Netlink.NLM_F_ACK, new byte[0]);
    }

    /**
     * The next pushed EVENT message, waiting up to {@code timeout}; its netlink header is checked
     * (type EVENT, seq 0, pid 0, no flags).
     */
    Optional<KchanEvent> nextEvent(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (events.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !receiveOnce(Duration.ofNanos(left))) {
                return Optional.empty();
            }
        }
        NetlinkMessage message = events.poll();
        if (message.seq() != 0 || message.pid() != 0 || message.flags() != 0) {
            throw new AssertionError("EVENT header: " + message + ", expected seq 0, pid 0, no flags");
        }
        return Optional.of(KchanEvent.from(MessageCodec.decode(message.payloadBytes())));
    }

    /** The next EVENT, which must come within {@link #ANSWER_WAIT}. */
    KchanEvent nextEvent() {
        return nextEvent(ANSWER_WAIT).orElseThrow(() -> new AssertionError("no event in " + ANSWER_WAIT
                + " on port " + Integer.toUnsignedString(portId())));
    }

    /** Receives one datagram within {@code timeout}; false if none came. */
    private boolean receiveOnce(Duration timeout) {
        Optional<Datagram> received = socket.receive(timeout);
        if (received.isEmpty()) {
            return false;
        }
        Datagram datagram = received.get();
        if (!datagram.fromKernel() || datagram.groups() != 0) {
            throw new AssertionError("unexpected " + datagram + " on the raw unit");
        }
        for (NetlinkMessage message : datagram.messages()) {
            if (message.type() == KchanProtocol.RAW_MSG_EVENT) {
                events.add(message);
            } else {
                answers.add(message);
            }
        }
        return true;
    }

    @Override
    public void close() {
        socket.close();
    }
}
