// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestClasspathTest {

    @TempDir
    Path dir;

    @Test
    void spellsOutTheEntriesOfAManifestOnlyJar() throws IOException {
        Path booter = dir.resolve("booter/surefirebooter1.jar");
        Files.createDirectories(booter.getParent());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH,
                "file:/repo/m2/junit.jar ../target/test-classes/ lib%20dir/x.jar");
        try (OutputStream out = Files.newOutputStream(booter); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.flush();
        }

        String classpath = GuestClasspath.of(booter + File.pathSeparator + "/plain/classes");

        assertThat(classpath.split(File.pathSeparator)).containsExactly(booter.toString(), "/repo/m2/junit.jar",
                dir.resolve("target/test-classes").toString(), dir.resolve("booter/lib dir/x.jar").toString(),
                "/plain/classes");
    }

    @Test
    void leavesOrdinaryEntriesAsTheyAre() {
        assertThat(GuestClasspath.of("/a/classes:/b/missing.jar")).isEqualTo("/a/classes:/b/missing.jar");
    }
}
