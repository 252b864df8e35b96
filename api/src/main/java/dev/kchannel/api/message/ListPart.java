// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * One part of a LIST reply: its entries in key order, and, when more parts follow, the cursor to
 * resume after. Immutable.
 */
public final class ListPart {

    private final List<ListEntry> entries;
    private final byte[] cursor;
    private final boolean more;

    private ListPart(List<ListEntry> entries, byte[] cursor, boolean more) {
        this.entries = entries;
        this.cursor = cursor;
        this.more = more;
    }

    /**
     * Reads a LIST reply part.
     *
     * @throws MalformedMessageException if it is not a LIST reply, or an ENTRY lacks KEY or VALUE
     */
    public static ListPart from(KchanMessage reply) {
        if (reply.command() != Command.LIST) {
            throw new MalformedMessageException(Reason.UNEXPECTED_MESSAGE, -1,
                    "expected a LIST reply, got " + Command.describe(reply.commandId()));
        }
        List<Attribute> entryAttributes = reply.attributes().all(KchanProtocol.ATTR_ENTRY);
        List<ListEntry> entries = new ArrayList<>(entryAttributes.size());
        for (Attribute entry : entryAttributes) {
            Attributes fields = entry.nested();
            entries.add(new ListEntry(
                    fields.require(KchanProtocol.ATTR_KEY).bytes(),
                    fields.require(KchanProtocol.ATTR_VALUE).bytes()));
        }
        byte[] cursor = reply.attributes().first(KchanProtocol.ATTR_CURSOR).map(Attribute::bytes).orElse(null);
        return new ListPart(Collections.unmodifiableList(entries), cursor, reply.hasMore());
    }

    /** The entries in this part, in the kernel's (key) order. */
    public List<ListEntry> entries() {
        return entries;
    }

    /** The key to resume after, when the kernel sent one. */
    public Optional<byte[]> cursor() {
        return Optional.ofNullable(cursor).map(byte[]::clone);
    }

    /** Whether more parts follow this one. */
    public boolean hasMore() {
        return more;
    }

    @Override
    public String toString() {
        return "ListPart{" + entries.size() + " entries" + (more ? ", more" : "") + "}";
    }
}
