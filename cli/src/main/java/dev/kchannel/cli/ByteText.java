// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Keys, values and payloads are bytes; this is how {@code kchan} writes them and reads them.
 *
 * <p>Output: bytes that are valid UTF-8 made only of printable characters are written as that
 * text; anything else as {@value #HEX_PREFIX} followed by lowercase hex digits. Text that itself
 * starts with {@value #HEX_PREFIX}, in any case, is written in hex too, so output starting with
 * {@value #HEX_PREFIX} always means hex. "Printable" rules out control characters (tab and newline
 * included, which keeps tab-separated lines unambiguous), line and paragraph separators, invisible
 * format characters (bidi overrides, zero-width spaces), private-use and unassigned code points.
 * With {@code --hex} everything is written as bare hex digits.
 *
 * <p>Input: command-line words are encoded as UTF-8; with {@code --hex} they are hex digits, two
 * per byte, upper or lower case, with or without the {@value #HEX_PREFIX} prefix.
 */
final class ByteText {

    /** Marks hex output in text mode. */
    static final String HEX_PREFIX = "hex:";

    private static final HexFormat HEX = HexFormat.of();

    private ByteText() {
    }

    /** {@code bytes} for output: text when printable, else {@code hex:...}; bare hex when {@code hex}. */
    static String format(byte[] bytes, boolean hex) {
        if (hex) {
            return HEX.formatHex(bytes);
        }
        String text = printableText(bytes);
        return text != null ? text : HEX_PREFIX + HEX.formatHex(bytes);
    }

    /**
     * The bytes a command-line word stands for.
     *
     * @param what how the usage error names the word, such as {@code KEY}
     * @throws UsageException if {@code hex} and the word is not hex digits
     */
    static byte[] parse(String word, boolean hex, String what) {
        if (!hex) {
            return word.getBytes(StandardCharsets.UTF_8);
        }
        String digits = word.regionMatches(true, 0, HEX_PREFIX, 0, HEX_PREFIX.length())
                ? word.substring(HEX_PREFIX.length()) : word;
        if (digits.length() % 2 != 0) {
            throw new UsageException(what + " '" + word + "' is not hex: an odd number of digits");
        }
        try {
            return HEX.parseHex(digits.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException(what + " '" + word + "' is not hex: use two digits 0-9, a-f per byte");
        }
    }

    /** The text {@code bytes} encode, or null when they are not printable UTF-8 text. */
    private static String printableText(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer chars;
        try {
            chars = decoder.decode(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            return null;
        }
        String text = chars.toString();
        if (text.regionMatches(true, 0, HEX_PREFIX, 0, HEX_PREFIX.length())
                || !text.codePoints().allMatch(ByteText::isPrintable)) {
            return null;
        }
        return text;
    }

    private static boolean isPrintable(int codePoint) {
        switch (Character.getType(codePoint)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
            case Character.PRIVATE_USE:
            case Character.SURROGATE:
            case Character.UNASSIGNED:
                return false;
            default:
                return true;
        }
    }
}
