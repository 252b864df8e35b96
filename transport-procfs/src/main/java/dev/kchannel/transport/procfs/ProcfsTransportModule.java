// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs;

import com.google.inject.AbstractModule;
import dev.kchannel.api.guice.KernelTransportModule;
import dev.kchannel.api.guice.TransportBinder;

/**
 * Makes the {@code procfs} transport selectable under Guice, next to
 * {@link dev.kchannel.api.guice.KchannelModule}:
 * {@code Guice.createInjector(new KchannelModule(), new ProcfsTransportModule())}. Configuring
 * does no I/O; {@link ProcfsTransport} is built only if selected.
 */
public final class ProcfsTransportModule extends AbstractModule implements KernelTransportModule {

    @Override
    public String transportName() {
        return ProcfsTransport.NAME;
    }

    @Override
    protected void configure() {
        TransportBinder.register(binder(), ProcfsTransport.NAME, ProcfsTransport.class);
    }
}
