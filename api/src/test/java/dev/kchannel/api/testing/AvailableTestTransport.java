// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.testing;

import dev.kchannel.api.Availability;
import dev.kchannel.api.Capabilities;
import dev.kchannel.api.Capability;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.config.KchannelConfig;

/** A transport that is always available and opens {@link FakeKernelChannel}s; registered for ServiceLoader. */
public final class AvailableTestTransport implements KernelTransport {

    public static final String NAME = "test-available";

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
        return new FakeKernelChannel(NAME, Capabilities.of(16, Capability.REQUEST_REPLY), config.callTimeout());
    }
}
