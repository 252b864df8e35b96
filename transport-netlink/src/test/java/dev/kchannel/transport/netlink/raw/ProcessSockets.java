// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The netlink sockets this process holds, as the kernel lists them: the inodes of the
 * {@code socket:[N]} links in {@code /proc/self/fd}, matched against {@code /proc/self/net/netlink}
 * (columns sk, Eth = protocol unit, Pid, Groups, Rmem, Wmem, Dump, Locks, Drops, Inode).
 */
public final class ProcessSockets {

    private ProcessSockets() {
    }

    /** How many netlink sockets on {@code protocol} this process has open now. */
    public static int netlink(int protocol) {
        Set<String> inodes = socketInodes();
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/net/netlink"));
            int count = 0;
            for (String line : lines.subList(1, lines.size())) {
                String[] columns = line.trim().split("\\s+");
                if (Integer.parseInt(columns[1]) == protocol && inodes.contains(columns[columns.length - 1])) {
                    count++;
                }
            }
            return count;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Set<String> socketInodes() {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // The descriptor was closed between the listing and the read.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return inodes;
    }
}
