// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.error;

/**
 * The channel was closed: by {@code close()}, or by the transport after a failure it cannot
 * recover from (the cause says which). Calls made after close, and calls still waiting when it
 * happened, end with this exception. Its errno is {@link Errno#EBADF}, as for a closed descriptor.
 */
public class ChannelClosedException extends KchannelException {

    private static final long serialVersionUID = 1L;

    /** A channel of {@code transport} that was closed by its owner. */
    public ChannelClosedException(String transport) {
        this(transport, null);
    }

    /** A channel of {@code transport} closed because of {@code cause}, when there is one. */
    public ChannelClosedException(String transport, Throwable cause) {
        super(prefixed(transport, cause == null ? "channel is closed" : "channel was closed: " + cause.getMessage()),
                Errno.EBADF, transport, cause);
    }
}
