// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import dev.kchannel.api.error.ChannelClosedException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A stand-in for the kernel end of a socket: each request sent is answered with the datagrams a
 * script returns, and receives hand them out in order, then time out at once. Lets tests send what
 * a real kernel cannot be made to send on demand.
 */
final class ScriptedKernel implements DatagramIo {

    static final int PORT = 4242;

    private final ArrayDeque<Datagram> queue = new ArrayDeque<>();
    private final List<NetlinkMessage> requests = new ArrayList<>();
    private final List<byte[]> sentBytes = new ArrayList<>();
    private Function<NetlinkMessage, List<byte[]>> script = request -> List.of();
    private int receives;
    private boolean closed;

    /** Answers each request with these datagrams (kernel unicasts). */
    ScriptedKernel answering(Function<NetlinkMessage, List<byte[]>> answers) {
        this.script = answers;
        return this;
    }

    /** Queues a datagram now, as if it had arrived before anything was sent. */
    ScriptedKernel queue(int senderPort, int groups, byte[] bytes) {
        queue.add(Datagram.of(senderPort, groups, bytes));
        return this;
    }

    List<NetlinkMessage> requests() {
        return requests;
    }

    byte[] lastSentBytes() {
        return sentBytes.get(sentBytes.size() - 1);
    }

    int receives() {
        return receives;
    }

    int queued() {
        return queue.size();
    }

    @Override
    public int portId() {
        return PORT;
    }

    @Override
    public void send(ByteBuffer datagram) {
        requireOpen();
        byte[] bytes = new byte[datagram.remaining()];
        datagram.duplicate().get(bytes);
        sentBytes.add(bytes);
        for (NetlinkMessage request : NetlinkCodec.decode(bytes)) {
            requests.add(request);
            for (byte[] answer : script.apply(request)) {
                queue.add(Datagram.of(0, 0, answer));
            }
        }
    }

    @Override
    public Optional<Datagram> receive(Duration timeout) {
        requireOpen();
        receives++;
        return Optional.ofNullable(queue.poll());
    }

    @Override
    public boolean awaitReadable(Duration timeout) {
        throw new UnsupportedOperationException("a NetlinkConnection receives, it does not wait for readable");
    }

    @Override
    public int tryReceive(DatagramVisitor visitor, DatagramFilter filter) {
        throw new UnsupportedOperationException("a NetlinkConnection receives with a timeout");
    }

    @Override
    public void joinGroup(int group) {
        throw new UnsupportedOperationException("a scripted NetlinkConnection never joins groups");
    }

    @Override
    public void close() {
        closed = true;
    }

    private void requireOpen() {
        if (closed) {
            throw new ChannelClosedException("netlink");
        }
    }

    // ---- answers, written from the C layouts ----------------------------------------------

    /** A reply message of {@code type} to {@code request}, with {@code payload}. */
    static byte[] reply(NetlinkMessage request, int type, int flags, byte[] payload) {
        return Wire.message(type, flags, request.seq(), PORT, payload);
    }

    /** An NLMSG_ERROR with error 0 (capped, as the kernel sends acks). */
    static byte[] ack(NetlinkMessage request) {
        return error(request, 0, new byte[0]);
    }

    /** An NLMSG_ERROR, capped, with the extended-ack attributes {@code tlvs} if any. */
    static byte[] error(NetlinkMessage request, int error, byte[] tlvs) {
        int flags = Netlink.NLM_F_CAPPED | (tlvs.length > 0 ? Netlink.NLM_F_ACK_TLVS : 0);
        byte[] payload = Wire.bytes().u32(error)
                .nlmsghdr(request.length(), request.type(), request.flags(), request.seq(), request.pid())
                .raw(tlvs).toArray();
        return Wire.message(Netlink.NLMSG_ERROR, flags, request.seq(), PORT, payload);
    }

    /** The NLMSG_DONE that ends a dump, with its status. */
    static byte[] done(NetlinkMessage request, int flags, int status) {
        return Wire.message(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI | flags, request.seq(), PORT,
                Wire.bytes().u32(status).toArray());
    }

    /** A dump part carrying {@code marker} as its one-byte payload. */
    static byte[] part(NetlinkMessage request, int flags, int marker) {
        return Wire.message(request.type(), Netlink.NLM_F_MULTI | flags, request.seq(), PORT, new byte[] {(byte) marker});
    }
}
