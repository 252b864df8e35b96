// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

/**
 * The kchan attribute types, mirroring {@code enum kchan_attr}: names for error messages and
 * logs. The numbers themselves are also plain {@code int}s in {@link KchanProtocol}, which is what
 * the attribute builders and getters take.
 */
public enum KchanAttribute {
    /** {@code KCHAN_ATTR_UNSPEC}. */
    UNSPEC(KchanProtocol.ATTR_UNSPEC),
    /** {@code KCHAN_ATTR_PAD}. */
    PAD(KchanProtocol.ATTR_PAD),
    /** {@code KCHAN_ATTR_PAYLOAD}. */
    PAYLOAD(KchanProtocol.ATTR_PAYLOAD),
    /** {@code KCHAN_ATTR_KEY}. */
    KEY(KchanProtocol.ATTR_KEY),
    /** {@code KCHAN_ATTR_VALUE}. */
    VALUE(KchanProtocol.ATTR_VALUE),
    /** {@code KCHAN_ATTR_CURSOR}. */
    CURSOR(KchanProtocol.ATTR_CURSOR),
    /** {@code KCHAN_ATTR_ENTRY}. */
    ENTRY(KchanProtocol.ATTR_ENTRY),
    /** {@code KCHAN_ATTR_COUNT}. */
    COUNT(KchanProtocol.ATTR_COUNT),
    /** {@code KCHAN_ATTR_SIZE}. */
    SIZE(KchanProtocol.ATTR_SIZE),
    /** {@code KCHAN_ATTR_RATE}. */
    RATE(KchanProtocol.ATTR_RATE),
    /** {@code KCHAN_ATTR_EVENT_TYPE}. */
    EVENT_TYPE(KchanProtocol.ATTR_EVENT_TYPE),
    /** {@code KCHAN_ATTR_SEQ}. */
    SEQ(KchanProtocol.ATTR_SEQ),
    /** {@code KCHAN_ATTR_DROPPED}. */
    DROPPED(KchanProtocol.ATTR_DROPPED),
    /** {@code KCHAN_ATTR_ERRMSG}. */
    ERRMSG(KchanProtocol.ATTR_ERRMSG),
    /** {@code KCHAN_ATTR_ERRATTR}. */
    ERRATTR(KchanProtocol.ATTR_ERRATTR),
    /** {@code KCHAN_ATTR_STORE_ENTRIES}. */
    STORE_ENTRIES(KchanProtocol.ATTR_STORE_ENTRIES),
    /** {@code KCHAN_ATTR_STORE_BYTES}. */
    STORE_BYTES(KchanProtocol.ATTR_STORE_BYTES),
    /** {@code KCHAN_ATTR_TRANSPORT_STATS}. */
    TRANSPORT_STATS(KchanProtocol.ATTR_TRANSPORT_STATS),
    /** {@code KCHAN_ATTR_TRANSPORT}. */
    TRANSPORT(KchanProtocol.ATTR_TRANSPORT),
    /** {@code KCHAN_ATTR_STAT_REQUESTS}. */
    STAT_REQUESTS(KchanProtocol.ATTR_STAT_REQUESTS),
    /** {@code KCHAN_ATTR_STAT_ERRORS}. */
    STAT_ERRORS(KchanProtocol.ATTR_STAT_ERRORS),
    /** {@code KCHAN_ATTR_STAT_EVENTS}. */
    STAT_EVENTS(KchanProtocol.ATTR_STAT_EVENTS),
    /** {@code KCHAN_ATTR_STAT_DROPS}. */
    STAT_DROPS(KchanProtocol.ATTR_STAT_DROPS),
    /** {@code KCHAN_ATTR_GEN_INDEX}. */
    GEN_INDEX(KchanProtocol.ATTR_GEN_INDEX),
    /** A number not in the header this SDK was built against. */
    UNRECOGNIZED(-1);

    private static final KchanAttribute[] BY_ID = ProtocolEnums.indexById(values(), KchanAttribute::id);

    private final int id;

    KchanAttribute(int id) {
        this.id = id;
    }

    /** The attribute type on the wire, or -1 for {@link #UNRECOGNIZED}. */
    public int id() {
        return id;
    }

    /** The attribute with this type, or {@link #UNRECOGNIZED}. */
    public static KchanAttribute fromId(int id) {
        return ProtocolEnums.lookup(BY_ID, id, UNRECOGNIZED);
    }

    /** How messages show an attribute type: {@code KEY}, or {@code 42}. */
    public static String describe(int id) {
        KchanAttribute attribute = fromId(id);
        return attribute == UNRECOGNIZED ? Integer.toString(id) : attribute.name();
    }
}
