// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.sockopt.raw;

import java.nio.ByteBuffer;

/**
 * The four system calls an {@link InetSocket} makes, as plain numbers in and out: the real ones
 * are {@link Syscalls#NATIVE}; tests give a scripted kernel to exercise what no real option can
 * show on demand (a reply that grows between attempts, an option larger than any cap).
 */
interface OptionCalls {

    /** {@code socket(AF_INET, type | SOCK_CLOEXEC, 0)}: the descriptor, or {@code -errno}. */
    int socket(int type);

    /**
     * {@code getsockopt(2)} with {@code buffer} at its position as {@code optval} and
     * {@code optlen[0]} as {@code *optlen}, which the kernel may change.
     *
     * @return 0, or the errno of the failure ({@code optlen[0]} holds what the kernel left there)
     */
    int getsockopt(int fd, int level, int optname, ByteBuffer buffer, int[] optlen);

    /**
     * {@code setsockopt(2)} of {@code optlen} bytes of {@code buffer} from its position.
     *
     * @return 0, or the errno of the failure
     */
    int setsockopt(int fd, int level, int optname, ByteBuffer buffer, int optlen);

    /** {@code close(2)}, once, never retried. */
    void close(int fd);
}
