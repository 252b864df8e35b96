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
 *   <li>{@link #onRestart(String)} comes before the first event of a stream that started over
 *       (its kernel module was reloaded): events sent meanwhile are lost and cannot be counted, and
 *       gap counting starts afresh.</li>
 *   <li>{@link #onError(KchannelException)} is terminal: the subscription is over and no further
 *       calls follow.</li>
 *   <li>An exception thrown by a callback is logged by the transport and does not end the
 *       subscription.</li>
 * </ul>
 *
 * <p>Only {@link #onEvent(KchanEvent)} must be written; the defaults log gaps, restarts and
 * errors, so a loss is never silent.
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

    /**
     * The event stream started over, and the subscription with it, without being closed: the
     * kernel side went away and came back (for example its module was unloaded and loaded again)
     * and the transport rejoined it by itself. Unlike {@link #onGap(long)}, the loss cannot be
     * counted: the events the kernel produced while its side was gone were numbered by nobody.
     * Sequence numbers start again with the new stream and gaps in it are counted from its
     * start. Comes before the new stream's first event. By default, logs a warning.
     *
     * @param reason what happened, for logs
     */
    default void onRestart(String reason) {
        LoggerFactory.getLogger(EventListener.class)
                .warn("kernel event stream restarted, events in between are lost uncounted: {};"
                        + " override EventListener.onRestart to handle restarts", reason);
    }

    /** The subscription failed and is over. By default, logs the error. */
    default void onError(KchannelException error) {
        LoggerFactory.getLogger(EventListener.class).error("kernel event subscription ended", error);
    }
}
