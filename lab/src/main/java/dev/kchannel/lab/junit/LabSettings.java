// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab.junit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a {@link KernelLabTest} class asked for, resolved: the kernel series, the user's module
 * folder (empty: kchannel's own kmods/), the modules to load and the run's time limit.
 */
public record LabSettings(String kernelSeries, Optional<Path> kmods, List<String> modules, Duration timeout) {

    /** The default kernel when neither the annotation nor {@code kchannel.lab.kernel} names one. */
    public static final String DEFAULT_KERNEL = "6.1";

    public LabSettings {
        modules = List.copyOf(modules);
    }

    static LabSettings of(KernelLabTest annotation, String kernelProperty, Path workingDir) {
        String kernel = !annotation.kernel().isBlank() ? annotation.kernel()
                : kernelProperty != null && !kernelProperty.isBlank() ? kernelProperty : DEFAULT_KERNEL;
        Optional<Path> kmods = annotation.kmods().isBlank() ? Optional.empty()
                : Optional.of(workingDir.resolve(annotation.kmods()).normalize());
        for (String spec : annotation.modules()) {
            if (spec.isBlank() || Character.isWhitespace(spec.charAt(0))) {
                throw new IllegalArgumentException("@KernelLabTest modules: '" + spec
                        + "' must start with a module name, as in \"my_module param=1\"");
            }
        }
        return new LabSettings(kernel, kmods, List.of(annotation.modules()),
                Duration.ofSeconds(annotation.timeoutSeconds()));
    }
}
