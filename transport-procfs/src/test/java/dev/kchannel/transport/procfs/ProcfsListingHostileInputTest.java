// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs;

import dev.kchannel.api.message.ListEntry;
import dev.kchannel.api.testing.HostileInputs;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The parsers of {@code /proc/kchan/store} and {@code /proc/kchan/stats} text against hostile bytes
 * ({@link HostileInputs}): they return or throw MalformedMessageException, nothing else. The valid
 * samples are listings as kchan_procfs prints them: escaped keys and values, an empty value, every
 * byte value escaped, many entries, the empty listing; and the stats file's counters.
 */
class ProcfsListingHostileInputTest {

    private static final String[] TRANSPORTS = {"core", "netlink", "procfs", "sockopt", "chardev"};

    @Test
    void parsingHostileStoreTextOnlyEverThrowsMalformedMessageException() {
        HostileInputs.assertOnlyMalformed("StoreListing", storeSamples(), bytes -> {
            for (ListEntry entry : StoreListing.parse(bytes)) {
                entry.key();
                entry.value();
            }
        });
    }

    @Test
    void parsingHostileStatsTextOnlyEverThrowsMalformedMessageException() {
        HostileInputs.assertOnlyMalformed("StatsListing", statsSamples(), bytes -> {
            for (Map.Entry<String, Long> counter : StatsListing.parse(bytes).entrySet()) {
                Long.toUnsignedString(counter.getValue());
            }
        });
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String line(byte[] key, byte[] value) {
        return StoreListing.escape(key) + "\t" + StoreListing.escape(value) + "\n";
    }

    private static List<byte[]> storeSamples() {
        byte[] everyByte = new byte[256];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = (byte) i;
        }
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            many.append(line(ascii(String.format("key-%04d", i)), ascii("value of entry " + i + "\t\\\n")));
        }
        return List.of(
                ascii(line(ascii("greeting"), ascii("hello world"))
                        + line(ascii("k\tey\n"), ascii("back\\slash"))
                        + line(ascii("empty"), new byte[0])
                        + line(new byte[] {0, (byte) 0xff, 0x7f}, ascii("~ !"))),
                ascii(line(everyByte, everyByte)),
                ascii(many.toString()),
                new byte[0]);
    }

    private static List<byte[]> statsSamples() {
        StringBuilder stats = new StringBuilder("store.entries\t3\nstore.bytes\t120\n");
        for (int t = 0; t < TRANSPORTS.length; t++) {
            stats.append(TRANSPORTS[t]).append(".requests\t").append(1000 * t + 17).append('\n')
                    .append(TRANSPORTS[t]).append(".errors\t").append(t).append('\n')
                    .append(TRANSPORTS[t]).append(".events\t").append(t == 0 ? "18446744073709551615" : "0").append('\n')
                    .append(TRANSPORTS[t]).append(".drops\t0\n");
        }
        return List.of(ascii(stats.toString()), ascii("store.entries\t0\nstore.bytes\t0\n"), new byte[0]);
    }
}
