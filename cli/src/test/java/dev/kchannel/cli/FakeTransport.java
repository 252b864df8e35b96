// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import dev.kchannel.api.Availability;
import dev.kchannel.api.Capabilities;
import dev.kchannel.api.Capability;
import dev.kchannel.api.EventListener;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.TransportId;
import dev.kchannel.api.support.CursorPagedDump;
import dev.kchannel.api.support.SequenceGapDetector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * A transport over a {@link FakeKernel}, implementing the SPI as the real ones do: availability
 * with a reason, the config's call timeout, capabilities enforced, subscriptions that stop
 * delivering once closed. It records what the CLI did with it, so tests can check that channels
 * and subscriptions were closed and that bad arguments never opened anything.
 */
final class FakeTransport implements KernelTransport {

    private final String name;
    private final FakeKernel kernel;
    private final Availability availability;
    private final Capabilities capabilities;
    final List<FakeChannel> opened = new ArrayList<>();

    FakeTransport(String name, FakeKernel kernel, Availability availability, Capability... capabilities) {
        this.name = name;
        this.kernel = kernel;
        this.availability = availability;
        this.capabilities = Capabilities.of(KchanProtocol.PAYLOAD_MAX, capabilities);
    }

    /** An available transport that can do everything the CLI uses. */
    static FakeTransport full(String name, FakeKernel kernel) {
        return new FakeTransport(name, kernel, Availability.available(),
                Capability.REQUEST_REPLY, Capability.DUMP, Capability.KERNEL_PUSH);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Availability availability() {
        return availability;
    }

    @Override
    public synchronized KernelChannel open(KchannelConfig config) {
        ensureAvailable();
        FakeChannel channel = new FakeChannel(config.callTimeout());
        opened.add(channel);
        return channel;
    }

    synchronized FakeChannel lastOpened() {
        return opened.get(opened.size() - 1);
    }

    /** One channel; {@link #close()} ends its subscriptions like a real one. */
    final class FakeChannel implements KernelChannel {
        private final Duration callTimeout;
        final List<FakeSubscription> subscriptions = new ArrayList<>();
        volatile boolean open = true;

        FakeChannel(Duration callTimeout) {
            this.callTimeout = callTimeout;
        }

        @Override
        public String transportName() {
            return name;
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
            capabilities.require(Capability.REQUEST_REPLY, name);
            TransportId door = TransportId.forTransportName(name).orElse(TransportId.UNRECOGNIZED);
            return kernel.answer(request, door, name);
        }

        @Override
        public CompletableFuture<KchanMessage> callAsync(KchanMessage request) {
            return CompletableFuture.completedFuture(call(request));
        }

        @Override
        public void send(KchanMessage message) {
            capabilities.require(Capability.ONE_WAY, name);
        }

        @Override
        public Stream<KchanMessage> dump(KchanMessage request) {
            requireOpen();
            capabilities.require(Capability.DUMP, name);
            return CursorPagedDump.stream(request, this::call);
        }

        @Override
        public synchronized Subscription subscribe(EventListener listener) {
            requireOpen();
            capabilities.require(Capability.KERNEL_PUSH, name);
            FakeSubscription subscription = new FakeSubscription(listener);
            subscriptions.add(subscription);
            kernel.subscribers.add(subscription.listener);
            return subscription;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public synchronized void close() {
            open = false;
            subscriptions.forEach(FakeSubscription::close);
        }

        private void requireOpen() {
            if (!open) {
                throw new ChannelClosedException(name);
            }
        }
    }

    /**
     * Delivers until closed, with gaps counted from SEQ as the real transports do; the kernel's
     * listener list holds {@link #listener}.
     */
    final class FakeSubscription implements Subscription {
        final EventListener listener;
        volatile boolean active = true;

        FakeSubscription(EventListener target) {
            SequenceGapDetector gaps = SequenceGapDetector.joiningAnywhere();
            this.listener = new EventListener() {
                @Override
                public void onEvent(KchanEvent event) {
                    long lost = gaps.observe(event.seq());
                    if (active && lost > 0) {
                        target.onGap(lost);
                    }
                    if (active) {
                        target.onEvent(event);
                    }
                }

                @Override
                public void onGap(long lostCount) {
                    if (active) {
                        target.onGap(lostCount);
                    }
                }

                @Override
                public void onError(KchannelException error) {
                    if (active) {
                        active = false;
                        target.onError(error);
                    }
                }
            };
        }

        @Override
        public boolean isActive() {
            return active;
        }

        @Override
        public void close() {
            active = false;
            kernel.subscribers.remove(listener);
        }
    }
}
