// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KchannelException;

/**
 * A dump ended, but the kernel flagged it {@link Netlink#NLM_F_DUMP_INTR}: what it was dumping
 * changed while the dump ran, so the parts may miss entries or repeat them. The dump was read to
 * its end, so the socket is ready for the next request; the usual remedy is to dump again.
 * Its errno is {@link Errno#EINTR}.
 */
public class DumpInterruptedException extends KchannelException {

    private static final long serialVersionUID = 1L;

    private final int parts;

    /**
     * @param operation what was dumped, such as {@code dump type 18}
     * @param parts how many parts the dump delivered
     */
    public DumpInterruptedException(String operation, int parts) {
        super(Syscalls.TRANSPORT + ": " + operation + " was interrupted: the kernel's data changed during the dump"
                + " (NLM_F_DUMP_INTR), so its " + parts + " parts may be inconsistent; dump again", Errno.EINTR,
                Syscalls.TRANSPORT, null);
        this.parts = parts;
    }

    /** How many parts the interrupted dump delivered. */
    public int parts() {
        return parts;
    }
}
