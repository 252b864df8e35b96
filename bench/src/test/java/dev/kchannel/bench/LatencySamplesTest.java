// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LatencySamplesTest {

    @Test
    void percentilesOverEveryThreadsSamples() {
        LatencySamples a = new LatencySamples(1000);
        LatencySamples b = new LatencySamples(1000);
        for (int i = 1; i <= 50; i++) {
            a.record(i * 1000L);
            b.record((50 + i) * 1000L);
        }

        assertThat(LatencySamples.percentileMicros(List.of(a, b), 50)).hasValue(50.0);
        assertThat(LatencySamples.percentileMicros(List.of(a, b), 99)).hasValue(99.0);
    }

    @Test
    void pastItsCapacityItThinsEvenlyInsteadOfGrowing() {
        LatencySamples samples = new LatencySamples(100);
        for (int i = 1; i <= 10_000; i++) {
            samples.record(i * 1000L);
        }

        assertThat(samples.size()).isLessThanOrEqualTo(100).isGreaterThanOrEqualTo(50);
        // Evenly thinned: the median stays near the middle of 1..10000 us.
        assertThat(LatencySamples.percentileMicros(List.of(samples), 50).getAsDouble()).isBetween(4800.0, 5200.0);
    }

    @Test
    void noSamplesNoPercentile() {
        assertThat(LatencySamples.percentileMicros(List.of(new LatencySamples(10)), 50)).isEmpty();
    }
}
