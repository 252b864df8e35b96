// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Who keeps a kernel module busy, for the message of a failed unload: its /proc/modules line (the
 * reference count), the modules that hold it, the processes with a kchan file open or mapped, and
 * the open netlink sockets on kchan's raw units. Best effort: it describes, it never throws.
 */
final class ModuleUsers {

    /** kchan_netlink's raw units are 23..31 (its raw_unit parameter). */
    private static final int FIRST_RAW_UNIT = 23;
    private static final int LAST_RAW_UNIT = 31;

    private ModuleUsers() {
    }

    static String describe(String module) {
        List<String> lines = new ArrayList<>();
        lines.add("/proc/modules: " + String.join(" | ", matching(Path.of("/proc/modules"), l -> l.startsWith(module + " "))));
        lines.add("holders: " + GuestShell.holders(module));
        lines.addAll(kchanFileUsers());
        lines.add("netlink sockets on raw units " + FIRST_RAW_UNIT + ".." + LAST_RAW_UNIT + ": "
                + matching(Path.of("/proc/net/netlink"), ModuleUsers::onRawUnit));
        return String.join("\n", lines);
    }

    /** "pid N (comm): fd -> /dev/kchan..." and "pid N (comm): maps ..." for every kchan file in use. */
    private static List<String> kchanFileUsers() {
        List<String> users = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                String who = "pid " + proc.getFileName() + " (" + read(proc.resolve("comm")).strip() + ")";
                try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
                    for (Path fd : fds.toList()) {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("/dev/kchan") || target.startsWith("/proc/kchan")) {
                            users.add(who + ": fd " + fd.getFileName() + " -> " + target);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    continue; // the process ended, or is not ours to look at
                }
                for (String map : matching(proc.resolve("maps"), l -> l.contains(" /dev/kchan") || l.contains(" /proc/kchan"))) {
                    users.add(who + ": maps " + map);
                }
            }
        } catch (IOException e) {
            users.add("cannot list /proc: " + e);
        }
        return users;
    }

    /** A /proc/net/netlink row (sk, Eth, Pid, ...) whose protocol is one of kchan's raw units. */
    private static boolean onRawUnit(String row) {
        String[] columns = row.trim().split("\\s+");
        if (columns.length < 2 || !columns[1].matches("\\d+")) {
            return false;
        }
        int protocol = Integer.parseInt(columns[1]);
        return protocol >= FIRST_RAW_UNIT && protocol <= LAST_RAW_UNIT;
    }

    private static List<String> matching(Path file, java.util.function.Predicate<String> wanted) {
        return read(file).lines().filter(wanted).toList();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
