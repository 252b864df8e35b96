// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.chardev;

import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.MessageCodec;
import dev.kchannel.transport.chardev.raw.DeviceFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Requests through {@code write(2)} and {@code read(2)}, the fallback for callers that cannot use
 * ioctl: the kernel queues replies per open file in request order, so each call borrows an open
 * file of its own from a pool (one request in flight per file) and no call can read another's
 * reply. Borrowing never waits: when every kept file is busy a new one is opened, and files
 * beyond {@code keepIdle} are closed when returned.
 *
 * <p>The reply is read with one {@code read(2)} into the file's buffer; a reply that does not fit
 * fails with {@code EMSGSIZE} and stays queued, so the buffer doubles (up to
 * {@code KCHAN_MSG_MAX}, which always suffices) and the read is repeated. A write the kernel
 * refuses before taking the request ({@code EINVAL} for bad framing, {@code EMSGSIZE} above
 * {@code KCHAN_MSG_MAX}) leaves no reply queued, so the file is reused; after any other failure
 * it is closed rather than reused, since a reply may still be queued on it.
 */
final class ReadWriteRequestPath implements RequestPath {

    static final int INITIAL_REPLY = 4096;

    private final Supplier<DeviceFile> opener;
    private final int keepIdle;
    private final Deque<Handle> idle = new ArrayDeque<>();
    private final Set<Handle> live = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** One open file and its buffers. */
    private static final class Handle {
        final DeviceFile file;
        ByteBuffer request = direct(INITIAL_REPLY);
        ByteBuffer reply = direct(INITIAL_REPLY);

        Handle(DeviceFile file) {
            this.file = file;
        }
    }

    ReadWriteRequestPath(Supplier<DeviceFile> opener, int keepIdle) {
        this.opener = opener;
        this.keepIdle = keepIdle;
        giveBack(borrow()); // fail fast: the node must open now
    }

    @Override
    public KchanMessage exchange(KchanMessage request) {
        Handle handle = borrow();
        boolean reusable = false;
        try {
            int length = request.length();
            if (handle.request.capacity() < length) {
                handle.request = direct(length);
            }
            handle.request.clear();
            MessageCodec.encode(request, handle.request);
            handle.request.flip();
            int written;
            try {
                written = handle.file.write(handle.request);
            } catch (KernelErrorException e) {
                reusable = e.errno() == Errno.EINVAL || e.errno() == Errno.EMSGSIZE;
                throw e;
            }
            if (written != length) {
                throw KernelErrorException.forErrno(Errno.EIO).transport(ChardevTransport.NAME)
                        .operation("write " + handle.file.path())
                        .extAckMessage("the kernel took " + written + " of the request's " + length + " bytes").build();
            }
            KchanMessage reply = readReply(handle);
            reusable = true;
            return reply;
        } finally {
            if (reusable && !closed) {
                giveBack(handle);
            } else {
                discard(handle);
            }
        }
    }

    private static KchanMessage readReply(Handle handle) {
        while (true) {
            handle.reply.clear();
            int read;
            try {
                read = handle.file.read(handle.reply);
            } catch (KernelErrorException e) {
                if (e.errno() == Errno.EMSGSIZE && handle.reply.capacity() < KchanProtocol.MSG_MAX) {
                    handle.reply = direct(Math.min(KchanProtocol.MSG_MAX, 2 * handle.reply.capacity()));
                    continue;
                }
                throw e;
            }
            if (read <= 0) {
                throw new MalformedMessageException(Reason.TRUNCATED_HEADER, 0, "read(2) of the reply on "
                        + handle.file.path() + " returned " + read).withTransport(ChardevTransport.NAME);
            }
            try {
                return MessageCodec.decode(handle.reply.flip());
            } catch (MalformedMessageException e) {
                throw e.transport().isPresent() ? e : e.withTransport(ChardevTransport.NAME);
            }
        }
    }

    private Handle borrow() {
        Handle handle;
        synchronized (idle) {
            handle = idle.pollFirst();
        }
        if (handle == null) {
            requireOpen();
            handle = new Handle(opener.get());
            live.add(handle);
        }
        if (closed) {
            discard(handle);
            throw new ChannelClosedException(ChardevTransport.NAME);
        }
        return handle;
    }

    private void giveBack(Handle handle) {
        synchronized (idle) {
            if (!closed && idle.size() < keepIdle) {
                idle.addFirst(handle);
                return;
            }
        }
        discard(handle);
    }

    private void discard(Handle handle) {
        live.remove(handle);
        handle.file.close();
    }

    /** Open files now, lent or idle. */
    int openFiles() {
        return live.size();
    }

    private void requireOpen() {
        if (closed) {
            throw new ChannelClosedException(ChardevTransport.NAME);
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (idle) {
            idle.clear();
        }
        List<Handle> all = new ArrayList<>(live);
        live.clear();
        for (Handle handle : all) {
            handle.file.close();
        }
    }

    static ByteBuffer direct(int capacity) {
        return ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
    }
}
