// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

import java.util.Optional;

/** One line of results.csv: a case and what it measured, or why it failed. */
record ResultRow(BenchCase benchCase, Optional<Measurement> measurement, Optional<String> error) {

    static ResultRow measured(BenchCase c, Measurement m) {
        return new ResultRow(c, Optional.of(m), Optional.empty());
    }

    static ResultRow failed(BenchCase c, String error) {
        return new ResultRow(c, Optional.empty(), Optional.of(error));
    }

    boolean ok() {
        return measurement.isPresent();
    }
}
