// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The kernel memory the kchan modules hold, counted object by object, so a test can say "back to
 * its baseline" and name the allocation site that leaked when it is not.
 *
 * <p>The lab boots the guest with {@code slub_debug=FZPU}: the U records every slab object's
 * allocation stack, and debugfs lists the live objects per cache and stack in
 * {@code /sys/kernel/debug/slab/<cache>/alloc_traces}. An object whose stack passes through a
 * kchan module ({@code [kchan_...]}) is kchan's. Areas in {@code /proc/vmallocinfo} whose caller is
 * a kchan function (large values, the chardev ring) are counted beside them. Objects the kernel
 * allocates for a process on its own behalf (its sockets, its open files) have no kchan frame and
 * are not counted: they go with the process.
 *
 * <p>Reading alloc_traces walks every slab of a cache, about a second for all of them under TCG,
 * so waits poll once a second.
 */
final class KernelMemory {

    private static final Path DEBUGFS = Path.of("/sys/kernel/debug");
    private static final Path SLAB = DEBUGFS.resolve("slab");
    private static final Path VMALLOCINFO = Path.of("/proc/vmallocinfo");
    private static final String KCHAN_FRAME = "[kchan_";
    /**
     * Caches whose objects the kernel frees lazily, long after their owner let go: vfree() leaves
     * the area's vmap_area on a purge list until enough lazily freed pages add up. The areas
     * themselves are counted from /proc/vmallocinfo, which lists only live ones.
     */
    private static final Set<String> LAZILY_FREED = Set.of("vmap_area");
    /** "      12 kmalloc_trace+0x2a/0xb0 age=...": how many live objects share the stack below. */
    private static final Pattern TRACE_HEADER = Pattern.compile("^\\s*(\\d+) \\S");
    /** "kchan_store_set+0x5e/0x1d0 [kchan_core]", in a header or a frame line. */
    private static final Pattern KCHAN_SYMBOL = Pattern.compile("([\\w.]+)\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[(kchan_\\w+)\\]");

    /**
     * kchan's live objects at one moment.
     *
     * @param objects live slab objects allocated through kchan code
     * @param vmallocAreas vmalloc areas a kchan function asked for
     * @param bySite the same objects per "cache function [module]" (the innermost kchan frame), for
     *     the failure message
     */
    record Snapshot(long objects, long vmallocAreas, Map<String, Long> bySite) {

        long total() {
            return objects + vmallocAreas;
        }

        /** The sites holding more objects now than in {@code baseline}, with how many more. */
        Map<String, Long> grownSince(Snapshot baseline) {
            Map<String, Long> grown = new TreeMap<>();
            bySite.forEach((site, count) -> {
                long more = count - baseline.bySite.getOrDefault(site, 0L);
                if (more > 0) {
                    grown.put(site, more);
                }
            });
            return grown;
        }

        @Override
        public String toString() {
            return objects + " slab objects and " + vmallocAreas + " vmalloc areas allocated through kchan code";
        }
    }

    private KernelMemory() {
    }

    /** Counts kchan's live objects now; mounts debugfs first if needed. */
    static Snapshot snapshot() {
        mountDebugfs();
        if (!Files.isDirectory(SLAB)) {
            throw new IllegalStateException(SLAB + " is missing: the guest kernel needs CONFIG_SLUB_DEBUG and debugfs");
        }
        Map<String, Long> bySite = new TreeMap<>();
        long objects = 0;
        long traced = 0;
        try (Stream<Path> caches = Files.list(SLAB)) {
            for (Path cache : caches.sorted().toList()) {
                Path traces = cache.resolve("alloc_traces");
                if (!Files.isReadable(traces) || LAZILY_FREED.contains(cache.getFileName().toString())) {
                    continue;
                }
                traced++;
                objects += countKchanObjects(cache.getFileName().toString(), readLines(traces), bySite);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (traced == 0) {
            throw new IllegalStateException("no alloc_traces under " + SLAB
                    + ": boot the guest with slub_debug=U (the lab passes slub_debug=FZPU)");
        }
        long vmalloc = readLines(VMALLOCINFO).stream().filter(l -> l.contains(KCHAN_FRAME)).count();
        return new Snapshot(objects, vmalloc, bySite);
    }

    /**
     * Waits, up to {@code limit}, for kchan's memory to come back down to {@code baseline}: sockets
     * and files are freed after an RCU grace period or a work item, a little after the process
     * that held them is gone. Returns the last snapshot, back at the baseline or not; the caller
     * asserts.
     */
    private static Snapshot awaitBackTo(Snapshot baseline, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        Snapshot now = snapshot();
        while (now.total() > baseline.total() && System.nanoTime() < deadline) {
            sleepOneSecond();
            now = snapshot();
        }
        return now;
    }

    /**
     * Asserts that kchan's memory comes back down to {@code baseline} within {@code limit}, naming
     * the allocation sites that grew when it does not. On a KASAN kernel (the lab's debug kernel)
     * freed objects wait in KASAN's quarantine, still allocated as far as SLUB knows, for as long
     * as the quarantine has room, so the count says nothing there: kmemleak, asked before every
     * unload ({@link KmemleakCheck}), is the leak check on that kernel, and this says so and returns.
     *
     * @param what what ran, for the message
     */
    static void assertBackTo(Snapshot baseline, Duration limit, String what) {
        if (kasanQuarantine()) {
            System.out.printf("%s: KASAN kernel, freed objects sit in its quarantine: kmemleak checks for leaks"
                    + " before the modules unload%n", what);
            return;
        }
        Snapshot after = awaitBackTo(baseline, limit);
        System.out.printf("%s: kchan memory before %s, after %s%n", what, baseline, after);
        if (after.total() > baseline.total()) {
            throw new AssertionError("kchan's kernel memory after " + what + " (baseline " + baseline + ", now " + after
                    + "); grown: " + after.grownSince(baseline));
        }
    }

    private static Boolean kasan;

    /** Whether this kernel has KASAN, whose quarantine delays frees: its symbols are in kallsyms. */
    static synchronized boolean kasanQuarantine() {
        if (kasan == null) {
            try (Stream<String> symbols = Files.lines(Path.of("/proc/kallsyms"))) {
                kasan = symbols.anyMatch(line -> line.endsWith(" kasan_quarantine_put"));
            } catch (IOException e) {
                throw new UncheckedIOException("reading /proc/kallsyms", e);
            }
        }
        return kasan;
    }

    /** Sums the counts of the trace blocks with a kchan frame, and files them by site. */
    static long countKchanObjects(String cache, List<String> lines, Map<String, Long> bySite) {
        long total = 0;
        long count = 0;
        String site = null;
        for (String line : lines) {
            Matcher header = TRACE_HEADER.matcher(line);
            if (header.find()) {
                total += flush(cache, site, count, bySite);
                count = Long.parseLong(header.group(1));
                site = kchanSymbol(line);
            } else if (site == null) {
                site = kchanSymbol(line);
            }
        }
        return total + flush(cache, site, count, bySite);
    }

    /** The kchan function a trace line names, as "function [module]", or null. */
    private static String kchanSymbol(String line) {
        Matcher m = KCHAN_SYMBOL.matcher(line);
        return m.find() ? m.group(1) + " [" + m.group(2) + "]" : null;
    }

    private static long flush(String cache, String site, long count, Map<String, Long> bySite) {
        if (site == null || count == 0) {
            return 0;
        }
        bySite.merge(cache + " " + site, count, Long::sum);
        return count;
    }

    private static void mountDebugfs() {
        if (Files.isDirectory(SLAB)) {
            return;
        }
        GuestShell.Result r = GuestShell.run("mount", "-t", "debugfs", "debugfs", DEBUGFS.toString());
        if (!r.ok() && !Files.isDirectory(SLAB)) {
            throw new IllegalStateException("mount -t debugfs failed: " + r.output().strip());
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    private static void sleepOneSecond() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for kchan's memory to come back", e);
        }
    }
}
