// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WordSplitterTest {

    @Test
    void blanksSeparateWords() {
        assertThat(WordSplitter.split("  set   a\t1 ")).containsExactly("set", "a", "1");
        assertThat(WordSplitter.split("   ")).isEmpty();
    }

    @Test
    void quotesKeepBlanksAndMayJoinWithTheirNeighbours() {
        assertThat(WordSplitter.split("set 'my key' \"a b\"")).containsExactly("set", "my key", "a b");
        assertThat(WordSplitter.split("set k pre'fix  'post")).containsExactly("set", "k", "prefix  post");
        assertThat(WordSplitter.split("echo ''")).containsExactly("echo", "");
    }

    @Test
    void singleQuotesAreLiteralDoubleQuotesHonourFourEscapes() {
        assertThat(WordSplitter.split("echo 'a\\b $x'")).containsExactly("echo", "a\\b $x");
        assertThat(WordSplitter.split("echo \"say \\\"hi\\\" \\\\ \\$HOME \\n\""))
                .containsExactly("echo", "say \"hi\" \\ $HOME \\n");
        assertThat(WordSplitter.split("echo it\\'s a\\ b")).containsExactly("echo", "it's", "a b");
    }

    @Test
    void unterminatedQuotesAndATrailingBackslashAreUsageErrors() {
        assertThatThrownBy(() -> WordSplitter.split("get 'k"))
                .isInstanceOf(UsageException.class).hasMessage("unterminated ' in: get 'k");
        assertThatThrownBy(() -> WordSplitter.split("get \"k"))
                .isInstanceOf(UsageException.class).hasMessage("unterminated \" in: get \"k");
        assertThatThrownBy(() -> WordSplitter.split("get k\\"))
                .isInstanceOf(UsageException.class).hasMessage("a backslash ends the line: get k\\");
    }
}
