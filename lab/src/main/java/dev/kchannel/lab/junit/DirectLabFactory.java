// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab.junit;

import dev.kchannel.lab.KernelLab;
import dev.kchannel.lab.Lab;
import dev.kchannel.lab.LabScript;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lab on this machine: {@link KernelLab} driving {@code kchan-lab} (qemu and a Debian kernel,
 * provisioned by the script when running as root on Debian). The default of
 * {@link KernelLabTest#lab()}.
 */
public final class DirectLabFactory implements LabFactory {

    @Override
    public Lab create(LabSettings settings) throws IOException {
        Path home = LabScript.labHome();
        KernelLab lab = new KernelLab(home, settings.kernelSeries(), settings.timeout());
        if (settings.kmods().isPresent()) {
            Path kmods = settings.kmods().get();
            if (!Files.isDirectory(kmods)) {
                throw new IOException("@KernelLabTest kmods: " + kmods + " is not a folder (working directory "
                        + Path.of("").toAbsolutePath() + "); name the folder of your module's Kbuild");
            }
            return lab.withKmods(kmods);
        }
        if (!LabScript.isCheckout(home)) {
            throw new IOException("@KernelLabTest needs kmods = \"<folder of your module's Kbuild>\" outside a"
                    + " kchannel checkout (the lab builds and loads the modules from there)");
        }
        return lab;
    }
}
