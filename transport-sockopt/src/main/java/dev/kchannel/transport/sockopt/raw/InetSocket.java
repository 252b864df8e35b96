// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.sockopt.raw;

import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * An {@code AF_INET} socket used for its options: {@code getsockopt(2)} and {@code setsockopt(2)}
 * of any level and option number, the kernel's own ({@code SO_RCVBUF}, {@code IP_TTL}, ...) as much
 * as a module's netfilter sockopts ({@code nf_register_sockopt}, such as ip_tables' or
 * kchan_sockopt's). A {@link SocketType#DATAGRAM} socket, the default, needs no privilege to open.
 *
 * <h2>Buffers</h2>
 * Every method takes the option's bytes from, or puts them at, the buffer's position, and leaves
 * the buffer's position and limit alone. Direct buffers reach the kernel by address; a heap buffer
 * is copied in and out by jnr-ffi. A get's buffer carries the request in as well as the answer
 * out, as netfilter sockopts use it.
 *
 * <h2>Size negotiation</h2>
 * {@link #getOptionGrowing} asks again with a larger buffer when the kernel says the answer needs
 * one: {@code *optlen} comes back larger than the buffer, either on success (how kchan_sockopt
 * says it, since the IPv4 stack copies {@code *optlen} back only on success) or with
 * {@code ERANGE} (how the kernel's {@code SO_PEERGROUPS} says it). Its bounds are an
 * {@link OptionGrowth}; beyond them it throws {@link OptionSizeException}.
 *
 * <h2>Errors</h2>
 * A failed call throws the api's {@link KernelErrorException} for its errno (a
 * {@link dev.kchannel.api.error.PermissionDeniedException} for {@code EPERM}/{@code EACCES}, a
 * {@link dev.kchannel.api.error.NoSuchEntryException} for {@code ENOENT}), transport
 * {@code sockopt}, naming the option: {@code sockopt: getsockopt level 0 option 3075 failed:
 * ENOPROTOOPT (92): Protocol not available}. Calls after {@link #close()} throw
 * {@link ChannelClosedException}.
 *
 * <p>Thread-safe: the kernel takes no socket lock for netfilter sockopts, and this class keeps no
 * state between calls, so any number of threads may use one socket at once (each with buffers of
 * its own). The descriptor is closed by the last call to leave after {@link #close()}, so no call
 * ever reaches a descriptor number the process has since reused.
 */
public final class InetSocket implements AutoCloseable {

    /** {@code SOL_SOCKET}. */
    public static final int SOL_SOCKET = 1;
    /** {@code IPPROTO_IP}: the level of IPv4 and netfilter options. */
    public static final int IPPROTO_IP = 0;
    /** {@code SO_TYPE} at {@link #SOL_SOCKET}. */
    public static final int SO_TYPE = 3;
    /** {@code SO_RCVBUF} at {@link #SOL_SOCKET}. */
    public static final int SO_RCVBUF = 8;
    /** {@code IP_TTL} at {@link #IPPROTO_IP}. */
    public static final int IP_TTL = 2;

    private static final int INT_SIZE = Integer.BYTES;

    private final OptionCalls calls;
    private final int fd;
    private final String transport;

    // The gate: calls in flight, and whether close() has run; guarded by "this".
    private int inFlight;
    private boolean closed;
    private boolean freed;

    private InetSocket(OptionCalls calls, int fd, String transport) {
        this.calls = calls;
        this.fd = fd;
        this.transport = transport;
    }

    /** Opens a {@link SocketType#DATAGRAM} socket. */
    public static InetSocket open() {
        return open(SocketType.DATAGRAM);
    }

    /**
     * Opens a socket of {@code type} (close-on-exec).
     *
     * @throws KernelErrorException if {@code socket(2)} fails ({@code EMFILE}, ...)
     * @throws dev.kchannel.api.error.TransportUnavailableException when this is not Linux or
     *     jnr-ffi cannot load the C library
     */
    public static InetSocket open(SocketType type) {
        return open(Syscalls.NATIVE, type);
    }

    static InetSocket open(OptionCalls calls, SocketType type) {
        Objects.requireNonNull(type, "type");
        int fd = calls.socket(type.number());
        if (fd < 0) {
            throw KernelErrorException.forErrno(-fd).transport(Syscalls.TRANSPORT)
                    .operation("socket(AF_INET, " + type + ")").build();
        }
        return new InetSocket(calls, fd, Syscalls.TRANSPORT);
    }

    /**
     * Takes over a socket descriptor opened elsewhere (any family: the option calls do not care);
     * {@link #close()} closes it.
     */
    public static InetSocket adopt(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("descriptor " + fd + " is negative");
        }
        return new InetSocket(Syscalls.NATIVE, fd, Syscalls.TRANSPORT);
    }

    /** The descriptor, for the options this class has no method for; valid until {@link #close()}. */
    public int fd() {
        return fd;
    }

    // ---- gets ---------------------------------------------------------------------------------

    /**
     * One {@code getsockopt(2)} with the buffer's remaining bytes as the option buffer.
     *
     * @return {@code *optlen} as the kernel left it: the answer's length, which may exceed the
     *     buffer when the option says so (see {@link #getOptionGrowing})
     * @throws KernelErrorException if the call fails
     */
    public int getOption(int level, int optname, ByteBuffer buffer) {
        return getOptionWithLength(level, optname, buffer, buffer.remaining());
    }

    /**
     * One {@code getsockopt(2)} with {@code *optlen} set to {@code optlen} whatever the buffer's
     * size, to see what a kernel makes of a wrong length: at most the buffer's remaining bytes,
     * since the kernel may write that many, or negative (nothing may be written then).
     *
     * @return {@code *optlen} as the kernel left it
     * @throws IllegalArgumentException if {@code optlen} exceeds the buffer's remaining bytes
     * @throws KernelErrorException if the call fails
     */
    public int getOptionWithLength(int level, int optname, ByteBuffer buffer, int optlen) {
        Objects.requireNonNull(buffer, "buffer");
        if (optlen > buffer.remaining()) {
            throw new IllegalArgumentException("optlen " + optlen + " exceeds the buffer's " + buffer.remaining() + " bytes");
        }
        int[] length = {optlen};
        int errno = get(level, optname, buffer, length);
        if (errno != 0) {
            throw failure(errno, "getsockopt", level, optname);
        }
        return length[0];
    }

    /** An {@code int} option, such as {@link #SO_RCVBUF} or {@link #IP_TTL}. */
    public int getIntOption(int level, int optname) {
        ByteBuffer value = ByteBuffer.allocateDirect(INT_SIZE).order(ByteOrder.nativeOrder());
        int length = getOption(level, optname, value);
        if (length != INT_SIZE) {
            throw KernelErrorException.forErrno(Errno.EINVAL).transport(transport)
                    .operation("getsockopt " + describe(level, optname) + " as an int (the kernel answered "
                            + length + " bytes)")
                    .build();
        }
        return value.getInt(0);
    }

    /** {@link #getOptionGrowing(int, int, ByteBuffer, ByteBuffer, OptionGrowth)} with no buffer to reuse. */
    public ByteBuffer getOptionGrowing(int level, int optname, ByteBuffer request, OptionGrowth growth) {
        return getOptionGrowing(level, optname, request, null, growth);
    }

    /**
     * Gets an option whatever the size of its answer: copies {@code request}'s remaining bytes (the
     * option's input, empty for most options) to the start of a buffer and calls
     * {@code getsockopt(2)} with the whole buffer; when {@code *optlen} comes back larger than the
     * buffer (on success, or with {@code ERANGE}), does it again with a buffer of that size, within
     * {@code growth}'s bounds.
     *
     * @param request the option's input; its position and limit are left alone
     * @param reusable a direct buffer to use first when it holds at least the request and
     *     {@code growth}'s initial size (its whole capacity is offered to the kernel), or null
     * @return the answer from index 0 to its limit: {@code reusable} or a new direct buffer, in
     *     native byte order; keep it to pass as {@code reusable} next time
     * @throws OptionSizeException if the answer needs more than {@code growth.maxSize()} bytes, or
     *     still more after {@code growth.maxAttempts()} calls, or the kernel leaves a negative
     *     length in {@code *optlen}
     * @throws KernelErrorException if a call fails otherwise
     */
    public ByteBuffer getOptionGrowing(int level, int optname, ByteBuffer request, ByteBuffer reusable,
            OptionGrowth growth) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(growth, "growth");
        int requestLength = request.remaining();
        if (requestLength > growth.maxSize()) {
            throw new IllegalArgumentException("request of " + requestLength + " bytes exceeds the largest buffer, "
                    + growth.maxSize() + " bytes");
        }
        int first = Math.max(growth.initialSize(), requestLength);
        ByteBuffer buffer = reusable != null && reusable.isDirect() && reusable.capacity() >= first
                ? reusable : direct(first);
        int needed = 0;
        for (int attempt = 1; attempt <= growth.maxAttempts(); attempt++) {
            buffer.clear();
            buffer.put(request.duplicate());
            buffer.clear();
            int size = buffer.capacity();
            int[] length = {size};
            int errno = get(level, optname, buffer, length);
            needed = length[0];
            boolean larger = needed > size;
            if (errno == 0 && !larger) {
                if (needed < 0) {
                    // Not an errno the kernel gave: a length no answer has.
                    throw new OptionSizeException(transport, level, optname, needed, "a negative length, which no answer has");
                }
                buffer.limit(needed);
                return buffer;
            }
            if (errno != 0 && !(errno == Errno.ERANGE.number() && larger)) {
                throw failure(errno, "getsockopt", level, optname);
            }
            if (needed > growth.maxSize()) {
                throw new OptionSizeException(transport, level, optname, needed,
                        "more than the " + growth.maxSize() + " bytes allowed");
            }
            buffer = direct(needed);
        }
        throw new OptionSizeException(transport, level, optname, needed,
                "it still asked for more after " + growth.maxAttempts() + " attempts");
    }

    // ---- sets ---------------------------------------------------------------------------------

    /**
     * One {@code setsockopt(2)} of the buffer's remaining bytes.
     *
     * @throws KernelErrorException if the call fails
     */
    public void setOption(int level, int optname, ByteBuffer value) {
        setOptionWithLength(level, optname, value, value.remaining());
    }

    /**
     * One {@code setsockopt(2)} with {@code optlen} whatever the buffer's size, to see what a
     * kernel makes of a wrong length: at most the buffer's remaining bytes, since the kernel may
     * read that many, or negative (passed as C would, an unsigned {@code socklen_t} the kernel
     * reads back as negative).
     *
     * @throws IllegalArgumentException if {@code optlen} exceeds the buffer's remaining bytes
     * @throws KernelErrorException if the call fails
     */
    public void setOptionWithLength(int level, int optname, ByteBuffer value, int optlen) {
        Objects.requireNonNull(value, "value");
        if (optlen > value.remaining()) {
            throw new IllegalArgumentException("optlen " + optlen + " exceeds the buffer's " + value.remaining() + " bytes");
        }
        enter();
        int errno;
        try {
            errno = calls.setsockopt(fd, level, optname, value, optlen);
        } finally {
            leave();
        }
        if (errno != 0) {
            throw failure(errno, "setsockopt", level, optname);
        }
    }

    /** Sets an {@code int} option. */
    public void setIntOption(int level, int optname, int value) {
        ByteBuffer buffer = direct(INT_SIZE);
        buffer.putInt(0, value);
        setOption(level, optname, buffer);
    }

    // ---- closing ------------------------------------------------------------------------------

    /** Whether {@link #close()} has not been called. */
    public synchronized boolean isOpen() {
        return !closed;
    }

    /**
     * Closes the socket; idempotent, from any thread. Calls running in other threads finish; the
     * descriptor is closed when the last of them returns.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            inFlight++;
        }
        leave();
    }

    private int get(int level, int optname, ByteBuffer buffer, int[] length) {
        enter();
        try {
            return calls.getsockopt(fd, level, optname, buffer, length);
        } finally {
            leave();
        }
    }

    private synchronized void enter() {
        if (closed) {
            throw new ChannelClosedException(transport);
        }
        inFlight++;
    }

    private void leave() {
        synchronized (this) {
            inFlight--;
            if (!closed || inFlight != 0 || freed) {
                return;
            }
            freed = true;
        }
        calls.close(fd);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private KernelErrorException failure(int errno, String call, int level, int optname) {
        return KernelErrorException.forErrno(errno).transport(transport)
                .operation(call + " " + describe(level, optname)).build();
    }

    /** {@code level 0 option 3075}, the way errors name an option. */
    static String describe(int level, int optname) {
        return "level " + level + " option " + optname;
    }

    private static ByteBuffer direct(int capacity) {
        return ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
    }

    @Override
    public String toString() {
        return "InetSocket[fd " + fd + (isOpen() ? "" : ", closed") + "]";
    }
}
