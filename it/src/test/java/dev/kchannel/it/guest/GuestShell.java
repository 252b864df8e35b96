// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Small helpers for tests running as root inside the lab guest: run a program, load and unload the
 * project's kernel modules, read the kernel log and /sys/module.
 */
final class GuestShell {

    /** What a finished program returned. */
    record Result(int status, String output) {
        boolean ok() {
            return status == 0;
        }

        /**
         * Whether a failed rmmod says its module was in use, in either of its two ways: kmod reads
         * the reference count first and prints "is in use"; a reference taken between that read
         * and delete_module makes the kernel itself refuse with EAGAIN, which rmmod prints as
         * "Resource temporarily unavailable".
         */
        boolean refusedAsInUse() {
            return !ok() && (output.contains("is in use") || output.contains("Resource temporarily unavailable"));
        }
    }

    private GuestShell() {
    }

    static Result run(String... argv) {
        return run(Duration.ofSeconds(120), argv);
    }

    /**
     * Runs {@code argv} to its end; a program still running after {@code limit} is killed and the
     * call fails, naming it. The output is read on a thread of its own so that a program that
     * hangs cannot hang the test past the limit.
     */
    static Result run(Duration limit, String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            p.getOutputStream().close();
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(p), GuestShell::daemonThread);
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + " did not finish in " + limit.toSeconds()
                        + " s and was killed");
            }
            String out = output.join();
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void daemonThread(Runnable task) {
        Thread thread = new Thread(task, "guest-shell-output");
        thread.setDaemon(true);
        thread.start();
    }

    private static String readAll(Process p) {
        try {
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path kmodsDir() {
        String repo = System.getProperty("kchannel.repo");
        if (repo == null) {
            throw new IllegalStateException("kchannel.repo is not set: guest tests run through LabGuestTestsIT");
        }
        return Path.of(repo, "kmods");
    }

    /** Every kernel module the project built, kchan_core first (the others need its symbols). */
    static List<String> builtModules() {
        try (Stream<Path> files = Files.list(kmodsDir())) {
            List<String> names = new ArrayList<>(files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".ko")).map(n -> n.substring(0, n.length() - 3)).sorted().toList());
            if (names.remove("kchan_core")) {
                names.add(0, "kchan_core");
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Result insmod(String module, String... params) {
        List<String> argv = new ArrayList<>(List.of("insmod", kmodsDir().resolve(module + ".ko").toString()));
        argv.addAll(List.of(params));
        return run(argv.toArray(String[]::new));
    }

    static Result rmmod(String module) {
        return run("rmmod", module);
    }

    /**
     * delete_module({@code module}, O_NONBLOCK) called directly, as rmmod would, printing "OK" or
     * the errno's name: kmod's rmmod checks the reference count itself and prints "is in use"
     * without saying what the kernel would answer, which a test may want to assert.
     */
    static Result deleteModuleNonBlocking(String module) {
        return run("python3", "-c", DELETE_MODULE_PY, module);
    }

    /** x86_64's delete_module is system call 176. */
    private static final String DELETE_MODULE_PY = String.join("\n",
            "import ctypes, errno, os, sys",
            "libc = ctypes.CDLL(None, use_errno=True)",
            "rc = libc.syscall(176, sys.argv[1].encode(), os.O_NONBLOCK)",
            "print('OK' if rc == 0 else errno.errorcode[ctypes.get_errno()])");

    static boolean isLoaded(String module) {
        try {
            return Files.readAllLines(Path.of("/proc/modules")).stream()
                    .anyMatch(l -> l.startsWith(module + " "));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** kchan_core and the netlink transport's module, in load order. */
    static final List<String> NETLINK_MODULES = List.of("kchan_core", "kchan_netlink");

    /** kchan_core and the procfs transport's module, in load order. */
    static final List<String> PROCFS_MODULES = List.of("kchan_core", "kchan_procfs");

    /** kchan_core and the sockopt transport's module, in load order. */
    static final List<String> SOCKOPT_MODULES = List.of("kchan_core", "kchan_sockopt");

    /** kchan_core and the chardev transport's module, in load order. */
    static final List<String> CHARDEV_MODULES = List.of("kchan_core", "kchan_chardev");

    /** Loads, in order, each of {@code modules} that is not loaded yet; a failed insmod fails the caller. */
    static void loadMissing(List<String> modules) {
        for (String module : modules) {
            if (!isLoaded(module)) {
                Result loaded = insmod(module);
                if (!loaded.ok()) {
                    throw new AssertionError("insmod " + module + ": " + loaded.output());
                }
            }
        }
    }

    /**
     * Unloads the given modules in reverse order if loaded, so one test never leaks into the next.
     * Modules that hold one of them (another transport left loaded) go first. A module that stays
     * loaded fails the caller, naming who still uses it, so a leak is reported by the class that
     * leaked and not by whichever class next needs a fresh load. On the debug kernel kmemleak is
     * asked first ({@link KmemleakCheck}).
     */
    static void unloadAll(List<String> modules) {
        if (modules.stream().anyMatch(GuestShell::isLoaded)) {
            KmemleakCheck.beforeUnload();
        }
        for (int i = modules.size() - 1; i >= 0; i--) {
            unload(modules.get(i));
        }
    }

    private static void unload(String module) {
        if (!isLoaded(module)) {
            return;
        }
        holders(module).forEach(GuestShell::unload);
        // A netlink socket on a module's unit drops its module reference from a work item after
        // close (netlink_sock_destruct_work), so a module whose sockets were just closed can be
        // busy for a moment: try again for a while.
        long deadline = System.nanoTime() + UNLOAD_PATIENCE_NANOS;
        Result removed = rmmod(module);
        while (!removed.ok() && isLoaded(module)) {
            if (System.nanoTime() >= deadline) {
                throw new AssertionError("rmmod " + module + " still fails after "
                        + UNLOAD_PATIENCE_NANOS / 1_000_000_000L + " s: " + removed.output().strip()
                        + "\n" + ModuleUsers.describe(module));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while unloading " + module, e);
            }
            removed = rmmod(module);
        }
    }

    /** The loaded modules that use {@code module} (/sys/module/NAME/holders). */
    static List<String> holders(String module) {
        Path dir = Path.of("/sys/module", module, "holders");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> names = Files.list(dir)) {
            return names.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How long {@link #unloadAll} retries a busy module. */
    private static final long UNLOAD_PATIENCE_NANOS = 10_000_000_000L;

    /** /sys/module/NAME/parameters as name to value. */
    static Map<String, String> parameters(String module) {
        Path dir = Path.of("/sys/module", module, "parameters");
        Map<String, String> params = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                params.put(p.getFileName().toString(), Files.readString(p).strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return params;
    }

    /** The kernel log so far; tests compare what was added between two reads. */
    static List<String> dmesg() {
        Result r = run("dmesg");
        if (!r.ok()) {
            throw new IllegalStateException("dmesg failed: " + r.output());
        }
        return r.output().lines().toList();
    }

    static List<String> dmesgSince(List<String> before) {
        List<String> now = dmesg();
        return now.subList(Math.min(before.size(), now.size()), now.size());
    }

    /** The java binary of this JVM, for child JVMs. */
    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * This JVM's classpath copied under /tmp/kchan-nobody-N, readable by everyone, for a child JVM
     * run as user nobody: the jars come from /root/.m2, which nobody cannot read. Closing it
     * deletes the copy.
     *
     * @param dir the copy
     * @param classpath the copy's entries, joined as a class path
     */
    record ReadableClasspath(Path dir, String classpath) implements AutoCloseable {
        @Override
        public void close() {
            if (!dir.toString().startsWith(NOBODY_COPY_PREFIX)) {
                return;
            }
            try (Stream<Path> tree = Files.walk(dir)) {
                for (Path p : tree.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final String NOBODY_COPY_PREFIX = "/tmp/kchan-nobody-";

    static ReadableClasspath readableClasspath() throws IOException {
        Path copy = Files.createDirectories(Path.of(NOBODY_COPY_PREFIX + System.nanoTime()));
        Path dir = Files.createDirectories(copy.resolve("cp"));
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path source = Path.of(entry);
            if (!Files.exists(source)) {
                continue;
            }
            Path target = dir.resolve(n++ + "-" + source.getFileName());
            if (Files.isDirectory(source)) {
                try (Stream<Path> tree = Files.walk(source)) {
                    for (Path p : tree.toList()) {
                        Path to = target.resolve(source.relativize(p).toString());
                        if (Files.isDirectory(p)) {
                            Files.createDirectories(to);
                        } else {
                            Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            } else {
                Files.copy(source, target);
            }
            entries.add(target.toString());
        }
        try (Stream<Path> tree = Files.walk(copy)) {
            for (Path p : tree.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return new ReadableClasspath(copy, String.join(File.pathSeparator, entries));
    }
}
