// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab.junit;

import dev.kchannel.lab.ContainerLab;
import dev.kchannel.lab.KernelLab;
import dev.kchannel.lab.Lab;
import dev.kchannel.lab.LabImage;
import dev.kchannel.lab.LabScript;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The container lab for {@link KernelLabTest} classes ({@code @KernelLabTest(lab =
 * ContainerLabFactory.class)} or {@code -Dkchannel.lab.factory=dev.kchannel.lab.junit.ContainerLabFactory}):
 * a machine with Docker and a JDK needs nothing else. The image is built on first use; the
 * environment needs {@code TESTCONTAINERS_RYUK_DISABLED=true} where no registry answers.
 */
public final class ContainerLabFactory implements LabFactory {

    @Override
    public Lab create(LabSettings settings) throws IOException {
        Path home = LabScript.labHome();
        KernelLab lab = new KernelLab(home, settings.kernelSeries(), settings.timeout());
        if (settings.kmods().isPresent()) {
            lab = lab.withKmods(settings.kmods().get());
        }
        try {
            String image = LabImage.ensure(home, settings.kernelSeries(), line -> System.out.println("[kernel lab] " + line));
            return new ContainerLab(image, lab, settings.kmods().map(List::of).orElse(List.of()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while building the kernel lab image", e);
        }
    }
}
