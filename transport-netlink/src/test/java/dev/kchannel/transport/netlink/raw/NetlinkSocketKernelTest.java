// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.MalformedMessageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link NetlinkSocket} against the running kernel: ports, options, receiving, closing. */
class NetlinkSocketKernelTest {

    @BeforeEach
    void linux() {
        KernelAvailable.assumeLinux();
    }

    @Test
    void opensAnyProtocolUnitWithAKernelAssignedPort() {
        try (NetlinkSocket route = NetlinkSocket.open(Netlink.NETLINK_ROUTE);
                NetlinkSocket generic = NetlinkSocket.open(Netlink.NETLINK_GENERIC)) {
            assertThat(route.protocol()).isEqualTo(Netlink.NETLINK_ROUTE);
            assertThat(generic.protocol()).isEqualTo(Netlink.NETLINK_GENERIC);
            assertThat(route.portId()).isNotZero();
            assertThat(generic.portId()).isNotZero();
            assertThat(route.isOpen()).isTrue();
        }
    }

    @Test
    void aThousandSocketsOpenAtOnceHaveAThousandDistinctPortIds() {
        List<NetlinkSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                sockets.add(NetlinkSocket.open(Netlink.NETLINK_ROUTE));
            }
            Set<Integer> ports = new HashSet<>();
            sockets.forEach(s -> ports.add(s.portId()));

            assertThat(ports).hasSize(1000).doesNotContain(0);
        } finally {
            sockets.forEach(NetlinkSocket::close);
        }
    }

    @Test
    void protocolUnitNobodyServesIsRefusedByTheKernel() {
        // Unit 1 is NETLINK_UNUSED: no kernel subsystem ever registers it.
        assertThatThrownBy(() -> NetlinkSocket.open(1)).isInstanceOfSatisfying(KernelErrorException.class, e -> {
            assertThat(e.errno()).isEqualTo(Errno.EPROTONOSUPPORT);
            assertThat(e.transport()).hasValue("netlink");
        });
        assertThatThrownBy(() -> NetlinkSocket.open(32)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void receiveWithNothingWaitingTimesOutEmpty() {
        try (NetlinkSocket socket = NetlinkSocket.open(Netlink.NETLINK_ROUTE)) {
            assertThat(socket.receive(Duration.ofMillis(20))).isEmpty();
            assertThat(socket.awaitReadable(Duration.ZERO)).isFalse();
        }
    }

    @Test
    void sendsARequestAndReceivesTheKernelsAck() {
        try (NetlinkSocket socket = NetlinkSocket.open(Netlink.NETLINK_ROUTE)) {
            socket.send(NetlinkMessage.builder(Netlink.NLMSG_NOOP)
                    .flags(Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK).seq(5).pid(socket.portId()).build());

            assertThat(socket.awaitReadable(Duration.ofSeconds(30))).isTrue();
            Datagram datagram = socket.receive();

            assertThat(datagram.fromKernel()).isTrue();
            assertThat(datagram.groups()).isZero();
            NetlinkMessage ack = datagram.messages().get(0);
            assertThat(ack.seq()).isEqualTo(5);
            assertThat(ack.pid()).isEqualTo(socket.portId());
            assertThat(NetlinkError.of(ack).isAck()).isTrue();
        }
    }

    @Test
    void aDeclaredLargestDatagramIsReceivedWholeAndALargerOneIsAnErrorNotAPart() {
        try (NetlinkSocket socket = NetlinkSocket.open(Netlink.NETLINK_ROUTE)) {
            NetlinkMessage noop = NetlinkMessage.builder(Netlink.NLMSG_NOOP)
                    .flags(Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK).seq(7).pid(socket.portId()).build();
            socket.setLargestDatagram(4096);
            socket.send(noop);

            assertThat(NetlinkError.of(socket.receive().messages().get(0)).isAck()).isTrue();

            // The ack (error header plus the echoed 16-byte request) is longer than 16 bytes.
            socket.setLargestDatagram(Netlink.NLMSG_HDRLEN);
            socket.send(noop);
            assertThatThrownBy(socket::receive).isInstanceOf(MalformedMessageException.class)
                    .hasMessageContaining("exceeded the 16 bytes declared as the largest");
            assertThatThrownBy(() -> socket.setLargestDatagram(8)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aVisitorReadsTheDatagramInPlaceWithoutACopy() {
        try (NetlinkSocket socket = NetlinkSocket.open(Netlink.NETLINK_ROUTE)) {
            socket.send(NetlinkMessage.builder(Netlink.NLMSG_NOOP)
                    .flags(Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK).seq(9).pid(socket.portId()).build());
            List<String> seen = new ArrayList<>();

            boolean received = socket.receive(Duration.ofSeconds(30), (sender, groups, bytes) -> {
                seen.add("sender " + sender + " groups " + groups + " direct " + bytes.isDirect());
                seen.add("messages " + NetlinkCodec.validate(bytes));
                seen.add("seq " + bytes.getInt(8) + " error " + bytes.getInt(16));
            });

            assertThat(received).isTrue();
            assertThat(seen).containsExactly("sender 0 groups 0 direct true", "messages 1", "seq 9 error 0");
            assertThat(socket.receive(Duration.ofMillis(20), (sender, groups, bytes) -> seen.add("more"))).isFalse();
        }
    }

    @Test
    void tryReceiveShowsTheFilterTheSenderAndFirstSeqBeforeTakingTheDatagram() {
        try (NetlinkSocket socket = NetlinkSocket.open(Netlink.NETLINK_ROUTE)) {
            assertThat(socket.tryReceive((sender, groups, bytes) -> { }, DatagramFilter.ALL)).isEqualTo(NetlinkSocket.EMPTY);
            socket.send(NetlinkMessage.builder(Netlink.NLMSG_NOOP)
                    .flags(Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK).seq(77).pid(socket.portId()).build());
            assertThat(socket.awaitReadable(Duration.ofSeconds(30))).isTrue();
            List<String> seen = new ArrayList<>();

            assertThat(socket.tryReceive((sender, groups, bytes) -> seen.add("visited"), (sender, groups, seq) -> {
                seen.add("offered seq " + seq + " from " + sender);
                return false;
            })).isEqualTo(NetlinkSocket.LEFT);
            assertThat(socket.tryReceive((sender, groups, bytes) -> seen.add("visited seq " + bytes.getInt(8)),
                    (sender, groups, seq) -> seq == 77)).isEqualTo(NetlinkSocket.TAKEN);
            assertThat(socket.tryReceive((sender, groups, bytes) -> seen.add("more"), DatagramFilter.ALL))
                    .isEqualTo(NetlinkSocket.EMPTY);

            assertThat(seen).containsExactly("offered seq 77 from 0", "visited seq 77");
        }
    }

    @Test
    void datagramLargerThanTheInitialBufferArrivesWhole() {
        // rtnetlink refuses an unknown message type with EOPNOTSUPP and, without NETLINK_CAP_ACK,
        // echoes the whole 60 KiB request: a reply of about 60 KiB, past the 32 KiB buffer.
        byte[] payload = new byte[60 * 1024];
        payload[payload.length - 1] = 0x5A;
        try (NetlinkSocket socket = NetlinkSocket.open(Netlink.NETLINK_ROUTE)) {
            socket.send(NetlinkMessage.builder(0x7FFF).flags(Netlink.NLM_F_REQUEST).seq(1).payload(payload).build());

            Datagram datagram = socket.receive();
            NetlinkError error = NetlinkError.of(datagram.messages().get(0));

            assertThat(datagram.length()).isGreaterThan(payload.length);
            assertThat(error.error()).isEqualTo(-Errno.EOPNOTSUPP.number());
            assertThat(error.echoedRequest()).hasValueSatisfying(echo -> {
                assertThat(echo).hasSize(16 + payload.length);
                assertThat(echo[echo.length - 1]).isEqualTo((byte) 0x5A);
            });
        }
    }

    @Test
    void closeFromAnotherThreadWakesABlockedReceive() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        NetlinkSocket socket = NetlinkSocket.open(Netlink.NETLINK_ROUTE);
        try {
            Future<Datagram> blocked = executor.submit(() -> socket.receive());
            // Wait until the receive is under way: nothing will ever arrive for it.
            while (socket.callsInFlight() == 0 && !blocked.isDone()) {
                Thread.onSpinWait();
            }

            socket.close();

            // The bound only keeps a broken build from hanging; the assertion is about the outcome.
            assertThatThrownBy(() -> blocked.get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(ChannelClosedException.class);
            assertThat(socket.isOpen()).isFalse();
            assertThat(socket.callsInFlight()).as("descriptors freed by the last call out").isZero();
        } finally {
            executor.shutdownNow();
            socket.close();
        }
    }

    @Test
    void closeIsIdempotentAndLaterCallsThrowChannelClosed() {
        NetlinkSocket socket = NetlinkSocket.open(Netlink.NETLINK_GENERIC);
        socket.close();
        socket.close();

        assertThat(socket.isOpen()).isFalse();
        assertThatThrownBy(socket::receive).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> socket.receive(Duration.ZERO)).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> socket.send(NetlinkMessage.builder(1).build()))
                .isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> socket.joinGroup(1)).isInstanceOf(ChannelClosedException.class);
    }

    @Test
    void joinsAndLeavesMulticastGroups() {
        // nlctrl's "notify" group is 16 (GENL_ID_CTRL) on every kernel and needs no privilege.
        try (NetlinkSocket socket = NetlinkSocket.open(Netlink.NETLINK_GENERIC)) {
            socket.joinGroup(16);
            assertThat(socket.groups()).containsExactly(16);

            socket.leaveGroup(16);
            assertThat(socket.groups()).isEmpty();
        }
    }

    @Test
    void netlinkOptionsCanBeSetAndReadBack() {
        try (NetlinkSocket socket = NetlinkSocket.open(Netlink.NETLINK_ROUTE)) {
            socket.setExtendedAck(true);
            socket.setCapAck(true);
            socket.setStrictChecking(true);
            socket.setNoEnobufs(true);

            assertThat(socket.option(Netlink.SOL_NETLINK, Netlink.NETLINK_EXT_ACK)).isEqualTo(1);
            assertThat(socket.option(Netlink.SOL_NETLINK, Netlink.NETLINK_CAP_ACK)).isEqualTo(1);
            assertThat(socket.option(Netlink.SOL_NETLINK, Netlink.NETLINK_GET_STRICT_CHK)).isEqualTo(1);
            assertThat(socket.option(Netlink.SOL_NETLINK, Netlink.NETLINK_NO_ENOBUFS)).isEqualTo(1);

            socket.setExtendedAck(false);
            assertThat(socket.option(Netlink.SOL_NETLINK, Netlink.NETLINK_EXT_ACK)).isZero();
        }
    }

    @Test
    void receiveBufferGrowsToAtLeastWhatWasAsked() {
        try (NetlinkSocket socket = NetlinkSocket.open(Netlink.NETLINK_ROUTE)) {
            int size = socket.setReceiveBufferSize(1 << 20);

            // With CAP_NET_ADMIN the kernel doubles the request; without it SO_RCVBUF is capped
            // at net.core.rmem_max, so only the privileged result is certain.
            assertThat(size).isEqualTo(socket.receiveBufferSize()).isPositive();
            if (isRoot()) {
                assertThat(size).isGreaterThanOrEqualTo(1 << 20);
            }
        }
    }

    @Test
    void sendRefusedByTheKernelThrowsItsErrno() {
        try (NetlinkSocket socket = NetlinkSocket.open(Netlink.NETLINK_ROUTE)) {
            socket.setOption(Syscalls.SOL_SOCKET, Syscalls.SO_SNDBUF, 4096);
            NetlinkMessage tooBig = NetlinkMessage.builder(Netlink.NLMSG_NOOP).flags(Netlink.NLM_F_REQUEST)
                    .payload(new byte[64 * 1024]).build();

            // netlink refuses a datagram larger than the send buffer outright.
            assertThatThrownBy(() -> socket.send(tooBig)).isInstanceOfSatisfying(KernelErrorException.class, e -> {
                assertThat(e.errno()).isEqualTo(Errno.EMSGSIZE);
                assertThat(e.operation()).hasValue("sendto");
                assertThat(e.transport()).hasValue("netlink");
            });
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
