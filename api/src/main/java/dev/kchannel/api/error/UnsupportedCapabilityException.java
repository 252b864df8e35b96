// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.error;

import dev.kchannel.api.Capability;

/**
 * A call needs a capability the channel's transport does not have, such as {@code subscribe} on a
 * transport without {@link Capability#KERNEL_PUSH}. Its errno is {@link Errno#EOPNOTSUPP}.
 * Check {@code KernelChannel.capabilities()} first to avoid it.
 */
public class UnsupportedCapabilityException extends KchannelException {

    private static final long serialVersionUID = 1L;

    private final Capability capability;

    /**
     * @param transport the transport name
     * @param capability what the call needed
     */
    public UnsupportedCapabilityException(String transport, Capability capability) {
        super("kernel transport '" + transport + "' does not support " + capability
                + ": check KernelChannel.capabilities() before calling, or set kchannel.transport to a transport that has it",
                Errno.EOPNOTSUPP, transport, null);
        this.capability = capability;
    }

    /** The capability the call needed. */
    public Capability capability() {
        return capability;
    }
}
