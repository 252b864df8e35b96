// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What the running kernel says about itself and its modules, read from /proc and /sys. */
class KernelInfo {

    /** A file the kernel should provide could not be read. */
    static final class UnreadableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnreadableException(Path path, IOException cause) {
            super("cannot read " + path + ": " + cause.getMessage(), cause);
        }
    }

    /** One line of /proc/modules. */
    record LoadedModule(String name, long sizeBytes, int users, String state) {
    }

    private final Path proc;
    private final Path sys;

    KernelInfo() {
        this(Path.of("/proc"), Path.of("/sys"));
    }

    KernelInfo(Path proc, Path sys) {
        this.proc = proc;
        this.sys = sys;
    }

    String release() {
        return read(proc.resolve("sys/kernel/osrelease")).strip();
    }

    String version() {
        return read(proc.resolve("version")).strip();
    }

    /** Loaded modules whose names start with {@code prefix}, in name order. */
    List<LoadedModule> modules(String prefix) {
        List<LoadedModule> found = new ArrayList<>();
        for (String line : read(proc.resolve("modules")).split("\n")) {
            String[] f = line.split(" ");
            if (f.length >= 5 && f[0].startsWith(prefix)) {
                found.add(new LoadedModule(f[0], Long.parseLong(f[1]), Integer.parseInt(f[2]), f[4]));
            }
        }
        found.sort((a, b) -> a.name().compareTo(b.name()));
        return found;
    }

    /** /sys/module/NAME/parameters, name to value; empty when the module has none. */
    Map<String, String> parameters(String module) {
        Path dir = sys.resolve("module").resolve(module).resolve("parameters");
        Map<String, String> params = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return params;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                params.put(p.getFileName().toString(), read(p).strip());
            }
        } catch (IOException e) {
            throw new UnreadableException(dir, e);
        }
        return params;
    }

    /**
     * The kernel log through dmesg(1), which reads /dev/kmsg the same way on every kernel; empty
     * when it is not readable (e.g. kernel.dmesg_restrict for a non-root user).
     */
    List<String> kernelLog() {
        try {
            Process dmesg = new ProcessBuilder("dmesg").redirectErrorStream(true).start();
            dmesg.getOutputStream().close();
            String text = new String(dmesg.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return dmesg.waitFor() == 0 ? text.lines().toList() : List.of();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UnreadableException(path, e);
        }
    }
}
