// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.select;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.ConfigurationException;
import dev.kchannel.api.testing.AvailableTestTransport;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The shared rules: only the selected transport is instantiated, and it must carry its name. */
class TransportSelectionTest {

    @Test
    void onlyTheSelectedSupplierIsCalled() {
        AtomicInteger otherCalls = new AtomicInteger();
        Map<String, Supplier<KernelTransport>> registered = Map.of(
                AvailableTestTransport.NAME, AvailableTestTransport::new,
                "other", () -> {
                    otherCalls.incrementAndGet();
                    return new AvailableTestTransport();
                });

        KernelTransport selected = TransportSelection.select(
                KchannelConfig.builder().transport(AvailableTestTransport.NAME).build(), registered);

        assertThat(selected.name()).isEqualTo(AvailableTestTransport.NAME);
        assertThat(otherCalls).hasValue(0);
    }

    @Test
    void transportRegisteredUnderAnotherNameIsAConfigurationError() {
        Map<String, Supplier<KernelTransport>> registered = Map.of("netlink", AvailableTestTransport::new);

        assertThatThrownBy(() -> TransportSelection.select(KchannelConfig.builder().transport("netlink").build(), registered))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("kernel transport registered as 'netlink' (dev.kchannel.api.testing.AvailableTestTransport) "
                        + "calls itself 'test-available'");
    }

    @Test
    void knownNamesAreListedSortedWhateverTheRegistrationOrder() {
        Supplier<KernelTransport> unused = () -> {
            throw new AssertionError("no transport may be instantiated for an unknown name");
        };
        Map<String, Supplier<KernelTransport>> registered =
                Map.of("sockopt", unused, "chardev", unused, "procfs", unused, "netlink", unused);

        assertThatThrownBy(() -> TransportSelection.select(KchannelConfig.builder().transport("foo").build(), registered))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("unknown kernel transport 'foo' (kchannel.transport); known: chardev, netlink, procfs, sockopt");
    }
}
