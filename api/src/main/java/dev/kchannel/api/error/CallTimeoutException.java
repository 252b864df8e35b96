// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.error;

import java.time.Duration;

/**
 * No reply arrived within the call's timeout. Its errno is {@link Errno#ETIMEDOUT}. A reply that
 * arrives later is dropped by the channel, so a timed-out call has no further effect on the
 * caller; the kernel may still have carried the request out.
 */
public class CallTimeoutException extends KchannelException {

    private static final long serialVersionUID = 1L;

    private final Duration timeout;

    /**
     * @param transport the transport name
     * @param operation what was waited for, such as {@code GET}
     * @param timeout how long the call waited
     */
    public CallTimeoutException(String transport, String operation, Duration timeout) {
        super(prefixed(transport, operation + " got no reply within " + timeout.toMillis() + " ms"),
                Errno.ETIMEDOUT, transport, null);
        this.timeout = timeout;
    }

    /** How long the call waited. */
    public Duration timeout() {
        return timeout;
    }
}
