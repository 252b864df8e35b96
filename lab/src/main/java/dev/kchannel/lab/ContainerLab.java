// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.testcontainers.containers.BindMode;

/**
 * One {@link KernelLabContainer} per run, sharing everything a command from this JVM refers to:
 * the lab's home, the module folder, the working directory and the results folder (read-write),
 * this JVM's {@code java.home} and every class path entry (read-only), each at its own path. The
 * container is stopped when the run ends, so nothing outlives it.
 */
public final class ContainerLab implements Lab {

    private final String image;
    private final KernelLab lab;
    private final List<Path> readWrite;

    /**
     * @param image the lab image's tag ({@link LabImage#ensure})
     * @param lab the run's settings
     * @param readWrite more folders the command writes into (a module folder, say)
     */
    public ContainerLab(String image, KernelLab lab, List<Path> readWrite) {
        this.image = image;
        this.lab = lab;
        this.readWrite = List.copyOf(readWrite);
    }

    @Override
    public LabRun run(Path results, List<String> loadSpecs, List<String> command, Consumer<String> progress)
            throws IOException, InterruptedException {
        Files.createDirectories(results);
        try (KernelLabContainer container = new KernelLabContainer(image, lab)) {
            for (Path path : writableFolders(results)) {
                if (container.sharedPaths().stream().noneMatch(path::startsWith)) {
                    container.share(path, BindMode.READ_WRITE);
                }
            }
            for (Path path : readOnlyPaths(container.sharedPaths())) {
                container.share(path, BindMode.READ_ONLY);
            }
            container.start();
            progress.accept("container lab: " + container.getContainerId().substring(0, 12) + " from " + image
                    + ", mode " + container.mode());
            return container.run(results, loadSpecs, command, progress);
        }
    }

    private List<Path> writableFolders(Path results) {
        List<Path> folders = new ArrayList<>(readWrite);
        folders.add(Path.of("").toAbsolutePath());
        folders.add(results.toAbsolutePath());
        return folders.stream().map(Path::normalize).distinct().toList();
    }

    /** java.home and the class path entries that no shared folder already covers. */
    private static List<Path> readOnlyPaths(List<Path> shared) {
        List<Path> paths = new ArrayList<>();
        paths.add(Path.of(System.getProperty("java.home")));
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!entry.isBlank() && Files.exists(Path.of(entry))) {
                paths.add(Path.of(entry).toAbsolutePath().normalize());
            }
        }
        return paths.stream().filter(p -> shared.stream().noneMatch(p::startsWith)).distinct().toList();
    }
}
