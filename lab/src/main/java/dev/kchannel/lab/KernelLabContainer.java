// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Device;
import com.github.dockerjava.api.model.Frame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The kernel lab inside a Testcontainers container: the image ({@link LabImage}) holds qemu, the
 * Debian kernel with its headers, a JRE, kmod and busybox, and the container runs the same
 * {@code kchan-lab run} as {@link KernelLab}, so a machine needs nothing but Docker and a JDK.
 *
 * <p>The project and the Maven repository are mounted at the paths they have here, so the built
 * jars, test classes and modules, and the results folder the guest writes, are the same files on
 * both sides. The container runs {@code --privileged} where the engine allows it; where that is
 * refused (an engine whose own capability bounding set lacks CAP_SYS_RESOURCE says "unable to
 * apply caps") it runs with every capability but that one, seccomp and AppArmor unconfined, which
 * is all the lab needs. A log line says which mode it used.
 */
public final class KernelLabContainer extends GenericContainer<KernelLabContainer> implements Lab {

    private static final Logger LOG = LoggerFactory.getLogger(KernelLabContainer.class);
    private static final Path KVM = Path.of("/dev/kvm");
    private static final String RYUK_IMAGE = "testcontainers/ryuk";

    /** How the container got the rights qemu and the lab need. */
    public enum Mode {
        PRIVILEGED,
        ALL_CAPABILITIES_BUT_SYS_RESOURCE
    }

    private final KernelLab lab;
    private final Map<Path, BindMode> shared = new LinkedHashMap<>();
    private Mode mode = Mode.PRIVILEGED;

    /**
     * @param image the lab image's tag ({@link LabImage#ensure})
     * @param lab the run's settings (home of the script, kernel series, time limit, module folder)
     */
    public KernelLabContainer(String image, KernelLab lab) {
        super(DockerImageName.parse(image));
        this.lab = lab;
        withCommand("sleep", "infinity");
        share(lab.home(), BindMode.READ_WRITE);
        Path m2 = Path.of(System.getProperty("user.home"), ".m2", "repository");
        if (Files.isDirectory(m2)) {
            share(m2, BindMode.READ_ONLY);
        }
    }

    /** Also shows {@code path} to the container (and so to the guest) at the same path. */
    public KernelLabContainer share(Path path, BindMode bindMode) {
        Path absolute = path.toAbsolutePath().normalize();
        shared.put(absolute, bindMode);
        withFileSystemBind(absolute.toString(), absolute.toString(), bindMode);
        return this;
    }

    /** The mode {@link #start()} ended up with. */
    public Mode mode() {
        return mode;
    }

    @Override
    public void start() {
        requireNoRyukPull();
        try {
            applyMode(Mode.PRIVILEGED);
            super.start();
        } catch (RuntimeException e) {
            if (!ModeFallback.privilegedWasRefused(e)) {
                throw e;
            }
            LOG.warn("the Docker engine refused --privileged ({}); starting the kernel lab container with every"
                    + " capability but SYS_RESOURCE, seccomp and AppArmor unconfined", ModeFallback.rootMessage(e));
            applyMode(Mode.ALL_CAPABILITIES_BUT_SYS_RESOURCE);
            super.start();
        }
        LOG.info("kernel lab container {} started {} from {}", getContainerId().substring(0, 12),
                mode == Mode.PRIVILEGED ? "privileged" : "with all capabilities but SYS_RESOURCE", getDockerImageName());
    }

    /**
     * Ryuk, Testcontainers' reaper, is an image of its own: where it would have to be pulled and no
     * registry answers, Testcontainers retries for minutes. Say at once what to set instead.
     */
    private void requireNoRyukPull() {
        if ("true".equalsIgnoreCase(System.getenv("TESTCONTAINERS_RYUK_DISABLED"))) {
            return;
        }
        boolean ryukIsLocal = getDockerClient().listImagesCmd().exec().stream()
                .anyMatch(i -> i.getRepoTags() != null
                        && java.util.Arrays.stream(i.getRepoTags()).anyMatch(t -> t.startsWith(RYUK_IMAGE)));
        if (!ryukIsLocal) {
            throw new IllegalStateException("Testcontainers would pull its Ryuk image (" + RYUK_IMAGE
                    + ") before the kernel lab container, and it is not on this machine: set the environment"
                    + " variable TESTCONTAINERS_RYUK_DISABLED=true (and TESTCONTAINERS_CHECKS_DISABLE=true) for the"
                    + " tests, as it/pom.xml does for failsafe");
        }
    }

    private void applyMode(Mode wanted) {
        mode = wanted;
        boolean privileged = wanted == Mode.PRIVILEGED;
        withPrivilegedMode(privileged);
        withCreateContainerCmdModifier(cmd -> {
            var host = cmd.getHostConfig();
            if (privileged) {
                host.withCapAdd().withCapDrop().withSecurityOpts(List.of());
            } else {
                host.withCapAdd(Capability.ALL).withCapDrop(Capability.SYS_RESOURCE)
                        .withSecurityOpts(List.of("seccomp=unconfined", "apparmor=unconfined"));
                if (Files.exists(KVM)) {
                    host.withDevices(Device.parse(KVM + ":" + KVM));
                }
            }
        });
    }

    @Override
    public LabRun run(Path results, List<String> loadSpecs, List<String> command, Consumer<String> progress)
            throws IOException, InterruptedException {
        Path absolute = results.toAbsolutePath().normalize();
        requireShared(absolute, "the results folder");
        Files.createDirectories(absolute);
        long started = System.nanoTime();
        int status = exec(lab.scriptArguments(absolute, loadSpecs, command), workingDirectory(), progress);
        return new LabRun(status, absolute, Duration.ofNanos(System.nanoTime() - started));
    }

    /** This JVM's working directory when the container shares it, else the script's home. */
    private String workingDirectory() {
        Path cwd = Path.of("").toAbsolutePath();
        return shared.keySet().stream().anyMatch(cwd::startsWith) ? cwd.toString() : lab.home().toString();
    }

    private void requireShared(Path path, String what) throws IOException {
        boolean writable = shared.entrySet().stream()
                .anyMatch(e -> path.startsWith(e.getKey()) && e.getValue() == BindMode.READ_WRITE);
        if (!writable) {
            throw new IOException(what + " " + path + " is not under a folder the container shares read-write ("
                    + shared.keySet() + "); use share(path, BindMode.READ_WRITE) before start()");
        }
    }

    /** Runs {@code argv} in the container, its output line by line to {@code progress}; its exit status. */
    private int exec(List<String> argv, String workingDir, Consumer<String> progress)
            throws IOException, InterruptedException {
        DockerClient docker = getDockerClient();
        String id = docker.execCreateCmd(getContainerId()).withCmd(argv.toArray(String[]::new))
                .withWorkingDir(workingDir).withAttachStdout(true).withAttachStderr(true).exec().getId();
        LineSplitter lines = new LineSplitter(line -> progress.accept(KernelLab.stripTerminalControls(line)));
        try (ResultCallback.Adapter<Frame> callback = docker.execStartCmd(id).exec(new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                lines.accept(frame.getPayload());
            }
        })) {
            if (!callback.awaitCompletion(lab.timeout().toSeconds() + 600, TimeUnit.SECONDS)) {
                throw new IOException("kchan-lab in the container did not finish within " + lab.timeout().plusMinutes(10));
            }
        }
        lines.flush();
        Long exit = docker.inspectExecCmd(id).exec().getExitCodeLong();
        if (exit == null) {
            throw new IOException("the Docker engine reported no exit status for " + String.join(" ", argv));
        }
        return exit.intValue();
    }

    /** Bytes as they come, lines as they end. */
    private static final class LineSplitter {
        private final Consumer<String> sink;
        private final StringBuilder pending = new StringBuilder();

        LineSplitter(Consumer<String> sink) {
            this.sink = sink;
        }

        synchronized void accept(byte[] bytes) {
            pending.append(new String(bytes, StandardCharsets.UTF_8));
            int newline;
            while ((newline = pending.indexOf("\n")) >= 0) {
                sink.accept(pending.substring(0, newline));
                pending.delete(0, newline + 1);
            }
        }

        synchronized void flush() {
            if (!pending.isEmpty()) {
                sink.accept(pending.toString());
                pending.setLength(0);
            }
        }
    }

    /** Paths the container shares, for messages and tests. */
    List<Path> sharedPaths() {
        return new ArrayList<>(shared.keySet());
    }
}
