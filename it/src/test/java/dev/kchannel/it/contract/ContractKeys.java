// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.contract;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanRequests;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Keys one test owns: every key starts with a prefix unique to the test run
 * ({@code ct.<transport>.<random>.}), so transports and tests can share kchan_core's one store
 * without seeing each other's data, and every key handed out is deleted afterwards.
 */
final class ContractKeys {

    private final String prefix;
    private final Set<String> issued = new LinkedHashSet<>();

    private ContractKeys(String prefix) {
        this.prefix = prefix;
    }

    /** Keys for one test on {@code transport}. */
    static ContractKeys unique(String transport) {
        int random = ThreadLocalRandom.current().nextInt();
        return new ContractKeys("ct." + transport + "." + String.format("%08x", random) + ".");
    }

    /** What every key of this test starts with. */
    String prefix() {
        return prefix;
    }

    /** A key named {@code name} under this test's prefix, remembered for cleanup. */
    String key(String name) {
        String key = prefix + name;
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > KchanProtocol.KEY_MAX) {
            throw new IllegalArgumentException("contract key '" + key + "' is " + bytes + " bytes, over KCHAN_KEY_MAX");
        }
        issued.add(key);
        return key;
    }

    /** Whether {@code key} (bytes) starts with this test's prefix. */
    boolean owns(byte[] key) {
        byte[] start = prefix.getBytes(StandardCharsets.UTF_8);
        if (key.length < start.length) {
            return false;
        }
        for (int i = 0; i < start.length; i++) {
            if (key[i] != start[i]) {
                return false;
            }
        }
        return true;
    }

    /** Deletes every key handed out; keys already gone are fine. */
    void deleteAll(KernelChannel channel) {
        for (String key : issued) {
            try {
                channel.call(KchanRequests.delete(key));
            } catch (NoSuchEntryException alreadyGone) {
                // The test deleted it itself, or never stored it.
            }
        }
        issued.clear();
    }
}
