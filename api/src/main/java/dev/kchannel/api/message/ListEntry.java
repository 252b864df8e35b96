// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** One key and its value from a LIST reply. Immutable: the accessors return copies. */
public final class ListEntry {

    private final byte[] key;
    private final byte[] value;

    /** An entry; both arrays are copied. */
    public ListEntry(byte[] key, byte[] value) {
        this.key = key.clone();
        this.value = value.clone();
    }

    /** The key bytes. */
    public byte[] key() {
        return key.clone();
    }

    /** The key decoded as UTF-8. */
    public String keyAsString() {
        return new String(key, StandardCharsets.UTF_8);
    }

    /** The value bytes. */
    public byte[] value() {
        return value.clone();
    }

    /** The value's length, without copying it. */
    public int valueLength() {
        return value.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ListEntry
                && Arrays.equals(((ListEntry) other).key, key)
                && Arrays.equals(((ListEntry) other).value, value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return keyAsString() + "=(" + value.length + " bytes)";
    }
}
