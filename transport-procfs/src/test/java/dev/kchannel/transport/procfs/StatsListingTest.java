// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.MalformedMessageException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stats view's lines to counters, in order, full u64 range; anything else named by line. */
class StatsListingTest {

    @Test
    void linesAreCountersInTheirOrder() {
        Map<String, Long> counters = StatsListing.parse(("store.entries\t3\nstore.bytes\t120\n"
                + "procfs.requests\t18446744073709551615\n").getBytes(StandardCharsets.US_ASCII));

        assertThat(counters).containsExactly(Map.entry("store.entries", 3L), Map.entry("store.bytes", 120L),
                Map.entry("procfs.requests", -1L));
        assertThat(Long.toUnsignedString(counters.get("procfs.requests"))).isEqualTo("18446744073709551615");
    }

    @Test
    void anythingElseIsMalformedNamingTheLine() {
        assertMalformed("a\t1\nb 2\n", "stats line 2: expected name<TAB>number, got 'b 2'");
        assertMalformed("a\t1\n\n", "stats line 2: expected name<TAB>number, got ''");
        assertMalformed("a\tx\n", "stats line 1");
        assertMalformed("a\t1\na\t2\n", "stats line 2: counter 'a' appears twice");
        assertMalformed("a\t1", "the last line has no newline");
    }

    @Test
    void onlyWhatKchanCoreWritesIsACounter() {
        assertMalformed("store.entries\t+3\n", "stats line 1: expected name<TAB>number, got 'store.entries\t+3'");
        assertMalformed("store.entries\t-3\n", "stats line 1");
        assertMalformed("store.entries\t 3\n", "stats line 1");
        assertMalformed("a\t1\nStore.Entries\t3\n", "stats line 2: counter name 'Store.Entries'");
        assertMalformed("a\t1\nstore entries\t3\n", "stats line 2: counter name 'store entries'");
        assertMalformed("procfs.requests\t18446744073709551616\n",
                "stats line 1: counter 'procfs.requests' is beyond 64 bits: 18446744073709551616");
        assertThatThrownBy(() -> StatsListing.parse(new byte[] {'k', (byte) 0xe9, '\t', '1', '\n'}))
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.getMessage()).contains("stats line 1: counter name"));
    }

    private static void assertMalformed(String text, String message) {
        assertThatThrownBy(() -> StatsListing.parse(text.getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOfSatisfying(MalformedMessageException.class, e -> assertThat(e.getMessage()).contains(message));
    }
}
