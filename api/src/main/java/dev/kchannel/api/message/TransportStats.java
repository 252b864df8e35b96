// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

/**
 * kchan_core's counters for one transport, from a STATS reply. Counters the kernel did not send
 * read as 0.
 *
 * @param transport which transport, {@link TransportId#UNRECOGNIZED} for a number this SDK does not know
 * @param transportId the number on the wire
 * @param requests requests received
 * @param errors requests that failed
 * @param events events delivered
 * @param drops events dropped
 */
public record TransportStats(
        TransportId transport, long transportId, long requests, long errors, long events, long drops) {

    /** Reads one TRANSPORT_STATS nest. */
    static TransportStats from(Attributes nest) {
        long id = nest.require(KchanProtocol.ATTR_TRANSPORT).u32();
        return new TransportStats(
                TransportId.fromId(id),
                id,
                u64OrZero(nest, KchanProtocol.ATTR_STAT_REQUESTS),
                u64OrZero(nest, KchanProtocol.ATTR_STAT_ERRORS),
                u64OrZero(nest, KchanProtocol.ATTR_STAT_EVENTS),
                u64OrZero(nest, KchanProtocol.ATTR_STAT_DROPS));
    }

    static long u64OrZero(Attributes attributes, int type) {
        return attributes.first(type).map(Attribute::u64).orElse(0L);
    }
}
