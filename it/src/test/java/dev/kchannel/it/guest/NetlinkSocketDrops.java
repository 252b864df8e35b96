// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The kernel's own count of messages it could not queue on this process's netlink sockets of one
 * protocol: the "Drops" column of /proc/net/netlink (sk_drops, raised by netlink_overrun), summed
 * over the sockets this process holds open. A Generic Netlink multicast that finds a subscriber's
 * receive queue full is dropped there, outside kchan_core, so kchan_core's DROPPED does not count
 * it but this does.
 */
final class NetlinkSocketDrops {

    /** NETLINK_GENERIC. */
    static final int GENERIC = 16;

    private static final Path NETLINK = Path.of("/proc/net/netlink");
    private static final Pattern SOCKET_LINK = Pattern.compile("socket:\\[(\\d+)]");

    private NetlinkSocketDrops() {
    }

    /** Drops counted on the open sockets of {@code protocol} this process holds. */
    static long ofThisProcess(int protocol) {
        Set<String> inodes = socketInodes();
        List<String> lines = readLines(NETLINK);
        List<String> header = Arrays.asList(lines.get(0).trim().split("\\s+"));
        int eth = column(header, "Eth");
        int drops = column(header, "Drops");
        int inode = column(header, "Inode");
        long total = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.trim().split("\\s+");
            if (Integer.parseInt(fields[eth]) == protocol && inodes.contains(fields[inode])) {
                total += Long.parseLong(fields[drops]);
            }
        }
        return total;
    }

    private static int column(List<String> header, String name) {
        int index = header.indexOf(name);
        if (index < 0) {
            throw new IllegalStateException(NETLINK + " has no column " + name + ": " + header);
        }
        return index;
    }

    private static Set<String> socketInodes() {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    Matcher m = SOCKET_LINK.matcher(Files.readSymbolicLink(fd).toString());
                    if (m.matches()) {
                        inodes.add(m.group(1));
                    }
                } catch (IOException closedMeanwhile) {
                    // An fd closed between the listing and the read is no socket of ours any more.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return inodes;
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }
}
