// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import dev.kchannel.api.error.KchannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One dump followed across its attempts: decides, message by message, which parts its reader gets
 * and when, and when to dump again because the kernel flagged {@link Netlink#NLM_F_DUMP_INTR}. The
 * connections feed it the messages that answer the dump and carry out what it decides through a
 * {@link Sink}: {@link NetlinkConnection} on the reading thread, {@link MultiplexedConnection} on
 * its reader thread. The rules are in {@link DumpOptions}.
 *
 * <p>The kernel may flag any message of an attempt, the {@code NLMSG_DONE} included, and not
 * necessarily the first one after the change, so an attempt is known good only at its end.
 *
 * <p>Not thread-safe: one thread feeds it at a time.
 */
final class DumpAttempts {

    /** What the connection does for the dump. */
    interface Sink {
        /** Hands {@code part} to the reader, after those handed before. */
        void part(NetlinkMessage part);

        /** The dump ended consistently, after its last part. */
        void end();

        /** The dump ended with {@code error}, after the parts already handed over. */
        void fail(KchannelException error);

        /** Sends the request again, under a new sequence number; its answers come to {@link #accept}. */
        void again();

        /** How many parts the reader has taken so far. */
        int taken();

        /** Drops the parts handed over that the reader has not taken yet. */
        void dropUntaken();

        /** Whether the reader has gone (closed the stream early): the dump is only being drained. */
        boolean abandoned();
    }

    private final String operation;
    private final DumpOptions options;
    private final Supplier<byte[]> sentBytes;
    private final List<NetlinkMessage> held = new ArrayList<>();
    private int attempt = 1;
    private boolean interrupted;

    /**
     * @param sentBytes the request as the kernel got it, to name the attribute an error blames
     */
    DumpAttempts(String operation, DumpOptions options, Supplier<byte[]> sentBytes) {
        this.operation = operation;
        this.options = options;
        this.sentBytes = sentBytes;
    }

    /** The attempt under way, from 1. */
    int attempt() {
        return attempt;
    }

    /**
     * One message of the attempt under way (the connection has matched it by sequence number and
     * port). {@code NLMSG_NOOP} and {@code NLMSG_OVERRUN} are the connection's business.
     *
     * @return true when the dump is over: {@link Sink#end()} or {@link Sink#fail} was called
     */
    boolean accept(NetlinkMessage message, Sink sink) {
        if (message.hasFlags(Netlink.NLM_F_DUMP_INTR)) {
            interrupted = true;
        }
        if (!message.isDone() && !message.isError()) {
            part(message, sink);
            return false;
        }
        NetlinkError status;
        try {
            status = NetlinkError.of(message);
        } catch (KchannelException e) {
            return fail(sink, e);
        }
        if (!status.isSuccess()) {
            return fail(sink, status.toException(operation, sentBytes.get()));
        }
        if (!interrupted) {
            for (NetlinkMessage part : held) {
                sink.part(part);
            }
            held.clear();
            sink.end();
            return true;
        }
        held.clear();
        sink.dropUntaken();
        int taken = sink.taken();
        if (attempt < options.attempts() && taken == 0 && !sink.abandoned()) {
            attempt++;
            interrupted = false;
            sink.again();
            return false;
        }
        sink.fail(new DumpInterruptedException(operation, attempt, taken));
        return true;
    }

    private void part(NetlinkMessage message, Sink sink) {
        if (options.delivery() == DumpOptions.Delivery.WHOLE_ATTEMPT) {
            held.add(message);
        } else if (interrupted) {
            // This attempt is spoiled: what the reader has not taken yet goes, and so does the rest.
            sink.dropUntaken();
        } else {
            sink.part(message);
        }
    }

    private boolean fail(Sink sink, KchannelException error) {
        // An incomplete dump: in WHOLE_ATTEMPT none of it was handed out, and none of it will be.
        held.clear();
        sink.fail(error);
        return true;
    }
}
