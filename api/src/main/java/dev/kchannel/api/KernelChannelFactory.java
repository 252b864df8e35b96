// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api;

import dev.kchannel.api.config.KchannelConfig;
import java.util.Objects;

/**
 * Opens channels of one selected transport with one configuration. This, not an open channel, is
 * what dependency injection hands out: whoever calls {@link #open()} owns the channel and closes
 * it, and nothing is opened before someone asks.
 *
 * <p>Thread-safe; each {@link #open()} returns a new, independent channel.
 */
public interface KernelChannelFactory {

    /** The transport whose channels this factory opens. */
    KernelTransport transport();

    /**
     * Opens a new channel, which the caller must close.
     *
     * @throws dev.kchannel.api.error.KchannelException as {@link KernelTransport#open} does
     */
    KernelChannel open();

    /** A factory that opens {@code transport} with {@code config}. */
    static KernelChannelFactory of(KernelTransport transport, KchannelConfig config) {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(config, "config");
        return new KernelChannelFactory() {
            @Override
            public KernelTransport transport() {
                return transport;
            }

            @Override
            public KernelChannel open() {
                return transport.open(config);
            }

            @Override
            public String toString() {
                return "KernelChannelFactory[" + transport.name() + "]";
            }
        };
    }
}
