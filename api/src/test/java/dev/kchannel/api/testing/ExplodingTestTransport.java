// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.testing;

import dev.kchannel.api.Availability;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.config.KchannelConfig;

/**
 * A transport that cannot even be constructed: registered with Guice (never with ServiceLoader)
 * to prove that only the selected transport is instantiated.
 */
public final class ExplodingTestTransport implements KernelTransport {

    public static final String NAME = "test-exploding";

    public ExplodingTestTransport() {
        throw new IllegalStateException("ExplodingTestTransport must never be instantiated unless selected");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Availability availability() {
        return Availability.available();
    }

    @Override
    public KernelChannel open(KchannelConfig config) {
        throw new IllegalStateException("never constructed");
    }
}
