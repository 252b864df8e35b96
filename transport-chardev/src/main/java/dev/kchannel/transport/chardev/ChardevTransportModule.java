// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.chardev;

import com.google.inject.AbstractModule;
import dev.kchannel.api.guice.KernelTransportModule;
import dev.kchannel.api.guice.TransportBinder;

/**
 * Makes the {@code chardev} transport selectable under Guice, next to
 * {@link dev.kchannel.api.guice.KchannelModule}:
 * {@code Guice.createInjector(new KchannelModule(), new ChardevTransportModule())}. Configuring
 * does no I/O; {@link ChardevTransport} is built only if selected.
 */
public final class ChardevTransportModule extends AbstractModule implements KernelTransportModule {

    @Override
    public String transportName() {
        return ChardevTransport.NAME;
    }

    @Override
    protected void configure() {
        TransportBinder.register(binder(), ChardevTransport.NAME, ChardevTransport.class);
    }
}
