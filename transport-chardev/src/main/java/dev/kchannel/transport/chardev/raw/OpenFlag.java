// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.chardev.raw;

/**
 * How {@link DeviceFile#open} opens a device node: {@link #READ}, {@link #WRITE} or both
 * ({@code O_RDWR}), optionally {@link #NONBLOCK}. Every descriptor is opened {@code O_CLOEXEC}, so
 * a child process never inherits it.
 */
public enum OpenFlag {
    /** For reading ({@code O_RDONLY}, or {@code O_RDWR} with {@link #WRITE}). */
    READ,
    /** For writing ({@code O_WRONLY}, or {@code O_RDWR} with {@link #READ}). */
    WRITE,
    /**
     * {@code O_NONBLOCK}: a read or write that would wait gives {@code EAGAIN} instead, which
     * {@link DeviceFile#read} reports as 0 bytes.
     */
    NONBLOCK
}
