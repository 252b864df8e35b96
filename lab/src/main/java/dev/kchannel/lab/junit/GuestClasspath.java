// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab.junit;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * This JVM's classpath, for the guest's JVM. Surefire and failsafe start tests with a
 * manifest-only jar (its {@code Class-Path} lists the real entries) that they may write under
 * /tmp, which the guest does not see: the entries that jar names are spelled out, so the guest
 * finds every jar on the host's files it shares.
 */
final class GuestClasspath {

    private GuestClasspath() {
    }

    static String of(String javaClassPath) {
        Set<String> entries = new LinkedHashSet<>();
        for (String entry : javaClassPath.split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path path = Path.of(entry).toAbsolutePath();
            entries.add(path.toString());
            if (path.toString().endsWith(".jar") && Files.isRegularFile(path)) {
                manifestClassPath(path, entries);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static void manifestClassPath(Path jar, Set<String> entries) {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String classPath = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (classPath == null) {
                return;
            }
            URI base = jar.getParent().toUri();
            for (String url : classPath.trim().split("\\s+")) {
                URI resolved = base.resolve(url);
                if ("file".equals(resolved.getScheme())) {
                    entries.add(Path.of(resolved).toString());
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            // Not a jar we can read: the entry itself stays, as the JVM would treat it.
        }
    }
}
