// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

/** One of the clients the benchmark compares: the SDK, java.nio, or an external peer. */
interface BenchClient {

    /** The client's name in results and the report ({@code java}, {@code c}, {@code libnl}...). */
    String name();

    /** Whether this client implements the case's scenario on its transport. */
    boolean supports(String scenario, String transport, int threads);

    /** Measures one case; throws with a message naming what failed. */
    Measurement run(BenchCase benchCase) throws Exception;
}
