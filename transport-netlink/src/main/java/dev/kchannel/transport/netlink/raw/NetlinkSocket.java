// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.TransportUnavailableException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A netlink socket on any protocol unit ({@link Netlink#NETLINK_ROUTE},
 * {@link Netlink#NETLINK_GENERIC}, a module's own unit, ...), bound to a port id the kernel
 * assigns. It sends and receives whole datagrams; {@link NetlinkConnection} builds requests,
 * replies and dumps on top of it.
 *
 * <h2>Receiving</h2>
 * Each datagram is received whole, never truncated: the socket first asks the kernel for the
 * size of the next datagram ({@code recvfrom} with {@code MSG_PEEK | MSG_TRUNC} and no buffer),
 * grows its reused direct buffer to fit, then receives it; or, once the protocol's largest
 * datagram is declared ({@link #setLargestDatagram}), receives it straight into a buffer that
 * large, one system call instead of two. A datagram already queued is taken at once; only an
 * empty socket is waited on, in {@code poll}, so a receive can time out
 * ({@link #receive(Duration)}) or be woken by {@link #close()}. A receive
 * either copies the datagram into a {@link Datagram} of its own or, with
 * {@link #receive(Duration, DatagramVisitor)}, lends the buffer to a visitor in place and
 * allocates nothing.
 *
 * <h2>Threads and closing</h2>
 * One thread may send while another receives. Concurrent receives (or sends) are serialised;
 * {@link #awaitReadable} waits without holding up receives in other threads.
 * {@link #close()} may be called from any thread, any number of times. It wakes every thread
 * blocked in a receive, which then throws {@link ChannelClosedException}. Netlink sockets ignore
 * {@code shutdown(2)} and closing a descriptor does not wake a thread polling it, so each socket
 * owns an eventfd that close makes readable for good; receives poll it beside the socket. The
 * descriptors themselves are freed only when the last call using them has returned (see
 * {@link CallGate}), so no call ever touches a descriptor number the process has since reused.
 * A send to the kernel never waits, so only receives need waking.
 *
 * <h2>Errors</h2>
 * Failed system calls throw {@link KernelErrorException} (or its subclasses by errno, such as
 * {@link dev.kchannel.api.error.PermissionDeniedException}); calls on a closed socket throw
 * {@link ChannelClosedException}; a machine where netlink cannot work gives
 * {@link TransportUnavailableException}. A receive that finds the receive queue overflowed throws
 * a {@code KernelErrorException} with {@link Errno#ENOBUFS}: messages were lost, and the socket
 * stays usable ({@link #setNoEnobufs(boolean)} turns that report off). An {@code EINVAL} the
 * kernel leaves when a dump started by one thread races a receive in another is not news and is
 * received past.
 */
public final class NetlinkSocket implements AutoCloseable, DatagramIo {

    private static final Logger LOG = LoggerFactory.getLogger(NetlinkSocket.class);

    /** {@link #tryReceive}: the datagram was taken and visited. */
    public static final int TAKEN = 1;
    /** {@link #tryReceive}: a datagram is waiting, but the filter left it. */
    public static final int LEFT = 0;
    /** {@link #tryReceive}: nothing is waiting. */
    public static final int EMPTY = -1;

    /** Where receiving starts: the kernel sizes dump datagrams to at most about 32 KiB by default. */
    private static final int INITIAL_RECEIVE_BUFFER = 32 * 1024;

    private final int protocol;
    private final int fd;
    private final int wakeFd;
    private final int portId;
    private final CallGate gate = new CallGate();

    private final ReentrantLock sendLock = new ReentrantLock();
    private final ByteBuffer kernelAddress = Syscalls.sockaddrNl(0, 0);
    private ByteBuffer sendBuffer = directBuffer(4096);

    private final ReentrantLock receiveLock = new ReentrantLock();
    private final ByteBuffer senderAddress = directBuffer(Syscalls.SOCKADDR_NL_SIZE);
    private final ByteBuffer senderAddressLength = directBuffer(4);
    private final ByteBuffer pollFds = directBuffer(2 * Syscalls.POLLFD_SIZE);
    /** A deadline not computed yet: receives read the clock only when they have to wait. */
    private static final long NOT_YET = Long.MIN_VALUE;

    private ByteBuffer receiveBuffer = directBuffer(INITIAL_RECEIVE_BUFFER);
    /** {@link #setLargestDatagram}'s bound, or 0: ask each datagram's size first. Under the receive lock. */
    private int largestDatagram;
    private final ReentrantLock pollLock = new ReentrantLock();

    private NetlinkSocket(int protocol, int fd, int wakeFd, int portId) {
        this.protocol = protocol;
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.portId = portId;
        pollFds.putInt(0, fd);
        pollFds.putShort(4, Syscalls.POLLIN);
        pollFds.putInt(Syscalls.POLLFD_SIZE, wakeFd);
        pollFds.putShort(Syscalls.POLLFD_SIZE + 4, Syscalls.POLLIN);
    }

    /**
     * Opens a socket on protocol unit {@code protocol} and binds it to a port id the kernel
     * picks, with no multicast groups.
     *
     * @param protocol 0..31, such as {@link Netlink#NETLINK_GENERIC}
     * @throws KernelErrorException if the kernel refuses, e.g. {@link Errno#EPROTONOSUPPORT} when
     *     nothing in the kernel serves the unit (its module is not loaded)
     * @throws TransportUnavailableException if this is not Linux or jnr-ffi cannot load libc
     */
    public static NetlinkSocket open(int protocol) {
        if (protocol < 0 || protocol > Netlink.MAX_PROTOCOL) {
            throw new IllegalArgumentException(
                    "netlink protocol unit " + protocol + " is outside 0.." + Netlink.MAX_PROTOCOL);
        }
        int fd = Syscalls.socket(protocol);
        int wakeFd = -1;
        try {
            wakeFd = Syscalls.eventfd();
            Syscalls.bindToKernelAssignedPort(fd);
            NetlinkSocket socket = new NetlinkSocket(protocol, fd, wakeFd, Syscalls.boundPortId(fd));
            LOG.debug("opened netlink socket: protocol {}, port id {}", protocol, Integer.toUnsignedString(socket.portId));
            return socket;
        } catch (RuntimeException e) {
            Syscalls.close(fd);
            if (wakeFd >= 0) {
                Syscalls.close(wakeFd);
            }
            throw e;
        }
    }

    /** The protocol unit the socket was opened on. */
    public int protocol() {
        return protocol;
    }

    /** The port id the kernel assigned: unique per protocol unit in this network namespace. */
    @Override
    public int portId() {
        return portId;
    }

    /** Whether {@link #close()} has not been called yet. */
    public boolean isOpen() {
        return !gate.isClosed();
    }

    // ---- sending ------------------------------------------------------------------------------

    /** Sends {@code message} to the kernel as one datagram. */
    public void send(NetlinkMessage message) {
        gate.enter();
        sendLock.lock();
        try {
            ByteBuffer buffer = sendBufferOf(message.encodedLength());
            message.encode(buffer);
            buffer.flip();
            Syscalls.sendto(fd, buffer, kernelAddress);
        } finally {
            sendLock.unlock();
            leave();
        }
    }

    /**
     * Sends the remaining bytes of {@code datagram} to the kernel as one datagram: one or more
     * encoded messages, as {@link NetlinkCodec#encode(List)} makes. Its position does not move.
     */
    @Override
    public void send(ByteBuffer datagram) {
        gate.enter();
        sendLock.lock();
        try {
            ByteBuffer direct = datagram;
            if (!datagram.isDirect()) {
                direct = sendBufferOf(datagram.remaining());
                direct.put(datagram.duplicate());
                direct.flip();
            }
            // jnr passes a direct buffer's address from its position and moves nothing.
            Syscalls.sendto(fd, direct, kernelAddress);
        } finally {
            sendLock.unlock();
            leave();
        }
    }

    // ---- receiving ----------------------------------------------------------------------------

    /**
     * Waits for the next datagram, however long it takes.
     *
     * @throws ChannelClosedException if the socket is closed, before or during the wait
     */
    public Datagram receive() {
        return receive(null, -1L).orElseThrow(() -> new IllegalStateException("an endless wait timed out"));
    }

    /**
     * Waits up to {@code timeout} for the next datagram.
     *
     * @return the datagram, or empty if none arrived in time; a zero or negative timeout only
     *     takes a datagram that is already waiting
     * @throws ChannelClosedException if the socket is closed, before or during the wait
     */
    @Override
    public Optional<Datagram> receive(Duration timeout) {
        return receive(timeout, -1L);
    }

    /**
     * Waits up to {@code timeout} until a datagram (or a pending error) can be received, without
     * receiving it. It does not hold up receives in other threads meanwhile, so one thread can
     * watch the socket while others take what arrives ({@link #tryReceive}).
     *
     * @return true if one is waiting, false on timeout
     * @throws ChannelClosedException if the socket is closed, before or during the wait
     */
    @Override
    public boolean awaitReadable(Duration timeout) {
        long deadline = deadlineOf(timeout);
        gate.enter();
        try {
            return waitReadable(deadline);
        } finally {
            leave();
        }
    }

    /**
     * Waits up to {@code timeout} for the next datagram and lends it to {@code visitor} without
     * copying. Nothing is allocated.
     *
     * @return true if a datagram was visited, false if none arrived in time
     * @throws ChannelClosedException if the socket is closed, before or during the wait
     */
    @Override
    public boolean receive(Duration timeout, DatagramVisitor visitor) {
        gate.enter();
        receiveLock.lock();
        try {
            // A datagram already queued (a synchronous kernel's reply) is taken without polling
            // or reading the clock: each is a system call on some machines.
            long deadline = NOT_YET;
            while (true) {
                int length = takeNext();
                if (length >= 0) {
                    lend(length, visitor);
                    return true;
                }
                if (deadline == NOT_YET) {
                    deadline = deadlineOf(timeout);
                }
                if (!waitReadable(deadline)) {
                    return false;
                }
            }
        } finally {
            receiveLock.unlock();
            leave();
        }
    }

    /**
     * Takes the datagram waiting now, if {@code filter} wants it, and lends it to {@code visitor}
     * without copying; never waits. The filter sees the sender and the first message's sequence
     * number before the datagram is taken, so a thread can take only what it should handle and
     * leave the rest queued for another (a multiplexed connection's callers take the replies of
     * calls that wait, and leave those of asynchronous ones to its reader thread).
     *
     * @return {@link #TAKEN}, {@link #LEFT} (the filter declined it) or {@link #EMPTY}
     * @throws ChannelClosedException if the socket is closed
     */
    @Override
    public int tryReceive(DatagramVisitor visitor, DatagramFilter filter) {
        gate.enter();
        receiveLock.lock();
        try {
            if (gate.isClosed()) {
                throw new ChannelClosedException(Syscalls.TRANSPORT);
            }
            int length = peek();
            if (length < 0) {
                return EMPTY;
            }
            int firstSeq = length >= Netlink.NLMSG_HDRLEN ? receiveBuffer.getInt(8) : 0;
            if (!filter.takes(senderAddress.getInt(4), senderAddress.getInt(8), firstSeq)) {
                return LEFT;
            }
            lend(read(length), visitor);
            return TAKEN;
        } finally {
            receiveLock.unlock();
            leave();
        }
    }

    /** {@code visitor} gets bytes 0..length of the receive buffer, and the sender's address. */
    private void lend(int length, DatagramVisitor visitor) {
        ByteBuffer lent = receiveBuffer;
        lent.clear().limit(length);
        try {
            visitor.visit(senderAddress.getInt(4), senderAddress.getInt(8), lent);
        } finally {
            lent.clear();
        }
    }

    /**
     * @param timeout how long to wait, or null with {@code deadline} -1 to wait for ever; the
     *     deadline is only computed if nothing is queued already
     */
    private Optional<Datagram> receive(Duration timeout, long deadline) {
        gate.enter();
        receiveLock.lock();
        try {
            long waitUntil = timeout == null ? deadline : NOT_YET;
            while (true) {
                int length = takeNext();
                if (length >= 0) {
                    byte[] bytes = new byte[length];
                    receiveBuffer.get(0, bytes);
                    return Optional.of(new Datagram(senderAddress.getInt(4), senderAddress.getInt(8), bytes));
                }
                // Nothing there (or another reader took it): wait.
                if (waitUntil == NOT_YET) {
                    waitUntil = deadlineOf(timeout);
                }
                if (!waitReadable(waitUntil)) {
                    return Optional.empty();
                }
            }
        } finally {
            receiveLock.unlock();
            leave();
        }
    }

    /**
     * Polls the socket and the wake-up eventfd; false on timeout. Takes the poll lock, for the
     * reused {@code pollfd} array, so it may be called with or without the receive lock.
     */
    private boolean waitReadable(long deadline) {
        pollLock.lock();
        try {
            while (true) {
                if (gate.isClosed()) {
                    throw new ChannelClosedException(Syscalls.TRANSPORT);
                }
                pollFds.putShort(6, (short) 0);
                pollFds.putShort(Syscalls.POLLFD_SIZE + 6, (short) 0);
                int ready = Syscalls.poll(pollFds, 2, timeoutMillis(deadline));
                if (pollFds.getShort(Syscalls.POLLFD_SIZE + 6) != 0 || gate.isClosed()) {
                    throw new ChannelClosedException(Syscalls.TRANSPORT);
                }
                if (ready > 0) {
                    return true;
                }
                if (ready == 0 && deadline != -1L && System.nanoTime() - deadline >= 0) {
                    return false;
                }
                // Interrupted by a signal, or poll woke a little early: wait for what is left.
            }
        } finally {
            pollLock.unlock();
        }
    }

    /**
     * Takes the next datagram into the receive buffer without waiting. With a declared
     * {@linkplain #setLargestDatagram largest datagram} it is one {@code recvfrom} into a buffer
     * that large; else the size is asked first ({@link #peek}), so nothing is ever truncated.
     * Call with the receive lock.
     *
     * @return its length, or -1 if none is waiting
     */
    private int takeNext() {
        if (largestDatagram == 0) {
            int length = peek();
            return length < 0 ? -1 : read(length);
        }
        long received;
        do {
            received = Syscalls.recvfrom(fd, receiveBuffer, largestDatagram, 0, senderAddress, senderAddressLength);
        } while (received < 0 && isDumpRaceNoise((int) -received));
        if (received < 0) {
            return failedReceive((int) -received);
        }
        if (received > largestDatagram) {
            throw new MalformedMessageException(MalformedMessageException.Reason.LENGTH_MISMATCH, 0,
                    "a netlink datagram of " + received + " bytes exceeded the " + largestDatagram
                            + " bytes declared as the largest this socket gets; its tail was lost")
                    .withTransport(Syscalls.TRANSPORT);
        }
        return (int) received;
    }

    /**
     * Declares the largest datagram this socket can be sent, so that receives take each datagram
     * with one {@code recvfrom} into a buffer that large instead of asking its size first (two
     * system calls). Whoever knows the protocol's bound sets it (kchan's messages are at most
     * {@code KCHAN_MSG_MAX} bytes). A longer datagram arriving anyway is truncated by the kernel:
     * the receive then throws {@link MalformedMessageException} rather than deliver a part. Not
     * used by {@link #tryReceive}, which must see a datagram's header before taking it.
     *
     * @param bytes the bound, at least {@link Netlink#NLMSG_HDRLEN}; 0 goes back to asking sizes
     */
    public void setLargestDatagram(int bytes) {
        if (bytes != 0 && bytes < Netlink.NLMSG_HDRLEN) {
            throw new IllegalArgumentException("a netlink datagram holds at least " + Netlink.NLMSG_HDRLEN
                    + " bytes, not " + bytes);
        }
        receiveLock.lock();
        try {
            largestDatagram = bytes;
            if (bytes > receiveBuffer.capacity()) {
                receiveBuffer = directBuffer(bytes);
            }
        } finally {
            receiveLock.unlock();
        }
    }

    /**
     * Asks the kernel for the size of the datagram waiting, without taking it; its sender is left
     * in {@code senderAddress} and its first {@value Netlink#NLMSG_HDRLEN} bytes (the first
     * message's header) in the receive buffer. Call with the receive lock.
     *
     * @return its length, or -1 if there is none (EAGAIN)
     */
    private int peek() {
        while (true) {
            long size = Syscalls.recvfrom(fd, receiveBuffer, Netlink.NLMSG_HDRLEN, Syscalls.MSG_PEEK, senderAddress,
                    senderAddressLength);
            if (size >= 0) {
                return (int) Math.min(size, Integer.MAX_VALUE);
            }
            if (!isDumpRaceNoise((int) -size)) {
                return failedReceive((int) -size);
            }
        }
    }

    /**
     * Whether a failed receive is the kernel's dump race rather than news: {@code recvmsg}
     * continues a running dump, checking {@code cb_running} without its lock, so when another
     * thread's {@code sendto} starts (and finishes) a dump meanwhile, the late continuation finds
     * nothing running and leaves {@code EINVAL} as the socket's error, reported by the next
     * receive. No datagram was lost (the error is reported before anything is dequeued): receive
     * again. Only a socket shared by threads that send dumps while another receives sees it.
     */
    private boolean isDumpRaceNoise(int errno) {
        if (errno != Errno.EINVAL.number()) {
            return false;
        }
        LOG.debug("netlink port {}: EINVAL from recvfrom, left by the kernel's dump race; receiving again",
                Integer.toUnsignedString(portId));
        return true;
    }

    /**
     * Takes the datagram {@link #peek} measured into the receive buffer, grown first so it is
     * never truncated. Call with the receive lock, right after the peek.
     *
     * @return its length
     */
    private int read(int size) {
        if (size > receiveBuffer.capacity()) {
            int grown = size > 1 << 30 ? size : Integer.highestOneBit(size - 1) << 1;
            LOG.debug("netlink port {}: receive buffer grows from {} to {} bytes for a {}-byte datagram",
                    Integer.toUnsignedString(portId), receiveBuffer.capacity(), grown, size);
            receiveBuffer = directBuffer(grown);
        }
        long received;
        do {
            received = Syscalls.recvfrom(fd, receiveBuffer, receiveBuffer.capacity(), 0, senderAddress,
                    senderAddressLength);
        } while (received < 0 && isDumpRaceNoise((int) -received));
        if (received < 0) {
            int errno = (int) -received;
            if (errno == Errno.EAGAIN.number()) {
                // Peeked under the receive lock: only a reader of a shared descriptor could take it.
                throw new IllegalStateException("netlink datagram of " + size + " bytes vanished between MSG_PEEK"
                        + " and the read; is the descriptor shared?");
            }
            return failedReceive(errno);
        }
        if (received > receiveBuffer.capacity()) {
            // Only another reader of this descriptor could swap the datagram between peek and read.
            throw new IllegalStateException("netlink datagram of " + received + " bytes replaced one of " + size
                    + " bytes between MSG_PEEK and the read; is the descriptor shared?");
        }
        return (int) received;
    }

    private int failedReceive(int errno) {
        if (errno == Errno.EAGAIN.number()) {
            return -1;
        }
        if (errno == Errno.EBADF.number() && gate.isClosed()) {
            throw new ChannelClosedException(Syscalls.TRANSPORT);
        }
        if (errno == Errno.ENOBUFS.number()) {
            LOG.debug("netlink port {}: receive queue overflowed, messages were lost", Integer.toUnsignedString(portId));
        }
        throw Syscalls.failure(errno, "recvfrom");
    }

    // ---- options ------------------------------------------------------------------------------

    /**
     * {@code NETLINK_EXT_ACK}: errors carry the kernel's message and the offending attribute's
     * offset. {@link NetlinkConnection} turns it on.
     */
    public void setExtendedAck(boolean on) {
        setOption(Netlink.SOL_NETLINK, Netlink.NETLINK_EXT_ACK, on ? 1 : 0);
    }

    /** {@code NETLINK_CAP_ACK}: errors echo only the request's header, not all of it. */
    public void setCapAck(boolean on) {
        setOption(Netlink.SOL_NETLINK, Netlink.NETLINK_CAP_ACK, on ? 1 : 0);
    }

    /**
     * {@code NETLINK_GET_STRICT_CHK}: the kernel validates GET and dump requests strictly (header
     * fields and attributes it would otherwise ignore). Linux 4.20 and later.
     */
    public void setStrictChecking(boolean on) {
        setOption(Netlink.SOL_NETLINK, Netlink.NETLINK_GET_STRICT_CHK, on ? 1 : 0);
    }

    /**
     * {@code NETLINK_NO_ENOBUFS}: stop reporting receive-queue overruns as {@link Errno#ENOBUFS}.
     * Messages that do not fit are still dropped, silently.
     */
    public void setNoEnobufs(boolean on) {
        setOption(Netlink.SOL_NETLINK, Netlink.NETLINK_NO_ENOBUFS, on ? 1 : 0);
    }

    /**
     * Joins multicast group {@code group} (1 and up; a Generic Netlink group's id comes from its
     * family). Some groups need {@code CAP_NET_ADMIN} or similar: the kernel then answers
     * {@link Errno#EPERM}, thrown as {@link dev.kchannel.api.error.PermissionDeniedException}.
     */
    @Override
    public void joinGroup(int group) {
        requireGroup(group);
        setOption(Netlink.SOL_NETLINK, Netlink.NETLINK_ADD_MEMBERSHIP, group, "join multicast group " + group);
    }

    /** Leaves multicast group {@code group}; leaving a group not joined is not an error. */
    public void leaveGroup(int group) {
        requireGroup(group);
        setOption(Netlink.SOL_NETLINK, Netlink.NETLINK_DROP_MEMBERSHIP, group, "leave multicast group " + group);
    }

    /** The multicast groups joined, ascending ({@code NETLINK_LIST_MEMBERSHIPS}). */
    public List<Integer> groups() {
        gate.enter();
        try {
            ByteBuffer masks = directBuffer(16);
            while (true) {
                int needed = Syscalls.getsockopt(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_LIST_MEMBERSHIPS, masks,
                        "getsockopt(NETLINK_LIST_MEMBERSHIPS)");
                if (needed <= masks.capacity()) {
                    return groupsIn(masks, needed);
                }
                masks = directBuffer(needed);
            }
        } finally {
            leave();
        }
    }

    private static List<Integer> groupsIn(ByteBuffer masks, int length) {
        List<Integer> groups = new ArrayList<>();
        for (int word = 0; word + 4 <= length; word += 4) {
            int bits = masks.getInt(word);
            for (int bit = 0; bit < 32; bit++) {
                if ((bits & (1 << bit)) != 0) {
                    groups.add(word * 8 + bit + 1);
                }
            }
        }
        return Collections.unmodifiableList(groups);
    }

    /**
     * Asks for a receive buffer of {@code bytes}: with {@code SO_RCVBUFFORCE}, which may exceed
     * {@code net.core.rmem_max} but needs {@code CAP_NET_ADMIN}, and without that capability with
     * {@code SO_RCVBUF}, which the kernel caps at {@code rmem_max}.
     *
     * @return the size the kernel settled on, as {@link #receiveBufferSize()} reports it (Linux
     *     doubles the request to leave room for its bookkeeping)
     */
    public int setReceiveBufferSize(int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("receive buffer size " + bytes + " is not positive");
        }
        gate.enter();
        try {
            ByteBuffer value = intValue(bytes);
            int errno = Syscalls.trySetsockopt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_RCVBUFFORCE, value);
            if (errno == Errno.EPERM.number()) {
                LOG.debug("netlink port {}: no CAP_NET_ADMIN for SO_RCVBUFFORCE, using SO_RCVBUF (capped at rmem_max)",
                        Integer.toUnsignedString(portId));
                Syscalls.setsockopt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_RCVBUF, value, "setsockopt(SO_RCVBUF)");
            } else if (errno != 0) {
                throw Syscalls.failure(errno, "setsockopt(SO_RCVBUFFORCE)");
            }
        } finally {
            leave();
        }
        return receiveBufferSize();
    }

    /** {@code SO_RCVBUF}: the receive buffer's size in bytes, bookkeeping included. */
    public int receiveBufferSize() {
        return option(Syscalls.SOL_SOCKET, Syscalls.SO_RCVBUF);
    }

    /**
     * Sets any integer socket option, for those this class has no method for
     * ({@code NETLINK_PKTINFO}, {@code NETLINK_LISTEN_ALL_NSID}, {@code SO_SNDBUF}, ...).
     */
    public void setOption(int level, int name, int value) {
        setOption(level, name, value, "setsockopt(" + level + ", " + name + ")");
    }

    /** Reads any integer socket option. */
    public int option(int level, int name) {
        gate.enter();
        try {
            ByteBuffer value = intValue(0);
            Syscalls.getsockopt(fd, level, name, value, "getsockopt(" + level + ", " + name + ")");
            return value.getInt(0);
        } finally {
            leave();
        }
    }

    private void setOption(int level, int name, int value, String operation) {
        gate.enter();
        try {
            Syscalls.setsockopt(fd, level, name, intValue(value), operation);
        } finally {
            leave();
        }
    }

    // ---- closing ------------------------------------------------------------------------------

    /**
     * Closes the socket. Idempotent, and safe from any thread: receives blocked in other threads
     * wake and throw {@link ChannelClosedException}; the descriptors are freed once the last of
     * them has returned.
     */
    @Override
    public void close() {
        if (!gate.enterToClose()) {
            return;
        }
        try {
            Syscalls.signal(wakeFd);
        } finally {
            leave();
        }
    }

    /** Calls in progress, the closer's included; lets tests see a receive is under way. */
    int callsInFlight() {
        return gate.inFlight();
    }

    private void leave() {
        if (gate.exit()) {
            Syscalls.close(fd);
            Syscalls.close(wakeFd);
            LOG.debug("closed netlink socket: protocol {}, port id {}", protocol, Integer.toUnsignedString(portId));
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private ByteBuffer sendBufferOf(int length) {
        if (sendBuffer.capacity() < length) {
            sendBuffer = directBuffer(Math.max(length, 2 * sendBuffer.capacity()));
        }
        sendBuffer.clear();
        return sendBuffer;
    }

    private static void requireGroup(int group) {
        if (group <= 0) {
            throw new IllegalArgumentException("multicast group " + group + " is not positive");
        }
    }

    private static ByteBuffer intValue(int value) {
        ByteBuffer buffer = directBuffer(4);
        buffer.putInt(0, value);
        return buffer;
    }

    private static ByteBuffer directBuffer(int capacity) {
        return ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
    }

    private static long deadlineOf(Duration timeout) {
        long nanos;
        try {
            nanos = Math.max(0, timeout.toNanos());
        } catch (ArithmeticException tooLong) {
            return -1L;
        }
        long deadline = System.nanoTime() + nanos;
        // -1 means "for ever" and NOT_YET "not computed"; a real deadline landing on either moves
        // by a nanosecond.
        return deadline == -1L || deadline == NOT_YET ? deadline + 1 : deadline;
    }

    /** poll's timeout for {@code deadline}: -1 for ever, else the milliseconds left, rounded up. */
    private static int timeoutMillis(long deadline) {
        if (deadline == -1L) {
            return -1;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return 0;
        }
        return (int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000);
    }
}
