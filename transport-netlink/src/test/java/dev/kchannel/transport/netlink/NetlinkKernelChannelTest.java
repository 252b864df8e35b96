// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.Capability;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.error.PermissionDeniedException;
import dev.kchannel.api.error.UnsupportedCapabilityException;
import dev.kchannel.api.message.Attribute;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.ListPart;
import dev.kchannel.transport.netlink.genl.GenericFamily;
import dev.kchannel.transport.netlink.genl.GenericMessage;
import dev.kchannel.transport.netlink.raw.Netlink;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;
import dev.kchannel.transport.netlink.raw.ScriptedConnections;
import dev.kchannel.transport.netlink.raw.Wire;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The channel's calls, dumps and error mapping against a scripted kernel that answers with bytes
 * written from the C layouts: what a real kchan_netlink would send, including errors on cue.
 */
class NetlinkKernelChannelTest {

    private static final GenericFamily FAMILY = KchanGenlCodecTest.FAMILY;
    private static final NetlinkSettings SETTINGS = new NetlinkSettings("kchan", Duration.ofSeconds(1), 2, 1 << 20,
            NetlinkSettings.Protocol.GENL, KchanProtocol.RAW_UNIT_DEFAULT);

    private final List<NetlinkMessage> requests = new ArrayList<>();
    private NetlinkKernelChannel channel;

    @AfterEach
    void close() {
        if (channel != null) {
            channel.close();
        }
    }

    private NetlinkKernelChannel channel(Function<NetlinkMessage, List<byte[]>> kernel) {
        Function<NetlinkMessage, List<byte[]>> recording = request -> {
            synchronized (requests) {
                requests.add(request);
            }
            return kernel.apply(request);
        };
        channel = new NetlinkKernelChannel(FAMILY, SETTINGS,
                new ConnectionPool(() -> ScriptedConnections.answering(recording), 2));
        return channel;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A genl reply to {@code request}, same command, then the ack the kernel adds for NLM_F_ACK. */
    private static List<byte[]> answer(NetlinkMessage request, Attribute... attributes) {
        int command = GenericMessage.decode(request).command();
        byte[] payload = new GenericMessage(FAMILY.id(), command, 1,
                dev.kchannel.api.message.Attributes.of(attributes)).toNetlink(0).payloadBytes();
        return List.of(ScriptedConnections.reply(request, FAMILY.id(), payload), ScriptedConnections.ack(request));
    }

    @Test
    void capabilitiesAreThoseOfGenericNetlink() {
        NetlinkKernelChannel channel = channel(request -> List.of());

        assertThat(channel.transportName()).isEqualTo("netlink");
        assertThat(channel.capabilities().asSet()).containsExactlyInAnyOrder(Capability.REQUEST_REPLY, Capability.DUMP,
                Capability.KERNEL_PUSH, Capability.MULTICAST);
        assertThat(channel.capabilities().maxPayload()).isEqualTo(KchanProtocol.PAYLOAD_MAX);
        assertThatThrownBy(() -> channel.send(KchanRequests.echo(new byte[1])))
                .isInstanceOf(UnsupportedCapabilityException.class);
    }

    @Test
    void callSendsTheCommandAsGenlWithAckAndReturnsTheReply() {
        NetlinkKernelChannel channel = channel(request -> answer(request,
                GenericMessage.decode(request).attributes().require(KchanProtocol.ATTR_PAYLOAD)));

        KchanMessage reply = channel.call(KchanRequests.echo(utf8("ping")).withSeq(12345));

        NetlinkMessage sent = requests.get(0);
        assertThat(sent.type()).isEqualTo(FAMILY.id());
        assertThat(sent.hasFlags(Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK)).isTrue();
        assertThat(GenericMessage.decode(sent).command()).isEqualTo(KchanProtocol.CMD_ECHO);
        assertThat(GenericMessage.decode(sent).version()).isEqualTo(1);
        assertThat(reply.isReply()).isTrue();
        assertThat(reply.seq()).as("the channel's seq, not the caller's").isEqualTo(sent.seq());
        assertThat(reply.attributes().require(KchanProtocol.ATTR_PAYLOAD).bytes()).isEqualTo(utf8("ping"));
    }

    @Test
    void policyErrorIsThrownWithErrnoExtAckAndTheOffendingAttribute() {
        // The KEY attribute starts right after nlmsghdr (16) and genlmsghdr (4).
        int keyOffset = 20;
        NetlinkKernelChannel channel = channel(request -> List.of(ScriptedConnections.error(request, -34,
                Wire.bytes().attrString(Netlink.NLMSGERR_ATTR_MSG, "binary attribute size out of range")
                        .attrU32(Netlink.NLMSGERR_ATTR_OFFS, keyOffset).toArray())));
        KchanMessage request = KchanMessage.builder(KchanProtocol.CMD_SET)
                .bytes(KchanProtocol.ATTR_KEY, new byte[65]).bytes(KchanProtocol.ATTR_VALUE, utf8("v")).build();

        assertThatThrownBy(() -> channel.call(request)).isInstanceOfSatisfying(KernelErrorException.class, e -> {
            assertThat(e.errno()).isEqualTo(Errno.ERANGE);
            assertThat(e.transport()).contains("netlink");
            assertThat(e.operation()).contains("SET");
            assertThat(e.extAckMessage()).contains("binary attribute size out of range");
            assertThat(e.offendingAttribute()).hasValue(KchanProtocol.ATTR_KEY);
            assertThat(e.offendingOffset()).hasValue(keyOffset);
        });
    }

    private static final byte[] KEY_NOT_FOUND =
            Wire.bytes().attrString(Netlink.NLMSGERR_ATTR_MSG, "key not found").toArray();

    @Test
    void enoentAndEpermArriveAsTheirOwnTypes() {
        // kchan_netlink's ENOENT always says why (a bare ENOENT is genl's "no such family id").
        NetlinkKernelChannel channel = channel(request -> List.of(
                GenericMessage.decode(request).command() == KchanProtocol.CMD_GET
                        ? ScriptedConnections.error(request, -2, KEY_NOT_FOUND)
                        : ScriptedConnections.error(request, -1, new byte[0])));

        assertThatThrownBy(() -> channel.call(KchanRequests.get("missing")))
                .isInstanceOfSatisfying(NoSuchEntryException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
        assertThatThrownBy(() -> channel.call(KchanRequests.set("k", "v")))
                .isInstanceOf(PermissionDeniedException.class);
    }

    @Test
    void dumpPagesListByCursorUntilAPartHasNone() {
        NetlinkKernelChannel channel = channel(request -> {
            boolean resumed = GenericMessage.decode(request).attributes().contains(KchanProtocol.ATTR_CURSOR);
            Attribute entry = Attribute.nested(KchanProtocol.ATTR_ENTRY,
                    Attribute.bytes(KchanProtocol.ATTR_KEY, utf8(resumed ? "b" : "a")),
                    Attribute.bytes(KchanProtocol.ATTR_VALUE, utf8("v")));
            return resumed ? answer(request, entry)
                    : answer(request, entry, Attribute.bytes(KchanProtocol.ATTR_CURSOR, utf8("a")));
        });

        List<KchanMessage> parts;
        try (Stream<KchanMessage> stream = channel.dump(KchanRequests.list())) {
            parts = stream.collect(Collectors.toList());
        }

        assertThat(parts).extracting(KchanMessage::hasMore).containsExactly(true, false);
        assertThat(parts.stream().map(ListPart::from).flatMap(p -> p.entries().stream()).map(e -> e.keyAsString()))
                .containsExactly("a", "b");
        assertThat(GenericMessage.decode(requests.get(1)).attributes().require(KchanProtocol.ATTR_CURSOR).bytes())
                .isEqualTo(utf8("a"));
    }

    @Test
    void callAsyncCompletesWithTheReplyOrTheError() throws Exception {
        NetlinkKernelChannel channel = channel(request -> GenericMessage.decode(request).command() == KchanProtocol.CMD_GET
                ? List.of(ScriptedConnections.error(request, -2, KEY_NOT_FOUND))
                : answer(request));

        assertThat(channel.callAsync(KchanRequests.stats()).get(30, TimeUnit.SECONDS).isReply()).isTrue();
        CompletableFuture<KchanMessage> failed = channel.callAsync(KchanRequests.get("missing"));
        assertThatThrownBy(() -> failed.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(NoSuchEntryException.class);
    }

    @Test
    void closedChannelRefusesEverythingAsClosed() {
        NetlinkKernelChannel channel = channel(request -> answer(request));
        channel.close();
        channel.close();

        assertThat(channel.isOpen()).isFalse();
        assertThatThrownBy(() -> channel.call(KchanRequests.stats())).isInstanceOfSatisfying(
                ChannelClosedException.class, e -> assertThat(e.transport()).contains("netlink"));
        assertThatThrownBy(() -> channel.callAsync(KchanRequests.stats())).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> channel.dump(KchanRequests.list())).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> channel.subscribe(event -> { })).isInstanceOf(ChannelClosedException.class);
    }
}
