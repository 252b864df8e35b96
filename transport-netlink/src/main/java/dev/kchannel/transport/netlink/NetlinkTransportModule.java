// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import com.google.inject.AbstractModule;
import dev.kchannel.api.guice.KernelTransportModule;
import dev.kchannel.api.guice.TransportBinder;

/**
 * Makes the {@code netlink} transport selectable under Guice, next to
 * {@link dev.kchannel.api.guice.KchannelModule}:
 * {@code Guice.createInjector(new KchannelModule(), new NetlinkTransportModule())}. Configuring
 * does no I/O; {@link NetlinkTransport} is built only if selected.
 */
public final class NetlinkTransportModule extends AbstractModule implements KernelTransportModule {

    @Override
    public String transportName() {
        return NetlinkTransport.NAME;
    }

    @Override
    protected void configure() {
        TransportBinder.register(binder(), NetlinkTransport.NAME, NetlinkTransport.class);
    }
}
