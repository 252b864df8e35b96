// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.support;

import dev.kchannel.api.EventListener;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanMessage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every transport's event subscription shares, so that {@link EventListener}'s delivery rules
 * hold the same everywhere: one daemon thread that receives and calls the listener, so calls never
 * overlap and keep the kernel's order; gap counting from kchan's SEQ ({@link SequenceGapDetector});
 * listener exceptions logged, never fatal; and an end that happens once, however it comes (close,
 * a failed receive, an unexpected exception), closing the transport's socket or file and telling
 * the channel. Subclasses receive ({@link #receiveUntilClosed()}) and hand each event to
 * {@link #deliver}; they call the listener only through {@link #call}.
 */
public abstract class EventReader implements Subscription {

    private static final Logger LOG = LoggerFactory.getLogger(EventReader.class);

    /** The listener; subclasses call it only through {@link #call}. */
    protected final EventListener listener;
    private final String transport;
    private final Consumer<Subscription> onClose;
    private final Thread reader;
    private volatile boolean active = true;
    // Reader thread only:
    private SequenceGapDetector gaps;

    /**
     * @param transport the transport's name, for the errors this class makes
     * @param threadName the reader thread's name
     * @param gaps how this stream's SEQ is counted: from 0 for a subscriber of its own, from the
     *     first event seen for one that joins a stream part way through
     * @param onClose told once when the subscription ends, however it ends
     */
    protected EventReader(String transport, String threadName, SequenceGapDetector gaps, EventListener listener,
            Consumer<Subscription> onClose) {
        this.transport = transport;
        this.gaps = gaps;
        this.listener = listener;
        this.onClose = onClose;
        this.reader = new Thread(this::readLoop, threadName);
        reader.setDaemon(true);
    }

    /** Starts the reader thread; on failure the subscription ends and the failure is thrown. */
    protected final void startReading() {
        try {
            reader.start();
        } catch (RuntimeException | Error e) {
            end();
            throw e;
        }
    }

    /** Receives and delivers until the subscription is no longer {@link #isActive()}. */
    protected abstract void receiveUntilClosed();

    /** Closes the socket, waking a blocked receive with {@link ChannelClosedException}. */
    protected abstract void closeSocket();

    @Override
    public final boolean isActive() {
        return active;
    }

    /**
     * Stops delivery: closes the socket, which wakes the reader, and waits for the reader to
     * finish a callback in progress, so no call follows this one's return; unless it is the reader
     * itself closing from inside a callback, which then finishes that callback.
     */
    @Override
    public final void close() {
        if (!end()) {
            return;
        }
        if (Thread.currentThread() != reader) {
            boolean interrupted = false;
            while (reader.isAlive()) {
                try {
                    reader.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Marks the subscription over and closes its socket; false if it already was. */
    protected final boolean end() {
        synchronized (this) {
            if (!active) {
                return false;
            }
            active = false;
        }
        closeSocket();
        onClose.accept(this);
        return true;
    }

    /**
     * Whatever ends the reader ends the subscription with it: an unexpected exception or Error
     * must not leave a dead subscription that still says it is active and holds its socket.
     */
    private void readLoop() {
        try {
            receiveUntilClosed();
        } catch (RuntimeException | Error e) {
            if (end()) {
                deliverError(new ChannelClosedException(transport, e));
            }
            throw e;
        }
    }

    /**
     * Counts SEQ afresh: for a stream the kernel started again (a module reloaded), whose numbers
     * say nothing about the old one. Reader thread only.
     */
    protected final void restartSequence(SequenceGapDetector next) {
        gaps = next;
    }

    /** Events lost so far, as the SEQ gaps counted them. Reader thread, or after it ended. */
    protected final long lostSoFar() {
        return gaps.totalLost();
    }

    /** One event: the gap before it, if any, then the event itself. Reader thread only. */
    protected final void deliver(KchanMessage event) {
        if (!active) {
            return;
        }
        KchanEvent typed = KchanEvent.from(event);
        long lost = gaps.observe(typed.seq());
        if (lost > 0) {
            call(() -> listener.onGap(lost), "onGap");
        }
        if (active) {
            call(() -> listener.onEvent(typed), "onEvent");
        }
    }

    /** Runs a listener callback; what it throws is logged and the subscription goes on. */
    protected final void call(Runnable callback, String name) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.warn("EventListener.{} threw; the subscription goes on", name, e);
        }
    }

    /** Ends the subscription with {@code error}, told to the listener once. */
    protected final void fail(KchannelException error) {
        if (end()) {
            deliverError(error);
        }
    }

    private void deliverError(KchannelException error) {
        call(() -> listener.onError(error), "onError");
    }
}
