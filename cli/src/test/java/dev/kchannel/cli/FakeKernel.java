// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import dev.kchannel.api.EventListener;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.message.Attribute;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.TransportId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory stand-in for kchan_core, shared by every {@link FakeTransport} opened on it, as the
 * real store is shared by every door: the key-value store, per-transport request and error
 * counters, store events to subscribers, and refusals a test arms to see how the CLI reports them.
 * LIST answers two entries per part, with a CURSOR and MORE while entries remain, like the kernel
 * does for a large store.
 */
final class FakeKernel {

    static final int LIST_PART_ENTRIES = 2;

    private final TreeMap<byte[], byte[]> store = new TreeMap<>(Arrays::compareUnsigned);
    private final Map<TransportId, long[]> counters = new EnumMap<>(TransportId.class);
    private final Map<Command, KchanMessage> refusals = new EnumMap<>(Command.class);
    final List<EventListener> subscribers = new CopyOnWriteArrayList<>();
    private long seq = 100;

    /** The next {@code command} fails with {@code errno}, the extended-ack text and the blamed attribute. */
    synchronized void refuseNext(Command command, Errno errno, String message, int attribute) {
        KchanMessage.Builder reply = KchanMessage.builder(command).flags(KchanProtocol.F_REPLY).status(-errno.number())
                .string(KchanProtocol.ATTR_ERRMSG, message);
        if (attribute >= 0) {
            reply.u32(KchanProtocol.ATTR_ERRATTR, attribute);
        }
        refusals.put(command, reply.build());
    }

    synchronized void put(byte[] key, byte[] value) {
        store.put(key.clone(), value.clone());
    }

    /** Sends an event to every subscriber, on the calling thread, in the kernel's order. */
    void publish(KchanMessage.Builder event) {
        long next;
        synchronized (this) {
            next = ++seq;
        }
        publishWithSeq(event, next);
    }

    /** Sends an event with this SEQ, so a test can make a gap (subscribers count it from SEQ). */
    void publishWithSeq(KchanMessage.Builder event, long eventSeq) {
        synchronized (this) {
            seq = Math.max(seq, eventSeq);
        }
        KchanEvent typed = KchanEvent.from(event.u64(KchanProtocol.ATTR_SEQ, eventSeq).build());
        for (EventListener listener : subscribers) {
            listener.onEvent(typed);
        }
    }

    static KchanMessage.Builder event(int type) {
        return KchanMessage.builder(Command.EVENT).flags(KchanProtocol.F_EVENT).u32(KchanProtocol.ATTR_EVENT_TYPE, type);
    }

    /** Answers {@code request} as kchan_core would; an error reply becomes the transport's typed exception. */
    KchanMessage answer(KchanMessage request, TransportId door, String transportName) {
        KchanMessage reply;
        List<KchanMessage.Builder> events = new ArrayList<>();
        synchronized (this) {
            reply = handle(request, events);
            long[] c = counters.computeIfAbsent(door, d -> new long[2]);
            c[0]++;
            if (reply.isError()) {
                c[1]++;
            }
        }
        events.forEach(this::publish);
        return KchanReplies.requireSuccess(reply, transportName);
    }

    private KchanMessage handle(KchanMessage request, List<KchanMessage.Builder> events) {
        KchanMessage refusal = refusals.remove(request.command());
        if (refusal != null) {
            return refusal;
        }
        KchanMessage.Builder reply = KchanMessage.builder(request.command()).flags(KchanProtocol.F_REPLY);
        byte[] key = request.attributes().first(KchanProtocol.ATTR_KEY).map(Attribute::bytes).orElse(null);
        switch (request.command()) {
            case ECHO:
                return reply.bytes(KchanProtocol.ATTR_PAYLOAD,
                        request.attributes().require(KchanProtocol.ATTR_PAYLOAD).bytes()).build();
            case SET:
                byte[] value = request.attributes().require(KchanProtocol.ATTR_VALUE).bytes();
                store.put(key, value);
                events.add(event(KchanProtocol.EVENT_STORE_SET).bytes(KchanProtocol.ATTR_KEY, key)
                        .bytes(KchanProtocol.ATTR_VALUE, value));
                return reply.build();
            case GET:
                if (!store.containsKey(key)) {
                    return notFound(request.command());
                }
                return reply.bytes(KchanProtocol.ATTR_KEY, key).bytes(KchanProtocol.ATTR_VALUE, store.get(key)).build();
            case DELETE:
                if (store.remove(key) == null) {
                    return notFound(request.command());
                }
                events.add(event(KchanProtocol.EVENT_STORE_DELETE).bytes(KchanProtocol.ATTR_KEY, key));
                return reply.build();
            case LIST:
                return listPart(request, reply);
            case STATS:
                return stats(reply);
            default:
                return KchanMessage.builder(request.command()).flags(KchanProtocol.F_REPLY)
                        .status(-Errno.EOPNOTSUPP.number()).build();
        }
    }

    private static KchanMessage notFound(Command command) {
        return KchanMessage.builder(command).flags(KchanProtocol.F_REPLY).status(-Errno.ENOENT.number())
                .string(KchanProtocol.ATTR_ERRMSG, "key not found").u32(KchanProtocol.ATTR_ERRATTR, KchanProtocol.ATTR_KEY)
                .build();
    }

    private KchanMessage listPart(KchanMessage request, KchanMessage.Builder reply) {
        byte[] cursor = request.attributes().first(KchanProtocol.ATTR_CURSOR).map(Attribute::bytes).orElse(null);
        Map<byte[], byte[]> rest = cursor == null ? store : store.tailMap(cursor, false);
        int sent = 0;
        byte[] last = null;
        for (Map.Entry<byte[], byte[]> entry : rest.entrySet()) {
            if (sent == LIST_PART_ENTRIES) {
                return reply.addFlags(KchanProtocol.F_MORE).bytes(KchanProtocol.ATTR_CURSOR, last).build();
            }
            reply.nested(KchanProtocol.ATTR_ENTRY, Attribute.bytes(KchanProtocol.ATTR_KEY, entry.getKey()),
                    Attribute.bytes(KchanProtocol.ATTR_VALUE, entry.getValue()));
            last = entry.getKey();
            sent++;
        }
        return reply.build();
    }

    private KchanMessage stats(KchanMessage.Builder reply) {
        long bytes = store.entrySet().stream().mapToLong(e -> e.getKey().length + e.getValue().length).sum();
        reply.u64(KchanProtocol.ATTR_STORE_ENTRIES, store.size()).u64(KchanProtocol.ATTR_STORE_BYTES, bytes);
        for (Map.Entry<TransportId, long[]> c : counters.entrySet()) {
            reply.nested(KchanProtocol.ATTR_TRANSPORT_STATS,
                    Attribute.u32(KchanProtocol.ATTR_TRANSPORT, c.getKey().id()),
                    Attribute.u64(KchanProtocol.ATTR_STAT_REQUESTS, c.getValue()[0]),
                    Attribute.u64(KchanProtocol.ATTR_STAT_ERRORS, c.getValue()[1]),
                    Attribute.u64(KchanProtocol.ATTR_STAT_EVENTS, 0),
                    Attribute.u64(KchanProtocol.ATTR_STAT_DROPS, 0));
        }
        return reply.build();
    }
}
