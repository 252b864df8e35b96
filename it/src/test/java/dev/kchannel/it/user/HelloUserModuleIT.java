// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.lab.junit.KernelLabTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The example of docs/USAGE.md ("Your own module, tested in the kernel lab"): a module of a
 * user's own (examples/user-module/kmod/hello_user.c, no kchannel code in it), built by the lab
 * against the guest kernel's headers, loaded with a parameter, and its /proc entry checked from
 * Java with plain java.nio. Everything below runs inside the guest, as root.
 */
@KernelLabTest(kmods = "../examples/user-module/kmod", modules = "hello_user greeting=hi")
class HelloUserModuleIT {

    private static final Path ENTRY = Path.of("/proc/hello_user");

    @AfterEach
    void greetTheWorldAgain() throws IOException {
        Files.writeString(ENTRY, "world");
    }

    @Test
    void greetsTheWorldWithTheGreetingItWasLoadedWith() throws IOException {
        assertThat(Files.readString(ENTRY)).isEqualTo("hi, world\n");
        assertThat(Files.readString(Path.of("/sys/module/hello_user/parameters/greeting"))).isEqualTo("hi\n");
    }

    @Test
    void greetsTheNameWrittenToIt() throws IOException {
        Files.writeString(ENTRY, "kernel-lab_2\n");

        assertThat(Files.readString(ENTRY)).isEqualTo("hi, kernel-lab_2\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"two words", "../etc", "name\n\n", "a-name-of-thirty-three-characters"})
    void refusesABadNameWithEinvalAndKeepsTheOldOne(String bad) throws IOException {
        assertThatThrownBy(() -> Files.write(ENTRY, bad.getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(IOException.class).hasMessageContaining("Invalid argument");

        assertThat(Files.readString(ENTRY)).isEqualTo("hi, world\n");
    }

    @Test
    void refusesAWriteLongerThanANameAndANewline() {
        assertThatThrownBy(() -> Files.write(ENTRY, new byte[4096])).isInstanceOf(IOException.class)
                .hasMessageContaining("Invalid argument");
    }
}
