// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.sockopt;

import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.MessageCodec;
import dev.kchannel.transport.sockopt.raw.OptionGrowth;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A kchan_sockopt played by a script: gets decode the request from the buffer and answer with what
 * {@code answers} makes of it; sets are recorded and fail with the errno {@code setErrno} holds for
 * their option, if any. Records the option number, request, reused buffer and growth of each call.
 */
final class ScriptedOptionSocket implements OptionSocket {

    final Function<KchanMessage, KchanMessage> answers;
    final Map<Integer, Integer> setErrno = new ConcurrentHashMap<>();
    final List<Integer> optnames = new ArrayList<>();
    final List<KchanMessage> requests = new ArrayList<>();
    final List<ByteBuffer> reusableGiven = new ArrayList<>();
    final List<OptionGrowth> growths = new ArrayList<>();
    int getErrno;
    boolean closed;

    ScriptedOptionSocket(Function<KchanMessage, KchanMessage> answers) {
        this.answers = answers;
    }

    @Override
    public synchronized ByteBuffer get(int optname, ByteBuffer request, ByteBuffer reusable, OptionGrowth growth) {
        optnames.add(optname);
        reusableGiven.add(reusable);
        growths.add(growth);
        KchanMessage decoded = MessageCodec.decode(request.duplicate());
        requests.add(decoded);
        if (getErrno != 0) {
            throw KernelErrorException.forErrno(getErrno).transport("sockopt").operation("getsockopt").build();
        }
        KchanMessage reply = answers.apply(decoded);
        ByteBuffer buffer = reusable != null && reusable.capacity() >= reply.length() ? reusable
                : ByteBuffer.allocateDirect(Math.max(reply.length(), growth.initialSize())).order(ByteOrder.nativeOrder());
        buffer.clear();
        MessageCodec.encode(reply, buffer);
        return buffer.flip();
    }

    @Override
    public synchronized void set(int optname, ByteBuffer request) {
        optnames.add(optname);
        requests.add(MessageCodec.decode(request.duplicate()));
        Integer errno = setErrno.get(optname);
        if (errno != null) {
            throw KernelErrorException.forErrno(errno).transport("sockopt").operation("setsockopt").build();
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
