// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.Capability;
import dev.kchannel.api.error.CallTimeoutException;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.error.PermissionDeniedException;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.error.UnsupportedCapabilityException;
import dev.kchannel.api.message.Attribute;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.ListPart;
import dev.kchannel.transport.netlink.NetlinkSettings.Sockets;
import dev.kchannel.transport.netlink.genl.GenericFamily;
import dev.kchannel.transport.netlink.genl.GenericMessage;
import dev.kchannel.transport.netlink.genl.Nlctrl;
import dev.kchannel.transport.netlink.genl.NlctrlWire;
import dev.kchannel.transport.netlink.raw.LiveScriptedKernel;
import dev.kchannel.transport.netlink.raw.MultiplexedConnection;
import dev.kchannel.transport.netlink.raw.Netlink;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;
import dev.kchannel.transport.netlink.raw.ScriptedConnections;
import dev.kchannel.transport.netlink.raw.Wire;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The channel's calls, dumps, error mapping and reload handling against a scripted kernel that
 * answers with bytes written from the C layouts: what a real kchan_netlink (and nlctrl) would
 * send, including errors and announcements on cue. Each scenario runs over both call paths:
 * one shared socket and a pool of sockets.
 */
class NetlinkKernelChannelTest {

    private static final GenericFamily FAMILY = KchanGenlCodecTest.FAMILY;
    private static final int NEW_ID = 0x23;
    private static final byte[] KEY_NOT_FOUND =
            Wire.bytes().attrString(Netlink.NLMSGERR_ATTR_MSG, "key not found").toArray();

    private final List<NetlinkMessage> requests = new ArrayList<>();
    private final FamilyWatch watch = new FamilyWatch("kchan");
    private LiveScriptedKernel socket;
    private NetlinkKernelChannel channel;

    @AfterEach
    void close() {
        if (channel != null) {
            channel.close();
        }
    }

    private static NetlinkSettings settings(Sockets sockets) {
        return new NetlinkSettings("kchan", Duration.ofSeconds(1), 2, 1 << 20, sockets, NetlinkSettings.Protocol.GENL,
                KchanProtocol.RAW_UNIT_DEFAULT);
    }

    private NetlinkKernelChannel channel(Sockets sockets, Function<NetlinkMessage, List<byte[]>> kernel) {
        Function<NetlinkMessage, List<byte[]>> recording = request -> {
            synchronized (requests) {
                requests.add(request);
            }
            return kernel.apply(request);
        };
        watch.resolved(FAMILY);
        CallPath path;
        if (sockets == Sockets.SHARED) {
            MultiplexedConnection connection = ScriptedConnections.multiplexed(
                    () -> socket = new LiveScriptedKernel(ScriptedConnections.PORT, recording), 8);
            connection.onMulticast(watch::onNotification);
            path = new SharedCallPath(connection);
        } else {
            path = new PooledCallPath(new ConnectionPool(() -> ScriptedConnections.answering(recording), 2), 2);
        }
        channel = new NetlinkKernelChannel(watch, settings(sockets), path, OptionalInt.empty());
        return channel;
    }

    private List<NetlinkMessage> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A genl reply to {@code request}, same command, then the ack the kernel adds for NLM_F_ACK. */
    private static List<byte[]> answer(NetlinkMessage request, Attribute... attributes) {
        int command = GenericMessage.decode(request).command();
        byte[] payload = new GenericMessage(request.type(), command, 1,
                dev.kchannel.api.message.Attributes.of(attributes)).toNetlink(0).payloadBytes();
        byte[] reply = ScriptedConnections.reply(request, request.type(), payload);
        // As genl does: an ack after the reply only when the request asked for one.
        return request.hasFlags(Netlink.NLM_F_ACK) ? List.of(reply, ScriptedConnections.ack(request)) : List.of(reply);
    }

    /** nlctrl's answer to CTRL_CMD_GETFAMILY: the family registered under {@code id}. */
    private static List<byte[]> familyRegisteredAs(NetlinkMessage request, int id) {
        byte[] payload = NlctrlWire.familyPayload(Nlctrl.CTRL_CMD_NEWFAMILY, "kchan", id, 1, Map.of("events", 9));
        return List.of(ScriptedConnections.reply(request, Nlctrl.GENL_ID_CTRL, payload),
                ScriptedConnections.ack(request));
    }

    /** genl's answer to a message for a family id it does not know: ENOENT without a message. */
    private static List<byte[]> unknownFamily(NetlinkMessage request) {
        return List.of(ScriptedConnections.error(request, -Errno.ENOENT.number(), new byte[0]));
    }

    private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still not true after a minute: " + what);
            }
            Thread.sleep(5);
        }
    }

    // ---- both paths -------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Sockets.class)
    void capabilitiesAreThoseOfGenericNetlink(Sockets sockets) {
        NetlinkKernelChannel channel = channel(sockets, request -> List.of());

        assertThat(channel.transportName()).isEqualTo("netlink");
        assertThat(channel.capabilities().asSet()).containsExactlyInAnyOrder(Capability.REQUEST_REPLY, Capability.DUMP,
                Capability.KERNEL_PUSH, Capability.MULTICAST);
        assertThat(channel.capabilities().maxPayload()).isEqualTo(KchanProtocol.PAYLOAD_MAX);
        assertThatThrownBy(() -> channel.send(KchanRequests.echo(new byte[1])))
                .isInstanceOf(UnsupportedCapabilityException.class);
    }

    @ParameterizedTest
    @EnumSource(Sockets.class)
    void callSendsTheCommandAsGenlWithoutAckAndReturnsTheReply(Sockets sockets) {
        NetlinkKernelChannel channel = channel(sockets, request -> answer(request,
                GenericMessage.decode(request).attributes().require(KchanProtocol.ATTR_PAYLOAD)));

        KchanMessage reply = channel.call(KchanRequests.echo(utf8("ping")).withSeq(12345));

        NetlinkMessage sent = requests().get(0);
        assertThat(sent.type()).isEqualTo(FAMILY.id());
        assertThat(sent.hasFlags(Netlink.NLM_F_REQUEST)).isTrue();
        assertThat(sent.hasFlags(Netlink.NLM_F_ACK)).as("one answer per doit: no ack asked for").isFalse();
        assertThat(GenericMessage.decode(sent).command()).isEqualTo(KchanProtocol.CMD_ECHO);
        assertThat(GenericMessage.decode(sent).version()).isEqualTo(1);
        assertThat(reply.isReply()).isTrue();
        assertThat(reply.seq()).as("the channel's seq, not the caller's").isEqualTo(sent.seq());
        assertThat(reply.attributes().require(KchanProtocol.ATTR_PAYLOAD).bytes()).isEqualTo(utf8("ping"));
    }

    @ParameterizedTest
    @EnumSource(Sockets.class)
    void policyErrorIsThrownWithErrnoExtAckAndTheOffendingAttribute(Sockets sockets) {
        // The KEY attribute starts right after nlmsghdr (16) and genlmsghdr (4).
        int keyOffset = 20;
        NetlinkKernelChannel channel = channel(sockets, request -> List.of(ScriptedConnections.error(request, -34,
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
            assertThat(e).hasMessage("netlink: SET failed: ERANGE (34): binary attribute size out of range"
                    + " [attribute KEY at offset 20]");
        });
    }

    @ParameterizedTest
    @EnumSource(Sockets.class)
    void enoentAndEpermArriveAsTheirOwnTypes(Sockets sockets) {
        // kchan_netlink's ENOENT always says why (a bare ENOENT is genl's "no such family id").
        NetlinkKernelChannel channel = channel(sockets, request -> List.of(
                GenericMessage.decode(request).command() == KchanProtocol.CMD_GET
                        ? ScriptedConnections.error(request, -2, KEY_NOT_FOUND)
                        : ScriptedConnections.error(request, -1, new byte[0])));

        assertThatThrownBy(() -> channel.call(KchanRequests.get("missing")))
                .isInstanceOfSatisfying(NoSuchEntryException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
        assertThatThrownBy(() -> channel.call(KchanRequests.set("k", "v")))
                .isInstanceOf(PermissionDeniedException.class);
    }

    @ParameterizedTest
    @EnumSource(Sockets.class)
    void dumpPagesListByCursorUntilAPartHasNone(Sockets sockets) {
        NetlinkKernelChannel channel = channel(sockets, request -> {
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
        assertThat(GenericMessage.decode(requests().get(1)).attributes().require(KchanProtocol.ATTR_CURSOR).bytes())
                .isEqualTo(utf8("a"));
    }

    @ParameterizedTest
    @EnumSource(Sockets.class)
    void callAsyncCompletesWithTheReplyOrTheError(Sockets sockets) throws Exception {
        NetlinkKernelChannel channel = channel(sockets, request ->
                GenericMessage.decode(request).command() == KchanProtocol.CMD_GET
                        ? List.of(ScriptedConnections.error(request, -2, KEY_NOT_FOUND))
                        : answer(request));

        assertThat(channel.callAsync(KchanRequests.stats()).get(30, TimeUnit.SECONDS).isReply()).isTrue();
        CompletableFuture<KchanMessage> failed = channel.callAsync(KchanRequests.get("missing"));
        assertThatThrownBy(() -> failed.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(NoSuchEntryException.class);
    }

    @ParameterizedTest
    @EnumSource(Sockets.class)
    void noAnswerIsACallTimeoutNamingTheCommand(Sockets sockets) {
        NetlinkKernelChannel channel = channel(sockets, request -> List.of());

        assertThatThrownBy(() -> channel.call(KchanRequests.stats(), Duration.ofMillis(50)))
                .isInstanceOfSatisfying(CallTimeoutException.class, e -> assertThat(e.getMessage()).contains("STATS"));
    }

    @ParameterizedTest
    @EnumSource(Sockets.class)
    void aStaleFamilyIdIsLookedUpAgainAndTheCallRetriedOnceOnTheNewId(Sockets sockets) {
        NetlinkKernelChannel channel = channel(sockets, request -> request.type() == Nlctrl.GENL_ID_CTRL
                ? familyRegisteredAs(request, NEW_ID)
                : request.type() == NEW_ID ? answer(request) : unknownFamily(request));

        assertThat(channel.call(KchanRequests.stats()).isReply()).isTrue();

        assertThat(requests()).extracting(NetlinkMessage::type).containsExactly(FAMILY.id(), Nlctrl.GENL_ID_CTRL, NEW_ID);
        assertThat(channel.family().id()).isEqualTo(NEW_ID);
        assertThat(channel.unwrap(GenericFamily.class).orElseThrow().id()).isEqualTo(NEW_ID);
    }

    @ParameterizedTest
    @EnumSource(Sockets.class)
    void whileTheFamilyIsGoneCallsFailAsUnavailableNamingTheModule(Sockets sockets) {
        NetlinkKernelChannel channel = channel(sockets, request -> request.type() == Nlctrl.GENL_ID_CTRL
                ? List.of(ScriptedConnections.error(request, -Errno.ENOENT.number(), new byte[0]))
                : unknownFamily(request));

        assertThatThrownBy(() -> channel.call(KchanRequests.stats()))
                .isInstanceOfSatisfying(TransportUnavailableException.class, e -> {
                    assertThat(e.getMessage()).contains("kchan_netlink was unloaded");
                    assertThat(e.errno()).isEqualTo(Errno.ENOENT);
                });
        assertThat(watch.gone()).isTrue();
        // Known gone: the next call asks nlctrl first and sends nothing to the old id.
        assertThatThrownBy(() -> channel.call(KchanRequests.stats())).isInstanceOf(TransportUnavailableException.class);
        assertThat(requests()).extracting(NetlinkMessage::type)
                .containsExactly(FAMILY.id(), Nlctrl.GENL_ID_CTRL, Nlctrl.GENL_ID_CTRL);
    }

    @ParameterizedTest
    @EnumSource(Sockets.class)
    void closedChannelRefusesEverythingAsClosed(Sockets sockets) {
        NetlinkKernelChannel channel = channel(sockets, request -> answer(request));
        channel.close();
        channel.close();

        assertThat(channel.isOpen()).isFalse();
        assertThatThrownBy(() -> channel.call(KchanRequests.stats())).isInstanceOfSatisfying(
                ChannelClosedException.class, e -> assertThat(e.transport()).contains("netlink"));
        assertThatThrownBy(() -> channel.callAsync(KchanRequests.stats())).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> channel.dump(KchanRequests.list())).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> channel.subscribe(event -> { })).isInstanceOf(ChannelClosedException.class);
    }

    // ---- the shared socket ------------------------------------------------------------------

    @Test
    void pendingAsyncCallsHoldNoThreadAndCancellingOneForgetsItsRequest() throws Exception {
        NetlinkKernelChannel channel = channel(Sockets.SHARED, request -> answer(request));
        MultiplexedConnection connection = channel.unwrap(MultiplexedConnection.class).orElseThrow();
        socket.hold();
        List<CompletableFuture<KchanMessage>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(channel.callAsync(KchanRequests.echo(utf8("call " + i))));
        }

        assertThat(calls).noneMatch(CompletableFuture::isDone);
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .noneMatch(name -> name.startsWith("kchan-netlink-call-"));
        assertThat(calls.get(0).cancel(false)).isTrue();
        assertThat(connection.pendingCalls()).isEqualTo(7);
        socket.release();

        for (CompletableFuture<KchanMessage> call : calls.subList(1, calls.size())) {
            assertThat(call.get(30, TimeUnit.SECONDS).isReply()).isTrue();
        }
        assertThat(connection.lateReplies()).as("the cancelled call's reply").isEqualTo(1);
        assertThat(connection.socketsOpened()).isEqualTo(1);
    }

    @Test
    void closeFailsPendingAsyncCallsAsClosed() throws Exception {
        NetlinkKernelChannel channel = channel(Sockets.SHARED, request -> answer(request));
        socket.hold();
        CompletableFuture<KchanMessage> pending = channel.callAsync(KchanRequests.stats());

        channel.close();

        assertThatThrownBy(() -> pending.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(ChannelClosedException.class);
    }

    @Test
    void anAnnouncedUnregistrationStopsCallsBeforeAnyReachesTheOldId() throws Exception {
        NetlinkKernelChannel channel = channel(Sockets.SHARED, request -> request.type() == Nlctrl.GENL_ID_CTRL
                ? List.of(ScriptedConnections.error(request, -Errno.ENOENT.number(), new byte[0]))
                : answer(request));
        assertThat(channel.call(KchanRequests.stats()).isReply()).isTrue();

        socket.deliver(1 << (Nlctrl.GENL_ID_CTRL - 1), NlctrlWire.notification(false, "kchan", FAMILY.id(),
                Map.of("events", 9)));
        eventually("the unregistration seen", watch::gone);

        assertThatThrownBy(() -> channel.call(KchanRequests.stats()))
                .isInstanceOfSatisfying(TransportUnavailableException.class,
                        e -> assertThat(e.getMessage()).contains("kchan_netlink was unloaded"));
        assertThat(requests()).extracting(NetlinkMessage::type).containsExactly(FAMILY.id(), Nlctrl.GENL_ID_CTRL);
    }

    @Test
    void anAnnouncedRegistrationIsUsedAtOnceWithoutALookup() throws Exception {
        NetlinkKernelChannel channel = channel(Sockets.SHARED, request -> answer(request));
        MultiplexedConnection connection = channel.unwrap(MultiplexedConnection.class).orElseThrow();

        socket.deliver(1 << (Nlctrl.GENL_ID_CTRL - 1), NlctrlWire.notification(false, "kchan", FAMILY.id(),
                Map.of("events", 9)));
        socket.deliver(1 << (Nlctrl.GENL_ID_CTRL - 1), NlctrlWire.notification(true, "kchan", NEW_ID,
                Map.of("events", 10)));
        // Another family's announcement changes nothing.
        socket.deliver(1 << (Nlctrl.GENL_ID_CTRL - 1), NlctrlWire.notification(true, "other", 0x30, Map.of()));
        eventually("the new id taken from the announcement", () -> channel.family().id() == NEW_ID);
        long sentBefore = connection.requestsSent();

        assertThat(channel.call(KchanRequests.stats()).isReply()).isTrue();

        assertThat(connection.requestsSent() - sentBefore).as("no ENOENT round trip").isEqualTo(1);
        assertThat(requests()).extracting(NetlinkMessage::type).containsExactly(NEW_ID);
        assertThat(channel.family().multicastGroup("events")).hasValue(10);
        assertThat(watch.gone()).isFalse();
    }

    @Test
    void unwrapGivesTheSharedSocketOnlyWhenThereIsOne() {
        assertThat(channel(Sockets.SHARED, request -> List.of()).unwrap(MultiplexedConnection.class)).isPresent();
        channel.close();
        assertThat(channel(Sockets.POOLED, request -> List.of()).unwrap(MultiplexedConnection.class)).isEmpty();
    }
}
