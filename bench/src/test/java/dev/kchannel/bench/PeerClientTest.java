// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The peer protocol against stand-in peers: shell scripts at the C peer's path. */
class PeerClientTest {

    @TempDir
    Path repo;

    private final BenchCase echo = new BenchCase("echo", "netlink", "c",
            Map.of("threads", "1", "size", "64", "seconds", "0.1", "warmup", "0"));

    private PeerClient peer(String script) throws IOException {
        Path bin = Files.createDirectories(repo.resolve("kmods/tools/bin"));
        Path file = bin.resolve("kchan_bench");
        Files.writeString(file, "#!/bin/sh\n" + script + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return PeerClient.c(repo, repo.resolve("peers.log"));
    }

    @Test
    void passesTheCaseAsArgumentsAndParsesTheLastResultLine() throws Exception {
        PeerClient c = peer("echo progress >&2; echo \"result ops=10 seconds=1.0\"; "
                + "echo \"result ops=$# seconds=2.0 p50_us=1.0 p99_us=2.0\"");

        Measurement m = c.run(echo);

        // scenario, transport and the four key=value parameters.
        assertThat(m.ops()).isEqualTo(6);
        assertThat(m.seconds()).isEqualTo(2.0);
        assertThat(Files.readString(repo.resolve("peers.log"))).contains("progress").contains("echo netlink");
    }

    @Test
    void aFailingPeerIsAnErrorCarryingItsMessage() throws Exception {
        PeerClient c = peer("echo 'open /dev/kchan: No such file or directory' >&2; exit 1");

        assertThatThrownBy(() -> c.run(echo)).isInstanceOf(IOException.class)
                .hasMessageContaining("exited 1").hasMessageContaining("open /dev/kchan");
    }

    @Test
    void aPeerWithoutAResultLineIsAnError() throws Exception {
        PeerClient c = peer("echo hello");

        assertThatThrownBy(() -> c.run(echo)).hasMessageContaining("no result line");
    }

    @Test
    void aMissingPeerSaysHowToBuildIt() {
        assertThatThrownBy(() -> PeerClient.c(repo, repo.resolve("peers.log")).run(echo))
                .isInstanceOf(IOException.class).hasMessageContaining("make -C kmods/tools");
    }

    @Test
    void whatEachPeerImplements() throws Exception {
        PeerClient c = peer("exit 0");

        assertThat(c.supports("echo", "sockopt", 8)).isTrue();
        assertThat(c.supports("stream", "sockopt", 1)).isFalse();
        assertThat(c.supports("swarm", "netlink", 1)).isTrue();
        assertThat(c.supports("read", "procfs", 1)).isFalse();
    }
}
