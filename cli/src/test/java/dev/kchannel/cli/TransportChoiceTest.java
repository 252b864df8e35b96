// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kchannel.api.Availability;
import dev.kchannel.api.Capability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which transport a command goes through: netlink by default, else the configuration's, else
 * {@code --transport}; unknown names and unavailable transports with their exit statuses.
 */
class TransportChoiceTest {

    private final CliHarness cli = new CliHarness();
    private FakeTransport netlink;
    private FakeTransport procfs;

    @BeforeEach
    void twoTransportsOverOneKernel() {
        netlink = cli.add(FakeTransport.full("netlink", cli.kernel));
        procfs = cli.add(FakeTransport.full("procfs", cli.kernel));
    }

    @Test
    void netlinkWhenNothingIsConfigured() {
        cli.run("list");

        assertThat(netlink.opened).hasSize(1);
        assertThat(procfs.opened).isEmpty();
    }

    @Test
    void theEnvironmentPicksTheTransportAndTheOptionOverridesIt() {
        cli.environment.put("KCHANNEL_TRANSPORT", "procfs");
        cli.run("list");
        assertThat(procfs.opened).hasSize(1);

        cli.run("--transport", "netlink", "list");
        assertThat(netlink.opened).hasSize(1);
        assertThat(procfs.opened).hasSize(1);
    }

    @Test
    void aSystemPropertyBeatsTheEnvironment() {
        cli.environment.put("KCHANNEL_TRANSPORT", "netlink");
        cli.systemProperties.put("kchannel.transport", "procfs");

        cli.run("list");

        assertThat(procfs.opened).hasSize(1);
    }

    @Test
    void configFileNamesTheTransport(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("kchannel.properties");
        Files.writeString(file, "kchannel.transport=procfs\nkchannel.call-timeout=2s\n");

        assertThat(cli.run("--config", file.toString(), "set", "k", "v").status()).isZero();

        assertThat(procfs.opened).hasSize(1);
        assertThat(procfs.lastOpened().callTimeout()).hasSeconds(2);
    }

    @Test
    void aConfigFileThatIsNotThereIsAUsageError() {
        CliHarness.Result result = cli.run("--config", "/nonexistent/kchannel.properties", "list");

        assertThat(result).isEqualTo(new CliHarness.Result(2, "",
                "kchan: --config /nonexistent/kchannel.properties: not a readable file\nusage: kchan [OPTIONS] list\n"));
    }

    @Test
    void anUnknownTransportExitsTwoListingTheKnownOnes() {
        CliHarness.Result result = cli.run("--transport", "carrier-pigeon", "get", "k");

        assertThat(result).isEqualTo(new CliHarness.Result(2, "",
                "kchan: unknown kernel transport 'carrier-pigeon' (kchannel.transport); known: netlink, procfs\n"));
    }

    @Test
    void anUnavailableTransportExitsThreeWithItsReason() {
        cli.add(new FakeTransport("chardev", cli.kernel,
                Availability.unavailable("kernel module kchan_chardev is not loaded"), Capability.REQUEST_REPLY));

        CliHarness.Result result = cli.run("--transport", "chardev", "get", "k");

        assertThat(result).isEqualTo(new CliHarness.Result(3, "",
                "kchan: kernel transport 'chardev' is unavailable: kernel module kchan_chardev is not loaded\n"));
    }

    @Test
    void whatIsSetThroughOneTransportIsReadThroughTheOther() {
        cli.run("--transport", "procfs", "set", "shared", "yes");

        assertThat(cli.run("--transport", "netlink", "get", "shared").out()).isEqualTo("yes\n");
    }
}
