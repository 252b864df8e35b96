// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KchannelException;

/**
 * A dump the kernel flagged {@link Netlink#NLM_F_DUMP_INTR} on every attempt it was given
 * ({@link DumpOptions#attempts()}): what it dumps kept changing while it was dumped, so no attempt
 * produced a consistent answer. Its errno is {@link Errno#EINTR}. The dump was read to its end,
 * so the connection is ready for the next request; the usual remedy is to dump again later.
 *
 * <p>{@link #parts()} says how many parts of an interrupted attempt the reader took before this
 * exception: always 0 with {@link DumpOptions.Delivery#WHOLE_ATTEMPT}, which hands out nothing of
 * an interrupted attempt; with {@link DumpOptions.Delivery#AS_RECEIVED} those parts must be
 * discarded.
 */
public class DumpInterruptedException extends KchannelException {

    private static final long serialVersionUID = 1L;

    private final int attempts;
    private final int parts;

    /**
     * @param operation what was dumped, such as {@code dump type 18}
     * @param attempts how many times it was dumped, each time interrupted
     * @param parts how many parts of an interrupted attempt the reader took
     */
    public DumpInterruptedException(String operation, int attempts, int parts) {
        super(Syscalls.TRANSPORT + ": " + operation + " was interrupted " + times(attempts)
                + ": the kernel's data kept changing during the dump (NLM_F_DUMP_INTR); "
                + (parts == 0 ? "no part of an interrupted attempt was handed out; dump again later"
                        : "the " + parts + " parts handed out came from an interrupted attempt and may miss or"
                                + " repeat entries: discard them"),
                Errno.EINTR, Syscalls.TRANSPORT, null);
        this.attempts = attempts;
        this.parts = parts;
    }

    private static String times(int attempts) {
        return attempts == 1 ? "on its only attempt" : attempts + " times in a row";
    }

    /** How many times the dump was sent, each attempt interrupted. */
    public int attempts() {
        return attempts;
    }

    /** How many parts of an interrupted attempt the reader took before this exception. */
    public int parts() {
        return parts;
    }
}
