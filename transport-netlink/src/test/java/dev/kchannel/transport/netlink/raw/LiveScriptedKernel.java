// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import dev.kchannel.api.error.ChannelClosedException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The kernel end of a socket for a {@link MultiplexedConnection}, whose reader thread blocks in
 * {@link #receive}: each request sent is answered with what a script returns, at once or, while
 * {@link #hold()} is on, when the test {@link #release()}s the answers (in any order it likes).
 * It can also deliver multicasts, malformed datagrams and receive errors on cue, and {@link #close}
 * wakes a blocked receive as a real socket does. Thread-safe.
 */
public final class LiveScriptedKernel implements DatagramIo {

    private static final Object CLOSED = new Object();

    private final int port;
    /** What the socket would receive, in order; guarded by its own monitor. */
    private final ArrayDeque<Object> inbox = new ArrayDeque<>();
    private final List<NetlinkMessage> requests = new ArrayList<>();
    /** The answers held, one list per request. */
    private final List<List<byte[]>> held = new ArrayList<>();
    private final List<Integer> groups = new ArrayList<>();
    private final Function<NetlinkMessage, List<byte[]>> script;
    private boolean holding;
    private volatile boolean closed;

    /** A socket bound to {@code port} whose kernel answers each request with what {@code script} returns. */
    public LiveScriptedKernel(int port, Function<NetlinkMessage, List<byte[]>> script) {
        this.port = port;
        this.script = script;
    }

    /** From now on answers wait for {@link #release()}. */
    public synchronized LiveScriptedKernel hold() {
        holding = true;
        return this;
    }

    /** Delivers the answers held so far, in the order they were made, and stops holding. */
    public void release() {
        releaseInOrder(false);
    }

    /** Delivers the answers held so far, in order, and goes on holding those of later requests. */
    public void releaseHeldSoFar() {
        List<List<byte[]>> answers;
        synchronized (this) {
            answers = new ArrayList<>(held);
            held.clear();
        }
        answers.forEach(each -> each.forEach(answer -> add(Datagram.of(0, 0, answer))));
    }

    /** Delivers the answers held so far, the last request's first (each request's in order), and stops holding. */
    public void releaseReversed() {
        releaseInOrder(true);
    }

    private void releaseInOrder(boolean reversed) {
        List<List<byte[]>> answers;
        synchronized (this) {
            holding = false;
            answers = new ArrayList<>(held);
            held.clear();
        }
        if (reversed) {
            java.util.Collections.reverse(answers);
        }
        answers.forEach(each -> each.forEach(answer -> add(Datagram.of(0, 0, answer))));
    }

    /** Requests whose answers are held now. */
    public synchronized int heldAnswers() {
        return held.size();
    }

    /** Delivers a datagram now, as the kernel (port 0) would. */
    public void deliver(int groupMask, byte[] bytes) {
        add(Datagram.of(0, groupMask, bytes));
    }

    /** Makes the next receive throw {@code failure}, as recvfrom's errors do. */
    public void failNextReceive(RuntimeException failure) {
        add(failure);
    }

    /** Every request received so far. */
    public synchronized List<NetlinkMessage> requests() {
        return List.copyOf(requests);
    }

    /** Multicast groups joined. */
    public synchronized List<Integer> groups() {
        return List.copyOf(groups);
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public int portId() {
        return port;
    }

    @Override
    public void send(ByteBuffer datagram) {
        if (closed) {
            throw new ChannelClosedException("netlink");
        }
        byte[] bytes = new byte[datagram.remaining()];
        datagram.duplicate().get(bytes);
        for (NetlinkMessage request : NetlinkCodec.decode(bytes)) {
            List<byte[]> answers = script.apply(request);
            synchronized (this) {
                requests.add(request);
                if (holding) {
                    held.add(answers);
                    continue;
                }
            }
            answers.forEach(answer -> add(Datagram.of(0, 0, answer)));
        }
    }

    @Override
    public Optional<Datagram> receive(Duration timeout) {
        // As NetlinkSocket: a timeout too long for nanoseconds is for ever (bounded here for tests).
        long nanos = timeout.compareTo(Duration.ofMinutes(10)) > 0 ? TimeUnit.MINUTES.toNanos(10) : timeout.toNanos();
        long deadline = System.nanoTime() + nanos;
        synchronized (inbox) {
            while (true) {
                Object next = inbox.peek();
                if (next == CLOSED || closed) {
                    throw new ChannelClosedException("netlink");
                }
                if (next != null) {
                    inbox.poll();
                    if (next instanceof RuntimeException) {
                        throw (RuntimeException) next;
                    }
                    return Optional.of((Datagram) next);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                waitFor(left);
            }
        }
    }

    @Override
    public boolean awaitReadable(Duration timeout) {
        // As NetlinkSocket: a timeout too long for nanoseconds is for ever (bounded here for tests).
        long nanos = timeout.compareTo(Duration.ofMinutes(10)) > 0 ? TimeUnit.MINUTES.toNanos(10) : timeout.toNanos();
        long deadline = System.nanoTime() + nanos;
        synchronized (inbox) {
            while (true) {
                if (closed) {
                    throw new ChannelClosedException("netlink");
                }
                if (!inbox.isEmpty()) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                waitFor(left);
            }
        }
    }

    /**
     * As a socket does: errors come first, whoever asks; a datagram is taken only if the filter
     * wants it, seeing its sender and first sequence number.
     */
    @Override
    public int tryReceive(DatagramVisitor visitor, DatagramFilter filter) {
        Datagram datagram;
        synchronized (inbox) {
            if (closed) {
                throw new ChannelClosedException("netlink");
            }
            Object next = inbox.peek();
            if (next == null) {
                return NetlinkSocket.EMPTY;
            }
            if (next instanceof RuntimeException) {
                inbox.poll();
                throw (RuntimeException) next;
            }
            datagram = (Datagram) next;
            ByteBuffer bytes = datagram.bytes();
            int firstSeq = bytes.remaining() >= Netlink.NLMSG_HDRLEN ? bytes.getInt(8) : 0;
            if (!filter.takes(datagram.senderPort(), datagram.groups(), firstSeq)) {
                return NetlinkSocket.LEFT;
            }
            inbox.poll();
        }
        visitor.visit(datagram.senderPort(), datagram.groups(), datagram.bytes());
        return NetlinkSocket.TAKEN;
    }

    private void waitFor(long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedWait(inbox, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void add(Object item) {
        synchronized (inbox) {
            inbox.add(item);
            inbox.notifyAll();
        }
    }

    @Override
    public synchronized void joinGroup(int group) {
        groups.add(group);
    }

    @Override
    public void close() {
        closed = true;
        add(CLOSED);
    }

    // ---- answers, from the C layouts ----------------------------------------------------------

    /** A reply of {@code type} to {@code request} carrying {@code payload}, from port {@code port}. */
    public static byte[] reply(NetlinkMessage request, int type, byte[] payload) {
        return Wire.message(type, 0, request.seq(), request.pid(), payload);
    }

    /** The capped acknowledgement of {@code request}. */
    public static byte[] ack(NetlinkMessage request) {
        return error(request, 0, new byte[0]);
    }

    /** An NLMSG_ERROR with {@code error} and extended-ack attributes {@code tlvs}. */
    public static byte[] error(NetlinkMessage request, int error, byte[] tlvs) {
        int flags = Netlink.NLM_F_CAPPED | (tlvs.length > 0 ? Netlink.NLM_F_ACK_TLVS : 0);
        byte[] payload = Wire.bytes().u32(error)
                .nlmsghdr(request.length(), request.type(), request.flags(), request.seq(), request.pid())
                .raw(tlvs).toArray();
        return Wire.message(Netlink.NLMSG_ERROR, flags, request.seq(), request.pid(), payload);
    }

    /** A dump part carrying {@code marker} as its one-byte payload. */
    public static byte[] part(NetlinkMessage request, int flags, int marker) {
        return Wire.message(request.type(), Netlink.NLM_F_MULTI | flags, request.seq(), request.pid(),
                new byte[] {(byte) marker});
    }

    /** The NLMSG_DONE that ends a dump, with status 0. */
    public static byte[] done(NetlinkMessage request, int flags) {
        return Wire.message(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI | flags, request.seq(), request.pid(),
                Wire.bytes().u32(0).toArray());
    }
}
