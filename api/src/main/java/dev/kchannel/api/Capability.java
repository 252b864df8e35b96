// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api;

/**
 * What a {@link KernelChannel} can do. Each {@code KernelChannel} method that needs one throws
 * {@link dev.kchannel.api.error.UnsupportedCapabilityException} on a channel without it.
 */
public enum Capability {
    /** {@link KernelChannel#call} and {@link KernelChannel#callAsync}: a request, one reply. */
    REQUEST_REPLY,
    /** {@link KernelChannel#send}: a message with no reply awaited. */
    ONE_WAY,
    /** {@link KernelChannel#subscribe}: events the kernel sends unasked. */
    KERNEL_PUSH,
    /**
     * Events delivered to several subscribers by one kernel send (netlink multicast groups), as
     * opposed to a queue per subscriber. Reached through {@link KernelChannel#unwrap}.
     */
    MULTICAST,
    /** {@link KernelChannel#dump}: a request answered by several reply parts. */
    DUMP,
    /** Shared memory with the kernel (mmap), reached through {@link KernelChannel#unwrap}. */
    ZERO_COPY
}
