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
        this(transport, capability, null);
    }

    /**
     * @param transport the transport name
     * @param capability what the call needed
     * @param explanation why the transport lacks it and what to use instead, put before the
     *     general advice; {@code null} for none
     */
    public UnsupportedCapabilityException(String transport, Capability capability, String explanation) {
        super("kernel transport '" + transport + "' does not support " + capability + ": "
                        + (explanation == null || explanation.isEmpty() ? "" : explanation + "; ")
                        + "check KernelChannel.capabilities() before calling, or set kchannel.transport to a transport that has it",
                Errno.EOPNOTSUPP, transport, null);
        this.capability = capability;
    }

    /** The capability the call needed. */
    public Capability capability() {
        return capability;
    }
}
