// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api;

import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.message.KchanEvent;
import org.slf4j.LoggerFactory;

/**
 * Receives kernel-pushed events from {@link KernelChannel#subscribe}, and is told exactly how
 * many were lost when the kernel or the socket dropped some.
 *
 * <p>Delivery rules:
 * <ul>
 *   <li>Calls for one subscription never overlap and arrive in the kernel's order, on a thread
 *       the transport owns. Return quickly: a slow listener makes the kernel's bounded queue
 *       overflow, which then shows up here as gaps.</li>
 *   <li>{@link #onGap(long)} comes before the first event after the loss, with the exact count
 *       computed from the per-subscriber sequence numbers kchan stamps on every event.</li>
 *   <li>{@link #onError(KchannelException)} is terminal: the subscription is over and no further
 *       calls follow.</li>
 *   <li>An exception thrown by a callback is logged by the transport and does not end the
 *       subscription.</li>
 * </ul>
 *
 * <p>Only {@link #onEvent(KchanEvent)} must be written; the defaults log gaps and errors, so a
 * loss is never silent.
 */
@FunctionalInterface
public interface EventListener {

    /** One event, in order. */
    void onEvent(KchanEvent event);

    /**
     * {@code lostCount} events (at least 1) were lost between the previous event and the next.
     * By default, logs a warning.
     */
    default void onGap(long lostCount) {
        LoggerFactory.getLogger(EventListener.class)
                .warn("lost {} kernel events; override EventListener.onGap to handle gaps", lostCount);
    }

    /** The subscription failed and is over. By default, logs the error. */
    default void onError(KchannelException error) {
        LoggerFactory.getLogger(EventListener.class).error("kernel event subscription ended", error);
    }
}
