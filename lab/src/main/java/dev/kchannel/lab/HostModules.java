// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Loads modules into the host's own kernel from a privileged container: a container shares the
 * host kernel, and with every capability its {@code insmod} is the host's. The module directory
 * is mounted read-only at the same path; closing stops the container (not the modules: unload
 * them first).
 */
final class HostModules implements AutoCloseable {

    private final Path kmodsDir;
    private final GenericContainer<?> container;

    HostModules(String image, Path kmodsDir) {
        this.kmodsDir = kmodsDir;
        this.container = new GenericContainer<>(DockerImageName.parse(image))
                .withPrivilegedMode(true)
                .withFileSystemBind(kmodsDir.toString(), kmodsDir.toString(), BindMode.READ_ONLY)
                .withCommand("sleep", "infinity");
        container.start();
    }

    /**
     * Loads "name [param=value ...]" from the module directory.
     *
     * @return the module's name, for {@link #unload}
     */
    String load(String spec) throws IOException, InterruptedException {
        List<String> words = Arrays.asList(spec.trim().split("\\s+"));
        String name = words.get(0);
        List<String> argv = new ArrayList<>(List.of("insmod", kmodsDir.resolve(name + ".ko").toString()));
        argv.addAll(words.subList(1, words.size()));
        exec(argv);
        return name;
    }

    void unload(String name) throws IOException, InterruptedException {
        exec(List.of("rmmod", name));
    }

    /** The host kernel's log. */
    List<String> dmesg() throws IOException, InterruptedException {
        return exec(List.of("dmesg")).lines().toList();
    }

    private String exec(List<String> argv) throws IOException, InterruptedException {
        ExecResult r = container.execInContainer(argv.toArray(String[]::new));
        if (r.getExitCode() != 0) {
            throw new IOException(String.join(" ", argv) + " in the privileged container failed (" + r.getExitCode()
                    + "): " + (r.getStderr() + r.getStdout()).strip());
        }
        return r.getStdout();
    }

    @Override
    public void close() {
        container.stop();
    }
}
