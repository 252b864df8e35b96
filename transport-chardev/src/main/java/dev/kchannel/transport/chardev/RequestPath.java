// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.chardev;

import dev.kchannel.api.message.KchanMessage;

/**
 * How a request reaches {@code /dev/kchan} and its reply comes back: {@link IoctlRequestPath}
 * (KCHAN_IOC_CALL) or {@link ReadWriteRequestPath} (write then read). The channel numbers the
 * request and checks the reply; a path only moves bytes.
 */
interface RequestPath extends AutoCloseable {

    /**
     * Sends {@code request} and returns its reply, decoded but not yet checked.
     *
     * @throws dev.kchannel.api.error.KernelErrorException if the kernel refuses the system call
     */
    KchanMessage exchange(KchanMessage request);

    /** Closes every open file the path holds; calls in flight fail as closed. */
    @Override
    void close();
}
