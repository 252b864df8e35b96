// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.error;

/**
 * A transport exists but cannot work here: its kernel module is not loaded, the caller lacks a
 * permission, or the system is not Linux. The message says which:
 * {@code kernel transport 'netlink' is unavailable: kernel module kchan_netlink is not loaded}.
 *
 * <p>The errno is the one the probe saw (for example {@link Errno#EACCES} for a device node the
 * caller may not open), or {@link Errno#ENODEV} when the probe had none.
 */
public class TransportUnavailableException extends KchannelException {

    private static final long serialVersionUID = 1L;

    private final String reason;

    /**
     * @param transport the transport name
     * @param reason why it is unavailable, human-readable
     * @param errno what the probe saw, or {@code null} for {@link Errno#ENODEV}
     * @param cause the probe's failure, or {@code null}
     */
    public TransportUnavailableException(String transport, String reason, Errno errno, Throwable cause) {
        super(
                "kernel transport '" + transport + "' is unavailable: " + reason,
                errno == null || errno == Errno.UNKNOWN ? Errno.ENODEV : errno,
                transport,
                cause);
        this.reason = reason;
    }

    /** Why the transport cannot be used, as the probe put it. */
    public String reason() {
        return reason;
    }
}
