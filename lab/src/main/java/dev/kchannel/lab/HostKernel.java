// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The running kernel as host mode needs it: able to load modules, with its headers installed.
 *
 * @param release {@code uname -r}
 * @param headers the Kbuild tree modules for it are built against
 */
public record HostKernel(String release, Path headers) {

    /**
     * This machine's kernel, or an {@link IllegalStateException} saying why host mode cannot run
     * here and what to use instead.
     */
    public static HostKernel check() {
        return check(Path.of("/"), System.getProperty("os.version"));
    }

    static HostKernel check(Path root, String release) {
        if (!Files.exists(root.resolve("proc/modules"))) {
            throw new IllegalStateException("host mode needs a kernel that can load modules, and kernel " + release
                    + " has none (/proc/modules is missing: CONFIG_MODULES is off): use the kernel lab"
                    + " (KernelLab or KernelLabContainer) instead");
        }
        Path headers = root.resolve("lib/modules").resolve(release).resolve("build");
        if (!Files.isDirectory(headers)) {
            throw new IllegalStateException("host mode builds the modules against the running kernel's headers, and "
                    + headers + " is missing: install linux-headers-" + release);
        }
        return new HostKernel(release, headers);
    }
}
