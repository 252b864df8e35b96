// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import dev.kchannel.api.EventListener;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.message.KchanEvent;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code kchan watch}: subscribes, prints one line per event and per gap ({@link EventLine}) as
 * they arrive, and ends on {@code --count}, {@code --timeout}, Ctrl-C or a failed subscription.
 * However it ends, the subscription is closed before the summary goes to standard error, and no
 * line follows the summary.
 *
 * <p>Standard error says {@code kchan: watching events on NAME} once the subscription is in
 * place: from then on every event the kernel sends is seen, which scripts (and the guest test)
 * can wait for before they cause events.
 */
final class WatchCommand {

    /** Why the watch ended. */
    private enum Ending {
        COUNT_REACHED("count reached", ExitStatus.OK),
        TIMEOUT("timeout", ExitStatus.OK),
        INTERRUPTED("interrupted", ExitStatus.INTERRUPTED),
        FAILED("subscription failed", ExitStatus.FAILED);

        final String words;
        final int status;

        Ending(String words, int status) {
            this.words = words;
            this.status = status;
        }
    }

    private final OptionalLong count;
    private final Optional<Duration> timeout;
    private final boolean hex;
    private final StopSignal stop;
    private final PrintStream out;
    private final PrintStream err;

    /**
     * Reads {@code --count} and {@code --timeout} at once, so a bad value is reported before any
     * transport is opened.
     */
    WatchCommand(OptionValues values, StopSignal stop, PrintStream out, PrintStream err) {
        this.count = values.count();
        this.timeout = values.watchTimeout();
        this.hex = values.hex();
        this.stop = stop;
        this.out = out;
        this.err = err;
    }

    /** Watches through {@code channel} until one of the endings. */
    int run(KernelChannel channel) {
        Printer printer = new Printer(count, hex);
        // Closed only after the summary is printed: a Ctrl-C shutdown waits for that.
        StopSignal.Registration ctrlC = stop.register(() -> printer.end(Ending.INTERRUPTED));
        try {
            Ending ending;
            Subscription subscription = channel.subscribe(printer);
            try {
                err.println("kchan: watching events on " + channel.transportName()
                        + count.stream().mapToObj(n -> ", up to " + n).findFirst().orElse("")
                        + timeout.map(t -> ", for " + t.toMillis() + " ms").orElse("")
                        + " (Ctrl-C to stop)");
                ending = printer.await(timeout);
            } finally {
                subscription.close();
            }
            err.println("kchan: watch ended (" + ending.words + "): " + printer.summary());
            if (ending == Ending.FAILED) {
                throw printer.error();
            }
            if (ending == Ending.TIMEOUT && count.isPresent()) {
                return ExitStatus.WATCH_TIMED_OUT;
            }
            return ending.status;
        } finally {
            ctrlC.close();
        }
    }

    /**
     * The listener: prints while the watch runs and records the first ending. Its callbacks never
     * overlap (EventListener's rules); {@code synchronized} orders them against {@link #end}.
     */
    private final class Printer implements EventListener {
        private final OptionalLong limit;
        private final boolean hex;
        private final CountDownLatch ended = new CountDownLatch(1);
        private Ending ending;
        private KchannelException error;
        private long events;
        private long lost;

        Printer(OptionalLong limit, boolean hex) {
            this.limit = limit;
            this.hex = hex;
        }

        @Override
        public synchronized void onEvent(KchanEvent event) {
            if (ending != null) {
                return;
            }
            out.println(EventLine.of(event, hex));
            out.flush();
            events++;
            if (limit.isPresent() && events >= limit.getAsLong()) {
                end(Ending.COUNT_REACHED);
            }
        }

        @Override
        public synchronized void onGap(long lostCount) {
            if (ending != null) {
                return;
            }
            out.println(EventLine.gap(lostCount));
            out.flush();
            lost += lostCount;
        }

        @Override
        public synchronized void onError(KchannelException failure) {
            if (ending == null) {
                error = failure;
                end(Ending.FAILED);
            }
        }

        synchronized String summary() {
            return events + (events == 1 ? " event, " : " events, ") + lost + " lost";
        }

        synchronized KchannelException error() {
            return error;
        }

        /** Records the first ending; later ones are ignored. */
        synchronized void end(Ending why) {
            if (ending == null) {
                ending = why;
                ended.countDown();
            }
        }

        /** Waits for an ending; a timeout that passes first is one. */
        Ending await(Optional<Duration> timeout) {
            boolean interrupted = false;
            while (true) {
                try {
                    if (timeout.isEmpty()) {
                        ended.await();
                    } else if (!ended.await(timeout.get().toNanos(), TimeUnit.NANOSECONDS)) {
                        end(Ending.TIMEOUT);
                    }
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    end(Ending.INTERRUPTED);
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            synchronized (this) {
                return ending;
            }
        }
    }
}
