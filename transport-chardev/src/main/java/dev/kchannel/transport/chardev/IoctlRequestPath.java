// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.chardev;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.MessageCodec;
import dev.kchannel.transport.chardev.raw.DeviceFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Requests through {@code KCHAN_IOC_CALL} on one open file that every call shares: the kernel
 * runs any number of CALLs on one file at once, each with its own request and reply buffers.
 *
 * <h2>Buffers</h2>
 * Each call borrows a {@link CallBuffers} (the 32-byte {@code struct kchan_ioc_call}, a request
 * buffer and a reply buffer, all direct, so the struct holds their native addresses) from a pool
 * and gives it back after, so a steady stream of calls allocates nothing. The reply buffer starts
 * at {@value #INITIAL_REPLY} bytes. When a reply does not fit, the kernel fails the call with
 * {@code ERANGE}, writes nothing but {@code reply_len}, the size needed, and (by the uapi's rule that
 * every request that changes state has a reply of at most {@code KCHAN_IOC_REPLY_MIN} bytes) has
 * only read: the buffer grows to that size and the request is repeated, once; the grown buffer is
 * kept for the calls that follow.
 */
final class IoctlRequestPath implements RequestPath {

    static final int INITIAL_REPLY = 4096;
    static final int STRUCT_SIZE = 32;
    static final int OFF_REQUEST = 0;
    static final int OFF_REPLY = 8;
    static final int OFF_REQUEST_LEN = 16;
    static final int OFF_REPLY_CAP = 20;
    static final int OFF_REPLY_LEN = 24;
    static final int OFF_FLAGS = 28;

    private final DeviceFile device;
    private final ConcurrentLinkedQueue<CallBuffers> pool = new ConcurrentLinkedQueue<>();

    IoctlRequestPath(DeviceFile device) {
        this.device = device;
    }

    /** The open file the calls share; for the channel's {@code unwrap}. */
    DeviceFile device() {
        return device;
    }

    @Override
    public KchanMessage exchange(KchanMessage request) {
        CallBuffers buffers = pool.poll();
        if (buffers == null) {
            buffers = new CallBuffers();
        }
        try {
            return buffers.call(device, request);
        } finally {
            pool.offer(buffers);
        }
    }

    @Override
    public void close() {
        device.close();
    }

    /** One call's struct and buffers. */
    static final class CallBuffers {
        final ByteBuffer struct = direct(STRUCT_SIZE);
        ByteBuffer request = direct(INITIAL_REPLY);
        ByteBuffer reply = direct(INITIAL_REPLY);

        KchanMessage call(DeviceFile device, KchanMessage message) {
            int length = message.length();
            if (request.capacity() < length) {
                request = direct(length);
            }
            request.clear();
            MessageCodec.encode(message, request);
            for (int attempt = 0;; attempt++) {
                struct.putLong(OFF_REQUEST, DeviceFile.addressOf(request));
                struct.putLong(OFF_REPLY, DeviceFile.addressOf(reply));
                struct.putInt(OFF_REQUEST_LEN, length);
                struct.putInt(OFF_REPLY_CAP, reply.capacity());
                struct.putInt(OFF_REPLY_LEN, 0);
                struct.putInt(OFF_FLAGS, 0);
                try {
                    device.ioctl(KchanProtocol.IOC_CALL, struct.clear());
                } catch (KernelErrorException e) {
                    if (e.errno() != Errno.ERANGE || attempt > 0) {
                        throw e;
                    }
                    int needed = struct.getInt(OFF_REPLY_LEN);
                    if (needed <= reply.capacity() || needed > KchanProtocol.MSG_MAX) {
                        throw new MalformedMessageException(Reason.LENGTH_MISMATCH, OFF_REPLY_LEN,
                                "KCHAN_IOC_CALL gave ERANGE with reply_len " + needed + " for a " + reply.capacity()
                                        + "-byte buffer").withTransport(ChardevTransport.NAME);
                    }
                    reply = direct(needed);
                    continue;
                }
                int replyLength = struct.getInt(OFF_REPLY_LEN);
                if (replyLength < KchanProtocol.HDR_LEN || replyLength > reply.capacity()) {
                    throw new MalformedMessageException(Reason.LENGTH_MISMATCH, OFF_REPLY_LEN,
                            "KCHAN_IOC_CALL returned reply_len " + replyLength + " for a " + reply.capacity()
                                    + "-byte buffer").withTransport(ChardevTransport.NAME);
                }
                try {
                    return MessageCodec.decode(reply.clear().limit(replyLength));
                } catch (MalformedMessageException e) {
                    throw e.transport().isPresent() ? e : e.withTransport(ChardevTransport.NAME);
                }
            }
        }
    }

    static ByteBuffer direct(int capacity) {
        return ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
    }
}
