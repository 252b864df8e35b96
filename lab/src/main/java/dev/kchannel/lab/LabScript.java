// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Finds the lab script ({@code it/lab/kchan-lab} and the guest's {@code /init} beside it). In a
 * kchannel checkout that is the checkout's own copy; a project that only has the kchannel-lab
 * jar gets the copy packaged in the jar, written once to the lab's cache folder.
 */
public final class LabScript {

    /** Where the jar carries the script (lab/pom.xml copies it from it/lab). */
    static final String RESOURCE_FOLDER = "/dev/kchannel/lab/script/";
    static final List<String> FILES = List.of("kchan-lab", "guest-init.sh", "kchan-lab-image");
    private static final String SCRIPT_IN_HOME = "it/lab/kchan-lab";

    private LabScript() {
    }

    /**
     * A folder holding {@code it/lab/kchan-lab}, to give {@link KernelLab}: the checkout named by
     * the system property {@code kchannel.repo}, else a checkout that holds the working directory,
     * else the jar's copy extracted under the lab cache.
     */
    public static Path labHome() throws IOException {
        Optional<Path> checkout = checkout(System.getProperty("kchannel.repo"), Path.of("").toAbsolutePath());
        return checkout.isPresent() ? checkout.get() : extract(cacheFolder());
    }

    /** True when {@code home} is a kchannel checkout, with its own kmods/ to build. */
    public static boolean isCheckout(Path home) {
        return Files.isRegularFile(home.resolve(SCRIPT_IN_HOME)) && Files.isRegularFile(home.resolve("kmods/Kbuild"));
    }

    static Optional<Path> checkout(String repoProperty, Path workingDir) {
        if (repoProperty != null && !repoProperty.isBlank()) {
            Path repo = Path.of(repoProperty).toAbsolutePath().normalize();
            if (isCheckout(repo)) {
                return Optional.of(repo);
            }
        }
        for (Path dir = workingDir; dir != null; dir = dir.getParent()) {
            if (isCheckout(dir)) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    /**
     * Writes the jar's copy of the script into {@code cache/script-<hash of its content>/it/lab}
     * once and returns that {@code script-*} folder. A folder named by content is never rewritten,
     * so concurrent test JVMs and the lab's initramfs cache (which goes stale when guest-init.sh
     * is newer) stay consistent.
     */
    static Path extract(Path cache) throws IOException {
        byte[][] contents = new byte[FILES.size()][];
        MessageDigest sha256 = sha256();
        for (int i = 0; i < FILES.size(); i++) {
            contents[i] = resource(FILES.get(i));
            sha256.update(contents[i]);
        }
        Path home = cache.resolve("script-" + HexFormat.of().formatHex(sha256.digest()).substring(0, 16));
        Path labDir = home.resolve("it/lab");
        if (Files.isRegularFile(labDir.resolve(FILES.get(FILES.size() - 1)))) {
            return home;
        }
        Files.createDirectories(labDir);
        // Each file lands whole (written aside, then moved), the last one marking the folder done.
        for (int i = 0; i < FILES.size(); i++) {
            Path tmp = Files.createTempFile(labDir, FILES.get(i), ".tmp");
            Files.write(tmp, contents[i]);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(tmp, labDir.resolve(FILES.get(i)), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        }
        return home;
    }

    /** The lab script's own cache rule: KCHAN_LAB_CACHE, else $XDG_CACHE_HOME or ~/.cache. */
    static Path cacheFolder() {
        String explicit = System.getenv("KCHAN_LAB_CACHE");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("kchannel-lab");
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = LabScript.class.getResourceAsStream(RESOURCE_FOLDER + name)) {
            if (in == null) {
                throw new IOException("the kchannel-lab jar lacks " + RESOURCE_FOLDER + name
                        + "; rebuild it with Maven (lab/pom.xml packages it/lab/" + name + ")");
            }
            return in.readAllBytes();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256, which every Java SE has", e);
        }
    }
}
