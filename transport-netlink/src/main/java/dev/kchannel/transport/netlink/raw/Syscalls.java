// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.TransportUnavailableException;
import java.nio.ByteBuffer;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.Transient;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.types.size_t;
import jnr.ffi.types.socklen_t;
import jnr.ffi.types.ssize_t;

/**
 * The system calls behind {@link NetlinkSocket}: each one retried while it fails with
 * {@code EINTR}, its errno read straight after the call (before anything else can overwrite it),
 * and failures turned into the api's exceptions. Numbers are those of the generic Linux ABI
 * (x86_64, aarch64, riscv64, ...), like the api's {@link Errno}.
 */
final class Syscalls {

    static final String TRANSPORT = "netlink";

    static final int AF_NETLINK = 16;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_RCVBUFFORCE = 33;
    static final int MSG_PEEK = 0x2;
    static final int MSG_TRUNC = 0x20;
    static final int MSG_DONTWAIT = 0x40;
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;
    static final short POLLIN = 0x1;
    static final short POLLERR = 0x8;
    /** {@code struct sockaddr_nl}: u16 family, u16 pad, u32 pid, u32 groups. */
    static final int SOCKADDR_NL_SIZE = 12;
    /** {@code struct pollfd}: int fd, short events, short revents. */
    static final int POLLFD_SIZE = 8;

    private Syscalls() {
    }

    /**
     * The C library calls a netlink socket needs, bound by jnr-ffi. {@link Syscalls} is the only
     * caller: it reads errno right after each call and retries on {@code EINTR}.
     *
     * <p>It is {@code public} only because jnr-ffi generates its implementation in a class loader of
     * its own, which cannot implement a package-private interface; nesting it in this package-private
     * class still keeps it out of reach of other packages.
     *
     * <p>Descriptors are plain {@code int}s. Buffers are marked {@code @Transient} (the C side never
     * keeps the pointer) and {@code @In}/{@code @Out} by the direction the data flows, so jnr copies a
     * heap buffer only the way it is needed; the hot paths pass direct buffers, which are not copied
     * at all. Length pointers the kernel both reads and writes are {@code @In @Out}. Only
     * {@link #write} ignores errno: it is used for one thing, adding 1 to an eventfd counter, which
     * cannot fail.
     */
    public interface LibC {

        int socket(int domain, int type, int protocol);

        int bind(int fd, @In @Transient ByteBuffer address, @socklen_t int addressLength);

        int getsockname(int fd, @Out @Transient ByteBuffer address, @In @Out IntByReference addressLength);

        @ssize_t long sendto(int fd, @In @Transient ByteBuffer data, @size_t long length, int flags,
                @In @Transient ByteBuffer address, @socklen_t int addressLength);

        /** The address length is a direct {@code socklen_t} buffer the caller reuses: no allocation per call. */
        @ssize_t long recvfrom(int fd, @Out @Transient ByteBuffer data, @size_t long length, int flags,
                @Out @Transient ByteBuffer address, @In @Out @Transient ByteBuffer addressLength);

        int setsockopt(int fd, int level, int name, @In @Transient ByteBuffer value, @socklen_t int valueLength);

        int getsockopt(int fd, int level, int name, @Out @Transient ByteBuffer value, @In @Out IntByReference valueLength);

        /** {@code nfds} is an {@code nfds_t}, an unsigned long. */
        int poll(@In @Out @Transient ByteBuffer fds, long nfds, int timeoutMillis);

        int eventfd(int initialValue, int flags);

        /**
         * {@code write(2)} to an eventfd. Adding 1 to a counter at 0 cannot overflow and the fd is
         * non-blocking, so it cannot fail while the fd is open, which the caller guarantees.
         */
        @IgnoreError
        @ssize_t long write(int fd, @In @Transient ByteBuffer data, @size_t long length);

        int close(int fd);
    }

    /** Loaded on first use, so merely loading this class on a machine without libc is harmless. */
    private static final class Holder {
        static final LibC LIBC;
        static final Runtime RUNTIME;
        static final Throwable FAILURE;

        static {
            LibC libc = null;
            Runtime runtime = null;
            Throwable failure = null;
            try {
                if (Platform.getNativePlatform().getOS() != Platform.OS.LINUX) {
                    throw new UnsupportedOperationException(
                            "netlink exists only on Linux, not on " + Platform.getNativePlatform().getOS());
                }
                libc = LibraryLoader.create(LibC.class).load(Platform.getNativePlatform().getStandardCLibraryName());
                runtime = Runtime.getRuntime(libc);
            } catch (RuntimeException | LinkageError e) {
                failure = e;
            }
            LIBC = libc;
            RUNTIME = runtime;
            FAILURE = failure;
        }
    }

    /**
     * The bound C library.
     *
     * @throws TransportUnavailableException when this is not Linux or jnr-ffi cannot load libc
     */
    static LibC libc() {
        if (Holder.FAILURE != null) {
            throw new TransportUnavailableException(TRANSPORT,
                    "cannot call the C library through jnr-ffi: " + Holder.FAILURE.getMessage(), null, Holder.FAILURE);
        }
        return Holder.LIBC;
    }

    /** errno of the last call on this thread; read it before making any other native call. */
    private static int errno() {
        return LastError.getLastError(Holder.RUNTIME);
    }

    static KernelErrorException failure(int errno, String operation) {
        return KernelErrorException.forErrno(errno).transport(TRANSPORT).operation(operation).build();
    }

    // ---- calls that return a descriptor or a status ---------------------------------------

    static int socket(int protocol) {
        LibC libc = libc();
        while (true) {
            int fd = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
            if (fd >= 0) {
                return fd;
            }
            int errno = errno();
            if (errno != Errno.EINTR.number()) {
                throw failure(errno, "socket(AF_NETLINK, SOCK_RAW, " + protocol + ")");
            }
        }
    }

    static int eventfd() {
        LibC libc = libc();
        while (true) {
            int fd = libc.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
            if (fd >= 0) {
                return fd;
            }
            int errno = errno();
            if (errno != Errno.EINTR.number()) {
                throw failure(errno, "eventfd");
            }
        }
    }

    /** Binds to port 0, which asks the kernel to pick a free port id; no multicast groups. */
    static void bindToKernelAssignedPort(int fd) {
        ByteBuffer address = sockaddrNl(0, 0);
        while (libc().bind(fd, address, SOCKADDR_NL_SIZE) != 0) {
            int errno = errno();
            if (errno != Errno.EINTR.number()) {
                throw failure(errno, "bind");
            }
        }
    }

    /** The port id the kernel assigned to {@code fd}. */
    static int boundPortId(int fd) {
        ByteBuffer address = ByteBuffer.allocateDirect(SOCKADDR_NL_SIZE).order(java.nio.ByteOrder.nativeOrder());
        IntByReference length = new IntByReference(SOCKADDR_NL_SIZE);
        while (libc().getsockname(fd, address, length) != 0) {
            int errno = errno();
            if (errno != Errno.EINTR.number()) {
                throw failure(errno, "getsockname");
            }
        }
        return address.getInt(4);
    }

    static void setsockopt(int fd, int level, int name, ByteBuffer value, String operation) {
        while (libc().setsockopt(fd, level, name, value, value.remaining()) != 0) {
            int errno = errno();
            if (errno != Errno.EINTR.number()) {
                throw failure(errno, operation);
            }
        }
    }

    /** Calls setsockopt once more after EINTR; returns 0 on success, else the errno. */
    static int trySetsockopt(int fd, int level, int name, ByteBuffer value) {
        while (libc().setsockopt(fd, level, name, value, value.remaining()) != 0) {
            int errno = errno();
            if (errno != Errno.EINTR.number()) {
                return errno;
            }
        }
        return 0;
    }

    /** Fills {@code value} (from position 0) and returns the length the kernel reported. */
    static int getsockopt(int fd, int level, int name, ByteBuffer value, String operation) {
        while (true) {
            IntByReference length = new IntByReference(value.capacity());
            if (libc().getsockopt(fd, level, name, value, length) == 0) {
                return length.intValue();
            }
            int errno = errno();
            if (errno != Errno.EINTR.number()) {
                throw failure(errno, operation);
            }
        }
    }

    /**
     * Waits until one of the descriptors in {@code pollfds} is ready or the timeout passes.
     *
     * @return the number of ready descriptors, 0 on timeout, or -1 when interrupted by a signal
     *     (the caller recomputes its timeout and calls again)
     */
    static int poll(ByteBuffer pollfds, int count, int timeoutMillis) {
        int ready = libc().poll(pollfds, count, timeoutMillis);
        if (ready >= 0) {
            return ready;
        }
        int errno = errno();
        if (errno == Errno.EINTR.number()) {
            return -1;
        }
        throw failure(errno, "poll");
    }

    /**
     * One non-blocking {@code recvfrom}.
     *
     * @param addressLength a direct buffer of at least 4 bytes in host order, reused by the caller
     *     so that receiving allocates nothing
     * @return the datagram's full length (MSG_TRUNC is always passed), or {@code -errno} on
     *     failure; {@code EINTR} is retried here
     */
    static long recvfrom(int fd, ByteBuffer data, int length, int flags, ByteBuffer address, ByteBuffer addressLength) {
        while (true) {
            addressLength.putInt(0, SOCKADDR_NL_SIZE);
            long received = libc().recvfrom(fd, data, length, flags | MSG_TRUNC | MSG_DONTWAIT, address, addressLength);
            if (received >= 0) {
                return received;
            }
            int errno = errno();
            if (errno != Errno.EINTR.number()) {
                return -errno;
            }
        }
    }

    /** Sends the remaining bytes of {@code data}, a direct buffer, to {@code address}. */
    static void sendto(int fd, ByteBuffer data, ByteBuffer address) {
        while (true) {
            long sent = libc().sendto(fd, data, data.remaining(), 0, address, SOCKADDR_NL_SIZE);
            if (sent >= 0) {
                // A datagram socket sends all or nothing.
                return;
            }
            int errno = errno();
            if (errno != Errno.EINTR.number()) {
                throw failure(errno, "sendto");
            }
        }
    }

    /** Makes an eventfd readable for good: every poller wakes and keeps waking. */
    static void signal(int eventFd) {
        ByteBuffer one = ByteBuffer.allocateDirect(8).order(java.nio.ByteOrder.nativeOrder());
        one.putLong(0, 1L);
        libc().write(eventFd, one, 8);
    }

    /**
     * Closes {@code fd} once. Not retried on EINTR: Linux releases the descriptor before it can
     * report EINTR, so a retry could close a descriptor another thread has just been given.
     */
    static void close(int fd) {
        libc().close(fd);
    }

    /** A direct {@code struct sockaddr_nl} in host byte order. */
    static ByteBuffer sockaddrNl(int portId, int groups) {
        ByteBuffer address = ByteBuffer.allocateDirect(SOCKADDR_NL_SIZE).order(java.nio.ByteOrder.nativeOrder());
        address.putShort(0, (short) AF_NETLINK);
        address.putShort(2, (short) 0);
        address.putInt(4, portId);
        address.putInt(8, groups);
        return address;
    }
}
