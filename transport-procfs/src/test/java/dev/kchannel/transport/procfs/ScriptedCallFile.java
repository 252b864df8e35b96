// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs;

import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.MessageCodec;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A call-file handle whose kernel is a script: each request written is decoded and handed to it,
 * and what it returns is the reply the next read gives (bytes, so a script can answer with
 * garbage); a script that throws makes the write fail, as a kernel refusing it would. Records
 * what was written, and whether the handle was closed.
 */
final class ScriptedCallFile implements CallHandle {

    private final Function<KchanMessage, byte[]> kernel;
    private final List<KchanMessage> written;
    private byte[] pending;
    private volatile boolean closed;

    /**
     * @param written where every request written through any handle is recorded, in order
     */
    ScriptedCallFile(Function<KchanMessage, byte[]> kernel, List<KchanMessage> written) {
        this.kernel = kernel;
        this.written = written;
    }

    /** A script answering each request with {@code reply.apply(request)}, encoded. */
    static Function<KchanMessage, byte[]> answering(Function<KchanMessage, KchanMessage> reply) {
        return request -> MessageCodec.toByteArray(reply.apply(request));
    }

    static List<KchanMessage> log() {
        return new CopyOnWriteArrayList<>();
    }

    @Override
    public void writeRequest(ByteBuffer request) {
        if (closed) {
            throw new ChannelClosedException(ProcfsTransport.NAME);
        }
        if (pending != null) {
            throw new AssertionError("a request written before the last reply was read");
        }
        KchanMessage message = MessageCodec.decode(request.duplicate());
        written.add(message);
        pending = kernel.apply(message);
        request.position(request.limit());
    }

    @Override
    public byte[] readReply() {
        if (closed) {
            throw new ChannelClosedException(ProcfsTransport.NAME);
        }
        byte[] reply = pending;
        pending = null;
        return reply == null ? new byte[0] : reply;
    }

    @Override
    public void close() {
        closed = true;
    }

    boolean isClosed() {
        return closed;
    }
}
