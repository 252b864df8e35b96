// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every public type of {@code api} (top-level or nested) carries a javadoc comment: api is what
 * users program against. The javadoc build (doclint, in {@code verify}) checks what the comments
 * say is well-formed; this checks none is missing.
 */
class PublicTypesDocumentedTest {

    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "^[ \\t]*public\\s+(?:(?:static|final|abstract|sealed)\\s+)*(?:class|interface|enum|record|@interface)\\s+(\\w+)",
            Pattern.MULTILINE);
    private static final Pattern TRAILING_ANNOTATIONS = Pattern.compile("(\\s*@\\w+(\\([^)]*\\))?)+$");

    @Test
    void everyPublicTypeHasAJavadocComment() throws IOException {
        Path sources = Path.of("src", "main", "java");
        List<String> undocumented = new ArrayList<>();
        List<String> checked = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            files.filter(file -> file.toString().endsWith(".java")).forEach(file -> {
                String text = read(file);
                Matcher type = PUBLIC_TYPE.matcher(text);
                while (type.find()) {
                    checked.add(type.group(1));
                    String before = TRAILING_ANNOTATIONS.matcher(text.substring(0, type.start()).stripTrailing())
                            .replaceAll("").stripTrailing();
                    if (!before.endsWith("*/")) {
                        undocumented.add(sources.relativize(file) + ": " + type.group(1));
                    }
                }
            });
        }
        // The api has some 70 public types (KernelChannel, the exceptions, the message model...).
        assertThat(checked).as("public types found under " + sources.toAbsolutePath()).hasSizeGreaterThan(50)
                .contains("KernelChannel", "KernelErrorException", "KchanMessage");
        assertThat(undocumented).as("public types of api without a javadoc comment").isEmpty();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
