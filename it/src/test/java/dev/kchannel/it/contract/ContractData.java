// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.contract;

/** Test data whose every byte is predictable, so a corrupted byte anywhere is caught. */
final class ContractData {

    private ContractData() {
    }

    /** {@code length} bytes, byte {@code i} being {@code (seed + i * 31) mod 256}. */
    static byte[] pattern(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed + i * 31);
        }
        return bytes;
    }
}
