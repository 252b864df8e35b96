// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.message.ListEntry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The store view's escaping rule, both ways, and the errors for text that breaks it. */
class StoreListingTest {

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void linesSplitAtTheirTabAndEscapesTurnBackIntoBytes() {
        byte[] text = ascii("greeting\thello world\n"
                + "k\\x09ey\\x0a\tback\\x5cslash\n"
                + "empty\t\n"
                + "\\x00\\xff\\x7f\t~ !\n");

        List<ListEntry> entries = StoreListing.parse(text);

        assertThat(entries).containsExactly(
                new ListEntry(ascii("greeting"), ascii("hello world")),
                new ListEntry(ascii("k\tey\n"), ascii("back\\slash")),
                new ListEntry(ascii("empty"), new byte[0]),
                new ListEntry(new byte[] {0, (byte) 0xff, 0x7f}, ascii("~ !")));
        assertThat(StoreListing.parse(new byte[0])).isEmpty();
    }

    @Test
    void everyByteValueSurvivesEscapingAndParsing() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        String escaped = StoreListing.escape(all);

        assertThat(escaped).doesNotContain("\t", "\n").contains("\\x5c", "\\x09", "\\x0a", "\\x7f", "\\x80", "\\xff", "0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
        assertThat(StoreListing.parse(ascii("k\t" + escaped + "\n"))).containsExactly(new ListEntry(ascii("k"), all));
    }

    @Test
    void textThatBreaksTheRuleIsMalformedNamingTheLine() {
        assertMalformed("a\tb\nno tab here\n", "store line 2: no TAB between key and value");
        assertMalformed("a\tb", "store line 1: the last line has no newline");
        assertMalformed("a\\x4\tb\n", "store line 1: a backslash not followed by x and two lowercase hex digits");
        assertMalformed("a\\X41\tb\n", "a backslash not followed by x");
        assertMalformed("a\\x4A\tb\n", "a backslash not followed by x");
        assertMalformed("a\tb\tc\n", "store line 1: a second TAB");
        assertMalformed("a\t\u00e9\n", "store line 1: byte 0xe9 printed unescaped");
    }

    private static void assertMalformed(String text, String message) {
        assertThatThrownBy(() -> StoreListing.parse(ascii(text)))
                .isInstanceOfSatisfying(MalformedMessageException.class, e -> {
                    assertThat(e.getMessage()).contains(message);
                    assertThat(e.transport()).contains("procfs");
                });
    }
}
