// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Gaps are exact counts of the numbers skipped. */
class SequenceGapDetectorTest {

    @Test
    void consecutiveNumbersHaveNoGaps() {
        SequenceGapDetector detector = SequenceGapDetector.startingAt(1);
        for (long seq = 1; seq <= 100; seq++) {
            assertThat(detector.observe(seq)).isZero();
        }
        assertThat(detector.totalLost()).isZero();
    }

    @Test
    void aJumpIsTheExactNumberLost() {
        SequenceGapDetector detector = SequenceGapDetector.startingAt(1);

        assertThat(detector.observe(1)).isZero();
        assertThat(detector.observe(2)).isZero();
        assertThat(detector.observe(5)).isEqualTo(2);
        assertThat(detector.observe(6)).isZero();
        assertThat(detector.observe(106)).isEqualTo(99);
        assertThat(detector.totalLost()).isEqualTo(101);
    }

    @Test
    void lossesBeforeTheFirstEventCountWhenTheStartIsKnown() {
        assertThat(SequenceGapDetector.startingAt(1).observe(4)).isEqualTo(3);
        assertThat(SequenceGapDetector.joiningAnywhere().observe(4)).isZero();
    }

    @Test
    void joiningAnywhereCountsFromTheFirstNumberSeen() {
        SequenceGapDetector detector = SequenceGapDetector.joiningAnywhere();

        assertThat(detector.observe(1000)).isZero();
        assertThat(detector.observe(1003)).isEqualTo(2);
    }

    @Test
    void numbersGoingBackwardsRestartCountingWithoutInventingLosses() {
        SequenceGapDetector detector = SequenceGapDetector.startingAt(1);
        detector.observe(10);

        assertThat(detector.observe(1)).isZero();
        assertThat(detector.observe(2)).isZero();
        assertThat(detector.totalLost()).isEqualTo(9);
    }
}
