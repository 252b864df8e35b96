// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An ordered, immutable list of attributes, as they appear on the wire. A type may repeat (a LIST
 * reply carries one ENTRY per key), so lookups come in two kinds: {@link #first(int)} and
 * {@link #all(int)}.
 */
public final class Attributes implements Iterable<Attribute> {

    private static final Attributes EMPTY = new Attributes(List.of());

    private final List<Attribute> list;
    private final int encodedLength;

    private Attributes(List<Attribute> list) {
        this.list = list;
        long length = 0;
        for (Attribute attribute : list) {
            length += attribute.encodedLength();
        }
        // Each attribute is at most 64 KiB, so only absurd lists overflow; they fail the limits later.
        this.encodedLength = (int) Math.min(length, Integer.MAX_VALUE);
    }

    /** No attributes. */
    public static Attributes empty() {
        return EMPTY;
    }

    /** These attributes, in this order. */
    public static Attributes of(Attribute... attributes) {
        return of(Arrays.asList(attributes));
    }

    /** These attributes, in this order. */
    public static Attributes of(List<Attribute> attributes) {
        if (attributes.isEmpty()) {
            return EMPTY;
        }
        List<Attribute> copy = new ArrayList<>(attributes.size());
        for (Attribute attribute : attributes) {
            copy.add(Objects.requireNonNull(attribute, "attribute"));
        }
        return new Attributes(Collections.unmodifiableList(copy));
    }

    /** Wraps a freshly decoded list that nobody else holds. */
    static Attributes wrapDecoded(List<Attribute> decoded) {
        return decoded.isEmpty() ? EMPTY : new Attributes(Collections.unmodifiableList(decoded));
    }

    /** How many attributes, repeats counted. */
    public int size() {
        return list.size();
    }

    /** Whether there are none. */
    public boolean isEmpty() {
        return list.isEmpty();
    }

    /** The attribute at {@code index}, in wire order. */
    public Attribute get(int index) {
        return list.get(index);
    }

    /** All attributes in wire order, unmodifiable. */
    public List<Attribute> asList() {
        return list;
    }

    @Override
    public Iterator<Attribute> iterator() {
        return list.iterator();
    }

    /** The first attribute of {@code type} (flags ignored). */
    public Optional<Attribute> first(int type) {
        for (Attribute attribute : list) {
            if (attribute.type() == type) {
                return Optional.of(attribute);
            }
        }
        return Optional.empty();
    }

    /** Every attribute of {@code type}, in wire order. */
    public List<Attribute> all(int type) {
        List<Attribute> matches = new ArrayList<>();
        for (Attribute attribute : list) {
            if (attribute.type() == type) {
                matches.add(attribute);
            }
        }
        return Collections.unmodifiableList(matches);
    }

    /** Whether an attribute of {@code type} is present. */
    public boolean contains(int type) {
        return first(type).isPresent();
    }

    /**
     * The first attribute of {@code type}.
     *
     * @throws MalformedMessageException with {@link Reason#MISSING_ATTRIBUTE} if there is none
     */
    public Attribute require(int type) {
        return first(type).orElseThrow(() -> new MalformedMessageException(Reason.MISSING_ATTRIBUTE, -1,
                "attribute " + KchanAttribute.describe(type) + " (" + type + ") is missing", type));
    }

    /** Bytes these attributes take when encoded, padding included. */
    public int encodedLength() {
        return encodedLength;
    }

    /** Equal when the same attributes appear in the same order. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Attributes && ((Attributes) other).list.equals(list);
    }

    @Override
    public int hashCode() {
        return list.hashCode();
    }

    @Override
    public String toString() {
        return list.toString();
    }
}
