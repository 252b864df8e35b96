// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.sockopt;

import com.google.inject.AbstractModule;
import dev.kchannel.api.guice.KernelTransportModule;
import dev.kchannel.api.guice.TransportBinder;

/**
 * Makes the {@code sockopt} transport selectable under Guice, next to
 * {@link dev.kchannel.api.guice.KchannelModule}:
 * {@code Guice.createInjector(new KchannelModule(), new SockoptTransportModule())}. Configuring
 * does no I/O; {@link SockoptTransport} is built only if selected.
 */
public final class SockoptTransportModule extends AbstractModule implements KernelTransportModule {

    @Override
    public String transportName() {
        return SockoptTransport.NAME;
    }

    @Override
    protected void configure() {
        TransportBinder.register(binder(), SockoptTransport.NAME, SockoptTransport.class);
    }
}
