// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.Errno;
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
import dev.kchannel.transport.netlink.NetlinkTransport;
import dev.kchannel.transport.netlink.raw.NetlinkError;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests over kchan_netlink's raw protocol unit, spoken with the raw netlink layer and the api's
 * kchan codec ({@link RawUnitClient}): every command answered by one REPLY carrying the whole kchan
 * reply, state shared with the Generic Netlink family, bad input refused with its errno and
 * extended-ack text (framing by {@code NLMSG_ERROR} before queueing, the rest by the reply's
 * status), and an unprivileged sender kept from changing anything.
 */
class NetlinkRawUnitGuestTest {

    private static final List<String> MODULES = GuestShell.NETLINK_MODULES;
    /** {@code <asm-generic/socket.h>}: lets root set a send buffer above wmem_max. */
    private static final int SOL_SOCKET = 1;
    private static final int SO_SNDBUFFORCE = 32;

    @BeforeAll
    static void loadModules() {
        GuestShell.loadMissing(MODULES);
    }

    @AfterAll
    static void unloadModules() {
        GuestShell.unloadAll(MODULES);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] pattern(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + seed);
        }
        return bytes;
    }

    private static TransportStats netlinkStats(RawUnitClient raw) {
        StatsReply stats = StatsReply.from(raw.callOk(KchanRequests.stats()));
        return stats.transport(TransportId.NETLINK).orElseThrow(() -> new AssertionError("no netlink counters: " + stats));
    }

    private static KernelChannel genl() {
        return new NetlinkTransport().open(KchannelConfig.builder().transport("netlink")
                .callTimeout(Duration.ofSeconds(30)).build());
    }

    // ---- requests -----------------------------------------------------------------------------

    @Test
    void echoOfSmallAndLargePayloadsComesBackInOneReplyMessage() {
        try (RawUnitClient raw = RawUnitClient.open()) {
            assertThat(raw.portId()).as("the kernel-assigned port id").isNotZero();
            for (int length : List.of(64, 60_000)) {
                byte[] payload = pattern(length, length);
                KchanMessage request = KchanRequests.echo(payload);

                int seq = raw.sendRequest(request);
                NetlinkMessage answer = raw.awaitAnswer(seq);

                assertThat(answer.type()).as("nlmsg_type of the answer to ECHO %d", length)
                        .isEqualTo(KchanProtocol.RAW_MSG_REPLY);
                assertThat(answer.seq()).isEqualTo(seq);
                assertThat(answer.pid()).as("nlmsg_pid: the requester").isEqualTo(raw.portId());
                KchanMessage reply = MessageCodec.decode(answer.payloadBytes());
                assertThat(reply.isReply()).isTrue();
                assertThat(reply.command()).isEqualTo(Command.ECHO);
                assertThat(reply.seq()).as("kchan seq").isEqualTo(seq);
                assertThat(reply.status()).isZero();
                assertThat(answer.payloadLength()).as("the whole kchan reply, header included")
                        .isEqualTo(reply.length());
                assertThat(KchanReplies.payload(reply)).as("ECHO of %d bytes", length).isEqualTo(payload);
            }
        }
    }

    @Test
    void setGetDeleteOverTheRawUnit() {
        String key = "nlraw.kv." + System.nanoTime();
        byte[] value = pattern(3000, 7);
        try (RawUnitClient raw = RawUnitClient.open()) {
            KchanMessage set = raw.callOk(KchanRequests.set(key, value));
            assertThat(set.attributes().isEmpty()).as("SET reply attributes").isTrue();

            KchanMessage get = raw.callOk(KchanRequests.get(key));
            assertThat(get.attributes().require(KchanProtocol.ATTR_KEY).bytes()).isEqualTo(utf8(key));
            assertThat(KchanReplies.value(get)).isEqualTo(value);

            raw.callOk(KchanRequests.delete(key));
            KchanMessage gone = raw.call(KchanRequests.get(key));
            assertThat(gone.errno()).as("GET after DELETE").hasValue(Errno.ENOENT);
            assertThat(gone.attributes().first(KchanProtocol.ATTR_ERRATTR).map(a -> a.u32()))
                    .hasValue((long) KchanProtocol.ATTR_KEY);
        }
    }

    @Test
    void listPagesByCursorOverTheRawUnit() {
        String prefix = "nlraw.list." + System.nanoTime() + ".";
        // 12 x 6,000 bytes: more than one part at list_reply_max 32768.
        List<String> keys = new ArrayList<>();
        try (RawUnitClient raw = RawUnitClient.open()) {
            for (int i = 0; i < 12; i++) {
                String key = prefix + String.format("%02d", i);
                raw.callOk(KchanRequests.set(key, pattern(6_000, i)));
                keys.add(key);
            }
            List<ListEntry> seen = new ArrayList<>();
            int parts = 0;
            // The prefix sorts before every key it starts: LIST resumes strictly after it.
            byte[] cursor = utf8(prefix);
            while (true) {
                ListPart part = ListPart.from(raw.callOk(KchanRequests.list(cursor)));
                parts++;
                List<ListEntry> ours = part.entries().stream().filter(e -> e.keyAsString().startsWith(prefix)).toList();
                seen.addAll(ours);
                if (parts == 1) {
                    assertThat(part.hasMore()).as("the first part has MORE").isTrue();
                    assertThat(part.cursor()).as("its CURSOR is its last key")
                            .hasValueSatisfying(c -> assertThat(c).isEqualTo(part.entries().get(part.entries().size() - 1).key()));
                }
                if (!part.hasMore() || ours.size() < part.entries().size()) {
                    break;
                }
                cursor = part.cursor().orElseThrow();
            }

            assertThat(parts).as("LIST parts").isGreaterThan(1);
            assertThat(seen.stream().map(ListEntry::keyAsString).toList()).isEqualTo(keys);
            for (int i = 0; i < keys.size(); i++) {
                assertThat(seen.get(i).value()).as("value of %s", keys.get(i)).isEqualTo(pattern(6_000, i));
            }
            for (String key : keys) {
                raw.callOk(KchanRequests.delete(key));
            }
        }
    }

    @Test
    void stateIsSharedWithTheGenericNetlinkFamily() {
        String viaRaw = "nlraw.shared.raw." + System.nanoTime();
        String viaGenl = "nlraw.shared.genl." + System.nanoTime();
        try (RawUnitClient raw = RawUnitClient.open(); KernelChannel channel = genl()) {
            raw.callOk(KchanRequests.set(viaRaw, "set over the raw unit"));
            assertThat(KchanReplies.value(channel.call(KchanRequests.get(viaRaw))))
                    .as("GET over Generic Netlink").isEqualTo(utf8("set over the raw unit"));

            channel.call(KchanRequests.set(viaGenl, "set over Generic Netlink"));
            assertThat(KchanReplies.value(raw.callOk(KchanRequests.get(viaGenl))))
                    .as("GET over the raw unit").isEqualTo(utf8("set over Generic Netlink"));

            channel.call(KchanRequests.delete(viaRaw));
            raw.callOk(KchanRequests.delete(viaGenl));
            assertThat(raw.call(KchanRequests.get(viaRaw)).errno()).hasValue(Errno.ENOENT);
            assertThat(channel.call(KchanRequests.list()).attributes().all(KchanProtocol.ATTR_ENTRY).stream()
                    .map(e -> e.nested().require(KchanProtocol.ATTR_KEY).string())
                    .filter(k -> k.equals(viaGenl) || k.equals(viaRaw))).isEmpty();
        }
    }

    // ---- bad input ----------------------------------------------------------------------------

    /** A SET of {@code key} whose header's len is off by {@code lie} bytes. */
    private static byte[] setWithLyingLength(String key, int lie) {
        byte[] bytes = MessageCodec.toByteArray(KchanRequests.set(key, "never stored"));
        ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putInt(12, bytes.length + lie);
        return bytes;
    }

    private static void assertRefused(NetlinkError status, Errno errno, String message) {
        assertThat(status.isSuccess()).as("answered %s", status).isFalse();
        assertThat(Errno.fromStatus(status.error())).as("%s", status).isEqualTo(errno);
        assertThat(status.extendedAck().message()).as("extack of %s", status).hasValue(message);
    }

    @Test
    void badInputIsRefusedWithItsErrnoAndMessageAndStoresNothing() {
        String key = "nlraw.bad." + System.nanoTime();
        try (RawUnitClient raw = RawUnitClient.open()) {
            long errorsBefore = netlinkStats(raw).errors();

            // Not kchan at all: refused by input with NLMSG_ERROR, not counted (no request).
            assertRefused(raw.status(0x30, 0, new byte[0]), Errno.EOPNOTSUPP, "unknown message type");
            assertRefused(raw.status(KchanProtocol.RAW_MSG_REPLY, 0, new byte[KchanProtocol.HDR_LEN]),
                    Errno.EOPNOTSUPP, "REPLY and EVENT are sent by the kernel only");
            assertRefused(raw.status(KchanProtocol.RAW_MSG_HELLO, 0, new byte[4]), Errno.EINVAL,
                    "HELLO carries no payload");

            // Requests that are no kchan message: refused before queueing, counted.
            assertRefused(raw.status(KchanProtocol.RAW_MSG_REQUEST, 0, new byte[8]), Errno.EINVAL,
                    "message shorter than the kchan header");
            assertRefused(raw.status(KchanProtocol.RAW_MSG_REQUEST, 0, setWithLyingLength(key, 8)), Errno.EINVAL,
                    "header len differs from message length");
            assertRefused(raw.status(KchanProtocol.RAW_MSG_REQUEST, 0, setWithLyingLength(key, -4)), Errno.EINVAL,
                    "header len differs from message length");
            // One byte past KCHAN_MSG_MAX; the socket's send buffer must hold it to reach the kernel.
            raw.socket().setOption(SOL_SOCKET, SO_SNDBUFFORCE, 2 * KchanProtocol.MSG_MAX);
            byte[] huge = new byte[KchanProtocol.MSG_MAX + 4];
            ByteBuffer.wrap(huge).order(ByteOrder.nativeOrder()).putShort(0, (short) KchanProtocol.CMD_ECHO)
                    .putInt(12, huge.length);
            assertRefused(raw.status(KchanProtocol.RAW_MSG_REQUEST, 0, huge), Errno.EMSGSIZE,
                    "message longer than KCHAN_MSG_MAX");

            // Framed right but invalid: kchan_core answers in the REPLY, with ERRMSG and ERRATTR.
            KchanMessage flagged = raw.call(KchanRequests.set(key, "never stored").toBuilder()
                    .flags(KchanProtocol.F_REPLY).build());
            assertThat(flagged.errno()).as("SET with the REPLY flag: %s", flagged).hasValue(Errno.EINVAL);
            assertThat(flagged.attributes().require(KchanProtocol.ATTR_ERRMSG).string())
                    .isEqualTo("reply or event flag set in a request");
            byte[] longKey = new byte[KchanProtocol.KEY_MAX + 1];
            Arrays.fill(longKey, (byte) 'k');
            KchanMessage tooLong = raw.call(KchanMessage.builder(Command.SET).bytes(KchanProtocol.ATTR_KEY, longKey)
                    .bytes(KchanProtocol.ATTR_VALUE, utf8("never")).build());
            assertThat(tooLong.errno()).as("SET with a 65-byte key: %s", tooLong).hasValue(Errno.ERANGE);
            assertThat(tooLong.attributes().require(KchanProtocol.ATTR_ERRATTR).u32()).isEqualTo(KchanProtocol.ATTR_KEY);

            // Nothing was stored, and each refused request counted once as an error.
            KchanMessage get = raw.call(KchanRequests.get(key));
            assertThat(get.errno()).as("GET of the key the refused SETs named").hasValue(Errno.ENOENT);
            KchanMessage getLong = raw.call(KchanRequests.get(Arrays.copyOf(longKey, KchanProtocol.KEY_MAX)));
            assertThat(getLong.errno()).as("GET of the long key cut to 64 bytes").hasValue(Errno.ENOENT);
            // 4 framing refusals, 2 core refusals, 2 GETs answered ENOENT.
            assertThat(netlinkStats(raw).errors() - errorsBefore).as("netlink STAT_ERRORS growth").isEqualTo(8);
        }
    }

    @Test
    void requestsBeyondRawQueueLenAreRefusedWithEnobufsAndTheOthersAnswered() {
        // One request in flight at a time; a datagram of 100 reaches the kernel's input in one go,
        // far faster than a worker answers them, so most find the queue full.
        GuestShell.unloadAll(MODULES);
        GuestShell.loadMissing(List.of("kchan_core"));
        GuestShell.Result loaded = GuestShell.insmod("kchan_netlink", "raw_queue_len=1");
        assertThat(loaded.ok()).as("insmod kchan_netlink raw_queue_len=1: %s", loaded.output()).isTrue();
        try (RawUnitClient raw = RawUnitClient.open()) {
            // Room for every answer: a lost one would hang the test instead of failing it.
            raw.socket().setReceiveBufferSize(4 << 20);
            long errorsBefore = netlinkStats(raw).errors();
            int refused = 0;
            int answered = 0;
            // Bounded: a refusal is all but certain in the first batch.
            for (int batch = 0; batch < 10 && refused == 0; batch++) {
                List<KchanMessage> requests = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    requests.add(KchanRequests.echo(pattern(200, batch * 100 + i)));
                }
                int[] seqs = raw.sendRequestsInOneDatagram(requests);
                for (int i = 0; i < seqs.length; i++) {
                    NetlinkMessage answer = raw.awaitAnswer(seqs[i]);
                    if (i == 0) {
                        // The kernel frees a request's place before its reply leaves, and every
                        // earlier reply has arrived: the first request of a batch finds room.
                        assertThat(answer.isError()).as("first request of batch %d: %s", batch, answer).isFalse();
                    }
                    if (answer.isError()) {
                        assertRefused(NetlinkError.of(answer), Errno.ENOBUFS,
                                "request queue full (raw_queue_len/raw_queue_bytes), retry later");
                        refused++;
                    } else {
                        assertThat(answer.type()).isEqualTo(KchanProtocol.RAW_MSG_REPLY);
                        KchanMessage reply = MessageCodec.decode(answer.payloadBytes());
                        assertThat(KchanReplies.payload(reply)).as("ECHO %d of batch %d", i, batch)
                                .isEqualTo(pattern(200, batch * 100 + i));
                        answered++;
                    }
                }
            }
            assertThat(refused).as("requests refused (%d answered)", answered).isPositive();
            assertThat(netlinkStats(raw).errors() - errorsBefore).as("netlink STAT_ERRORS growth").isEqualTo(refused);
        } finally {
            GuestShell.unloadAll(MODULES);
            GuestShell.loadMissing(MODULES);
        }
    }

    // ---- privilege ----------------------------------------------------------------------------

    @Test
    void unprivilegedSenderCannotMutateNorRegisterAnEndpoint() throws Exception {
        String forbidden = "nlraw.nobody." + System.nanoTime();
        String readable = "nlraw.readable." + System.nanoTime();
        try (RawUnitClient raw = RawUnitClient.open()) {
            raw.callOk(KchanRequests.set(readable, "root wrote this"));

            GuestShell.Result run = AsNobody.run(UnprivilegedRawUnitClient.class, forbidden, readable);

            assertThat(run.ok()).as("the unprivileged client: %s", run.output()).isTrue();
            assertThat(run.output().lines().toList()).as(run.output())
                    .contains("SET REPLY -1 EPERM command needs a privileged caller",
                            "GEN_START REPLY -1 EPERM command needs a privileged caller",
                            "ECHO OK from nobody",
                            "GET OK root wrote this",
                            "HELLO NLMSG_ERROR EPERM HELLO needs CAP_NET_ADMIN",
                            "END");
            assertThat(raw.call(KchanRequests.get(forbidden)).errno()).as("GET of the key nobody tried to SET")
                    .hasValue(Errno.ENOENT);
            // Had nobody's 1,000,000-event generator started, this would be EBUSY.
            raw.callOk(KchanRequests.genStart(1, 8, 0));
            raw.callOk(KchanRequests.genStop());
            raw.callOk(KchanRequests.delete(readable));
        }
    }
}
