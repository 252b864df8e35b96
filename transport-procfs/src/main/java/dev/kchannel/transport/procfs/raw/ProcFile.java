// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs.raw;

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
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An open /proc or sysfs entry (or any other file the kernel serves): read whole whatever its
 * size, read into a caller's buffer, write one message per {@code write(2)}, poll with a timeout.
 *
 * <h2>Reading whole</h2>
 * {@link #readAll()} reads until {@code read(2)} returns 0 (end of file) into a reused direct
 * buffer that doubles whenever it fills. It never trusts the size {@code stat(2)} reports, which
 * is 0 for /proc files and 4096 for sysfs attributes, nor assumes a page: a seq_file such as
 * {@code /proc/kallsyms} is megabytes, produced a chunk per read. A read starts where the
 * previous one stopped (the file's offset), so a fresh file reads whole.
 *
 * <h2>Writing</h2>
 * A /proc or sysfs file takes each {@code write(2)} as one unit (a sysfs attribute's new value, a
 * kchan request), so {@link #write(ByteBuffer)} makes exactly one call and reports how much the
 * kernel took, and {@link #writeWhole(ByteBuffer)} throws {@link ShortWriteException} rather than
 * sending the rest as a second message.
 *
 * <h2>Polling and closing</h2>
 * {@link #poll(Set, Duration)} waits in {@code poll(2)}, retried after a signal with what is left
 * of the timeout. {@link #close()} may come from any thread: closing a descriptor does not wake a
 * thread polling it, so the file owns an eventfd (made on the first poll) that close makes
 * readable for good; polls watch it beside the file and throw {@link ChannelClosedException}. The
 * descriptors are freed by the last call to leave, so no call ever touches a descriptor number the
 * process has since reused for another file. A blocking {@code read(2)} is not woken by close:
 * poll first, or open the file {@link OpenFlag#NONBLOCK}.
 *
 * <h2>Errors</h2>
 * A failed system call throws the api's {@link KernelErrorException} for its errno
 * ({@link dev.kchannel.api.error.PermissionDeniedException} for {@code EACCES}/{@code EPERM},
 * {@link dev.kchannel.api.error.NoSuchEntryException} for {@code ENOENT}), transport
 * {@code procfs}, with the operation and the path: {@code procfs: open /proc/kchan/call failed:
 * ENOENT (2): No such file or directory}. Calls after close throw {@link ChannelClosedException};
 * a machine without Linux or jnr-ffi gives {@link TransportUnavailableException}.
 *
 * <p>Thread-safe: reads are serialised with reads, writes with writes, polls with polls.
 */
public final class ProcFile implements AutoCloseable {

    /** Where {@link #readAll()} starts: most /proc and sysfs files are smaller. */
    static final int INITIAL_READ_BUFFER = 16 * 1024;
    /** The largest grown read buffer {@link #readAllBytes} keeps for the thread's next file. */
    private static final int SCRATCH_KEPT = 1 << 20;
    private static final ThreadLocal<ByteBuffer> READ_SCRATCH =
            ThreadLocal.withInitial(() -> directBuffer(INITIAL_READ_BUFFER));
    /** The most {@link #readAll()} returns; beyond it the file is not a /proc view but a stream. */
    public static final int READ_ALL_LIMIT = 1 << 30;

    private final Path path;
    private final String name;
    private final int fd;

    private final ReentrantLock readLock = new ReentrantLock();
    private ByteBuffer readBuffer;

    private final ReentrantLock writeLock = new ReentrantLock();
    private ByteBuffer writeBuffer;

    // Calls in flight, close() from any thread, the poll woken by it.
    private final DescriptorGate gate;

    private ProcFile(Path path, int fd) {
        this.path = path;
        this.name = path.toString();
        this.fd = fd;
        this.gate = new DescriptorGate(Syscalls.TRANSPORT, fd, Syscalls.gateCalls(fd, name));
    }

    /**
     * Opens {@code path}: {@link OpenFlag#READ}, {@link OpenFlag#WRITE} or both, maybe
     * {@link OpenFlag#NONBLOCK}.
     *
     * @throws IllegalArgumentException without READ or WRITE
     * @throws KernelErrorException if the kernel refuses: {@code NoSuchEntryException} for a
     *     missing path, {@code PermissionDeniedException} for {@code EACCES} (a sysfs attribute
     *     without a store method refuses writing even to root), ...
     * @throws TransportUnavailableException if this is not Linux or jnr-ffi cannot load libc
     */
    public static ProcFile open(Path path, OpenFlag... flags) {
        Objects.requireNonNull(path, "path");
        Set<OpenFlag> set = EnumSet.noneOf(OpenFlag.class);
        for (OpenFlag flag : flags) {
            set.add(Objects.requireNonNull(flag, "flag"));
        }
        int mode;
        if (set.contains(OpenFlag.READ) && set.contains(OpenFlag.WRITE)) {
            mode = Syscalls.O_RDWR;
        } else if (set.contains(OpenFlag.WRITE)) {
            mode = Syscalls.O_WRONLY;
        } else if (set.contains(OpenFlag.READ)) {
            mode = Syscalls.O_RDONLY;
        } else {
            throw new IllegalArgumentException("open " + path + ": say READ, WRITE or both");
        }
        if (set.contains(OpenFlag.NONBLOCK)) {
            mode |= Syscalls.O_NONBLOCK;
        }
        return new ProcFile(path, Syscalls.open(Syscalls.cPath(path.toString()), mode, path.toString()));
    }

    /**
     * The whole content of {@code path}, read as {@link #readAll()} reads: the shape of
     * {@link java.nio.file.Files#readAllBytes}, for files whose size {@code stat} does not know.
     */
    public static byte[] readAllBytes(Path path) {
        try (ProcFile file = open(path, OpenFlag.READ)) {
            // The thread's read buffer, not a new direct one per file: allocating and freeing
            // direct memory cost more than the read itself (BENCHMARKS.md, procfs reads).
            file.readBuffer = READ_SCRATCH.get();
            byte[] content = file.readAll();
            if (file.readBuffer.capacity() <= SCRATCH_KEPT) {
                READ_SCRATCH.set(file.readBuffer);
            }
            return content;
        }
    }

    /**
     * Writes {@code content} to {@code path} with one {@code write(2)}, as a shell's
     * {@code echo -n content > path} does; the way to set a sysfs attribute or a
     * {@code /proc/sys} value.
     *
     * @throws ShortWriteException if the kernel took only part of it
     */
    public static void write(Path path, byte[] content) {
        try (ProcFile file = open(path, OpenFlag.WRITE)) {
            file.writeWhole(ByteBuffer.wrap(content));
        }
    }

    /**
     * Whether the caller may open {@code path} for {@code flags} (READ and/or WRITE), by
     * {@code access(2)}, without opening it; for probes, since opening some files has effects.
     *
     * @return empty when allowed, else the errno: {@link Errno#ENOENT} for a missing path,
     *     {@link Errno#EACCES} for one the caller may not use so, ...
     */
    public static Optional<Errno> access(Path path, OpenFlag... flags) {
        int mode = 0;
        for (OpenFlag flag : flags) {
            mode |= flag == OpenFlag.READ ? Syscalls.R_OK : flag == OpenFlag.WRITE ? Syscalls.W_OK : 0;
        }
        int errno = Syscalls.access(Syscalls.cPath(path.toString()), mode);
        return errno == 0 ? Optional.empty() : Optional.of(Errno.fromNumber(errno));
    }

    /** The path this file was opened with. */
    public Path path() {
        return path;
    }

    /** Whether {@link #close()} has not been called yet. */
    public boolean isOpen() {
        return !gate.isClosed();
    }

    // ---- reading ------------------------------------------------------------------------------

    /**
     * Reads from the file's current offset to its end, however long.
     *
     * @return the bytes, a new array
     * @throws KernelErrorException if a read fails; what was read before is dropped, since a
     *     part of a /proc view is not a view
     * @throws KernelErrorException with {@link Errno#EFBIG} past {@link #READ_ALL_LIMIT}
     */
    public byte[] readAll() {
        gate.enter();
        readLock.lock();
        try {
            if (readBuffer == null) {
                readBuffer = directBuffer(INITIAL_READ_BUFFER);
            }
            int filled = 0;
            while (true) {
                if (filled == readBuffer.capacity()) {
                    growReadBuffer(filled);
                }
                readBuffer.position(filled);
                long read = Syscalls.read(fd, readBuffer, readBuffer.capacity() - filled);
                if (read < 0) {
                    throw failed((int) -read, "read ");
                }
                if (read == 0) {
                    byte[] content = new byte[filled];
                    readBuffer.get(0, content);
                    return content;
                }
                filled += (int) read;
            }
        } finally {
            readLock.unlock();
            gate.leave();
        }
    }

    private void growReadBuffer(int filled) {
        if (filled >= READ_ALL_LIMIT) {
            throw KernelErrorException.forErrno(Errno.EFBIG).transport(Syscalls.TRANSPORT)
                    .operation("read " + name + " (more than " + READ_ALL_LIMIT + " bytes)").build();
        }
        ByteBuffer grown = directBuffer((int) Math.min(READ_ALL_LIMIT, 2L * readBuffer.capacity()));
        grown.put(0, readBuffer, 0, filled);
        readBuffer = grown;
    }

    /**
     * One {@code read(2)} into {@code target}'s remaining space, advancing its position by the
     * bytes read. Heap and direct buffers both work (a heap buffer is copied).
     *
     * @return the bytes read; -1 at end of file; 0 when the file is {@link OpenFlag#NONBLOCK} and
     *     has nothing now ({@code EAGAIN}), or {@code target} has no room
     * @throws KernelErrorException if the read fails, such as {@link Errno#EMSGSIZE} from a file
     *     whose next message does not fit (nothing is consumed then)
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
                throw failed((int) -read, "read ");
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

    /** {@link #read(ByteBuffer)} into {@code length} bytes of {@code target} from {@code offset}. */
    public int read(byte[] target, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, target.length);
        return read(ByteBuffer.wrap(target, offset, length));
    }

    // ---- writing ------------------------------------------------------------------------------

    /**
     * One {@code write(2)} of {@code source}'s remaining bytes, advancing its position by what the
     * kernel took.
     *
     * @return the bytes written, which a file may make fewer than offered
     * @throws KernelErrorException if the kernel refuses the write (its errno, such as
     *     {@code EINVAL} for a value a sysfs attribute does not take, {@code EIO} for a /proc file
     *     that cannot be written)
     */
    public int write(ByteBuffer source) {
        Objects.requireNonNull(source, "source");
        gate.enter();
        writeLock.lock();
        try {
            ByteBuffer direct = source;
            if (!source.isDirect()) {
                direct = writeBufferOf(source.remaining());
                direct.put(0, source, source.position(), source.remaining());
                direct.limit(source.remaining());
            }
            long written = Syscalls.write(fd, direct);
            if (written < 0) {
                throw failed((int) -written, "write ");
            }
            source.position(source.position() + (int) written);
            return (int) written;
        } finally {
            writeLock.unlock();
            gate.leave();
        }
    }

    /**
     * One {@code write(2)} of {@code source}'s remaining bytes, all of which the kernel must take.
     *
     * @throws ShortWriteException if it took fewer; {@code source}'s position then says how many
     */
    public void writeWhole(ByteBuffer source) {
        int length = source.remaining();
        int written = write(source);
        if (written != length) {
            throw new ShortWriteException(name, written, length);
        }
    }

    private ByteBuffer writeBufferOf(int length) {
        if (writeBuffer == null || writeBuffer.capacity() < length) {
            writeBuffer = directBuffer(Math.max(length, writeBuffer == null ? 4096 : 2 * writeBuffer.capacity()));
        }
        writeBuffer.clear();
        return writeBuffer;
    }

    // ---- polling ------------------------------------------------------------------------------

    /**
     * Waits up to {@code timeout} until the file reports one of {@code interest} (or an error or
     * hang-up, which are always reported).
     *
     * @param timeout how long to wait; zero only looks
     * @return what the file reported, empty when the timeout passed first
     * @throws ChannelClosedException if the file is closed, before or during the wait
     */
    public Set<PollEvent> poll(Set<PollEvent> interest, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return gate.poll(interest, timeout);
    }

    /** {@link #poll(Set, Duration)} without a timeout: waits until the file reports or is closed. */
    public Set<PollEvent> poll(Set<PollEvent> interest) {
        return gate.poll(interest, null);
    }

    /** Waits up to {@code timeout} until the file is readable ({@link PollEvent#IN}, or an error). */
    public boolean awaitReadable(Duration timeout) {
        return !poll(EnumSet.of(PollEvent.IN), timeout).isEmpty();
    }

    // ---- closing ------------------------------------------------------------------------------

    /**
     * Closes the file. Idempotent, and safe from any thread: polls blocked in other threads wake
     * and throw {@link ChannelClosedException}; the descriptors are freed once the last call using
     * them has returned.
     */
    @Override
    public void close() {
        gate.close();
    }

    /** Calls in progress, a closer's included; lets tests see that a poll is under way. */
    int callsInFlight() {
        return gate.callsInFlight();
    }

    // ---- helpers ------------------------------------------------------------------------------

    private KernelErrorException failed(int errno, String operation) {
        if (errno == Errno.EBADF.number() && gate.isClosed()) {
            throw new ChannelClosedException(Syscalls.TRANSPORT);
        }
        return Syscalls.failure(errno, operation + name);
    }

    private static ByteBuffer directBuffer(int capacity) {
        return ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
    }

    @Override
    public String toString() {
        return "ProcFile[" + name + (isOpen() ? "" : ", closed") + "]";
    }
}
