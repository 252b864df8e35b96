// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Fixed-width integers in byte arrays, in host order (netlink's and kchan's) or in network order
 * (attributes flagged {@code NLA_F_NET_BYTEORDER}). View handles compile to single loads and
 * stores, with no wrapper buffer per field.
 */
final class WireBytes {

    private static final ByteOrder HOST = ByteOrder.nativeOrder();
    private static final VarHandle HOST_SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, HOST);
    private static final VarHandle HOST_INT = MethodHandles.byteArrayViewVarHandle(int[].class, HOST);
    private static final VarHandle HOST_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, HOST);
    private static final VarHandle NET_SHORT =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle NET_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle NET_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private WireBytes() {
    }

    static int u16(byte[] bytes, int offset) {
        return Short.toUnsignedInt((short) HOST_SHORT.get(bytes, offset));
    }

    static short s16(byte[] bytes, int offset, boolean network) {
        return network ? (short) NET_SHORT.get(bytes, offset) : (short) HOST_SHORT.get(bytes, offset);
    }

    static int s32(byte[] bytes, int offset) {
        return (int) HOST_INT.get(bytes, offset);
    }

    static int s32(byte[] bytes, int offset, boolean network) {
        return network ? (int) NET_INT.get(bytes, offset) : (int) HOST_INT.get(bytes, offset);
    }

    static long s64(byte[] bytes, int offset, boolean network) {
        return network ? (long) NET_LONG.get(bytes, offset) : (long) HOST_LONG.get(bytes, offset);
    }

    static void putU16(byte[] bytes, int offset, int value) {
        HOST_SHORT.set(bytes, offset, (short) value);
    }

    static void put16(byte[] bytes, int offset, int value, boolean network) {
        if (network) {
            NET_SHORT.set(bytes, offset, (short) value);
        } else {
            HOST_SHORT.set(bytes, offset, (short) value);
        }
    }

    static void put32(byte[] bytes, int offset, int value) {
        HOST_INT.set(bytes, offset, value);
    }

    static void put32(byte[] bytes, int offset, int value, boolean network) {
        if (network) {
            NET_INT.set(bytes, offset, value);
        } else {
            HOST_INT.set(bytes, offset, value);
        }
    }

    static void put64(byte[] bytes, int offset, long value, boolean network) {
        if (network) {
            NET_LONG.set(bytes, offset, value);
        } else {
            HOST_LONG.set(bytes, offset, value);
        }
    }
}
