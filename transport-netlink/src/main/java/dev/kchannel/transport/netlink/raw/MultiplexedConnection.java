// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import dev.kchannel.api.error.CallTimeoutException;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.MalformedMessageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests and dumps from any number of threads over one shared netlink socket, matched to their
 * callers by sequence number: the model of a userspace netlink client that many threads use at
 * once without a socket each.
 *
 * <h2>How replies find their caller</h2>
 * Each request gets a sequence number of its own and the socket's port id, and waits in a table
 * under that number. One reader thread, {@code kchan-netlink-reader}, receives every datagram and
 * hands each message to the call waiting for its sequence number: replies, dump parts,
 * {@code NLMSG_DONE} and {@code NLMSG_ERROR} alike. As in {@link NetlinkConnection}, a message
 * counts only if it came from the kernel by unicast and carries this socket's port id (or 0).
 * A reply nobody waits for any more (its call timed out or was cancelled) is dropped, counted in
 * {@link #lateReplies()} and logged at debug level. Multicast datagrams (from groups joined with
 * {@link #joinGroup(int)}, such as nlctrl's {@code notify}) go to the
 * {@linkplain #onMulticast multicast listener}; a group above 32 cannot be told from a reply by
 * its address, so join only groups 1..32 here.
 *
 * <h2>Asynchronous by construction</h2>
 * {@link #requestAsync} returns at once: no thread waits for a pending call. The reader completes
 * the future. A caller that is going to wait anyway ({@link #request}, {@link #requestWaiting})
 * reads the socket itself while nobody else does, taking only replies to calls whose callers wait:
 * a synchronous kernel handler has queued the answer by the time the request is sent, so the
 * common case costs no hand-over between threads. A timekeeper thread,
 * {@code kchan-netlink-deadlines}, fails a call with
 * {@link CallTimeoutException} at its deadline; {@link CompletableFuture#cancel cancelling} it
 * forgets its sequence number at once. Futures complete on those threads: chain blocking work with
 * an {@code ...Async} stage, and never call {@link #request} from a completion stage (it would
 * wait for the thread it runs on, so it throws {@link IllegalStateException} there). At most
 * {@link #DEFAULT_MAX_IN_FLIGHT} requests are outstanding at once, so that a burst cannot outgrow
 * the receive buffer; later ones wait their turn in a queue, their deadline running.
 *
 * <h2>Dumps</h2>
 * The kernel runs one dump at a time per socket (a second one gets {@code EBUSY}), so dumps take
 * turns: each is sent when the one before it has ended, while requests go on around it. Parts
 * are delivered as {@link DumpOptions} say and retried on {@code NLM_F_DUMP_INTR} like
 * {@link NetlinkConnection#dump(NetlinkMessage, String, DumpOptions)}. A dump's timeout bounds the
 * wait for each message of it, counted from when it is sent.
 *
 * <h2>When the socket cannot be trusted</h2>
 * A receive that fails ({@code ENOBUFS}: the receive queue overflowed and replies were lost) or
 * returns bytes that are not whole netlink messages leaves no way to know which replies are
 * missing. The connection then fails every call waiting on the socket with
 * {@link ConnectionResetException}, opens a fresh socket (joining the same groups) and goes on;
 * requests queued but not yet sent are sent on the new socket. {@link #resets()} counts this.
 *
 * <h2>Allocation</h2>
 * Requests are encoded straight into one reused direct buffer, sequence number and port id
 * written in place; datagrams are received into the socket's reused direct buffer and read in
 * place ({@link NetlinkSocket#receive(Duration, DatagramVisitor)}). What a call costs is its
 * bookkeeping (the future) and one copy of each message handed to it; acknowledgements, late
 * replies and skipped messages are never copied.
 *
 * <h2>Closing</h2>
 * {@link #close()} may come from any thread: every pending and queued call fails with
 * {@link ChannelClosedException}, the reader wakes and ends, and later calls throw it. It returns
 * once the reader has ended and the socket is closed (called from a completion stage on the
 * reader thread, it returns at once and the reader ends after that stage).
 */
public final class MultiplexedConnection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MultiplexedConnection.class);

    /** Requests outstanding at once unless told otherwise; later ones queue. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 64;
    /**
     * Receive buffer asked for on the shared socket: {@code SO_RCVBUFFORCE} with
     * {@code CAP_NET_ADMIN}, else {@code SO_RCVBUF}, which the kernel caps at {@code rmem_max}.
     */
    public static final int RECEIVE_BUFFER = 4 << 20;

    /** Size of the table of waiting calls, a power of two well above what can wait at once. */
    private static final int SLOTS = 1024;
    private static final int SLOT_MASK = SLOTS - 1;
    /** How many times the reader yields to waiting callers at most (see deferToHelpers). */
    private static final int READER_DEFERS_YIELDS = 64;
    /** A deadline argument meaning "now plus the timeout". */
    private static final long NO_DEADLINE = Long.MIN_VALUE;
    /**
     * How long the reader waits per receive: for ever (too long for nanoseconds, so no deadline and
     * no clock read per wake-up); close() and a reset wake it through the socket's eventfd.
     */
    private static final Duration RECEIVE_WAIT = ChronoUnit.FOREVER.getDuration();

    private final Supplier<DatagramIo> opener;
    private final int maxInFlight;
    private final AtomicReferenceArray<Pending> slots = new AtomicReferenceArray<>(SLOTS);
    private final AtomicLong lateReplies = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final Thread reader;
    private final Thread timekeeper;
    private final DatagramVisitor dispatcher = this::dispatch;
    private final DatagramFilter callerFilter = this::takenByCaller;
    /** Held by whichever thread takes datagrams off the socket: the reader, or a waiting caller. */
    private final ReentrantLock receiving = new ReentrantLock();
    /**
     * Callers between sending a request they will wait for and the end of their own receive
     * (helpReceive). The reader, woken by the very reply such a caller is about to take, lets it
     * go first: when the reader wins that race the reply is handed over between threads, which
     * the benchmarks measured at 0.5-10 ms per call in the lab's guest instead of tens of
     * microseconds (BENCHMARKS.md).
     */
    private final AtomicInteger helpers = new AtomicInteger();

    // Guarded by sendLock: the socket, numbering, the window, the queues, the send buffer.
    private final ReentrantLock sendLock = new ReentrantLock();
    private volatile DatagramIo io;
    private int lastSeq;
    /**
     * Requests sent and not yet out of their slot. Changed under the send lock when it goes up,
     * without it when a request leaves (see {@link #leave}), so that completing a call takes no
     * lock unless requests are queued.
     */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** How many requests wait in {@link #waiting}: read without the lock by {@link #leave}. */
    private volatile int waitingCount;
    private final ArrayDeque<RequestCall> waiting = new ArrayDeque<>();
    private final ArrayDeque<DumpCall> waitingDumps = new ArrayDeque<>();
    private DumpCall runningDump;
    private final List<Integer> groups = new ArrayList<>();
    private ByteBuffer sendBuffer = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
    private long requestsSent;
    private int socketsOpened;
    private long resets;
    private volatile boolean closed;

    private volatile Consumer<Datagram> multicastListener;

    /**
     * The longest the timekeeper sleeps before it looks at the calls again, busy or idle. So a
     * call whose timeout is at least this long needs no wake-up of the timekeeper when it starts:
     * it is seen before its deadline anyway. That saves a thread wake-up (a futex system call and
     * a scan competing for the CPU) on nearly every call.
     */
    private static final long RESCAN_NANOS = 1_000_000_000L;
    /** RESCAN_NANOS, except in the test that takes the safety net away to show no wake-up is lost. */
    private final long rescanNanos;

    // The timekeeper's published state; see awakenTimekeeper.
    private volatile boolean timekeeperScanning;
    private volatile boolean timekeeperIdle = true;
    private volatile long timekeeperWakeAt;
    /**
     * Set with every unpark of the timekeeper and cleared as it starts a scan. The unpark's permit
     * alone is not enough: the timekeeper may spend it blocking on a lock during its scan (sendLock,
     * a future's completion), and then sleep on past a deadline it was told about.
     */
    private volatile boolean timekeeperWakeRequested;

    private MultiplexedConnection(Supplier<DatagramIo> opener, int maxInFlight, long rescanNanos, DatagramIo first) {
        this.opener = opener;
        this.maxInFlight = maxInFlight;
        this.rescanNanos = rescanNanos;
        this.io = first;
        this.socketsOpened = 1;
        this.reader = new Thread(this::readLoop, "kchan-netlink-reader-" + Integer.toUnsignedString(first.portId()));
        this.timekeeper = new Thread(this::keepTime, "kchan-netlink-deadlines-"
                + Integer.toUnsignedString(first.portId()));
        reader.setDaemon(true);
        timekeeper.setDaemon(true);
    }

    /**
     * Opens a shared socket on {@code protocol} with extended and capped acks on (as
     * {@link NetlinkConnection#open}) and a {@link #RECEIVE_BUFFER} receive buffer, and starts its
     * reader and timekeeper threads.
     */
    public static MultiplexedConnection open(int protocol) {
        return over(() -> {
            NetlinkSocket socket = NetlinkConnection.openForRequests(protocol);
            try {
                socket.setReceiveBufferSize(RECEIVE_BUFFER);
                return socket;
            } catch (RuntimeException e) {
                socket.close();
                throw e;
            }
        }, DEFAULT_MAX_IN_FLIGHT);
    }

    /** Over sockets {@code opener} opens (one now, one more after each reset); tests script them. */
    static MultiplexedConnection over(Supplier<DatagramIo> opener, int maxInFlight) {
        return over(opener, maxInFlight, RESCAN_NANOS);
    }

    /**
     * {@link #over(Supplier, int)} with the timekeeper's periodic look every {@code rescanNanos}
     * instead of {@link #RESCAN_NANOS}: a test sets it beyond any run's length, so that a deadline
     * is met only if the wake-up handshake ({@link #awakenTimekeeper}) never loses one.
     */
    static MultiplexedConnection over(Supplier<DatagramIo> opener, int maxInFlight, long rescanNanos) {
        if (maxInFlight < 1 || maxInFlight > SLOTS / 2) {
            throw new IllegalArgumentException("requests in flight " + maxInFlight + " is outside 1.." + SLOTS / 2);
        }
        if (rescanNanos <= 0) {
            throw new IllegalArgumentException("rescan period " + rescanNanos + " ns is not positive");
        }
        MultiplexedConnection connection = new MultiplexedConnection(opener, maxInFlight, rescanNanos, opener.get());
        connection.reader.start();
        connection.timekeeper.start();
        return connection;
    }

    // ---- requests ---------------------------------------------------------------------------

    /**
     * Sends {@code request} with {@code NLM_F_REQUEST | NLM_F_ACK} (its sequence number and port
     * id replaced by the connection's) and returns at once. The future completes with the reply,
     * or the acknowledgement when the kernel sent no reply, or exceptionally as
     * {@link NetlinkConnection#request(NetlinkMessage, String)} would throw, with
     * {@link CallTimeoutException} after {@code timeout} (time waiting for the window included),
     * {@link ConnectionResetException} if the socket had to be replaced, or
     * {@link ChannelClosedException}. Cancelling it forgets the request: a late reply is dropped.
     *
     * @param operation what the request does, for messages; null to name the message type
     */
    public CompletableFuture<NetlinkMessage> requestAsync(NetlinkMessage request, String operation,
            Duration timeout) {
        return submit(request, operation, timeout, NO_DEADLINE, false, true).future;
    }

    /**
     * {@link #requestAsync} for a caller that is going to wait for the future: it takes its own
     * answer off the socket if it is there by the time the request is sent (as a synchronous
     * kernel handler leaves it), and any replies of waiting calls before it, instead of waiting
     * for the reader thread to hand it over. The future may be complete on return; if not (the
     * kernel answers later, or another thread is reading), the reader or another waiting caller
     * completes it, so stages added to it may run on such a thread: wait for it rather than chain
     * work to it.
     */
    public CompletableFuture<NetlinkMessage> requestWaiting(NetlinkMessage request, String operation,
            Duration timeout) {
        return submitAndHelp(request, operation, timeout, NO_DEADLINE, true);
    }

    /**
     * Like {@link #requestAsync}, but sent without {@code NLM_F_ACK} and completed by the first
     * message that answers it, as {@link NetlinkConnection#exchange}: for families whose every
     * request is answered by exactly one message (a reply, or {@code NLMSG_ERROR} on failure), such
     * as kchan's doits. Half the datagrams of an acknowledged request, and half the receives.
     *
     * @return completes with the answer ({@code NLMSG_ERROR} with error 0 included, should the
     *     kernel send one), or fails as {@link #requestAsync} does
     */
    public CompletableFuture<NetlinkMessage> exchangeAsync(NetlinkMessage request, String operation,
            Duration timeout) {
        return submit(request, operation, timeout, NO_DEADLINE, false, false).future;
    }

    /**
     * {@link #exchangeAsync(NetlinkMessage, String, Duration)} with the deadline the caller already
     * has ({@link System#nanoTime()} plus {@code timeout}, or less), so that the call reads no clock.
     */
    public CompletableFuture<NetlinkMessage> exchangeAsync(NetlinkMessage request, String operation,
            Duration timeout, long deadline) {
        return submit(request, operation, timeout, deadline, false, false).future;
    }

    /** {@link #exchangeAsync} for a caller that is going to wait, as {@link #requestWaiting}. */
    public CompletableFuture<NetlinkMessage> exchangeWaiting(NetlinkMessage request, String operation,
            Duration timeout) {
        return submitAndHelp(request, operation, timeout, NO_DEADLINE, false);
    }

    /** {@link #exchangeWaiting(NetlinkMessage, String, Duration)} with the caller's deadline. */
    public CompletableFuture<NetlinkMessage> exchangeWaiting(NetlinkMessage request, String operation,
            Duration timeout, long deadline) {
        return submitAndHelp(request, operation, timeout, deadline, false);
    }

    private CompletableFuture<NetlinkMessage> submitAndHelp(NetlinkMessage request, String operation,
            Duration timeout, long deadline, boolean acked) {
        helpers.incrementAndGet();
        try {
            RequestCall call = submit(request, operation, timeout, deadline, true, acked);
            helpReceive(call);
            return call.future;
        } finally {
            helpers.decrementAndGet();
        }
    }

    /** @param deadline a {@link System#nanoTime()} value, or {@link #NO_DEADLINE}: now plus {@code timeout} */
    private RequestCall submit(NetlinkMessage request, String operation, Duration timeout, long deadline,
            boolean callerWaits, boolean acked) {
        Objects.requireNonNull(request, "request");
        long timeoutNanos = checkedTimeout(timeout);
        RequestCall call = new RequestCall(request, operation != null ? operation : "request type " + request.type(),
                timeoutNanos, deadline == NO_DEADLINE ? System.nanoTime() + timeoutNanos : deadline, callerWaits,
                acked);
        KchannelException refused = null;
        List<Pending> failed = null;
        sendLock.lock();
        try {
            if (closed) {
                refused = new ChannelClosedException(Syscalls.TRANSPORT);
            } else if (inFlight.get() >= maxInFlight || !waiting.isEmpty()) {
                waiting.add(call);
                waitingCount = waiting.size();
                // A request leaving meanwhile may have seen no queue: look again now that it shows.
                failed = sendWaiting(null);
            } else {
                inFlight.incrementAndGet();
                refused = trySend(call);
                if (refused != null) {
                    inFlight.decrementAndGet();
                }
            }
        } finally {
            sendLock.unlock();
        }
        refuse(failed);
        if (refused != null) {
            call.fail(refused);
        } else {
            awakenTimekeeper(call.deadline, call.timeoutNanos);
        }
        return call;
    }

    /** {@link #request(NetlinkMessage, String, Duration)} named after the type, waiting 5 s. */
    public NetlinkMessage request(NetlinkMessage request) {
        return request(request, null, NetlinkConnection.DEFAULT_TIMEOUT);
    }

    /**
     * {@link #requestAsync} and wait: returns the reply or throws what the future would complete
     * with.
     *
     * @throws IllegalStateException if called on the reader thread, which it would wait for
     */
    public NetlinkMessage request(NetlinkMessage request, String operation, Duration timeout) {
        if (Thread.currentThread() == reader || Thread.currentThread() == timekeeper) {
            throw new IllegalStateException("a blocking request on a thread of the connection it waits for"
                    + " might never end: use requestAsync, or an ...Async stage with an executor of your own");
        }
        return await(requestWaiting(request, operation, timeout));
    }

    /** The value of {@code future}, or what it failed with, thrown as it was. */
    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw e;
        }
    }

    // ---- dumps ------------------------------------------------------------------------------

    /** {@link #dump(NetlinkMessage, String, DumpOptions, Duration)} with the defaults, 5 s a message. */
    public Stream<NetlinkMessage> dump(NetlinkMessage request) {
        return dump(request, null, DumpOptions.defaults(), NetlinkConnection.DEFAULT_TIMEOUT);
    }

    /**
     * Sends {@code request} with {@code NLM_F_REQUEST | NLM_F_DUMP} as soon as the socket's dump
     * slot is free (now, unless another dump is running) and returns the parts as
     * {@link NetlinkConnection#dump(NetlinkMessage, String, DumpOptions)} does, interrupted
     * attempts retried as {@code options} say. Parts are received whether or not the stream is
     * read and held until it is. Errors surface from the stream's terminal operation, a
     * {@link CallTimeoutException} when the kernel sends nothing of the dump for
     * {@code timeout}. Close the stream when done; closing early drops the rest of the dump.
     *
     * @param operation what is dumped, for messages; null to name the message type
     */
    public Stream<NetlinkMessage> dump(NetlinkMessage request, String operation, DumpOptions options,
            Duration timeout) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(options, "options");
        DumpCall call = new DumpCall(request, operation != null ? operation : "dump type " + request.type(), options,
                checkedTimeout(timeout));
        KchannelException refused = null;
        sendLock.lock();
        try {
            if (closed) {
                throw new ChannelClosedException(Syscalls.TRANSPORT);
            }
            if (runningDump == null) {
                refused = startDump(call);
            } else {
                waitingDumps.add(call);
            }
        } finally {
            sendLock.unlock();
        }
        if (refused != null) {
            throw refused;
        }
        awakenTimekeeper(call.deadline, call.timeoutNanos);
        return call.stream();
    }

    /** Makes {@code call} the running dump and sends it; the send's failure, or null. Under the send lock. */
    private KchannelException startDump(DumpCall call) {
        runningDump = call;
        call.deadline = System.nanoTime() + call.timeoutNanos;
        KchannelException refused = trySend(call);
        if (refused != null) {
            runningDump = null;
        }
        return refused;
    }

    // ---- groups and multicast ---------------------------------------------------------------

    /**
     * Joins multicast group {@code group} (1..32, see the class comment), now and on every socket
     * that replaces this one. Its datagrams go to the {@linkplain #onMulticast listener}.
     */
    public void joinGroup(int group) {
        if (group < 1 || group > 32) {
            throw new IllegalArgumentException("multicast group " + group + " is outside 1..32: a shared request"
                    + " socket cannot tell higher groups' messages from replies");
        }
        sendLock.lock();
        try {
            requireOpen();
            io.joinGroup(group);
            groups.add(group);
        } finally {
            sendLock.unlock();
        }
    }

    /** The multicast groups joined through {@link #joinGroup(int)}, in the order they were. */
    public List<Integer> groups() {
        sendLock.lock();
        try {
            return List.copyOf(groups);
        } finally {
            sendLock.unlock();
        }
    }

    /**
     * Where multicast datagrams from the kernel go, on the reader thread, in order: keep it short
     * and do not block. Without a listener they are skipped and counted.
     */
    public void onMulticast(Consumer<Datagram> listener) {
        this.multicastListener = listener;
    }

    // ---- state ------------------------------------------------------------------------------

    /** The port id of the socket in use now (a reset changes it). */
    public int portId() {
        return io.portId();
    }

    /** The socket in use now, for tests of its options. */
    DatagramIo socketInUse() {
        return io;
    }

    /** Whether {@link #close()} has not been called. */
    public boolean isOpen() {
        return !closed;
    }

    /** Replies received for requests nobody waits for any more (timed out, cancelled); dropped. */
    public long lateReplies() {
        return lateReplies.get();
    }

    /** Datagrams and messages skipped: not from the kernel, another port's, unheeded multicasts. */
    public long skippedMessages() {
        return skipped.get();
    }

    /** Datagrams sent: each request, and each attempt of each dump. */
    public long requestsSent() {
        sendLock.lock();
        try {
            return requestsSent;
        } finally {
            sendLock.unlock();
        }
    }

    /** Sockets opened since this connection was: 1, plus one for each reset. */
    public int socketsOpened() {
        sendLock.lock();
        try {
            return socketsOpened;
        } finally {
            sendLock.unlock();
        }
    }

    /** How many times a socket that could not be trusted was replaced. */
    public long resets() {
        sendLock.lock();
        try {
            return resets;
        } finally {
            sendLock.unlock();
        }
    }

    /** Requests and dumps sent and not yet answered, plus those queued for their turn. */
    public int pendingCalls() {
        sendLock.lock();
        try {
            return inFlight.get() + waiting.size() + waitingDumps.size() + (runningDump != null ? 1 : 0);
        } finally {
            sendLock.unlock();
        }
    }

    // ---- sending ----------------------------------------------------------------------------

    /**
     * Numbers {@code call}, puts it in its slot and sends it; under the send lock.
     *
     * @return null when sent, else why not (the call is out of its slot again)
     */
    private KchannelException trySend(Pending call) {
        int port = io.portId();
        int seq = claimSlot(call, port);
        try {
            io.send(encode(call.request, seq, port, call.flags()));
            requestsSent++;
            return null;
        } catch (KchannelException e) {
            slots.compareAndSet(seq & SLOT_MASK, call, null);
            return e;
        }
    }

    /**
     * Gives {@code call} the next sequence number whose slot is free (never 0: notifications use
     * it) and puts it there, numbered before the reader can see it.
     */
    private int claimSlot(Pending call, int port) {
        while (true) {
            int seq = ++lastSeq;
            if (seq == 0 || slots.get(seq & SLOT_MASK) != null) {
                continue;
            }
            call.sent(seq, port);
            if (slots.compareAndSet(seq & SLOT_MASK, null, call)) {
                return seq;
            }
        }
    }

    /** {@code request} with its header fields set, in the reused direct buffer; under the send lock. */
    private ByteBuffer encode(NetlinkMessage request, int seq, int port, int flags) {
        int length = request.encodedLength();
        if (sendBuffer.capacity() < length) {
            sendBuffer = ByteBuffer.allocateDirect(Math.max(length, 2 * sendBuffer.capacity()))
                    .order(ByteOrder.nativeOrder());
        }
        sendBuffer.clear();
        request.encode(sendBuffer);
        sendBuffer.putShort(6, (short) flags).putInt(8, seq).putInt(12, port);
        sendBuffer.flip();
        return sendBuffer;
    }

    /**
     * A request left the window: lets the queued ones in. Failures to send are collected in
     * {@code failed} (made when first needed, so that the usual case allocates nothing) and
     * completed by the caller after the lock, since completing runs the callers' stages. Under
     * the send lock.
     *
     * @return {@code failed}, or a new list if it was null and a send failed
     */
    private List<Pending> sendWaiting(List<Pending> failed) {
        while (inFlight.get() < maxInFlight && !waiting.isEmpty()) {
            RequestCall next = waiting.poll();
            if (next.isDone()) {
                continue; // cancelled or timed out while it waited
            }
            inFlight.incrementAndGet();
            KchannelException refused = trySend(next);
            if (refused != null) {
                inFlight.decrementAndGet();
                next.failWith = refused;
                failed = added(failed, next);
            }
        }
        waitingCount = waiting.size();
        return failed;
    }

    private static List<Pending> added(List<Pending> list, Pending call) {
        List<Pending> to = list != null ? list : new ArrayList<>(2);
        to.add(call);
        return to;
    }

    /** Completes, outside the lock, the calls whose send failed. */
    private static void refuse(List<Pending> failed) {
        if (failed != null) {
            for (Pending call : failed) {
                call.fail(call.failWith);
            }
        }
    }

    /** The running dump ended: starts the next one still wanted. Under the send lock; see sendWaiting. */
    private List<Pending> startNextDump(List<Pending> failed) {
        while (runningDump == null && !waitingDumps.isEmpty()) {
            DumpCall next = waitingDumps.poll();
            if (next.abandoned) {
                continue;
            }
            KchannelException refused = startDump(next);
            if (refused != null) {
                next.failWith = refused;
                failed = added(failed, next);
            } else {
                awakenTimekeeper(next.deadline, next.timeoutNanos);
            }
        }
        return failed;
    }

    /**
     * Takes {@code call} out of its slot; true exactly once, for whichever of the reader, the
     * timekeeper, a cancel, a reset or close gets there first. The winner lets the next request
     * in (or the next dump) and completes the call.
     */
    private boolean leave(Pending call) {
        if (!slots.compareAndSet(call.seq & SLOT_MASK, call, null)) {
            return false;
        }
        if (call instanceof RequestCall) {
            // The usual case takes no lock. A request queued meanwhile either shows in
            // waitingCount here or sees this decrement itself (both sides write, then read).
            inFlight.decrementAndGet();
            if (waitingCount == 0) {
                return true;
            }
        }
        List<Pending> failed = null;
        sendLock.lock();
        try {
            if (call instanceof DumpCall) {
                if (runningDump == call) {
                    runningDump = null;
                    failed = startNextDump(null);
                }
            } else {
                failed = sendWaiting(null);
            }
        } finally {
            sendLock.unlock();
        }
        refuse(failed);
        return true;
    }

    // ---- receiving --------------------------------------------------------------------------

    private void readLoop() {
        try {
            while (!closed) {
                DatagramIo current = io;
                try {
                    if (!current.awaitReadable(RECEIVE_WAIT)) {
                        continue;
                    }
                    deferToHelpers();
                    receiving.lock();
                    try {
                        while (current == io
                                && current.tryReceive(dispatcher, DatagramFilter.ALL) == NetlinkSocket.TAKEN) {
                            // Everything queued, then back to waiting.
                        }
                    } finally {
                        receiving.unlock();
                    }
                } catch (ChannelClosedException e) {
                    if (closed) {
                        return;
                    }
                    // Only close() and a reset close a socket; after a reset, carry on with the new one.
                    reset(current, e);
                } catch (MalformedMessageException e) {
                    reset(current, e.transport().isPresent() ? e : e.withTransport(Syscalls.TRANSPORT));
                } catch (KchannelException e) {
                    reset(current, e);
                }
            }
        } catch (RuntimeException | Error e) {
            // A bug, not the socket: fail everything rather than leave callers waiting for ever.
            LOG.error("netlink reader thread failed; closing the connection", e);
            closeWith(new ChannelClosedException(Syscalls.TRANSPORT, e));
            throw e;
        }
    }

    /**
     * Lets callers in {@link #requestWaiting} take their own replies before the reader looks, for
     * at most {@link #READER_DEFERS_YIELDS} yields, so that a stream of synchronous calls cannot
     * starve asynchronous calls, dumps and multicasts. Yields rather than spins (on a small machine
     * the caller may need this very CPU), and counts rather than reads the clock (a system call
     * where the clock source is the HPET, as in the lab's guest).
     */
    private void deferToHelpers() {
        for (int i = 0; i < READER_DEFERS_YIELDS && helpers.get() > 0 && !closed; i++) {
            Thread.yield();
        }
    }

    /**
     * A caller about to wait for {@code call} reads the socket itself while nobody else does:
     * datagrams that answer calls whose callers wait (its own, usually already queued), until its
     * own is done. Datagrams for asynchronous calls, dumps and multicasts are left to the reader
     * thread, so their futures and listeners run there as documented. Saves the two thread
     * switches a reply handed over by the reader costs.
     */
    private void helpReceive(RequestCall call) {
        Thread self = Thread.currentThread();
        if (call.future.isDone() || self == reader || self == timekeeper || receiving.isHeldByCurrentThread()
                || !receiving.tryLock()) {
            return;
        }
        DatagramIo current = io;
        KchannelException failure = null;
        try {
            while (!call.future.isDone() && current == io
                    && current.tryReceive(dispatcher, callerFilter) == NetlinkSocket.TAKEN) {
                // The next one, until its own answer is in.
            }
        } catch (ChannelClosedException e) {
            if (!closed) {
                failure = e;
            }
        } catch (MalformedMessageException e) {
            failure = e.transport().isPresent() ? e : e.withTransport(Syscalls.TRANSPORT);
        } catch (KchannelException e) {
            failure = e;
        } finally {
            receiving.unlock();
        }
        if (failure != null) {
            reset(current, failure);
        }
    }

    /** What a waiting caller takes off the socket: replies to waiting calls, and late ones. */
    private boolean takenByCaller(int senderPort, int groups, int firstSeq) {
        if (senderPort != 0 || groups != 0) {
            return false;
        }
        Pending call = firstSeq == 0 ? null : slots.get(firstSeq & SLOT_MASK);
        if (call == null || call.seq != firstSeq) {
            return true; // nobody's: dropped as late whoever reads it
        }
        return call instanceof RequestCall && ((RequestCall) call).callerWaits;
    }

    /** One datagram, read in place; on the reader thread, or a waiting caller's (see helpReceive). */
    private void dispatch(int senderPort, int groups, ByteBuffer bytes) {
        if (senderPort != 0 || groups != 0) {
            multicast(senderPort, groups, bytes);
            return;
        }
        // Check the whole datagram first, so that a bad one is dropped whole, never half used.
        NetlinkCodec.validate(bytes);
        int port = io.portId();
        int limit = bytes.limit();
        for (int position = 0; position < limit; ) {
            int length = bytes.getInt(position);
            int seq = bytes.getInt(position + 8);
            int pid = bytes.getInt(position + 12);
            Pending call = seq == 0 ? null : slots.get(seq & SLOT_MASK);
            if (call == null || call.seq != seq || (pid != 0 && pid != port)) {
                unanswered(bytes, position, seq, pid, port);
            } else {
                call.accept(bytes, position);
            }
            position = NetlinkCodec.next(position, Integer.toUnsignedLong(length), limit);
        }
    }

    private void unanswered(ByteBuffer bytes, int position, int seq, int pid, int port) {
        if (pid != 0 && pid != port) {
            skipped.incrementAndGet();
        } else {
            lateReplies.incrementAndGet();
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("dropped a message nobody waits for: type {} seq {} pid {} on port {}",
                    Short.toUnsignedInt(bytes.getShort(position + 4)), Integer.toUnsignedString(seq),
                    Integer.toUnsignedString(pid), Integer.toUnsignedString(port));
        }
    }

    private void multicast(int senderPort, int groups, ByteBuffer bytes) {
        Consumer<Datagram> listener = multicastListener;
        if (senderPort != 0 || listener == null) {
            skipped.incrementAndGet();
            return;
        }
        byte[] copy = new byte[bytes.limit()];
        bytes.get(0, copy);
        try {
            listener.accept(new Datagram(senderPort, groups, copy));
        } catch (RuntimeException e) {
            LOG.warn("multicast listener failed on {}", new Datagram(senderPort, groups, copy), e);
        }
    }

    /**
     * The socket can no longer be trusted ({@code cause}): fails every call waiting on it with
     * {@link ConnectionResetException} and carries on with a fresh socket; queued calls are sent
     * on it. If no fresh socket can be had, the connection closes.
     */
    private void reset(DatagramIo bad, KchannelException cause) {
        if (bad != io) {
            return; // already replaced, by whichever thread saw the failure first
        }
        LOG.warn("netlink port {}: {}; failing the calls waiting on it and opening a fresh socket",
                Integer.toUnsignedString(io.portId()), cause.getMessage());
        List<Integer> rejoin;
        sendLock.lock();
        try {
            rejoin = List.copyOf(groups);
        } finally {
            sendLock.unlock();
        }
        DatagramIo fresh;
        try {
            fresh = opener.get();
            try {
                for (int group : rejoin) {
                    fresh.joinGroup(group);
                }
            } catch (RuntimeException e) {
                fresh.close();
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.error("netlink: cannot open a socket to replace one that went bad; closing the connection", e);
            closeWith(new ChannelClosedException(Syscalls.TRANSPORT, e));
            return;
        }
        List<Pending> cut = new ArrayList<>();
        List<Pending> failed;
        DatagramIo old;
        sendLock.lock();
        try {
            if (closed || io != bad) {
                fresh.close();
                return;
            }
            old = io;
            io = fresh;
            socketsOpened++;
            resets++;
            for (int i = 0; i < SLOTS; i++) {
                Pending call = slots.getAndSet(i, null);
                if (call != null) {
                    cut.add(call);
                    if (call instanceof RequestCall) {
                        inFlight.decrementAndGet();
                    }
                }
            }
            runningDump = null;
            failed = startNextDump(sendWaiting(null));
        } finally {
            sendLock.unlock();
        }
        old.close();
        for (Pending call : cut) {
            call.fail(new ConnectionResetException(call.operation, cause));
        }
        refuse(failed);
    }

    // ---- deadlines --------------------------------------------------------------------------

    /**
     * Tells the timekeeper about a deadline {@code timeoutNanos} from about now. A timeout of
     * {@link #RESCAN_NANOS} or more needs nothing: the timekeeper looks within that time. A
     * shorter one wakes it when it sleeps past {@code deadline} or is scanning (and so may have
     * missed the call). A spare wake-up costs a scan, nothing more.
     */
    private void awakenTimekeeper(long deadline, long timeoutNanos) {
        if (timeoutNanos >= rescanNanos) {
            return;
        }
        if (timekeeperScanning || timekeeperIdle || deadline - timekeeperWakeAt < 0) {
            wakeTimekeeper();
        }
    }

    private void wakeTimekeeper() {
        timekeeperWakeRequested = true;
        LockSupport.unpark(timekeeper);
    }

    /** The timekeeper: fails what is past its deadline, then sleeps until the next one. */
    private void keepTime() {
        List<Pending> expired = new ArrayList<>();
        while (!closed) {
            // Before the scan: a wake-up asked for from here on is seen by the check before parking.
            timekeeperWakeRequested = false;
            timekeeperScanning = true;
            long now = System.nanoTime();
            long next = 0;
            boolean any = false;
            for (int i = 0; i < SLOTS; i++) {
                Pending call = slots.get(i);
                if (call == null) {
                    continue;
                }
                long deadline = call.deadline;
                if (deadline - now <= 0) {
                    expired.add(call);
                } else if (!any || deadline - next < 0) {
                    next = deadline;
                    any = true;
                }
            }
            List<Pending> timedOutWaiting = new ArrayList<>(0);
            sendLock.lock();
            try {
                for (Iterator<RequestCall> it = waiting.iterator(); it.hasNext(); ) {
                    RequestCall call = it.next();
                    if (call.isDone()) {
                        it.remove();
                    } else if (call.deadline - now <= 0) {
                        it.remove();
                        timedOutWaiting.add(call);
                    } else if (!any || call.deadline - next < 0) {
                        next = call.deadline;
                        any = true;
                    }
                }
                waitingCount = waiting.size();
            } finally {
                sendLock.unlock();
            }
            timekeeperWakeAt = next;
            timekeeperIdle = !any;
            timekeeperScanning = false;
            boolean failedSome = !expired.isEmpty() || !timedOutWaiting.isEmpty();
            for (Pending call : expired) {
                if (leave(call)) {
                    call.fail(call.timedOut());
                }
            }
            expired.clear();
            for (Pending call : timedOutWaiting) {
                call.fail(call.timedOut());
            }
            if (failedSome) {
                // Failing let queued calls in, with deadlines of their own: look again.
                continue;
            }
            if (timekeeperWakeRequested) {
                continue;
            }
            // Never longer than rescanNanos: calls with longer timeouts start without waking it.
            LockSupport.parkNanos(this, any ? Math.min(next - System.nanoTime(), rescanNanos) : rescanNanos);
        }
    }

    private static long checkedTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout " + timeout + " is not positive");
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 4;
        }
    }

    // ---- closing ----------------------------------------------------------------------------

    /**
     * Closes the socket; every call waiting or queued fails with {@link ChannelClosedException},
     * the reader and timekeeper threads end. Idempotent, from any thread.
     */
    @Override
    public void close() {
        closeWith(new ChannelClosedException(Syscalls.TRANSPORT));
        // The socket's descriptors are freed when the reader leaves its receive: wait for that, so
        // that nothing is left open once close returns (unless a stage on the reader closes).
        if (Thread.currentThread() != reader) {
            boolean interrupted = false;
            while (reader.isAlive()) {
                try {
                    reader.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void closeWith(ChannelClosedException reason) {
        List<Pending> all = new ArrayList<>();
        DatagramIo last;
        sendLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            last = io;
            all.addAll(waiting);
            all.addAll(waitingDumps);
            waiting.clear();
            waitingDumps.clear();
            runningDump = null;
            inFlight.set(0);
            waitingCount = 0;
        } finally {
            sendLock.unlock();
        }
        last.close();
        wakeTimekeeper();
        for (int i = 0; i < SLOTS; i++) {
            Pending call = slots.getAndSet(i, null);
            if (call != null) {
                all.add(call);
            }
        }
        for (Pending call : all) {
            call.fail(reason);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new ChannelClosedException(Syscalls.TRANSPORT);
        }
    }

    @Override
    public String toString() {
        return "MultiplexedConnection[port " + Integer.toUnsignedString(io.portId()) + (closed ? ", closed" : "") + "]";
    }

    // ---- calls ------------------------------------------------------------------------------

    /** What waits in a slot: a request or a dump. */
    private abstract static class Pending {
        final NetlinkMessage request;
        final String operation;
        /** Its sequence number and the port it was sent from, set when sent; the reader reads them. */
        volatile int seq;
        volatile int port;
        /** A {@link System#nanoTime()} value; the timekeeper fails the call then. */
        volatile long deadline;
        /** Why a send failed, for completion outside the lock. */
        KchannelException failWith;

        Pending(NetlinkMessage request, String operation) {
            this.request = request;
            this.operation = operation;
        }

        void sent(int newSeq, int newPort) {
            this.seq = newSeq;
            this.port = newPort;
        }

        /** The header flags it is sent with. */
        abstract int flags();

        /** One message for it, at {@code position} of the reader's buffer; on the reader thread. */
        abstract void accept(ByteBuffer bytes, int position);

        /** Ends it with {@code error}, if it has not ended. */
        abstract void fail(KchannelException error);

        abstract CallTimeoutException timedOut();

        /** The request as the kernel got it, to resolve an offending attribute's offset. */
        byte[] sentBytes() {
            return request.withSeqAndPid(seq, port).withFlags(flags()).encode();
        }
    }

    /** A request: the future its caller holds, completed by whoever takes it out of its slot. */
    private final class RequestCall extends Pending {
        private final CompletableFuture<NetlinkMessage> future = new CallFuture(this);
        private final long timeoutNanos;
        /** Whether its caller waits for it, so that it may complete on the caller's own thread. */
        final boolean callerWaits;
        /** Sent with NLM_F_ACK and ended by the ack; else ended by the first answer (an exchange). */
        private final boolean acked;
        private NetlinkMessage reply;
        private int replies;

        RequestCall(NetlinkMessage request, String operation, long timeoutNanos, long deadline, boolean callerWaits,
                boolean acked) {
            super(request, operation);
            this.timeoutNanos = timeoutNanos;
            this.callerWaits = callerWaits;
            this.acked = acked;
            this.deadline = deadline;
        }

        @Override
        int flags() {
            return request.flags() | Netlink.NLM_F_REQUEST | (acked ? Netlink.NLM_F_ACK : 0);
        }

        boolean isDone() {
            return future.isDone();
        }

        @Override
        void accept(ByteBuffer bytes, int position) {
            int type = Short.toUnsignedInt(bytes.getShort(position + 4));
            int payload = bytes.getInt(position) - Netlink.NLMSG_HDRLEN;
            switch (type) {
                case Netlink.NLMSG_NOOP:
                    return;
                case Netlink.NLMSG_OVERRUN:
                    end(null, KernelErrorException.forErrno(Errno.ENOBUFS)
                            .transport(Syscalls.TRANSPORT).operation(operation + " (NLMSG_OVERRUN: data was lost)")
                            .build());
                    return;
                case Netlink.NLMSG_ERROR:
                    if (payload >= 4 && bytes.getInt(position + Netlink.NLMSG_HDRLEN) == 0) {
                        acknowledged(bytes, position);
                    } else {
                        refused(NetlinkMessage.copyOf(bytes, position));
                    }
                    return;
                case Netlink.NLMSG_DONE:
                    // A multi-part reply to a plain request ends like a dump, then comes the ack.
                    NetlinkMessage done = NetlinkMessage.copyOf(bytes, position);
                    try {
                        NetlinkError status = NetlinkError.of(done);
                        if (!status.isSuccess()) {
                            end(null, status.toException(operation, sentBytes()));
                        } else if (!acked) {
                            end(reply != null ? reply : done, null);
                        }
                    } catch (KchannelException e) {
                        end(null, e);
                    }
                    return;
                default:
                    replies++;
                    if (reply == null) {
                        reply = NetlinkMessage.copyOf(bytes, position);
                    }
                    if (!acked && (Short.toUnsignedInt(bytes.getShort(position + 6)) & Netlink.NLM_F_MULTI) == 0) {
                        // An exchange ends with its one answer; a multi-part one ends at NLMSG_DONE.
                        end(reply, null);
                    }
            }
        }

        private void acknowledged(ByteBuffer bytes, int position) {
            if (replies > 1) {
                end(null, new MalformedMessageException(MalformedMessageException.Reason.UNEXPECTED_MESSAGE, -1,
                        operation + " got " + replies + " replies where one was expected; use dump() for"
                                + " multi-part answers").withTransport(Syscalls.TRANSPORT));
            } else {
                end(reply != null ? reply : NetlinkMessage.copyOf(bytes, position), null);
            }
        }

        private void refused(NetlinkMessage error) {
            try {
                end(null, NetlinkError.of(error).toException(operation, sentBytes()));
            } catch (KchannelException e) {
                end(null, e);
            }
        }

        private void end(NetlinkMessage answer, KchannelException error) {
            if (!leave(this)) {
                return;
            }
            if (error != null) {
                fail(error);
            } else {
                future.complete(answer);
            }
        }

        @Override
        void fail(KchannelException error) {
            future.completeExceptionally(error);
        }

        @Override
        CallTimeoutException timedOut() {
            return new CallTimeoutException(Syscalls.TRANSPORT, operation, Duration.ofNanos(timeoutNanos));
        }

        /** Out of its slot (a late reply is then dropped), or out of the queue when its turn comes. */
        void cancelled() {
            if (leave(this) && LOG.isDebugEnabled()) {
                LOG.debug("{} (seq {}) cancelled; a late reply will be dropped", operation, Integer.toUnsignedString(seq));
            }
        }
    }

    /**
     * The future {@link #requestAsync} returns: cancelling it forgets the call at once, so the
     * window slot frees and a late reply is recognised as late.
     */
    private final class CallFuture extends CompletableFuture<NetlinkMessage> {
        private final RequestCall call;

        CallFuture(RequestCall call) {
            this.call = call;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                call.cancelled();
            }
            return cancelled;
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }

    /**
     * A dump: its messages go through {@link DumpAttempts}; parts wait in a queue for the stream,
     * which blocks its reader, never the reader thread.
     */
    private final class DumpCall extends Pending implements DumpAttempts.Sink {
        private final DumpAttempts attempts;
        private final long timeoutNanos;
        private final ArrayDeque<NetlinkMessage> ready = new ArrayDeque<>();
        private KchannelException failure;
        private boolean ended;
        private int taken;
        private volatile boolean abandoned;

        DumpCall(NetlinkMessage request, String operation, DumpOptions options, long timeoutNanos) {
            super(request, operation);
            this.timeoutNanos = timeoutNanos;
            this.attempts = new DumpAttempts(operation, options, this::sentBytes);
            this.deadline = Long.MAX_VALUE; // set when sent
        }

        @Override
        int flags() {
            return request.flags() | Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP;
        }

        @Override
        void accept(ByteBuffer bytes, int position) {
            deadline = System.nanoTime() + timeoutNanos;
            NetlinkMessage message = NetlinkMessage.copyOf(bytes, position);
            if (message.type() == Netlink.NLMSG_NOOP) {
                return;
            }
            boolean over;
            if (message.type() == Netlink.NLMSG_OVERRUN) {
                fail(KernelErrorException.forErrno(Errno.ENOBUFS)
                        .transport(Syscalls.TRANSPORT).operation(operation + " (NLMSG_OVERRUN: data was lost)").build());
                over = true;
            } else {
                try {
                    over = attempts.accept(message, this);
                } catch (KchannelException e) {
                    fail(e);
                    over = true;
                }
            }
            if (over) {
                leave(this);
            }
        }

        // ---- DumpAttempts.Sink, on the reader thread ----

        @Override
        public synchronized void part(NetlinkMessage part) {
            if (!abandoned) {
                ready.add(part);
                notifyAll();
            }
        }

        @Override
        public synchronized void end() {
            ended = true;
            notifyAll();
        }

        @Override
        public synchronized void fail(KchannelException error) {
            if (!ended) {
                failure = error;
                ended = true;
                notifyAll();
            }
        }

        @Override
        public void again() {
            LOG.debug("{} was interrupted (NLM_F_DUMP_INTR); dumping again, attempt {}", operation,
                    attempts.attempt());
            KchannelException refused;
            List<Pending> failed = null;
            sendLock.lock();
            try {
                if (!slots.compareAndSet(seq & SLOT_MASK, this, null)) {
                    return; // timed out, reset or closed meanwhile: already failed
                }
                refused = trySend(this);
                if (refused != null && runningDump == this) {
                    // Out of its slot for good: the dump slot goes to the next dump.
                    runningDump = null;
                    failed = startNextDump(null);
                }
            } finally {
                sendLock.unlock();
            }
            refuse(failed);
            if (refused != null) {
                throw refused;
            }
        }

        @Override
        public synchronized int taken() {
            return taken;
        }

        @Override
        public synchronized void dropUntaken() {
            ready.clear();
        }

        @Override
        public boolean abandoned() {
            return abandoned;
        }

        @Override
        CallTimeoutException timedOut() {
            return new CallTimeoutException(Syscalls.TRANSPORT, operation + " (waiting for its next message)",
                    Duration.ofNanos(timeoutNanos));
        }

        // ---- the stream, on its reader's thread ----

        Stream<NetlinkMessage> stream() {
            Iterator<NetlinkMessage> parts = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return awaitPart();
                }

                @Override
                public NetlinkMessage next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException(operation + " has no more parts");
                    }
                    synchronized (DumpCall.this) {
                        taken++;
                        return ready.poll();
                    }
                }
            };
            return StreamSupport.stream(Spliterators.spliteratorUnknownSize(parts,
                    Spliterator.ORDERED | Spliterator.NONNULL), false).onClose(this::closeEarly);
        }

        private synchronized boolean awaitPart() {
            boolean interrupted = false;
            try {
                while (ready.isEmpty() && !ended) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
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
        }

        /** The stream's close: the rest of the dump is dropped as it arrives (or never sent). */
        private void closeEarly() {
            abandoned = true;
            synchronized (this) {
                ready.clear();
            }
            sendLock.lock();
            try {
                waitingDumps.remove(this);
            } finally {
                sendLock.unlock();
            }
        }
    }
}
