// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.sockopt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.Capability;
import dev.kchannel.api.EventListener;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.error.PermissionDeniedException;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.error.UnsupportedCapabilityException;
import dev.kchannel.api.message.Attribute;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.ListEntry;
import dev.kchannel.api.message.ListPart;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The channel's logic against a scripted kchan_sockopt: which option, which direction, what comes back. */
class SockoptKernelChannelTest {

    private ScriptedOptionSocket kernel;
    private SockoptKernelChannel channel;

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static KchanMessage reply(KchanMessage request, Attribute... attributes) {
        KchanMessage.Builder reply = KchanMessage.builder(request.commandId()).flags(KchanProtocol.F_REPLY).seq(request.seq());
        for (Attribute attribute : attributes) {
            reply.attribute(attribute);
        }
        return reply.build();
    }

    private SockoptKernelChannel channel(Function<KchanMessage, KchanMessage> answers, KchannelConfig config) {
        kernel = new ScriptedOptionSocket(answers);
        channel = new SockoptKernelChannel(SockoptSettings.from(config), kernel, null);
        return channel;
    }

    private SockoptKernelChannel channel(Function<KchanMessage, KchanMessage> answers) {
        return channel(answers, KchannelConfig.builder().build());
    }

    @AfterEach
    void close() {
        if (channel != null) {
            channel.close();
        }
    }

    @Test
    void aSetGoesThroughSetsockoptOnItsOptionAndIsAnsweredWithAReplyMadeHere() {
        channel(request -> {
            throw new AssertionError("a SET must not be a get");
        });

        KchanMessage reply = channel.call(KchanRequests.set("k", utf8("v")));

        assertThat(kernel.optnames).containsExactly(KchanProtocol.SO_SET);
        KchanMessage sent = kernel.requests.get(0);
        assertThat(sent.command()).isEqualTo(Command.SET);
        assertThat(sent.seq()).isNotZero();
        assertThat(reply.isReply()).isTrue();
        assertThat(reply.command()).isEqualTo(Command.SET);
        assertThat(reply.seq()).isEqualTo(sent.seq());
        assertThat(reply.status()).isZero();
        assertThat(reply.attributes().isEmpty()).isTrue();
    }

    @Test
    void eachStateChangingCommandHasItsSetOption() {
        channel(request -> {
            throw new AssertionError("no get expected");
        });

        channel.call(KchanRequests.delete("k"));
        channel.call(KchanRequests.genStart(10, 64, 0));
        channel.call(KchanRequests.genStop());

        assertThat(kernel.optnames).containsExactly(KchanProtocol.SO_DELETE, KchanProtocol.SO_GEN_START, KchanProtocol.SO_GEN_STOP);
    }

    @Test
    void eachReadHasItsGetOptionAndTheRequestIsNumbered() {
        channel(request -> request.command() == Command.GET
                ? reply(request, Attribute.bytes(KchanProtocol.ATTR_KEY, utf8("k")), Attribute.bytes(KchanProtocol.ATTR_VALUE, utf8("v")))
                : reply(request, request.attributes().first(KchanProtocol.ATTR_PAYLOAD).orElse(Attribute.bytes(KchanProtocol.ATTR_PAYLOAD, new byte[0]))));

        KchanMessage echo = channel.call(KchanRequests.echo(utf8("hello")));
        KchanMessage get = channel.call(KchanRequests.get("k"));
        channel.call(KchanRequests.stats());
        channel.call(KchanRequests.list());

        assertThat(kernel.optnames).containsExactly(KchanProtocol.SO_ECHO, KchanProtocol.SO_GET, KchanProtocol.SO_STATS,
                KchanProtocol.SO_LIST);
        assertThat(KchanReplies.payload(echo)).isEqualTo(utf8("hello"));
        assertThat(KchanReplies.value(get)).isEqualTo(utf8("v"));
        assertThat(kernel.requests).extracting(KchanMessage::seq).doesNotHaveDuplicates();
    }

    @Test
    void aRefusedSetNamesTheCommandAndSaysNoKernelMessageComesBack() {
        channel(request -> null);
        kernel.setErrno.put(KchanProtocol.SO_SET, Errno.EINVAL.number());

        assertThatThrownBy(() -> channel.call(KchanRequests.set("k", utf8("v"))))
                .isInstanceOfSatisfying(KernelErrorException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.EINVAL);
                    assertThat(e.transport()).contains("sockopt");
                    assertThat(e.extAckMessage()).isEmpty();
                    assertThat(e.getMessage()).isEqualTo("sockopt: SET through setsockopt KCHAN_SO_SET (3074), which carries"
                            + " no kernel message back failed: EINVAL (22): Invalid argument");
                });
    }

    @Test
    void setErrnosMapToTheTypedExceptions() {
        channel(request -> null);
        kernel.setErrno.put(KchanProtocol.SO_SET, Errno.EPERM.number());
        kernel.setErrno.put(KchanProtocol.SO_DELETE, Errno.ENOENT.number());

        assertThatThrownBy(() -> channel.call(KchanRequests.set("k", utf8("v")))).isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> channel.call(KchanRequests.delete("k"))).isInstanceOf(NoSuchEntryException.class);
    }

    @Test
    void noProtocolOptionMeansTheModuleIsNotLoaded() {
        channel(request -> null);
        kernel.setErrno.put(KchanProtocol.SO_SET, Errno.ENOPROTOOPT.number());
        kernel.getErrno = Errno.ENOPROTOOPT.number();

        assertThatThrownBy(() -> channel.call(KchanRequests.set("k", utf8("v"))))
                .isInstanceOfSatisfying(TransportUnavailableException.class, e -> {
                    assertThat(e.reason()).startsWith("kernel module kchan_sockopt is not loaded");
                    assertThat(e.reason()).contains("KCHAN_SO_SET (3074) gave ENOPROTOOPT");
                });
        assertThatThrownBy(() -> channel.call(KchanRequests.echo(utf8("x"))))
                .isInstanceOfSatisfying(TransportUnavailableException.class,
                        e -> assertThat(e.reason()).contains("KCHAN_SO_ECHO (3073) gave ENOPROTOOPT"));
    }

    @Test
    void aFailingGetNamesItsOption() {
        channel(request -> null);
        kernel.getErrno = Errno.EINVAL.number();

        assertThatThrownBy(() -> channel.call(KchanRequests.get("k")))
                .isInstanceOfSatisfying(KernelErrorException.class, e -> assertThat(e.getMessage())
                        .startsWith("sockopt: GET through getsockopt KCHAN_SO_GET (3075) failed: EINVAL"));
    }

    @Test
    void aReplyErrorCarriesTheKernelsExplanation() {
        channel(request -> KchanMessage.builder(request.commandId()).flags(KchanProtocol.F_REPLY).seq(request.seq())
                .status(-Errno.ENOENT.number()).string(KchanProtocol.ATTR_ERRMSG, "key not found")
                .u32(KchanProtocol.ATTR_ERRATTR, KchanProtocol.ATTR_KEY).build());

        assertThatThrownBy(() -> channel.call(KchanRequests.get("missing")))
                .isInstanceOfSatisfying(NoSuchEntryException.class, e -> {
                    assertThat(e.extAckMessage()).contains("key not found");
                    assertThat(e.offendingAttribute()).hasValue(KchanProtocol.ATTR_KEY);
                });
    }

    @Test
    void aReplyToAnotherRequestIsMalformed() {
        channel(request -> KchanMessage.builder(request.commandId()).flags(KchanProtocol.F_REPLY).seq(request.seq() + 1).build());

        assertThatThrownBy(() -> channel.call(KchanRequests.stats()))
                .isInstanceOfSatisfying(MalformedMessageException.class, e -> assertThat(e.transport()).contains("sockopt"));
    }

    @Test
    void aCommandWithoutAnOptionIsNotSupportedAndNeverSent() {
        channel(request -> null);

        assertThatThrownBy(() -> channel.call(KchanMessage.builder(KchanProtocol.CMD_MAX + 1).build()))
                .isInstanceOfSatisfying(KernelErrorException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.EOPNOTSUPP);
                    assertThat(e.getMessage()).contains("kchan_sockopt has options for ECHO to GEN_STOP only");
                });
        assertThatThrownBy(() -> channel.call(KchanMessage.builder(Command.EVENT).build()))
                .isInstanceOfSatisfying(KernelErrorException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EOPNOTSUPP));
        assertThat(kernel.optnames).isEmpty();
    }

    @Test
    void subscribingIsUnsupportedAndSaysWhereEventsAre() {
        channel(request -> null);
        EventListener listener = (KchanEvent event) -> { };

        assertThat(channel.capabilities().supports(Capability.KERNEL_PUSH)).isFalse();
        assertThat(channel.capabilities().asSet()).containsExactlyInAnyOrder(Capability.REQUEST_REPLY, Capability.DUMP);
        assertThatThrownBy(() -> channel.subscribe(listener))
                .isInstanceOfSatisfying(UnsupportedCapabilityException.class, e -> {
                    assertThat(e.capability()).isEqualTo(Capability.KERNEL_PUSH);
                    assertThat(e.transport()).contains("sockopt");
                    assertThat(e.getMessage()).contains("cannot push events", "netlink, procfs or chardev");
                });
        assertThatThrownBy(() -> channel.send(KchanRequests.echo(new byte[1])))
                .isInstanceOf(UnsupportedCapabilityException.class);
    }

    @Test
    void aDumpPagesByCursorUntilAPartWithoutMore() {
        channel(request -> {
            boolean first = request.attributes().first(KchanProtocol.ATTR_CURSOR).isEmpty();
            String key = first ? "a" : "b";
            KchanMessage.Builder part = KchanMessage.builder(Command.LIST)
                    .flags(KchanProtocol.F_REPLY | (first ? KchanProtocol.F_MORE : 0)).seq(request.seq())
                    .nested(KchanProtocol.ATTR_ENTRY, Attribute.bytes(KchanProtocol.ATTR_KEY, utf8(key)),
                            Attribute.bytes(KchanProtocol.ATTR_VALUE, utf8("value " + key)));
            if (first) {
                part.bytes(KchanProtocol.ATTR_CURSOR, utf8(key));
            }
            return part.build();
        });

        List<ListEntry> entries;
        try (Stream<KchanMessage> parts = channel.dump(KchanRequests.list())) {
            entries = parts.map(ListPart::from).flatMap(part -> part.entries().stream()).collect(Collectors.toList());
        }

        assertThat(entries).extracting(ListEntry::keyAsString).containsExactly("a", "b");
        assertThat(kernel.optnames).containsExactly(KchanProtocol.SO_LIST, KchanProtocol.SO_LIST);
        assertThat(kernel.requests.get(1).attributes().first(KchanProtocol.ATTR_CURSOR).orElseThrow().bytes())
                .isEqualTo(utf8("a"));
    }

    @Test
    void getsStartAtTheConfiguredSizeGrowUpToMsgMaxAndReuseTheirBuffer() {
        channel(request -> reply(request, Attribute.bytes(KchanProtocol.ATTR_PAYLOAD, new byte[100])),
                KchannelConfig.builder().setting("sockopt", "initial-buffer", "64").build());

        channel.call(KchanRequests.echo(new byte[100]));
        channel.call(KchanRequests.echo(new byte[100]));

        assertThat(kernel.growths.get(0).initialSize()).isEqualTo(64);
        assertThat(kernel.growths.get(0).maxSize()).isEqualTo(KchanProtocol.MSG_MAX);
        assertThat(kernel.reusableGiven.get(0)).isNull();
        // The second call is offered the buffer the first one's reply came in.
        assertThat(kernel.reusableGiven.get(1)).isNotNull();
        assertThat(kernel.reusableGiven.get(1).capacity()).isGreaterThanOrEqualTo(100 + 16 + 4);
        assertThat(channel.keptBuffers()).isEqualTo(1);
    }

    @Test
    void callAsyncCompletesWithTheReply() throws Exception {
        channel(request -> reply(request, request.attributes().first(KchanProtocol.ATTR_PAYLOAD).orElseThrow()));

        KchanMessage reply = channel.callAsync(KchanRequests.echo(utf8("async"))).get(30, TimeUnit.SECONDS);

        assertThat(KchanReplies.payload(reply)).isEqualTo(utf8("async"));
    }

    @Test
    void closeClosesTheSocketAndLaterCallsFailAsClosed() {
        channel(request -> null);

        channel.close();
        channel.close();

        assertThat(kernel.closed).isTrue();
        assertThat(channel.isOpen()).isFalse();
        assertThatThrownBy(() -> channel.call(KchanRequests.stats())).isInstanceOf(ChannelClosedException.class);
    }
}
