// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab.junit;

import dev.kchannel.lab.Lab;
import java.io.IOException;

/**
 * Makes the lab a {@link KernelLabTest} class runs in. {@link DirectLabFactory} drives the lab
 * script on this machine; another implementation (a container lab, say) is chosen with
 * {@link KernelLabTest#lab()} or the system property {@code kchannel.lab.factory}. Implementations
 * need a public no-argument constructor.
 */
public interface LabFactory {

    Lab create(LabSettings settings) throws IOException;
}
