// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.testing;

import dev.kchannel.api.Capabilities;
import dev.kchannel.api.Capability;
import dev.kchannel.api.EventListener;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A channel with no kernel behind it: every call is answered by its own request, flagged as a
 * reply. Enough to test selection, factories and the SPI's default methods.
 */
public final class FakeKernelChannel implements KernelChannel {

    private final String transport;
    private final Capabilities capabilities;
    private final Duration callTimeout;
    private final AtomicBoolean open = new AtomicBoolean(true);

    public FakeKernelChannel(String transport, Capabilities capabilities, Duration callTimeout) {
        this.transport = transport;
        this.capabilities = capabilities;
        this.callTimeout = callTimeout;
    }

    @Override
    public String transportName() {
        return transport;
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    public Duration callTimeout() {
        return callTimeout;
    }

    @Override
    public KchanMessage call(KchanMessage request, Duration timeout) {
        requireOpen();
        capabilities.require(Capability.REQUEST_REPLY, transport);
        return request.toBuilder().addFlags(KchanProtocol.F_REPLY).build();
    }

    @Override
    public CompletableFuture<KchanMessage> callAsync(KchanMessage request) {
        return CompletableFuture.completedFuture(call(request, callTimeout));
    }

    @Override
    public void send(KchanMessage message) {
        requireOpen();
        capabilities.require(Capability.ONE_WAY, transport);
    }

    @Override
    public Stream<KchanMessage> dump(KchanMessage request) {
        requireOpen();
        capabilities.require(Capability.DUMP, transport);
        return Stream.of(call(request, callTimeout));
    }

    @Override
    public Subscription subscribe(EventListener listener) {
        requireOpen();
        capabilities.require(Capability.KERNEL_PUSH, transport);
        throw new UnsupportedOperationException("the fake channel never pushes events");
    }

    @Override
    public boolean isOpen() {
        return open.get();
    }

    @Override
    public void close() {
        open.set(false);
    }

    private void requireOpen() {
        if (!open.get()) {
            throw new ChannelClosedException(transport);
        }
    }
}
