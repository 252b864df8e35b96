// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.chardev.raw;

import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.support.DescriptorGate;
import dev.kchannel.api.support.PollEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An open device node (or any other file): {@code read(2)} and {@code write(2)} with
 * {@link ByteBuffer}s, {@code ioctl(2)} with a buffer or an integer argument, {@code poll(2)} with
 * a timeout, and {@code mmap(2)} into a {@link ByteBuffer}. Works for any driver; request numbers
 * come from {@link IoctlRequest}.
 *
 * <h2>Closing</h2>
 * {@link #close()} may come from any thread. Closing a descriptor does not wake a thread polling
 * it, so the file owns an eventfd (made on the first poll) that close makes readable for good;
 * polls watch it beside the device and throw {@link ChannelClosedException}. The descriptors are
 * closed, and every mapping unmapped, by the last call to leave, so no call ever touches a
 * descriptor number the process has since reused, and no mapping disappears under a call. Code
 * that reads a mapped buffer between calls keeps the mapping alive with {@link #hold()}. A
 * blocking {@code read(2)} is not woken by close: poll first, or open {@link OpenFlag#NONBLOCK}.
 *
 * <h2>Errors</h2>
 * A failed system call throws the api's {@link KernelErrorException} for its errno (ENOTTY,
 * EFAULT, EINVAL, EMSGSIZE, ...; {@link dev.kchannel.api.error.PermissionDeniedException} for
 * EACCES/EPERM, {@link dev.kchannel.api.error.NoSuchEntryException} for ENOENT), transport
 * {@code chardev}, naming the operation and the device: {@code chardev: ioctl 0x5401 on /dev/null
 * failed: ENOTTY (25): ...}. Calls after close throw {@link ChannelClosedException}; a machine
 * without 64-bit Linux or jnr-ffi gives {@link TransportUnavailableException}.
 *
 * <p>Thread-safe. Reads are serialised with reads and writes with writes; ioctls are not
 * serialised at all (a driver that allows concurrent ioctls on one file gets them).
 */
public final class DeviceFile implements AutoCloseable {

    private final Path path;
    private final String name;
    private final int fd;
    private final boolean readable;
    private final boolean writable;

    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private ByteBuffer writeBuffer;
    // Calls in flight, close() from any thread, the poll woken by it; frees the mappings too.
    private final DescriptorGate gate;
    // Address and length of every mapping, unmapped when the gate frees the file; guarded by itself.
    private final List<long[]> mappings = new ArrayList<>();

    private DeviceFile(Path path, int fd, boolean readable, boolean writable) {
        this.path = path;
        this.name = path.toString();
        this.fd = fd;
        this.readable = readable;
        this.writable = writable;
        this.gate = new DescriptorGate(Syscalls.TRANSPORT, fd, Syscalls.gateCalls(fd, name, this::unmapAll));
    }

    /**
     * Opens {@code path}: {@link OpenFlag#READ}, {@link OpenFlag#WRITE} or both, maybe
     * {@link OpenFlag#NONBLOCK}.
     *
     * @throws KernelErrorException for the errno of {@code open(2)}, such as
     *     {@link dev.kchannel.api.error.NoSuchEntryException} for a missing node or
     *     {@link dev.kchannel.api.error.PermissionDeniedException} for one the caller may not open
     */
    public static DeviceFile open(Path path, OpenFlag... flags) {
        Objects.requireNonNull(path, "path");
        Set<OpenFlag> set = EnumSet.noneOf(OpenFlag.class);
        for (OpenFlag flag : flags) {
            set.add(Objects.requireNonNull(flag, "flag"));
        }
        boolean read = set.contains(OpenFlag.READ);
        boolean write = set.contains(OpenFlag.WRITE);
        int mode;
        if (read && write) {
            mode = Syscalls.O_RDWR;
        } else if (write) {
            mode = Syscalls.O_WRONLY;
        } else if (read) {
            mode = Syscalls.O_RDONLY;
        } else {
            throw new IllegalArgumentException("open " + path + ": say READ, WRITE or both");
        }
        if (set.contains(OpenFlag.NONBLOCK)) {
            mode |= Syscalls.O_NONBLOCK;
        }
        int fd = Syscalls.open(Syscalls.cPath(path.toString()), mode, path.toString());
        return new DeviceFile(path, fd, read, write);
    }

    /**
     * The native address of a direct buffer's first byte (its position is not added): what a
     * driver's ioctl struct holds in its {@code __u64} pointer fields. The buffer must stay
     * reachable while the kernel may use the address.
     */
    public static long addressOf(ByteBuffer direct) {
        Objects.requireNonNull(direct, "direct");
        return Syscalls.address(direct);
    }

    /** The path this file was opened with. */
    public Path path() {
        return path;
    }

    /** Whether {@link #close()} has not been called yet. */
    public boolean isOpen() {
        return !gate.isClosed();
    }

    // ---- read and write -----------------------------------------------------------------------

    /**
     * One {@code read(2)} into {@code target}'s remaining space, advancing its position by the
     * bytes read. Heap and direct buffers both work.
     *
     * @return the bytes read; -1 at end of file; 0 when the file is {@link OpenFlag#NONBLOCK} and
     *     has nothing now ({@code EAGAIN}), or {@code target} has no room
     * @throws KernelErrorException if the read fails, such as {@link Errno#EMSGSIZE} from a device
     *     whose next message does not fit
     */
    public int read(ByteBuffer target) {
        Objects.requireNonNull(target, "target");
        if (target.isReadOnly()) {
            throw new IllegalArgumentException("read into a read-only buffer");
        }
        if (!target.hasRemaining()) {
            return 0;
        }
        gate.enter();
        readLock.lock();
        try {
            long read = Syscalls.read(fd, target, target.remaining());
            if (read < 0) {
                if (-read == Errno.EAGAIN.number()) {
                    return 0;
                }
                throw failed((int) -read, "read " + target.remaining() + " bytes from ");
            }
            if (read == 0) {
                return -1;
            }
            target.position(target.position() + (int) read);
            return (int) read;
        } finally {
            readLock.unlock();
            gate.leave();
        }
    }

    /**
     * One {@code write(2)} of {@code source}'s remaining bytes, advancing its position by what the
     * kernel took.
     *
     * @return the bytes written, which a device may make fewer than offered; 0 when the file is
     *     {@link OpenFlag#NONBLOCK} and cannot take anything now ({@code EAGAIN})
     */
    public int write(ByteBuffer source) {
        Objects.requireNonNull(source, "source");
        gate.enter();
        writeLock.lock();
        try {
            ByteBuffer direct = source;
            if (!source.isDirect()) {
                if (writeBuffer == null || writeBuffer.capacity() < source.remaining()) {
                    writeBuffer = ByteBuffer.allocateDirect(Math.max(4096, source.remaining()));
                }
                direct = writeBuffer.clear();
                direct.put(0, source, source.position(), source.remaining());
                direct.limit(source.remaining());
            }
            long written = Syscalls.write(fd, direct);
            if (written < 0) {
                if (-written == Errno.EAGAIN.number()) {
                    return 0;
                }
                throw failed((int) -written, "write " + source.remaining() + " bytes to ");
            }
            source.position(source.position() + (int) written);
            return (int) written;
        } finally {
            writeLock.unlock();
            gate.leave();
        }
    }

    // ---- ioctl --------------------------------------------------------------------------------

    /**
     * {@code ioctl(fd, request, value)}: an argument passed by value ({@code _IO} requests, or
     * those that take an integer).
     *
     * @return the ioctl's result, usually 0
     * @throws KernelErrorException for its errno, such as {@link Errno#ENOTTY} for a request the
     *     driver does not know
     */
    public int ioctl(long request, long value) {
        gate.enter();
        try {
            long result = Syscalls.ioctl(fd, request, value);
            if (result < 0) {
                throw failed((int) -result, describe(request) + " on ");
            }
            return (int) result;
        } finally {
            gate.leave();
        }
    }

    /**
     * {@code ioctl(fd, request, &arg)}: the argument is {@code arg}'s bytes from its position to
     * its limit, which the kernel reads and/or writes in place (its position does not move). A
     * direct buffer is passed as it is; a heap buffer is copied to native memory and back.
     *
     * @return the ioctl's result, usually 0
     * @throws IllegalArgumentException if {@code arg} has fewer bytes than the size the request
     *     encodes (the kernel would read or write past it)
     * @throws KernelErrorException for its errno ({@link Errno#ENOTTY}, {@link Errno#EFAULT},
     *     {@link Errno#EINVAL}, ...)
     */
    public int ioctl(long request, ByteBuffer arg) {
        Objects.requireNonNull(arg, "arg");
        int size = IoctlRequest.size(request);
        if (arg.remaining() < size) {
            throw new IllegalArgumentException(describe(request) + " takes " + size + " bytes, the buffer has "
                    + arg.remaining());
        }
        ByteBuffer direct = arg;
        if (!arg.isDirect()) {
            direct = ByteBuffer.allocateDirect(Math.max(1, arg.remaining()));
            direct.put(0, arg, arg.position(), arg.remaining());
        } else if (arg.isReadOnly()) {
            throw new IllegalArgumentException("ioctl with a read-only buffer");
        }
        gate.enter();
        try {
            long address = Syscalls.address(direct) + (direct == arg ? arg.position() : 0);
            long result = Syscalls.ioctl(fd, request, address);
            if (result < 0) {
                throw failed((int) -result, describe(request) + " on ");
            }
            return (int) result;
        } finally {
            gate.leave();
            if (direct != arg && !arg.isReadOnly()) {
                arg.put(arg.position(), direct, 0, arg.remaining());
            }
        }
    }

    private static String describe(long request) {
        return "ioctl 0x" + Long.toHexString(request);
    }

    // ---- mmap ---------------------------------------------------------------------------------

    /**
     * Maps {@code length} bytes of the device from {@code offset} ({@code mmap(2)}, readable, and
     * writable if the file was opened for writing or the mapping is private). The mapping lives
     * until the file is freed: after {@link #close()}, once the last call and {@link #hold()} has
     * ended. Touching the buffer after that crashes the JVM, so code that reads it on another
     * thread holds the file while it does.
     *
     * @param shared {@code MAP_SHARED} (stores reach the device and other mappings) or
     *     {@code MAP_PRIVATE}
     * @return a buffer in native byte order over the mapping; read-only when the mapping is
     * @throws KernelErrorException for the errno, such as {@link Errno#EINVAL} for a length or
     *     offset the driver does not take, {@link Errno#ENODEV} when it maps nothing
     */
    public ByteBuffer mmap(int length, long offset, boolean shared) {
        if (length <= 0) {
            throw new IllegalArgumentException("mmap length " + length + " is not positive");
        }
        boolean writableMapping = shared ? writable : true;
        int protection = (readable || !writableMapping ? Syscalls.PROT_READ : 0)
                | (writableMapping ? Syscalls.PROT_WRITE : 0);
        gate.enter();
        try {
            long address = Syscalls.mmap(fd, length, protection, shared ? Syscalls.MAP_SHARED : Syscalls.MAP_PRIVATE,
                    offset, name);
            synchronized (mappings) {
                mappings.add(new long[] {address, length});
            }
            ByteBuffer mapped = Syscalls.wrap(address, length);
            return writableMapping ? mapped : mapped.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
        } finally {
            gate.leave();
        }
    }

    /**
     * Keeps the descriptor and the mappings alive until the returned hold is closed, even if the
     * file is closed meanwhile: for a thread that reads a mapping between calls.
     *
     * @throws ChannelClosedException if the file is closed already
     */
    public Hold hold() {
        gate.enter();
        return new Hold();
    }

    /** What {@link #hold()} returns; closing it twice is harmless. */
    public final class Hold implements AutoCloseable {
        private boolean released;

        private Hold() {
        }

        @Override
        public void close() {
            synchronized (DeviceFile.this) {
                if (released) {
                    return;
                }
                released = true;
            }
            gate.leave();
        }
    }

    // ---- poll ---------------------------------------------------------------------------------

    /**
     * Waits up to {@code timeout} until the device reports one of {@code interest} (or an error or
     * hang-up, which are always reported).
     *
     * @param timeout how long to wait; zero only looks
     * @return what the device reported, empty when the timeout passed first
     * @throws ChannelClosedException if the file is closed, before or during the wait
     */
    public Set<PollEvent> poll(Set<PollEvent> interest, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return gate.poll(interest, timeout);
    }

    /** {@link #poll(Set, Duration)} without a timeout: waits until the device reports or is closed. */
    public Set<PollEvent> poll(Set<PollEvent> interest) {
        return gate.poll(interest, null);
    }

    // ---- closing ------------------------------------------------------------------------------

    /**
     * Closes the file. Idempotent, and safe from any thread: polls blocked in other threads wake
     * and throw {@link ChannelClosedException}; the descriptors are closed and the mappings
     * unmapped once the last call or hold using them has ended.
     */
    @Override
    public void close() {
        gate.close();
    }

    private void unmapAll() {
        List<long[]> unmap;
        synchronized (mappings) {
            unmap = new ArrayList<>(mappings);
            mappings.clear();
        }
        for (long[] mapping : unmap) {
            Syscalls.munmap(mapping[0], mapping[1]);
        }
    }

    private KernelErrorException failed(int errno, String operation) {
        if (errno == Errno.EBADF.number() && !isOpen()) {
            throw new ChannelClosedException(Syscalls.TRANSPORT);
        }
        return Syscalls.failure(errno, operation + name);
    }

    @Override
    public String toString() {
        return "DeviceFile[" + name + (isOpen() ? "" : ", closed") + "]";
    }
}
