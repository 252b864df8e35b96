// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.testing;

import dev.kchannel.api.Availability;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.Errno;

/** A transport whose kernel module is never loaded; registered for ServiceLoader. */
public final class UnavailableTestTransport implements KernelTransport {

    public static final String NAME = "test-unavailable";
    public static final String REASON = "kernel module kchan_test is not loaded";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Availability availability() {
        return Availability.unavailable(REASON, Errno.ENOENT, null);
    }

    @Override
    public KernelChannel open(KchannelConfig config) {
        ensureAvailable();
        throw new IllegalStateException("unreachable: ensureAvailable() throws");
    }
}
