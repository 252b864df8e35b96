// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs a {@code main} class of the test classpath as user nobody (uid and gid 65534, no groups,
 * no capabilities) through {@code setpriv}, to see what an unprivileged process may do. The guest
 * tests run as root from jars in /root/.m2, which nobody cannot read, so the classpath is copied
 * under /tmp first, readable by everyone, and removed afterwards.
 */
final class AsNobody {

    private static final String COPY_PREFIX = "kchan-nobody-";

    private AsNobody() {
    }

    /** Runs {@code mainClass} with {@code args} as nobody; its output is what the test reads. */
    static GuestShell.Result run(Class<?> mainClass, String... args) throws IOException {
        Path copy = Files.createDirectories(Path.of("/tmp", COPY_PREFIX + System.nanoTime()));
        try {
            String classpath = readableClasspath(copy);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534",
                    "--clear-groups", java, "-Djava.io.tmpdir=/tmp", "-Duser.home=/tmp", "-cp", classpath,
                    mainClass.getName()));
            argv.addAll(List.of(args));
            return GuestShell.run(argv.toArray(String[]::new));
        } finally {
            deleteTree(copy);
        }
    }

    /** The test's classpath copied into {@code copy}, readable by everyone. */
    private static String readableClasspath(Path copy) throws IOException {
        Path dir = Files.createDirectories(copy.resolve("cp"));
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path source = Path.of(entry);
            if (!Files.exists(source)) {
                continue;
            }
            Path target = dir.resolve(n++ + "-" + source.getFileName());
            if (Files.isDirectory(source)) {
                try (Stream<Path> tree = Files.walk(source)) {
                    for (Path p : tree.toList()) {
                        Path to = target.resolve(source.relativize(p).toString());
                        if (Files.isDirectory(p)) {
                            Files.createDirectories(to);
                        } else {
                            Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            } else {
                Files.copy(source, target);
            }
            entries.add(target.toString());
        }
        try (Stream<Path> tree = Files.walk(copy)) {
            for (Path p : tree.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static void deleteTree(Path dir) {
        if (!dir.getFileName().toString().startsWith(COPY_PREFIX)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path p : tree.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
