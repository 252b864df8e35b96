// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab.junit;

/**
 * A test that failed inside the kernel lab's guest, as the host reports it: the guest's message
 * first, then the guest's own exception type and stack trace, which say where it failed.
 */
public final class GuestTestFailure extends AssertionError {

    private static final long serialVersionUID = 1L;

    GuestTestFailure(GuestReport.Case failed, String kernelSeries) {
        super(failed.message() + "\n\nin the kernel lab guest (kernel " + kernelSeries + "):\n" + failed.detail());
    }
}
