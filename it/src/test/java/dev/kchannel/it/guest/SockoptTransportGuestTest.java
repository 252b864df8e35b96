// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.error.UnsupportedCapabilityException;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.ListEntry;
import dev.kchannel.api.message.ListPart;
import dev.kchannel.api.message.MessageCodec;
import dev.kchannel.api.message.StatsReply;
import dev.kchannel.api.message.TransportId;
import dev.kchannel.api.message.TransportStats;
import dev.kchannel.cli.Main;
import dev.kchannel.transport.netlink.NetlinkTransport;
import dev.kchannel.transport.procfs.ProcfsTransport;
import dev.kchannel.transport.sockopt.SockoptTransport;
import dev.kchannel.transport.sockopt.raw.InetSocket;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 5's promises for the sockopt transport beyond the contract kit, inside the guest kernel
 * with kchan_core, kchan_netlink, kchan_procfs and kchan_sockopt loaded: state shared with netlink
 * and procfs both ways; what an unprivileged process is refused and still answered; bad option
 * lengths through the raw layer refused with nothing stored; a reply larger than the first buffer
 * arriving whole after size negotiation; a LIST of hundreds of keys paged by cursor; the raw layer
 * against the guest kernel's own options; the CLI with {@code --transport sockopt}; and a channel
 * that outlives a reload of kchan_sockopt.
 */
class SockoptTransportGuestTest {

    private static final List<String> MODULES = List.of("kchan_core", "kchan_netlink", "kchan_procfs", "kchan_sockopt");
    private static final int SIXTEEN_MIB = 16 << 20;

    @BeforeAll
    static void loadModules() {
        GuestShell.loadMissing(MODULES);
    }

    @AfterAll
    static void unloadModules() {
        GuestShell.unloadAll(MODULES);
    }

    private static KernelChannel open() {
        return open(KchannelConfig.builder().transport("sockopt").build());
    }

    private static KernelChannel open(KchannelConfig config) {
        return new SockoptTransport().open(config);
    }

    private static KernelChannel openNetlink() {
        return new NetlinkTransport().open(KchannelConfig.builder().transport("netlink").build());
    }

    private static KernelChannel openProcfs() {
        return new ProcfsTransport().open(KchannelConfig.builder().transport("procfs").build());
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] pattern(int size, int seed) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + seed);
        }
        return bytes;
    }

    private static List<ListEntry> dumpAll(KernelChannel channel) {
        try (Stream<KchanMessage> parts = channel.dump(KchanRequests.list())) {
            return parts.map(ListPart::from).flatMap(part -> part.entries().stream()).collect(Collectors.toList());
        }
    }

    private static long storeEntries(KernelChannel channel) {
        return StatsReply.from(channel.call(KchanRequests.stats())).storeEntries();
    }

    private static ByteBuffer direct(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    }

    /** {@code message} encoded at the start of a direct buffer of {@code size} bytes (zeros after it). */
    private static ByteBuffer encodedIn(KchanMessage message, int size) {
        ByteBuffer buffer = direct(size);
        ByteBuffer encoded = MessageCodec.encode(message);
        buffer.put(encoded.limit(Math.min(encoded.limit(), size)));
        return buffer.clear();
    }

    // ---- 1. shared state ----------------------------------------------------------------------

    @Test
    void aValueSetThroughSockoptIsReadThroughNetlinkAndProcfsAndTheReverse() {
        byte[] throughSockopt = pattern(10_000, 1);
        byte[] throughNetlink = pattern(10_000, 2);
        try (KernelChannel sockopt = open(); KernelChannel netlink = openNetlink(); KernelChannel procfs = openProcfs()) {
            try {
                sockopt.call(KchanRequests.set("sog.cross.sockopt", throughSockopt));
                netlink.call(KchanRequests.set("sog.cross.netlink", throughNetlink));

                assertThat(KchanReplies.value(netlink.call(KchanRequests.get("sog.cross.sockopt")))).isEqualTo(throughSockopt);
                assertThat(KchanReplies.value(procfs.call(KchanRequests.get("sog.cross.sockopt")))).isEqualTo(throughSockopt);
                assertThat(KchanReplies.value(sockopt.call(KchanRequests.get("sog.cross.netlink")))).isEqualTo(throughNetlink);
            } finally {
                netlink.call(KchanRequests.delete("sog.cross.netlink"));
                sockopt.call(KchanRequests.delete("sog.cross.sockopt"));
            }
            assertThatThrownBy(() -> netlink.call(KchanRequests.get("sog.cross.sockopt")))
                    .as("deleted through sockopt, gone for netlink").isInstanceOf(NoSuchEntryException.class);
        }
    }

    // ---- 2. unprivileged ----------------------------------------------------------------------

    @Test
    void anUnprivilegedProcessIsRefusedEveryChangeAndNothingChanges() throws Exception {
        String rootsKey = "sog.nobody.root." + System.nanoTime();
        String nobodysKey = "sog.nobody.own." + System.nanoTime();
        try (KernelChannel channel = open()) {
            channel.call(KchanRequests.set(rootsKey, "root wrote this"));
            try {
                StatsReply before = StatsReply.from(channel.call(KchanRequests.stats()));

                GuestShell.Result run = AsNobody.run(UnprivilegedSockoptClient.class, rootsKey, nobodysKey);

                assertThat(run.ok()).as("the unprivileged client: %s", run.output()).isTrue();
                assertThat(run.output().lines().toList()).as(run.output()).containsSubsequence(
                        "AVAILABLE true",
                        "SET FAIL PermissionDeniedException EPERM",
                        "DELETE FAIL PermissionDeniedException EPERM",
                        "GEN_START FAIL PermissionDeniedException EPERM",
                        "GEN_STOP FAIL PermissionDeniedException EPERM",
                        "ECHO OK from nobody",
                        "GET OK root wrote this",
                        "LIST OK has root's key",
                        "STATS OK entries " + before.storeEntries(),
                        "END");
                StatsReply after = StatsReply.from(channel.call(KchanRequests.stats()));
                assertThat(after.storeEntries()).as("store entries").isEqualTo(before.storeEntries());
                assertThat(after.storeBytes()).as("store bytes").isEqualTo(before.storeBytes());
                assertThat(KchanReplies.value(channel.call(KchanRequests.get(rootsKey)))).isEqualTo(utf8("root wrote this"));
                assertThatThrownBy(() -> channel.call(KchanRequests.get(nobodysKey))).isInstanceOf(NoSuchEntryException.class);
            } finally {
                channel.call(KchanRequests.delete(rootsKey));
            }
        }
    }

    // ---- 3. bad lengths -----------------------------------------------------------------------

    /** One refused set: the errno, and the key still absent. */
    private static void assertSetRefused(InetSocket socket, ByteBuffer buffer, int optlen, Errno errno, String what) {
        KernelErrorException error = catchThrowableOfType(KernelErrorException.class,
                () -> socket.setOptionWithLength(InetSocket.IPPROTO_IP, KchanProtocol.SO_SET, buffer, optlen));
        assertThat(error).as("setsockopt KCHAN_SO_SET with %s", what).isNotNull();
        assertThat(error.errno()).as("errno of setsockopt KCHAN_SO_SET with %s", what).isEqualTo(errno);
    }

    /** One refused get: the errno. */
    private static void assertGetRefused(InetSocket socket, ByteBuffer buffer, int optlen, Errno errno, String what) {
        KernelErrorException error = catchThrowableOfType(KernelErrorException.class,
                () -> socket.getOptionWithLength(InetSocket.IPPROTO_IP, KchanProtocol.SO_GET, buffer, optlen));
        assertThat(error).as("getsockopt KCHAN_SO_GET with %s", what).isNotNull();
        assertThat(error.errno()).as("errno of getsockopt KCHAN_SO_GET with %s", what).isEqualTo(errno);
    }

    @Test
    void badSetLengthsAreInvalidAndStoreNothing() {
        String key = "sog.badlen.set";
        KchanMessage set = KchanRequests.set(key, pattern(100, 3)).withSeq(1);
        int length = set.length();
        try (KernelChannel channel = open(); InetSocket socket = InetSocket.open()) {
            long entries = storeEntries(channel);

            assertSetRefused(socket, encodedIn(set, length), 0, Errno.EINVAL, "optlen 0");
            assertSetRefused(socket, encodedIn(set, length), length - 1, Errno.EINVAL, "optlen one byte short of hdr.len");
            assertSetRefused(socket, encodedIn(set, length + 1), length + 1, Errno.EINVAL, "optlen one byte past hdr.len");
            assertSetRefused(socket, encodedIn(set, KchanProtocol.MSG_MAX + 1), KchanProtocol.MSG_MAX + 1, Errno.EINVAL,
                    "optlen KCHAN_MSG_MAX + 1");
            assertSetRefused(socket, encodedIn(set, SIXTEEN_MIB), SIXTEEN_MIB, Errno.EINVAL, "optlen 16 MiB");
            assertSetRefused(socket, encodedIn(set, length), -1, Errno.EINVAL, "optlen -1");
            KchanMessage wrongCommand = KchanMessage.builder(Command.GET).seq(1)
                    .attributes(set.attributes()).build();
            assertSetRefused(socket, encodedIn(wrongCommand, length), length, Errno.EINVAL, "hdr.cmd GET");
            KernelErrorException wrongCall = catchThrowableOfType(KernelErrorException.class,
                    () -> socket.getOption(InetSocket.IPPROTO_IP, KchanProtocol.SO_SET, encodedIn(set, length)));
            assertThat(wrongCall.errno()).as("KCHAN_SO_SET through getsockopt").isEqualTo(Errno.ENOPROTOOPT);

            assertThatThrownBy(() -> channel.call(KchanRequests.get(key))).isInstanceOf(NoSuchEntryException.class);
            assertThat(storeEntries(channel)).as("store entries").isEqualTo(entries);

            // The same socket and message with the right length are taken: the refusals were the lengths'.
            socket.setOption(InetSocket.IPPROTO_IP, KchanProtocol.SO_SET, encodedIn(set, length));
            assertThat(KchanReplies.value(channel.call(KchanRequests.get(key)))).isEqualTo(pattern(100, 3));
            channel.call(KchanRequests.delete(key));
        }
    }

    @Test
    void badGetLengthsAreInvalidWhileALargerBufferIsJustRoom() {
        String key = "sog.badlen.get";
        KchanMessage get = KchanRequests.get(key).withSeq(7);
        int length = get.length();
        try (KernelChannel channel = open(); InetSocket socket = InetSocket.open()) {
            channel.call(KchanRequests.set(key, "answered"));
            try {
                long entries = storeEntries(channel);

                assertGetRefused(socket, encodedIn(get, length), 0, Errno.EINVAL, "*optlen 0");
                assertGetRefused(socket, encodedIn(get, length), length - 1, Errno.EINVAL, "*optlen one byte short of hdr.len");
                assertGetRefused(socket, encodedIn(get, length), -1, Errno.EINVAL, "*optlen -1");
                KchanMessage hugeHeader = KchanMessage.builder(Command.GET).seq(7).attributes(get.attributes()).build();
                ByteBuffer huge = encodedIn(hugeHeader, SIXTEEN_MIB);
                huge.putInt(12, SIXTEEN_MIB);
                assertGetRefused(socket, huge, SIXTEEN_MIB, Errno.EINVAL, "hdr.len and *optlen 16 MiB");
                ByteBuffer tooLong = encodedIn(hugeHeader, KchanProtocol.MSG_MAX + 1);
                tooLong.putInt(12, KchanProtocol.MSG_MAX + 1);
                assertGetRefused(socket, tooLong, KchanProtocol.MSG_MAX + 1, Errno.EINVAL, "hdr.len KCHAN_MSG_MAX + 1");
                KchanMessage wrongCommand = KchanMessage.builder(Command.ECHO).seq(7).build();
                assertGetRefused(socket, encodedIn(wrongCommand, 64), 64, Errno.EINVAL, "hdr.cmd ECHO");
                KernelErrorException wrongCall = catchThrowableOfType(KernelErrorException.class,
                        () -> socket.setOption(InetSocket.IPPROTO_IP, KchanProtocol.SO_GET, encodedIn(get, length)));
                assertThat(wrongCall.errno()).as("KCHAN_SO_GET through setsockopt").isEqualTo(Errno.ENOPROTOOPT);

                // A buffer larger than the request is room for the reply: 16 MiB, or one byte more
                // than the reply needs.
                ByteBuffer huge16 = encodedIn(get, SIXTEEN_MIB);
                int replyLength = socket.getOption(InetSocket.IPPROTO_IP, KchanProtocol.SO_GET, huge16);
                assertThat(replyLength).as("reply length").isGreaterThan(length).isLessThan(SIXTEEN_MIB);
                ByteBuffer oneMore = encodedIn(get, replyLength + 1);
                assertThat(socket.getOption(InetSocket.IPPROTO_IP, KchanProtocol.SO_GET, oneMore)).isEqualTo(replyLength);
                for (ByteBuffer roomy : List.of(huge16, oneMore)) {
                    KchanMessage reply = MessageCodec.decode(roomy.limit(replyLength));
                    assertThat(reply.seq()).isEqualTo(7);
                    assertThat(KchanReplies.value(reply)).as("value through a %d-byte buffer", roomy.capacity())
                            .isEqualTo(utf8("answered"));
                }
                // One byte past hdr.len but short of the reply: no error, the size negotiation.
                ByteBuffer pastRequest = encodedIn(get, length + 1);
                assertThat(socket.getOption(InetSocket.IPPROTO_IP, KchanProtocol.SO_GET, pastRequest)).isEqualTo(replyLength);
                assertThat(pastRequest.getInt(8)).as("status of a reply that does not fit").isEqualTo(-Errno.ERANGE.number());
                assertThat(pastRequest.getInt(12)).as("len of a reply that does not fit").isEqualTo(replyLength);
                assertThat(storeEntries(channel)).as("store entries").isEqualTo(entries);
            } finally {
                channel.call(KchanRequests.delete(key));
            }
        }
    }

    // ---- 4. size negotiation ------------------------------------------------------------------

    @Test
    void aValueLargerThanTheFirstBufferArrivesWholeAfterTheRangeAnswer() {
        String key = "sog.large";
        byte[] value = pattern(60_000, 5);
        KchannelConfig small = KchannelConfig.builder().transport("sockopt").setting("sockopt", "initial-buffer", "64").build();
        try (KernelChannel channel = open(small); InetSocket socket = InetSocket.open()) {
            channel.call(KchanRequests.set(key, value));
            try {
                assertThat(KchanReplies.value(channel.call(KchanRequests.get(key)))).isEqualTo(value);

                // What the channel saw first: the reply's header alone, status -ERANGE, len the size needed.
                KchanMessage get = KchanRequests.get(key).withSeq(9);
                ByteBuffer first = encodedIn(get, 64);
                int needed = socket.getOption(InetSocket.IPPROTO_IP, KchanProtocol.SO_GET, first);
                assertThat(needed).as("*optlen after a 64-byte get").isGreaterThan(60_000).isLessThanOrEqualTo(KchanProtocol.MSG_MAX);
                assertThat(first.getShort(0) & 0xffff).as("hdr.cmd").isEqualTo(KchanProtocol.CMD_GET);
                assertThat(first.getShort(2) & KchanProtocol.F_REPLY).as("REPLY flag").isEqualTo(KchanProtocol.F_REPLY);
                assertThat(first.getInt(4)).as("hdr.seq").isEqualTo(9);
                assertThat(first.getInt(8)).as("hdr.status").isEqualTo(-Errno.ERANGE.number());
                assertThat(first.getInt(12)).as("hdr.len").isEqualTo(needed);

                ByteBuffer exact = encodedIn(get, needed);
                assertThat(socket.getOption(InetSocket.IPPROTO_IP, KchanProtocol.SO_GET, exact)).isEqualTo(needed);
                KchanMessage reply = MessageCodec.decode(exact);
                assertThat(reply.status()).isZero();
                assertThat(KchanReplies.value(reply)).isEqualTo(value);
            } finally {
                channel.call(KchanRequests.delete(key));
            }
        }
    }

    // ---- 5. listing ---------------------------------------------------------------------------

    @Test
    void aListOfHundredsOfKeysIsPagedByCursorCompleteAndInOrder() {
        int count = 300;
        List<String> keys = new ArrayList<>();
        try (KernelChannel channel = open()) {
            try {
                for (int i = 0; i < count; i++) {
                    String key = String.format(Locale.ROOT, "sog.list.%04d", i);
                    keys.add(key);
                    channel.call(KchanRequests.set(key, pattern(200, i)));
                }
                List<KchanMessage> parts;
                try (Stream<KchanMessage> stream = channel.dump(KchanRequests.list())) {
                    parts = stream.collect(Collectors.toList());
                }
                List<ListEntry> ours = parts.stream().map(ListPart::from).flatMap(part -> part.entries().stream())
                        .filter(entry -> entry.keyAsString().startsWith("sog.list.")).collect(Collectors.toList());

                assertThat(parts.size()).as("LIST parts for %d x 200-byte values", count).isGreaterThan(1);
                assertThat(ours).extracting(ListEntry::keyAsString).containsExactlyElementsOf(keys);
                for (int i = 0; i < count; i++) {
                    assertThat(ours.get(i).value()).as("value of %s", keys.get(i)).isEqualTo(pattern(200, i));
                }
            } finally {
                for (String key : keys) {
                    channel.call(KchanRequests.delete(key));
                }
            }
        }
    }

    // ---- 6. the raw layer against the guest kernel's own options ------------------------------

    @Test
    void theRawLayerReadsAndSetsTheGuestKernelsOwnOptions() {
        try (InetSocket socket = InetSocket.open()) {
            socket.setIntOption(InetSocket.SOL_SOCKET, InetSocket.SO_RCVBUF, 8192);
            assertThat(socket.getIntOption(InetSocket.SOL_SOCKET, InetSocket.SO_RCVBUF)).as("SO_RCVBUF, doubled").isEqualTo(16384);
            socket.setIntOption(InetSocket.IPPROTO_IP, InetSocket.IP_TTL, 42);
            assertThat(socket.getIntOption(InetSocket.IPPROTO_IP, InetSocket.IP_TTL)).isEqualTo(42);
            assertThat(socket.getIntOption(InetSocket.SOL_SOCKET, InetSocket.SO_TYPE)).as("SO_TYPE").isEqualTo(2);
            // Just past kchan_sockopt's range: no module serves it.
            KernelErrorException unknown = catchThrowableOfType(KernelErrorException.class,
                    () -> socket.getOption(InetSocket.IPPROTO_IP, KchanProtocol.SO_MAX + 1, direct(64)));
            assertThat(unknown.errno()).isEqualTo(Errno.ENOPROTOOPT);
        }
    }

    // ---- 7. the CLI ----------------------------------------------------------------------------

    /** What one in-process CLI run printed and returned. */
    record Run(int status, String out, String err) {
    }

    private static Run kchan(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> argv = new ArrayList<>(List.of("--transport", "sockopt"));
        argv.addAll(List.of(args));
        int status = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theCliWorksWithTransportSockopt() {
        try (KernelChannel channel = open()) {
            for (ListEntry entry : dumpAll(channel)) {
                channel.call(KchanRequests.delete(entry.key()));
            }

            assertThat(kchan("set", "cli/greeting", "hello sockopt")).isEqualTo(new Run(0, "", ""));
            assertThat(kchan("--hex", "set", "636c692f62696e", "00ff0a")).isEqualTo(new Run(0, "", ""));
            assertThat(kchan("get", "cli/greeting")).isEqualTo(new Run(0, "hello sockopt\n", ""));
            assertThat(kchan("get", "cli/bin")).isEqualTo(new Run(0, "hex:00ff0a\n", ""));
            assertThat(kchan("list")).isEqualTo(new Run(0, "cli/bin\thex:00ff0a\ncli/greeting\thello sockopt\n", ""));
            assertThat(kchan("echo", "through getsockopt")).isEqualTo(new Run(0, "through getsockopt\n", ""));
            assertThat(kchan("delete", "cli/bin")).isEqualTo(new Run(0, "", ""));
            assertThat(kchan("list")).isEqualTo(new Run(0, "cli/greeting\thello sockopt\n", ""));

            NoSuchEntryException missing = catchThrowableOfType(NoSuchEntryException.class,
                    () -> channel.call(KchanRequests.get("cli/bin")));
            assertThat(missing.getMessage()).startsWith("sockopt: GET failed: ENOENT (2)");
            assertThat(kchan("get", "cli/bin")).isEqualTo(new Run(4, "", "kchan: " + missing.getMessage() + "\n"));

            // The CLI's stats are the SPI's STATS taken just before, but for two more sockopt
            // requests: that STATS itself (counted once answered) and the availability probe's
            // STATS get, which selecting the transport by name makes before the CLI's own.
            StatsReply before = StatsReply.from(channel.call(KchanRequests.stats()));
            Run stats = kchan("stats");
            StringBuilder expected = new StringBuilder()
                    .append("store.entries\t").append(before.storeEntries()).append('\n')
                    .append("store.bytes\t").append(before.storeBytes()).append('\n');
            for (TransportStats t : before.transports()) {
                String name = t.transport().name().toLowerCase(Locale.ROOT);
                long requests = t.requests() + (t.transport() == TransportId.SOCKOPT ? 2 : 0);
                expected.append(name).append(".requests\t").append(requests).append('\n')
                        .append(name).append(".errors\t").append(t.errors()).append('\n')
                        .append(name).append(".events\t").append(t.events()).append('\n')
                        .append(name).append(".drops\t").append(t.drops()).append('\n');
            }
            assertThat(stats).isEqualTo(new Run(0, expected.toString(), ""));
            assertThat(before.storeEntries()).isEqualTo(1);
            channel.call(KchanRequests.delete("cli/greeting"));

            // No kernel push: watch fails at once with the transport's own explanation, exit 1.
            UnsupportedCapabilityException noPush = catchThrowableOfType(UnsupportedCapabilityException.class,
                    () -> channel.subscribe(event -> { }));
            assertThat(noPush.getMessage()).contains("does not support KERNEL_PUSH", "netlink, procfs or chardev");
            assertThat(kchan("watch", "--count", "1")).isEqualTo(new Run(1, "", "kchan: " + noPush.getMessage() + "\n"));
        }
    }

    // ---- 8. reload ----------------------------------------------------------------------------

    @Test
    void aChannelOutlivesAReloadOfKchanSockopt() {
        try (KernelChannel channel = open()) {
            assertThat(KchanReplies.payload(channel.call(KchanRequests.echo(utf8("before"))))).isEqualTo(utf8("before"));

            GuestShell.Result removed = GuestShell.rmmod("kchan_sockopt");
            assertThat(removed.ok()).as("rmmod kchan_sockopt with a channel open: %s", removed.output()).isTrue();
            try {
                assertThatThrownBy(() -> channel.call(KchanRequests.echo(utf8("while gone"))))
                        .isInstanceOfSatisfying(TransportUnavailableException.class,
                                e -> assertThat(e.reason()).startsWith("kernel module kchan_sockopt is not loaded"));
                assertThatThrownBy(() -> channel.call(KchanRequests.set("sog.gone", "x")))
                        .isInstanceOf(TransportUnavailableException.class);
                assertThat(new SockoptTransport().availability().reason()).startsWith("kernel module kchan_sockopt is not loaded");
            } finally {
                GuestShell.loadMissing(MODULES);
            }

            assertThat(KchanReplies.payload(channel.call(KchanRequests.echo(utf8("after"))))).isEqualTo(utf8("after"));
        }
    }
}
