// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab.junit;

import dev.kchannel.lab.HostLab;
import dev.kchannel.lab.Lab;
import dev.kchannel.lab.LabScript;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Host mode, opt-in ({@code -Dkchannel.lab.factory=dev.kchannel.lab.junit.HostLabFactory}): the
 * class's modules are built for and loaded into this machine's own kernel from a privileged
 * container, and the class runs on this machine ({@link HostLab}). The container image, any local
 * image with kmod and dmesg, is named by {@code kchannel.lab.host-image}.
 */
public final class HostLabFactory implements LabFactory {

    /** The system property naming the image that loads the modules. */
    public static final String IMAGE_PROPERTY = "kchannel.lab.host-image";

    @Override
    public Lab create(LabSettings settings) throws IOException {
        String image = System.getProperty(IMAGE_PROPERTY, "");
        if (image.isBlank()) {
            throw new IOException("host mode needs -D" + IMAGE_PROPERTY + "=<a local image with kmod and dmesg>,"
                    + " for example the kernel lab's image (lab/README.md)");
        }
        Path kmods = settings.kmods().orElse(LabScript.labHome().resolve("kmods"));
        return new HostLab(kmods, image, settings.timeout());
    }
}
