// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs.raw;

/**
 * How {@link ProcFile#open} opens a file: {@link #READ}, {@link #WRITE} or both ({@code O_RDWR}),
 * optionally {@link #NONBLOCK}. Every descriptor is opened {@code O_CLOEXEC}, so a child process
 * never inherits it.
 */
public enum OpenFlag {
    /** For reading ({@code O_RDONLY}, or {@code O_RDWR} with {@link #WRITE}). */
    READ,
    /** For writing ({@code O_WRONLY}, or {@code O_RDWR} with {@link #READ}). */
    WRITE,
    /**
     * {@code O_NONBLOCK}: a read with nothing to return gives 0 bytes instead of waiting. Only
     * files that can wait care (a kchan events file, a pipe); a regular /proc or sysfs file never
     * waits either way.
     */
    NONBLOCK
}
