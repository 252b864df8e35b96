// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MeasurementTest {

    @Test
    void parsesAPeersLineWithEveryField() {
        Measurement m = Measurement.parse("result ops=1000 seconds=2.000 bytes=768000 lost=5 p50_us=14.2 p99_us=61.0");

        assertThat(m.ops()).isEqualTo(1000);
        assertThat(m.opsPerSecond()).isEqualTo(500.0);
        assertThat(m.megabytesPerSecond()).isEqualTo(0.384);
        assertThat(m.lost()).isEqualTo(5);
        assertThat(m.p50Micros()).hasValue(14.2);
        assertThat(m.p99Micros()).hasValue(61.0);
    }

    @Test
    void fieldsAScenarioDoesNotDefineAreOptional() {
        Measurement m = Measurement.parse("result ops=7 seconds=0.5");

        assertThat(m.bytes()).isZero();
        assertThat(m.p50Micros()).isEmpty();
    }

    @Test
    void formattingAndParsingAgree() {
        Measurement m = Measurement.parse("result ops=42 seconds=1.500 bytes=10 lost=1 p50_us=3.5 p99_us=9.0");

        assertThat(Measurement.parse(m.toResultLine())).isEqualTo(m);
    }

    @Test
    void aLineWithoutOpsNamesWhatIsMissing() {
        assertThatThrownBy(() -> Measurement.parse("result seconds=1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no ops=");
    }

    @Test
    void aLineThatIsNoResultIsRefused() {
        assertThatThrownBy(() -> Measurement.parse("ops=1 seconds=1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a result line");
        assertThatThrownBy(() -> Measurement.parse("result ops=x seconds=1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformed number");
        assertThatThrownBy(() -> Measurement.parse("result ops=1 seconds=-1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("seconds");
    }
}
