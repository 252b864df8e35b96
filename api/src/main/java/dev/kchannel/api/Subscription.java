// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api;

/**
 * An active registration for kernel-pushed events, returned by {@link KernelChannel#subscribe}.
 * Closing it stops delivery; closing the channel closes it too.
 *
 * <p>Thread-safe. {@link #close()} is idempotent. After {@code close()} returns, the listener gets
 * no further calls, except that a listener closing its own subscription from inside a callback
 * finishes that callback.
 */
public interface Subscription extends AutoCloseable {

    /** Whether events are still being delivered. */
    boolean isActive();

    /** Stops delivery and releases what the subscription holds in the kernel. Idempotent. */
    @Override
    void close();
}
