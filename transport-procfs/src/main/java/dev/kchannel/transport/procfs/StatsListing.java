// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the text of {@code /proc/kchan/stats}: one {@code name<TAB>number} line per counter,
 * {@code store.entries} and {@code store.bytes}, then {@code <t>.requests}, {@code <t>.errors},
 * {@code <t>.events} and {@code <t>.drops} for each transport ({@code core}, {@code netlink},
 * {@code procfs}, {@code sockopt}, {@code chardev}). Reading the file counts no request.
 */
public final class StatsListing {

    private StatsListing() {
    }

    /**
     * The counters in {@code text}, by name, in the file's order. Numbers are unsigned 64-bit
     * values, kept in a {@code long} as {@link Long#parseUnsignedLong} reads them.
     *
     * @throws MalformedMessageException ({@link Reason#UNEXPECTED_MESSAGE}) naming the line of
     *     anything else: a name of other characters than kchan_core uses, a sign, a number beyond
     *     64 bits
     */
    public static Map<String, Long> parse(byte[] text) {
        Map<String, Long> counters = new LinkedHashMap<>();
        String all = new String(text, StandardCharsets.US_ASCII);
        if (all.isEmpty()) {
            return Collections.unmodifiableMap(counters);
        }
        if (!all.endsWith("\n")) {
            throw malformed(0, "the last line has no newline");
        }
        int number = 0;
        // Without the last newline, every line, an empty one too, must be a counter.
        for (String line : all.substring(0, all.length() - 1).split("\n", -1)) {
            number++;
            int tab = line.indexOf('\t');
            if (tab <= 0 || line.indexOf('\t', tab + 1) >= 0) {
                throw malformed(number, "expected name<TAB>number, got '" + line + "'");
            }
            String name = line.substring(0, tab);
            if (!isCounterName(name)) {
                throw malformed(number, "counter name '" + name + "' is not lower-case letters, digits, '_' and '.'");
            }
            String digits = line.substring(tab + 1);
            if (!isDecimal(digits)) {
                throw malformed(number, "expected name<TAB>number, got '" + line + "'");
            }
            long value;
            try {
                value = Long.parseUnsignedLong(digits);
            } catch (NumberFormatException e) {
                throw malformed(number, "counter '" + name + "' is beyond 64 bits: " + digits);
            }
            if (counters.put(name, value) != null) {
                throw malformed(number, "counter '" + name + "' appears twice");
            }
        }
        return Collections.unmodifiableMap(counters);
    }

    /** What kchan_core's names are made of ("store.entries", "netlink.drops"); nothing else. */
    private static boolean isCounterName(String name) {
        return name.chars().allMatch(c -> c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.');
    }

    /**
     * Only the digits seq_printf's %llu writes: {@link Long#parseUnsignedLong} alone would also
     * take a leading '+'.
     */
    private static boolean isDecimal(String text) {
        return !text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static MalformedMessageException malformed(int line, String what) {
        return new MalformedMessageException(Reason.UNEXPECTED_MESSAGE, -1, "stats line " + line + ": " + what)
                .withTransport(ProcfsTransport.NAME);
    }
}
