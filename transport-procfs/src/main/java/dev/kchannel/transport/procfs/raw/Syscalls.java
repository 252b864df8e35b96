// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs.raw;

import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.support.DescriptorGate;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.Transient;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The system calls behind {@link ProcFile}: each one's errno read straight after the call, before
 * anything else can overwrite it, {@code EINTR} retried where a retry is safe, and failures turned
 * into the api's exceptions naming the file and the operation. Numbers are those of the generic
 * Linux ABI (x86_64, aarch64, riscv64, ...), like the api's {@link Errno}.
 */
final class Syscalls {

    static final String TRANSPORT = "procfs";

    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;
    static final int R_OK = 4;
    static final int W_OK = 2;

    private Syscalls() {
    }

    /**
     * The C library calls a /proc or sysfs file needs, bound by jnr-ffi. {@link Syscalls} is the
     * only caller: it reads errno right after each call and retries on {@code EINTR}.
     *
     * <p>Public only because jnr-ffi generates its implementation in a class loader of its own,
     * which cannot implement a package-private interface; nesting it in this package-private class
     * keeps it out of reach of other packages.
     *
     * <p>Descriptors are plain {@code int}s. Paths are NUL-terminated byte arrays, so a name that is
     * not valid in the JVM's charset still reaches the kernel byte for byte. Buffers are
     * {@code @Transient} (the C side never keeps the pointer) and {@code @In}/{@code @Out} by the
     * direction the data flows, so jnr copies a heap buffer only the way it is needed; direct
     * buffers are not copied at all. Only {@link #signal}'s {@code write} to an eventfd ignores
     * errno: adding 1 to a counter at 0 cannot fail.
     */
    public interface LibC {

        int open(@In @Transient byte[] path, int flags);

        int access(@In @Transient byte[] path, int mode);

        @ssize_t long read(int fd, @Out @Transient ByteBuffer data, @size_t long length);

        @ssize_t long write(int fd, @In @Transient ByteBuffer data, @size_t long length);

        /** {@code nfds} is an {@code nfds_t}, an unsigned long. */
        int poll(@In @Out @Transient ByteBuffer fds, long nfds, int timeoutMillis);

        int eventfd(int initialValue, int flags);

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
                            "/proc and sysfs as kchannel reads them exist only on Linux, not on "
                                    + Platform.getNativePlatform().getOS());
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

    /** The typed exception for {@code errno}, as {@code procfs: read /proc/x failed: ...}. */
    static KernelErrorException failure(int errno, String operation) {
        return KernelErrorException.forErrno(errno).transport(TRANSPORT).operation(operation).build();
    }

    /** {@code path} as the kernel takes it: its bytes, then NUL. */
    static byte[] cPath(String path) {
        byte[] bytes = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] terminated = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, terminated, 0, bytes.length);
        return terminated;
    }

    /**
     * Opens {@code path} with {@code flags} ({@link #O_CLOEXEC} is added).
     *
     * @param name the path as shown in errors
     */
    static int open(byte[] path, int flags, String name) {
        LibC libc = libc();
        while (true) {
            int fd = libc.open(path, flags | O_CLOEXEC);
            if (fd >= 0) {
                return fd;
            }
            int errno = errno();
            if (errno != Errno.EINTR.number()) {
                throw failure(errno, "open " + name);
            }
        }
    }

    /**
     * {@code access(2)} with {@code mode}: 0 when allowed, else the errno. Asks with the real
     * user and group ids, which for the processes kchannel runs in are the effective ones too.
     */
    static int access(byte[] path, int mode) {
        LibC libc = libc();
        while (libc.access(path, mode) != 0) {
            int errno = errno();
            if (errno != Errno.EINTR.number()) {
                return errno;
            }
        }
        return 0;
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

    /**
     * One {@code read(2)} of up to {@code length} bytes into {@code data} at its position (which
     * does not move). {@code EINTR} is retried: nothing was read then.
     *
     * @return the bytes read (0 at end of file), or {@code -errno}
     */
    static long read(int fd, ByteBuffer data, int length) {
        LibC libc = libc();
        while (true) {
            long read = libc.read(fd, data, length);
            if (read >= 0) {
                return read;
            }
            int errno = errno();
            if (errno != Errno.EINTR.number()) {
                return -errno;
            }
        }
    }

    /**
     * One {@code write(2)} of the remaining bytes of {@code data} (whose position does not move).
     * {@code EINTR} is retried: nothing was written then.
     *
     * @return the bytes written, or {@code -errno}
     */
    static long write(int fd, ByteBuffer data) {
        LibC libc = libc();
        while (true) {
            long written = libc.write(fd, data, data.remaining());
            if (written >= 0) {
                return written;
            }
            int errno = errno();
            if (errno != Errno.EINTR.number()) {
                return -errno;
            }
        }
    }

    /**
     * One {@code poll(2)} over {@code count} pollfds.
     *
     * @return the number of ready descriptors, 0 on timeout, or -1 when interrupted by a signal
     *     (the caller recomputes what is left of its timeout and calls again)
     */
    static int poll(ByteBuffer pollfds, int count, int timeoutMillis, String name) {
        int ready = libc().poll(pollfds, count, timeoutMillis);
        if (ready >= 0) {
            return ready;
        }
        int errno = errno();
        if (errno == Errno.EINTR.number()) {
            return -1;
        }
        throw failure(errno, "poll " + name);
    }

    /**
     * Makes an eventfd readable for good: every poller wakes and keeps waking. Adding 1 to a
     * counter at 0 cannot fail while the descriptor is open, which the caller guarantees, so the
     * result is not looked at.
     */
    static void signal(int eventFd) {
        ByteBuffer one = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
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

    /** The system calls a {@link DescriptorGate} makes for {@code fd}, named {@code name} in errors. */
    static DescriptorGate.Descriptors gateCalls(int fd, String name) {
        return new DescriptorGate.Descriptors() {
            @Override
            public int newEventFd() {
                return eventfd();
            }

            @Override
            public void signal(int eventFd) {
                Syscalls.signal(eventFd);
            }

            @Override
            public int poll(ByteBuffer pollFds, int count, int timeoutMillis) {
                return Syscalls.poll(pollFds, count, timeoutMillis, name);
            }

            @Override
            public void free(int eventFd) {
                close(fd);
                if (eventFd >= 0) {
                    close(eventFd);
                }
            }
        };
    }
}
