// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kchannel.api.Availability;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.guice.KernelTransportModule;
import dev.kchannel.api.guice.TransportModules;
import dev.kchannel.api.select.KernelTransports;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sample's failure modes that need no kernel module: this host's kernel has none loaded,
 * which is itself one of them. The successful runs are guest tests (SampleApplicationGuestTest).
 */
class SampleApplicationTest {

    private record Run(int status, String out, String err) {
    }

    @Test
    void everyTransportOnTheClasspathIsSelectableThroughGuiceAndThroughServiceLoader() {
        Set<String> viaGuice = TransportModules.discover().stream()
                .map(KernelTransportModule::transportName).collect(Collectors.toSet());

        assertThat(viaGuice).contains("netlink", "procfs").isEqualTo(KernelTransports.discover().keySet());
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void anUnknownTransportNameFailsListingTheKnownOnes(boolean withGuice) {
        String known = String.join(", ", KernelTransports.discover().keySet());

        assertThat(run(withGuice, KchannelConfig.builder().transport("carrier-pigeon").build()))
                .isEqualTo(new Run(SampleApplication.CONFIGURATION, "",
                        "sample: unknown kernel transport 'carrier-pigeon' (kchannel.transport); known: " + known + "\n"));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void noTransportConfiguredSaysWhichSettingToSet(boolean withGuice) {
        Run run = run(withGuice, KchannelConfig.builder().build());

        assertThat(run.status()).isEqualTo(SampleApplication.CONFIGURATION);
        assertThat(run.err()).startsWith("sample: no kernel transport configured: set kchannel.transport (or KCHANNEL_TRANSPORT) to one of: ");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aTransportWhoseKernelModuleIsNotLoadedSaysHowToLoadIt(boolean withGuice) {
        assertThat(run(withGuice, KchannelConfig.builder().transport("procfs").build()))
                .isEqualTo(new Run(SampleApplication.UNAVAILABLE, "", "sample: kernel transport 'procfs' is unavailable: "
                        + Availability.moduleNotLoaded("kchan_procfs", "no /proc/kchan/call") + "\n"));
    }

    @Test
    void anUnknownArgumentIsAUsageError() {
        PrintStreams streams = new PrintStreams();
        int status = SampleApplication.run(new String[] {"--fast"}, KchannelConfig.builder().build(), streams.out, streams.err);

        assertThat(new Run(status, streams.out(), streams.err())).isEqualTo(new Run(SampleApplication.CONFIGURATION, "",
                "sample: unknown argument '--fast'; usage: SampleApplication [--without-guice]\n"));
    }

    private static Run run(boolean withGuice, KchannelConfig config) {
        PrintStreams streams = new PrintStreams();
        String[] args = withGuice ? new String[0] : new String[] {"--without-guice"};
        int status = SampleApplication.run(args, config, streams.out, streams.err);
        return new Run(status, streams.out(), streams.err());
    }

    private static final class PrintStreams {
        private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
        final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

        String out() {
            return outBytes.toString(StandardCharsets.UTF_8);
        }

        String err() {
            return errBytes.toString(StandardCharsets.UTF_8);
        }
    }
}
