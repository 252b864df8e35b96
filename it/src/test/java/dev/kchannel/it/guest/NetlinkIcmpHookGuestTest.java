// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kchannel.api.message.EventType;
import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanRequests;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kchan_netlink's ICMP hook: loaded with {@code icmp_events=1}, {@code ping -c N 127.0.0.1} gives a
 * raw-unit endpoint exactly N echo-request and N echo-reply PACKET events, each from and to
 * 127.0.0.1 with ping's echo identifier and sequence numbers; with the default (off), none.
 */
class NetlinkIcmpHookGuestTest {

    private static final String NETLINK = "kchan_netlink";
    private static final List<String> MODULES = GuestShell.NETLINK_MODULES;
    private static final String BUSYBOX = "/usr/bin/busybox";
    private static final int PINGS = 5;
    private static final int ICMP_ECHO_REPLY = 0;
    private static final int ICMP_ECHO = 8;
    private static final Pattern PING_REPLY = Pattern.compile("bytes from 127\\.0\\.0\\.1: seq=(\\d+) ");

    /** One decoded PACKET payload (uapi/kchan.h, KCHAN_PACKET_ICMP). */
    record IcmpPacket(int kind, int type, int code, int zero, InetAddress source, InetAddress destination, int echoId,
            int echoSeq) {

        static IcmpPacket decode(byte[] payload) throws IOException {
            assertThat(payload).as("PACKET payload").hasSize(KchanProtocol.PACKET_ICMP_LEN);
            ByteBuffer bytes = ByteBuffer.wrap(payload); // network byte order
            byte[] source = new byte[4];
            byte[] destination = new byte[4];
            int kind = Byte.toUnsignedInt(bytes.get());
            int type = Byte.toUnsignedInt(bytes.get());
            int code = Byte.toUnsignedInt(bytes.get());
            int zero = Byte.toUnsignedInt(bytes.get());
            bytes.get(source).get(destination);
            return new IcmpPacket(kind, type, code, zero, InetAddress.getByAddress(source),
                    InetAddress.getByAddress(destination), Short.toUnsignedInt(bytes.getShort()),
                    Short.toUnsignedInt(bytes.getShort()));
        }
    }

    /** What one ping run left: its pid, the sequence numbers it printed, the PACKET events seen. */
    record PingRun(long pid, List<Integer> printedSeqs, List<IcmpPacket> packets, KchanEvent marker) {
    }

    @BeforeAll
    static void loopbackUp() {
        GuestShell.Result up = GuestShell.run("ip", "link", "set", "lo", "up");
        assertThat(up.ok()).as("ip link set lo up: %s", up.output()).isTrue();
    }

    @AfterAll
    static void unloadModules() {
        GuestShell.unloadAll(MODULES);
    }

    private static void loadNetlink(String... params) {
        GuestShell.unloadAll(MODULES);
        GuestShell.loadMissing(List.of("kchan_core"));
        GuestShell.Result loaded = GuestShell.insmod(NETLINK, params);
        assertThat(loaded.ok()).as("insmod %s %s: %s", NETLINK, String.join(" ", params), loaded.output()).isTrue();
    }

    /**
     * Registers an endpoint, pings 127.0.0.1, then SETs a marker key: the hook posts each packet's
     * event as the packet arrives, before ping sees its reply, so all of them precede the marker's.
     */
    private static PingRun ping() throws Exception {
        String marker = "nlicmp.marker." + System.nanoTime();
        try (RawUnitClient endpoint = RawUnitClient.open(); RawUnitClient control = RawUnitClient.open()) {
            assertThat(endpoint.hello().isAck()).isTrue();

            Process ping = new ProcessBuilder(BUSYBOX, "ping", "-c", Integer.toString(PINGS), "-i", "0.2", "127.0.0.1")
                    .redirectErrorStream(true).start();
            ping.getOutputStream().close();
            String output = new String(ping.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(ping.waitFor(2, TimeUnit.MINUTES)).as("ping finished").isTrue();
            assertThat(ping.exitValue()).as("busybox ping: %s", output).isZero();
            List<Integer> printed = new ArrayList<>();
            Matcher m = PING_REPLY.matcher(output);
            while (m.find()) {
                printed.add(Integer.parseInt(m.group(1)));
            }

            control.callOk(KchanRequests.set(marker, "after ping"));
            List<IcmpPacket> packets = new ArrayList<>();
            while (true) {
                KchanEvent event = endpoint.nextEvent();
                if (event.type() == EventType.STORE_SET && event.keyAsString().orElse("").equals(marker)) {
                    control.callOk(KchanRequests.delete(marker));
                    return new PingRun(ping.pid(), printed, packets, event);
                }
                assertThat(event.type()).as("event before the marker: %s", event).isEqualTo(EventType.PACKET);
                packets.add(IcmpPacket.decode(event.payload().orElseThrow()));
            }
        }
    }

    @Test
    void pingGivesOneEventPerEchoRequestAndReplyWithItsHeaders() throws Exception {
        loadNetlink("icmp_events=1");
        try {
            assertThat(GuestShell.parameters(NETLINK)).containsEntry("icmp_events", "Y");

            PingRun run = ping();

            List<Integer> expectedSeqs = IntStream.range(0, PINGS).boxed().toList();
            assertThat(run.printedSeqs()).as("what ping printed").isEqualTo(expectedSeqs);
            InetAddress loopback = InetAddress.getByName("127.0.0.1");
            // busybox ping, run as root, uses a raw socket and its pid as the echo identifier.
            int echoId = (int) (run.pid() & 0xFFFF);
            for (int type : List.of(ICMP_ECHO, ICMP_ECHO_REPLY)) {
                List<IcmpPacket> ofType = run.packets().stream().filter(p -> p.type() == type).toList();
                assertThat(ofType).as("type %d events among %s", type, run.packets()).hasSize(PINGS);
                assertThat(ofType).allSatisfy(p -> {
                    assertThat(p.kind()).isEqualTo(KchanProtocol.PACKET_ICMP);
                    assertThat(p.code()).isZero();
                    assertThat(p.zero()).isZero();
                    assertThat(p.source()).isEqualTo(loopback);
                    assertThat(p.destination()).isEqualTo(loopback);
                    assertThat(p.echoId()).as("echo id (pid %d)", run.pid()).isEqualTo(echoId);
                });
                assertThat(ofType.stream().map(IcmpPacket::echoSeq).toList()).as("echo sequence numbers of type %d", type)
                        .isEqualTo(expectedSeqs);
            }
            assertThat(run.packets()).as("nothing but ping's packets").hasSize(2 * PINGS);
            assertThat(run.marker().seq()).as("SEQ of the marker: every event before it arrived")
                    .isEqualTo(2L * PINGS);
            assertThat(run.marker().dropped()).isZero();
        } finally {
            loadNetlink();
        }
    }

    @Test
    void withTheDefaultNoPacketEventIsPosted() throws Exception {
        loadNetlink();
        assertThat(GuestShell.parameters(NETLINK)).containsEntry("icmp_events", "N");

        PingRun run = ping();

        assertThat(run.printedSeqs()).as("ping worked").hasSize(PINGS);
        assertThat(run.packets()).isEmpty();
        assertThat(run.marker().seq()).as("SEQ of the marker: nothing was offered before it, not even lost").isZero();
    }
}
