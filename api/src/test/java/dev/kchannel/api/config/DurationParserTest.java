// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** ISO-8601 and number-with-unit durations parse; anything ambiguous is refused. */
class DurationParserTest {

    @ParameterizedTest(name = "{0} = {1} ms")
    @CsvSource({
        "PT5S, 5000",
        "pt0.5s, 500",
        "PT2M, 120000",
        "500ms, 500",
        "5s, 5000",
        "2m, 120000",
        "1h, 3600000",
        "1d, 86400000",
        "' 10 s ', 10000",
        "2000us, 2",
        "3000000ns, 3"
    })
    void acceptedForms(String text, long millis) {
        assertThat(DurationParser.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "five seconds", "5 sec", "1.5s", "-5s", "PT", "99999999999999999999s", "9999999999999999d"})
    void refusedForms(String text) {
        assertThatThrownBy(() -> DurationParser.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(DurationParser.EXPECTED);
    }
}
