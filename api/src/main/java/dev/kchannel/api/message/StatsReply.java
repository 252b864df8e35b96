// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** A STATS reply: store totals and one set of counters per transport. Immutable. */
public final class StatsReply {

    private final long storeEntries;
    private final long storeBytes;
    private final List<TransportStats> transports;

    private StatsReply(long storeEntries, long storeBytes, List<TransportStats> transports) {
        this.storeEntries = storeEntries;
        this.storeBytes = storeBytes;
        this.transports = transports;
    }

    /**
     * Reads a STATS reply.
     *
     * @throws MalformedMessageException if it is not a STATS reply or a counter has the wrong size
     */
    public static StatsReply from(KchanMessage reply) {
        if (reply.command() != Command.STATS) {
            throw new MalformedMessageException(Reason.UNEXPECTED_MESSAGE, -1,
                    "expected a STATS reply, got " + Command.describe(reply.commandId()));
        }
        List<TransportStats> transports = new ArrayList<>();
        for (Attribute nest : reply.attributes().all(KchanProtocol.ATTR_TRANSPORT_STATS)) {
            transports.add(TransportStats.from(nest.nested()));
        }
        return new StatsReply(
                TransportStats.u64OrZero(reply.attributes(), KchanProtocol.ATTR_STORE_ENTRIES),
                TransportStats.u64OrZero(reply.attributes(), KchanProtocol.ATTR_STORE_BYTES),
                Collections.unmodifiableList(transports));
    }

    /** Keys in the store. */
    public long storeEntries() {
        return storeEntries;
    }

    /** Bytes of keys and values in the store. */
    public long storeBytes() {
        return storeBytes;
    }

    /** Counters for every transport the kernel reported, in its order. */
    public List<TransportStats> transports() {
        return transports;
    }

    /** Counters for one transport, if the kernel reported it. */
    public Optional<TransportStats> transport(TransportId transport) {
        return transports.stream().filter(stats -> stats.transport() == transport).findFirst();
    }

    @Override
    public String toString() {
        return "StatsReply{entries=" + storeEntries + ", bytes=" + storeBytes + ", " + transports + "}";
    }
}
