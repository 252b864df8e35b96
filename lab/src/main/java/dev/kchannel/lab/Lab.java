// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * A kernel lab: boots a guest kernel, loads kernel modules, runs one command in the guest as root
 * and returns what came back. {@link KernelLab} drives {@code kchan-lab} on this machine;
 * {@link KernelLabContainer} runs the same lab inside a container, for machines that have Docker
 * and a JDK and nothing else.
 */
public interface Lab {

    /**
     * Boots the guest and runs {@code command} inside it.
     *
     * @param results an empty or absent folder, on a path the lab can also see; the guest writes
     *     output.log, status and dmesg.txt there
     * @param loadSpecs modules to insmod before the command, each "name [param=value ...]"
     * @param command the command and its arguments, run from the current directory's path
     * @param progress receives every line the lab and the guest print, as they come
     */
    LabRun run(Path results, List<String> loadSpecs, List<String> command, Consumer<String> progress)
            throws IOException, InterruptedException;
}
