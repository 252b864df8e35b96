// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import dev.kchannel.api.error.CallTimeoutException;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests and dumps over a {@link NetlinkSocket}: numbers each request, waits for the messages
 * that answer it, and turns {@code NLMSG_ERROR}s into the api's exceptions.
 *
 * <h2>Matching replies to requests</h2>
 * Each request gets the next sequence number and the socket's port id. A received message answers
 * it only if it came from the kernel (sender port 0) by unicast, carries that sequence number, and
 * carries this socket's port id (or 0). Everything else is skipped and counted in
 * {@link #skippedMessages()}: late replies to requests that timed out, and kernel notifications,
 * which carry the sequence number and port id of whichever socket caused them, so a sequence
 * number alone could match another program's request. A socket used for requests should not also
 * join multicast groups: notifications for groups above 32 cannot be told from replies by their
 * address, so subscribe on a socket of their own.
 *
 * <h2>Requests and dumps</h2>
 * {@link #request(NetlinkMessage)} sets {@code NLM_F_REQUEST | NLM_F_ACK} and returns the reply,
 * or the acknowledgement when the kernel sends no reply. Protocol units whose kernel side never
 * acknowledges are served by {@link NetlinkSocket} directly. {@link #dump(NetlinkMessage)} sets
 * {@code NLM_F_REQUEST | NLM_F_DUMP} and returns a lazy stream of the parts, received as the stream
 * is consumed, ending at {@code NLMSG_DONE}. An attempt the kernel flags {@code NLM_F_DUMP_INTR}
 * is dumped again from the start, up to {@link DumpOptions#attempts()} times, then the stream
 * throws {@link DumpInterruptedException}; by default no part of an interrupted attempt is ever
 * handed out ({@link DumpOptions.Delivery}). Timeouts bound each wait: the whole request, or each
 * message of a dump.
 *
 * <h2>Threads</h2>
 * One operation at a time: calls are serialised, and starting a request or dump while an earlier
 * dump is unfinished first reads that dump to its end and discards it (its stream then throws
 * {@link IllegalStateException}), because the kernel answers one dump at a time per socket. Close
 * dump streams early with {@link Stream#close()} (try-with-resources). {@link #close()} may be
 * called from any thread and wakes a waiting call, which throws {@link ChannelClosedException}.
 */
public final class NetlinkConnection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NetlinkConnection.class);

    /** How long a call waits for the kernel unless told otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final DatagramIo io;
    private final NetlinkSocket socket;
    private final ReentrantLock operationLock = new ReentrantLock();
    private final ArrayDeque<NetlinkMessage> pending = new ArrayDeque<>();
    private final AtomicLong skipped = new AtomicLong();
    private volatile Duration timeout = DEFAULT_TIMEOUT;
    private int lastSeq;
    private DumpCursor activeDump;

    private NetlinkConnection(NetlinkSocket socket) {
        this(socket, socket);
    }

    /** Over any datagram I/O; {@code socket} is what {@link #socket()} returns, null in tests. */
    NetlinkConnection(DatagramIo io, NetlinkSocket socket) {
        this.io = io;
        this.socket = socket;
    }

    /**
     * Opens a socket on {@code protocol} with {@code NETLINK_EXT_ACK} (errors carry the kernel's
     * message and the offending attribute) and {@code NETLINK_CAP_ACK} (errors do not echo the
     * whole request; the connection keeps what it sent) turned on where the kernel has them.
     */
    public static NetlinkConnection open(int protocol) {
        return new NetlinkConnection(openForRequests(protocol));
    }

    /**
     * {@link #open(int)} for a protocol whose datagrams are at most {@code largestDatagram} bytes:
     * each is received with one system call ({@link NetlinkSocket#setLargestDatagram}).
     */
    public static NetlinkConnection open(int protocol, int largestDatagram) {
        NetlinkSocket socket = openForRequests(protocol);
        try {
            socket.setLargestDatagram(largestDatagram);
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
        return new NetlinkConnection(socket);
    }

    /**
     * A socket on {@code protocol} with {@code NETLINK_EXT_ACK} and {@code NETLINK_CAP_ACK} on where
     * the kernel has them: what every connection sends its requests on.
     */
    static NetlinkSocket openForRequests(int protocol) {
        NetlinkSocket socket = NetlinkSocket.open(protocol);
        try {
            enableIfSupported(socket::setExtendedAck, "NETLINK_EXT_ACK");
            enableIfSupported(socket::setCapAck, "NETLINK_CAP_ACK");
            return socket;
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Requests and dumps over {@code socket}, as it is configured; the connection closes it. */
    public static NetlinkConnection over(NetlinkSocket socket) {
        return new NetlinkConnection(Objects.requireNonNull(socket, "socket"));
    }

    private static void enableIfSupported(java.util.function.Consumer<Boolean> option, String name) {
        try {
            option.accept(true);
        } catch (KernelErrorException e) {
            if (e.errno() != Errno.ENOPROTOOPT) {
                throw e;
            }
            LOG.debug("kernel has no {}; errors will carry less detail", name);
        }
    }

    /** The socket underneath, for its options; do not receive from it while using the connection. */
    public NetlinkSocket socket() {
        if (socket == null) {
            throw new IllegalStateException("this connection runs over scripted I/O, not a socket");
        }
        return socket;
    }

    /** How long each call waits for the kernel; {@link #DEFAULT_TIMEOUT} unless changed. */
    public Duration timeout() {
        return timeout;
    }

    /** Sets how long each call waits for the kernel: a request in all, a dump for each part. */
    public void setTimeout(Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("timeout " + value + " is not positive");
        }
        this.timeout = value;
    }

    /** Messages received and skipped since opening because they answered no call in progress. */
    public long skippedMessages() {
        return skipped.get();
    }

    // ---- request ----------------------------------------------------------------------------

    /** {@link #request(NetlinkMessage, String)} naming the operation after the message type. */
    public NetlinkMessage request(NetlinkMessage request) {
        return request(request, null);
    }

    /**
     * Sends {@code request} with {@code NLM_F_REQUEST | NLM_F_ACK} (its sequence number and port id
     * replaced by the connection's) and waits for the answer.
     *
     * @param operation what the request does, for messages, such as {@code RTM_GETLINK}; null to
     *     name the message type
     * @return the kernel's reply, or its acknowledgement ({@code NLMSG_ERROR} with error 0, see
     *     {@link NetlinkError#of}) when it sent no reply
     * @throws KernelErrorException (or a subclass chosen by errno) when the kernel refuses, with
     *     its extended-ack message and the offending attribute
     * @throws CallTimeoutException if the answer does not come within {@link #timeout()}
     * @throws MalformedMessageException if the kernel's bytes are malformed, or the kernel sent
     *     several replies (use {@link #dump} for those)
     * @throws ChannelClosedException if the connection is closed, before or during the call
     */
    public NetlinkMessage request(NetlinkMessage request, String operation) {
        operationLock.lock();
        try {
            finishAbandonedDump();
            Sent sent = send(request, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK,
                    operation != null ? operation : "request type " + request.type());
            long deadline = System.nanoTime() + timeout.toNanos();
            NetlinkMessage reply = null;
            int replies = 0;
            while (true) {
                NetlinkMessage message = nextAnswer(sent, deadline);
                if (message.isError()) {
                    NetlinkError status = NetlinkError.of(message);
                    if (!status.isAck()) {
                        throw status.toException(sent.operation, sent.bytes);
                    }
                    if (replies > 1) {
                        throw new MalformedMessageException(Reason.UNEXPECTED_MESSAGE, -1, sent.operation + " got "
                                + replies + " replies where one was expected; use dump() for multi-part answers")
                                .withTransport(Syscalls.TRANSPORT);
                    }
                    return reply != null ? reply : message;
                }
                if (message.isDone()) {
                    // A multi-part reply to a plain request ends like a dump, then comes the ack.
                    NetlinkError status = NetlinkError.of(message);
                    if (!status.isSuccess()) {
                        throw status.toException(sent.operation, sent.bytes);
                    }
                    continue;
                }
                replies++;
                if (reply == null) {
                    reply = message;
                }
            }
        } finally {
            operationLock.unlock();
        }
    }

    /**
     * Sends {@code request} with {@code NLM_F_REQUEST} only (no {@code NLM_F_ACK}) and returns the
     * first message that answers it: for protocol units whose kernel side answers each request with
     * exactly one message of its own and acknowledges nothing, such as kchan_netlink's raw unit,
     * which queues a request and replies later, so an early ack would say nothing.
     *
     * @param operation what the request does, for messages; null to name the message type
     * @return the kernel's answer ({@code NLMSG_ERROR} with error 0 included, if the kernel sends one)
     * @throws KernelErrorException when the answer is an {@code NLMSG_ERROR} with an errno, with its
     *     extended-ack message and the offending attribute
     * @throws CallTimeoutException if no answer comes within {@link #timeout()}
     * @throws MalformedMessageException if the kernel's bytes are malformed
     * @throws ChannelClosedException if the connection is closed, before or during the call
     */
    public NetlinkMessage exchange(NetlinkMessage request, String operation) {
        operationLock.lock();
        try {
            finishAbandonedDump();
            Sent sent = send(request, Netlink.NLM_F_REQUEST,
                    operation != null ? operation : "request type " + request.type());
            NetlinkMessage answer = nextAnswer(sent, System.nanoTime() + timeout.toNanos());
            if (answer.isError()) {
                NetlinkError status = NetlinkError.of(answer);
                if (!status.isAck()) {
                    throw status.toException(sent.operation, sent.bytes);
                }
            }
            return answer;
        } finally {
            operationLock.unlock();
        }
    }

    // ---- dump -------------------------------------------------------------------------------

    /** {@link #dump(NetlinkMessage, String)} naming the operation after the message type. */
    public Stream<NetlinkMessage> dump(NetlinkMessage request) {
        return dump(request, null);
    }

    /** {@link #dump(NetlinkMessage, String, DumpOptions)} with {@link DumpOptions#defaults()}. */
    public Stream<NetlinkMessage> dump(NetlinkMessage request, String operation) {
        return dump(request, operation, DumpOptions.defaults());
    }

    /**
     * Sends {@code request} with {@code NLM_F_REQUEST | NLM_F_DUMP} and returns the parts of the
     * answer, {@code NLMSG_DONE} excluded. The request is sent now; the answer is received as the
     * stream is consumed. An attempt the kernel flags {@code NLM_F_DUMP_INTR} is dumped again, as
     * {@code options} say: by default the parts of an attempt are handed out only once the kernel
     * ended it without the flag, so the stream yields one consistent dump or throws. Errors
     * surface from the stream's terminal operation: {@link KernelErrorException} when the kernel
     * refuses the dump or it fails midway, {@link DumpInterruptedException} when every attempt was
     * interrupted, {@link CallTimeoutException} when a message takes longer than
     * {@link #timeout()}.
     *
     * <p>Close the stream if it is not consumed to the end: closing reads and discards the rest.
     */
    public Stream<NetlinkMessage> dump(NetlinkMessage request, String operation, DumpOptions options) {
        Objects.requireNonNull(options, "options");
        operationLock.lock();
        try {
            finishAbandonedDump();
            String name = operation != null ? operation : "dump type " + request.type();
            DumpCursor cursor = new DumpCursor(request, name, options);
            activeDump = cursor;
            Spliterator<NetlinkMessage> parts = Spliterators.spliteratorUnknownSize(cursor,
                    Spliterator.ORDERED | Spliterator.NONNULL);
            return StreamSupport.stream(parts, false).onClose(cursor::closeEarly);
        } finally {
            operationLock.unlock();
        }
    }

    /** Reads one dump's parts on demand; all its methods run under the operation lock. */
    private final class DumpCursor implements java.util.Iterator<NetlinkMessage>, DumpAttempts.Sink {
        private final NetlinkMessage request;
        private final String operation;
        private final DumpAttempts attempts;
        private final ArrayDeque<NetlinkMessage> ready = new ArrayDeque<>();
        private Sent sent;
        private KchannelException failure;
        private boolean finished;
        private boolean abandoned;
        private boolean draining;
        private int taken;

        DumpCursor(NetlinkMessage request, String operation, DumpOptions options) {
            this.request = request;
            this.operation = operation;
            this.attempts = new DumpAttempts(operation, options, () -> sent.bytes);
            again();
        }

        @Override
        public boolean hasNext() {
            operationLock.lock();
            try {
                if (abandoned) {
                    throw new IllegalStateException(operation + " was abandoned: a later call on this"
                            + " connection read it to its end and discarded it");
                }
                while (ready.isEmpty() && !finished) {
                    advance();
                }
                if (!ready.isEmpty()) {
                    return true;
                }
                if (failure != null) {
                    KchannelException thrown = failure;
                    failure = null;
                    throw thrown;
                }
                return false;
            } finally {
                operationLock.unlock();
            }
        }

        @Override
        public NetlinkMessage next() {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException(operation + " has no more parts");
            }
            taken++;
            return ready.poll();
        }

        /** Receives the next message of the dump and lets {@link DumpAttempts} decide. */
        private void advance() {
            try {
                NetlinkMessage message = nextAnswer(sent, System.nanoTime() + timeout.toNanos());
                if (attempts.accept(message, this)) {
                    finish();
                }
            } catch (RuntimeException e) {
                // Whatever broke the dump (timeout, bad bytes, closed socket) also ends it.
                finish();
                throw e;
            }
        }

        // ---- DumpAttempts.Sink ----

        @Override
        public void part(NetlinkMessage part) {
            ready.add(part);
        }

        @Override
        public void end() {
            // Nothing to do: finish() follows.
        }

        @Override
        public void fail(KchannelException error) {
            failure = error;
        }

        @Override
        public void again() {
            if (sent != null) {
                LOG.debug("{} was interrupted (NLM_F_DUMP_INTR); dumping again, attempt {}", operation,
                        attempts.attempt());
            }
            sent = send(request, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, operation);
        }

        @Override
        public int taken() {
            return taken;
        }

        @Override
        public void dropUntaken() {
            ready.clear();
        }

        @Override
        public boolean abandoned() {
            return draining;
        }

        private void finish() {
            finished = true;
            if (activeDump == this) {
                activeDump = null;
            }
        }

        /** Called with the operation lock held, by the next call, when this dump was left unfinished. */
        void drainAbandoned() {
            abandoned = true;
            drain();
        }

        /** The stream's close: reads and discards what is left, so the socket is ready for more. */
        void closeEarly() {
            operationLock.lock();
            try {
                drain();
            } finally {
                operationLock.unlock();
            }
        }

        private void drain() {
            draining = true;
            ready.clear();
            while (!finished) {
                try {
                    advance();
                    ready.clear();
                } catch (ChannelClosedException e) {
                    return;
                } catch (KchannelException e) {
                    // What ends the dump badly (a timeout, bad bytes) leaves no reader to tell.
                    LOG.debug("discarded the end of an unfinished {}: {}", operation, e.getMessage());
                }
            }
            if (failure != null) {
                // The dump's own ending (an error, an interrupted dump) no longer has a reader.
                LOG.debug("discarded the end of an unfinished {}: {}", operation, failure.getMessage());
                failure = null;
            }
        }
    }

    private void finishAbandonedDump() {
        if (activeDump != null) {
            LOG.debug("reading the rest of the unfinished {} before the next call", activeDump.operation);
            activeDump.drainAbandoned();
        }
    }

    // ---- the exchange -----------------------------------------------------------------------

    /** A request as it went out: its sequence number and bytes, kept to explain errors. */
    private static final class Sent {
        final int seq;
        final byte[] bytes;
        final String operation;

        Sent(int seq, byte[] bytes, String operation) {
            this.seq = seq;
            this.bytes = bytes;
            this.operation = operation;
        }
    }

    private Sent send(NetlinkMessage request, int flags, String operation) {
        int seq = nextSeq();
        NetlinkMessage numbered = request.withSeqAndPid(seq, io.portId()).withFlags(request.flags() | flags);
        byte[] bytes = numbered.encode();
        io.send(ByteBuffer.wrap(bytes));
        return new Sent(seq, bytes, operation);
    }

    /** Sequence numbers count from 1 and skip 0, which notifications use. */
    private int nextSeq() {
        lastSeq++;
        if (lastSeq == 0) {
            lastSeq = 1;
        }
        return lastSeq;
    }

    /**
     * The next message that answers {@code sent}, receiving datagrams as needed and skipping
     * (and counting) those that answer nothing in progress.
     */
    private NetlinkMessage nextAnswer(Sent sent, long deadline) {
        while (true) {
            if (pending.isEmpty()) {
                receiveInto(sent, deadline);
                continue;
            }
            NetlinkMessage message = pending.poll();
            if (!ReplyMatcher.answers(message, sent.seq, io.portId())) {
                skip(message, "seq " + Integer.toUnsignedString(message.seq()) + " pid "
                        + Integer.toUnsignedString(message.pid()) + " does not answer " + sent.operation);
                continue;
            }
            if (message.type() == Netlink.NLMSG_NOOP) {
                continue;
            }
            if (message.type() == Netlink.NLMSG_OVERRUN) {
                throw KernelErrorException.forErrno(Errno.ENOBUFS).transport(Syscalls.TRANSPORT)
                        .operation(sent.operation + " (NLMSG_OVERRUN: data was lost)").build();
            }
            return message;
        }
    }

    private void receiveInto(Sent sent, long deadline) {
        Optional<Datagram> received = io.receive(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        if (received.isEmpty()) {
            throw new CallTimeoutException(Syscalls.TRANSPORT, sent.operation, timeout);
        }
        Datagram datagram = received.get();
        if (!ReplyMatcher.mayHoldReplies(datagram)) {
            // Not a reply: from another program's socket, or a multicast notification.
            skipped.incrementAndGet();
            LOG.debug("skipped {}: not a unicast from the kernel", datagram);
            return;
        }
        pending.addAll(datagram.messages());
    }

    private void skip(NetlinkMessage message, String why) {
        skipped.incrementAndGet();
        LOG.debug("skipped {}: {}", message, why);
    }

    /**
     * Closes the connection and its socket; a call waiting in another thread wakes and throws
     * {@link ChannelClosedException}. Idempotent.
     */
    @Override
    public void close() {
        io.close();
    }
}
