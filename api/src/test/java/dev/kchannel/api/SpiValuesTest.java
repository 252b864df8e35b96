// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.error.UnsupportedCapabilityException;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.testing.FakeKernelChannel;
import dev.kchannel.api.testing.UnavailableTestTransport;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Capabilities, availability and the channel's default methods behave as documented. */
class SpiValuesTest {

    @Test
    void capabilitiesAreAnImmutableSetWithAMaxPayload() {
        Capabilities capabilities = Capabilities.of(4096, Capability.REQUEST_REPLY, Capability.DUMP);

        assertThat(capabilities.supports(Capability.DUMP)).isTrue();
        assertThat(capabilities.supports(Capability.KERNEL_PUSH)).isFalse();
        assertThat(capabilities.maxPayload()).isEqualTo(4096);
        assertThatThrownBy(() -> capabilities.asSet().add(Capability.ZERO_COPY))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(capabilities).isEqualTo(Capabilities.of(4096, Capability.DUMP, Capability.REQUEST_REPLY));
    }

    @Test
    void callsWithoutTheirCapabilityThrowNamingTransportAndCapability() {
        FakeKernelChannel channel = new FakeKernelChannel("procfs",
                Capabilities.of(16, Capability.REQUEST_REPLY), Duration.ofSeconds(1));

        assertThatThrownBy(() -> channel.subscribe(event -> { }))
                .isInstanceOfSatisfying(UnsupportedCapabilityException.class, e -> {
                    assertThat(e.capability()).isEqualTo(Capability.KERNEL_PUSH);
                    assertThat(e.transport()).contains("procfs");
                })
                .hasMessage("kernel transport 'procfs' does not support KERNEL_PUSH: check KernelChannel.capabilities() before calling, or set kchannel.transport to a transport that has it");
        assertThatThrownBy(() -> channel.send(KchanRequests.stats()))
                .isInstanceOf(UnsupportedCapabilityException.class).hasMessageContaining("does not support ONE_WAY:");
        assertThatThrownBy(() -> channel.dump(KchanRequests.list()))
                .isInstanceOf(UnsupportedCapabilityException.class).hasMessageContaining("does not support DUMP:");
    }

    @Test
    void availabilityCarriesItsReasonIntoTheException() {
        Availability unavailable = new UnavailableTestTransport().availability();

        assertThat(unavailable.isAvailable()).isFalse();
        assertThat(unavailable.reason()).isEqualTo(UnavailableTestTransport.REASON);
        assertThat(unavailable.errno()).contains(Errno.ENOENT);
        assertThatThrownBy(() -> new UnavailableTestTransport().ensureAvailable())
                .isInstanceOf(TransportUnavailableException.class)
                .hasMessage("kernel transport 'test-unavailable' is unavailable: kernel module kchan_test is not loaded");
        assertThat(Availability.available().isAvailable()).isTrue();
        Availability.available().ensureAvailable("anything");
        assertThatThrownBy(() -> Availability.unavailable(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unwrapFindsTheChannelItselfOrNothing() {
        FakeKernelChannel channel = new FakeKernelChannel("t", Capabilities.of(0), Duration.ofSeconds(1));

        assertThat(channel.unwrap(FakeKernelChannel.class)).containsSame(channel);
        assertThat(channel.unwrap(String.class)).isEmpty();
    }

    @Test
    void callWithoutTimeoutUsesTheConfiguredOne() {
        FakeKernelChannel channel = new FakeKernelChannel("t",
                Capabilities.of(16, Capability.REQUEST_REPLY), Duration.ofMillis(5));

        assertThat(channel.call(KchanRequests.stats()).isReply()).isTrue();
    }
}
