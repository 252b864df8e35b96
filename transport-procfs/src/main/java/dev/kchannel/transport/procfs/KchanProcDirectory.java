// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs;

import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.ListEntry;
import dev.kchannel.transport.procfs.raw.OpenFlag;
import dev.kchannel.transport.procfs.raw.ProcFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * kchan_procfs's directory ({@code /proc/kchan} unless {@code kchannel.procfs.dir} says
 * otherwise) and what is in it, through the raw layer: the text views {@code store} and
 * {@code stats} read whole and parsed, and any of its files opened for direct use. Reached from a
 * channel with {@code channel.unwrap(KchanProcDirectory.class)}, or built for any directory.
 * Holds nothing open; thread-safe.
 */
public final class KchanProcDirectory {

    private final Path dir;

    /** The directory at {@code dir}, which need not exist yet. */
    public KchanProcDirectory(Path dir) {
        this.dir = Objects.requireNonNull(dir, "dir");
    }

    /** The directory. */
    public Path dir() {
        return dir;
    }

    /** {@code call}: one kchan request per write, its reply by read on the same open file (0600). */
    public Path callFile() {
        return dir.resolve(KchanProtocol.PROC_CALL);
    }

    /** {@code events}: read and poll this open file's event subscriber (0600, CAP_NET_ADMIN). */
    public Path eventsFile() {
        return dir.resolve(KchanProtocol.PROC_EVENTS);
    }

    /** {@code store}: every store entry as a text line, in key order (0444). */
    public Path storeFile() {
        return dir.resolve(KchanProtocol.PROC_STORE);
    }

    /** {@code stats}: the counters as text lines (0444). */
    public Path statsFile() {
        return dir.resolve(KchanProtocol.PROC_STATS);
    }

    /** The bytes of {@code store}, read whole however many entries it lists. */
    public byte[] readStoreText() {
        return ProcFile.readAllBytes(storeFile());
    }

    /** Every store entry, read from {@code store} and unescaped ({@link StoreListing}). */
    public List<ListEntry> readStore() {
        return StoreListing.parse(readStoreText());
    }

    /** The counters of {@code stats} by name ({@link StatsListing}); reading them counts nothing. */
    public Map<String, Long> readStats() {
        return StatsListing.parse(ProcFile.readAllBytes(statsFile()));
    }

    /**
     * Opens {@code entry} ({@code call}, {@code events}, ...) of this directory with the raw
     * layer; the caller owns the file. A {@code call} file opened so speaks the kchan protocol
     * with whatever bytes the caller writes: for testing the kernel side, or tools.
     */
    public ProcFile open(String entry, OpenFlag... flags) {
        Path file = dir.resolve(entry).normalize();
        if (!dir.equals(file.getParent())) {
            throw new IllegalArgumentException("'" + entry + "' is not an entry of " + dir);
        }
        return ProcFile.open(file, flags);
    }

    @Override
    public String toString() {
        return "KchanProcDirectory[" + dir + "]";
    }
}
