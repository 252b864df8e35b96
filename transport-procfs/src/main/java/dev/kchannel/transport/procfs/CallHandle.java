// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs;

import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.transport.procfs.raw.OpenFlag;
import dev.kchannel.transport.procfs.raw.ProcFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * One open handle on the call file, as a call uses it: one whole request per write, then its
 * reply read whole. An interface so that the channel's logic can be tested against a scripted
 * kernel on any machine.
 */
interface CallHandle extends AutoCloseable {

    /** What a reply buffer starts at: any reply but a large value or listing fits. */
    int INITIAL_REPLY = 16384;
    /** Where {@code struct kchan_hdr} keeps {@code len}. */
    int LENGTH_OFFSET = 12;

    /**
     * Writes one whole request with one {@code write(2)}.
     *
     * @throws dev.kchannel.api.error.KernelErrorException if the kernel refuses the write
     * @throws dev.kchannel.transport.procfs.raw.ShortWriteException if it took only part
     */
    void writeRequest(ByteBuffer request);

    /**
     * Reads the reply to the last request, whole: until the bytes read hold the length its header
     * gives, or up to end of file if they never do. Stopping at the header's length saves the
     * {@code read(2)} that would only find the end of file: one write and one read per call.
     */
    byte[] readReply();

    private static ByteBuffer direct(int capacity) {
        return ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
    }

    /** Closes the handle; idempotent, from any thread. */
    @Override
    void close();

    /** A handle on the real file, opened for reading and writing. */
    static CallHandle open(Path callFile) {
        ProcFile file = ProcFile.open(callFile, OpenFlag.READ, OpenFlag.WRITE);
        return new CallHandle() {
            /** Reused across calls; grows to the largest reply seen, KCHAN_MSG_MAX at most. */
            private ByteBuffer replyBuffer = direct(INITIAL_REPLY);

            @Override
            public void writeRequest(ByteBuffer request) {
                file.writeWhole(request);
            }

            @Override
            public byte[] readReply() {
                ByteBuffer buffer = replyBuffer.clear();
                while (file.read(buffer) > 0) {
                    if (buffer.position() < KchanProtocol.HDR_LEN) {
                        continue;
                    }
                    int length = buffer.getInt(LENGTH_OFFSET);
                    if (length <= buffer.position() || length < KchanProtocol.HDR_LEN || length > KchanProtocol.MSG_MAX) {
                        // Whole, or a length no reply has: the decoder names what is wrong.
                        break;
                    }
                    if (length > buffer.capacity()) {
                        replyBuffer = direct(length).put(buffer.flip());
                        buffer = replyBuffer;
                    }
                }
                byte[] reply = new byte[buffer.position()];
                buffer.get(0, reply);
                return reply;
            }

            @Override
            public void close() {
                file.close();
            }

            @Override
            public String toString() {
                return file.toString();
            }
        };
    }
}
