// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.message.ListEntry;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Reads the text of {@code /proc/kchan/store} back into entries, byte for byte.
 *
 * <p>kchan_procfs writes one line per entry, in key order: the key, a TAB, the value, a newline.
 * Bytes 0x20..0x7e print as themselves except the backslash; every other byte (controls, TAB,
 * newline, DEL, 0x80..0xff) and the backslash print as {@code \xNN}, two lowercase hex digits.
 * So a backslash always starts an escape and TAB and newline only separate: each line splits at
 * its one TAB, and every {@code \xNN} turns back into its byte. An empty value is an empty field.
 *
 * <p>The same rule is what to expect from {@code cat /proc/kchan/store}.
 */
public final class StoreListing {

    private StoreListing() {
    }

    /**
     * The entries in {@code text}, in its order.
     *
     * @throws MalformedMessageException ({@link Reason#UNEXPECTED_MESSAGE}) naming the line and
     *     the byte offset of anything the rule does not allow: a line without its one TAB, a
     *     backslash not followed by {@code x} and two lowercase hex digits, a byte that should
     *     have been escaped, or text not ending in a newline
     */
    public static List<ListEntry> parse(byte[] text) {
        List<ListEntry> entries = new ArrayList<>();
        int line = 1;
        int start = 0;
        while (start < text.length) {
            int end = indexOf(text, (byte) '\n', start);
            if (end < 0) {
                throw malformed(line, text.length, "the last line has no newline");
            }
            int tab = indexOf(text, (byte) '\t', start, end);
            if (tab < 0) {
                throw malformed(line, end, "no TAB between key and value");
            }
            byte[] key = unescape(text, start, tab, line);
            byte[] value = unescape(text, tab + 1, end, line);
            entries.add(new ListEntry(key, value));
            start = end + 1;
            line++;
        }
        return Collections.unmodifiableList(entries);
    }

    /**
     * One field as a line shows it: the rule in the class comment, applied to {@code bytes}; for
     * tests and tools that build expected text.
     */
    public static String escape(byte[] bytes) {
        StringBuilder text = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '\\') {
                text.append((char) c);
            } else {
                text.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            }
        }
        return text.toString();
    }

    private static byte[] unescape(byte[] text, int from, int to, int line) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            int c = text[i] & 0xff;
            if (c == '\\') {
                if (i + 3 >= to || text[i + 1] != 'x' || hex(text[i + 2]) < 0 || hex(text[i + 3]) < 0) {
                    throw malformed(line, i, "a backslash not followed by x and two lowercase hex digits");
                }
                bytes.write(hex(text[i + 2]) << 4 | hex(text[i + 3]));
                i += 3;
            } else if (c == '\t') {
                throw malformed(line, i, "a second TAB");
            } else if (c < 0x20 || c > 0x7e) {
                throw malformed(line, i, String.format("byte 0x%02x printed unescaped", c));
            } else {
                bytes.write(c);
            }
        }
        return bytes.toByteArray();
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        return -1;
    }

    private static int indexOf(byte[] text, byte b, int from) {
        return indexOf(text, b, from, text.length);
    }

    private static int indexOf(byte[] text, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (text[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static MalformedMessageException malformed(int line, int offset, String what) {
        return new MalformedMessageException(Reason.UNEXPECTED_MESSAGE, offset, "store line " + line + ": " + what)
                .withTransport(ProcfsTransport.NAME);
    }
}
