// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ByteTextTest {

    private static String text(String s) {
        return ByteText.format(s.getBytes(StandardCharsets.UTF_8), false);
    }

    @Test
    void printableUtf8IsWrittenAsText() {
        assertThat(text("hello world")).isEqualTo("hello world");
        assertThat(text("grüße, 世界 🙂")).isEqualTo("grüße, 世界 🙂");
        assertThat(text("")).isEmpty();
    }

    @Test
    void controlAndInvisibleCharactersMakeItHex() {
        assertThat(text("tab\there")).isEqualTo("hex:7461620968657265");
        assertThat(text("line\n")).isEqualTo("hex:6c696e650a");
        assertThat(text("\u202Eevil")).isEqualTo("hex:e280ae6576696c");
        assertThat(text("zero\u200Bwidth")).isEqualTo("hex:7a65726fe2808b7769647468");
        assertThat(text("\u2028")).isEqualTo("hex:e280a8");
    }

    @Test
    void bytesThatAreNotUtf8AreHex() {
        assertThat(ByteText.format(new byte[] {0, (byte) 0xff}, false)).isEqualTo("hex:00ff");
        assertThat(ByteText.format(new byte[] {(byte) 0xc3}, false)).isEqualTo("hex:c3");
        // A UTF-16 surrogate encoded in UTF-8 (CESU) is not valid UTF-8.
        assertThat(ByteText.format(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, false)).isEqualTo("hex:eda080");
    }

    @Test
    void textThatLooksLikeHexOutputIsWrittenAsHexSoTheMarkerIsNeverAmbiguous() {
        assertThat(text("hex:00")).isEqualTo("hex:6865783a3030");
        assertThat(text("HEX:00")).isEqualTo("hex:4845583a3030");
    }

    @Test
    void hexModeWritesBareDigits() {
        assertThat(ByteText.format("ok".getBytes(StandardCharsets.UTF_8), true)).isEqualTo("6f6b");
        assertThat(ByteText.format(new byte[0], true)).isEmpty();
    }

    @Test
    void parsingTextIsUtf8AndHexAcceptsEitherCaseAndThePrefix() {
        assertThat(ByteText.parse("grüße", false, "KEY")).isEqualTo("grüße".getBytes(StandardCharsets.UTF_8));
        assertThat(ByteText.parse("hex:00", false, "KEY")).isEqualTo("hex:00".getBytes(StandardCharsets.UTF_8));
        assertThat(ByteText.parse("00fF", true, "KEY")).containsExactly(0, 0xff);
        assertThat(ByteText.parse("HEX:0a", true, "KEY")).containsExactly(0x0a);
        assertThat(ByteText.parse("", true, "VALUE")).isEmpty();
    }

    @Test
    void badHexSaysWhatIsWrong() {
        assertThatThrownBy(() -> ByteText.parse("abc", true, "KEY"))
                .isInstanceOf(UsageException.class).hasMessage("KEY 'abc' is not hex: an odd number of digits");
        assertThatThrownBy(() -> ByteText.parse("zz", true, "VALUE"))
                .isInstanceOf(UsageException.class).hasMessage("VALUE 'zz' is not hex: use two digits 0-9, a-f per byte");
    }

    @Test
    void formatThenParseGivesTheBytesBack() {
        byte[] bytes = {1, 2, 3, (byte) 0x80, 'a'};

        String shown = ByteText.format(bytes, false);

        assertThat(shown).startsWith("hex:");
        assertThat(ByteText.parse(shown, true, "VALUE")).isEqualTo(bytes);
    }
}
