// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.chardev.raw;

import com.kenai.jffi.MemoryIO;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.support.DescriptorGate;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.Transient;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The system calls behind {@link DeviceFile}: each one's errno read straight after the call,
 * {@code EINTR} retried where a retry is safe, failures turned into the api's exceptions naming
 * the device and the operation. Numbers are those of the generic Linux ABI (x86_64, aarch64,
 * riscv64, ...), like the api's {@link Errno}.
 */
final class Syscalls {

    static final String TRANSPORT = "chardev";

    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;
    static final int PROT_READ = 0x1;
    static final int PROT_WRITE = 0x2;
    static final int MAP_SHARED = 0x01;
    static final int MAP_PRIVATE = 0x02;
    /** {@code MAP_FAILED}, {@code (void *) -1}. */
    static final long MAP_FAILED = -1L;

    private Syscalls() {
    }

    /**
     * The C library calls a device node needs, bound by jnr-ffi. {@link Syscalls} is the only
     * caller: it reads errno right after each call.
     *
     * <p>Public only because jnr-ffi generates its implementation in a class loader of its own,
     * which cannot implement a package-private interface.
     *
     * <p>{@code ioctl} is variadic in C; its third argument is passed here as a 64-bit integer,
     * which on the 64-bit Linux ABIs is passed exactly as a pointer or an {@code unsigned long} is,
     * so one binding serves both {@link DeviceFile#ioctl(long, long)} and the buffer form (the
     * address of a direct buffer). {@code mmap} takes and returns {@link Pointer}s: bound with
     * plain {@code long}s in their place, jnr-ffi 2.2 passed arguments the kernel refused with
     * EINVAL.
     */
    public interface LibC {

        int open(@In @Transient byte[] path, int flags);

        @ssize_t long read(int fd, @Out @Transient ByteBuffer data, @size_t long length);

        @ssize_t long write(int fd, @In @Transient ByteBuffer data, @size_t long length);

        int ioctl(int fd, long request, long argument);

        /** {@code nfds} is an {@code nfds_t}, an unsigned long. */
        int poll(@In @Out @Transient ByteBuffer fds, long nfds, int timeoutMillis);

        Pointer mmap(Pointer address, @size_t long length, int protection, int flags, int fd, @off_t long offset);

        int munmap(Pointer address, @size_t long length);

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
                Platform platform = Platform.getNativePlatform();
                if (platform.getOS() != Platform.OS.LINUX) {
                    throw new UnsupportedOperationException("device nodes as kchannel uses them need Linux, not "
                            + platform.getOS());
                }
                if (platform.addressSize() != 64) {
                    throw new UnsupportedOperationException("the chardev raw layer needs a 64-bit Linux ABI");
                }
                libc = LibraryLoader.create(LibC.class).load(platform.getStandardCLibraryName());
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
     * @throws TransportUnavailableException when this is not 64-bit Linux or jnr-ffi cannot load libc
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

    /** The typed exception for {@code errno}, as {@code chardev: ioctl 0xc020ba01 /dev/kchan failed: ...}. */
    static KernelErrorException failure(int errno, String operation) {
        return KernelErrorException.forErrno(errno).transport(TRANSPORT).operation(operation).build();
    }

    /** {@code path} as the kernel takes it: its bytes, then NUL. */
    static byte[] cPath(String path) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        byte[] terminated = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, terminated, 0, bytes.length);
        return terminated;
    }

    /** The address of a direct buffer's first byte (its position is not looked at). */
    static long address(ByteBuffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer");
        }
        return MemoryIO.getInstance().getDirectBufferAddress(direct);
    }

    /** A buffer over {@code length} bytes of native memory at {@code address}; nothing is copied. */
    static ByteBuffer wrap(long address, int length) {
        return MemoryIO.getInstance().newDirectByteBuffer(address, length).order(ByteOrder.nativeOrder());
    }

    /** Opens {@code path} with {@code flags} ({@link #O_CLOEXEC} is added); EINTR is retried. */
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
     * One {@code ioctl(2)}. Not retried on {@code EINTR}: whether a driver did part of the work
     * before a signal stopped it is the driver's business, so the caller decides.
     *
     * @return the ioctl's non-negative result, or {@code -errno}
     */
    static long ioctl(int fd, long request, long argument) {
        int result = libc().ioctl(fd, request, argument);
        return result >= 0 ? result : -errno();
    }

    /**
     * One {@code poll(2)} over {@code count} pollfds.
     *
     * @return the number of ready descriptors, 0 on timeout, or -1 when interrupted by a signal
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
     * {@code mmap(NULL, length, prot, flags, fd, offset)}.
     *
     * @return the mapping's address
     */
    static long mmap(int fd, long length, int protection, int flags, long offset, String name) {
        Pointer mapped = libc().mmap(null, length, protection, flags, fd, offset);
        long address = mapped == null ? 0L : mapped.address();
        if (address == MAP_FAILED || mapped == null) {
            int errno = errno();
            throw failure(errno, "mmap " + length + " bytes at offset " + offset + " of " + name);
        }
        return address;
    }

    /** Unmaps what {@link #mmap} mapped; cannot fail for a range it returned. */
    static void munmap(long address, long length) {
        libc().munmap(Pointer.wrap(Holder.RUNTIME, address), length);
    }

    /**
     * Makes an eventfd readable for good: every poller wakes and keeps waking. Adding 1 to a
     * counter at 0 cannot fail while the descriptor is open, which the caller guarantees.
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

    /**
     * The system calls a {@link DescriptorGate} makes for {@code fd}, named {@code name} in errors;
     * freeing runs {@code unmap} before closing the descriptor.
     */
    static DescriptorGate.Descriptors gateCalls(int fd, String name, Runnable unmap) {
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
                unmap.run();
                close(fd);
                if (eventFd >= 0) {
                    close(eventFd);
                }
            }
        };
    }
}
