// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests that talk to the running kernel need Linux; elsewhere they are skipped, not failed. On
 * Linux they always run: netlink needs no module and no privilege for what they do.
 */
public final class KernelAvailable {

    private KernelAvailable() {
    }

    public static void assumeLinux() {
        assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "netlink needs a Linux kernel");
    }
}
