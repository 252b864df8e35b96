// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import dev.kchannel.api.error.Errno;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.MessageCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * kchan_procfs's files spoken with plain java.nio, deliberately not through the transport-procfs
 * SDK, so that guest tests see exactly what the kernel module does: one write(2) per
 * {@link FileChannel#write}, one read(2) per {@link FileChannel#read}, and the errno of a failed
 * call in the {@link IOException} the JDK makes of it.
 */
final class ProcfsFiles {

    static final Path DIR = Path.of("/proc", KchanProtocol.PROC_DIR);
    static final Path CALL = DIR.resolve(KchanProtocol.PROC_CALL);
    static final Path EVENTS = DIR.resolve(KchanProtocol.PROC_EVENTS);
    static final Path STORE = DIR.resolve(KchanProtocol.PROC_STORE);
    static final Path STATS = DIR.resolve(KchanProtocol.PROC_STATS);

    /** A read buffer larger than any reply or event (the largest is 65,616 bytes). */
    static final int BIG_READ = 1 << 17;

    private ProcfsFiles() {
    }

    static FileChannel openCall() throws IOException {
        return FileChannel.open(CALL, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    static FileChannel openEvents() throws IOException {
        return FileChannel.open(EVENTS, StandardOpenOption.READ);
    }

    /** Writes {@code bytes} in one write(2), which must take them all. */
    static void write(FileChannel file, byte[] bytes) throws IOException {
        int written = file.write(ByteBuffer.wrap(bytes));
        if (written != bytes.length) {
            throw new IllegalStateException("write(2) took " + written + " of " + bytes.length + " bytes");
        }
    }

    /** Reads with {@code chunk}-byte read(2) calls until one returns 0 (end of file). */
    static byte[] readToEof(FileChannel file, int chunk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(chunk);
        while (true) {
            buffer.clear();
            int n = file.read(buffer);
            if (n < 0) {
                return out.toByteArray();
            }
            out.write(buffer.array(), 0, n);
        }
    }

    /** One request written whole, its reply read until end of file. */
    static KchanMessage call(FileChannel file, KchanMessage request) throws IOException {
        write(file, MessageCodec.toByteArray(request));
        return MessageCodec.decode(readToEof(file, BIG_READ));
    }

    /** /proc/kchan/stats as name to number, in the file's order. */
    static Map<String, Long> stats() throws IOException {
        Map<String, Long> stats = new LinkedHashMap<>();
        for (String line : Files.readAllLines(STATS)) {
            String[] fields = line.split("\t", -1);
            if (fields.length != 2 || !fields[1].matches("[0-9]+")) {
                throw new IllegalStateException("not a name<TAB>number line in " + STATS + ": '" + line + "'");
            }
            if (stats.put(fields[0], Long.parseLong(fields[1])) != null) {
                throw new IllegalStateException("twice in " + STATS + ": " + fields[0]);
            }
        }
        return stats;
    }

    /**
     * The errno behind a failed file operation: the JDK reports it as the C library's text
     * ({@code strerror}), or as {@link AccessDeniedException} and {@link NoSuchFileException}
     * when opening.
     */
    static Errno errno(IOException e) {
        if (e instanceof AccessDeniedException) {
            return Errno.EACCES;
        }
        if (e instanceof NoSuchFileException) {
            return Errno.ENOENT;
        }
        String text = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
        for (Errno errno : Errno.values()) {
            if (Objects.equals(errno.description(), text)) {
                return errno;
            }
        }
        throw new AssertionError("no errno has the text of " + e, e);
    }
}
