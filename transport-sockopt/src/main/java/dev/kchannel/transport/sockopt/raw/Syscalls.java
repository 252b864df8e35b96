// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.sockopt.raw;

import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.TransportUnavailableException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.Transient;

/**
 * The system calls behind {@link InetSocket}, bound by jnr-ffi: each one's errno read straight
 * after the call, before anything else can overwrite it. Numbers are those of the generic Linux
 * ABI (x86_64, aarch64, riscv64, ...), like the api's {@link Errno}.
 *
 * <p>{@code EINTR} is retried for {@code socket(2)} and {@code getsockopt(2)}, which change
 * nothing when interrupted and which a reader may repeat. It is reported, not retried, for
 * {@code setsockopt(2)}: whether an interrupted set took effect is the option's business, and
 * repeating a DELETE-like option could turn its success into an error.
 */
final class Syscalls {

    static final String TRANSPORT = "sockopt";

    static final int AF_INET = 2;
    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;

    private Syscalls() {
    }

    /**
     * The C library calls a socket option needs. {@link Syscalls} is the only caller.
     *
     * <p>Public only because jnr-ffi generates its implementation in a class loader of its own,
     * which cannot implement a package-private interface; nesting it in this package-private class
     * keeps it out of reach of other packages.
     *
     * <p>Descriptors are plain {@code int}s. {@code getsockopt}'s buffer is {@code @In @Out}: a
     * socket option's buffer may carry a request in as well as the answer out (kchan_sockopt's
     * reads, {@code IPT_SO_GET_ENTRIES}); its {@code *optlen} is {@code @In @Out} too, since the
     * kernel reads the buffer's size from it and writes the answer's length back. Direct buffers
     * are passed by address, never copied.
     */
    public interface LibC {

        int socket(int domain, int type, int protocol);

        int getsockopt(int fd, int level, int optname, @In @Out @Transient ByteBuffer optval,
                @In @Out @Transient ByteBuffer optlen);

        /** {@code optlen} is a {@code socklen_t}: -1 reaches the kernel as 0xffffffff, as from C. */
        int setsockopt(int fd, int level, int optname, @In @Transient ByteBuffer optval, int optlen);

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
                            "kchannel's socket options are Linux's, and this is "
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

    /** The real system calls. */
    /** Each thread's {@code socklen_t} for getsockopt's in/out length, native order. */
    private static final ThreadLocal<ByteBuffer> OPTLEN =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(Integer.BYTES).order(ByteOrder.nativeOrder()));

    static final OptionCalls NATIVE = new OptionCalls() {
        @Override
        public int socket(int type) {
            LibC libc = libc();
            while (true) {
                int fd = libc.socket(AF_INET, type | SOCK_CLOEXEC, 0);
                if (fd >= 0) {
                    return fd;
                }
                int errno = errno();
                if (errno != Errno.EINTR.number()) {
                    return -errno;
                }
            }
        }

        @Override
        public int getsockopt(int fd, int level, int optname, ByteBuffer buffer, int[] optlen) {
            LibC libc = libc();
            // A direct socklen_t of this thread's: jnr passes its address as it is, where an
            // IntByReference took its slow, allocating path on every call.
            ByteBuffer length = OPTLEN.get();
            while (true) {
                length.putInt(0, optlen[0]);
                int result = libc.getsockopt(fd, level, optname, buffer, length);
                int errno = result == 0 ? 0 : errno();
                optlen[0] = length.getInt(0);
                if (errno != Errno.EINTR.number()) {
                    return errno;
                }
            }
        }

        @Override
        public int setsockopt(int fd, int level, int optname, ByteBuffer buffer, int optlen) {
            return libc().setsockopt(fd, level, optname, buffer, optlen) == 0 ? 0 : errno();
        }

        @Override
        public void close(int fd) {
            libc().close(fd);
        }
    };

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
}
