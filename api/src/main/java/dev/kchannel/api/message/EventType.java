// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

/** The kinds of kernel-pushed event, mirroring {@code enum kchan_event_type}. */
public enum EventType {
    /** {@code KCHAN_EVENT_UNSPEC}. */
    UNSPEC(KchanProtocol.EVENT_UNSPEC),
    /** {@code KCHAN_EVENT_STORE_SET}: a key was set; carries KEY, VALUE. */
    STORE_SET(KchanProtocol.EVENT_STORE_SET),
    /** {@code KCHAN_EVENT_STORE_DELETE}: a key was deleted; carries KEY. */
    STORE_DELETE(KchanProtocol.EVENT_STORE_DELETE),
    /** {@code KCHAN_EVENT_GENERATED}: from the generator; carries GEN_INDEX, PAYLOAD. */
    GENERATED(KchanProtocol.EVENT_GENERATED),
    /** {@code KCHAN_EVENT_PACKET}: reserved for the netfilter hook. */
    PACKET(KchanProtocol.EVENT_PACKET),
    /** A number not in the header this SDK was built against. */
    UNRECOGNIZED(-1);

    private static final EventType[] BY_ID = ProtocolEnums.indexById(values(), EventType::id);

    private final int id;

    EventType(int id) {
        this.id = id;
    }

    /** The number on the wire, or -1 for {@link #UNRECOGNIZED}. */
    public int id() {
        return id;
    }

    /** The event type with this number, or {@link #UNRECOGNIZED}. */
    public static EventType fromId(long id) {
        return id < 0 || id > Integer.MAX_VALUE ? UNRECOGNIZED : ProtocolEnums.lookup(BY_ID, (int) id, UNRECOGNIZED);
    }
}
