// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static dev.kchannel.it.guest.ProcfsFiles.BIG_READ;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.EventType;
import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.MessageCodec;
import dev.kchannel.api.message.StatsReply;
import dev.kchannel.api.message.TransportStats;
import dev.kchannel.transport.netlink.NetlinkTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kchan_procfs's four files, spoken with plain java.nio and shell commands (not the
 * transport-procfs SDK): the call file's request/reply per open file, its errnos for bad input,
 * the events file's blocking and non-blocking reads with exact SEQ and DROPPED, the store listing
 * of 10,000 entries with its escaping, the stats lines, the file modes and privileges, and unload
 * with files open.
 */
class ProcfsModuleGuestTest {

    private static final String CORE = "kchan_core";
    private static final String PROCFS = "kchan_procfs";
    /** Netlink too: values set through one transport are read through the other. */
    private static final List<String> MODULES = List.of(CORE, "kchan_netlink", PROCFS);

    @BeforeAll
    static void loadModules() {
        // A fresh kchan_core: an empty store and counters from zero.
        GuestShell.unloadAll(MODULES);
        GuestShell.loadMissing(MODULES);
    }

    @AfterAll
    static void unloadModules() {
        GuestShell.unloadAll(MODULES);
    }

    private static KernelChannel netlink() {
        return new NetlinkTransport().open(KchannelConfig.builder().transport("netlink")
                .callTimeout(Duration.ofSeconds(60)).build());
    }

    private static String uniqueKey(String what) {
        return "procfs." + what + "." + System.nanoTime();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Errno errnoOf(IOException e) {
        assertThat(e).as("the call failed").isNotNull();
        return ProcfsFiles.errno(e);
    }

    /** An ECHO round trip on {@code call}: the file still works. */
    private static void assertUsable(FileChannel call, String what) throws IOException {
        byte[] payload = utf8("still usable after " + what);
        KchanMessage reply = ProcfsFiles.call(call, KchanRequests.echo(payload).withSeq(99));
        assertThat(reply.status()).as("ECHO after %s", what).isZero();
        assertThat(KchanReplies.payload(reply)).as("ECHO after %s", what).isEqualTo(payload);
    }

    // ---- call: request and reply ---------------------------------------------------------

    @Test
    void echoOf64And60000BytesComesBackWholeThenEndOfFileThenEnodata() throws IOException {
        byte[] small = new byte[64];
        byte[] large = new byte[60_000];
        new Random(4).nextBytes(small);
        new Random(60_000).nextBytes(large);
        try (FileChannel call = ProcfsFiles.openCall()) {
            int seq = 41;
            for (byte[] payload : List.of(small, large)) {
                ProcfsFiles.write(call, MessageCodec.toByteArray(KchanRequests.echo(payload).withSeq(seq)));
                ByteBuffer buffer = ByteBuffer.allocate(BIG_READ);
                int n = call.read(buffer);
                KchanMessage reply = MessageCodec.decode(Arrays.copyOf(buffer.array(), n));
                assertThat(reply.command()).isEqualTo(Command.ECHO);
                assertThat(reply.isReply()).isTrue();
                assertThat(reply.seq()).isEqualTo(seq);
                assertThat(reply.status()).isZero();
                assertThat(reply.length()).as("one read took the whole reply").isEqualTo(n)
                        .isEqualTo(KchanProtocol.HDR_LEN + 4 + ((payload.length + 3) & ~3));
                assertThat(KchanReplies.payload(reply)).isEqualTo(payload);
                // The reply is gone: end of file once, then nothing to read.
                assertThat(call.read(ByteBuffer.allocate(BIG_READ))).as("read after the reply").isEqualTo(-1);
                IOException nothing = catchThrowableOfType(IOException.class, () -> call.read(ByteBuffer.allocate(16)));
                assertThat(errnoOf(nothing)).as("read after the end of file").isEqualTo(Errno.ENODATA);
                seq++;
            }
        }
    }

    @Test
    void readsOfSevenBytesReassembleTheReplyExactly() throws IOException {
        byte[] payload = new byte[1_000];
        new Random(7).nextBytes(payload);
        byte[] request = MessageCodec.toByteArray(KchanRequests.echo(payload).withSeq(7));
        try (FileChannel call = ProcfsFiles.openCall()) {
            ProcfsFiles.write(call, request);
            ByteArrayOutputStream reassembled = new ByteArrayOutputStream();
            List<Integer> sizes = new ArrayList<>();
            ByteBuffer piece = ByteBuffer.allocate(7);
            int n;
            while ((n = call.read(piece.clear())) >= 0) {
                sizes.add(n);
                reassembled.write(piece.array(), 0, n);
            }
            byte[] reply = reassembled.toByteArray();
            int length = KchanProtocol.HDR_LEN + 4 + payload.length;
            assertThat(reply).hasSize(length);
            // Every read but the last filled its 7 bytes: each continued where the last stopped.
            assertThat(sizes).hasSize((length + 6) / 7);
            assertThat(sizes.subList(0, sizes.size() - 1)).containsOnly(7);
            assertThat(sizes.get(sizes.size() - 1)).isEqualTo(length - 7 * (sizes.size() - 1));
            KchanMessage decoded = MessageCodec.decode(reply);
            assertThat(decoded.seq()).isEqualTo(7);
            assertThat(KchanReplies.payload(decoded)).isEqualTo(payload);
            IOException nothing = catchThrowableOfType(IOException.class, () -> call.read(ByteBuffer.allocate(7)));
            assertThat(errnoOf(nothing)).isEqualTo(Errno.ENODATA);
        }
    }

    @Test
    void twoOpensWithInterleavedExchangesKeepTheirOwnReplies() throws IOException {
        try (FileChannel a = ProcfsFiles.openCall(); FileChannel b = ProcfsFiles.openCall()) {
            ProcfsFiles.write(a, MessageCodec.toByteArray(KchanRequests.echo(utf8("for a")).withSeq(1)));
            ProcfsFiles.write(b, MessageCodec.toByteArray(KchanRequests.echo(utf8("for b, longer")).withSeq(2)));
            // Half of a's reply, all of b's, another request on b, the rest of a's.
            ByteBuffer firstHalf = ByteBuffer.allocate(10);
            assertThat(a.read(firstHalf)).isEqualTo(10);
            IOException busy = catchThrowableOfType(IOException.class,
                    () -> ProcfsFiles.write(b, MessageCodec.toByteArray(KchanRequests.echo(utf8("too early")))));
            assertThat(errnoOf(busy)).as("b's reply is unread").isEqualTo(Errno.EBUSY);
            KchanMessage fromB = MessageCodec.decode(ProcfsFiles.readToEof(b, BIG_READ));
            assertThat(fromB.seq()).isEqualTo(2);
            assertThat(KchanReplies.payload(fromB)).isEqualTo(utf8("for b, longer"));
            KchanMessage secondB = ProcfsFiles.call(b, KchanRequests.echo(utf8("b again")).withSeq(3));
            assertThat(KchanReplies.payload(secondB)).isEqualTo(utf8("b again"));
            byte[] rest = ProcfsFiles.readToEof(a, 3);
            ByteBuffer whole = ByteBuffer.allocate(10 + rest.length).put(firstHalf.flip()).put(rest);
            KchanMessage fromA = MessageCodec.decode(whole.array());
            assertThat(fromA.seq()).isEqualTo(1);
            assertThat(KchanReplies.payload(fromA)).isEqualTo(utf8("for a"));
        }
    }

    @Test
    void aValueSetThroughProcfsReadsBackThroughNetlinkAndTheReverse() throws IOException {
        String viaProcfs = uniqueKey("viaprocfs");
        String viaNetlink = uniqueKey("vianetlink");
        byte[] value = new byte[3_000];
        new Random(3).nextBytes(value);
        try (FileChannel call = ProcfsFiles.openCall(); KernelChannel nl = netlink()) {
            KchanMessage set = ProcfsFiles.call(call, KchanRequests.set(utf8(viaProcfs), value).withSeq(5));
            assertThat(set.status()).as("%s", set).isZero();
            assertThat(set.seq()).isEqualTo(5);
            assertThat(KchanReplies.value(nl.call(KchanRequests.get(viaProcfs)))).isEqualTo(value);

            nl.call(KchanRequests.set(viaNetlink, "from netlink"));
            KchanMessage get = ProcfsFiles.call(call, KchanRequests.get(viaNetlink));
            assertThat(get.status()).as("%s", get).isZero();
            assertThat(KchanReplies.value(get)).isEqualTo(utf8("from netlink"));

            assertThat(ProcfsFiles.call(call, KchanRequests.delete(viaNetlink)).status()).isZero();
            nl.call(KchanRequests.delete(viaProcfs));
            KchanMessage gone = ProcfsFiles.call(call, KchanRequests.get(viaProcfs));
            assertThat(gone.errno()).as("GET after DELETE: %s", gone).hasValue(Errno.ENOENT);
            assertThat(gone.attributes().first(KchanProtocol.ATTR_ERRATTR).map(a -> a.u32()))
                    .hasValue((long) KchanProtocol.ATTR_KEY);
        }
    }

    @Test
    void badWritesFailWithTheirErrnoStoreNothingAndLeaveTheFileUsable() throws IOException {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            keys.add(uniqueKey("bad" + i));
        }
        Map<String, Long> before = ProcfsFiles.stats();
        try (FileChannel call = ProcfsFiles.openCall(); KernelChannel nl = netlink()) {
            IOException noReply = catchThrowableOfType(IOException.class, () -> call.read(ByteBuffer.allocate(64)));
            assertThat(errnoOf(noReply)).as("read before any write").isEqualTo(Errno.ENODATA);
            assertUsable(call, "a read before any write");

            byte[] set0 = MessageCodec.toByteArray(KchanRequests.set(keys.get(0), "v"));
            IOException shortWrite = catchThrowableOfType(IOException.class,
                    () -> ProcfsFiles.write(call, Arrays.copyOf(set0, 8)));
            assertThat(errnoOf(shortWrite)).as("8-byte write").isEqualTo(Errno.EINVAL);
            assertUsable(call, "an 8-byte write");

            // One byte over KCHAN_MSG_MAX, framed as a SET whose len says so.
            ByteBuffer huge = ByteBuffer.allocate(KchanProtocol.MSG_MAX + 1).order(ByteOrder.nativeOrder());
            huge.putShort(0, (short) KchanProtocol.CMD_SET).putInt(12, KchanProtocol.MSG_MAX + 1);
            IOException tooLong = catchThrowableOfType(IOException.class, () -> ProcfsFiles.write(call, huge.array()));
            assertThat(errnoOf(tooLong)).as("write of KCHAN_MSG_MAX + 1 bytes").isEqualTo(Errno.EMSGSIZE);
            assertUsable(call, "an oversized write");

            // Whole SETs whose header len lies: 8 bytes too long, 4 too short.
            for (int[] lie : new int[][] {{1, 8}, {2, -4}}) {
                byte[] set = MessageCodec.toByteArray(KchanRequests.set(keys.get(lie[0]), "v"));
                ByteBuffer.wrap(set).order(ByteOrder.nativeOrder()).putInt(12, set.length + lie[1]);
                IOException lying = catchThrowableOfType(IOException.class, () -> ProcfsFiles.write(call, set));
                assertThat(errnoOf(lying)).as("header len %+d", lie[1]).isEqualTo(Errno.EINVAL);
                assertUsable(call, "a header len " + lie[1] + " off");
            }

            // A SET while an ECHO's reply is unread.
            ProcfsFiles.write(call, MessageCodec.toByteArray(KchanRequests.echo(utf8("unread")).withSeq(8)));
            IOException busy = catchThrowableOfType(IOException.class,
                    () -> ProcfsFiles.write(call, MessageCodec.toByteArray(KchanRequests.set(keys.get(3), "v"))));
            assertThat(errnoOf(busy)).as("write with a reply unread").isEqualTo(Errno.EBUSY);
            KchanMessage echo = MessageCodec.decode(ProcfsFiles.readToEof(call, BIG_READ));
            assertThat(echo.seq()).as("the earlier reply survived").isEqualTo(8);
            assertThat(KchanReplies.payload(echo)).isEqualTo(utf8("unread"));
            assertUsable(call, "a busy write");

            IOException seek = catchThrowableOfType(IOException.class, () -> call.position(0));
            assertThat(errnoOf(seek)).as("lseek").isEqualTo(Errno.ESPIPE);
            assertUsable(call, "lseek");

            // Well framed, so written: a 65-byte key is answered in the reply.
            byte[] longKey = utf8(keys.get(4) + "k".repeat(KchanProtocol.KEY_MAX + 1 - keys.get(4).length()));
            assertThat(longKey).hasSize(KchanProtocol.KEY_MAX + 1);
            KchanMessage tooLongKey = ProcfsFiles.call(call, KchanMessage.builder(Command.SET)
                    .bytes(KchanProtocol.ATTR_KEY, longKey).bytes(KchanProtocol.ATTR_VALUE, utf8("v")).seq(65).build());
            assertThat(tooLongKey.seq()).isEqualTo(65);
            assertThat(tooLongKey.errno()).as("%s", tooLongKey).hasValue(Errno.ERANGE);
            assertThat(tooLongKey.attributes().first(KchanProtocol.ATTR_ERRMSG).map(a -> a.string()))
                    .hasValue("binary attribute size out of range");
            assertThat(tooLongKey.attributes().first(KchanProtocol.ATTR_ERRATTR).map(a -> a.u32()))
                    .hasValue((long) KchanProtocol.ATTR_KEY);
            assertUsable(call, "a 65-byte key");

            for (String key : keys) {
                assertThat(catchThrowableOfType(NoSuchEntryException.class, () -> nl.call(KchanRequests.get(key))))
                        .as("nothing stored under %s", key).isNotNull();
            }
        }
        Map<String, Long> after = ProcfsFiles.stats();
        assertThat(after.get("store.entries")).isEqualTo(before.get("store.entries"));
        // Writes: 5 refused + the ECHO left unread + the 65-byte key + 8 ECHOs showing the file works.
        // Errors: the 5 refused and the 65-byte key. Reads and lseek are no requests.
        assertThat(after.get("procfs.requests") - before.get("procfs.requests")).isEqualTo(15);
        assertThat(after.get("procfs.errors") - before.get("procfs.errors")).isEqualTo(6);
    }

    // ---- files, modes, privilege, stats ---------------------------------------------------

    @Test
    void filesHaveTheirModesAndBelongToRoot() throws IOException {
        Map<Path, String> modes = Map.of(ProcfsFiles.CALL, "rw-------", ProcfsFiles.EVENTS, "rw-------",
                ProcfsFiles.STORE, "r--r--r--", ProcfsFiles.STATS, "r--r--r--", ProcfsFiles.DIR, "r-xr-xr-x");
        for (Map.Entry<Path, String> file : modes.entrySet()) {
            PosixFileAttributes attributes = Files.readAttributes(file.getKey(), PosixFileAttributes.class);
            assertThat(PosixFilePermissions.toString(attributes.permissions())).as("mode of %s", file.getKey())
                    .isEqualTo(file.getValue());
            assertThat(attributes.owner().getName()).as("owner of %s", file.getKey()).isEqualTo("root");
        }
        try (Stream<Path> entries = Files.list(ProcfsFiles.DIR)) {
            assertThat(entries.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("call", "events", "store", "stats");
        }
    }

    @Test
    void withoutPrivilegeNothingChanges() throws IOException {
        String key = uniqueKey("unprivileged");
        try (KernelChannel nl = netlink()) {
            // User nobody: the 0600 files do not open at all; the 0444 views read.
            GuestShell.Result nobody = AsNobody.run(ProcfsRestrictedClient.class, key);
            assertThat(nobody.output().lines()).as(nobody.output()).containsExactly("UID nobody", "CALL_OPEN EACCES",
                    "EVENTS_OPEN EACCES", "STORE_READ OK " + Files.readAllLines(ProcfsFiles.STORE).size(),
                    "STATS_READ OK 22", "END");

            // Root without CAP_NET_ADMIN: the call file opens, but it may not change state, and the
            // events file refuses it.
            List<String> argv = new ArrayList<>(List.of("setpriv", "--inh-caps=-net_admin", "--bounding-set=-net_admin",
                    GuestShell.javaBinary(), "-Djava.io.tmpdir=/tmp", "-cp", System.getProperty("java.class.path"),
                    ProcfsRestrictedClient.class.getName(), key));
            GuestShell.Result noNetAdmin = GuestShell.run(argv.toArray(String[]::new));
            assertThat(noNetAdmin.output().lines()).as(noNetAdmin.output()).containsExactly("UID root", "CALL_OPEN OK",
                    "SET -1 EPERM command needs a privileged caller", "ECHO OK unprivileged", "EVENTS_OPEN EPERM",
                    "STORE_READ OK " + Files.readAllLines(ProcfsFiles.STORE).size(), "STATS_READ OK 22", "END");

            assertThat(catchThrowableOfType(NoSuchEntryException.class, () -> nl.call(KchanRequests.get(key))))
                    .as("nothing stored under %s", key).isNotNull();
        }
    }

    @Test
    void statsLinesAreTheCountersAndGrowByExactlyTheCallsMade() throws IOException {
        List<String> names = new ArrayList<>(List.of("store.entries", "store.bytes"));
        for (String t : List.of("core", "netlink", "procfs", "sockopt", "chardev")) {
            for (String counter : List.of("requests", "errors", "events", "drops")) {
                names.add(t + "." + counter);
            }
        }
        String key = uniqueKey("stats");
        try (KernelChannel nl = netlink(); FileChannel call = ProcfsFiles.openCall()) {
            Map<String, Long> before = ProcfsFiles.stats();
            assertThat(new ArrayList<>(before.keySet())).containsExactlyElementsOf(names);
            assertThat(ProcfsFiles.stats()).as("reading stats is no request").isEqualTo(before);
            assertThat(Files.readAllLines(ProcfsFiles.STORE)).isNotNull();
            assertThat(ProcfsFiles.stats()).as("reading the store is no request").isEqualTo(before);

            for (int i = 0; i < 5; i++) {
                assertThat(ProcfsFiles.call(call, KchanRequests.echo(new byte[i * 10])).status()).isZero();
            }
            assertThat(ProcfsFiles.call(call, KchanRequests.set(key, "v")).status()).isZero();
            assertThat(ProcfsFiles.call(call, KchanRequests.get(key + ".absent")).errno()).hasValue(Errno.ENOENT);
            assertThat(ProcfsFiles.call(call, KchanRequests.delete(key)).status()).isZero();
            assertThat(catchThrowableOfType(IOException.class, () -> ProcfsFiles.write(call, new byte[3]))).isNotNull();
            Map<String, Long> after = ProcfsFiles.stats();
            assertThat(after.get("procfs.requests") - before.get("procfs.requests")).isEqualTo(9);
            assertThat(after.get("procfs.errors") - before.get("procfs.errors")).isEqualTo(2);

            // The same numbers as a STATS request, which does not count itself.
            StatsReply reply = StatsReply.from(nl.call(KchanRequests.stats()));
            assertThat(after.get("store.entries")).isEqualTo(reply.storeEntries());
            assertThat(after.get("store.bytes")).isEqualTo(reply.storeBytes());
            for (TransportStats t : reply.transports()) {
                String name = names.get(2 + 4 * (int) t.transportId()).replace(".requests", "");
                assertThat(List.of(after.get(name + ".requests"), after.get(name + ".errors"), after.get(name + ".events"),
                        after.get(name + ".drops"))).as("%s: %s", name, t)
                        .containsExactly(t.requests(), t.errors(), t.events(), t.drops());
            }
            assertThat(reply.transports()).hasSize(5);
        }
    }

    // ---- store ----------------------------------------------------------------------------

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final Pattern ESCAPE = Pattern.compile("\\\\x[0-9a-f]{2}");

    /** The documented rule: 0x20..0x7e but the backslash as is, every other byte as \xNN. */
    private static String escape(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '\\') {
                out.append((char) c);
            } else {
                out.append('\\').append('x').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    /** What a reader of the store does with one escaped field; fails on anything the rule cannot give. */
    private static byte[] unescape(String field) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\') {
                String escape = field.substring(i, Math.min(i + 4, field.length()));
                if (!ESCAPE.matcher(escape).matches()) {
                    throw new AssertionError("a backslash that starts no \\xNN escape at " + i + ": '" + escape + "'");
                }
                out.write(Integer.parseInt(escape.substring(2), 16));
                i += 3;
            } else if (c >= 0x20 && c <= 0x7e) {
                out.write(c);
            } else {
                throw new AssertionError("an unescaped byte " + (int) c + " at " + i);
            }
        }
        return out.toByteArray();
    }

    private static byte[] storeKey(int i) {
        byte[] base = utf8(String.format("procfs.store.%05d", i));
        if (i % 7 != 0) {
            return base;
        }
        // Some keys with bytes that need escaping.
        byte[] key = Arrays.copyOf(base, base.length + 4);
        key[base.length] = '\\';
        key[base.length + 1] = '\t';
        key[base.length + 2] = (byte) 0xff;
        key[base.length + 3] = ' ';
        return key;
    }

    private static byte[] storeValue(int i) {
        if (i % 2_000 == 7) {
            byte[] largest = new byte[KchanProtocol.VALUE_MAX];
            new Random(i).nextBytes(largest);
            return largest;
        }
        switch (i % 5) {
            case 0:
                return utf8("plain value " + i);
            case 1:
                return utf8("tab\tnewline\nbackslash\\x41 space \u00e9 " + i);
            case 2:
                return new byte[0];
            case 3:
                byte[] binary = new byte[100 + i % 50];
                new Random(i).nextBytes(binary);
                return binary;
            default:
                return new byte[] {0, 0x7f, (byte) 0x80, (byte) 0xff, '\\', 'x', '0', '0', (byte) i};
        }
    }

    @Test
    void catOfTheStoreListsTenThousandEntriesInKeyOrderEscaped() throws Exception {
        int count = 10_000;
        int threads = 8;
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            keys.add(storeKey(i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (KernelChannel nl = netlink()) {
            // One netlink channel shared by several threads, each setting its share of the keys.
            List<Future<?>> sets = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                sets.add(pool.submit(() -> {
                    for (int i = first; i < count; i += threads) {
                        nl.call(KchanRequests.set(keys.get(i), storeValue(i)));
                    }
                    return null;
                }));
            }
            for (Future<?> set : sets) {
                set.get(10, TimeUnit.MINUTES);
            }
            try {
                GuestShell.Result cat = GuestShell.run("cat", ProcfsFiles.STORE.toString());
                assertThat(cat.ok()).as("cat exit status").isTrue();
                List<String> lines = cat.output().lines().toList();
                assertThat(cat.output()).endsWith("\n");

                // Every line splits at one TAB into two fields that unescape to bytes, in key order.
                List<byte[]> listedKeys = new ArrayList<>();
                List<String> ours = new ArrayList<>();
                for (String line : lines) {
                    String[] fields = line.split("\t", -1);
                    assertThat(fields).as("line '%.80s'", line).hasSize(2);
                    byte[] key = unescape(fields[0]);
                    unescape(fields[1]);
                    listedKeys.add(key);
                    if (fields[0].startsWith("procfs.store.")) {
                        ours.add(line);
                    }
                }
                for (int i = 1; i < listedKeys.size(); i++) {
                    assertThat(Arrays.compareUnsigned(listedKeys.get(i - 1), listedKeys.get(i)))
                            .as("line %d after line %d in key order", i, i - 1).isNegative();
                }

                // Ours, exactly: the keys sorted as bytes, each line key TAB value escaped.
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    order.add(i);
                }
                order.sort((x, y) -> Arrays.compareUnsigned(keys.get(x), keys.get(y)));
                assertThat(ours).hasSize(count);
                for (int n = 0; n < count; n++) {
                    int i = order.get(n);
                    String expected = escape(keys.get(i)) + "\t" + escape(storeValue(i));
                    assertThat(ours.get(n)).as("line of key %d", i).isEqualTo(expected);
                    String[] fields = ours.get(n).split("\t", -1);
                    assertThat(unescape(fields[0])).as("key %d back from its line", i).isEqualTo(keys.get(i));
                    assertThat(unescape(fields[1])).as("value %d back from its line", i).isEqualTo(storeValue(i));
                }

                // Reads of an odd small size give the same listing: each resumes where the last stopped.
                try (FileChannel store = FileChannel.open(ProcfsFiles.STORE)) {
                    byte[] bySmallReads = ProcfsFiles.readToEof(store, 4_093);
                    assertThat(new String(bySmallReads, StandardCharsets.US_ASCII)).isEqualTo(cat.output());
                }
            } finally {
                List<Future<?>> deletes = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int first = t;
                    deletes.add(pool.submit(() -> {
                        for (int i = first; i < count; i += threads) {
                            nl.call(KchanRequests.delete(keys.get(i)));
                        }
                        return null;
                    }));
                }
                for (Future<?> delete : deletes) {
                    delete.get(10, TimeUnit.MINUTES);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- events ---------------------------------------------------------------------------

    /** The whole events in {@code bytes}, which one read returned, in order. */
    private static List<KchanEvent> events(ByteBuffer bytes) {
        List<KchanEvent> events = new ArrayList<>();
        while (bytes.hasRemaining()) {
            KchanMessage message = MessageCodec.decodeNext(bytes);
            assertThat(message.isEvent()).as("%s", message).isTrue();
            assertThat(message.command()).isEqualTo(Command.EVENT);
            events.add(KchanEvent.from(message));
        }
        return events;
    }

    private static List<KchanEvent> readEvents(FileChannel events, int size) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(size);
        int n = events.read(buffer);
        assertThat(n).as("events read").isPositive();
        return events(buffer.flip());
    }

    /** Waits until some thread of this JVM sleeps in kchan_procfs's events read. */
    private static void awaitBlockedInEventsRead() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        if (Files.readString(task.resolve("wchan")).strip().equals("kchan_proc_events_read")) {
                            return;
                        }
                    } catch (IOException gone) {
                        // The thread ended meanwhile.
                    }
                }
            }
            assertThat(System.nanoTime() < deadline).as("a reader blocked in the events read within 2 minutes").isTrue();
            Thread.sleep(50);
        }
    }

    private static void assertStoreSet(KchanEvent event, String key, String value, long seq, long dropped) {
        assertThat(event.type()).as("%s", event).isEqualTo(EventType.STORE_SET);
        assertThat(event.keyAsString()).as("%s", event).hasValue(key);
        assertThat(event.value()).as("%s", event).hasValueSatisfying(v -> assertThat(v).isEqualTo(utf8(value)));
        assertThat(event.seq()).as("SEQ of %s", event).isEqualTo(seq);
        assertThat(event.dropped()).as("DROPPED of %s", event).isEqualTo(dropped);
    }

    @Test
    void aBlockedReaderWakesForASetAndReadsHandOutWholeEvents() throws Exception {
        String key = uniqueKey("event");
        try (FileChannel events = ProcfsFiles.openEvents(); FileChannel call = ProcfsFiles.openCall()) {
            // A reader that blocks in read(2) until the SET below queues its STORE_SET.
            AtomicReference<Object> got = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    got.set(readEvents(events, BIG_READ));
                } catch (IOException | RuntimeException | AssertionError e) {
                    got.set(e);
                }
            }, "procfs-events-reader");
            reader.start();
            try {
                awaitBlockedInEventsRead();
                assertThat(ProcfsFiles.call(call, KchanRequests.set(key + ".0", "first")).status()).isZero();
                reader.join(TimeUnit.MINUTES.toMillis(2));
            } finally {
                if (reader.isAlive()) {
                    // Never leave it blocked: an open events file pins the module.
                    ProcfsFiles.call(call, KchanRequests.set(key + ".unblock", "x"));
                    reader.join();
                }
            }
            assertThat(got.get()).as("what the blocked reader got").isInstanceOf(List.class);
            @SuppressWarnings("unchecked")
            List<KchanEvent> woken = (List<KchanEvent>) got.get();
            assertThat(woken).hasSize(1);
            // This file's own subscriber: SEQ from 0 at open.
            assertStoreSet(woken.get(0), key + ".0", "first", 0, 0);

            // Three queued events come back whole in one read of a large buffer.
            for (int i = 1; i <= 3; i++) {
                assertThat(ProcfsFiles.call(call, KchanRequests.set(key + "." + i, "v" + i)).status()).isZero();
            }
            List<KchanEvent> three = readEvents(events, BIG_READ);
            assertThat(three).hasSize(3);
            for (int i = 1; i <= 3; i++) {
                assertStoreSet(three.get(i - 1), key + "." + i, "v" + i, i, 0);
            }

            // A buffer too small for the next event: EMSGSIZE, and nothing is consumed.
            assertThat(ProcfsFiles.call(call, KchanRequests.delete(key + ".0")).status()).isZero();
            IOException tooSmall = catchThrowableOfType(IOException.class, () -> events.read(ByteBuffer.allocate(15)));
            assertThat(errnoOf(tooSmall)).isEqualTo(Errno.EMSGSIZE);
            List<KchanEvent> deleted = readEvents(events, BIG_READ);
            assertThat(deleted).hasSize(1);
            assertThat(deleted.get(0).type()).isEqualTo(EventType.STORE_DELETE);
            assertThat(deleted.get(0).seq()).isEqualTo(4);

            // The largest event: GENERATED with a KCHAN_PAYLOAD_MAX payload, 65,596 bytes on x86-64.
            // A read one byte short waits for it and then refuses it; the exact size takes it.
            // GEN_STOP first: a generator that has just emitted its last event may not have ended yet.
            assertThat(ProcfsFiles.call(call, KchanRequests.genStop()).status()).isZero();
            assertThat(ProcfsFiles.call(call, KchanRequests.genStart(1, KchanProtocol.PAYLOAD_MAX)).status()).isZero();
            int largest = 65_596;
            IOException oneShort = catchThrowableOfType(IOException.class, () -> events.read(ByteBuffer.allocate(largest - 1)));
            assertThat(errnoOf(oneShort)).isEqualTo(Errno.EMSGSIZE);
            List<KchanEvent> generated = readEvents(events, largest);
            assertThat(generated).hasSize(1);
            assertThat(generated.get(0).message().length()).isEqualTo(largest);
            assertThat(generated.get(0).type()).isEqualTo(EventType.GENERATED);
            assertThat(generated.get(0).seq()).isEqualTo(5);
            assertThat(generated.get(0).payload()).hasValueSatisfying(p -> assertThat(p).hasSize(KchanProtocol.PAYLOAD_MAX));

            for (int i = 1; i <= 3; i++) {
                assertThat(ProcfsFiles.call(call, KchanRequests.delete(key + "." + i)).status()).isZero();
            }
        }
    }

    @Test
    void nonBlockingReadOfNoEventIsEagainAndWriteIsEio() throws IOException {
        // dd opens its own events file (an empty subscriber) with O_NONBLOCK.
        GuestShell.Result dd = GuestShell.run("dd", "if=" + ProcfsFiles.EVENTS, "of=/dev/null", "iflag=nonblock",
                "bs=65608", "count=1");
        assertThat(dd.ok()).as(dd.output()).isFalse();
        assertThat(dd.output()).contains(Errno.EAGAIN.description());

        try (FileChannel events = FileChannel.open(ProcfsFiles.EVENTS, StandardOpenOption.WRITE)) {
            IOException write = catchThrowableOfType(IOException.class, () -> events.write(ByteBuffer.allocate(16)));
            assertThat(errnoOf(write)).isEqualTo(Errno.EIO);
            IOException seek = catchThrowableOfType(IOException.class, () -> events.position(0));
            assertThat(errnoOf(seek)).isEqualTo(Errno.ESPIPE);
        }
    }

    @Test
    void aSlowReaderSeesExactGapsAndDrops() throws Exception {
        int count = 5_000;
        int size = 64;
        long queueLength = Long.parseLong(GuestShell.parameters(CORE).get("sub_queue_len"));
        String marker = uniqueKey("end");
        try (FileChannel events = ProcfsFiles.openEvents(); FileChannel call = ProcfsFiles.openCall()) {
            // GEN_STOP first: a generator that has just emitted its last event may not have ended yet.
            assertThat(ProcfsFiles.call(call, KchanRequests.genStop()).status()).isZero();
            Map<String, Long> before = ProcfsFiles.stats();
            assertThat(ProcfsFiles.call(call, KchanRequests.genStart(count, size)).status()).isZero();
            // Read nothing until every event has been offered to this file's subscriber (the only
            // procfs one): queued or dropped.
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (true) {
                Map<String, Long> now = ProcfsFiles.stats();
                long offered = now.get("procfs.events") + now.get("procfs.drops") - before.get("procfs.events")
                        - before.get("procfs.drops");
                if (offered >= count) {
                    break;
                }
                assertThat(System.nanoTime() < deadline).as("generator done within 5 minutes: %d offered", offered)
                        .isTrue();
                Thread.sleep(200);
            }

            // One large read takes everything queued; then the queue has room for the marker.
            List<KchanEvent> received = new ArrayList<>(readEvents(events, 1 << 20));
            assertThat(ProcfsFiles.call(call, KchanRequests.set(marker, "end")).status()).isZero();
            KchanEvent end = null;
            while (end == null) {
                for (KchanEvent event : readEvents(events, BIG_READ)) {
                    if (event.type() == EventType.STORE_SET) {
                        end = event;
                    } else {
                        received.add(event);
                    }
                }
            }

            long previousSeq = -1;
            long gaps = 0;
            for (KchanEvent event : received) {
                assertThat(event.type()).as("%s", event).isEqualTo(EventType.GENERATED);
                long index = event.genIndex().orElseThrow();
                assertThat(event.seq()).as("SEQ of GEN_INDEX %d", index).isEqualTo(index);
                byte[] expected = new byte[size];
                for (int i = 0; i < size; i++) {
                    expected[i] = (byte) (index + i);
                }
                assertThat(event.payload()).as("payload of GEN_INDEX %d", index).hasValue(expected);
                gaps += event.seq() - previousSeq - 1;
                assertThat(event.dropped()).as("DROPPED of GEN_INDEX %d: the gaps so far", index).isEqualTo(gaps);
                previousSeq = event.seq();
            }
            gaps += end.seq() - previousSeq - 1;
            String summary = "received " + received.size() + ", SEQ gaps " + gaps + ", DROPPED " + end.dropped();
            assertThat(end.keyAsString()).hasValue(marker);
            assertThat(end.seq()).as(summary).isEqualTo(count);
            assertThat(gaps).as(summary).isEqualTo(end.dropped());
            assertThat(received.size() + end.dropped()).as(summary).isEqualTo(count);
            // Nobody read while the generator ran: the queue took the first sub_queue_len events.
            assertThat((long) received.size()).as(summary).isEqualTo(queueLength);
            Map<String, Long> after = ProcfsFiles.stats();
            assertThat(after.get("procfs.drops") - before.get("procfs.drops")).as(summary).isEqualTo(end.dropped());
            assertThat(after.get("procfs.events") - before.get("procfs.events")).as(summary)
                    .isEqualTo(received.size() + 1L);
            System.out.println("slow procfs events reader, " + count + " events: " + summary);
            assertThat(ProcfsFiles.call(call, KchanRequests.delete(marker)).status()).isZero();
        }
    }

    @Test
    void eventsOpenBeyondMaxSubscribersIsEmfile() throws IOException {
        // kchan_netlink's Generic Netlink side holds one subscriber: two places are left.
        GuestShell.unloadAll(MODULES);
        try {
            GuestShell.Result core = GuestShell.insmod(CORE, "max_subscribers=3");
            assertThat(core.ok()).as(core.output()).isTrue();
            GuestShell.loadMissing(MODULES);
            try (FileChannel first = ProcfsFiles.openEvents()) {
                FileChannel second = ProcfsFiles.openEvents();
                IOException full = catchThrowableOfType(IOException.class, ProcfsFiles::openEvents);
                assertThat(errnoOf(full)).isEqualTo(Errno.EMFILE);
                second.close();
                ProcfsFiles.openEvents().close();
            }
        } finally {
            GuestShell.unloadAll(MODULES);
            GuestShell.loadMissing(MODULES);
        }
    }

    // ---- unload ---------------------------------------------------------------------------

    @Test
    void rmmodIsRefusedWhileEventsIsOpenAndReleasesTheOtherFilesCleanly() throws IOException {
        List<String> logBefore = GuestShell.dmesg();
        try {
            String key = uniqueKey("pinned");
            try (FileChannel events = ProcfsFiles.openEvents(); FileChannel call = ProcfsFiles.openCall()) {
                GuestShell.Result refused = GuestShell.rmmod(PROCFS);
                assertThat(refused.ok()).as("rmmod with events open: %s", refused.output()).isFalse();
                assertThat(refused.output()).contains("in use");
                assertThat(GuestShell.isLoaded(PROCFS)).isTrue();
                assertThat(ProcfsFiles.call(call, KchanRequests.set(key, "still here")).status()).isZero();
                assertStoreSet(readEvents(events, BIG_READ).get(0), key, "still here", 0, 0);
                assertThat(ProcfsFiles.call(call, KchanRequests.delete(key)).status()).isZero();
            }
            GuestShell.Result coreRefused = GuestShell.rmmod(CORE);
            assertThat(coreRefused.ok()).as("rmmod kchan_core under kchan_procfs: %s", coreRefused.output()).isFalse();

            // call with a reply unread, store and stats half read: they do not hold the module.
            try (FileChannel call = ProcfsFiles.openCall(); FileChannel store = FileChannel.open(ProcfsFiles.STORE);
                    FileChannel stats = FileChannel.open(ProcfsFiles.STATS)) {
                ProcfsFiles.write(call, MessageCodec.toByteArray(KchanRequests.echo(new byte[100])));
                assertThat(stats.read(ByteBuffer.allocate(10))).isEqualTo(10);
                store.read(ByteBuffer.allocate(10));

                GuestShell.Result removed = GuestShell.rmmod(PROCFS);
                assertThat(removed.ok()).as("rmmod with call, store and stats open: %s", removed.output()).isTrue();
                assertThat(GuestShell.isLoaded(PROCFS)).isFalse();
                assertThat(Files.exists(ProcfsFiles.DIR)).as("/proc/kchan after rmmod").isFalse();

                // Released under their users: every further read and write is EIO.
                assertThat(errnoOf(catchThrowableOfType(IOException.class, () -> call.read(ByteBuffer.allocate(64)))))
                        .isEqualTo(Errno.EIO);
                assertThat(errnoOf(catchThrowableOfType(IOException.class,
                        () -> ProcfsFiles.write(call, MessageCodec.toByteArray(KchanRequests.echo(new byte[1]))))))
                        .isEqualTo(Errno.EIO);
                assertThat(errnoOf(catchThrowableOfType(IOException.class, () -> store.read(ByteBuffer.allocate(64)))))
                        .isEqualTo(Errno.EIO);
                assertThat(errnoOf(catchThrowableOfType(IOException.class, () -> stats.read(ByteBuffer.allocate(64)))))
                        .isEqualTo(Errno.EIO);
            }

            GuestShell.Result loaded = GuestShell.insmod(PROCFS);
            assertThat(loaded.ok()).as("insmod again: %s", loaded.output()).isTrue();
            try (FileChannel call = ProcfsFiles.openCall()) {
                assertUsable(call, "a reload");
            }
            List<String> log = GuestShell.dmesgSince(logBefore);
            assertThat(log).as("kernel log").noneMatch(l -> l.matches(".*(Oops|BUG|WARNING|Call Trace).*"));
            assertThat(log).anyMatch(l -> l.contains("kchan_procfs: ready (/proc/kchan: call, events, store, stats)"));
        } finally {
            GuestShell.loadMissing(MODULES);
        }
    }
}
