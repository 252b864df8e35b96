// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabScriptTest {

    @TempDir
    Path dir;

    @Test
    void writesTheJarsCopyOnceAsAnExecutableLabHome() throws IOException {
        Path home = LabScript.extract(dir);

        for (String name : LabScript.FILES) {
            Path file = home.resolve("it/lab").resolve(name);
            assertThat(file).isExecutable();
            try (InputStream packaged = LabScript.class.getResourceAsStream(LabScript.RESOURCE_FOLDER + name)) {
                assertThat(Files.readAllBytes(file)).isEqualTo(packaged.readAllBytes());
            }
        }
        assertThat(LabScript.isCheckout(home)).isFalse();
        long modified = Files.getLastModifiedTime(home.resolve("it/lab/guest-init.sh")).toMillis();
        assertThat(LabScript.extract(dir)).isEqualTo(home);
        assertThat(Files.getLastModifiedTime(home.resolve("it/lab/guest-init.sh")).toMillis()).isEqualTo(modified);
    }

    @Test
    void findsTheCheckoutAboveTheWorkingDirectoryOrFromKchannelRepo() throws IOException {
        Path checkout = dir.resolve("kchannel");
        Files.createDirectories(checkout.resolve("it/lab"));
        Files.createDirectories(checkout.resolve("kmods"));
        Files.writeString(checkout.resolve("it/lab/kchan-lab"), "#!/bin/bash\n");
        Files.writeString(checkout.resolve("kmods/Kbuild"), "obj-m += x.o\n");
        Path module = Files.createDirectories(checkout.resolve("it/target"));

        assertThat(LabScript.checkout(null, module)).contains(checkout);
        assertThat(LabScript.checkout(checkout.toString(), dir)).contains(checkout);
        assertThat(LabScript.checkout(null, dir)).isEmpty();
    }
}
