// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.error;

/**
 * The kernel has no such entry: {@link Errno#ENOENT}, as for a GET or DELETE of a key that is not
 * stored, or a netlink family that is not registered. Built by
 * {@link KernelErrorException.Builder#build()}.
 */
public class NoSuchEntryException extends KernelErrorException {

    private static final long serialVersionUID = 1L;

    NoSuchEntryException(KernelErrorException.Builder builder) {
        super(builder);
    }
}
