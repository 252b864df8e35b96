// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in configuration: ISO-8601 ({@code PT5S}, {@code PT0.5S}) or a
 * whole number with a unit ({@code 500ms}, {@code 5s}, {@code 2m}; also {@code ns}, {@code us},
 * {@code h}, {@code d}). A bare number is refused: nobody can tell whether {@code 5} meant
 * seconds or milliseconds.
 */
final class DurationParser {

    static final String EXPECTED = "expected a duration such as PT5S, 500ms, 5s or 2m";

    private static final Pattern SIMPLE = Pattern.compile("(\\d{1,18})\\s*(ns|us|ms|s|m|h|d)");

    private DurationParser() {
    }

    /**
     * @throws IllegalArgumentException with {@link #EXPECTED} as its message when {@code text}
     *     is neither form
     */
    static Duration parse(String text) {
        String trimmed = text.trim();
        String lower = trimmed.toLowerCase(Locale.ROOT);
        try {
            if (lower.startsWith("p") || lower.startsWith("-p") || lower.startsWith("+p")) {
                return Duration.parse(trimmed);
            }
            Matcher simple = SIMPLE.matcher(lower);
            if (simple.matches()) {
                return Duration.of(Long.parseLong(simple.group(1)), unit(simple.group(2)));
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            // Falls through to the one message that lists the accepted forms.
        }
        throw new IllegalArgumentException(EXPECTED);
    }

    private static ChronoUnit unit(String symbol) {
        switch (symbol) {
            case "ns":
                return ChronoUnit.NANOS;
            case "us":
                return ChronoUnit.MICROS;
            case "ms":
                return ChronoUnit.MILLIS;
            case "s":
                return ChronoUnit.SECONDS;
            case "m":
                return ChronoUnit.MINUTES;
            case "h":
                return ChronoUnit.HOURS;
            default:
                return ChronoUnit.DAYS;
        }
    }
}
