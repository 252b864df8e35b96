// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.lab;

import dev.kchannel.lab.KernelLab;
import dev.kchannel.lab.KernelLabContainer;
import dev.kchannel.lab.LabImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * The kernel lab through Testcontainers: the lab image is built here from Debian's packages (and
 * Docker set up, as root on Debian, when no engine answers), a {@link KernelLabContainer} starts
 * from it, and the guest test classes of {@code kchannel.it.container-classes} (by default one
 * transport's contract suite) run in the guest inside it, reported back one by one exactly as
 * {@link LabGuestTestsIT} does for the lab on this machine. No Docker means a failure, never a
 * skip: CI must show that the container lab works.
 */
class ContainerLabGuestTestsIT {

    /** What CI runs through the container: the procfs transport's whole contract suite. */
    private static final String DEFAULT_CLASSES = "ProcfsContractGuestTest";

    @TestFactory
    Stream<DynamicNode> guestTestsInTheContainerLab() throws IOException, InterruptedException {
        Path repo = Path.of(LabGuestTestsIT.required("kchannel.repo")).toRealPath();
        String kernel = System.getProperty("kchannel.lab.kernel", "6.1");
        String image = LabImage.ensure(repo, kernel, line -> System.out.println("[container lab] " + line));
        KernelLab settings = new KernelLab(repo, kernel, Duration.ofSeconds(Long.getLong("kchannel.lab.timeout", 1800)));
        try (KernelLabContainer container = new KernelLabContainer(image, settings)) {
            container.start();
            System.out.println("[container lab] container " + container.getContainerId().substring(0, 12) + " from "
                    + image + ", mode " + container.mode());
            // The guest runs the container's JRE, found on its PATH: this JVM's java.home is a path
            // of this machine, not of the image.
            return LabGuestTestsIT.runInGuest(container, "java", "container-guest-tests",
                    System.getProperty("kchannel.it.container-classes", DEFAULT_CLASSES)).toList().stream();
        }
    }
}
