// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.guice;

import com.google.inject.Module;

/**
 * A transport's Guice module, findable on the classpath: it registers its transport with
 * {@link TransportBinder} and is listed in
 * {@code META-INF/services/dev.kchannel.api.guice.KernelTransportModule} of its jar, so that
 * {@link TransportModules#discover()} finds it. An application can then install every transport it
 * ships with, and choose among them by configuration, without naming one in its code.
 *
 * <p>Like every kchannel module it has a public no-argument constructor, does no I/O in
 * {@code configure()} and holds no static state.
 */
public interface KernelTransportModule extends Module {

    /** The name its transport is registered under, as {@code kchannel.transport} spells it. */
    String transportName();
}
