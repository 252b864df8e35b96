// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.error;

/**
 * The kernel refused the caller: {@link Errno#EPERM} (a capability such as {@code CAP_NET_ADMIN}
 * is missing) or {@link Errno#EACCES} (file or device permissions). Built by
 * {@link KernelErrorException.Builder#build()}.
 */
public class PermissionDeniedException extends KernelErrorException {

    private static final long serialVersionUID = 1L;

    PermissionDeniedException(KernelErrorException.Builder builder) {
        super(builder);
    }
}
