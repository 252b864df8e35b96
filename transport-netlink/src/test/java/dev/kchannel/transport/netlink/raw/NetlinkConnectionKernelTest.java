// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link NetlinkConnection} against the running kernel's rtnetlink and nlctrl. */
class NetlinkConnectionKernelTest {

    private static final NetlinkMessage NOOP = NetlinkMessage.builder(Netlink.NLMSG_NOOP).build();

    @BeforeEach
    void linux() {
        KernelAvailable.assumeLinux();
    }

    @Test
    void opensWithExtendedAndCappedAcks() {
        try (NetlinkConnection connection = NetlinkConnection.open(Netlink.NETLINK_ROUTE)) {
            NetlinkSocket socket = connection.socket();

            assertThat(socket.option(Netlink.SOL_NETLINK, Netlink.NETLINK_EXT_ACK)).isEqualTo(1);
            assertThat(socket.option(Netlink.SOL_NETLINK, Netlink.NETLINK_CAP_ACK)).isEqualTo(1);
        }
    }

    @Test
    void requestTheKernelOnlyAcknowledgesReturnsTheAck() {
        try (NetlinkConnection connection = NetlinkConnection.open(Netlink.NETLINK_ROUTE)) {
            NetlinkMessage answer = connection.request(NOOP);

            assertThat(NetlinkError.of(answer).isAck()).isTrue();
            assertThat(answer.pid()).isEqualTo(connection.socket().portId());
        }
    }

    @Test
    void aStaleReplyWithAnotherSeqIsSkippedAndCounted() {
        try (NetlinkConnection connection = NetlinkConnection.open(Netlink.NETLINK_ROUTE)) {
            NetlinkSocket socket = connection.socket();
            // A request sent behind the connection's back: its ack (seq 0x7777) arrives first.
            socket.send(NOOP.withSeqAndPid(0x7777, socket.portId())
                    .withFlags(Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK));

            NetlinkMessage answer = connection.request(NOOP);

            assertThat(answer.seq()).isNotEqualTo(0x7777);
            assertThat(connection.skippedMessages()).isEqualTo(1);
        }
    }

    @Test
    void kernelRefusalCarriesTheExtendedAckMessageOffsetAndAttribute() {
        // nlctrl's policy makes CTRL_ATTR_FAMILY_ID (1) a u16; one byte is below its minimum length,
        // which lib/nlattr.c refuses with ERANGE, pointing at the attribute: 16 (nlmsghdr) + 4
        // (genlmsghdr) = offset 20.
        byte[] payload = Wire.bytes().u8(3).u8(2).u16(0).u16(5).u16(1).u8(16).pad().toArray();
        NetlinkMessage request = NetlinkMessage.builder(0x10).payload(payload).build();
        try (NetlinkConnection connection = NetlinkConnection.open(Netlink.NETLINK_GENERIC)) {
            assertThatThrownBy(() -> connection.request(request, "CTRL_CMD_GETFAMILY"))
                    .isInstanceOfSatisfying(KernelErrorException.class, e -> {
                        assertThat(e.errno()).isEqualTo(Errno.ERANGE);
                        assertThat(e.transport()).hasValue("netlink");
                        assertThat(e.extAckMessage()).isPresent();
                        assertThat(e.offendingOffset()).hasValue(20);
                        assertThat(e.offendingAttribute()).hasValue(1);
                        assertThat(e.getMessage()).startsWith("netlink: CTRL_CMD_GETFAMILY failed: ERANGE (34): ")
                                .endsWith("[attribute 1 at offset 20]");
                    });
        }
    }

    @Test
    void linkDumpMatchesIpLink() {
        try (NetlinkConnection connection = NetlinkConnection.open(Netlink.NETLINK_ROUTE)) {
            Map<Integer, String> links = Rtnetlink.links(connection);

            assertThat(links).isNotEmpty().containsValue("lo").isEqualTo(HostCommands.ipLinks());
        }
    }

    @Test
    void aDumpClosedEarlyLeavesTheConnectionReadyForTheNextCall() {
        try (NetlinkConnection connection = NetlinkConnection.open(Netlink.NETLINK_ROUTE)) {
            try (Stream<NetlinkMessage> parts = connection.dump(Rtnetlink.getLinkRequest())) {
                assertThat(parts.findFirst()).isPresent();
            }

            assertThat(NetlinkError.of(connection.request(NOOP)).isAck()).isTrue();
            assertThat(Rtnetlink.links(connection)).isEqualTo(HostCommands.ipLinks());
            assertThat(connection.skippedMessages()).isZero();
        }
    }

    @Test
    void strictCheckingRefusesADumpRequestWithAShortHeader() {
        try (NetlinkConnection connection = NetlinkConnection.open(Netlink.NETLINK_ROUTE)) {
            connection.socket().setStrictChecking(true);
            // Strict rtnetlink wants a whole ifinfomsg; one byte (a bare rtgenmsg) is refused.
            NetlinkMessage shortHeader = NetlinkMessage.builder(Rtnetlink.RTM_GETLINK).payload(new byte[1]).build();

            assertThatThrownBy(() -> connection.dump(shortHeader).count())
                    .isInstanceOfSatisfying(KernelErrorException.class, e -> {
                        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
                        assertThat(e.extAckMessage()).isPresent();
                    });
            assertThat(Rtnetlink.links(connection)).isNotEmpty();
        }
    }
}
