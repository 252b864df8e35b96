// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.ListEntry;
import dev.kchannel.api.message.ListPart;
import java.util.List;
import java.util.stream.Stream;

/**
 * Puts kchan_core back to idle after a test that let arbitrary requests through (fuzzers, floods):
 * the generator stopped and every key deleted, whoever stored it, so that what the store holds
 * does not count as memory the test leaked.
 */
final class StoreSweep {

    private StoreSweep() {
    }

    /** Stops the generator and deletes every key through {@code target}; returns how many keys there were. */
    static long emptyTheStore(FuzzGuestTest.Target target) {
        try (KernelChannel channel = target.open()) {
            return emptyTheStore(channel);
        }
    }

    static long emptyTheStore(KernelChannel channel) {
        channel.call(KchanRequests.genStop());
        List<byte[]> keys;
        try (Stream<ListPart> parts = channel.dump(KchanRequests.list()).map(ListPart::from)) {
            keys = parts.flatMap(part -> part.entries().stream()).map(ListEntry::key).toList();
        }
        for (byte[] key : keys) {
            channel.call(KchanRequests.delete(key));
        }
        return keys.size();
    }
}
