// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one command line into words the way a POSIX shell does, without expanding anything:
 * blanks separate words; {@code '...'} keeps everything literally; {@code "..."} keeps everything
 * but lets {@code \"}, {@code \\}, {@code \$} and {@code \`} stand for the character; a backslash
 * outside quotes keeps the next character. {@code 'a b'} and {@code ""} are one word each.
 */
final class WordSplitter {

    private WordSplitter() {
    }

    /**
     * @throws UsageException for an unterminated quote or a backslash at the end
     */
    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else if (c == '\'') {
                int close = line.indexOf('\'', i + 1);
                if (close < 0) {
                    throw new UsageException("unterminated ' in: " + line);
                }
                word.append(line, i + 1, close);
                inWord = true;
                i = close + 1;
            } else if (c == '"') {
                i = doubleQuoted(line, i + 1, word);
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 >= line.length()) {
                    throw new UsageException("a backslash ends the line: " + line);
                }
                word.append(line.charAt(i + 1));
                inWord = true;
                i += 2;
            } else {
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /** Appends a double-quoted part starting at {@code start}; returns the index after its close. */
    private static int doubleQuoted(String line, int start, StringBuilder word) {
        int i = start;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\' && i + 1 < line.length() && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
                word.append(line.charAt(i + 1));
                i += 2;
            } else {
                word.append(c);
                i++;
            }
        }
        throw new UsageException("unterminated \" in: " + line);
    }
}
