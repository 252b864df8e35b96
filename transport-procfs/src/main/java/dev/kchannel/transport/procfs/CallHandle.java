// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs;

import dev.kchannel.transport.procfs.raw.OpenFlag;
import dev.kchannel.transport.procfs.raw.ProcFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One open handle on the call file, as a call uses it: one whole request per write, then its
 * reply read whole. An interface so that the channel's logic can be tested against a scripted
 * kernel on any machine.
 */
interface CallHandle extends AutoCloseable {

    /**
     * Writes one whole request with one {@code write(2)}.
     *
     * @throws dev.kchannel.api.error.KernelErrorException if the kernel refuses the write
     * @throws dev.kchannel.transport.procfs.raw.ShortWriteException if it took only part
     */
    void writeRequest(ByteBuffer request);

    /** Reads the reply to the last request, whole: up to end of file. */
    byte[] readReply();

    /** Closes the handle; idempotent, from any thread. */
    @Override
    void close();

    /** A handle on the real file, opened for reading and writing. */
    static CallHandle open(Path callFile) {
        ProcFile file = ProcFile.open(callFile, OpenFlag.READ, OpenFlag.WRITE);
        return new CallHandle() {
            @Override
            public void writeRequest(ByteBuffer request) {
                file.writeWhole(request);
            }

            @Override
            public byte[] readReply() {
                return file.readAll();
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
