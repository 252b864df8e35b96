// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.message.ListEntry;
import dev.kchannel.api.testing.HostileInputs;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The text views procfs reads back, {@code /proc/kchan/store} ({@link StoreListing}) and
 * {@code /proc/kchan/stats} ({@link StatsListing}), against hostile bytes ({@link HostileInputs}):
 * they parse or throw MalformedMessageException naming the procfs transport, and nothing else.
 */
class ProcfsListingHostileInputTest {

    @Test
    void theStoreViewParsesOrIsMalformed() {
        HostileInputs.assertOnlyMalformed("StoreListing", List.of(
                ascii("greeting\thello world\n"),
                ascii("k\\x09ey\\x0a\tback\\x5cslash\nempty\t\n\\x00\\xff\\x7f\t~ !\n"),
                ascii(manyEntries(200)),
                new byte[0]), bytes -> {
                    for (ListEntry entry : namingProcfs(() -> StoreListing.parse(bytes))) {
                        entry.key();
                    }
                });
    }

    @Test
    void theStatsViewParsesOrIsMalformed() {
        HostileInputs.assertOnlyMalformed("StatsListing", List.of(
                ascii("store.entries\t3\nstore.bytes\t120\n"),
                ascii(everyCounter()),
                ascii("procfs.requests\t18446744073709551615\n"),
                new byte[0]), bytes -> namingProcfs(() -> StatsListing.parse(bytes)));
    }

    /** Runs a parse; a refusal must say it is procfs's, as callers of the transport see it. */
    private static <T> T namingProcfs(java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (MalformedMessageException e) {
            if (!e.transport().map(ProcfsTransport.NAME::equals).orElse(false)) {
                throw new AssertionError("a refusal that does not name the procfs transport: " + e, e);
            }
            throw e;
        }
    }

    private static String manyEntries(int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append("key.").append(i).append("\\x00\tvalue ").append(i).append('\n');
        }
        return text.toString();
    }

    private static String everyCounter() {
        StringBuilder text = new StringBuilder("store.entries\t0\nstore.bytes\t0\n");
        for (String transport : List.of("core", "netlink", "procfs", "sockopt", "chardev")) {
            for (String counter : List.of("requests", "errors", "events", "drops")) {
                text.append(transport).append('.').append(counter).append('\t').append(transport.length() * 1000L)
                        .append('\n');
            }
        }
        return text.toString();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
