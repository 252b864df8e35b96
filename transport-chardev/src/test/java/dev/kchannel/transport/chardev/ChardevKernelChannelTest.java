// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.chardev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.Capability;
import dev.kchannel.api.EventListener;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.error.UnsupportedCapabilityException;
import dev.kchannel.api.message.Attribute;
import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.ListPart;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The channel's own logic against a scripted request path: numbering, reply checks, errors, paging, closing. */
class ChardevKernelChannelTest {

    /** Answers each request with what the script says, recording what was sent. */
    private static final class ScriptedPath implements RequestPath {
        final List<KchanMessage> sent = new ArrayList<>();
        final Function<KchanMessage, KchanMessage> script;
        boolean closed;

        ScriptedPath(Function<KchanMessage, KchanMessage> script) {
            this.script = script;
        }

        @Override
        public synchronized KchanMessage exchange(KchanMessage request) {
            sent.add(request);
            return script.apply(request);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static KchanMessage.Builder replyTo(KchanMessage request) {
        return KchanMessage.builder(request.commandId()).flags(KchanProtocol.F_REPLY).seq(request.seq());
    }

    private static ChardevKernelChannel channel(ScriptedPath path, String... settings) {
        KchannelConfig.Builder config = KchannelConfig.builder();
        for (int i = 0; i < settings.length; i += 2) {
            config.setting("chardev", settings[i], settings[i + 1]);
        }
        return new ChardevKernelChannel(ChardevSettings.from(config.build()), path);
    }

    @Test
    void requestsAreNumberedAndTheirRepliesChecked() {
        ScriptedPath path = new ScriptedPath(request -> replyTo(request)
                .bytes(KchanProtocol.ATTR_PAYLOAD, request.attributes().require(KchanProtocol.ATTR_PAYLOAD).bytes())
                .build());
        try (ChardevKernelChannel channel = channel(path)) {
            KchanMessage first = channel.call(KchanRequests.echo(utf8("one")).withSeq(77));
            KchanMessage second = channel.call(KchanRequests.echo(utf8("two")).withSeq(77));

            assertThat(KchanReplies.payload(first)).isEqualTo(utf8("one"));
            assertThat(KchanReplies.payload(second)).isEqualTo(utf8("two"));
            assertThat(path.sent).extracting(KchanMessage::seq).doesNotHaveDuplicates().doesNotContain(77);
        }
    }

    @Test
    void aReplyToAnotherRequestIsRefusedAsMalformed() {
        ScriptedPath path = new ScriptedPath(request -> KchanMessage.builder(request.commandId())
                .flags(KchanProtocol.F_REPLY).seq(request.seq() + 1).build());
        try (ChardevKernelChannel channel = channel(path)) {
            assertThatThrownBy(() -> channel.call(KchanRequests.stats()))
                    .isInstanceOfSatisfying(MalformedMessageException.class,
                            e -> assertThat(e.transport()).contains("chardev"));
        }
    }

    @Test
    void aNegativeStatusBecomesTheTypedExceptionWithTheKernelsMessage() {
        ScriptedPath path = new ScriptedPath(request -> replyTo(request).status(-Errno.ENOENT.number())
                .string(KchanProtocol.ATTR_ERRMSG, "key not found").build());
        try (ChardevKernelChannel channel = channel(path)) {
            assertThatThrownBy(() -> channel.call(KchanRequests.get("k")))
                    .isInstanceOf(NoSuchEntryException.class)
                    .hasMessageContaining("chardev").hasMessageContaining("key not found");
        }
    }

    @Test
    void aDumpPagesByCursorOneCallPerPart() {
        ScriptedPath path = new ScriptedPath(request -> {
            boolean first = !request.attributes().contains(KchanProtocol.ATTR_CURSOR);
            String key = first ? "a" : "b";
            KchanMessage.Builder reply = replyTo(request).attribute(Attribute.nested(KchanProtocol.ATTR_ENTRY,
                    Attribute.bytes(KchanProtocol.ATTR_KEY, utf8(key)), Attribute.bytes(KchanProtocol.ATTR_VALUE, utf8("v"))));
            if (first) {
                reply.addFlags(KchanProtocol.F_MORE).bytes(KchanProtocol.ATTR_CURSOR, utf8("a"));
            }
            return reply.build();
        });
        try (ChardevKernelChannel channel = channel(path); Stream<KchanMessage> parts = channel.dump(KchanRequests.list())) {
            List<String> keys = parts.map(ListPart::from).flatMap(part -> part.entries().stream())
                    .map(entry -> entry.keyAsString()).collect(Collectors.toList());

            assertThat(keys).containsExactly("a", "b");
            assertThat(path.sent).hasSize(2);
        }
    }

    @Test
    void capabilitiesFollowTheEventMode() {
        try (ChardevKernelChannel ring = channel(new ScriptedPath(r -> null));
                ChardevKernelChannel read = channel(new ScriptedPath(r -> null), "events", "read")) {
            assertThat(ring.capabilities().asSet()).containsExactlyInAnyOrder(Capability.REQUEST_REPLY, Capability.DUMP,
                    Capability.KERNEL_PUSH, Capability.ZERO_COPY);
            assertThat(read.capabilities().asSet()).containsExactlyInAnyOrder(Capability.REQUEST_REPLY, Capability.DUMP,
                    Capability.KERNEL_PUSH);
            assertThatThrownBy(() -> ring.send(KchanRequests.echo(utf8("x"))))
                    .isInstanceOf(UnsupportedCapabilityException.class);
        }
    }

    @Test
    void closingClosesThePathAndRefusesWhatFollows() {
        ScriptedPath path = new ScriptedPath(request -> replyTo(request).build());
        ChardevKernelChannel channel = channel(path);
        channel.close();
        channel.close();

        assertThat(path.closed).isTrue();
        assertThat(channel.isOpen()).isFalse();
        assertThatThrownBy(() -> channel.call(KchanRequests.stats())).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> channel.callAsync(KchanRequests.stats())).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> channel.subscribe(new EventListener() {
            @Override
            public void onEvent(KchanEvent event) {
            }
        })).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> channel.call(KchanRequests.stats(), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
