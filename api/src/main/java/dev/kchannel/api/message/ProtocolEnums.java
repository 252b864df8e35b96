// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import java.util.Arrays;
import java.util.function.ToIntFunction;

/** Number-to-constant tables for the protocol enums, so lookups on the decode path are an index. */
final class ProtocolEnums {

    private ProtocolEnums() {
    }

    static <E extends Enum<E>> E[] indexById(E[] values, ToIntFunction<E> id) {
        int largest = 0;
        for (E value : values) {
            largest = Math.max(largest, id.applyAsInt(value));
        }
        E[] table = Arrays.copyOf(values, largest + 1);
        Arrays.fill(table, null);
        for (E value : values) {
            int number = id.applyAsInt(value);
            if (number >= 0) {
                table[number] = value;
            }
        }
        return table;
    }

    static <E> E lookup(E[] table, int id, E unrecognized) {
        if (id < 0 || id >= table.length || table[id] == null) {
            return unrecognized;
        }
        return table[id];
    }
}
