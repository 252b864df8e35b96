// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs.raw;

import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KchannelException;

/**
 * One {@code write(2)} that should have taken a whole message took only part of it. A /proc or
 * sysfs file handles each write as one unit (a kchan request, an attribute's new value), so the
 * rest cannot simply be written after it: the file would see two messages. Its errno is
 * {@link Errno#EIO}; {@link #written()} and {@link #length()} say how much went.
 */
public class ShortWriteException extends KchannelException {

    private static final long serialVersionUID = 1L;

    private final long written;
    private final long length;

    /**
     * @param file the file, as shown in the message
     * @param written how many bytes the kernel took
     * @param length how many were offered
     */
    public ShortWriteException(String file, long written, long length) {
        super(Syscalls.TRANSPORT + ": write " + file + " took " + written + " of " + length
                + " bytes; a /proc or sysfs file takes one message per write, so the rest was not sent",
                Errno.EIO, Syscalls.TRANSPORT, null);
        this.written = written;
        this.length = length;
    }

    /** Bytes the kernel took. */
    public long written() {
        return written;
    }

    /** Bytes offered. */
    public long length() {
        return length;
    }
}
