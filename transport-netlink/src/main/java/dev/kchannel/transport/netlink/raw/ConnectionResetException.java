// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KchannelException;

/**
 * A call was waiting on a {@link MultiplexedConnection}'s shared socket when that socket stopped
 * being trustworthy, so the connection failed every call waiting on it and went on with a fresh
 * socket. Two things cause it: the socket's receive queue overflowed ({@code ENOBUFS}), so the
 * kernel dropped replies and nobody can tell whose; or a datagram was not whole netlink messages,
 * so nothing after it can be matched safely. The kernel may or may not have carried the request
 * out: retry only what is safe to repeat.
 *
 * <p>Its errno is the cause's ({@link Errno#ENOBUFS}, {@link Errno#EBADMSG}, ...) and
 * {@link #getCause()} is the failure the socket reported.
 */
public class ConnectionResetException extends KchannelException {

    private static final long serialVersionUID = 1L;

    /**
     * @param operation the call that was cut off, such as {@code ECHO}
     * @param cause what made the socket untrustworthy
     */
    public ConnectionResetException(String operation, KchannelException cause) {
        super(Syscalls.TRANSPORT + ": " + operation + " was cut off: " + why(cause) + "; every call waiting on the"
                + " socket failed and the connection goes on with a fresh one; the request may or may not have been"
                + " carried out", cause.errno() == Errno.UNKNOWN ? Errno.EIO : cause.errno(), Syscalls.TRANSPORT,
                cause);
    }

    private static String why(KchannelException cause) {
        if (cause.errno() == Errno.ENOBUFS) {
            return "the shared socket's receive queue overflowed (ENOBUFS), so the kernel dropped replies";
        }
        if (cause.errno() == Errno.EBADMSG) {
            return "the kernel sent bytes that are not netlink messages (" + cause.getMessage() + ")";
        }
        return "receiving failed (" + cause.getMessage() + ")";
    }
}
