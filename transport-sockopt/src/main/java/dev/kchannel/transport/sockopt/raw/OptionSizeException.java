// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.sockopt.raw;

import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KchannelException;

/**
 * A socket option's answer did not fit the buffers {@link InetSocket#getOptionGrowing} may use:
 * the kernel asked for more than the {@link OptionGrowth#maxSize()} cap, or still asked for more
 * after {@link OptionGrowth#maxAttempts()} calls, or left a negative length in {@code *optlen}
 * (then {@link #needed()} is that length). Its errno is {@link Errno#ERANGE}, the kernel's own word
 * for "the answer does not fit"; the kernel itself reported no error.
 */
public class OptionSizeException extends KchannelException {

    private static final long serialVersionUID = 1L;

    private final int level;
    private final int optname;
    private final int needed;

    OptionSizeException(String transport, int level, int optname, int needed, String why) {
        super(transport + ": getsockopt " + InetSocket.describe(level, optname) + ": the answer needs " + needed + " bytes; " + why,
                Errno.ERANGE, transport, null);
        this.level = level;
        this.optname = optname;
        this.needed = needed;
    }

    /** The option's level. */
    public int level() {
        return level;
    }

    /** The option's number. */
    public int optname() {
        return optname;
    }

    /** The bytes the kernel last asked for. */
    public int needed() {
        return needed;
    }
}
